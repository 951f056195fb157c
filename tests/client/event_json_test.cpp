// Events as JSON (client/event_json.hpp): the reference manager's shape,
// round trips of every payload kind and optional field, timestamps in all
// their spellings, Python-like number text, and error messages that name
// the field.

#include <doctest/doctest.h>

#include <stdexcept>
#include <string>

#include "client/event_json.hpp"

using namespace hat;
using namespace hat::client;

namespace {

std::string all_bytes() {
  std::string bytes;
  for (int i = 0; i < 256; ++i)
    bytes.push_back(static_cast<char>(i));
  return bytes;
}

event sample_event(std::optional<event_payload> payload) {
  return event{{1, 2, 3},
               {"a", "b"},
               {1'700'000'000, 123'456},
               std::nullopt,
               std::move(payload)};
}

/// Through text and back, as a script would see it.
event round_trip(const event& e) {
  return event_from_json(json_from_text(json_to_text(event_to_json(e))));
}

/// What reading `text` as `read` throws.
template <class Read>
std::string error_of(Read read, const std::string& text) {
  try {
    read(json_from_text(text));
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(no error)";
}

std::string register_error(const std::string& text) {
  return error_of(register_event_from_json, text);
}

std::string text_of(double d) {
  return json_to_text(boost::json::value(d));
}

}  // namespace

TEST_CASE("event_json: the reference manager's shape") {
  auto e = sample_event(payload_json{R"({"x":[1,true,null]})"});
  e.source_timestamp = timestamp{-5, 7};
  CHECK(json_to_text(event_to_json(e))
        == R"({"id":{"server":1,"session":2,"instance":3},)"
           R"("type":["a","b"],"timestamp":{"s":1700000000,"us":123456},)"
           R"("source_timestamp":{"s":-5,"us":7},)"
           R"("payload":{"data_type":"json","data":{"x":[1,true,null]}}})");
  auto binary = sample_event(payload_binary{"bin", std::string{"\x01\xab", 2}});
  CHECK(json_to_text(event_to_json(binary))
        == R"({"id":{"server":1,"session":2,"instance":3},)"
           R"("type":["a","b"],"timestamp":{"s":1700000000,"us":123456},)"
           R"("source_timestamp":null,)"
           R"("payload":{"data_type":"binary","binary_type":"bin",)"
           R"("data":"01ab"}})");
  CHECK(json_to_text(event_to_json(sample_event(std::nullopt))).ends_with(
    R"("source_timestamp":null,"payload":null})"));
}

TEST_CASE("event_json: every payload kind round-trips") {
  for (auto& payload : std::vector<std::optional<event_payload>>{
         std::nullopt,
         payload_json{"null"},
         payload_json{"\"text\""},
         payload_json{R"({"a":[1,-2,3.5,"\u0001"],"b":{}})"},
         payload_binary{"", ""},
         payload_binary{"any.type", all_bytes()},
       }) {
    auto e = sample_event(payload);
    CHECK(round_trip(e) == e);
  }
}

TEST_CASE("event_json: optional fields, extremes and negative timestamps") {
  event e{{INT64_MAX, INT64_MIN, 0},
          {},
          {-1, 999'999},
          timestamp{INT64_MIN, 0},
          std::nullopt};
  CHECK(round_trip(e) == e);
  e.type = {"", "?", "*"};
  e.source_timestamp = std::nullopt;
  e.timestamp = {-62'135'596'800, 1};
  CHECK(round_trip(e) == e);
}

TEST_CASE("event_json: non-ASCII text stays UTF-8") {
  auto e = sample_event(payload_json{R"({"unit":"°C","name":"日本"})"});
  e.type = {"ž", "日本", "😀"};
  std::get<payload_json>(*e.payload).text = R"({"unit":"°C","name":"日本"})";
  auto text = json_to_text(event_to_json(e));
  CHECK(text.find(R"(["ž","日本","😀"])") != std::string::npos);
  CHECK(text.find(R"("unit":"°C")") != std::string::npos);
  CHECK(round_trip(e) == e);
}

TEST_CASE("event_json: text that is not strict JSON is kept as text") {
  // Python's encoder writes NaN and Infinity; Boost cannot hold them.
  auto e = sample_event(payload_json{"[NaN, Infinity]"});
  auto v = event_to_json(e);
  CHECK(json_to_text(v.at("payload"))
        == R"({"data_type":"json","text":"[NaN, Infinity]"})");
  CHECK(round_trip(e) == e);
}

TEST_CASE("event_json: register events, also from printed events") {
  register_event r{{"x", "y"}, timestamp{10, 20}, payload_json{"[1,2]"}};
  CHECK(register_event_from_json(register_event_to_json(r)) == r);
  CHECK(register_event_from_json(json_from_text(R"({"type":["x"]})"))
        == register_event{{"x"}, std::nullopt, std::nullopt});
  auto e = sample_event(payload_binary{"t", "\x00\x01"});
  auto from_event = register_event_from_json(event_to_json(e));
  CHECK(from_event.type == e.type);
  CHECK(from_event.payload == e.payload);
  CHECK_FALSE(from_event.source_timestamp);

  auto all = register_events_from_json(query_result_to_json({{e, e}, true}));
  CHECK(all.size() == 2);
  CHECK(register_events_from_json(json_from_text("[]")).empty());
}

TEST_CASE("event_json: timestamps as objects, ISO-8601 text or seconds") {
  auto read = [](const std::string& text) {
    return timestamp_from_json(json_from_text(text));
  };
  CHECK(read(R"({"s":-3,"us":4})") == timestamp{-3, 4});
  CHECK(read(R"("2023-11-14T22:13:20.123456Z")")
        == timestamp{1'700'000'000, 123'456});
  CHECK(read(R"("1969-12-31T23:59:59.5Z")") == timestamp{-1, 500'000});
  CHECK(read("1700000000") == timestamp{1'700'000'000, 0});
  CHECK(read("-1.5") == timestamp{-2, 500'000});
  CHECK(json_to_text(timestamp_to_json({-2, 500'000}))
        == R"({"s":-2,"us":500000})");
}

TEST_CASE("event_json: hex is read in either case, written lower-case") {
  auto p = payload_from_json(
    json_from_text(R"({"data_type":"binary","data":"ABcd00"})"));
  CHECK(p == event_payload{payload_binary{"", std::string{"\xab\xcd\x00", 3}}});
  CHECK(json_to_text(payload_to_json(p))
        == R"({"data_type":"binary","binary_type":"","data":"abcd00"})");
}

TEST_CASE("event_json: errors name the field") {
  CHECK(register_error("5") == "expected an object");
  CHECK(register_error("{}") == "type: missing");
  CHECK(register_error(R"({"type":"a/b"})")
        == "type: expected an array of strings");
  CHECK(register_error(R"({"type":["a",1]})") == "type[1]: expected a string");
  CHECK(register_error(R"({"type":["a","*"]})")
        == "type: event type 'a/*' contains the reserved segment '*'");
  CHECK(register_error(R"({"type":["a"],"paylod":null})")
        == "paylod: unknown field");
  CHECK(register_error(R"({"type":["a"],"source_timestamp":{"s":1}})")
        == "source_timestamp.us: missing");
  // The server stores microseconds of 1,000,000 and more as sent, as the
  // reference does; the client lets through what the server takes.
  CHECK(register_error(
          R"({"type":["a"],"source_timestamp":{"s":1,"us":1000000}})")
        == "(no error)");
  CHECK(register_event_from_json(json_from_text(
          R"({"type":["a"],"source_timestamp":{"s":1,"us":4294967295}})"))
          .source_timestamp->us
        == 4294967295);
  CHECK(register_error(
          R"({"type":["a"],"source_timestamp":{"s":1,"us":4294967296}})")
        == "source_timestamp.us: expected an integer in [0, 4294967295]");
  CHECK(register_error(
          R"({"type":["a"],"source_timestamp":{"s":1,"us":-1}})")
        == "source_timestamp.us: expected an integer in [0, 4294967295]");
  CHECK(register_error(R"({"type":["a"],"source_timestamp":"yesterday"})")
        == "source_timestamp: expected ISO-8601 text such as "
           "2023-11-14T22:13:20.5Z");
  CHECK(register_error(R"({"type":["a"],"payload":{"data":1}})")
        == "payload.data_type: missing");
  CHECK(register_error(R"({"type":["a"],"payload":{"data_type":"xml"}})")
        == "payload.data_type: expected \"json\" or \"binary\"");
  CHECK(register_error(R"({"type":["a"],"payload":{"data_type":"json"}})")
        == "payload.data: missing");
  CHECK(register_error(R"({"type":["a"],"payload":{"data_type":"json",)"
                       R"("data":1,"text":"1"}})")
        == "payload.text: not allowed together with data");
  CHECK(register_error(
          R"({"type":["a"],"payload":{"data_type":"binary","data":"abc"}})")
        == "payload.data: expected hex text (an odd number of digits)");
  CHECK(register_error(
          R"({"type":["a"],"payload":{"data_type":"binary","data":"zz"}})")
        == "payload.data: expected hex text");
  CHECK(error_of(event_from_json, R"({"type":[],"timestamp":{"s":0,"us":0},)"
                                  R"("id":{"server":1,"session":1,)"
                                  R"("instance":9223372036854775808}})")
        == "id.instance: out of the 64-bit integer range");
  CHECK(error_of(event_from_json, R"({"id":{"server":1,"session":1,)"
                                  R"("instance":1.5},"type":[]})")
        == "id.instance: expected an integer");
  CHECK(error_of(register_events_from_json,
                 R"([{"type":["a"]},{"type":["b"],"payload":{}}])")
        == "[1].payload.data_type: missing");
  CHECK(error_of(register_events_from_json, R"({"events":[{"type":7}]})")
        == "events[0].type: expected an array of strings");
  CHECK(error_of(register_events_from_json, "null")
        == "expected an array of events");
}

TEST_CASE("event_json: bad JSON text") {
  CHECK_THROWS_WITH_AS(json_from_text("{\"a\":"),
                       doctest::Contains("invalid JSON"),
                       std::invalid_argument);
  CHECK_THROWS_AS(json_from_text("[1,]"), std::invalid_argument);
  CHECK_THROWS_AS(json_from_text("\"\xff\""), std::invalid_argument);
  // Deeper than Boost's default of 32, as deep as Python goes.
  CHECK_NOTHROW(json_from_text(std::string(900, '[') + std::string(900, ']')));
  CHECK_THROWS_AS(
    json_from_text(std::string(1001, '[') + std::string(1001, ']')),
    std::invalid_argument);
}

TEST_CASE("event_json: numbers are written as Python writes them") {
  CHECK(text_of(1.5) == "1.5");
  CHECK(text_of(100.0) == "100.0");
  CHECK(text_of(-0.0) == "-0.0");
  CHECK(text_of(0.1) == "0.1");
  CHECK(text_of(0.0001) == "0.0001");
  CHECK(text_of(0.00001) == "1e-05");
  CHECK(text_of(1e15) == "1000000000000000.0");
  CHECK(text_of(1e16) == "1e+16");
  CHECK(text_of(1.5e300) == "1.5e+300");
  CHECK(text_of(123456.789) == "123456.789");
  CHECK(json_to_text(json_from_text("[1e400,-1e400]")) == "[1e999,-1e999]");
  CHECK(json_to_text(json_from_text(
          R"({"i":-9223372036854775808,"u":18446744073709551615,"b":false})"))
        == R"({"i":-9223372036854775808,"u":18446744073709551615,"b":false})");
  CHECK(json_to_text(boost::json::value("tab\t\"quote\"\\ \x01"))
        == R"("tab\t\"quote\"\\ \u0001")");
}
