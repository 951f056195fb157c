// One reading of a logging configuration for start-up and the adminer:
// what dictConfig refuses, refused with its text (checked against CPython
// 3.11's logging.config.dictConfig), and what the logger follows of the
// rest.

#include <doctest/doctest.h>

#include <boost/json.hpp>

#include "config/log_config.hpp"
#include "config/python_text.hpp"
#include "protocol/python_json.hpp"

namespace json = boost::json;
using namespace hat;
using hat::config::log_config_error;
using hat::config::log_settings;
using hat::config::read_log_config;

namespace {

json::value parsed(std::string_view text) {
  auto result = python_json::decode(text);
  REQUIRE(std::holds_alternative<json::value>(result));
  return std::get<json::value>(result);
}

/// dictConfig's error text for the configuration `text` (JSON), or "".
std::string refusal_of(std::string_view text,
                       const std::vector<std::string>& handlers = {}) {
  auto read = read_log_config(parsed(text), handlers);
  if (auto* error = std::get_if<log_config_error>(&read))
    return error->text;
  return "";
}

log_settings settings_of(std::string_view text,
                         const std::vector<std::string>& handlers = {}) {
  auto read = read_log_config(parsed(text), handlers);
  if (auto* error = std::get_if<log_config_error>(&read))
    FAIL("refused: ", config::describe(*error));
  return std::get<log_settings>(read);
}

}  // namespace

TEST_CASE("log config: dictConfig's texts for what it refuses") {
  struct refusal {
    std::string conf;
    std::string text;
  };
  const std::vector<refusal> cases = {
    // Not an object: what dict(conf) says.
    {"null", "'NoneType' object is not iterable"},
    {"true", "'bool' object is not iterable"},
    {"5", "'int' object is not iterable"},
    {"2.5", "'float' object is not iterable"},
    {"\"x\"", "dictionary update sequence element #0 has length 1; 2 is "
              "required"},
    {"\"\"", "dictionary doesn't specify a version"},
    {"[]", "dictionary doesn't specify a version"},
    {"[1]", "cannot convert dictionary update sequence element #0 to a "
            "sequence"},
    {"[[1, 2, 3]]", "dictionary update sequence element #0 has length 3; "
                    "2 is required"},
    // The version.
    {"{}", "dictionary doesn't specify a version"},
    {R"({"root": {"level": "INFO"}})", "dictionary doesn't specify a version"},
    {R"({"version": 2})", "Unsupported version: 2"},
    {R"({"version": "1"})", "Unsupported version: 1"},
    {R"({"version": null})", "Unsupported version: None"},
    {R"({"version": 2.5})", "Unsupported version: 2.5"},
    {R"({"version": [1]})", "Unsupported version: [1]"},
    {R"({"version": {"a": "b"}})", "Unsupported version: {'a': 'b'}"},
    // Levels: Python's names, case and all, or integers.
    {R"({"version": 1, "root": {"level": "LOUD"}})",
     "Unable to configure root logger"},
    {R"({"version": 1, "root": {"level": "debug"}})",
     "Unable to configure root logger"},
    {R"({"version": 1, "root": {"level": 20.0}})",
     "Unable to configure root logger"},
    {R"({"version": 1, "root": [1]})", "Unable to configure root logger"},
    {R"({"version": 1, "root": "x"})", "Unable to configure root logger"},
    {R"({"version": 1, "root": {"handlers": ["h"]}})",
     "Unable to configure root logger"},
    {R"({"version": 1, "root": {"handlers": 5}})",
     "Unable to configure root logger"},
    // Loggers before the root.
    {R"({"version": 1, "root": {"level": "X"}, "loggers": {"a": {"level": "X"}}})",
     "Unable to configure logger 'a'"},
    {R"({"version": 1, "loggers": 5})", "'int' object is not iterable"},
    {R"({"version": 1, "loggers": null})",
     "'NoneType' object is not iterable"},
    {R"({"version": 1, "loggers": ["a"]})", "Unable to configure logger 'a'"},
    {R"({"version": 1, "loggers": "ab"})", "Unable to configure logger 'a'"},
    {R"({"version": 1, "loggers": {"a": null}})",
     "Unable to configure logger 'a'"},
    {R"({"version": 1, "loggers": {"a": {"handlers": ["zz"]}}})",
     "Unable to configure logger 'a'"},
    {R"({"version": 1, "loggers": {"a": {"filters": ["zz"]}}})",
     "Unable to configure logger 'a'"},
    {R"({"version": 1, "loggers": {"it's": {"level": "X"}}})",
     "Unable to configure logger \"it's\""},
    {R"({"version": 1, "loggers": {"it's \"q\"": {"level": "X"}}})",
     R"(Unable to configure logger 'it\'s "q"')"},
    {R"({"version": 1, "loggers": {"a\u0161\n": {"level": "X"}}})",
     "Unable to configure logger 'a\xc5\xa1\\n'"},
    // Handlers, in sorted order, before loggers.
    {R"({"version": 1, "handlers": {"h": {"class": "logging.StreamHandler", "formatter": "nope"}}})",
     "Unable to configure handler 'h'"},
    {R"({"version": 1, "handlers": {"h": {}}})",
     "Unable to configure handler 'h'"},
    {R"({"version": 1, "handlers": {"h": null}})",
     "Unable to configure handler 'h'"},
    {R"({"version": 1, "handlers": ["h"]})", "Unable to configure handler 'h'"},
    {R"({"version": 1, "handlers": null})",
     "'NoneType' object is not iterable"},
    {R"({"version": 1, "handlers": {"b": {"class": "logging.StreamHandler", "level": "X"}, "a": {}}})",
     "Unable to configure handler 'a'"},
    // Formatters and filters first of all.
    {R"({"version": 1, "formatters": {"f": null}})",
     "Unable to configure formatter 'f'"},
    {R"({"version": 1, "formatters": {"f": []}})",
     "Unable to configure formatter 'f'"},
    {R"({"version": 1, "formatters": ["f"]})",
     "Unable to configure formatter 'f'"},
    {R"({"version": 1, "filters": {"f": "x"}})",
     "Unable to configure filter 'f'"},
    // Incremental: only handlers in force, and levels.
    {R"({"version": 1, "incremental": true, "handlers": {"h": {}}})",
     "No handler found with name 'h'"},
    {R"({"version": 1, "incremental": true, "loggers": {"a": {"level": "X"}}})",
     "Unable to configure logger 'a'"},
    {R"({"version": 1, "incremental": true, "root": {"level": "X"}})",
     "Unable to configure root logger"},
  };
  for (const auto& [conf, text] : cases) {
    CAPTURE(conf);
    CHECK(refusal_of(conf) == text);
  }
}

TEST_CASE("log config: what Python accepts") {
  const std::vector<std::string> accepted = {
    R"({"version": 1})",
    R"({"version": true})",
    R"({"version": 1.0})",
    R"({"version": 1, "root": []})",
    R"({"version": 1, "root": {"level": true}})",
    R"({"version": 1, "root": {"level": -5}})",
    R"({"version": 1, "loggers": {"a": {"handlers": []}}})",
    R"({"version": 1, "loggers": {"a": {"propagate": "x"}}})",
    R"({"version": 1, "incremental": 1, "root": {"level": "INFO"}})",
    R"({"version": 1, "formatters": {"f": {"format": "%(message)s"}},
        "filters": {"x": {"name": "hat"}},
        "handlers": {"h": {"class": "logging.StreamHandler",
                           "formatter": "f", "level": "DEBUG",
                           "filters": ["x"]}},
        "loggers": {"hat.event": {"level": "DEBUG", "handlers": ["h"]}},
        "root": {"level": "WARNING", "handlers": ["h"], "filters": ["x"]},
        "disable_existing_loggers": false})",
  };
  for (const auto& conf : accepted) {
    CAPTURE(conf);
    CHECK(refusal_of(conf).empty());
  }
}

TEST_CASE("log config: the error says where and why, for start-up") {
  auto read = read_log_config(
    parsed(R"({"version": 1, "root": {"level": "LOUD"}})"), {});
  auto* error = std::get_if<log_config_error>(&read);
  REQUIRE(error);
  CHECK(error->path == "root");
  CHECK(config::describe(*error)
        == "Unable to configure root logger: Unknown level: 'LOUD'");
  read = read_log_config(
    parsed(R"({"version": 1, "handlers": {"h": {"class": "x",
              "formatter": "f"}}})"),
    {});
  error = std::get_if<log_config_error>(&read);
  REQUIRE(error);
  CHECK(error->path == "handlers.h");
  CHECK(error->cause == "Unable to set formatter 'f'");
}

TEST_CASE("log config: the root level is what the logger follows") {
  using hat::log::level;
  CHECK(settings_of(R"({"version": 1, "root": {"level": "DEBUG"}})")
          .root_level
        == level::debug);
  CHECK(settings_of(R"({"version": 1, "root": {"level": "WARN"}})")
          .root_level
        == level::warning);
  CHECK(settings_of(R"({"version": 1, "root": {"level": "CRITICAL"}})")
          .root_level
        == level::critical);
  CHECK(settings_of(R"({"version": 1, "root": {"level": "NOTSET"}})")
          .root_level
        == level::debug);
  // Numbers let through what the same Python threshold lets through.
  CHECK(settings_of(R"({"version": 1, "root": {"level": 15}})").root_level
        == level::info);
  CHECK(settings_of(R"({"version": 1, "root": {"level": 41}})").root_level
        == level::critical);
  // No root level: the level in force stays (dictConfig does not reset it).
  CHECK_FALSE(settings_of(R"({"version": 1})").root_level.has_value());
  CHECK_FALSE(settings_of(R"({"version": 1, "root": {"level": null}})")
                .root_level.has_value());
}

TEST_CASE("log config: handlers in force, for an incremental one") {
  auto complete = settings_of(
    R"({"version": 1, "handlers": {"b": {"class": "logging.StreamHandler"},
                                   "a": {"class": "logging.NullHandler"}}})");
  REQUIRE(complete.handlers.has_value());
  CHECK(*complete.handlers == std::vector<std::string>{"b", "a"});
  auto incremental = settings_of(
    R"({"version": 1, "incremental": true,
        "handlers": {"a": {"level": "ERROR"}}, "root": {"level": "ERROR"}})",
    *complete.handlers);
  CHECK_FALSE(incremental.handlers.has_value());
  CHECK(incremental.root_level == hat::log::level::error);
  CHECK(refusal_of(R"({"version": 1, "incremental": true,
                       "handlers": {"a": {"level": "LOUD"}}})",
                   *complete.handlers)
        == "Unable to configure handler 'a'");
}

TEST_CASE("log config: what is accepted is kept whole for log_setup") {
  auto settings = settings_of(
    R"({"version": 1, "formatters": {}, "root": {"level": "INFO",
        "handlers": []}, "disable_existing_loggers": false})");
  REQUIRE(settings.config);
  CHECK(settings.config->size() == 4);
  CHECK(settings.config->at("disable_existing_loggers") == false);
}

TEST_CASE("python text: repr and str as Python writes them") {
  using hat::config::python::repr;
  using hat::config::python::str;
  CHECK(repr(json::value(nullptr)) == "None");
  CHECK(repr(json::value(true)) == "True");
  CHECK(repr(json::value(2.0)) == "2.0");
  CHECK(repr(json::value(1e16)) == "1e+16");
  CHECK(repr(json::value("a'b")) == "\"a'b\"");
  CHECK(repr(json::value("a\x01\x7f\t\\")) == "'a\\x01\\x7f\\t\\\\'");
  CHECK(repr(json::value("\xc2\x85")) == "'\\x85'");
  CHECK(repr(parsed(R"([1, "a", {"k": null}])")) == "[1, 'a', {'k': None}]");
  CHECK(str(json::value("text")) == "text");
  CHECK(str(json::value(false)) == "False");
}
