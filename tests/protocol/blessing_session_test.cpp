// The component's side of the monitor's blessing handshake, fed MsgServer
// states as a Hat Monitor sends them.

#include <doctest/doctest.h>

#include "protocol/blessing_session.hpp"

using namespace hat::observer;

namespace {

constexpr int64_t our_cid = 3;
constexpr int64_t our_mid = 0;

/// A MsgServer whose entry for us carries `req` and echoes `res`.
msg_server state(std::optional<int64_t> req, std::optional<int64_t> res,
                 bool ready = true) {
  msg_server msg;
  msg.cid = our_cid;
  msg.mid = our_mid;
  component_info other;
  other.cid = our_cid;
  other.mid = 1;  // same cid under another monitor: not us
  other.name = "peer";
  other.blessing_req.token = 99;
  other.blessing_req.timestamp = 1.0;
  component_info us;
  us.cid = our_cid;
  us.mid = our_mid;
  us.name = "event";
  us.group = "event";
  us.blessing_req.token = req;
  us.blessing_req.timestamp = req ? std::optional<double>{2.0} : std::nullopt;
  us.blessing_res = blessing_res{res, ready};
  msg.components = {other, us};
  return msg;
}

blessing_session make_session() {
  return blessing_session{"event", "event", R"({"server_id": 1})"};
}

/// The answers a step sends.
std::vector<blessing_res> answers(const blessing_session::effects& e) {
  std::vector<blessing_res> out;
  for (auto& msg : e.send) {
    CHECK(msg.name == "event");
    CHECK(msg.group == "event");
    CHECK(msg.data == R"({"server_id": 1})");
    out.push_back(msg.blessing_res);
  }
  return out;
}

using res = blessing_res;
using list = std::vector<blessing_res>;

}  // namespace

TEST_CASE("blessing: the handshake, from connect to blessing withdrawn") {
  auto s = make_session();
  CHECK(answers(s.connected()) == list{res{std::nullopt, false}});
  // The very first MsgServer has no entry for us yet: not blessed.
  CHECK(answers(s.received(msg_server{our_cid, our_mid, {}})).empty());
  CHECK(answers(s.set_ready(true)) == list{res{std::nullopt, true}});

  // Blessed with token 7: answer 7, but no engine before the echo.
  auto asked = s.received(state(7, std::nullopt));
  CHECK(answers(asked) == list{res{7, true}});
  CHECK_FALSE(asked.engine);
  CHECK(s.current_phase() == blessing_session::phase::answered);

  auto echoed = s.received(state(7, 7));
  CHECK(echoed.engine == true);
  CHECK(echoed.send.empty());
  CHECK(s.current_phase() == blessing_session::phase::active);
  // Repeats (the monitor sends several in a row) change nothing.
  auto repeat = s.received(state(7, 7));
  CHECK_FALSE(repeat.engine);
  CHECK(repeat.send.empty());

  // Withdrawn: stop the engine, keep answering 7 until it stopped.
  auto withdrawn = s.received(state(std::nullopt, 7));
  CHECK(withdrawn.engine == false);
  CHECK(withdrawn.send.empty());
  CHECK(s.answer() == res{7, true});
  auto stopped = s.engine_stopped();
  CHECK(answers(stopped) == list{res{std::nullopt, true}});
  CHECK_FALSE(stopped.engine);
  CHECK(s.current_phase() == blessing_session::phase::waiting);
  // Told once only.
  CHECK(s.engine_stopped().send.empty());
}

TEST_CASE("blessing: a request that changed before the echo starts over") {
  auto s = make_session();
  s.connected();
  s.set_ready(true);
  CHECK(answers(s.received(state(7, std::nullopt))) == list{res{7, true}});
  // The echo of 7 comes with a new request 8: answer 8, no engine yet.
  auto moved = s.received(state(8, 7));
  CHECK(answers(moved) == list{res{8, true}});
  CHECK_FALSE(moved.engine);
  CHECK(s.received(state(8, 8)).engine == true);
}

TEST_CASE("blessing: a request withdrawn before the echo keeps the answer "
          "until a new one") {
  // As hat-monitor's component: the answer stays what it was; the master
  // (BLESS_ONE) sees the member still answering.
  auto s = make_session();
  s.connected();
  s.set_ready(true);
  s.received(state(7, std::nullopt));
  auto gone = s.received(state(std::nullopt, 7));
  CHECK(gone.send.empty());
  CHECK_FALSE(gone.engine);
  CHECK(s.current_phase() == blessing_session::phase::waiting);
  CHECK(s.answer() == res{7, true});
  CHECK(answers(s.received(state(9, 7))) == list{res{9, true}});
}

TEST_CASE("blessing: a ready reset while active gives the blessing up") {
  auto s = make_session();
  s.connected();
  s.set_ready(true);
  s.received(state(7, std::nullopt));
  REQUIRE(s.received(state(7, 7)).engine == true);

  auto reset = s.set_ready(false);
  CHECK(answers(reset) == list{res{7, false}});
  CHECK(reset.engine == false);
  CHECK(answers(s.engine_stopped()) == list{res{std::nullopt, false}});
  // Still requested, but not ready: nothing until ready again.
  CHECK(s.received(state(7, std::nullopt, false)).send.empty());
  auto again = s.set_ready(true);
  CHECK(answers(again) == list{res{std::nullopt, true}, res{7, true}});
  CHECK_FALSE(again.engine);
}

TEST_CASE("blessing: ready before the connection is told on connect") {
  auto s = make_session();
  CHECK(s.set_ready(true).send.empty());
  CHECK(s.received(state(5, std::nullopt)).send.empty());
  auto first = s.connected();
  CHECK(answers(first) == list{res{std::nullopt, true}, res{5, true}});
}

TEST_CASE("blessing: only our own (cid, mid) entry counts") {
  auto s = make_session();
  s.connected();
  s.set_ready(true);
  auto msg = state(std::nullopt, std::nullopt);
  // Only the other entry (same cid, other mid) is blessed.
  auto step = s.received(msg);
  CHECK(step.send.empty());
  REQUIRE(s.own_entry());
  CHECK(s.own_entry()->mid == our_mid);
  msg.components.pop_back();
  s.received(msg);
  CHECK_FALSE(s.own_entry());
}
