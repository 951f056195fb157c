// The logging configuration in force, as the adminer gets and sets it: the
// file's value at first, a set swapped in only once it passed whole, and
// the reference server's answers to one real connection reproduced.

#include <doctest/doctest.h>

#include <boost/json.hpp>

#include <cmath>

#include "config/current_log_config.hpp"
#include "protocol/adminer_session.hpp"
#include "tests/protocol/vector_json.hpp"

namespace json = boost::json;
using namespace hat;
using hat::config::current_log_config;
using hat::config::log_config_error;
using hat::config::log_settings;

namespace {

std::string text_of(const current_log_config& conf) {
  auto text = conf.text();
  REQUIRE(std::holds_alternative<std::string>(text));
  return std::get<std::string>(text);
}

/// "" when the set took effect, else its error text.
std::string set_error(current_log_config& conf, std::string_view text) {
  auto result = conf.set(text);
  if (auto* error = std::get_if<log_config_error>(&result))
    return error->text;
  return "";
}

/// What the adminer server answers `request` with, given `conf`.
adminer::message answer_for(current_log_config& conf,
                            const adminer::request& request) {
  if (std::holds_alternative<adminer::msg_get_log_conf_req>(request.msg)) {
    auto text = conf.text();
    if (auto* error = std::get_if<log_config_error>(&text))
      return adminer::msg_get_log_conf_res{error->text, {}};
    return adminer::msg_get_log_conf_res{std::nullopt,
                                         std::get<std::string>(text)};
  }
  auto& set = std::get<adminer::msg_set_log_conf_req>(request.msg);
  auto error = set_error(conf, set.conf);
  return adminer::msg_set_log_conf_res{
    error.empty() ? std::nullopt : std::optional<std::string>{error}};
}

}  // namespace

TEST_CASE("current log config: null without a file value, the file's "
          "value re-encoded the Python way") {
  CHECK(text_of(current_log_config{}) == "null");
  auto file_value = json::parse(
    R"({"version":1,"formatters":{"f":{"format":"\u0161 %(message)s"}},)"
    R"("root":{"level":"INFO"},"disable_existing_loggers":false})");
  CHECK(text_of(current_log_config{file_value})
        == R"({"version": 1, "formatters": {"f": {"format": "\u0161 )"
           R"(%(message)s"}}, "root": {"level": "INFO"}, )"
           R"("disable_existing_loggers": false})");
  // A value JSON has no text for (YAML's .nan) answers the reference's
  // encoder's error.
  auto nan = current_log_config{json::value(std::nan(""))}.text();
  REQUIRE(std::holds_alternative<log_config_error>(nan));
  CHECK(std::get<log_config_error>(nan).text
        == "Out of range float values are not JSON compliant");
}

TEST_CASE("current log config: a set takes effect whole or not at all") {
  current_log_config conf{json::parse(R"({"version": 1})")};
  auto result = conf.set(R"({"version":1,"root":{"level":"ERROR"}})");
  REQUIRE(std::holds_alternative<log_settings>(result));
  CHECK(std::get<log_settings>(result).root_level == log::level::error);
  CHECK(text_of(conf) == R"({"version": 1, "root": {"level": "ERROR"}})");

  CHECK(set_error(conf, "") == "Expecting value: line 1 column 1 (char 0)");
  CHECK(set_error(conf, "not json")
        == "Expecting value: line 1 column 1 (char 0)");
  CHECK(set_error(conf, R"({"version": 1, "root": {"level": "INFO"})")
        == "Expecting ',' delimiter: line 1 column 41 (char 40)");
  CHECK(set_error(conf, "{}") == "dictionary doesn't specify a version");
  CHECK(set_error(conf, R"({"version": 2})") == "Unsupported version: 2");
  CHECK(set_error(conf, R"({"version": 1, "root": {"level": "LOUD"}})")
        == "Unable to configure root logger");
  CHECK(set_error(conf, "null") == "'NoneType' object is not iterable");
  // Nothing of the refused ones was kept.
  CHECK(text_of(conf) == R"({"version": 1, "root": {"level": "ERROR"}})");
}

TEST_CASE("current log config: incremental sets name the handlers in "
          "force") {
  current_log_config conf{json::parse(
    R"({"version": 1, "handlers": {"console": {"class":
        "logging.StreamHandler"}}, "root": {"handlers": ["console"]}})")};
  auto incremental =
    R"({"version": 1, "incremental": true,
        "handlers": {"console": {"level": "ERROR"}}})";
  CHECK(set_error(conf, incremental).empty());
  // An incremental set keeps the handlers; a complete one replaces them.
  CHECK(set_error(conf, incremental).empty());
  CHECK(set_error(conf, R"({"version": 1})").empty());
  CHECK(set_error(conf, incremental)
        == "No handler found with name 'console'");
}

TEST_CASE("adminer: the reference server's answers to one real connection, "
          "reproduced byte for byte") {
  // The reference ran with log: {version: 1, disable_existing_loggers:
  // false}; the client got, set, set a bad version, got again.
  auto frames = test::load_vectors("ops/adminer_chatter_frames.json");
  REQUIRE(frames.size() == 8);
  current_log_config conf{
    json::parse(R"({"version": 1, "disable_existing_loggers": false})")};
  adminer::server_session session;
  for (size_t i = 0; i + 1 < frames.size(); i += 2) {
    INFO("request ", frames[i].at("name").as_string().c_str());
    std::vector<char> out;
    auto request_hex = frames[i].at("hex").as_string();
    REQUIRE(session.receive(test::from_hex(request_hex),
                            chatter::clock::now(), out));
    auto request = session.next_request();
    REQUIRE(request.has_value());
    session.answer(out, request->conv, answer_for(conf, *request));
    CHECK(test::to_hex(out) == frames[i + 1].at("hex").as_string());
  }
}
