#include <doctest/doctest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "../temp_dir.hpp"
#include "config/log_config.hpp"
#include "config/log_setup.hpp"
#include "log/logger.hpp"
#include "log/logger_tree.hpp"

// The expected file contents below were measured with CPython 3.11.7:
// logging.config.dictConfig of the same configuration, after the loggers
// we log under (log/logger_names.cpp) were created, then the same calls
// on those loggers (the components here stand for them: "eventer" is
// hat.event.eventer.server, "engine" hat.event.server.engine, "monitor"
// hat.monitor.component, "main" hat.event.server.main).

namespace json = boost::json;
using hat::log::level;

namespace {

/// Runs in `dir` (file names in the configurations are relative) with no
/// configuration installed before, and none after.
struct logging_fixture {
  hat::test::temp_dir dir;
  std::filesystem::path previous = std::filesystem::current_path();

  logging_fixture() {
    std::filesystem::current_path(dir.path);
    hat::log::install(nullptr);
  }
  ~logging_fixture() {
    hat::log::install(nullptr);
    std::filesystem::current_path(previous);
  }

  void apply(std::string_view text) {
    auto read = hat::config::read_log_config(json::parse(text), handlers);
    REQUIRE(std::holds_alternative<hat::config::log_settings>(read));
    auto& settings = std::get<hat::config::log_settings>(read);
    if (settings.handlers)
      handlers = *settings.handlers;
    hat::config::apply_log_settings(settings, "main");
  }

  std::string file(const std::string& name) {
    std::ifstream in{dir.path / name};
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }

  std::vector<std::string> handlers;
};

void log(level lvl, std::string_view component, std::string message) {
  if (hat::log::enabled(lvl, component))
    hat::log::write(lvl, component, std::move(message));
}

}  // namespace

TEST_CASE_FIXTURE(logging_fixture,
                  "log setup: file and rotating file handlers write what "
                  "Python writes, rotation by size included") {
  apply(R"({"version": 1,
    "formatters": {"f": {"format": "%(levelname)s %(name)s %(message)s"}},
    "handlers": {
      "rot": {"class": "logging.handlers.RotatingFileHandler",
              "filename": "server.log", "maxBytes": 100, "backupCount": 2,
              "formatter": "f", "level": "INFO"},
      "plain": {"class": "logging.FileHandler", "filename": "plain.log",
                "formatter": "f"}},
    "loggers": {
      "hat.event": {"level": "DEBUG", "handlers": ["plain"]},
      "hat.event.server.engine": {"level": "WARNING"},
      "hat.event.eventer.server": {"propagate": false, "handlers": ["rot"]}},
    "root": {"level": "INFO", "handlers": ["rot"]},
    "disable_existing_loggers": false})");
  for (int i = 0; i < 6; ++i) {
    auto n = std::to_string(i);
    log(level::debug, "eventer", "debug " + n);
    log(level::info, "eventer", "info " + n + " \xc5\xa1\xc5\xa1\xc5\xa1");
    log(level::info, "engine", "engine info " + n);
    log(level::warning, "engine", "engine warning " + n);
    log(level::debug, "monitor", "monitor debug " + n);
    log(level::info, "monitor", "monitor info " + n);
    log(level::debug, "main", "main debug " + n);
  }
  std::string plain;
  for (int i = 0; i < 6; ++i) {
    auto n = std::to_string(i);
    plain += "WARNING hat.event.server.engine engine warning " + n + "\n";
    plain += "DEBUG hat.event.server.main main debug " + n + "\n";
  }
  CHECK(file("plain.log") == plain);
  CHECK(file("server.log")
        == "WARNING hat.event.server.engine engine warning 5\n"
           "INFO hat.monitor.component monitor info 5\n");
  CHECK(file("server.log.1")
        == "INFO hat.monitor.component monitor info 4\n"
           "INFO hat.event.eventer.server info 5 \xc5\xa1\xc5\xa1\xc5\xa1\n");
  CHECK(file("server.log.2")
        == "INFO hat.event.eventer.server info 4 \xc5\xa1\xc5\xa1\xc5\xa1\n"
           "WARNING hat.event.server.engine engine warning 4\n");
  CHECK_FALSE(std::filesystem::exists(dir.path / "server.log.3"));
}

namespace {

constexpr std::string_view levels_config = R"({"version": 1,
  "formatters": {"f": {"format": "%(levelname)s %(name)s: %(message)s"},
                 "g": {"format": "monitor %(levelno)d %(message)s"}},
  "handlers": {
    "h": {"class": "logging.FileHandler", "filename": "out.log",
          "formatter": "f"},
    "m": {"class": "logging.FileHandler", "filename": "monitor.log",
          "formatter": "g", "level": "DEBUG"}},
  "root": {"level": "INFO", "handlers": ["h"]},
  "loggers": {
    "hat.event": {"level": "DEBUG"},
    "hat.event.server.engine": {"level": "WARNING"},
    "hat.monitor": {"level": "DEBUG", "propagate": false,
                    "handlers": ["m"]}},
  "disable_existing_loggers": false})";

void emit_levels(const std::string& tag) {
  log(level::debug, "eventer", tag + " eventer debug");
  log(level::info, "eventer", tag + " eventer info");
  log(level::info, "engine", tag + " engine info");
  log(level::error, "engine", tag + " engine error");
  log(level::info, "monitor", tag + " monitor info");
  log(level::debug, "monitor", tag + " monitor debug");
}

}  // namespace

TEST_CASE_FIXTURE(logging_fixture,
                  "log setup: per-logger levels, propagation and an "
                  "incremental change follow Python") {
  apply(levels_config);
  emit_levels("A");
  apply(R"({"version": 1, "incremental": true,
            "handlers": {"m": {"level": "INFO"}},
            "loggers": {"hat.event": {"level": "INFO"}}})");
  emit_levels("B");
  CHECK(file("out.log")
        == "DEBUG hat.event.eventer.server: A eventer debug\n"
           "INFO hat.event.eventer.server: A eventer info\n"
           "ERROR hat.event.server.engine: A engine error\n"
           "INFO hat.event.eventer.server: B eventer info\n"
           "ERROR hat.event.server.engine: B engine error\n");
  CHECK(file("monitor.log")
        == "monitor 20 A monitor info\n"
           "monitor 10 A monitor debug\n"
           "monitor 20 B monitor info\n");
}

TEST_CASE_FIXTURE(logging_fixture,
                  "log setup: disable_existing_loggers silences our loggers "
                  "as it silences the reference's") {
  constexpr std::string_view formatter =
    R"("formatters": {"f": {"format": "%(levelname)s %(name)s: %(message)s"}},
       "handlers": {"h": {"class": "logging.FileHandler",
                          "filename": "out.log", "formatter": "f"}})";
  auto emit = [](const std::string& tag) {
    log(level::debug, "eventer", tag + " eventer debug");
    log(level::info, "eventer", tag + " eventer info");
    log(level::error, "eventer", tag + " eventer error");
    log(level::info, "monitor", tag + " monitor info");
    log(level::warning, "main", tag + " main warning");
  };
  // The key left out: true, every logger of ours is disabled.
  apply(std::string{R"({"version": 1, )"} + std::string{formatter}
        + R"(, "root": {"level": "DEBUG", "handlers": ["h"]}})");
  emit("A");
  // Naming hat.event resets its descendants' levels but, as in Python,
  // leaves them disabled; hat.monitor.component is enabled again.
  apply(std::string{R"({"version": 1, )"} + std::string{formatter}
        + R"(, "root": {"level": "INFO", "handlers": ["h"]},
            "loggers": {"hat.event": {"level": "WARNING"}},
            "disable_existing_loggers": false})");
  emit("B");
  apply(R"({"version": 1, "incremental": true,
            "handlers": {"h": {"level": "ERROR"}},
            "loggers": {"hat.event": {"level": "DEBUG"}}})");
  emit("C");
  CHECK(file("out.log") == "INFO hat.monitor.component: B monitor info\n");
  auto tree = hat::log::installed();
  REQUIRE(tree);
  CHECK(tree->loggers.at("hat.event.eventer.server").disabled);
  CHECK_FALSE(tree->loggers.at("hat.monitor.component").disabled);
  CHECK(tree->effective_level("hat.event.eventer.server") == 10);
  CHECK(tree->handlers.at("h")->level() == 40);
}

TEST_CASE_FIXTURE(logging_fixture,
                  "log setup: what is outside the subset is named, not "
                  "applied, and the rest works") {
  auto conf = json::parse(R"({"version": 1,
    "formatters": {"f": {"format": "%(message)s %(taskName)s",
                         "style": "{", "validate": false}},
    "filters": {"only": {"name": "hat.event"}},
    "handlers": {
      "timed": {"class": "logging.handlers.TimedRotatingFileHandler",
                "filename": "timed.log"},
      "file": {"class": "logging.FileHandler", "filename": "f.log",
               "errors": "strict", "filters": ["only"]},
      "tls": {"class": "hat.syslog.handler.SyslogHandler", "host": "x",
              "port": 1, "comm_type": "TLS"}},
    "root": {"level": "INFO", "handlers": ["timed", "file", "tls"]},
    "disable_existing_loggers": false})");
  auto setup = hat::config::build_logger_tree(conf.as_object(), nullptr);
  CHECK(setup.unsupported
        == std::vector<std::string>{
          "formatters.f.validate", "formatters.f.style {",
          "formatters.f.format %(taskName)",
          "handlers.timed.class logging.handlers.TimedRotatingFileHandler",
          "handlers.file.errors", "handlers.tls.comm_type TLS"});
  CHECK(setup.tree->root.handlers.size() == 1);
  CHECK(setup.tree->handlers.contains("file"));
  // The name filter lets hat.event's records through, and no other.
  hat::log::install(setup.tree);
  log(level::info, "main", "main info");
  log(level::info, "monitor", "monitor info");
  CHECK(file("f.log") == "main info\n");
}

TEST_CASE_FIXTURE(logging_fixture,
                  "log setup: a file that cannot be opened costs its records "
                  "only") {
  apply(R"({"version": 1,
    "handlers": {
      "missing": {"class": "logging.FileHandler",
                  "filename": "no/such/dir/x.log"},
      "file": {"class": "logging.FileHandler", "filename": "ok.log"}},
    "root": {"level": "INFO", "handlers": ["missing", "file"]},
    "disable_existing_loggers": false})");
  log(level::info, "main", "still written");
  CHECK(file("ok.log") == "still written\n");
}

TEST_CASE("log setup: at most 64 file and syslog handlers, the others "
          "named") {
  json::object handlers;
  for (int i = 100; i < 166; ++i)
    handlers[std::to_string(i).insert(0, 1, 'h')] =
      json::object{{"class", "logging.FileHandler"},
                   {"filename", "never-opened.log"},
                   {"delay", true}};
  json::object conf{{"version", 1}, {"handlers", handlers}};
  auto setup = hat::config::build_logger_tree(conf, nullptr);
  CHECK(setup.tree->handlers.size() == 64);
  CHECK(setup.unsupported
        == std::vector<std::string>{
          "handlers.h164 (beyond 64 file and syslog handlers)",
          "handlers.h165 (beyond 64 file and syslog handlers)"});
}
