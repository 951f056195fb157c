#include "tools/hat_event_adminer/conf_file.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>

#include "config/server_config.hpp"
#include "config/yaml_to_json.hpp"
#include "protocol/python_json.hpp"
#include "protocol/utf8.hpp"
#include "tools/hat_event_adminer/arguments.hpp"

namespace hat::adminer_tool {

namespace {

std::string read_all(const std::string& path, const std::string& name) {
  if (path == "-")
    return {std::istreambuf_iterator<char>{std::cin}, {}};
  std::error_code error;
  if (std::filesystem::is_directory(path, error))
    throw usage_error("cannot read " + name + ": it is a directory");
  std::ifstream file{path, std::ios::binary};
  if (!file)
    throw usage_error("cannot read " + name + ": " + std::strerror(errno));
  return {std::istreambuf_iterator<char>{file}, {}};
}

bool is_yaml(const std::string& path) {
  auto extension = std::filesystem::path{path}.extension().string();
  return extension == ".yaml" || extension == ".yml";
}

}  // namespace

std::string conf_file_json(const std::string& path) {
  auto name = path == "-" ? std::string{"standard input"} : "'" + path + "'";
  auto text = read_all(path, name);
  if (!is_valid_utf8(text.data(), text.size()))
    throw usage_error(name + ": not UTF-8 text");
  boost::json::value conf;
  if (is_yaml(path)) {
    try {
      conf = config::yaml_to_json(text);
    } catch (const config::config_error& e) {
      throw usage_error(name + ": " + e.what());
    }
  } else {
    auto decoded = python_json::decode(text);
    if (auto* error = std::get_if<python_json::syntax_error>(&decoded))
      throw usage_error(name + ": " + error->text);
    conf = std::move(std::get<boost::json::value>(decoded));
  }
  auto encoded = python_json::encode(conf);
  if (!encoded)
    throw usage_error(name + ": holds a value JSON has no text for (NaN, "
                             "infinity)");
  return std::move(*encoded);
}

}  // namespace hat::adminer_tool
