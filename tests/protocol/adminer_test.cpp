// HatEventAdminer: every vector of the reference reproduced byte for byte
// and read back, the frames of one real connection decoded, and the
// server session answering those requests with the same bytes.

#include <doctest/doctest.h>

#include "protocol/adminer_session.hpp"
#include "tests/protocol/vector_json.hpp"

namespace json = boost::json;
using namespace hat;
using hat::test::from_hex;
using hat::test::text_of;
using hat::test::to_hex;

namespace {

constexpr std::string_view module_prefix = "HatEventAdminer.";

/// The frame's inner payload as our message.
adminer::message inner_message(const json::value& frame) {
  auto& inner = frame.at("inner");
  auto type = text_of(inner, "type").substr(module_prefix.size());
  return test::adminer_message_from_json(type, inner.at("value"));
}

}  // namespace

TEST_CASE("adminer vectors: encoded byte for byte, decoded back") {
  auto vectors = test::load_vectors("ops/adminer_vectors.json");
  REQUIRE(vectors.size() == 24);
  for (auto& vector : vectors) {
    INFO("vector ", text_of(vector, "name"));
    REQUIRE(text_of(vector, "module") == "HatEventAdminer");
    auto type = text_of(vector, "type");
    auto msg = test::adminer_message_from_json(type, vector.at("value"));
    CHECK(adminer::type_name(msg) == std::string{module_prefix} + type);
    std::vector<char> encoded;
    adminer::append_encoded(encoded, msg);
    CHECK(to_hex(encoded) == text_of(vector, "hex"));
    CHECK(adminer::encoded_size(msg) == encoded.size());
    auto decoded = adminer::decode_message(adminer::type_name(msg),
                                           from_hex(text_of(vector, "hex")));
    REQUIRE(decoded.ok());
    CHECK(*decoded == msg);
  }
}

TEST_CASE("adminer: what does not decode is refused, not over-read") {
  using adminer::decode_message;
  // A Choice index beyond Response's two alternatives.
  CHECK(decode_message("HatEventAdminer.MsgSetLogConfRes", from_hex("82"))
          .error()
          .code
        == decode_errc::bad_choice);
  // A String longer than what is left.
  CHECK(decode_message("HatEventAdminer.MsgSetLogConfReq", from_hex("85616263"))
          .error()
          .code
        == decode_errc::length_past_end);
  CHECK(decode_message("HatEventAdminer.MsgSetLogConfReq", from_hex("81ff"))
          .error()
          .code
        == decode_errc::invalid_utf8);
  CHECK(decode_message("HatEventAdminer.MsgGetLogConfRes", {}).error().code
        == decode_errc::truncated);
  CHECK(decode_message("HatEventer.MsgInitReq", {}).error().code
        == decode_errc::unknown_message_type);
  // None reads nothing: trailing bytes are ignored, as the reference does.
  CHECK(decode_message("HatEventAdminer.MsgGetLogConfReq", from_hex("80"))
          .ok());
}

TEST_CASE("adminer chatter frames: one real connection, frame by frame") {
  auto frames = test::load_vectors("ops/adminer_chatter_frames.json");
  REQUIRE(frames.size() == 8);
  for (auto& frame : frames) {
    INFO("frame ", text_of(frame, "name"));
    auto value = test::chatter_msg_from_json(frame.at("value"));
    std::vector<char> encoded;
    chatter::append_frame(encoded, value.header, value.type, value.data);
    CHECK(to_hex(encoded) == text_of(frame, "hex"));
    auto msg = inner_message(frame);
    CHECK(adminer::type_name(msg) == value.type);
    std::vector<char> payload;
    adminer::append_encoded(payload, msg);
    CHECK(to_hex(payload) == to_hex(value.data));
  }
}

TEST_CASE("adminer session: answers the real connection's requests with "
          "the reference server's bytes") {
  auto frames = test::load_vectors("ops/adminer_chatter_frames.json");
  REQUIRE(frames.size() == 8);
  adminer::server_session session;
  auto now = chatter::clock::now();
  // Requests and answers alternate: feed each request, answer it with the
  // reference's answer, compare the bytes.
  for (size_t i = 0; i + 1 < frames.size(); i += 2) {
    auto& request_frame = frames[i];
    auto& answer_frame = frames[i + 1];
    INFO("request ", text_of(request_frame, "name"));
    std::vector<char> out;
    CHECK(session.receive(from_hex(text_of(request_frame, "hex")), now, out));
    CHECK(out.empty());
    auto request = session.next_request();
    REQUIRE(request.has_value());
    auto expected = inner_message(request_frame);
    std::visit([&](auto& msg) { CHECK(adminer::message{msg} == expected); },
               request->msg);
    session.answer(out, request->conv, inner_message(answer_frame));
    CHECK(to_hex(out) == text_of(answer_frame, "hex"));
    CHECK_FALSE(session.next_request().has_value());
  }
  CHECK_FALSE(session.fault().has_value());
}

TEST_CASE("adminer session: the answer goes to the request's conversation "
          "whatever the request's flags") {
  adminer::server_session session;
  std::vector<char> in;
  // first=3, owner=false, last=true: no conversation start, no answer
  // asked; the reference answers first=3, owner=true, last=true.
  chatter::append_frame(in, {5, 3, false, true, true},
                        "HatEventAdminer.MsgGetLogConfReq", {});
  std::vector<char> out;
  REQUIRE(session.receive(in, chatter::clock::now(), out));
  auto request = session.next_request();
  REQUIRE(request.has_value());
  session.answer(out, request->conv,
                 adminer::msg_get_log_conf_res{std::nullopt, "null"});
  chatter::frame_decoder decoder;
  int seen = 0;
  decoder.feed(out, [&](std::span<const char> body) {
    auto msg = chatter::decode_msg(body);
    REQUIRE(msg.ok());
    CHECK(msg->header == chatter::msg_header{1, 3, true, true, true});
    ++seen;
    return true;
  });
  CHECK(seen == 1);
}

TEST_CASE("adminer session: pings answered, anything else ends the "
          "connection after the requests before it") {
  adminer::server_session session;
  std::vector<char> in;
  chatter::append_frame(in, {1, 1, true, true, false}, chatter::ping_type, {});
  chatter::append_frame(in, {2, 2, true, true, false},
                        "HatEventAdminer.MsgSetLogConfReq",
                        std::vector<char>{'\x81', 'x'});
  SUBCASE("a message of another protocol") {
    chatter::append_frame(in, {3, 3, true, true, false},
                          "HatEventer.MsgInitReq", {});
    std::vector<char> out;
    CHECK_FALSE(session.receive(in, chatter::clock::now(), out));
    CHECK(session.fault() == "unsupported message type HatEventer.MsgInitReq");
  }
  SUBCASE("an adminer answer sent to the server") {
    chatter::append_frame(in, {3, 3, true, true, false},
                          "HatEventAdminer.MsgSetLogConfRes",
                          std::vector<char>{'\x80'});
    std::vector<char> out;
    CHECK_FALSE(session.receive(in, chatter::clock::now(), out));
    CHECK(session.fault()
          == "unsupported message type HatEventAdminer.MsgSetLogConfRes");
  }
  SUBCASE("a request that does not decode") {
    chatter::append_frame(in, {3, 3, true, true, false},
                          "HatEventAdminer.MsgSetLogConfReq",
                          std::vector<char>{'\x85'});
    std::vector<char> out;
    CHECK_FALSE(session.receive(in, chatter::clock::now(), out));
    REQUIRE(session.fault().has_value());
    CHECK(session.fault()->starts_with(
      "cannot decode HatEventAdminer.MsgSetLogConfReq: "));
  }
  // The ping got its pong; the set before the fault is still answered.
  CHECK(session.queued() == 1);
  auto request = session.next_request();
  REQUIRE(request.has_value());
  auto* set = std::get_if<adminer::msg_set_log_conf_req>(&request->msg);
  REQUIRE(set != nullptr);
  CHECK(set->conf == "x");
  CHECK(session.chatter().next_id() == 2);  // the pong took id 1
}

TEST_CASE("adminer session: a frame beyond the limit is a fault") {
  chatter::connection_options options;
  options.max_frame_size = 64;
  adminer::server_session session{options};
  std::vector<char> in;
  chatter::append_frame(in, {1, 1, true, true, false},
                        "HatEventAdminer.MsgSetLogConfReq",
                        std::vector<char>(100, 'a'));
  std::vector<char> out;
  CHECK_FALSE(session.receive(in, chatter::clock::now(), out));
  REQUIRE(session.fault().has_value());
  CHECK(session.fault()->starts_with("malformed chatter data: "));
  CHECK(session.queued() == 0);
}
