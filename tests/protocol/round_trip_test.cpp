// Random events, queries and messages survive encode → decode unchanged,
// and the sizing pass agrees with what is written.

#include <doctest/doctest.h>

#include "protocol/observer_codec.hpp"
#include "tests/protocol/random_values.hpp"

using namespace hat;

TEST_CASE("round trip: random events") {
  test::random_values random{1};
  for (int i = 0; i < 5000; ++i) {
    auto e = random.any_event();
    std::vector<char> bytes;
    eventer::append_encoded(bytes, e);
    REQUIRE(bytes.size() == eventer::encoded_size(e));
    auto decoded = eventer::decode<event>(bytes);
    REQUIRE(decoded.ok());
    REQUIRE(*decoded == e);
  }
}

TEST_CASE("round trip: random messages in both dialects") {
  for (auto dialect : {eventer::dialect::current, eventer::dialect::v0_9_0}) {
    test::random_values random{dialect == eventer::dialect::current ? 2u : 3u};
    for (int i = 0; i < 5000; ++i) {
      auto msg = random.any_eventer_message(dialect);
      std::vector<char> bytes;
      eventer::append_encoded(bytes, msg, dialect);
      REQUIRE(bytes.size() == eventer::encoded_size(msg, dialect));
      auto decoded = eventer::decode_message(eventer::type_name(msg), bytes,
                                             dialect);
      REQUIRE(decoded.ok());
      REQUIRE(*decoded == msg);
    }
  }
}

TEST_CASE("round trip: random queries") {
  test::random_values random{4};
  int kinds_seen[3] = {};
  for (int i = 0; i < 3000; ++i) {
    eventer::msg_query_req msg{random.any_query_params()};
    ++kinds_seen[msg.params.index()];
    std::vector<char> bytes;
    eventer::append_encoded(bytes, msg);
    auto decoded = eventer::decode<eventer::msg_query_req>(bytes);
    REQUIRE(decoded.ok());
    REQUIRE(*decoded == msg);
  }
  for (int seen : kinds_seen)
    CHECK(seen > 500);
}

TEST_CASE("round trip: observer messages") {
  observer::msg_server server{3, 1, {}};
  for (int i = 0; i < 3; ++i) {
    observer::component_info info;
    info.cid = i;
    info.mid = -i;
    info.name = "event-" + std::to_string(i);
    info.data = "{\"server_id\": " + std::to_string(i) + "}";
    info.rank = i * 1000;
    info.blessing_req = {i == 0 ? std::nullopt : std::optional<int64_t>{i},
                         1.7e9 + i * 0.25};
    info.blessing_res = {i, i % 2 == 0};
    server.components.push_back(info);
  }
  for (observer::message msg :
       {observer::message{server},
        observer::message{observer::msg_client{"n", "g", "null", {7, true}}},
        observer::message{observer::msg_close{}}}) {
    std::vector<char> bytes;
    observer::append_encoded(bytes, msg);
    CHECK(bytes.size() == observer::encoded_size(msg));
    auto decoded = observer::decode_message(observer::type_name(msg), bytes);
    REQUIRE(decoded.ok());
    CHECK(*decoded == msg);
  }
}
