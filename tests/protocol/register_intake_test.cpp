// A MsgRegisterReq as the server takes it in (protocol/register_intake.hpp):
// accepted whole, refused whole with the reason, or undecodable; and an
// accepted request's answer and notification always fit the frame limit,
// whatever ids and timestamps the events get.

#include <doctest/doctest.h>

#include <limits>
#include <vector>

#include "protocol/chatter_codec.hpp"
#include "protocol/register_intake.hpp"

using namespace hat;

namespace {

constexpr int64_t int64_max = std::numeric_limits<int64_t>::max();

std::vector<char> request_bytes(const std::vector<register_event>& events,
                                eventer::dialect d) {
  std::vector<char> bytes;
  eventer::append_encoded(bytes, eventer::msg_register_req{events}, d);
  return bytes;
}

std::vector<register_event> some_events(size_t count) {
  std::vector<register_event> events;
  for (size_t i = 0; i < count; ++i)
    events.push_back({{"intake", "point", std::to_string(i)},
                      timestamp{1'700'000'000, 5},
                      payload_json{"{\"value\": " + std::to_string(i) + "}"}});
  return events;
}

/// The longest frame body `msg` can go out in: every header id at its
/// longest encoding.
template <class Msg>
size_t longest_body(const Msg& msg, eventer::dialect d) {
  chatter::msg_header longest{int64_max, int64_max, false, true, true};
  return chatter::msg_size(longest, eventer::type_name_of<Msg>(),
                           eventer::encoded_size(msg, d));
}

/// What the server would answer and notify for `requested` at its worst:
/// every id and the timestamp at their longest encodings.
std::vector<event> registered_at_worst(
  const std::vector<register_event>& requested) {
  std::vector<event> events;
  for (auto& r : requested)
    events.push_back(event{{int64_max, int64_max, int64_max},
                           r.type,
                           timestamp{int64_max, 999'999},
                           r.source_timestamp,
                           r.payload});
  return events;
}

}  // namespace

TEST_CASE("register intake: a valid request is accepted with its events") {
  for (auto d : {eventer::dialect::current, eventer::dialect::v0_9_0}) {
    auto events = some_events(3);
    auto intake = eventer::take_register_request(request_bytes(events, d), d,
                                                 1 << 20);
    REQUIRE(intake);
    CHECK_FALSE(intake->refusal);
    CHECK(intake->events == events);
  }
}

TEST_CASE("register intake: one invalid event refuses the whole request, "
          "naming it") {
  auto events = some_events(3);
  events[1].type = {"intake", "*"};
  auto d = eventer::dialect::current;
  auto intake = eventer::take_register_request(request_bytes(events, d), d,
                                               1 << 20);
  REQUIRE(intake);
  REQUIRE(intake->refusal);
  CHECK(intake->refusal->starts_with("register refused: "));
  CHECK(intake->refusal->find("'*'") != std::string::npos);
}

TEST_CASE("register intake: accepted only when answer and notification fit "
          "the frame limit at their longest") {
  auto d = eventer::dialect::current;
  auto events = some_events(20);
  auto bytes = request_bytes(events, d);
  auto worst = registered_at_worst(events);
  auto needed = std::max(
    longest_body(eventer::msg_register_res{worst}, d),
    longest_body(eventer::msg_events_notify{worst}, d));
  // Every limit the intake accepts holds the worst answer; below what the
  // worst answer needs, it refuses.
  size_t smallest_accepted = 0;
  for (size_t limit = needed - 64; limit < needed + 256; ++limit) {
    auto intake = eventer::take_register_request(bytes, d, limit);
    REQUIRE(intake);
    if (intake->refusal) {
      CHECK(*intake->refusal
            == "register of 20 events refused: its answer or notification "
               "would exceed max_frame_size ("
                 + std::to_string(limit) + " bytes)");
      continue;
    }
    if (smallest_accepted == 0)
      smallest_accepted = limit;
    CHECK(needed <= limit);
  }
  CHECK(smallest_accepted != 0);
}

TEST_CASE("register intake: bytes that do not decode are an error") {
  auto d = eventer::dialect::current;
  auto bytes = request_bytes(some_events(2), d);
  bytes.resize(bytes.size() / 2);
  CHECK_FALSE(eventer::take_register_request(bytes, d, 1 << 20));
}

TEST_CASE("fits_any_conversation: a Msg fits when its longest header does") {
  auto type = eventer::type_name_of<eventer::msg_query_res>();
  chatter::msg_header longest{int64_max, int64_max, false, true, true};
  chatter::msg_header first{1, 1, true, true, false};
  for (size_t payload : {0, 1, 127, 128, 70'000}) {
    auto body = chatter::msg_size(longest, type, payload);
    CHECK(chatter::fits_any_conversation(type, payload, body));
    CHECK_FALSE(chatter::fits_any_conversation(type, payload, body - 1));
    CHECK(chatter::msg_size(first, type, payload) <= body);
  }
}
