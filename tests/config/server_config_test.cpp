// Loading and validating the server configuration: the example files,
// defaults, every error message, PyYAML-compatible scalar resolution, files
// and the default location.

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <limits>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "config/server_config.hpp"
#include "config/yaml_to_json.hpp"
#include "log/logger_tree.hpp"

using namespace hat::config;
namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

// HAT_TEST_VECTORS_DIR is <repo>/tests/vectors.
const fs::path examples_root =
  fs::path{HAT_TEST_VECTORS_DIR}.parent_path().parent_path() / "config";

constexpr size_t mib = 1024 * 1024;

/// A valid current-schema file, one top-level key per entry so that a test
/// can drop a key; appending a key overrides it (the last duplicate wins,
/// as in PyYAML).
const std::vector<std::pair<std::string, std::string>> base_entries{
  {"name", "name: event\n"},
  {"server_id", "server_id: 1\n"},
  {"backend", "backend: {module: memory}\n"},
  {"modules", "modules: []\n"},
  {"eventer_server", "eventer_server: {host: 127.0.0.1, port: 23012}\n"},
};

std::string base_without(std::string_view key) {
  std::string text;
  for (const auto& [name, line] : base_entries)
    if (name != key)
      text += line;
  return text;
}

std::string base_with(std::string_view extra) {
  return base_without("") + std::string{extra};
}

std::string error_of(std::string_view text,
                     file_format format = file_format::yaml) {
  try {
    parse_server_config(text, format);
  } catch (const config_error& error) {
    return error.what();
  }
  return "(no error)";
}

std::string yaml_error_of(std::string_view text) {
  try {
    yaml_to_json(text);
  } catch (const config_error& error) {
    return error.what();
  }
  return "(no error)";
}

std::string error_of_file(const fs::path& path) {
  try {
    load_server_config(path);
  } catch (const config_error& error) {
    return error.what();
  }
  return "(no error)";
}

/// How PyYAML would read `text` as a plain scalar value.
json::value scalar(std::string_view text) {
  return yaml_to_json("v: " + std::string{text}).at("v");
}

class temp_dir {
public:
  temp_dir()
    : path_{fs::temp_directory_path() /
            ("hat_config_test_" + std::to_string(::getpid()) + "_" +
             std::to_string(next_id_++))} {
    fs::create_directories(path_);
  }
  ~temp_dir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  const fs::path& path() const {
    return path_;
  }
  fs::path write(const fs::path& name, std::string_view text) const {
    auto file = path_ / name;
    fs::create_directories(file.parent_path());
    std::ofstream{file, std::ios::binary} << text;
    return file;
  }

private:
  static inline int next_id_ = 0;
  fs::path path_;
};

/// Sets or clears an environment variable for one test and restores it.
class env_override {
public:
  env_override(const char* name, const char* value) : name_{name} {
    if (const char* old = std::getenv(name))
      old_ = old;
    if (value)
      ::setenv(name, value, 1);
    else
      ::unsetenv(name);
  }
  ~env_override() {
    if (old_)
      ::setenv(name_, old_->c_str(), 1);
    else
      ::unsetenv(name_);
  }
  env_override(const env_override&) = delete;
  env_override& operator=(const env_override&) = delete;

private:
  const char* name_;
  std::optional<std::string> old_;
};

/// What `action` writes to stderr (where the logger writes).
std::string capture_stderr(const std::function<void()>& action) {
  temp_dir dir;
  auto file = dir.path() / "stderr";
  int fd = ::open(file.c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0600);
  REQUIRE(fd >= 0);
  int saved = ::dup(STDERR_FILENO);
  ::dup2(fd, STDERR_FILENO);
  ::close(fd);
  action();
  ::dup2(saved, STDERR_FILENO);
  ::close(saved);
  std::ifstream in{file};
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

TEST_CASE("default.yaml is the documented default configuration") {
  auto config = load_server_config(examples_root / "default.yaml");
  CHECK(config.schema == schema_version::current);
  CHECK(config.name == "event");
  CHECK(config.server_id == 1);
  CHECK_FALSE(config.server_token.has_value());
  CHECK(config.backend.kind == backend_kind::lmdb);
  CHECK(config.backend.raw.at("module") == "hat.event.backends.lmdb");
  REQUIRE(config.backend.lmdb);
  CHECK(config.backend.lmdb->db_path == "./data/event.db");
  CHECK(config.backend.lmdb->timeseries.size() == 1);
  CHECK(config.modules.empty());
  CHECK(config.eventer_server.addr == address{"127.0.0.1", 23012});
  CHECK(config.eventer_server.dialect == hat::eventer::dialect::current);
  CHECK(config.eventer_server.max_frame_size == 16 * mib);
  CHECK(config.eventer_server.max_send_queue == 64 * mib);
  CHECK_FALSE(config.adminer_server.has_value());
  CHECK_FALSE(config.monitor_component.has_value());
  CHECK_FALSE(config.synced_restart_engine);
  CHECK(config.logging.root_level == hat::log::level::info);
  CHECK(config.log_conf.at("root") == json::parse(R"({"level": "INFO",
                                                    "handlers": ["console"]})"));
  CHECK(config.log_conf.at("handlers").at("console").at("class")
        == "logging.StreamHandler");
}

TEST_CASE("examples/current.yaml: a reference current-schema file") {
  auto config = load_server_config(examples_root / "examples/current.yaml");
  CHECK(config.schema == schema_version::current);
  CHECK(config.name == "event-primary");
  CHECK(config.server_id == 7);
  CHECK(config.server_token == "secret-token");
  CHECK(config.backend.kind == backend_kind::lmdb);
  CHECK(config.backend.raw.at("db_path") == "./data/event.db");
  CHECK(config.backend.raw.at("flush_period") == 1);
  CHECK(config.backend.raw.at("timeseries").at(0).at("limit").at(
          "max_entries") == 100000);
  REQUIRE(config.backend.lmdb);
  auto& lmdb = *config.backend.lmdb;
  CHECK(lmdb.db_path == "./data/event.db");
  CHECK(lmdb.identifier == "primary");
  CHECK(lmdb.flush_period == 1);
  CHECK(lmdb.cleanup_period == 30);
  CHECK(lmdb.latest_subscriptions == std::vector<hat::event_type>{{"*"}});
  REQUIRE(lmdb.timeseries.size() == 1);
  CHECK(lmdb.timeseries[0].order_by == hat::order_by::timestamp);
  CHECK(lmdb.timeseries[0].subscriptions
        == std::vector<hat::event_type>{{"measurement", "*"}});
  REQUIRE(lmdb.timeseries[0].limit);
  CHECK(lmdb.timeseries[0].limit->max_entries == 100000);
  CHECK(lmdb.timeseries_max_results == 4096);
  REQUIRE(config.modules.size() == 2);
  CHECK(config.modules[0].module == "hat.event.server.modules.transparent");
  CHECK(config.modules[1].module == "project.modules.alarms");
  CHECK(config.modules[1].raw.at("module") == "project.modules.alarms");
  CHECK(config.modules[1].raw.at("limits").at("high") == 90.5);
  CHECK(config.modules[1].raw.at("limits").at("low") == 10);  // 0x0A
  CHECK(config.modules[1].raw.at("enabled") == true);          // yes
  CHECK(config.eventer_server.addr == address{"0.0.0.0", 23012});
  CHECK(config.eventer_server.dialect == hat::eventer::dialect::current);
  CHECK(config.adminer_server == address{"127.0.0.1", 23015});
  REQUIRE(config.monitor_component.has_value());
  CHECK(config.monitor_component->addr == address{"127.0.0.1", 23010});
  CHECK(config.monitor_component->group == "event");
  CHECK_FALSE(config.synced_restart_engine);
  CHECK(config.logging.root_level == hat::log::level::warning);
  // Kept as read, key order included, for the adminer.
  REQUIRE(config.log_conf.is_object());
  std::vector<std::string> keys;
  for (const auto& member : config.log_conf.get_object())
    keys.emplace_back(member.key());
  CHECK(keys == std::vector<std::string>{"version", "formatters", "handlers",
                                         "root",
                                         "disable_existing_loggers"});
  CHECK(config.log_conf.at("disable_existing_loggers") == false);
}

TEST_CASE("examples/v0.9.0.yaml: a 0.9.0-schema file") {
  auto config = load_server_config(examples_root / "examples/v0.9.0.yaml");
  CHECK(config.schema == schema_version::v0_9_0);
  CHECK(config.name == "event-legacy");  // monitor_component.name
  CHECK(config.server_id == 2);
  CHECK(config.backend.kind == backend_kind::memory);
  CHECK(config.modules.empty());
  CHECK(config.eventer_server.addr == address{"127.0.0.1", 23022});
  CHECK(config.eventer_server.dialect == hat::eventer::dialect::v0_9_0);
  CHECK_FALSE(config.adminer_server.has_value());
  REQUIRE(config.monitor_component.has_value());
  CHECK(config.monitor_component->addr == address{"10.0.0.5", 23010});
  CHECK(config.monitor_component->group == "event");
  CHECK(config.synced_restart_engine);
  CHECK(config.logging.root_level == hat::log::level::debug);
}

TEST_CASE("examples/current.json: JSON with defaults and our additions") {
  auto config = load_server_config(examples_root / "examples/current.json");
  CHECK(config.schema == schema_version::current);
  CHECK(config.name == "event-json");
  CHECK(config.server_id == std::numeric_limits<int64_t>::max());
  CHECK_FALSE(config.server_token.has_value());
  CHECK(config.backend.kind == backend_kind::dummy);
  REQUIRE(config.modules.size() == 1);
  CHECK(config.modules[0].raw.at("fields") == json::array{"a", "b"});
  CHECK(config.eventer_server.addr == address{"127.0.0.1", 0});
  CHECK(config.eventer_server.max_frame_size == 1 * mib);
  CHECK(config.eventer_server.max_send_queue == 4 * mib);
  CHECK(config.adminer_server == address{"0.0.0.0", 23015});
  CHECK(config.logging.root_level == hat::log::level::error);
}

TEST_CASE("a JSON file read as YAML gives the same configuration") {
  std::ifstream in{examples_root / "examples/current.json"};
  std::stringstream text;
  text << in.rdbuf();
  auto as_json = parse_server_config(text.str(), file_format::json);
  auto as_yaml = parse_server_config(text.str(), file_format::yaml);
  CHECK(as_yaml.name == as_json.name);
  CHECK(as_yaml.server_id == as_json.server_id);
  CHECK(as_yaml.backend.raw == as_json.backend.raw);
  REQUIRE(as_yaml.modules.size() == as_json.modules.size());
  CHECK(as_yaml.modules[0].raw == as_json.modules[0].raw);
  CHECK(as_yaml.eventer_server.addr == as_json.eventer_server.addr);
  CHECK(as_yaml.adminer_server == as_json.adminer_server);
  CHECK(as_yaml.logging.root_level == as_json.logging.root_level);
  CHECK(as_yaml.log_conf == as_json.log_conf);
}

TEST_CASE("defaults fill missing optional keys") {
  SUBCASE("eventer_server host and port") {
    auto config = parse_server_config(base_with("eventer_server: {}\n"),
                                      file_format::yaml);
    CHECK(config.eventer_server.addr == address{"127.0.0.1", 23012});
    CHECK(config.eventer_server.dialect == hat::eventer::dialect::current);
    CHECK(config.eventer_server.max_frame_size == 16 * mib);
    CHECK(config.eventer_server.max_send_queue == 64 * mib);
  }
  SUBCASE("adminer_server and monitor_component addresses") {
    auto config = parse_server_config(
      base_with("adminer_server: {port: 0}\n"
                "monitor_component: {group: g}\n"),
      file_format::yaml);
    CHECK(config.adminer_server == address{"127.0.0.1", 0});
    REQUIRE(config.monitor_component.has_value());
    CHECK(config.monitor_component->addr == address{"127.0.0.1", 23010});
    CHECK(config.monitor_component->group == "g");
  }
  SUBCASE("everything optional absent") {
    auto config = parse_server_config(base_with(""), file_format::yaml);
    CHECK_FALSE(config.server_token.has_value());
    CHECK_FALSE(config.adminer_server.has_value());
    CHECK_FALSE(config.monitor_component.has_value());
    CHECK_FALSE(config.synced_restart_engine);
    CHECK_FALSE(config.logging.root_level.has_value());
    CHECK(config.log_conf.is_null());
  }
  SUBCASE("log without root.level leaves the level alone") {
    auto config = parse_server_config(
      base_with("log: {version: 1, root: {handlers: []}}\n"),
      file_format::yaml);
    CHECK_FALSE(config.logging.root_level.has_value());
  }
}

TEST_CASE("the schema is detected from the top-level name") {
  SUBCASE("no name, standalone: 0.9.0 named \"event\"") {
    auto config = parse_server_config(base_without("name"),
                                      file_format::yaml);
    CHECK(config.schema == schema_version::v0_9_0);
    CHECK(config.name == "event");
  }
  SUBCASE("no name, with a monitor: 0.9.0 named by the monitor") {
    auto config = parse_server_config(
      base_without("name") + "monitor_component: {name: m, group: g}\n",
      file_format::yaml);
    CHECK(config.schema == schema_version::v0_9_0);
    CHECK(config.name == "m");
  }
  SUBCASE("name and monitor_component.name: the top-level name wins") {
    auto config = parse_server_config(
      base_with("monitor_component: {name: m, group: g}\n"),
      file_format::yaml);
    CHECK(config.schema == schema_version::current);
    CHECK(config.name == "event");
  }
  SUBCASE("name and synced_restart_engine (0.9.7 .. 0.9.11): honoured") {
    auto config = parse_server_config(
      base_with("synced_restart_engine: true\n"), file_format::yaml);
    CHECK(config.schema == schema_version::current);
    CHECK(config.synced_restart_engine);
  }
  SUBCASE("adminer_server without name: a current file missing its name") {
    CHECK(error_of(base_without("name") + "adminer_server: {}\n") ==
          "name: missing");
  }
}

TEST_CASE("backend modules: short and reference names") {
  const std::vector<std::pair<std::string, backend_kind>> names{
    {"dummy", backend_kind::dummy},
    {"memory", backend_kind::memory},
    {"lmdb", backend_kind::lmdb},
    {"hat.event.backends.dummy", backend_kind::dummy},
    {"hat.event.backends.memory", backend_kind::memory},
    {"hat.event.backends.lmdb", backend_kind::lmdb},
  };
  // No structured bindings: CAPTURE's lambda cannot see them before
  // clang 16.
  for (const auto& name : names) {
    const auto& module = name.first;
    CAPTURE(module);
    // An lmdb section needs its own required keys.
    std::string lmdb_keys =
      name.second == backend_kind::lmdb
        ? ", db_path: x.db, identifier: null, flush_period: 1, "
          "cleanup_period: 5, conditions: [], latest: {subscriptions: []}, "
          "timeseries: []"
        : "";
    auto config = parse_server_config(
      base_with("backend: {module: " + module + ", extra: [1]" + lmdb_keys
                + "}\n"),
      file_format::yaml);
    CHECK(config.backend.kind == name.second);
    CHECK(config.backend.raw.at("module") == module.c_str());
    CHECK(config.backend.raw.at("extra") == json::array{1});
  }
}

TEST_CASE("invalid configurations name the path and the problem") {
  const std::vector<std::pair<std::string, std::string>> cases{
    {"- a\n", "expected an object at the top level, got array"},
    {"", "expected an object at the top level, got null"},
    {base_with("backend: {module: x}\n"),
     "backend.module: unknown backend 'x'"},
    {base_with("backend: {module: hat.event.backends.sqlite}\n"),
     "backend.module: unknown backend 'hat.event.backends.sqlite'"},
    {base_without("backend"), "backend: missing"},
    {base_with("backend: memory\n"), "backend: expected an object, got string"},
    {base_with("backend: {}\n"), "backend.module: missing"},
    {base_with("backend: {module: 3}\n"),
     "backend.module: expected a string, got integer"},
    {base_with("name: 5\n"), "name: expected a string, got integer"},
    {base_without("server_id"), "server_id: missing"},
    {base_with("server_id: '123'\n"),
     "server_id: expected an integer, got string"},
    {base_with("server_id: 1.5\n"),
     "server_id: expected an integer, got number"},
    {base_with("server_id: 9223372036854775808\n"),
     "server_id: integer 9223372036854775808 is out of range"},
    {base_with("server_token: 12\n"),
     "server_token: expected a string or null, got integer"},
    {base_with("type: gateway\n"), "type: expected 'event', got 'gateway'"},
    {base_with("version: [1]\n"), "version: expected a string, got array"},
    {base_without("modules"), "modules: missing"},
    {base_with("modules: {module: a}\n"),
     "modules: expected an array, got object"},
    {base_with("modules: [{module: a}, b]\n"),
     "modules[1]: expected an object, got string"},
    {base_with("modules: [{module: a}, {module: b}, {name: c}]\n"),
     "modules[2].module: missing"},
    {base_with("modules: [{module: ~}]\n"),
     "modules[0].module: expected a string, got null"},
    {base_without("eventer_server"), "eventer_server: missing"},
    {base_with("eventer_server: 23012\n"),
     "eventer_server: expected an object, got integer"},
    {base_with("eventer_server: {port: 70000}\n"),
     "eventer_server.port: expected a port number in 0..65535, got 70000"},
    {base_with("eventer_server: {port: -1}\n"),
     "eventer_server.port: expected a port number in 0..65535, got -1"},
    {base_with("eventer_server: {port: '23012'}\n"),
     "eventer_server.port: expected an integer, got string"},
    {base_with("eventer_server: {host: 127}\n"),
     "eventer_server.host: expected a string, got integer"},
    {base_with("eventer_server: {host: ''}\n"),
     "eventer_server.host: must not be empty"},
    {base_with("eventer_server: {dialect: v0.9.17}\n"),
     "eventer_server.dialect: unknown dialect 'v0.9.17' "
     "(expected 'current' or 'v0.9.0')"},
    {base_with("eventer_server: {dialect: no}\n"),
     "eventer_server.dialect: expected a string, got boolean"},
    {base_with("eventer_server: {max_frame_size: 0}\n"),
     "eventer_server.max_frame_size: expected a positive number of bytes, "
     "got 0"},
    {base_with("eventer_server: {max_send_queue: -5}\n"),
     "eventer_server.max_send_queue: expected a positive number of bytes, "
     "got -5"},
    {base_with("eventer_server: {max_send_queue: 1MB}\n"),
     "eventer_server.max_send_queue: expected an integer, got string"},
    {base_with("adminer_server: {port: 65536}\n"),
     "adminer_server.port: expected a port number in 0..65535, got 65536"},
    {base_with("adminer_server: true\n"),
     "adminer_server: expected an object, got boolean"},
    {base_with("monitor_component: {port: 0, group: g}\n"),
     "monitor_component.port: expected a port number in 1..65535, got 0"},
    {base_with("monitor_component: {}\n"), "monitor_component.group: missing"},
    {base_without("name") + "monitor_component: {group: g}\n",
     "monitor_component.name: missing"},
    {base_with("synced_restart_engine: 'yes'\n"),
     "synced_restart_engine: expected a boolean, got string"},
    // The reference's schema first, then dictConfig's own checks.
    {base_with("log: verbose\n"), "log: expected object, got string"},
    {base_with("log: {root: {level: INFO}}\n"), "log.version: missing"},
    {base_with("log: {version: '1'}\n"),
     "log.version: expected integer, got string"},
    {base_with("log: {version: 1, root: [INFO]}\n"),
     "log.root: expected object, got array"},
    {base_with("log: {version: 1, root: {level: 20}}\n"),
     "log.root.level: expected string, got integer"},
    {base_with("log: {version: 1, handlers: {h: {level: INFO}}}\n"),
     "log.handlers.h.class: missing"},
    {base_with("log: {version: 2}\n"), "log.version: Unsupported version: 2"},
    {base_with("log: {version: 1, root: {level: LOUD}}\n"),
     "log.root: Unable to configure root logger: Unknown level: 'LOUD'"},
    // Level names are Python's, which tells case.
    {base_with("log: {version: 1, root: {level: warning}}\n"),
     "log.root: Unable to configure root logger: Unknown level: "
     "'warning'"},
    {base_with("log: {version: 1, loggers: {hat.event: {level: X}}}\n"),
     "log.loggers.hat.event: Unable to configure logger 'hat.event': "
     "Unknown level: 'X'"},
    {base_with("log: {version: 1, root: {handlers: [console]}}\n"),
     "log.root: Unable to configure root logger: Unable to add handler "
     "'console'"},
  };
  for (const auto& bad : cases) {
    const auto& text = bad.first;
    CAPTURE(text);
    CHECK(error_of(text) == bad.second);
  }
}

TEST_CASE("config_error keeps the path apart from the problem") {
  try {
    parse_server_config(base_with("modules: [{}]\n"), file_format::yaml);
    FAIL("no error");
  } catch (const config_error& error) {
    CHECK(error.path() == "modules[0].module");
    CHECK(std::string{error.what()} == "modules[0].module: missing");
  }
}

TEST_CASE("plain YAML scalars resolve as PyYAML's safe_load") {
  SUBCASE("null") {
    CHECK(scalar("").is_null());
    CHECK(scalar("~").is_null());
    CHECK(scalar("null").is_null());
    CHECK(scalar("NULL").is_null());
    CHECK(scalar("nULL") == "nULL");
  }
  SUBCASE("booleans, YAML 1.1 words included") {
    for (auto word : {"yes", "Yes", "YES", "true", "True", "on", "ON"})
      CHECK(scalar(word) == true);
    for (auto word : {"no", "No", "NO", "false", "FALSE", "off", "Off"})
      CHECK(scalar(word) == false);
    CHECK(scalar("y") == "y");
    CHECK(scalar("n") == "n");
    CHECK(scalar("yEs") == "yEs");
  }
  SUBCASE("integers") {
    CHECK(scalar("0") == 0);
    CHECK(scalar("42") == 42);
    CHECK(scalar("-17") == -17);
    CHECK(scalar("+5") == 5);
    CHECK(scalar("1_000") == 1000);
    CHECK(scalar("0x10") == 16);
    CHECK(scalar("-0xFf") == -255);
    CHECK(scalar("0b101") == 5);
    CHECK(scalar("017") == 15);  // YAML 1.1 octal
    CHECK(scalar("1:30") == 90);  // base 60
    CHECK(scalar("190:20:30") == 685230);
    CHECK(scalar("-0b1") == -1);
    CHECK(scalar("0_") == 0);
    CHECK(scalar("-0") == 0);
    CHECK(scalar("1:30:61") == "1:30:61");
    CHECK(scalar("0:30") == "0:30");
    CHECK(scalar("0o17") == "0o17");  // YAML 1.2 octal: a string in PyYAML
    CHECK(scalar("09") == "09");
    CHECK(scalar("_1") == "_1");
    CHECK(scalar("0x") == "0x");
  }
  SUBCASE("floats") {
    CHECK(scalar("1.5") == 1.5);
    CHECK(scalar("-2.") == -2.0);
    CHECK(scalar(".5") == 0.5);
    CHECK(scalar("1.0e+3") == 1000.0);
    CHECK(scalar("1_0.2_5") == 10.25);
    CHECK(scalar("1:30.5") == 90.5);
    CHECK(scalar(".inf") == std::numeric_limits<double>::infinity());
    CHECK(scalar("-.Inf") == -std::numeric_limits<double>::infinity());
    CHECK(std::isnan(scalar(".nan").as_double()));
    CHECK(scalar("1e3") == "1e3");      // no dot: a string in PyYAML
    CHECK(scalar("1.0e3") == "1.0e3");  // unsigned exponent: likewise
    CHECK(scalar("0.9.30") == "0.9.30");
  }
  SUBCASE("other plain text stays a string") {
    CHECK(scalar("127.0.0.1") == "127.0.0.1");
    CHECK(scalar("2001-12-14") == "2001-12-14");
    CHECK(scalar("hat.event.backends.lmdb") == "hat.event.backends.lmdb");
    // Far too long for a number: a string, and no stack overflow.
    std::string digits(100'000, '7');
    CHECK(scalar(digits) == digits.c_str());
    // At the limit it is still a number, too wide for 64 bits.
    CHECK(yaml_error_of("v: " + digits.substr(0, 1024))
            .ends_with("does not fit in 64 bits (line 1)"));
  }
}

TEST_CASE("quoted, block and tagged YAML scalars") {
  CHECK(scalar("'123'") == "123");
  CHECK(scalar("\"yes\"") == "yes");
  CHECK(scalar("''") == "");
  CHECK(yaml_to_json("v: |\n  0x10\n").at("v") == "0x10\n");
  CHECK(scalar("!!str 5") == "5");
  CHECK(scalar("!!str") == "");
  CHECK(scalar("!!int '0x1F'") == 31);
  CHECK(scalar("!!float '2'") == 2.0);
  CHECK(scalar("!!float 1e3") == 1000.0);
  CHECK(scalar("!!bool 'tRuE'") == true);
  CHECK(scalar("!!null whatever").is_null());
  CHECK(scalar("! 5") == "5");
  CHECK(yaml_to_json("'<<': {a: 1}").at("<<") == json::object{{"a", 1}});
  CHECK(yaml_to_json("yes: 1\n").at("yes") == 1);  // keys taken as text
}

TEST_CASE("YAML integers are exact 64-bit values") {
  CHECK(scalar("9223372036854775807") ==
        std::numeric_limits<int64_t>::max());
  CHECK(scalar("-9223372036854775808") ==
        std::numeric_limits<int64_t>::min());
  CHECK(scalar("9223372036854775807").is_int64());
  auto big = scalar("18446744073709551615");
  REQUIRE(big.is_uint64());
  CHECK(big.get_uint64() == std::numeric_limits<uint64_t>::max());
  CHECK(scalar("0xFFFFFFFFFFFFFFFF") == std::numeric_limits<uint64_t>::max());
  CHECK(yaml_error_of("a:\n  b: 18446744073709551616\n") ==
        "a.b: integer '18446744073709551616' does not fit in 64 bits "
        "(line 2)");
  CHECK(yaml_error_of("v: -9223372036854775809") ==
        "v: integer '-9223372036854775809' does not fit in 64 bits (line 1)");
}

TEST_CASE("YAML merge keys apply as in PyYAML") {
  auto doc = yaml_to_json("base: &b {x: 1, y: 2}\n"
                          "other: &o {y: 20, z: 30}\n"
                          "one: {<<: *b, y: 3}\n"
                          "list:\n"
                          "  <<: [*b, *o]\n"
                          "  w: 0\n");
  CHECK(doc.at("one") == json::object{{"x", 1}, {"y", 3}});
  // The first mapping of a merge list wins.
  CHECK(doc.at("list") ==
        json::object{{"x", 1}, {"y", 2}, {"z", 30}, {"w", 0}});
  CHECK(yaml_error_of("a: {<<: 5}") ==
        "a.<<: expected a mapping or a list of mappings to merge (line 1)");
}

TEST_CASE("YAML documents that cannot be represented are refused") {
  // yaml-cpp reports an unclosed flow where the input ends.
  CHECK(yaml_error_of("a: [1\n") ==
        "line 2, column 1: YAML syntax error: end of sequence flow not found");
  CHECK(yaml_error_of("a: 1\n---\nb: 2\n") ==
        "expected one YAML document, found 2");
  CHECK(yaml_error_of("a:\n  - !foo 3\n") ==
        "a[0]: unsupported YAML tag '!foo' (line 2)");
  CHECK(yaml_error_of("a: !!set {x}\n") ==
        "a: unsupported YAML tag '!!set' (line 1)");
  CHECK(yaml_error_of("a: !!int abc\n") == "a: invalid integer 'abc' (line 1)");
  CHECK(yaml_error_of("a: 0b_\n") == "a: invalid integer '0b_' (line 1)");
  CHECK(yaml_error_of("a: !!bool maybe\n") ==
        "a: invalid boolean 'maybe' (line 1)");
  CHECK(yaml_error_of("? [1]\n: 2\n") ==
        "mapping keys must be scalars (line 1)");
  auto recursive = yaml_error_of("a: &x [*x]\n");
  CHECK(recursive.find("nested deeper than 256 levels") != std::string::npos);
  CHECK(yaml_to_json("").is_null());
  CHECK(yaml_to_json("# only a comment\n").is_null());
}

TEST_CASE("a stray ',' outside any collection is a YAML syntax error") {
  // yaml-cpp 0.7's LoadAll loops for ever on these, allocating a null
  // document per turn (found by fuzz_config_yaml). Each parse runs in a
  // child that SIGALRM ends after 5 s, so a hang fails instead of blocking.
  struct stray {
    std::string text;
    std::string error;
  };
  for (const auto& [text, expected] : std::vector<stray>{
         {",", "line 1, column 1: YAML syntax error: unexpected ','"},
         {"{}\n,", "line 2, column 1: YAML syntax error: unexpected ','"},
         {"[]\n,a\n", "line 2, column 1: YAML syntax error: unexpected ','"},
         {"{a: 1}\n,b\n",
          "line 2, column 1: YAML syntax error: unexpected ','"},
       }) {
    CAPTURE(text);
    pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      alarm(5);
      _exit(yaml_error_of(text) == expected ? 0 : 1);
    }
    int status = 0;
    REQUIRE(waitpid(child, &status, 0) == child);
    CHECK_FALSE(WIFSIGNALED(status));
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }
  // Documents after the first are still counted.
  CHECK(yaml_error_of("a: 1\n---\n---\n") ==
        "expected one YAML document, found 3");
}

TEST_CASE("JSON text: errors give the line, integers stay exact") {
  CHECK(error_of("{\"name\": \"e\",\n \"server_id\": }", file_format::json) ==
        "line 2, column 15: JSON syntax error: syntax error");
  CHECK(error_of("{\"a\": 1} x", file_format::json).starts_with("line 1"));
  CHECK(error_of("", file_format::json).find("JSON syntax error") !=
        std::string::npos);
  CHECK(error_of("[]", file_format::json) ==
        "expected an object at the top level, got array");
  std::string text = R"({"name": "e", "server_id": -9223372036854775808,
    "backend": {"module": "memory"}, "modules": [],
    "eventer_server": {"host": "::1", "port": 1}})";
  auto config = parse_server_config(text, file_format::json);
  CHECK(config.server_id == std::numeric_limits<int64_t>::min());
  CHECK(config.eventer_server.addr == address{"::1", 1});
}

TEST_CASE("load_server_config reads files and names them in errors") {
  temp_dir dir;
  SUBCASE("a missing file") {
    auto path = dir.path() / "absent.yaml";
    CHECK(error_of_file(path) == "cannot read configuration file '" +
                                   path.string() +
                                   "': No such file or directory");
  }
  SUBCASE("a directory") {
    auto path = dir.path() / "event.yaml";
    fs::create_directories(path);
    CHECK(error_of_file(path) == "cannot read configuration file '" +
                                   path.string() + "': Is a directory");
  }
  SUBCASE("a YAML syntax error names the file and the line") {
    auto path = dir.write("event.yaml", base_with("log: {root: [1}\n"));
    CHECK(error_of_file(path) ==
          path.string() + ": line 6, column 15: YAML syntax error: "
                          "illegal flow end");
  }
  SUBCASE("a JSON syntax error names the file and the line") {
    auto path = dir.write("event.json", "{\n  \"name\": event\n}\n");
    CHECK(error_of_file(path) ==
          path.string() + ": line 2, column 11: JSON syntax error: "
                          "syntax error");
  }
  SUBCASE("a validation error names the path only") {
    auto path = dir.write("event.yml", base_without("server_id"));
    CHECK(error_of_file(path) == "server_id: missing");
  }
  SUBCASE("the extension picks the format") {
    // .json is strict JSON, so YAML there is an error...
    auto yaml_in_json = dir.write("a.json", base_with(""));
    CHECK(error_of_file(yaml_in_json).find("JSON syntax error") !=
          std::string::npos);
    // ...while other extensions are read as YAML, which reads JSON too.
    auto json_text = R"({"name": "n", "server_id": 3,
      "backend": {"module": "memory"}, "modules": [],
      "eventer_server": {}})";
    CHECK(load_server_config(dir.write("b.conf", json_text)).server_id == 3);
    CHECK(load_server_config(dir.write("c.JSON", json_text)).name == "n");
  }
  SUBCASE("a UTF-8 byte order mark is skipped in JSON") {
    auto path = dir.write("bom.json", "\xEF\xBB\xBF{\"name\": \"n\", "
                                      "\"server_id\": 4, \"backend\": "
                                      "{\"module\": \"dummy\"}, "
                                      "\"modules\": [], "
                                      "\"eventer_server\": {}}");
    CHECK(load_server_config(path).server_id == 4);
  }
}

TEST_CASE("default_config_path: $XDG_CONFIG_HOME/hat/event.{yaml|yml|json}") {
  temp_dir dir;
  env_override xdg{"XDG_CONFIG_HOME", dir.path().c_str()};
  auto hat_dir = dir.path() / "hat";
  SUBCASE("none exists: the .yaml path") {
    CHECK(default_config_path() == hat_dir / "event.yaml");
  }
  SUBCASE("only .yml") {
    dir.write("hat/event.yml", "");
    CHECK(default_config_path() == hat_dir / "event.yml");
  }
  SUBCASE("only .json") {
    dir.write("hat/event.json", "");
    CHECK(default_config_path() == hat_dir / "event.json");
  }
  SUBCASE("only .yaml") {
    dir.write("hat/event.yaml", "");
    CHECK(default_config_path() == hat_dir / "event.yaml");
  }
  SUBCASE("several: .yaml before .yml before .json") {
    dir.write("hat/event.json", "");
    dir.write("hat/event.yml", "");
    CHECK(default_config_path() == hat_dir / "event.yml");
    dir.write("hat/event.yaml", "");
    CHECK(default_config_path() == hat_dir / "event.yaml");
  }
}

TEST_CASE("default_config_path: no XDG_CONFIG_HOME means ~/.config") {
  temp_dir dir;
  env_override home{"HOME", dir.path().c_str()};
  SUBCASE("unset") {
    env_override xdg{"XDG_CONFIG_HOME", nullptr};
    CHECK(default_config_path() == dir.path() / ".config/hat/event.yaml");
  }
  SUBCASE("empty") {
    env_override xdg{"XDG_CONFIG_HOME", ""};
    dir.write(".config/hat/event.json", "{}");
    CHECK(default_config_path() == dir.path() / ".config/hat/event.json");
  }
}

TEST_CASE("log: read, not applied, and nothing said while reading") {
  hat::log::set_level(hat::log::level::info);  // so a notice would show
  server_config config;
  auto output = capture_stderr([&] {
    config = parse_server_config(
      base_with("log:\n"
                "  version: 1\n"
                "  formatters: {f: {format: x}}\n"
                "  handlers: {h: {class: logging.StreamHandler}}\n"
                "  root: {level: WARNING, handlers: [h]}\n"
                "  disable_existing_loggers: false\n"),
      file_format::yaml);
  });
  CHECK(config.logging.root_level == hat::log::level::warning);
  REQUIRE(config.logging.config);
  CHECK(config.logging.config->contains("formatters"));
  CHECK(output.empty());
  // Parsing must not change the process's logging: the caller applies it.
  CHECK(hat::log::current_level() == hat::log::level::info);
  CHECK(hat::log::installed() == nullptr);

  auto quiet = capture_stderr([] {
    parse_server_config(
      base_with("log: {version: 1, root: {level: ERROR}}\n"),
      file_format::yaml);
  });
  CHECK(quiet.empty());
}

TEST_CASE("a monitor_component.name beside a top-level name is reported") {
  hat::log::set_level(hat::log::level::info);
  auto output = capture_stderr([] {
    parse_server_config(base_with("monitor_component: {name: m, group: g}\n"),
                        file_format::yaml);
  });
  CHECK(output.find("WARNING [config] ignoring monitor_component.name") !=
        std::string::npos);
}

TEST_CASE("backend lmdb: counts beyond a 64-bit integer are the largest") {
  // The reference's schema says "number": Python compares any size. Found
  // by fuzz_config_json: 2e27 was converted to int64_t, undefined
  // behaviour (UBSan: "outside the range of representable values").
  auto config = parse_server_config(
    base_with("backend:\n"
              "  module: lmdb\n"
              "  db_path: data/event.db\n"
              "  identifier: null\n"
              "  flush_period: 1\n"
              "  cleanup_period: 5\n"
              "  conditions: []\n"
              "  latest: {subscriptions: [['*']]}\n"
              "  timeseries:\n"
              "    - {order_by: TIMESTAMP, subscriptions: [['*']], limit: "
              "{max_entries: 2.0e+27, min_entries: -1.0e+30, size: 1.5}}\n"),
    file_format::yaml);
  REQUIRE(config.backend.lmdb);
  auto& limit = *config.backend.lmdb->timeseries.at(0).limit;
  CHECK(limit.max_entries == INT64_MAX);
  CHECK(limit.min_entries == INT64_MIN);
  CHECK(limit.size == 1);
}

TEST_CASE("backend lmdb: every field validated, errors name the path") {
  const std::string good =
    "backend:\n"
    "  module: lmdb\n"
    "  db_path: data/event.db\n"
    "  identifier: null\n"
    "  flush_period: 0.5\n"
    "  cleanup_period: 5\n"
    "  conditions:\n"
    "    - subscriptions: [[a, '*']]\n"
    "      condition: {type: all, conditions: [{type: json, data_path: "
    "[value, 0], data_type: number}]}\n"
    "  latest: {subscriptions: [['*']]}\n"
    "  timeseries:\n"
    "    - {order_by: SOURCE_TIMESTAMP, subscriptions: [[a, '?']], "
    "limit: {duration: 3600, size: 1000000}}\n"
    "  timeseries_max_results: 100\n";
  auto config = parse_server_config(base_with(good), file_format::yaml);
  REQUIRE(config.backend.lmdb);
  CHECK(config.backend.lmdb->flush_period == 0.5);
  CHECK_FALSE(config.backend.lmdb->identifier);
  CHECK(config.backend.lmdb->conditions.size() == 1);
  CHECK(config.backend.lmdb->timeseries[0].order_by
        == hat::order_by::source_timestamp);
  CHECK(config.backend.lmdb->timeseries[0].limit->duration == 3600);
  CHECK(config.backend.lmdb->timeseries_max_results == 100);

  auto replace = [&](std::string from, std::string to) {
    auto text = good;
    auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    return base_with(text.replace(at, from.size(), to));
  };
  CHECK(error_of(replace("  db_path: data/event.db\n", ""))
        == "backend.db_path: missing");
  CHECK(error_of(replace("flush_period: 0.5", "flush_period: soon"))
        == "backend.flush_period: expected a number, got string");
  CHECK(error_of(replace("cleanup_period: 5", "cleanup_period: 0"))
        == "backend.cleanup_period: expected a positive number of seconds, "
           "up to a year");
  // Durations become integers (milliseconds, timestamps): a huge one was
  // undefined behaviour in that conversion.
  CHECK(error_of(replace("flush_period: 0.5", "flush_period: 1.0e+300"))
        == "backend.flush_period: expected a positive number of seconds, "
           "up to a year");
  CHECK(error_of(replace("duration: 3600", "duration: 1.0e+300"))
        == "backend.timeseries[0].limit.duration: expected seconds within "
           "1e12 either way");
  CHECK(error_of(replace("size: 1000000", "size: .nan"))
        == "backend.timeseries[0].limit.size: expected a count, got NaN");
  CHECK(error_of(base_with("module_timeout: 1.0e+300\n"))
        == "module_timeout: expected seconds from 0 to a year");
  CHECK(error_of(replace("order_by: SOURCE_TIMESTAMP", "order_by: TIME"))
        == "backend.timeseries[0].order_by: expected TIMESTAMP or "
           "SOURCE_TIMESTAMP, got 'TIME'");
  CHECK(error_of(replace("subscriptions: [[a, '?']]",
                         "subscriptions: [['*', a]]"))
        == "backend.timeseries[0].subscriptions[0]: query type '*/a' has "
           "'*' before its last segment");
  CHECK(error_of(replace("data_type: number", "data_type: integer"))
        == "backend.conditions[0].condition.conditions[0].data_type: "
           "unknown JSON type 'integer'");
  CHECK(error_of(replace("{type: all,", "{type: most,"))
        == "backend.conditions[0].condition.type: expected all, any or "
           "json, got 'most'");
  CHECK(error_of(replace("latest: {subscriptions: [['*']]}", "latest: {}"))
        == "backend.latest.subscriptions: missing");
  CHECK(error_of(replace("identifier: null", "identifier: 7"))
        == "backend.identifier: expected a string, got integer");
}

TEST_CASE("examples/cluster: the README's two members of one group") {
  for (auto [file, name, id, port] :
       {std::tuple{"event-a.yaml", "event-a", 1, 23012},
        std::tuple{"event-b.yaml", "event-b", 2, 23013}}) {
    auto config = load_server_config(examples_root / "examples/cluster" / file);
    CHECK(config.name == name);
    CHECK(config.server_id == id);
    CHECK(config.server_token == "cluster");
    CHECK(config.eventer_server.addr.port == port);
    REQUIRE(config.monitor_component);
    CHECK(config.monitor_component->group == "event");
    CHECK(config.monitor_component->addr.port == 23010);
    CHECK(config.sync_retry_delay == 5);
  }
}

TEST_CASE("metrics_server: absent is off, host defaults to loopback, the "
          "port is required") {
  CHECK_FALSE(parse_server_config(base_with(""), file_format::yaml)
                .metrics_server.has_value());
  auto config = parse_server_config(base_with("metrics_server: {port: 9464}\n"),
                                    file_format::yaml);
  CHECK(config.metrics_server == address{"127.0.0.1", 9464});
  config = parse_server_config(
    base_with("metrics_server: {host: 0.0.0.0, port: 0}\n"), file_format::yaml);
  CHECK(config.metrics_server == address{"0.0.0.0", 0});
  CHECK(error_of(base_with("metrics_server: {host: 127.0.0.1}\n"))
        .find("metrics_server.port") != std::string::npos);
  CHECK(error_of(base_with("metrics_server: {port: 70000}\n"))
        .find("metrics_server.port") != std::string::npos);
  CHECK(error_of(base_with("metrics_server: 9464\n"))
        .find("metrics_server") != std::string::npos);
}

TEST_CASE("placement: the measured defaults, each actor chosen alone, "
          "anything else refused by name") {
  auto defaults = parse_server_config(base_with(""), file_format::yaml);
  CHECK(defaults.placement.engine == actor_placement::network_thread);
  CHECK(defaults.placement.store == actor_placement::network_thread);
  CHECK(defaults.placement.fanout == actor_placement::network_thread);
  auto config = parse_server_config(
    base_with("placement: {engine: scheduler}\n"), file_format::yaml);
  CHECK(config.placement.engine == actor_placement::scheduler);
  CHECK(config.placement.store == defaults.placement.store);
  CHECK(config.placement.fanout == defaults.placement.fanout);
  config = parse_server_config(
    base_with("placement: {store: scheduler, fanout: network_thread}\n"),
    file_format::yaml);
  CHECK(config.placement.engine == defaults.placement.engine);
  CHECK(config.placement.store == actor_placement::scheduler);
  CHECK(config.placement.fanout == actor_placement::network_thread);
  auto error = error_of(base_with("placement: {engine: multiplexer}\n"));
  CHECK(error.find("placement.engine") != std::string::npos);
  CHECK(error.find("\"multiplexer\"") != std::string::npos);
  CHECK(error_of(base_with("placement: {fanout: 1}\n"))
        .find("placement.fanout") != std::string::npos);
  CHECK(error_of(base_with("placement: scheduler\n"))
        .find("placement") != std::string::npos);
}
