// The Eventer client session against a scripted server side built on the
// same chatter layer, bytes only: the init exchange, notifications and
// their acks per dialect, answers matched to requests by conversation,
// forgotten requests, and every way a server can break the protocol.

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "protocol/eventer_client_session.hpp"

using namespace hat;
using namespace hat::eventer;

namespace {

/// A message the scripted server received, copied out of its frame.
struct server_received {
  chatter::conversation conv;
  bool last = false;
  message msg;
};

struct scripted_server {
  chatter::connection conn;
  dialect used = dialect::current;

  std::vector<server_received> receive(const std::vector<char>& bytes) {
    std::vector<server_received> got;
    std::vector<char> pongs;
    auto error = conn.receive(
      bytes, chatter::clock::now(), pongs,
      [&](const chatter::received_msg& msg) {
        auto decoded = decode_message(msg.type, msg.data, used);
        REQUIRE(decoded);
        got.push_back({msg.conv, msg.last, std::move(*decoded)});
        return true;
      });
    REQUIRE_FALSE(error);
    return got;
  }

  template <class Msg>
  std::vector<char> send(const Msg& msg, std::optional<chatter::conversation>
                                           conv = std::nullopt,
                         bool last = true) {
    std::vector<char> payload;
    append_encoded(payload, msg, used);
    std::vector<char> out;
    conn.send(out, type_name_of<Msg>(), payload, conv, last);
    return out;
  }
};

client_session_options options_of(msg_init_req init,
                                  dialect used = dialect::current) {
  client_session_options options;
  options.init = std::move(init);
  options.dialect = used;
  return options;
}

struct session_fixture {
  client_session session{
    options_of(msg_init_req{"event/peer", "token", {{"*"}}, 7, true})};
  scripted_server server;
  std::vector<char> out;
  std::vector<client_news> news;
  /// The server's view of the init request.
  server_received init;

  /// Init sent and answered with `status`.
  void initialised(status current = status::operational) {
    session.start(out);
    auto got = server.receive(std::exchange(out, {}));
    REQUIRE(got.size() == 1);
    init = got.front();
    feed(server.send(msg_init_res{std::nullopt, current}, init.conv));
    REQUIRE(news.size() == 1);
    news.clear();
  }

  std::optional<client_session_error> feed(const std::vector<char>& bytes) {
    return session.receive(bytes, chatter::clock::now(), out, news);
  }
};

event test_event(int64_t session_id) {
  return event{event_id{7, session_id, 1}, event_type{"a", "b"},
               timestamp{session_id, 0}, std::nullopt, std::nullopt};
}

}  // namespace

TEST_CASE_FIXTURE(session_fixture,
                  "client session: the init request carries the options and "
                  "its answer is the first news") {
  session.start(out);
  auto got = server.receive(std::exchange(out, {}));
  REQUIRE(got.size() == 1);
  CHECK(got[0].msg
        == message{msg_init_req{"event/peer", "token", {{"*"}}, 7, true}});
  CHECK_FALSE(got[0].last);
  CHECK_FALSE(session.has_init_answer());

  CHECK_FALSE(
    feed(server.send(msg_init_res{std::nullopt, status::operational},
                     got[0].conv)));
  CHECK(session.has_init_answer());
  CHECK(session.server_status() == status::operational);
  REQUIRE(news.size() == 1);
  auto& answer = std::get<init_answered>(news[0]);
  CHECK_FALSE(answer.error);
  CHECK(answer.status == status::operational);
}

TEST_CASE_FIXTURE(session_fixture,
                  "client session: a refused init is news with the server's "
                  "text") {
  session.start(out);
  auto got = server.receive(std::exchange(out, {}));
  CHECK_FALSE(feed(server.send(
    msg_init_res{"invalid client token", status::standby}, got[0].conv)));
  REQUIRE(news.size() == 1);
  CHECK(std::get<init_answered>(news[0]).error == "invalid client token");
}

TEST_CASE_FIXTURE(session_fixture,
                  "client session: anything before the init answer ends the "
                  "session") {
  session.start(out);
  server.receive(std::exchange(out, {}));
  auto error = feed(server.send(msg_status_notify{status::operational}));
  REQUIRE(error);
  CHECK(error->what == client_session_error::kind::unexpected_message);
  CHECK(error->to_string()
        == "unexpected message: HatEventer.MsgStatusNotify");
  CHECK(news.empty());
}

TEST_CASE_FIXTURE(session_fixture,
                  "client session: notifications are news, acknowledged as "
                  "the dialect wants") {
  initialised();
  CHECK_FALSE(feed(server.send(msg_events_notify{{test_event(1)}},
                               std::nullopt, false)));
  CHECK_FALSE(feed(server.send(msg_status_notify{status::stopping})));
  REQUIRE(news.size() == 2);
  CHECK(std::get<events_arrived>(news[0]).events
        == std::vector<event>{test_event(1)});
  CHECK(std::get<status_changed>(news[1]).status == status::stopping);
  CHECK(session.server_status() == status::stopping);
  // The current dialect acknowledges events sent with last=false, once
  // the owner handled them.
  CHECK(out.empty());
  CHECK_FALSE(std::get<status_changed>(news[1]).ack);
  for (auto& n : news)
    session.acknowledge(out, n);
  auto acks = server.receive(std::exchange(out, {}));
  REQUIRE(acks.size() == 1);
  CHECK(std::holds_alternative<msg_events_ack>(acks[0].msg));
  CHECK(acks[0].last);
}

TEST_CASE("client session: the 0.9.0 dialect acknowledges statuses, not "
          "events") {
  client_session session{
    options_of(msg_init_req{"c", {}, {}, {}, false}, dialect::v0_9_0)};
  scripted_server server{chatter::connection{}, dialect::v0_9_0};
  std::vector<char> out;
  std::vector<client_news> news;
  session.start(out);
  auto init = server.receive(std::exchange(out, {}));
  auto now = chatter::clock::now();
  REQUIRE_FALSE(session.receive(
    server.send(msg_init_res{std::nullopt, status::standby}, init[0].conv),
    now, out, news));
  REQUIRE_FALSE(session.receive(
    server.send(msg_events_notify{{test_event(1)}}, std::nullopt, false), now,
    out, news));
  REQUIRE_FALSE(session.receive(
    server.send(msg_status_notify{status::operational}, std::nullopt, false),
    now, out, news));
  for (auto& n : news)
    session.acknowledge(out, n);
  auto acks = server.receive(std::exchange(out, {}));
  REQUIRE(acks.size() == 1);
  CHECK(std::holds_alternative<msg_status_ack>(acks[0].msg));
  CHECK(news.size() == 3);
}

TEST_CASE_FIXTURE(session_fixture,
                  "client session: answers are matched to their requests by "
                  "conversation, in any order") {
  initialised();
  auto registered =
    session.send_register(out, {register_event{{"a"}, {}, {}}}, true);
  auto queried = session.send_query(out, query_params{query_latest_params{}});
  session.send_register(out, {register_event{{"b"}, {}, {}}}, false);
  CHECK(session.pending_requests() == 2);
  auto got = server.receive(std::exchange(out, {}));
  REQUIRE(got.size() == 3);
  CHECK(got[0].conv.first_id == registered);
  CHECK(got[1].conv.first_id == queried);
  CHECK_FALSE(got[1].last);
  CHECK(got[2].last);  // no answer wanted

  CHECK_FALSE(feed(server.send(msg_query_res{query_result{}}, got[1].conv)));
  CHECK_FALSE(feed(
    server.send(msg_register_res{std::vector<event>{test_event(2)}},
                got[0].conv)));
  REQUIRE(news.size() == 2);
  CHECK(std::get<query_answered>(news[0]).request == queried);
  auto& answer = std::get<register_answered>(news[1]);
  CHECK(answer.request == registered);
  CHECK(answer.events == std::vector<event>{test_event(2)});
  CHECK(session.pending_requests() == 0);
}

TEST_CASE_FIXTURE(session_fixture,
                  "client session: a forgotten request's answer is dropped "
                  "without harm") {
  initialised();
  auto queried = session.send_query(out, query_params{query_latest_params{}});
  auto got = server.receive(std::exchange(out, {}));
  session.forget(queried);
  CHECK(session.pending_requests() == 0);
  CHECK_FALSE(feed(server.send(msg_query_res{query_result{}}, got[0].conv)));
  CHECK(news.empty());
  // Answered once: a second answer in that conversation is to no request.
  auto error = feed(server.send(msg_query_res{query_result{}}, got[0].conv));
  REQUIRE(error);
  CHECK(error->what == client_session_error::kind::unknown_answer);
}

TEST_CASE_FIXTURE(session_fixture,
                  "client session: an answer to no request or of the wrong "
                  "kind ends the session") {
  initialised();
  SUBCASE("an answer in a conversation the server started") {
    auto error = feed(server.send(msg_register_res{}));
    REQUIRE(error);
    CHECK(error->what == client_session_error::kind::unknown_answer);
  }
  SUBCASE("a register answer to a query") {
    session.send_query(out, query_params{query_latest_params{}});
    auto got = server.receive(std::exchange(out, {}));
    auto error = feed(server.send(msg_register_res{}, got[0].conv));
    REQUIRE(error);
    CHECK(error->what == client_session_error::kind::wrong_answer);
  }
  SUBCASE("a request from the server") {
    auto error = feed(server.send(msg_register_req{}));
    REQUIRE(error);
    CHECK(error->what == client_session_error::kind::unexpected_message);
  }
  SUBCASE("a message that does not decode") {
    std::vector<char> bytes;
    server.conn.send(bytes, "HatEventer.MsgStatusNotify",
                     std::vector<char>{char(0x7f)});
    auto error = feed(bytes);
    REQUIRE(error);
    CHECK(error->what == client_session_error::kind::bad_message);
  }
  SUBCASE("a frame over the size bound") {
    // [m = 4][length 0x7fffffff]
    auto error = feed(std::vector<char>{4, 0x7f, char(0xff), char(0xff),
                                        char(0xff)});
    REQUIRE(error);
    CHECK(error->what == client_session_error::kind::bad_frame);
  }
  CHECK(news.empty());
}
