#include "protocol/timestamp_conversion.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>

namespace hat {

namespace {

constexpr int64_t seconds_per_day = 86'400;
// Days from 0000-03-01 to 1970-01-01: the civil algorithms count from a
// March-based year so that the leap day is the last day of a year.
constexpr int64_t epoch_shift = 719'468;
constexpr int64_t days_per_era = 146'097;  // 400 Gregorian years

// Exact for every int64 timestamp; the GCC/Clang extension avoids a
// hand-written overflow dance near INT64_MIN / INT64_MAX.
__extension__ typedef __int128 int128;

struct civil_date {
  int64_t year;
  int month;
  int day;
};

int64_t floor_div(int64_t a, int64_t b) {
  return a / b - (a % b < 0 ? 1 : 0);
}

/// Proleptic Gregorian date of a day count relative to 1970-01-01. Valid for
/// |days| up to about 2^62 / 146097, far beyond what int64 seconds reach.
civil_date civil_from_days(int64_t days) {
  int64_t z = days + epoch_shift;
  int64_t era = floor_div(z, days_per_era);
  int64_t doe = z - era * days_per_era;  // day of era, 0..146096
  // Year of era 0..399: the corrections undo the leap days before `doe`.
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);  // 0..365
  int64_t mp = (5 * doy + 2) / 153;  // month from March, 0..11
  int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return {era * 400 + yoe + (month <= 2 ? 1 : 0), month, day};
}

/// Inverse of civil_from_days for a valid date; |year| must stay below about
/// 2^62 / 366 to avoid overflow (callers bound it far tighter).
int64_t days_from_civil(int64_t year, int month, int day) {
  year -= month <= 2 ? 1 : 0;
  int64_t era = floor_div(year, 400);
  int64_t yoe = year - era * 400;
  int64_t mp = month > 2 ? month - 3 : month + 9;
  int64_t doy = (153 * mp + 2) / 5 + day - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * days_per_era + doe - epoch_shift;
}

bool is_leap(int64_t year) {
  return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
}

int days_in_month(int64_t year, int month) {
  static constexpr int days[] = {31, 28, 31, 30, 31, 30,
                                 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap(year) ? 29 : days[month - 1];
}

/// Position in the text being parsed; on any failed read the caller gives
/// up on the whole text, so readers need not restore the position.
struct cursor {
  std::string_view text;
  size_t pos = 0;

  bool at_end() const { return pos == text.size(); }

  bool eat(char c) {
    if (pos >= text.size() || text[pos] != c)
      return false;
    ++pos;
    return true;
  }

  /// Reads between min and max digits into `value` (max <= 18 keeps it
  /// inside int64).
  bool digits(size_t min, size_t max, int64_t& value,
              size_t* count = nullptr) {
    size_t n = 0;
    value = 0;
    while (pos < text.size() && n < max && text[pos] >= '0' &&
           text[pos] <= '9') {
      value = value * 10 + (text[pos] - '0');
      ++pos;
      ++n;
    }
    if (count)
      *count = n;
    return n >= min;
  }

  /// Exactly two digits, within [0, max].
  bool field(int max, int& value) {
    int64_t v;
    if (!digits(2, 2, v) || v > max)
      return false;
    value = static_cast<int>(v);
    return true;
  }
};

}  // namespace

double timestamp_to_float(timestamp t) {
  return static_cast<double>(t.s) + t.us * 1e-6;
}

std::optional<timestamp> timestamp_from_float(double seconds) {
  // 2^63 is exact in double; the comparisons also reject NaN.
  if (!(seconds >= -0x1p63 && seconds < 0x1p63))
    return std::nullopt;
  // The reference takes trunc(x) - 1 for negative x and lets the rounding
  // carry back; floor gives the same final values (-2.0 -> (-2, 0)) without
  // the detour, and floor(x) and x - floor(x) are exact in double.
  double whole = std::floor(seconds);
  auto s = static_cast<int64_t>(whole);
  // nearbyint under the default mode rounds half to even, like Python.
  auto us = static_cast<int32_t>(std::nearbyint((seconds - whole) * 1e6));
  if (us == 1'000'000)
    return timestamp{s + 1, 0};  // s < 2^63 - 1024, cannot overflow
  return timestamp{s, us};
}

std::string timestamp_to_iso8601(timestamp t) {
  // Microseconds of 1e6 and more (stored as sent, up to 2^32 - 1) carry
  // into the seconds; beyond INT64_MAX seconds nothing is left to carry.
  if (t.us >= 1'000'000 && t.s <= INT64_MAX - t.us / 1'000'000) {
    t.s += t.us / 1'000'000;
    t.us %= 1'000'000;
  }
  // Split without multiplying back: days * 86400 overflows near INT64_MIN.
  int64_t days = t.s / seconds_per_day;
  int64_t sod = t.s % seconds_per_day;
  if (sod < 0) {
    sod += seconds_per_day;
    --days;
  }
  civil_date d = civil_from_days(days);
  const char* sign = d.year < 0 ? "-" : d.year > 9999 ? "+" : "";
  // |year| < 3e11 for every int64 timestamp, so negation is safe.
  long long year = d.year < 0 ? -d.year : d.year;
  char buf[64];
  int n = std::snprintf(buf, sizeof buf,
                        "%s%04lld-%02d-%02dT%02d:%02d:%02d.%06dZ", sign, year,
                        d.month, d.day, static_cast<int>(sod / 3600),
                        static_cast<int>(sod / 60 % 60),
                        static_cast<int>(sod % 60), static_cast<int>(t.us));
  return std::string(buf, n > 0 ? static_cast<size_t>(n) : 0);
}

std::optional<timestamp> timestamp_from_iso8601(std::string_view text) {
  cursor c{text};

  // Four digits, or a sign and at least four (the form written for years
  // outside 0..9999). 13 digits are plenty: int64 seconds end near year
  // 2.9e11, the final range check rejects the rest.
  bool negative = c.eat('-');
  bool has_sign = negative || c.eat('+');
  int64_t year;
  if (!c.digits(4, has_sign ? 13 : 4, year))
    return std::nullopt;
  if (negative)
    year = -year;

  int month, day, hour, minute, second;
  if (!c.eat('-') || !c.field(12, month) || month < 1 || !c.eat('-') ||
      !c.field(31, day) || day < 1 || day > days_in_month(year, month))
    return std::nullopt;
  if (!c.eat('T') && !c.eat(' '))
    return std::nullopt;
  if (!c.field(23, hour) || !c.eat(':') || !c.field(59, minute) ||
      !c.eat(':') || !c.field(59, second))
    return std::nullopt;

  int64_t us = 0;
  if (c.eat('.')) {
    size_t count;
    if (!c.digits(1, 9, us, &count))
      return std::nullopt;
    // Scale to nine digits, then truncate to microseconds.
    for (; count < 9; ++count)
      us *= 10;
    us /= 1000;
  }

  int offset_minutes = 0;
  if (!c.eat('Z')) {
    bool minus = c.eat('-');
    if (minus || c.eat('+')) {
      int oh, om;
      if (!c.field(23, oh) || !c.eat(':') || !c.field(59, om))
        return std::nullopt;
      offset_minutes = (minus ? -1 : 1) * (oh * 60 + om);
    }
  }
  if (!c.at_end())
    return std::nullopt;

  int128 s = int128{days_from_civil(year, month, day)} * seconds_per_day +
             hour * 3600 + minute * 60 + second - offset_minutes * 60;
  if (s < INT64_MIN || s > INT64_MAX)
    return std::nullopt;
  return timestamp{static_cast<int64_t>(s), static_cast<int32_t>(us)};
}

timestamp timestamp_now() {
  using namespace std::chrono;
  auto since_epoch = system_clock::now().time_since_epoch();
  auto s = floor<seconds>(since_epoch);
  auto us = duration_cast<microseconds>(since_epoch - s);
  return {static_cast<int64_t>(s.count()), static_cast<int32_t>(us.count())};
}

}  // namespace hat
