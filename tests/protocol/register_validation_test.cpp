// What may be registered: the checks wherever events enter, and source
// timestamps with microseconds of 1'000'000 and more through the codec.

#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "protocol/eventer_codec.hpp"
#include "protocol/register_validation.hpp"

using namespace hat;

namespace {

register_event make(event_type type, std::optional<std::string> json = {},
                    std::optional<timestamp> source = {}) {
  register_event e{std::move(type), source, std::nullopt};
  if (json)
    e.payload = payload_json{*json};
  return e;
}

}  // namespace

TEST_CASE("register validation accepts what the reference's clients read") {
  std::vector<register_event> fine = {
    make({}),
    make({"a", "b", "c"}),
    make({"a", "", "b"}),
    make({"a*", "?b", "x?y*"}),  // wildcards only as whole segments
    make({"a"}, "null"),
    make({"a"}, " {\"x\": [1, 2.5e-3, \"\\u00e9\"]} "),
    make({"a"}, std::nullopt, timestamp{-5, 0}),
    make({"a"}, std::nullopt, timestamp{5, 999'999}),
    make({"a"}, std::nullopt, timestamp{5, 1'000'000}),
    make({"a"}, std::nullopt, timestamp{5, max_stored_microseconds}),
    register_event{{"a"}, std::nullopt, payload_binary{"t", "{abc"}},
  };
  for (const auto& e : fine)
    CHECK(invalid_register_event_reason(e) == std::nullopt);
  CHECK(invalid_register_events_reason(fine) == std::nullopt);
  CHECK(invalid_register_events_reason({}) == std::nullopt);
}

TEST_CASE("register validation refuses, naming the event and why") {
  CHECK(invalid_register_event_reason(make({"a", "*"})).value().find("'*'")
        != std::string::npos);
  CHECK(invalid_register_event_reason(make({"?"})).value().find("'?'")
        != std::string::npos);
  CHECK(invalid_register_event_reason(make({"a", "b/c"}))
        == "event type segment 'b/c' contains '/'");
  CHECK(invalid_register_event_reason(make({"a"}, "[1,2,]"))
        == "invalid JSON payload of 'a': expected a value at offset 5");
  CHECK(invalid_register_event_reason(make({"a"}, "")).has_value());
  CHECK(invalid_register_event_reason(make({"a"}, "NaN")).has_value());
  CHECK(invalid_register_event_reason(make({"a"}, "1e400")).has_value());
  CHECK(invalid_register_event_reason(
          make({"a", "b"}, std::nullopt, timestamp{5, -1}))
        == "source timestamp microseconds -1 of 'a/b' outside [0, "
           "4294967295]");
  CHECK(invalid_register_event_reason(
          make({"a"}, std::nullopt,
               timestamp{5, max_stored_microseconds + 1}))
          .has_value());

  std::vector<register_event> request = {make({"ok"}, "1"),
                                         make({"bad"}, "{abc")};
  auto why = invalid_register_events_reason(request);
  REQUIRE(why.has_value());
  CHECK(why->rfind("event 2 of 2: invalid JSON payload of 'bad': ", 0) == 0);
}

TEST_CASE("codec: timestamp microseconds are any integer, kept as sent") {
  for (int64_t us : {int64_t{1'000'000}, int64_t{1'500'000},
                     int64_t{UINT32_MAX}, int64_t{1} << 40, int64_t{-1}}) {
    CAPTURE(us);
    eventer::msg_register_req req{
      {make({"a"}, "1", timestamp{7, us})}};
    std::vector<char> bytes;
    append_encoded(bytes, eventer::message{req}, eventer::dialect::current);
    auto decoded = eventer::decode_message("HatEventer.MsgRegisterReq",
                                           bytes, eventer::dialect::current);
    REQUIRE(decoded);
    CHECK(*decoded == eventer::message{req});
  }
}
