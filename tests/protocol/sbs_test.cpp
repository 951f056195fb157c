// The SBS primitives: Integer edge cases from the spec, and the reader's
// refusals of malformed input.

#include <doctest/doctest.h>

#include "protocol/sbs_reader.hpp"
#include "protocol/sbs_writer.hpp"
#include "tests/protocol/vector_json.hpp"

using namespace hat;
using test::from_hex;
using test::to_hex;

namespace {

std::string integer_hex(int64_t value) {
  std::vector<char> out;
  sbs::append_encoded(out, value,
                      [](auto& sink, int64_t v) { sbs::put_integer(sink, v); });
  return to_hex(out);
}

decode_result<int64_t> read_integer(std::string_view hex) {
  auto bytes = from_hex(hex);
  sbs::reader r{bytes};
  auto value = r.get_integer();
  if (!r.ok())
    return *r.error();
  return value;
}

}  // namespace

TEST_CASE("sbs: Integer encodings from the spec") {
  const std::pair<int64_t, std::string_view> cases[] = {
    {0, "80"},
    {1, "81"},
    {63, "bf"},
    {64, "00c0"},
    {-1, "ff"},
    {-64, "c0"},
    {-65, "7fbf"},
    {INT64_MAX, "007f7f7f7f7f7f7f7fff"},
    {INT64_MIN, "7f000000000000000080"},
  };
  for (auto [value, hex] : cases) {
    INFO("value ", value);
    CHECK(integer_hex(value) == hex);
    CHECK(sbs::integer_size(value) == hex.size() / 2);
    auto decoded = read_integer(hex);
    REQUIRE(decoded.ok());
    CHECK(*decoded == value);
  }
}

TEST_CASE("sbs: Integer refusals") {
  // No terminating byte within 10 bytes.
  CHECK(read_integer("0000000000000000000080").error().code
        == decode_errc::integer_too_long);
  // Ten bytes whose top group does not repeat the sign: 2^63.
  CHECK(read_integer("017f7f7f7f7f7f7f7fff").error().code
        == decode_errc::integer_out_of_range);
  CHECK(read_integer("").error().code == decode_errc::truncated);
  CHECK(read_integer("0000").error().code == decode_errc::truncated);
  // Non-minimal but in range is accepted, as the reference does.
  CHECK(*read_integer("0081") == 1);
}

TEST_CASE("sbs: lengths, choices and UTF-8") {
  SUBCASE("string longer than the input") {
    auto bytes = from_hex("8561");
    sbs::reader r{bytes};
    r.get_string();
    REQUIRE(!r.ok());
    CHECK(r.error()->code == decode_errc::length_past_end);
    CHECK(r.error()->offset == 0);
  }
  SUBCASE("negative length") {
    auto bytes = from_hex("ff61");
    sbs::reader r{bytes};
    r.get_bytes();
    CHECK(r.error()->code == decode_errc::length_past_end);
  }
  SUBCASE("invalid UTF-8: overlong, surrogate, truncated sequence") {
    for (auto hex : {"82c0af", "83eda080", "81e2", "82ff61", "84f4908080"}) {
      INFO(hex);
      auto bytes = from_hex(hex);
      sbs::reader r{bytes};
      r.get_string();
      REQUIRE(!r.ok());
      CHECK(r.error()->code == decode_errc::invalid_utf8);
    }
  }
  SUBCASE("valid UTF-8 of every width") {
    auto bytes = from_hex("8a61c5a1e4b8adf09f9880");
    sbs::reader r{bytes};
    CHECK(r.get_string() == "aš中😀");
    CHECK(r.ok());
  }
  SUBCASE("choice index out of range") {
    auto bytes = from_hex("82");
    sbs::reader r{bytes};
    r.get_choice(2);
    CHECK(r.error()->code == decode_errc::bad_choice);
  }
  SUBCASE("array count beyond the input is refused before allocating") {
    auto bytes = from_hex("007f7f7f7f7f7f7f7fff");
    sbs::reader r{bytes};
    CHECK(r.get_count() == 0);
    CHECK(r.error()->code == decode_errc::length_past_end);
  }
  SUBCASE("the first error sticks and nothing more is read") {
    auto bytes = from_hex("82ff81");
    sbs::reader r{bytes};
    r.get_choice(2);
    CHECK(r.get_integer() == 0);
    CHECK(r.get_bool() == false);
    CHECK(r.error()->code == decode_errc::bad_choice);
    CHECK(r.error()->to_string() == "Choice index out of range at byte 0");
  }
  SUBCASE("floats are big-endian IEEE-754") {
    std::vector<char> out;
    sbs::append_encoded(out, 1700000000.5, [](auto& sink, double v) {
      sbs::put_double(sink, v);
    });
    CHECK(to_hex(out) == "41d954fc40200000");
    sbs::reader r{out};
    CHECK(r.get_double() == 1700000000.5);
  }
}
