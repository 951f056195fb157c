#include "bench/load/register_load.hpp"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <latch>
#include <mutex>
#include <string_view>
#include <thread>
#include <vector>

#include "bench/load/register_client.hpp"
#include "bench/load/stats.hpp"

namespace hat::bench {
namespace {

struct run_figures {
  bool ok = true;
  uint64_t events = 0;
  uint64_t requests = 0;
  double seconds = 0;
  latency_summary latency;
  /// Paced runs: how late the generator sent.
  latency_summary send_lag;

  double events_per_s() const {
    return seconds > 0 ? events / seconds : 0;
  }
  double requests_per_s() const {
    return seconds > 0 ? requests / seconds : 0;
  }
};

/// One run against `port`: every connection is initialised before the
/// first event is sent, so connection set-up is not measured.
run_figures run_once(const register_options& options, uint16_t port,
                     target_kind kind) {
  const auto deadline = clock::now() + options.timeout;
  const auto n = options.clients;
  std::vector<register_result> results(n);
  std::atomic<bool> failed{false};
  std::mutex print_mutex;
  std::latch ready{static_cast<std::ptrdiff_t>(n)};
  std::latch go{1};
  clock::time_point start;

  auto fail = [&](size_t i, const std::exception& e) {
    // Only the first failure explains anything; the others were cancelled.
    if (failed.exchange(true) && std::string_view{e.what()} == "cancelled")
      return;
    std::lock_guard lock{print_mutex};
    std::fprintf(stderr, "%s client %zu: %s\n",
                 std::string{target_name(kind)}.c_str(), i, e.what());
  };

  std::vector<std::thread> threads;
  for (size_t i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      std::optional<session> conn;
      auto name = "load-" + std::to_string(i);
      try {
        conn.emplace(options.host, port, deadline, &failed);
        conn->init({name, std::nullopt, {}, std::nullopt, false}, kind,
                   deadline);
      } catch (const std::exception& e) {
        fail(i, e);
      }
      ready.count_down();
      go.wait();
      if (failed)
        return;
      register_plan plan;
      plan.events = options.events / n + (i < options.events % n ? 1 : 0);
      plan.batch = options.batch;
      plan.window = options.window;
      if (options.rate > 0) {
        plan.rate = options.rate / n;
        // Spread the connections evenly over one send interval.
        std::chrono::duration<double> interval{options.batch / plan.rate};
        plan.phase = std::chrono::duration_cast<clock::duration>(
          interval * (static_cast<double>(i) / n));
      }
      request_set requests{"load", name, options.batch,
                           options.payload_bytes};
      try {
        drive_register(*conn, kind, requests, plan, start, deadline,
                       results[i]);
      } catch (const std::exception& e) {
        // What was answered until here still counts in the figures.
        results[i].finished = clock::now();
        fail(i, e);
      }
    });
  }
  ready.wait();
  // A little ahead, so every thread is waiting when the clock starts.
  start = clock::now() + std::chrono::milliseconds{2};
  go.count_down();
  for (auto& t : threads)
    t.join();

  run_figures figures;
  figures.ok = !failed;
  std::vector<int64_t> samples;
  std::vector<int64_t> lags;
  clock::time_point finished = start;
  for (auto& r : results) {
    lags.insert(lags.end(), r.send_lag_ns.begin(), r.send_lag_ns.end());
    figures.events += r.events;
    figures.requests += r.requests;
    finished = std::max(finished, r.finished);
    samples.insert(samples.end(), r.latencies_ns.begin(),
                   r.latencies_ns.end());
  }
  figures.seconds = std::chrono::duration<double>(finished - start).count();
  figures.latency = summarize(samples);
  figures.send_lag = summarize(lags);
  return figures;
}

void print_run(target_kind kind, const register_options& options,
               uint16_t port, const run_figures& f) {
  std::printf("  %-6s %s:%-5u %11.0f events/s %10.0f requests/s   "
              "p50 %8.1f  p99 %8.1f  p999 %8.1f  max %8.1f us%s\n",
              std::string{target_name(kind)}.c_str(), options.host.c_str(),
              port, f.events_per_s(), f.requests_per_s(), f.latency.p50_us,
              f.latency.p99_us, f.latency.p999_us, f.latency.max_us,
              f.ok ? "" : "   FAILED");
  if (options.rate > 0)
    std::printf("  %-6s sends late by p50 %.1f  p99 %.1f  max %.1f us"
                " (counted in the latency)\n",
                "", f.send_lag.p50_us, f.send_lag.p99_us,
                f.send_lag.max_us);
}

/// key=value fields for scripts: `<prefix>_events_per_s=...`.
void print_fields(const char* prefix, const run_figures& f) {
  std::printf(" %s_ok=%d %s_events_per_s=%.0f %s_requests_per_s=%.0f"
              " %s_p50_us=%.1f %s_p99_us=%.1f %s_p999_us=%.1f"
              " %s_max_us=%.1f %s_seconds=%.3f",
              prefix, f.ok ? 1 : 0, prefix, f.events_per_s(), prefix,
              f.requests_per_s(), prefix, f.latency.p50_us, prefix,
              f.latency.p99_us, prefix, f.latency.p999_us, prefix,
              f.latency.max_us, prefix, f.seconds);
  if (f.send_lag.count > 0)
    std::printf(" %s_send_lag_p99_us=%.1f", prefix, f.send_lag.p99_us);
}

}  // namespace

int run_register_mode(const register_options& options) {
  std::printf("register: %zu clients x batch %zu, window %zu, %llu events,"
              " payload %zu bytes",
              options.clients, options.batch, options.window,
              static_cast<unsigned long long>(options.events),
              options.payload_bytes);
  if (options.rate > 0)
    std::printf(", paced at %.0f events/s", options.rate);
  std::printf("\n");
  std::fflush(stdout);

  std::optional<run_figures> echo;
  if (options.echo_port) {
    echo = run_once(options, *options.echo_port, target_kind::echo);
    print_run(target_kind::echo, options, *options.echo_port, *echo);
    std::fflush(stdout);
  }
  auto server = run_once(options, options.port, target_kind::server);
  print_run(target_kind::server, options, options.port, server);
  double ratio_events = 0;
  double ratio_p50 = 0;
  if (echo) {
    ratio_events = echo->events_per_s() > 0
                     ? server.events_per_s() / echo->events_per_s()
                     : 0;
    ratio_p50 =
      echo->latency.p50_us > 0 ? server.latency.p50_us / echo->latency.p50_us
                               : 0;
    std::printf("  server/echo: events/s %.3f, p50 latency %.2f\n",
                ratio_events, ratio_p50);
  }

  std::printf("result mode=register clients=%zu batch=%zu window=%zu"
              " events=%llu rate=%.0f",
              options.clients, options.batch, options.window,
              static_cast<unsigned long long>(options.events), options.rate);
  print_fields("server", server);
  if (echo) {
    print_fields("echo", *echo);
    std::printf(" ratio_events=%.3f ratio_p50=%.3f", ratio_events,
                ratio_p50);
  }
  std::printf("\n");
  bool ok = server.ok && (!echo || echo->ok);
  return ok ? 0 : 1;
}

}  // namespace hat::bench
