#include "bench/load/register_client.hpp"

#include <sys/prctl.h>

#include <algorithm>
#include <thread>

#include "protocol/sbs_reader.hpp"

namespace hat::bench {
namespace {

struct in_flight {
  int64_t first_id;
  clock::time_point sent;
  size_t events;
};

/// Checks one answer and returns how many events it carries. A server
/// answers MsgRegisterRes; the echo server the request itself. Only the
/// first answer is decoded in full: the generator must not become the
/// bottleneck it measures.
size_t check_answer(const chatter::received_msg& msg, target_kind kind,
                    bool decode_fully) {
  if (kind == target_kind::echo) {
    if (msg.type != eventer::type_name_of<eventer::msg_register_req>())
      throw load_error("echo answered " + std::string{msg.type});
    sbs::reader r{msg.data};
    auto count = r.get_count();
    if (!r.ok())
      throw load_error("malformed echo: " + r.error()->to_string());
    return count;
  }
  if (msg.type != eventer::type_name_of<eventer::msg_register_res>())
    throw load_error("server answered " + std::string{msg.type});
  if (decode_fully) {
    auto res = eventer::decode<eventer::msg_register_res>(msg.data);
    if (!res)
      throw load_error("malformed MsgRegisterRes: "
                       + res.error().to_string());
    if (!res->events)
      throw load_error("server answered failure (not operational?)");
    for (auto& e : *res->events)
      if (e.type.size() != 4 || e.type[0] != "bench" || e.id.instance <= 0)
        throw load_error("server answered an event it was not sent");
    return res->events->size();
  }
  sbs::reader r{msg.data};
  if (r.get_choice(2) != 0)
    throw load_error("server answered failure (not operational?)");
  auto count = r.get_count();
  if (!r.ok())
    throw load_error("malformed MsgRegisterRes: " + r.error()->to_string());
  return count;
}

/// Sleeps until `until` without waking late: a timer wake-up on a VM
/// takes tens of microseconds, so the last stretch is spent yielding, which
/// still lets a server pinned to the same CPU run.
void sleep_precisely(clock::time_point until) {
  constexpr auto spin_margin = std::chrono::microseconds{100};
  if (until - clock::now() > spin_margin)
    std::this_thread::sleep_until(until - spin_margin);
  while (clock::now() < until)
    std::this_thread::yield();
}

}  // namespace

void drive_register(session& conn, target_kind kind, request_set& requests,
                    const register_plan& plan, clock::time_point start,
                    clock::time_point deadline, register_result& result) {
  const bool paced = plan.rate > 0;
  if (paced)
    // The default 50 us timer slack would make every paced send late.
    ::prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
  const uint64_t total = (plan.events + plan.batch - 1) / plan.batch;
  const std::chrono::duration<double> interval{
    paced ? static_cast<double>(plan.batch) / plan.rate : 0.0};
  auto scheduled = [&](uint64_t k) {
    return start + plan.phase
           + std::chrono::duration_cast<clock::duration>(interval * k);
  };
  const auto type = eventer::type_name_of<eventer::msg_register_req>();
  std::vector<in_flight> pending;
  pending.reserve(plan.window);
  result.latencies_ns.reserve(result.latencies_ns.size() + total);
  uint64_t sent = 0;
  uint64_t done = 0;
  std::this_thread::sleep_until(start);
  while (done < total) {
    if (clock::now() >= deadline)
      throw load_error("timeout: " + std::to_string(done) + " of "
                       + std::to_string(total) + " requests answered");
    // Fill the window with what the schedule allows, in one write.
    auto now = clock::now();
    size_t appended = 0;
    while (pending.size() < plan.window && sent < total) {
      if (paced && scheduled(sent) > now)
        break;
      auto first = sent * plan.batch;
      auto count = static_cast<size_t>(
        std::min<uint64_t>(plan.batch, plan.events - first));
      auto& req = requests.get(first, count);
      auto conv = conn.chatter().send(
        conn.out(), type, eventer::encoded_size(req),
        [&](char* at) { eventer::encode_to(at, req); }, std::nullopt,
        false);
      pending.push_back(
        {conv.first_id, paced ? scheduled(sent) : clock::time_point{},
         count});
      ++sent;
      ++appended;
    }
    // Latency from the write, not from the encoding before it.
    auto write_time = clock::now();
    for (size_t i = pending.size() - appended; i < pending.size(); ++i) {
      if (paced)
        result.send_lag_ns.push_back(
          std::chrono::duration_cast<std::chrono::nanoseconds>(
            write_time - pending[i].sent)
            .count());
      else
        pending[i].sent = write_time;
    }
    if (!conn.out().empty())
      conn.flush(deadline);
    if (paced && sent < total && pending.size() < plan.window) {
      auto next = std::min(scheduled(sent), deadline);
      if (pending.empty()) {
        sleep_precisely(next);
        continue;
      }
      if (!conn.wait_readable(next))
        continue;
    }
    conn.receive(deadline, [&](const chatter::received_msg& msg,
                               clock::time_point received) {
      if (kind == target_kind::server && is_notification(msg))
        return;  // e.g. a status change: not an answer
      auto it = std::find_if(pending.begin(), pending.end(), [&](auto& p) {
        return p.first_id == msg.conv.first_id;
      });
      if (it == pending.end())
        throw load_error("answer to no pending request: "
                         + std::string{msg.type});
      auto count = check_answer(msg, kind, result.requests == 0);
      if (count != it->events)
        throw load_error("answer carries " + std::to_string(count)
                         + " events, request had "
                         + std::to_string(it->events));
      result.latencies_ns.push_back(
        std::chrono::duration_cast<std::chrono::nanoseconds>(received
                                                             - it->sent)
          .count());
      result.events += count;
      ++result.requests;
      ++done;
      *it = pending.back();
      pending.pop_back();
    });
  }
  result.finished = clock::now();
}

}  // namespace hat::bench
