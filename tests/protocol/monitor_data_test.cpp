// The monitor `data` of an Event Server, as the reference writes it.

#include <doctest/doctest.h>

#include "protocol/monitor_data.hpp"

using namespace hat::observer;

TEST_CASE("monitor data: the reference's text, byte for byte") {
  // From the reference's vectors (observer_client_ready).
  CHECK(monitor_data_json(2, "127.0.0.1", 23122, std::nullopt)
        == R"({"server_id": 2, "eventer_server": {"host": "127.0.0.1", )"
           R"("port": 23122}, "server_token": null})");
  CHECK(monitor_data_json(1, "0.0.0.0", 23012, std::string{"s3cret"})
        == R"({"server_id": 1, "eventer_server": {"host": "0.0.0.0", )"
           R"("port": 23012}, "server_token": "s3cret"})");
}

TEST_CASE("monitor data: strings escaped as Python's json.dumps does") {
  // json.dumps('a"b\\c\n\x01\x7f é€😀')
  CHECK(python_json_string("a\"b\\c\n\x01\x7f \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80")
        == R"("a\"b\\c\n\u0001\u007f \u00e9\u20ac\ud83d\ude00")");
  CHECK(python_json_string("") == R"("")");
  CHECK(python_json_string("\t\r\b\f/") == R"("\t\r\b\f/")");
}

TEST_CASE("peers_of: other members of our group whose data parses and whose "
          "token matches") {
  using namespace hat::observer;
  auto member = [](int64_t cid, std::string group, std::string data) {
    component_info info;
    info.cid = cid;
    info.name = "c" + std::to_string(cid);
    info.group = std::move(group);
    info.data = std::move(data);
    return info;
  };
  msg_server state{1, 0, {}};
  state.components = {
    member(1, "event", monitor_data_json(1, "h", 1, "t")),  // ourselves
    member(2, "event", monitor_data_json(2, "h2", 2, "t")),
    member(3, "other", monitor_data_json(3, "h3", 3, "t")),
    member(4, "event", monitor_data_json(4, "h4", 4, std::nullopt)),
    member(5, "event", "{\"server_id\": \"5\"}"),
    member(6, "event", "not json"),
    member(7, "event",
           "{\"server_id\": 7, \"eventer_server\": {\"host\": \"h7\", "
           "\"port\": 70000}, \"server_token\": null}"),
  };
  auto with_token = peers_of(state, "event", "t");
  REQUIRE(with_token.size() == 1);
  CHECK(with_token[0] == peer_info{2, "h2", 2, "c2"});
  // Without a token of ours every parsable member of the group counts.
  auto without = peers_of(state, "event", std::nullopt);
  REQUIRE(without.size() == 2);
  CHECK(without[1] == peer_info{4, "h4", 4, "c4"});
}
