#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdlib>
#include <ctime>

#include "log/record_format.hpp"

using hat::log::record;
using hat::log::record_format;

namespace {

/// 2025-12-01T05:30:02.391759Z, the moment the expected texts below were
/// made for; asctime is local time, so the tests run in UTC.
record sample() {
  ::setenv("TZ", "UTC", 1);
  ::tzset();
  record rec;
  rec.name = "hat.event.eventer.server";
  rec.levelno = 20;
  rec.message = "plain info \xc5\xa1";  // "plain info š"
  rec.created = std::chrono::system_clock::time_point{
    std::chrono::microseconds{1764567002391759}};
  rec.where = {"/src/actors/eventer_connection.cpp", 42, "on_message"};
  return rec;
}

std::string formatted(const char* format, const char* datefmt = nullptr) {
  record_format f{format, datefmt ? std::optional<std::string>{datefmt}
                                  : std::nullopt};
  return f.format(sample());
}

}  // namespace

// Every expected text below was measured with CPython 3.11.7:
// logging.Formatter(format, datefmt).format() of a LogRecord with the same
// name, level, message, pathname, lineno and funcName, created at
// 1764567002.391759, in TZ=UTC; except %(created)s: Python's time.time()
// divides the clock's nanoseconds by 1e9 (float(1764567002391759000) / 1e9
// is 1764567002.3917592 in CPython 3.11.7), and so do we.
TEST_CASE("record format: the fields and conversions give Python's text") {
  CHECK(formatted("[%(asctime)s %(levelname)s %(name)s] %(message)s")
        == "[2025-12-01 05:30:02,391 INFO hat.event.eventer.server] plain "
           "info \xc5\xa1");
  CHECK(formatted("%(levelname)-8s|%(name).5s|%(levelno)03d|%(msecs)d|"
                  "%(msecs)s|%(created)f|%(created)s")
        == "INFO    |hat.e|020|391|391.0|1764567002.391759|1764567002.3917592");
  CHECK(formatted("%(lineno)d|%(funcName)s|%(module)s|%(filename)s|"
                  "%(pathname)s|%%|%(processName)s")
        == "42|on_message|eventer_connection|eventer_connection.cpp|"
           "/src/actors/eventer_connection.cpp|%|MainProcess");
  CHECK(formatted("%(asctime)s %(message)s", "%d.%m.%Y %H:%M")
        == "01.12.2025 05:30 plain info \xc5\xa1");
  // Widths count characters, not bytes ("š" is two bytes, one character).
  CHECK(formatted("%(levelno)5.1f|%(name)r|%(levelno)x|%(levelname)8s|"
                  "%(message)-14s|")
        == " 20.0|'hat.event.eventer.server'|14|    INFO|plain info "
           "\xc5\xa1  |");
  CHECK(record_format{}.format(sample()) == "plain info \xc5\xa1");
}

TEST_CASE("record format: process and thread are this process's") {
  auto rec = sample();
  rec.thread = 140340347895872;
  CHECK(record_format{"%(process)d %(thread)d"}.format(rec)
        == std::to_string(::getpid()) + " 140340347895872");
}

TEST_CASE("record format: fields no record has are named, and left empty") {
  record_format f{"%(message)s %(taskName)s|%(stack_info)s"};
  CHECK(f.unknown_fields() == std::vector<std::string>{"taskName",
                                                         "stack_info"});
  CHECK(f.format(sample()) == "plain info \xc5\xa1 |");
}

TEST_CASE("record format: a width is capped, and an unknown conversion is "
          "text") {
  CHECK(formatted("%(levelname)99999999s").size() == 10000);
  CHECK(formatted("%(levelno)c|%(name)q") == "20|hat.event.eventer.server");
}

// repr() of these floats, measured with CPython 3.11.7.
TEST_CASE("record format: floats read as Python's repr writes them") {
  using hat::log::python_float_repr;
  CHECK(python_float_repr(391.0) == "391.0");
  CHECK(python_float_repr(1e16) == "1e+16");
  CHECK(python_float_repr(123456.789) == "123456.789");
  CHECK(python_float_repr(0.0001) == "0.0001");
  CHECK(python_float_repr(0.00001) == "1e-05");
  CHECK(python_float_repr(100000.0) == "100000.0");
  CHECK(python_float_repr(1e22) == "1e+22");
  CHECK(python_float_repr(2.5e-7) == "2.5e-07");
}
