#include "actors/log_config_keeper.hpp"

#include "log/logger.hpp"

namespace hat {

namespace {

constexpr std::string_view log_component = "adminer";

}  // namespace

log_config_actor::behavior_type log_config_keeper(
  log_config_actor::stateful_pointer<log_config_keeper_state> self,
  boost::json::value initial) {
  self->state.conf = config::current_log_config{std::move(initial)};
  return {
    // -- log_config_actor --
    [self](atom::get, atom::log_conf) -> std::tuple<bool, std::string> {
      auto text = self->state.conf.text();
      if (auto* error = std::get_if<config::log_config_error>(&text))
        return {false, std::move(error->text)};
      return {true, std::move(std::get<std::string>(text))};
    },
    [self](atom::set, atom::log_conf,
           const std::string& text) -> std::tuple<bool, std::string> {
      auto result = self->state.conf.set(text);
      if (auto* error = std::get_if<config::log_config_error>(&result)) {
        HAT_LOG_INFO(log_component, "logging configuration refused: ",
                     config::describe(*error));
        return {false, std::move(error->text)};
      }
      auto& settings = std::get<config::log_settings>(result);
      // Said before the new level may silence it.
      HAT_LOG_INFO(log_component, "logging configuration replaced");
      config::apply_log_settings(settings, log_component);
      return {true, std::string{}};
    },
  };
}

}  // namespace hat
