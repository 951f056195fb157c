#include "bench/load/stall_load.hpp"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <exception>
#include <thread>

#include "bench/load/requests.hpp"
#include "bench/load/stats.hpp"
#include "client/eventer_client.hpp"

namespace hat::bench {

namespace {

using clock = std::chrono::steady_clock;

std::unique_ptr<client::eventer_client> connect(const stall_options& o,
                                                std::string name) {
  client::client_options options;
  options.host = o.host;
  options.port = o.port;
  options.client_name = std::move(name);
  options.timeout = std::chrono::seconds{60};
  return client::eventer_client::connect(std::move(options));
}

register_event small_event(std::string kind, uint64_t i) {
  return register_event{{"bench", "stall", std::move(kind),
                         std::to_string(i % 100)},
                        std::nullopt, payload_json{json_payload(i, 60)}};
}

/// Closed-loop round trips until `until`; latencies in ns.
std::vector<int64_t> measure(client::eventer_client& conn,
                             measured_request what, clock::time_point until) {
  std::vector<int64_t> latencies;
  for (uint64_t i = 0; clock::now() < until; ++i) {
    auto sent = clock::now();
    if (what == measured_request::query)
      conn.query(query_latest_params{
        std::vector<event_type>{{"bench", "stall", "measure", "0"}}});
    else if (!conn.register_with_response({small_event("measure", i)}))
      throw std::runtime_error("a measured registration was refused");
    latencies.push_back(
      std::chrono::duration_cast<std::chrono::nanoseconds>(clock::now() - sent)
        .count());
  }
  return latencies;
}

void print_phase(const char* name, std::vector<int64_t>& latencies) {
  auto s = summarize(latencies);
  std::printf("  %-6s %zu round trips: p50 %.1f us, p99 %.1f us, p999 %.1f "
              "us, max %.1f us\n",
              name, s.count, s.p50_us, s.p99_us, s.p999_us, s.max_us);
}

}  // namespace

int run_stall_mode(const stall_options& o) {
  try {
    auto measurer = connect(o, "stall-measure");
    auto staller = connect(o, "stall-slow");
    for (uint64_t done = 0; done < o.fill; done += 1000) {
      std::vector<register_event> batch;
      for (uint64_t i = done; i < std::min(o.fill, done + 1000); ++i)
        batch.push_back(small_event("fill", i));
      if (!staller->register_with_response(batch))
        throw std::runtime_error("filling was refused");
    }
    std::printf("stall: %s stalls (%llu events stored first), measuring %s "
                "round trips, %lld s per phase\n",
                o.kind == stall_kind::module ? "slow-module" : "large-query",
                static_cast<unsigned long long>(o.fill),
                o.measure == measured_request::query ? "query" : "register",
                static_cast<long long>(o.phase.count()));
    auto quiet = measure(*measurer, o.measure, clock::now() + o.phase);

    std::atomic<bool> stop{false};
    std::vector<int64_t> stalls;
    std::exception_ptr staller_failed;
    std::thread stalling{[&] {
      try {
        for (uint64_t i = 0; !stop; ++i) {
          auto sent = clock::now();
          if (o.kind == stall_kind::module) {
            if (!staller->register_with_response(
                  {register_event{{"slow", "x"}, std::nullopt,
                                  payload_json{"null"}}}))
              throw std::runtime_error("a slow registration was refused");
          } else {
            staller->query(query_timeseries_params{});
          }
          stalls.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(
                             clock::now() - sent)
                             .count());
        }
      } catch (...) {
        staller_failed = std::current_exception();
      }
    }};
    auto stalled = measure(*measurer, o.measure, clock::now() + o.phase);
    stop = true;
    stalling.join();
    if (staller_failed)
      std::rethrow_exception(staller_failed);

    print_phase("quiet", quiet);
    print_phase("stall", stalled);
    auto s = summarize(stalls);
    std::printf("  slow requests: %zu, each p50 %.1f ms, max %.1f ms\n",
                s.count, s.p50_us / 1000, s.max_us / 1000);
    auto q = summarize(quiet);
    auto t = summarize(stalled);
    std::printf("result mode=stall kind=%s measure=%s fill=%llu quiet_p50_us="
                "%.1f quiet_p99_us=%.1f quiet_max_us=%.1f stall_p50_us=%.1f "
                "stall_p99_us=%.1f stall_max_us=%.1f slow_requests=%zu "
                "slow_p50_ms=%.1f\n",
                o.kind == stall_kind::module ? "module" : "query",
                o.measure == measured_request::query ? "query" : "register",
                static_cast<unsigned long long>(o.fill), q.p50_us, q.p99_us,
                q.max_us, t.p50_us, t.p99_us, t.max_us, s.count,
                s.p50_us / 1000);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "hat-event-load stall: %s\n", e.what());
    return 1;
  }
}

}  // namespace hat::bench
