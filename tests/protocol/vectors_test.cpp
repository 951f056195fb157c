// Every golden vector of the reference implementation is reproduced byte for
// byte and decodes back to the same value. The files are walked whole: a new
// vector of a known type needs no new code.

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>

#include "protocol/chatter_frame.hpp"
#include "tests/protocol/vector_json.hpp"

namespace json = boost::json;
using namespace hat;
using hat::test::from_hex;
using hat::test::text_of;
using hat::test::to_hex;

namespace {

/// Encodes `value`, compares with the vector, decodes the vector's bytes
/// and compares with `value`.
template <class T>
void check_building_block(const json::value& vector, const T& value) {
  std::vector<char> encoded;
  eventer::append_encoded(encoded, value);
  CHECK(to_hex(encoded) == text_of(vector, "hex"));
  CHECK(eventer::encoded_size(value) == encoded.size());
  auto decoded = eventer::decode<T>(from_hex(text_of(vector, "hex")));
  REQUIRE(decoded.ok());
  CHECK(*decoded == value);
}

using building_block_check = std::function<void(const json::value&)>;

const std::map<std::string, building_block_check, std::less<>>&
building_blocks() {
  static const std::map<std::string, building_block_check, std::less<>> map{
    {"EventId",
     [](auto& v) {
       check_building_block(v, test::event_id_from_json(v.at("value")));
     }},
    {"Timestamp",
     [](auto& v) {
       check_building_block(v, test::timestamp_from_json(v.at("value")));
     }},
    {"EventType",
     [](auto& v) {
       check_building_block(v, test::event_type_from_json(v.at("value")));
     }},
    {"EventPayload",
     [](auto& v) {
       check_building_block(v, test::event_payload_from_json(v.at("value")));
     }},
    {"Event",
     [](auto& v) {
       check_building_block(v, test::event_from_json(v.at("value")));
     }},
    {"RegisterEvent",
     [](auto& v) {
       check_building_block(v, test::register_event_from_json(v.at("value")));
     }},
  };
  return map;
}

void check_eventer_message(const json::value& vector,
                           eventer::dialect dialect) {
  auto type = text_of(vector, "type");
  auto msg = test::eventer_message_from_json(type, vector.at("value"),
                                             dialect);
  CHECK(eventer::type_name(msg) == "HatEventer." + type);
  std::vector<char> encoded;
  eventer::append_encoded(encoded, msg, dialect);
  CHECK(to_hex(encoded) == text_of(vector, "hex"));
  CHECK(eventer::encoded_size(msg, dialect) == encoded.size());
  auto decoded = eventer::decode_message("HatEventer." + type,
                                         from_hex(text_of(vector, "hex")),
                                         dialect);
  REQUIRE(decoded.ok());
  CHECK(*decoded == msg);
}

void check_observer_message(const json::value& vector) {
  auto type = text_of(vector, "type");
  auto msg = test::observer_message_from_json(type, vector.at("value"));
  CHECK(observer::type_name(msg) == "HatObserver." + type);
  std::vector<char> encoded;
  observer::append_encoded(encoded, msg);
  CHECK(to_hex(encoded) == text_of(vector, "hex"));
  auto decoded = observer::decode_message("HatObserver." + type,
                                          from_hex(text_of(vector, "hex")));
  REQUIRE(decoded.ok());
  CHECK(*decoded == msg);
}

void check_vector_file(const std::string& file, eventer::dialect dialect) {
  auto vectors = test::load_vectors(file);
  REQUIRE(!vectors.empty());
  for (auto& vector : vectors) {
    auto name = text_of(vector, "name");
    auto module = text_of(vector, "module");
    auto type = text_of(vector, "type");
    INFO("vector ", name, " (", module, ".", type, ")");
    if (module == "HatObserver") {
      check_observer_message(vector);
    } else if (auto it = building_blocks().find(type);
               it != building_blocks().end()) {
      REQUIRE(module == "HatEventer");
      it->second(vector);
    } else {
      REQUIRE(module == "HatEventer");
      check_eventer_message(vector, dialect);
    }
  }
}

}  // namespace

TEST_CASE("vectors: HatEventer and HatObserver, current dialect") {
  check_vector_file("eventer_vectors.json", eventer::dialect::current);
}

TEST_CASE("vectors: HatEventer v0.9.0 dialect") {
  check_vector_file("eventer_vectors_legacy_v0.9.0.json",
                    eventer::dialect::v0_9_0);
}

TEST_CASE("vectors: dialects differ only where the spec says") {
  using namespace eventer;
  std::vector<char> current;
  std::vector<char> legacy;
  append_encoded(current, message{msg_status_notify{status::operational}},
                 dialect::current);
  append_encoded(legacy, message{msg_status_notify{status::operational}},
                 dialect::v0_9_0);
  CHECK(to_hex(current) == "82");
  CHECK(to_hex(legacy) == "81");
  // Names one dialect does not have are refused by the other.
  CHECK(decode_message("HatEventer.MsgStatusAck", {}, dialect::current)
          .error()
          .code
        == decode_errc::unknown_message_type);
  CHECK(decode_message("HatEventer.MsgEventsAck", {}, dialect::v0_9_0)
          .error()
          .code
        == decode_errc::unknown_message_type);
  CHECK(decode_message("HatEventer.MsgEventsAck", {}, dialect::current).ok());
  // Transitional statuses read as standby to a v0.9.0 client.
  legacy.clear();
  append_encoded(legacy, message{msg_status_notify{status::stopping}},
                 dialect::v0_9_0);
  CHECK(to_hex(legacy) == "80");
}

TEST_CASE("vectors: whole chatter frames") {
  auto frames = test::load_vectors("chatter_frames.json");
  REQUIRE(frames.size() >= 8);
  for (auto& frame : frames) {
    auto name = text_of(frame, "name");
    INFO("frame ", name);
    auto value = test::chatter_msg_from_json(frame.at("value"));

    std::vector<char> encoded;
    chatter::append_frame(encoded, value.header, value.type, value.data);
    CHECK(to_hex(encoded) == text_of(frame, "hex"));

    auto wire = from_hex(text_of(frame, "hex"));
    auto msg_bytes = from_hex(text_of(frame, "msg_hex"));
    int frames_seen = 0;
    chatter::frame_decoder decoder;
    auto error = decoder.feed(wire, [&](std::span<const char> body) {
      ++frames_seen;
      CHECK(to_hex(body) == to_hex(msg_bytes));
      auto msg = chatter::decode_msg(body);
      REQUIRE(msg.ok());
      CHECK(msg->header == value.header);
      CHECK(msg->type == value.type);
      CHECK(to_hex(msg->data) == to_hex(value.data));
      return true;
    });
    CHECK(!error);
    CHECK(frames_seen == 1);
    CHECK(decoder.buffered() == 0);

    // The eventer payload inside decodes and re-encodes identically.
    auto inner = frame.as_object().if_contains("inner");
    if (inner && value.type.starts_with("HatEventer.")) {
      auto decoded = eventer::decode_message(value.type, value.data,
                                             eventer::dialect::current);
      REQUIRE(decoded.ok());
      std::vector<char> reencoded;
      eventer::append_encoded(reencoded, *decoded, eventer::dialect::current);
      CHECK(to_hex(reencoded) == to_hex(value.data));
      if (inner->as_object().contains("value")) {
        auto type = value.type.substr(std::string_view{"HatEventer."}.size());
        CHECK(*decoded
              == test::eventer_message_from_json(type, inner->at("value"),
                                                 eventer::dialect::current));
      }
    }
  }
}

TEST_CASE("vectors: the repository's copies match ../shared") {
  // tests/vectors is a whole copy of ../shared/vectors; tests/vectors/ops
  // holds the adminer files of ../shared/ops-vectors (its lmdb_convert
  // folder is copied beside the conversion tests).
  namespace fs = std::filesystem;
  fs::path ours_dir{test::vectors_dir()};
  fs::path shared = ours_dir / ".." / ".." / ".." / "shared";
  if (!fs::exists(shared / "vectors")) {
    MESSAGE("no ../shared beside the repository; nothing to compare");
    return;
  }
  auto read = [](const fs::path& p) {
    std::ifstream in{p, std::ios::binary};
    return std::string{std::istreambuf_iterator<char>{in}, {}};
  };
  auto compared = 0;
  for (auto& entry : fs::directory_iterator{shared / "vectors"}) {
    INFO("file ", entry.path().filename().string());
    auto ours = ours_dir / entry.path().filename();
    REQUIRE(fs::exists(ours));
    CHECK(read(ours) == read(entry.path()));
    ++compared;
  }
  for (auto name : {"adminer_vectors.json", "adminer_chatter_frames.json"}) {
    INFO("file ops/", name);
    REQUIRE(fs::exists(shared / "ops-vectors" / name));
    CHECK(read(ours_dir / "ops" / name)
          == read(shared / "ops-vectors" / name));
    ++compared;
  }
  CHECK(compared >= 6);
}
