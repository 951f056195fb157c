#include "actors/module_engine_handle.hpp"

#include <algorithm>
#include <utility>

#include "log/logger.hpp"
#include "protocol/register_validation.hpp"
#include "actors/server_error.hpp"

namespace hat {

module_engine_handle::module_engine_handle(
  module_actor::stateful_pointer<module_runner_state> self,
  module_context context)
    : self_(self), context_(std::move(context)) {
}

int64_t module_engine_handle::server_id() const {
  return context_.server_id;
}

void module_engine_handle::register_events(
  std::vector<register_event> events,
  std::function<void(std::optional<std::vector<event>>)> done) {
  if (auto why = invalid_register_events_reason(events)) {
    HAT_LOG_WARNING("modules", self_->state.label, ": register refused: ",
                    *why);
    // Answered later, as every registration, never from inside this call
    // (a timer that is already due).
    if (done) {
      auto id = self_->state.next_timer++;
      self_->state.timers.emplace(id, [done] { done(std::nullopt); });
      self_->send(self_, atom::tick::value, id);
    }
    return;
  }
  auto count = events.size();
  // Not awaited: the engine may be running the session this module is
  // processing; the registration is a later session.
  self_
    ->request(context_.engine, caf::infinite, atom::register_::value,
              event_source{event_source::kind::module, context_.index},
              std::move(events))
    .then(
      [done, count](const storage::event_batch& session) {
        if (!done)
          return;
        auto n = std::min(count, session->size());
        done(std::vector<event>(session->begin(), session->begin() + n));
      },
      [self = self_, done](caf::error& err) {
        // The module hears only "failed": the reason goes to the log.
        log_dropped("modules",
                    self->state.label + ": registering from the module",
                    err);
        if (done)
          done(std::nullopt);
      });
}

void module_engine_handle::query(
  query_params params, std::function<void(std::optional<query_result>)> done) {
  self_
    ->request(context_.storage, caf::infinite, atom::query::value,
              std::move(params))
    .then([done](query_result& result) { done(std::move(result)); },
          [self = self_, done](caf::error& err) {
            log_dropped("modules",
                        self->state.label + ": query from the module", err);
            done(std::nullopt);
          });
}

void module_engine_handle::client_names(
  std::function<void(std::vector<modules::client_name>)> done) {
  self_
    ->request(context_.fanout, caf::infinite, atom::get::value,
              atom::clients::value)
    .then(
      [done](const hat::client_names& names) {
        std::vector<modules::client_name> result;
        for (const auto& [id, name] : names)
          result.emplace_back(event_source{event_source::kind::eventer, id},
                              name);
        done(std::move(result));
      },
      [self = self_, done](caf::error& err) {
        log_dropped("modules",
                    self->state.label + ": client names for the module",
                    err);
        done({});
      });
}

void module_engine_handle::after(std::chrono::milliseconds delay,
                                 std::function<void()> fn) {
  auto id = self_->state.next_timer++;
  self_->state.timers.emplace(id, std::move(fn));
  self_->delayed_send(self_, delay, atom::tick::value, id);
}

void module_engine_handle::restart() {
  self_->send(context_.engine, atom::restart::value);
}

void module_engine_handle::reset_monitor_ready() {
  self_->send(context_.engine, atom::reset_ready::value);
}

}  // namespace hat
