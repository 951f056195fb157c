#include "protocol/timestamp_conversion.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace {

using hat::timestamp;
using hat::timestamp_from_float;
using hat::timestamp_from_iso8601;
using hat::timestamp_to_float;
using hat::timestamp_to_iso8601;

constexpr int64_t day = 86'400;

/// Seconds at 1970-01-01 of every year 0..10000, built by adding year
/// lengths one by one: a reference independent of the civil algorithm.
std::vector<int64_t> year_starts() {
  auto length = [](int64_t y) {
    bool leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    return (leap ? 366 : 365) * day;
  };
  std::vector<int64_t> starts(10'001);
  starts[1970] = 0;
  for (int64_t y = 1971; y <= 10'000; ++y)
    starts[y] = starts[y - 1] + length(y - 1);
  for (int64_t y = 1969; y >= 0; --y)
    starts[y] = starts[y + 1] - length(y);
  return starts;
}

std::string year_text(int64_t y) {
  std::string digits = std::to_string(y < 0 ? -y : y);
  if (digits.size() < 4)
    digits.insert(0, 4 - digits.size(), '0');
  return (y < 0 ? "-" : y > 9999 ? "+" : "") + digits;
}

void check_round_trip(timestamp t) {
  std::string text = timestamp_to_iso8601(t);
  CAPTURE(t.s);
  CAPTURE(t.us);
  CAPTURE(text);
  CHECK(timestamp_from_iso8601(text) == t);
}

}  // namespace

TEST_CASE("timestamp_to_float") {
  CHECK(timestamp_to_float({0, 0}) == 0.0);
  CHECK(timestamp_to_float({1'700'000'000, 123'456}) == 1700000000.123456);
  CHECK(timestamp_to_float({-1, 500'000}) == -0.5);
  CHECK(timestamp_to_float({-3, 999'999}) == -2.000001);
  CHECK(timestamp_to_float({INT64_MIN, 0}) == -0x1p63);
}

TEST_CASE("timestamp_from_float matches the reference") {
  // Expected values computed with hat-event 0.9's timestamp_from_float.
  struct sample {
    double in;
    timestamp out;
  };
  const sample samples[] = {
      {0.0, {0, 0}},
      {-0.0, {0, 0}},
      {1700000000.123456, {1'700'000'000, 123'456}},
      {-0.5, {-1, 500'000}},
      {-2.0, {-2, 0}},
      {-1.0, {-1, 0}},
      {1.9999999, {2, 0}},
      {1.9999994, {1, 999'999}},
      {-1e-7, {0, 0}},
      // 999999.5 rounds to the even 1000000 and carries.
      {-5e-7, {0, 0}},
      {-1699999999.876544, {-1'700'000'000, 123'456}},
      {-1234.5678905, {-1235, 432'110}},
      {1e15 + 0.5, {1'000'000'000'000'000, 500'000}},
      // Exact ties in the microsecond product: half to even.
      {0.5e-6, {0, 0}},
      {1.5e-6, {0, 2}},
      {2.5e-6, {0, 2}},
      {3.5e-6, {0, 4}},
      {4.5e-6, {0, 4}},
      {123.4567895, {123, 456'789}},
      {-0x1p63, {INT64_MIN, 0}},
      {0x1p62, {int64_t{1} << 62, 0}},
      {-0x1p62, {-(int64_t{1} << 62), 0}},
  };
  for (const sample& item : samples) {
    CAPTURE(item.in);
    CHECK(timestamp_from_float(item.in) == item.out);
  }
}

TEST_CASE("timestamp_from_float rejects non-finite and huge values") {
  constexpr double inf = std::numeric_limits<double>::infinity();
  CHECK_FALSE(timestamp_from_float(std::nan("")));
  CHECK_FALSE(timestamp_from_float(inf));
  CHECK_FALSE(timestamp_from_float(-inf));
  CHECK_FALSE(timestamp_from_float(0x1p63));
  CHECK_FALSE(timestamp_from_float(-0x1p63 * (1 + 0x1p-52)));
  CHECK_FALSE(timestamp_from_float(1e300));
}

TEST_CASE("float conversions round-trip within double precision") {
  std::mt19937_64 rng(20240229);
  std::uniform_int_distribution<int64_t> seconds(-2'000'000'000,
                                                 2'000'000'000);
  std::uniform_int_distribution<int32_t> micros(0, 999'999);
  for (int i = 0; i < 10'000; ++i) {
    timestamp t{seconds(rng), micros(rng)};
    CAPTURE(t.s);
    CAPTURE(t.us);
    REQUIRE(timestamp_from_float(timestamp_to_float(t)) == t);
  }
}

TEST_CASE("iso8601 of microseconds of 1e6 and more") {
  // Stored as sent (up to 2^32 - 1); the text names the instant they add
  // up to, as Python's datetime does (before: a 7-digit or negative
  // fraction).
  CHECK(timestamp_to_iso8601({0, 1'500'000}) == "1970-01-01T00:00:01.500000Z");
  CHECK(timestamp_to_iso8601({0, 4'294'967'295})
        == "1970-01-01T01:11:34.967295Z");
  CHECK(timestamp_to_iso8601({INT64_MAX, 2'000'000}).find("-") != 0);
}

TEST_CASE("iso8601 known values") {
  struct sample {
    timestamp t;
    const char* text;
  };
  const sample samples[] = {
      {{0, 0}, "1970-01-01T00:00:00.000000Z"},
      {{1'700'000'000, 123'456}, "2023-11-14T22:13:20.123456Z"},
      {{-1, 500'000}, "1969-12-31T23:59:59.500000Z"},
      {{1'709'210'096, 789'012}, "2024-02-29T12:34:56.789012Z"},
      {{951'782'400, 0}, "2000-02-29T00:00:00.000000Z"},
      {{-2'203'891'200, 0}, "1900-03-01T00:00:00.000000Z"},
      {{-62'135'596'800, 0}, "0001-01-01T00:00:00.000000Z"},
      {{-62'167'219'200, 0}, "0000-01-01T00:00:00.000000Z"},
      // Year 0 is leap, year -1 is not.
      {{-62'162'121'600, 0}, "0000-02-29T00:00:00.000000Z"},
      {{-62'167'219'201, 999'999}, "-0001-12-31T23:59:59.999999Z"},
      {{-62'198'755'200, 0}, "-0001-01-01T00:00:00.000000Z"},
      {{253'402'300'799, 999'999}, "9999-12-31T23:59:59.999999Z"},
      {{253'402'300'800, 0}, "+10000-01-01T00:00:00.000000Z"},
  };
  for (const sample& item : samples) {
    CAPTURE(item.text);
    CHECK(timestamp_to_iso8601(item.t) == item.text);
    CHECK(timestamp_from_iso8601(item.text) == item.t);
  }
}

TEST_CASE("iso8601 parsing variants") {
  const timestamp base{1'700'000'000, 0};
  CHECK(timestamp_from_iso8601("2023-11-14T22:13:20Z") == base);
  CHECK(timestamp_from_iso8601("2023-11-14 22:13:20Z") == base);
  CHECK(timestamp_from_iso8601("2023-11-14T22:13:20") == base);
  CHECK(timestamp_from_iso8601("2023-11-14T22:13:20+00:00") == base);
  CHECK(timestamp_from_iso8601("2023-11-14T22:13:20-00:00") == base);
  CHECK(timestamp_from_iso8601("+2023-11-14T22:13:20Z") == base);

  // Fractions of 1 to 9 digits, truncated to microseconds.
  CHECK(timestamp_from_iso8601("2023-11-14T22:13:20.1Z") ==
        timestamp{base.s, 100'000});
  CHECK(timestamp_from_iso8601("2023-11-14T22:13:20.001Z") ==
        timestamp{base.s, 1'000});
  CHECK(timestamp_from_iso8601("2023-11-14T22:13:20.1234567Z") ==
        timestamp{base.s, 123'456});
  CHECK(timestamp_from_iso8601("2023-11-14T22:13:20.999999999Z") ==
        timestamp{base.s, 999'999});

  // The offset is subtracted to get UTC.
  CHECK(timestamp_from_iso8601("2023-06-15T12:00:00+02:00") ==
        timestamp{1'686'823'200, 0});
  CHECK(timestamp_from_iso8601("2023-06-15T12:00:00-05:30") ==
        timestamp{1'686'850'200, 0});
  CHECK(timestamp_from_iso8601("2023-06-15T12:00:00.5-05:30") ==
        timestamp{1'686'850'200, 500'000});
  // An offset may move the date across a year boundary.
  CHECK(timestamp_from_iso8601("1970-01-01T00:30:00+01:00") ==
        timestamp{-1800, 0});
}

TEST_CASE("iso8601 rejects malformed and out-of-range text") {
  const char* bad[] = {
      "2023-02-29T00:00:00Z",  // not a leap year
      "1900-02-29T00:00:00Z",  // century, not leap
      "2023-13-01T00:00:00Z",
      "2023-00-01T00:00:00Z",
      "2023-04-31T00:00:00Z",
      "2023-01-00T00:00:00Z",
      "2023-01-01T24:00:00Z",
      "2023-01-01T23:60:00Z",
      "2023-01-01T23:59:60Z",
      "2023-01-01",
      "2023-01-01T",
      "2023-01-01T00:00",
      "garbage",
      "",
      "2023-01-01T00:00:00Zx",
      "2023-01-01T00:00:00.000000Z ",
      "2023-01-01T00:00:00+01:00x",
      "2023-01-01T00:00:00.Z",
      "2023-01-01T00:00:00.1234567890Z",  // ten fraction digits
      "2023-01-01T00:00:00+1:00",
      "2023-01-01T00:00:00+01",
      "2023-01-01T00:00:00+24:00",
      "2023-01-01T00:00:00+01:60",
      "2023-1-01T00:00:00Z",
      "23-01-01T00:00:00Z",
      "12023-01-01T00:00:00Z",  // five digits need a sign
      "+202-01-01T00:00:00Z",
      "2023/01/01T00:00:00Z",
      "2023-01-01t00:00:00Z",
      "2023-01-01T00:00:00z",
      " 2023-01-01T00:00:00Z",
      "-2023-01-01T00:00:00ZZ",
  };
  for (const char* text : bad) {
    CAPTURE(text);
    CHECK_FALSE(timestamp_from_iso8601(text));
  }
}

TEST_CASE("iso8601 at the limits of int64 seconds") {
  std::string max_text = timestamp_to_iso8601(hat::max_timestamp);
  std::string min_text = timestamp_to_iso8601(hat::min_timestamp);
  CHECK(max_text == "+292277026596-12-04T15:30:07.999999Z");
  CHECK(min_text == "-292277022657-01-27T08:29:52.000000Z");
  CHECK(timestamp_from_iso8601(max_text) == hat::max_timestamp);
  CHECK(timestamp_from_iso8601(min_text) == hat::min_timestamp);
  // One second further does not fit.
  CHECK_FALSE(timestamp_from_iso8601("+292277026596-12-04T15:30:08Z"));
  CHECK_FALSE(timestamp_from_iso8601("-292277022657-01-27T08:29:51Z"));
  // An offset can bring an out-of-range local time back into range.
  CHECK(timestamp_from_iso8601("+292277026596-12-04T16:30:07+01:00") ==
        timestamp{INT64_MAX, 0});
  CHECK_FALSE(timestamp_from_iso8601("+9999999999999-01-01T00:00:00Z"));
  CHECK_FALSE(timestamp_from_iso8601("-9999999999999-01-01T00:00:00Z"));
}

TEST_CASE("iso8601 year boundaries 0..9999") {
  std::vector<int64_t> starts = year_starts();
  CHECK(starts[0] == -62'167'219'200);
  for (int64_t y = 0; y <= 10'000; ++y) {
    CAPTURE(y);
    timestamp first{starts[y], 0};
    timestamp last_before{starts[y] - 1, 999'999};
    REQUIRE(timestamp_to_iso8601(first) ==
            year_text(y) + "-01-01T00:00:00.000000Z");
    REQUIRE(timestamp_to_iso8601(last_before) ==
            year_text(y - 1) + "-12-31T23:59:59.999999Z");
    check_round_trip(first);
    check_round_trip(last_before);
  }
}

TEST_CASE("iso8601 round-trips random timestamps") {
  std::mt19937_64 rng(1970);
  std::uniform_int_distribution<int64_t> wide(-100'000'000'000,
                                              100'000'000'000);
  std::uniform_int_distribution<int64_t> any(INT64_MIN, INT64_MAX);
  std::uniform_int_distribution<int32_t> micros(0, 999'999);
  for (int i = 0; i < 20'000; ++i) {
    check_round_trip({wide(rng), micros(rng)});
    if (i % 10 == 0)
      check_round_trip({any(rng), micros(rng)});
  }
}

TEST_CASE("iso8601 text orders like timestamps for years 1000..9999") {
  std::vector<int64_t> starts = year_starts();
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<int64_t> seconds(starts[1000],
                                                 starts[10'000] - 1);
  std::uniform_int_distribution<int32_t> micros(0, 999'999);
  for (int i = 0; i < 20'000; ++i) {
    timestamp a{seconds(rng), micros(rng)};
    // Every fourth pair shares a second, so microseconds decide.
    timestamp b{i % 4 == 0 ? a.s : seconds(rng), micros(rng)};
    std::string ta = timestamp_to_iso8601(a);
    std::string tb = timestamp_to_iso8601(b);
    CAPTURE(ta);
    CAPTURE(tb);
    REQUIRE((a < b) == (ta < tb));
    REQUIRE((a == b) == (ta == tb));
  }
}

TEST_CASE("timestamp_now follows the system clock") {
  using namespace std::chrono;
  auto micros_now = [] {
    return duration_cast<microseconds>(system_clock::now().time_since_epoch())
        .count();
  };
  int64_t before = micros_now();
  timestamp now = hat::timestamp_now();
  int64_t after = micros_now();
  int64_t now_us = now.s * 1'000'000 + now.us;
  CHECK(now.us >= 0);
  CHECK(now.us < 1'000'000);
  CHECK(now_us >= before);
  CHECK(now_us <= after);
  check_round_trip(now);
}
