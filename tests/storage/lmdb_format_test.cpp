// The reference's on-disk encodings, against hand-computed bytes.

#include "storage/lmdb/format.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include "protocol/eventer_codec.hpp"
#include "storage/lmdb/json_text.hpp"
#include "storage/lmdb/json_values.hpp"
#include "tests/protocol/vector_json.hpp"

namespace fmt = hat::storage::lmdb::format;
using fmt::format_errc;
using hat::event;
using hat::event_id;
using hat::timestamp;

namespace {

std::string hex(std::string_view bytes) {
  return hat::test::to_hex(std::span<const char>(bytes.data(), bytes.size()));
}

template <size_t N>
std::string hex(const fmt::bytes<N>& bytes) {
  return hex(fmt::view(bytes));
}

std::string unhex(std::string_view text) {
  auto bytes = hat::test::from_hex(text);
  return std::string(bytes.begin(), bytes.end());
}

/// The error code of a result that must be an error.
template <class T>
format_errc failure(const fmt::format_result<T>& r) {
  REQUIRE_FALSE(r.ok());
  return r.error().code;
}

template <class T>
T take(fmt::format_result<T> r) {
  if (!r.ok())
    FAIL(r.error().detail);
  return std::move(r).value();
}

std::string json(const boost::json::value& value) {
  return take(fmt::encode_json(value));
}

}  // namespace

TEST_CASE("format: database names and numbers are the reference's") {
  std::vector<std::string_view> names;
  for (size_t i = 0; i < fmt::all_db_types.size(); ++i) {
    CHECK(static_cast<size_t>(fmt::all_db_types[i]) == i);
    names.push_back(fmt::db_name(fmt::all_db_types[i]));
  }
  CHECK(names == std::vector<std::string_view>{
                   "SYSTEM_SETTINGS", "SYSTEM_LAST_EVENT_ID",
                   "SYSTEM_LAST_TIMESTAMP", "REF", "LATEST_DATA",
                   "LATEST_TYPE", "TIMESERIES_DATA", "TIMESERIES_PARTITION",
                   "TIMESERIES_COUNT"});
  CHECK(fmt::format_version == "0.9");
}

TEST_CASE("format: uint is 8 bytes big-endian") {
  CHECK(hex(fmt::encode_uint(0)) == "0000000000000000");
  CHECK(hex(fmt::encode_uint(1)) == "0000000000000001");
  CHECK(hex(fmt::encode_uint(0x0102030405060708)) == "0102030405060708");
  CHECK(hex(fmt::encode_uint(UINT64_MAX)) == "ffffffffffffffff");
  for (uint64_t v : {uint64_t{0}, uint64_t{1234}, uint64_t{0xffffffff},
                     uint64_t{UINT64_MAX}})
    CHECK(take(fmt::decode_uint(fmt::view(fmt::encode_uint(v)))) == v);

  CHECK(failure(fmt::decode_uint("")) == format_errc::wrong_length);
  CHECK(failure(fmt::decode_uint(unhex("00000000000001"))) ==
        format_errc::wrong_length);
  CHECK(failure(fmt::decode_uint(unhex("000000000000000001"))) ==
        format_errc::wrong_length);
}

TEST_CASE("format: settings ids") {
  CHECK(hex(fmt::encode_settings_id(fmt::settings_id::version)) ==
        "0000000000000000");
  CHECK(hex(fmt::encode_settings_id(fmt::settings_id::identifier)) ==
        "0000000000000001");
  CHECK(take(fmt::decode_settings_id(unhex("0000000000000001"))) ==
        fmt::settings_id::identifier);
  CHECK(failure(fmt::decode_settings_id(unhex("0000000000000002"))) ==
        format_errc::out_of_range);
}

TEST_CASE("format: event id is three uints") {
  CHECK(hex(fmt::encode_event_id({1, 2, 3})) ==
        "0000000000000001"
        "0000000000000002"
        "0000000000000003");
  event_id big{0xffffffff, 0xffffffff, INT64_MAX};
  CHECK(hex(fmt::encode_event_id(big)) ==
        "00000000ffffffff"
        "00000000ffffffff"
        "7fffffffffffffff");
  CHECK(take(fmt::decode_event_id(fmt::view(fmt::encode_event_id(big)))) ==
        big);

  // Above INT64_MAX (the reference's range bound) is no event id of ours.
  CHECK(failure(fmt::decode_event_id(std::string(24, '\xff'))) ==
        format_errc::out_of_range);
  CHECK(failure(fmt::decode_event_id(std::string(23, '\0'))) ==
        format_errc::wrong_length);
  CHECK(failure(fmt::decode_event_id(std::string(25, '\0'))) ==
        format_errc::wrong_length);
}

TEST_CASE("format: timestamp is s + 2^63 then us") {
  CHECK(hex(fmt::encode_timestamp({0, 0})) == "800000000000000000000000");
  CHECK(hex(fmt::encode_timestamp({-1, 999'999})) ==
        "7fffffffffffffff000f423f");
  CHECK(hex(fmt::encode_timestamp({1, 500'000})) ==
        "80000000000000010007a120");
  CHECK(hex(fmt::encode_timestamp(hat::min_timestamp)) ==
        "000000000000000000000000");
  CHECK(hex(fmt::encode_timestamp(hat::max_timestamp)) ==
        "ffffffffffffffff000f423f");

  for (timestamp t : {timestamp{0, 0}, timestamp{-1, 999'999},
                      hat::min_timestamp, hat::max_timestamp,
                      timestamp{1'700'000'000, 123'456}})
    CHECK(take(fmt::decode_timestamp(fmt::view(fmt::encode_timestamp(t)))) ==
          t);

  CHECK(failure(fmt::decode_timestamp(unhex("80000000000000000000"))) ==
        format_errc::wrong_length);
  // Microseconds of 1'000'000 and more are stored as sent (the reference
  // does), up to what four bytes hold.
  CHECK(take(fmt::decode_timestamp(unhex("8000000000000000000f4240"))) ==
        timestamp{0, 1'000'000});
  CHECK(take(fmt::decode_timestamp(unhex("80000000000000ffffffffff"))) ==
        timestamp{255, UINT32_MAX});
  for (timestamp t : {timestamp{5, 1'500'000}, timestamp{-5, UINT32_MAX}})
    CHECK(take(fmt::decode_timestamp(fmt::view(fmt::encode_timestamp(t)))) ==
          t);
}

TEST_CASE("format: byte order of encoded timestamps is time order") {
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<int64_t> seconds(INT64_MIN, INT64_MAX);
  std::uniform_int_distribution<int32_t> micros(0, 999'999);
  std::vector<timestamp> times = {hat::min_timestamp, hat::max_timestamp,
                                  {-1, 0}, {0, 0}, {-1, 999'999}, {0, 1},
                                  {0, 1'000'000}, {0, UINT32_MAX}, {1, 0}};
  for (int i = 0; i < 200; ++i)
    times.push_back({seconds(rng) / (i % 2 ? 1 : 1'000'000), micros(rng)});
  for (size_t i = 0; i + 1 < times.size(); ++i) {
    const timestamp& a = times[i];
    const timestamp& b = times[i + 1];
    CAPTURE(a.s);
    CAPTURE(b.s);
    auto ea = fmt::encode_timestamp(a);
    auto eb = fmt::encode_timestamp(b);
    CHECK((a < b) == (fmt::view(ea) < fmt::view(eb)));
    CHECK((a == b) == (fmt::view(ea) == fmt::view(eb)));
  }
}

TEST_CASE("format: timeseries key is partition, timestamp, event id") {
  fmt::timeseries_key key{5, {1, 500'000}, {1, 2, 3}};
  const std::string expected = "0000000000000005"
                               "80000000000000010007a120"
                               "0000000000000001"
                               "0000000000000002"
                               "0000000000000003";
  CHECK(hex(fmt::encode_timeseries_key(key)) == expected);
  CHECK(fmt::encode_timeseries_key(key).size() == 44);
  CHECK(take(fmt::decode_timeseries_key(unhex(expected))) == key);

  CHECK(hex(fmt::timeseries_key_upper_bound(5, {1, 500'000})) ==
        "0000000000000005"
        "80000000000000010007a120" +
          std::string(48, 'f'));
  // The bound closes a range: above every key at that time, below the next.
  auto bound = fmt::timeseries_key_upper_bound(5, {1, 500'000});
  fmt::timeseries_key last{5, {1, 500'000}, {INT64_MAX, INT64_MAX, 1}};
  fmt::timeseries_key later{5, {1, 500'001}, {0, 0, 0}};
  CHECK(fmt::view(fmt::encode_timeseries_key(last)) < fmt::view(bound));
  CHECK(fmt::view(bound) < fmt::view(fmt::encode_timeseries_key(later)));

  CHECK(failure(fmt::decode_timeseries_key(unhex(expected).substr(1))) ==
        format_errc::wrong_length);
  CHECK(failure(fmt::decode_timeseries_key(unhex(expected) + "x")) ==
        format_errc::wrong_length);
  CHECK(failure(fmt::decode_timeseries_key(fmt::view(bound))) ==
        format_errc::out_of_range);
}

TEST_CASE("format: event refs are (db type, key) entries") {
  fmt::timeseries_key key{5, {1, 500'000}, {1, 2, 3}};
  std::vector<fmt::event_ref> refs = {fmt::latest_event_ref{7},
                                      fmt::timeseries_event_ref{key}};
  const std::string expected = "04"
                               "0000000000000007"
                               "06"
                               "0000000000000005"
                               "80000000000000010007a120"
                               "0000000000000001"
                               "0000000000000002"
                               "0000000000000003";
  CHECK(hex(fmt::encode_event_refs(refs)) == expected);
  CHECK(take(fmt::decode_event_refs(unhex(expected))) == refs);
  CHECK(fmt::encode_event_refs({}).empty());
  CHECK(take(fmt::decode_event_refs("")).empty());

  // Another database type (REF = 3) is not a place events live.
  CHECK(failure(fmt::decode_event_refs(unhex("030000000000000007"))) ==
        format_errc::unknown_db_type);
  CHECK(failure(fmt::decode_event_refs(unhex("04000000000000"))) ==
        format_errc::wrong_length);
  CHECK(failure(fmt::decode_event_refs(unhex(expected).substr(0, 50))) ==
        format_errc::wrong_length);
  CHECK(failure(fmt::decode_event_refs(unhex("04"))) ==
        format_errc::wrong_length);
}

TEST_CASE("format: events are SBS HatEventer.Event, as the golden vectors") {
  size_t checked = 0;
  for (const auto& item : hat::test::load_vectors("eventer_vectors.json")) {
    const auto& v = item.as_object();
    if (v.at("type") != "Event")
      continue;
    CAPTURE(v.at("name").as_string().c_str());
    event e = hat::test::event_from_json(v.at("value"));
    std::vector<char> encoded = fmt::encode_event(e);
    CHECK(hat::test::to_hex(encoded) == v.at("hex").as_string());
    CHECK(take(fmt::decode_event(std::string_view(encoded.data(),
                                                  encoded.size()))) == e);
    ++checked;
  }
  CHECK(checked > 0);

  event e{{1, 2, 3},
          {"a", "\xc5\xa1"},
          {10, 20},
          timestamp{-5, 6},
          hat::payload_binary{"bin", std::string("\0\xff", 2)}};
  auto encoded = fmt::encode_event(e);
  std::vector<char> direct;
  hat::eventer::append_encoded(direct, e);
  CHECK(encoded == direct);
  std::string_view bytes(encoded.data(), encoded.size());
  CHECK(take(fmt::decode_event(bytes)) == e);
  CHECK(failure(fmt::decode_event(bytes.substr(0, bytes.size() - 1))) ==
        format_errc::bad_event);
  CHECK(failure(fmt::decode_event("")) == format_errc::bad_event);
}

TEST_CASE("format: settings values are JSON strings") {
  CHECK(fmt::encode_setting(fmt::format_version) == "\"0.9\"");
  CHECK(fmt::encode_setting("server \"one\"") == R"("server \"one\"")");
  CHECK(fmt::encode_setting(std::nullopt) == "null");

  CHECK(take(fmt::decode_setting("\"0.9\"")) == "0.9");
  CHECK(take(fmt::decode_setting(" \"\\u0161\" ")) == "\xc5\xa1");
  CHECK(take(fmt::decode_setting("null")) == std::nullopt);
  CHECK(failure(fmt::decode_setting("123")) == format_errc::unexpected_json);
  CHECK(failure(fmt::decode_setting("\"0.9")) == format_errc::bad_json);
  CHECK(failure(fmt::decode_setting("\"\xff\"")) == format_errc::bad_json);
}

TEST_CASE("format: event types are JSON lists, non-ASCII escaped") {
  CHECK(fmt::encode_event_type({"a", "b"}) == R"(["a", "b"])");
  CHECK(fmt::encode_event_type({}) == "[]");
  // U+0161 (š) as ensure_ascii writes it.
  CHECK(fmt::encode_event_type({"a", "\xc5\xa1"}) == R"(["a", "\u0161"])");
  // Astral characters as a surrogate pair, lower-case hex.
  CHECK(fmt::encode_event_type({"\xf0\x9f\x98\x80"}) ==
        R"(["\ud83d\ude00"])");

  hat::event_type type = {"x", "\xc5\xa1", "*", ""};
  CHECK(take(fmt::decode_event_type(fmt::encode_event_type(type))) == type);
  CHECK(take(fmt::decode_event_type("[]")).empty());
  CHECK(failure(fmt::decode_event_type(R"(["a", 1])")) ==
        format_errc::unexpected_json);
  CHECK(failure(fmt::decode_event_type(R"({"a": "b"})")) ==
        format_errc::unexpected_json);
  CHECK(failure(fmt::decode_event_type(R"(["a")")) == format_errc::bad_json);
}

TEST_CASE("format: partition descriptions") {
  fmt::partition_description description{
    hat::order_by::source_timestamp, {{"a", "*"}, {"b", "?", "\xc5\xa1"}}};
  const std::string text = R"({"order": "sourceTimestamp", )"
                           R"("subscriptions": [["a", "*"], )"
                           R"(["b", "?", "\u0161"]]})";
  CHECK(fmt::encode_partition(description) == text);
  CHECK(take(fmt::decode_partition(text)) == description);
  CHECK(fmt::encode_partition({hat::order_by::timestamp, {}}) ==
        R"({"order": "timestamp", "subscriptions": []})");

  // Other members are ignored, as the reference ignores them.
  auto extra = take(fmt::decode_partition(
    R"({"subscriptions": [["c"]], "limit": null, "order": "timestamp"})"));
  CHECK(extra.order_by == hat::order_by::timestamp);
  CHECK(extra.subscriptions == std::vector<hat::event_type>{{"c"}});

  CHECK(failure(fmt::decode_partition(
          R"({"order": "random", "subscriptions": []})")) ==
        format_errc::unexpected_json);
  CHECK(failure(fmt::decode_partition(R"({"order": "timestamp"})")) ==
        format_errc::unexpected_json);
  CHECK(failure(fmt::decode_partition(
          R"({"order": "timestamp", "subscriptions": [[1]]})")) ==
        format_errc::unexpected_json);
  CHECK(failure(fmt::decode_partition("[]")) == format_errc::unexpected_json);
}

TEST_CASE("format: JSON text as Python's json.dumps writes it") {
  // The reference test's data: None, 1234, "abc", {'a': [1, [], True, {}]}.
  CHECK(json(nullptr) == "null");
  CHECK(json(1234) == "1234");
  CHECK(json("abc") == "\"abc\"");
  CHECK(json(boost::json::parse(R"({"a": [1, [], true, {}]})")) ==
        R"({"a": [1, [], true, {}]})");

  // Member order is kept, not sorted.
  CHECK(json(boost::json::parse(R"({"z":1,"a":false,"m":-7})")) ==
        R"({"z": 1, "a": false, "m": -7})");
  CHECK(json(boost::json::value(UINT64_MAX)) == "18446744073709551615");
  CHECK(json(boost::json::value(INT64_MIN)) == "-9223372036854775808");

  // Escapes: short forms, \u00XX for the rest of C0 and for DEL, '/' kept.
  CHECK(json("\"\\/\n\r\t\b\f\x01\x1f\x7f~") ==
        R"("\"\\/\n\r\t\b\f\u0001\u001f\u007f~")");
  CHECK(json("\xe2\x82\xac") == R"("\u20ac")");
  CHECK(json("\xef\xbf\xbf") == R"("\uffff")");

  // Floats as Python's repr.
  CHECK(json(1.5) == "1.5");
  CHECK(json(0.1) == "0.1");
  CHECK(json(100000.0) == "100000.0");
  CHECK(json(1e15) == "1000000000000000.0");
  CHECK(json(1e16) == "1e+16");
  CHECK(json(1.5e16) == "1.5e+16");
  CHECK(json(0.0001) == "0.0001");
  CHECK(json(0.00001) == "1e-05");
  CHECK(json(1.5e-7) == "1.5e-07");
  CHECK(json(1e100) == "1e+100");
  CHECK(json(123456789.123) == "123456789.123");
  CHECK(json(0.0) == "0.0");
  CHECK(json(-0.0) == "-0.0");
  CHECK(json(-2.5) == "-2.5");

  // What json.dumps refuses (allow_nan=False) or cannot hold.
  CHECK(failure(fmt::encode_json(std::nan(""))) == format_errc::not_encodable);
  CHECK(failure(fmt::encode_json(std::numeric_limits<double>::infinity())) ==
        format_errc::not_encodable);
  CHECK(failure(fmt::encode_json(boost::json::array{"ok", "\xc3"})) ==
        format_errc::not_encodable);

  // Strings of the event model are UTF-8; anything else still gives JSON.
  std::string out;
  fmt::append_json_string(out, "a\xff" "b\xc3");
  CHECK(out == R"("a\ufffdb\ufffd")");
  out.clear();
  // An encoded surrogate (ED A0 80) is not UTF-8 either.
  fmt::append_json_string(out, "\xed\xa0\x80");
  CHECK(out == R"("\ufffd\ufffd\ufffd")");

  auto round = take(fmt::decode_json(json(boost::json::parse(
    R"({"k": ["\u0161", 1.25, null, {"n": -1}]})"))));
  CHECK(round == boost::json::parse(
                   R"({"k": ["\u0161", 1.25, null, {"n": -1}]})"));
}
