// Truncations and bit flips of every golden vector: decoders report an
// error or a value that re-encodes consistently, never crash or over-read
// (this suite runs under ASan/UBSan in the test build).

#include <doctest/doctest.h>

#include "protocol/chatter_connection.hpp"
#include "tests/protocol/vector_json.hpp"

namespace json = boost::json;
using namespace hat;
using test::from_hex;

namespace {

/// Decodes bytes as the message a vector names; re-encodes what decodes.
struct vector_decoder {
  std::string type;  // full name, e.g. "HatEventer.MsgInitReq"
  eventer::dialect dialect;

  /// Runs the decoder; for a success checks encode(decode(x)) decodes to
  /// the same value. Returns whether it decoded.
  bool decode_and_check(std::span<const char> bytes) const {
    if (type.starts_with("HatObserver.")) {
      auto msg = observer::decode_message(type, bytes);
      if (!msg) {
        CHECK(msg.error().offset <= bytes.size());
        return false;
      }
      std::vector<char> again;
      observer::append_encoded(again, *msg);
      CHECK(*observer::decode_message(type, again) == *msg);
      return true;
    }
    auto msg = eventer::decode_message(type, bytes, dialect);
    if (!msg) {
      CHECK(msg.error().offset <= bytes.size());
      return false;
    }
    std::vector<char> again;
    eventer::append_encoded(again, *msg, dialect);
    CHECK(*eventer::decode_message(type, again, dialect) == *msg);
    return true;
  }
};

/// Positions to mutate: all of a small input, an even sample of a big one.
std::vector<size_t> positions(size_t size, size_t most = 300) {
  std::vector<size_t> out;
  size_t step = size <= most ? 1 : size / most;
  for (size_t i = 0; i < size; i += step)
    out.push_back(i);
  return out;
}

void mutate(const vector_decoder& decoder, const std::vector<char>& valid) {
  // SBS is self-delimiting: no strict prefix of a valid encoding is one.
  for (auto len : positions(valid.size())) {
    std::vector<char> prefix(valid.begin(), valid.begin() + len);
    INFO("prefix of ", len, " bytes");
    CHECK_FALSE(decoder.decode_and_check(prefix));
  }
  for (auto pos : positions(valid.size(), 64)) {
    for (int bit = 0; bit < 8; ++bit) {
      auto flipped = valid;
      flipped[pos] = static_cast<char>(flipped[pos] ^ (1 << bit));
      decoder.decode_and_check(flipped);
    }
  }
}

bool is_message(const json::value& vector) {
  auto& module = vector.at("module").as_string();
  auto& type = vector.at("type").as_string();
  return module == "HatObserver" || type.subview().starts_with("Msg");
}

void mutate_vector_file(const std::string& file, eventer::dialect dialect) {
  int mutated = 0;
  for (auto& vector : test::load_vectors(file)) {
    if (!is_message(vector))
      continue;
    auto& v = vector.as_object();
    std::string type{v.at("module").as_string()};
    type += ".";
    type += v.at("type").as_string();
    INFO("vector ", v.at("name").as_string().c_str());
    mutate({type, dialect}, from_hex(v.at("hex").as_string()));
    ++mutated;
  }
  CHECK(mutated > 0);
}

}  // namespace

TEST_CASE("malformed input: truncated and bit-flipped messages") {
  mutate_vector_file("eventer_vectors.json", eventer::dialect::current);
  mutate_vector_file("eventer_vectors_legacy_v0.9.0.json",
                     eventer::dialect::v0_9_0);
}

TEST_CASE("malformed input: truncated and bit-flipped chatter frames") {
  for (auto& frame : test::load_vectors("chatter_frames.json")) {
    auto wire = from_hex(frame.at("hex").as_string());
    INFO("frame ", frame.at("name").as_string().c_str());
    for (auto len : positions(wire.size())) {
      // A cut frame never comes out of the decoder.
      chatter::frame_decoder decoder;
      int frames = 0;
      auto error = decoder.feed(std::span{wire.data(), len},
                                [&](auto) { return ++frames, true; });
      CHECK(!error);
      CHECK(frames == 0);
    }
    for (auto pos : positions(wire.size(), 64)) {
      for (int bit = 0; bit < 8; ++bit) {
        auto flipped = wire;
        flipped[pos] = static_cast<char>(flipped[pos] ^ (1 << bit));
        chatter::connection conn;
        std::vector<char> out;
        auto error = conn.receive(flipped, chatter::clock::now(), out,
                                  [&](const chatter::received_msg& msg) {
                                    // Whatever arrives lies in the input.
                                    CHECK(msg.data.data() >= flipped.data());
                                    CHECK(msg.data.data() + msg.data.size()
                                          <= flipped.data() + flipped.size());
                                    return true;
                                  });
        if (error)
          CHECK(error->offset <= flipped.size());
      }
    }
  }
}

TEST_CASE("malformed input: unknown message types are refused") {
  auto msg = eventer::decode_message("HatEventer.MsgNoSuchThing", {},
                                     eventer::dialect::current);
  REQUIRE(!msg);
  CHECK(msg.error().code == decode_errc::unknown_message_type);
  auto obs = observer::decode_message("HatObserver.MsgSlave", {});
  REQUIRE(!obs);
  CHECK(obs.error().code == decode_errc::unknown_message_type);
}
