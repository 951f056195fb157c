#include "bench/load/notify_load.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <latch>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>
#include <vector>

#include "bench/load/register_client.hpp"

namespace hat::bench {
namespace {

struct subscriber_result {
  bool connected = false;
  uint64_t received = 0;
  /// Events of this run whose id was not above the one before.
  uint64_t out_of_order = 0;
  std::optional<clock::time_point> completed;
  std::string error;
};

/// Counts this run's events in one MsgEventsNotify, fully decoded as a
/// real subscriber would.
void count_events(const chatter::received_msg& msg, std::string_view tag,
                  std::optional<event_id>& last_id, subscriber_result& r) {
  auto notify = eventer::decode<eventer::msg_events_notify>(msg.data);
  if (!notify)
    throw load_error("malformed MsgEventsNotify: "
                     + notify.error().to_string());
  for (auto& e : notify->events) {
    // Other events (e.g. the server's own eventer status events) match
    // the subscription too; only this run's are counted.
    if (e.type.size() != 4 || e.type[0] != "bench" || e.type[1] != "notify"
        || e.type[2] != tag)
      continue;
    if (last_id && !(*last_id < e.id))
      ++r.out_of_order;
    last_id = e.id;
    ++r.received;
  }
}

void subscribe(const notify_options& options, size_t index,
               std::string_view tag, clock::time_point deadline,
               const std::atomic<bool>& cancel, std::latch& ready,
               subscriber_result& r) {
  std::optional<session> conn;
  try {
    conn.emplace(options.host, options.port, deadline, &cancel);
    conn->init({"load-sub-" + std::to_string(index), std::nullopt, {{"*"}},
                std::nullopt, false},
               target_kind::server, deadline);
    r.connected = true;
  } catch (const std::exception& e) {
    r.error = e.what();
  }
  ready.count_down();
  if (!r.connected)
    return;
  std::optional<event_id> last_id;
  try {
    while (r.received < options.events) {
      conn->receive(deadline, [&](const chatter::received_msg& msg,
                                  clock::time_point received) {
        if (msg.type != eventer::type_name_of<eventer::msg_events_notify>())
          return;  // status changes
        count_events(msg, tag, last_id, r);
        if (!r.completed && r.received >= options.events)
          r.completed = received;
        if (!msg.last) {
          // The server wants this notification acknowledged.
          eventer::msg_events_ack ack;
          conn->chatter().send(
            conn->out(), eventer::type_name_of<eventer::msg_events_ack>(),
            eventer::encoded_size(ack),
            [&](char* at) { eventer::encode_to(at, ack); }, msg.conv, true);
        }
      });
      if (!conn->out().empty())
        conn->flush(deadline);
    }
  } catch (const std::exception& e) {
    r.error = e.what();
  }
}

}  // namespace

int run_notify_mode(const notify_options& options) {
  std::printf("notify: %zu subscribers, 1 producer x batch %zu, window %zu,"
              " %llu events, payload %zu bytes\n",
              options.subscribers, options.batch, options.window,
              static_cast<unsigned long long>(options.events),
              options.payload_bytes);
  std::fflush(stdout);
  // Events of another run (or another generator) are not counted.
  const auto tag = "run-" + std::to_string(::getpid());
  const auto deadline = clock::now() + options.timeout;
  std::atomic<bool> cancel{false};
  std::latch ready{static_cast<std::ptrdiff_t>(options.subscribers)};
  std::vector<subscriber_result> subs(options.subscribers);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < options.subscribers; ++i)
    threads.emplace_back([&, i] {
      subscribe(options, i, tag, deadline, cancel, ready, subs[i]);
    });

  register_result produced;
  std::string producer_error;
  std::optional<clock::time_point> start;
  try {
    session producer{options.host, options.port, deadline, &cancel};
    producer.init({"load-producer", std::nullopt, {}, std::nullopt, false},
                  target_kind::server, deadline);
    ready.wait();
    for (auto& s : subs)
      if (!s.connected)
        throw load_error("a subscriber did not connect: " + s.error);
    register_plan plan;
    plan.events = options.events;
    plan.batch = options.batch;
    plan.window = options.window;
    request_set requests{"notify", tag, options.batch,
                         options.payload_bytes};
    start = clock::now();
    drive_register(producer, target_kind::server, requests, plan, *start,
                   deadline, produced);
  } catch (const std::exception& e) {
    producer_error = e.what();
    // Nothing more will come: do not wait for the deadline.
    cancel = true;
  }
  for (auto& t : threads)
    t.join();

  uint64_t delivered = 0;
  uint64_t out_of_order = 0;
  size_t complete = 0;
  auto begin = start.value_or(clock::now());
  auto finished = begin;
  for (auto& s : subs) {
    delivered += s.received;
    out_of_order += s.out_of_order;
    if (s.completed) {
      ++complete;
      finished = std::max(finished, *s.completed);
    }
  }
  const uint64_t expected = options.events * options.subscribers;
  const uint64_t lost = expected > delivered ? expected - delivered : 0;
  const uint64_t extra = delivered > expected ? delivered - expected : 0;
  bool ok = producer_error.empty() && lost == 0 && extra == 0
            && out_of_order == 0 && complete == options.subscribers;
  if (complete != options.subscribers)
    // Not all arrived: the rate is over the whole wait.
    finished = clock::now();
  double seconds = std::chrono::duration<double>(finished - begin).count();
  // A producer that failed half way has no finish time: rate until now.
  auto produce_end = produced.finished == clock::time_point{}
                       ? clock::now()
                       : produced.finished;
  double produce_seconds =
    std::chrono::duration<double>(produce_end - begin).count();
  double delivered_per_s = seconds > 0 ? delivered / seconds : 0;
  double produced_per_s =
    produce_seconds > 0 ? produced.events / produce_seconds : 0;

  if (!producer_error.empty())
    std::fprintf(stderr, "producer: %s\n", producer_error.c_str());
  for (size_t i = 0; i < subs.size(); ++i)
    if (!subs[i].error.empty() && subs[i].error != "cancelled")
      std::fprintf(stderr, "subscriber %zu: %s (%llu of %llu events)\n", i,
                   subs[i].error.c_str(),
                   static_cast<unsigned long long>(subs[i].received),
                   static_cast<unsigned long long>(options.events));
  std::printf("  delivered %11.0f events/s (%llu of %llu in %.3f s)\n",
              delivered_per_s, static_cast<unsigned long long>(delivered),
              static_cast<unsigned long long>(expected), seconds);
  std::printf("  producer  %11.0f events/s (%llu registered)\n",
              produced_per_s,
              static_cast<unsigned long long>(produced.events));
  std::printf("  lost %llu, duplicated %llu, out of order %llu%s\n",
              static_cast<unsigned long long>(lost),
              static_cast<unsigned long long>(extra),
              static_cast<unsigned long long>(out_of_order),
              ok ? "" : "   FAILED");
  std::printf("result mode=notify subscribers=%zu batch=%zu window=%zu"
              " events=%llu ok=%d delivered_per_s=%.0f producer_per_s=%.0f"
              " lost=%llu duplicated=%llu out_of_order=%llu seconds=%.3f\n",
              options.subscribers, options.batch, options.window,
              static_cast<unsigned long long>(options.events), ok ? 1 : 0,
              delivered_per_s, produced_per_s,
              static_cast<unsigned long long>(lost),
              static_cast<unsigned long long>(extra),
              static_cast<unsigned long long>(out_of_order), seconds);
  return ok ? 0 : 1;
}

}  // namespace hat::bench
