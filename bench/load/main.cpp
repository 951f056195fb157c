// hat-event-load: load generator for any Eventer server (this one or the
// reference Python server), with a raw chatter echo server as the protocol
// ceiling measured in the same run. See usage() below.

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <thread>

#include "bench/load/echo_server.hpp"
#include "bench/load/notify_load.hpp"
#include "bench/load/register_load.hpp"
#include "bench/load/stall_load.hpp"

using namespace hat::bench;

namespace {

constexpr int exit_usage = 2;
constexpr int exit_watchdog = 3;

void usage(std::FILE* to) {
  std::fputs(
    "usage:\n"
    "  hat-event-load echo-server [--host H] --port P [--lifetime S]\n"
    "  hat-event-load register [--host H] --port P [--echo-port E]\n"
    "      [--clients N] [--batch B] [--events TOTAL] [--window W]\n"
    "      [--rate EVENTS_PER_S] [--payload-bytes 60] [--timeout S]\n"
    "  hat-event-load notify [--host H] --port P [--subscribers M]\n"
    "      [--batch B] [--events TOTAL] [--window W] [--payload-bytes 60]\n"
    "      [--timeout S]\n"
    "  hat-event-load stall [--host H] --port P [--kind module|query]\n"
    "      [--measure query|register] [--fill N] [--seconds S]\n"
    "\n"
    "echo-server  sends every chatter frame back unchanged (one thread per\n"
    "             connection): the protocol ceiling. Runs until killed, or\n"
    "             --lifetime seconds.\n"
    "register     N connections (default 1) register TOTAL events (default\n"
    "             100000) in batches of B (default 1) with response, W\n"
    "             requests in flight each (default 1); --rate paces the\n"
    "             sends open loop (latency from the scheduled send time).\n"
    "             Prints events/s, requests/s and p50/p99/p999 latency;\n"
    "             with --echo-port the same procedure runs against the echo\n"
    "             server first and the server/echo ratios are printed.\n"
    "notify       M subscribers of [[\"*\"]] (default 100), then one\n"
    "             producer registers TOTAL events (default 20000) in\n"
    "             batches of B (default 100), window W (default 4). Prints\n"
    "             delivered events/s (M x TOTAL / time until the last\n"
    "             subscriber has all), producer events/s and lost events.\n"
    "stall        one client measures round trips (--measure, default\n"
    "             query) for S seconds (default 3), then S more while\n"
    "             another keeps a slow request in the server: a `slow/x`\n"
    "             registration (--kind module: needs a module that holds\n"
    "             it, bench/modules/slow.cpp) or a query of everything\n"
    "             (--kind query; --fill N events are registered first).\n"
    "\n"
    "--host defaults to 127.0.0.1; --timeout (default 60 s) bounds each\n"
    "run. Exit status: 0 success, 1 a run failed (refused, lost events,\n"
    "timeout), 2 usage, 3 the process-wide watchdog fired.\n"
    "The last line of a run is `result key=value ...` for scripts.\n",
    to);
}

[[noreturn]] void bad_usage(const std::string& why) {
  std::fprintf(stderr, "hat-event-load: %s\n\n", why.c_str());
  usage(stderr);
  std::exit(exit_usage);
}

template <class T>
T parse_number(std::string_view name, std::string_view text, T min, T max) {
  T value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(),
                                   value);
  if (ec != std::errc{} || end != text.data() + text.size() || value < min
      || value > max)
    bad_usage("bad value for " + std::string{name} + ": "
              + std::string{text});
  return value;
}

/// Option name -> what to do with its value, per mode.
using handlers =
  std::map<std::string_view, std::function<void(std::string_view)>>;

uint16_t parse_port(std::string_view name, std::string_view text);

/// `more` with --host and --port, which every mode takes.
handlers with_address(std::string& host, uint16_t& port, bool& port_given,
                      handlers more) {
  more.emplace("--host", [&host](std::string_view v) { host = v; });
  more.emplace("--port", [&port, &port_given](std::string_view v) {
    port = parse_port("--port", v);
    port_given = true;
  });
  return more;
}

void parse_options(int argc, char** argv, const handlers& known) {
  for (int i = 2; i < argc; ++i) {
    std::string_view name = argv[i];
    auto it = known.find(name);
    if (it == known.end())
      bad_usage("unknown option " + std::string{name});
    if (i + 1 >= argc)
      bad_usage("missing value for " + std::string{name});
    it->second(argv[++i]);
  }
}

uint16_t parse_port(std::string_view name, std::string_view text) {
  return parse_number<uint16_t>(name, text, 1, 65535);
}

std::chrono::seconds parse_seconds(std::string_view name,
                                   std::string_view text) {
  return std::chrono::seconds{parse_number<int64_t>(name, text, 1, 86400)};
}

/// Ends the process if a run outlives every bound it was given: a stuck
/// system call must not leave a benchmark script waiting forever.
void start_watchdog(std::chrono::seconds limit) {
  std::thread{[limit] {
    std::this_thread::sleep_for(limit);
    std::fprintf(stderr, "hat-event-load: watchdog: still running after %lld"
                         " s, giving up\n",
                 static_cast<long long>(limit.count()));
    std::_Exit(exit_watchdog);
  }}.detach();
}

constexpr size_t max_count = 1'000'000;
constexpr uint64_t max_events = 1'000'000'000'000ULL;

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    if (std::strcmp(argv[i], "--help") == 0
        || std::strcmp(argv[i], "-h") == 0) {
      usage(stdout);
      return 0;
    }
  if (argc < 2)
    bad_usage("no mode given");
  std::string_view mode = argv[1];
  // Every event ends up in a pipe or a file: print lines as they come.
  std::setvbuf(stdout, nullptr, _IOLBF, 0);

  if (mode == "echo-server") {
    echo_options o;
    bool port_given = false;
    parse_options(
      argc, argv,
      with_address(o.host, o.port, port_given,
                   {{"--lifetime", [&](auto v) {
                       o.lifetime = parse_seconds("--lifetime", v);
                     }}}));
    if (!port_given)
      bad_usage("echo-server needs --port");
    return run_echo_server(o);
  }

  if (mode == "register") {
    register_options o;
    bool port_given = false;
    parse_options(
      argc, argv,
      with_address(o.host, o.port, port_given,
      {{"--echo-port",
        [&](auto v) { o.echo_port = parse_port("--echo-port", v); }},
       {"--clients",
        [&](auto v) {
          o.clients = parse_number<size_t>("--clients", v, 1, 10'000);
        }},
       {"--batch",
        [&](auto v) {
          o.batch = parse_number<size_t>("--batch", v, 1, max_count);
        }},
       {"--events",
        [&](auto v) {
          o.events = parse_number<uint64_t>("--events", v, 1, max_events);
        }},
       {"--window",
        [&](auto v) {
          o.window = parse_number<size_t>("--window", v, 1, 100'000);
        }},
       {"--rate",
        [&](auto v) {
          o.rate = parse_number<double>("--rate", v, 1, 1e10);
        }},
       {"--payload-bytes",
        [&](auto v) {
          o.payload_bytes =
            parse_number<size_t>("--payload-bytes", v, 0, max_count);
        }},
       {"--timeout",
        [&](auto v) { o.timeout = parse_seconds("--timeout", v); }}}));
    if (!port_given)
      bad_usage("register needs --port");
    if (o.events < o.clients)
      bad_usage("--events must be at least --clients");
    start_watchdog(o.timeout * (o.echo_port ? 2 : 1)
                   + std::chrono::seconds{15});
    return run_register_mode(o);
  }

  if (mode == "notify") {
    notify_options o;
    bool port_given = false;
    parse_options(
      argc, argv,
      with_address(o.host, o.port, port_given,
      {{"--subscribers",
        [&](auto v) {
          o.subscribers =
            parse_number<size_t>("--subscribers", v, 1, 10'000);
        }},
       {"--batch",
        [&](auto v) {
          o.batch = parse_number<size_t>("--batch", v, 1, max_count);
        }},
       {"--events",
        [&](auto v) {
          o.events = parse_number<uint64_t>("--events", v, 1, max_events);
        }},
       {"--window",
        [&](auto v) {
          o.window = parse_number<size_t>("--window", v, 1, 100'000);
        }},
       {"--payload-bytes",
        [&](auto v) {
          o.payload_bytes =
            parse_number<size_t>("--payload-bytes", v, 0, max_count);
        }},
       {"--timeout",
        [&](auto v) { o.timeout = parse_seconds("--timeout", v); }}}));
    if (!port_given)
      bad_usage("notify needs --port");
    start_watchdog(o.timeout + std::chrono::seconds{15});
    return run_notify_mode(o);
  }

  if (mode == "stall") {
    stall_options o;
    bool port_given = false;
    parse_options(
      argc, argv,
      with_address(o.host, o.port, port_given,
      {{"--kind",
        [&](auto v) {
          if (v != "module" && v != "query")
            bad_usage("--kind is module or query");
          o.kind = v == "module" ? stall_kind::module : stall_kind::query;
        }},
       {"--measure",
        [&](auto v) {
          if (v != "query" && v != "register")
            bad_usage("--measure is query or register");
          o.measure = v == "query" ? measured_request::query
                                   : measured_request::register_;
        }},
       {"--fill",
        [&](auto v) {
          o.fill = parse_number<uint64_t>("--fill", v, 0, 100'000'000);
        }},
       {"--seconds",
        [&](auto v) { o.phase = parse_seconds("--seconds", v); }}}));
    if (!port_given)
      bad_usage("stall needs --port");
    start_watchdog(o.phase * 2 + std::chrono::seconds{120});
    return run_stall_mode(o);
  }

  bad_usage("unknown mode " + std::string{mode});
}
