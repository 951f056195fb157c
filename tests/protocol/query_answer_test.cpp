// Query answers fitted into one frame (protocol/query_answer.hpp): whole
// when they fit, otherwise the first events that fit with moreFollows set,
// in both dialects, and never a frame over the limit.

#include <doctest/doctest.h>

#include <limits>

#include "protocol/chatter_codec.hpp"
#include "protocol/query_answer.hpp"
#include "tests/protocol/random_values.hpp"

using namespace hat;

namespace {

/// The longest frame body a server's answer with `payload` bytes can have.
size_t longest_body(size_t payload) {
  chatter::msg_header longest{std::numeric_limits<int64_t>::max(),
                              std::numeric_limits<int64_t>::max(), false,
                              true, true};
  return chatter::msg_size(
    longest, eventer::type_name_of<eventer::msg_query_res>(), payload);
}

}  // namespace

TEST_CASE("query answer: whole when it fits, the same bytes as the "
          "message's encoding") {
  test::random_values random{13};
  for (auto d : {eventer::dialect::current, eventer::dialect::v0_9_0}) {
    query_result result;
    for (int i = 0; i < 50; ++i)
      result.events.push_back(random.any_event());
    result.more_follows = random.coin();
    std::vector<char> expected;
    eventer::append_encoded(expected, eventer::msg_query_res{result}, d);
    auto answer = eventer::encode_query_answer(result, d, 16 << 20);
    CHECK(answer.events_found == 50);
    CHECK(answer.events_sent == 50);
    CHECK(answer.payload == expected);
  }
}

TEST_CASE("query answer: cut to the frame limit, the first events kept and "
          "moreFollows set") {
  test::random_values random{14};
  for (auto d : {eventer::dialect::current, eventer::dialect::v0_9_0}) {
    query_result result;
    for (int i = 0; i < 400; ++i)
      result.events.push_back(random.any_event());
    std::vector<char> whole;
    eventer::append_encoded(whole, eventer::msg_query_res{result}, d);
    for (size_t limit : {longest_body(whole.size()) - 1,
                         longest_body(whole.size() / 2), size_t{300}}) {
      INFO("limit ", limit);
      auto answer = eventer::encode_query_answer(result, d, limit);
      CHECK(answer.events_found == 400);
      CHECK(answer.events_sent < 400);
      CHECK(longest_body(answer.payload.size()) <= limit);
      auto decoded = eventer::decode<eventer::msg_query_res>(answer.payload, d);
      REQUIRE(decoded);
      CHECK(decoded->result.more_follows);
      REQUIRE(decoded->result.events.size() == answer.events_sent);
      for (size_t i = 0; i < answer.events_sent; ++i)
        CHECK(decoded->result.events[i] == result.events[i]);
    }
    // Just under the whole answer: all but a few events still go.
    auto nearly = eventer::encode_query_answer(
      result, d, longest_body(whole.size()) - 1);
    CHECK(nearly.events_sent >= 390);
  }
}
