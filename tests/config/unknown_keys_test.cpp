// Unknown configuration keys: accepted (the reference's schema allows
// extra keys) and named in one warning, so that a mistyped key does not
// go unnoticed.

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "config/server_config.hpp"
#include "log/logger.hpp"

using namespace hat::config;

namespace {

constexpr std::string_view memory_file = R"(
name: event
server_id: 1
backend: {module: memory}
modules: []
eventer_server: {host: 127.0.0.1, port: 23012}
)";

/// Parses `text`, returning the warning lines the configuration logged.
std::vector<std::string> warnings_of(std::string_view text) {
  std::vector<std::string> lines;
  hat::log::set_sink([&](std::string_view line) {
    if (line.find("WARNING") != std::string_view::npos)
      lines.emplace_back(line);
  });
  try {
    parse_server_config(text, file_format::yaml);
  } catch (...) {
    hat::log::set_sink({});
    throw;
  }
  hat::log::set_sink({});
  return lines;
}

size_t count(const std::vector<std::string>& lines, std::string_view text) {
  size_t n = 0;
  for (auto& line : lines)
    n += line.find(text) != std::string::npos ? 1 : 0;
  return n;
}

}  // namespace

TEST_CASE("config: a known file warns about nothing") {
  CHECK(warnings_of(memory_file).empty());
  CHECK(warnings_of(std::string{memory_file}
                    + "type: event\nserver_token: null\nmodule_timeout: 3\n"
                      "log: {version: 1, root: {level: INFO}}\n")
          .empty());
}

TEST_CASE("config: an unknown top-level key is accepted and named once") {
  auto lines = warnings_of(std::string{memory_file} + "sever_id: 2\n");
  REQUIRE(lines.size() == 1);
  CHECK(count(lines, "unknown configuration key sever_id ignored") == 1);
  auto config = parse_server_config(std::string{memory_file} + "extra: 1\n",
                                    file_format::yaml);
  CHECK(config.server_id == 1);
}

TEST_CASE("config: several unknown keys, nested ones with their path, "
          "in one warning") {
  auto text = R"(
name: event
server_id: 1
backend: {module: memory, db_path: x}
modules: []
eventer_server: {host: 127.0.0.1, port: 23012, max_frame: 5}
colour: blue
)";
  auto lines = warnings_of(text);
  CHECK(count(lines, "unknown configuration key eventer_server.max_frame "
                     "ignored") == 1);
  CHECK(count(lines, "unknown configuration key backend.db_path ignored")
        == 1);
  CHECK(count(lines, "unknown configuration key colour ignored") == 1);
  CHECK(lines.size() == 3);
}
