#include "tools/hat_event_manager/payload_input.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>

#include "config/server_config.hpp"
#include "config/toml_to_json.hpp"
#include "config/yaml_to_json.hpp"

namespace hat::manager_tool {

namespace {

/// json.dumps text of a value read from `name`; YAML's .nan and .inf have
/// none the server could read back (Python would send NaN). toml_to_json
/// refuses TOML's itself, naming the key.
std::string dumps(const boost::json::value& value, const std::string& name) {
  auto text = python_json::encode(value);
  if (!text)
    throw payload_error(name + ": the payload holds a value JSON cannot "
                               "carry (NaN or an infinity)");
  return std::move(*text);
}

}  // namespace

std::variant<std::string, python_json::syntax_error>
json_payload_text(std::string_view text) {
  auto value = python_json::decode(text);
  if (auto* error = std::get_if<python_json::syntax_error>(&value))
    return *error;
  // decode refuses what encode could not write (NaN, bad UTF-8).
  return python_json::encode(std::get<boost::json::value>(value)).value();
}

std::string input_name(const std::string& path) {
  return path == "-" ? std::string{"standard input"} : path;
}

std::string read_input(const std::string& path) {
  if (path == "-")
    return {std::istreambuf_iterator<char>{std::cin}, {}};
  std::ifstream file{path, std::ios::binary};
  if (!file)
    throw payload_error(path + ": " + std::strerror(errno));
  std::string bytes{std::istreambuf_iterator<char>{file}, {}};
  if (file.bad())
    throw payload_error(path + ": cannot be read");
  return bytes;
}

std::optional<event_payload> read_payload(const payload_source& source) {
  if (source.inline_json)
    return payload_json{*source.inline_json};
  if (source.format == payload_format::none)
    return std::nullopt;
  auto name = input_name(source.path);
  auto bytes = read_input(source.path);
  switch (source.format) {
  case payload_format::json: {
    auto text = json_payload_text(bytes);
    if (auto* error = std::get_if<python_json::syntax_error>(&text))
      throw payload_error(name + ": " + error->text);
    return payload_json{std::get<std::string>(std::move(text))};
  }
  case payload_format::yaml:
    try {
      return payload_json{dumps(config::yaml_to_json(bytes), name)};
    } catch (const config::config_error& e) {
      throw payload_error(name + ": " + e.what());
    }
  case payload_format::toml:
    try {
      return payload_json{dumps(config::toml_to_json(bytes), name)};
    } catch (const config::config_error& e) {
      throw payload_error(name + ": " + e.what());
    }
  case payload_format::binary:
    return payload_binary{source.binary_type, std::move(bytes)};
  case payload_format::none:
    break;
  }
  return std::nullopt;
}

}  // namespace hat::manager_tool
