#include "actors/server_error.hpp"

#include <caf/message.hpp>

#include "log/logger.hpp"

namespace hat {

std::string to_string(ec code) {
  switch (code) {
    case ec::none: return "none";
    case ec::not_operational: return "not_operational";
    case ec::invalid_event: return "invalid_event";
    case ec::answer_too_large: return "answer_too_large";
    case ec::malformed_input: return "malformed_input";
    case ec::peer_not_reading: return "peer_not_reading";
    case ec::too_many_requests: return "too_many_requests";
    case ec::peer_timed_out: return "peer_timed_out";
    case ec::connection_limit: return "connection_limit";
    case ec::descriptors_exhausted: return "descriptors_exhausted";
    case ec::listen_failed: return "listen_failed";
    case ec::backend_open_failed: return "backend_open_failed";
    case ec::database_damaged: return "database_damaged";
    case ec::database_locked: return "database_locked";
    case ec::disk_full: return "disk_full";
    case ec::storage_failed: return "storage_failed";
    case ec::module_failed: return "module_failed";
    case ec::module_timeout: return "module_timeout";
    case ec::engine_closed: return "engine_closed";
    case ec::essential_actor_down: return "essential_actor_down";
    case ec::invalid_configuration: return "invalid_configuration";
    case ec::monitor_unreachable: return "monitor_unreachable";
    case ec::monitor_lost: return "monitor_lost";
    case ec::monitor_closed: return "monitor_closed";
    case ec::peer_unreachable: return "peer_unreachable";
    case ec::peer_lost: return "peer_lost";
    case ec::internal: return "internal";
  }
  return "ec(" + std::to_string(static_cast<int>(code)) + ")";
}

bool is(const caf::error& err, ec code) {
  return err && err.category() == error_category
         && err.code() == static_cast<uint8_t>(code);
}

std::string error_context(const caf::error& err) {
  if (err.category() != error_category)
    return caf::to_string(err);
  auto& context = err.context();
  if (context.size() == 1 && context.match_element<std::string>(0))
    return context.get_as<std::string>(0);
  return context.empty() ? std::string{} : caf::to_string(context);
}

std::string render_error(const caf::error& err) {
  if (!err)
    return "no error";
  if (err.category() != error_category)
    return caf::to_string(err);
  auto text = to_string(static_cast<ec>(err.code()));
  auto detail = error_context(err);
  if (!detail.empty())
    text += ": " + detail;
  return text;
}

void log_dropped(std::string_view component, std::string_view doing,
                 const caf::error& err) {
  HAT_LOG_WARNING(component, doing, ": ", render_error(err));
}

}  // namespace hat
