#include "config/current_log_config.hpp"

#include <boost/json.hpp>

#include "protocol/python_json.hpp"

namespace hat::config {

current_log_config::current_log_config(boost::json::value initial)
  : value_(std::move(initial)) {
  // The handlers the file's configuration defined are in force: a later
  // incremental configuration may name them.
  if (value_.is_null())
    return;
  auto read = read_log_config(value_, {});
  if (auto* settings = std::get_if<log_settings>(&read);
      settings && settings->handlers)
    handlers_ = *settings->handlers;
}

std::variant<std::string, log_config_error> current_log_config::text() const {
  if (auto text = python_json::encode(value_))
    return std::move(*text);
  return log_config_error{"Out of range float values are not JSON compliant",
                          {}, {}};
}

std::variant<log_settings, log_config_error>
current_log_config::set(std::string_view text) {
  auto decoded = python_json::decode(text);
  if (auto* error = std::get_if<python_json::syntax_error>(&decoded))
    return log_config_error{std::move(error->text), {}, {}};
  auto& value = std::get<boost::json::value>(decoded);
  auto read = read_log_config(value, handlers_);
  if (auto* settings = std::get_if<log_settings>(&read)) {
    if (settings->handlers)
      handlers_ = *settings->handlers;
    value_ = std::move(value);
  }
  return read;
}

}  // namespace hat::config
