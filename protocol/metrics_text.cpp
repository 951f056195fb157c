#include "protocol/metrics_text.hpp"

#include <cstdio>

namespace hat {

namespace {

void describe(std::string& out, const char* name, const char* type,
              const char* help) {
  out += "# HELP hat_event_";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE hat_event_";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

void sample(std::string& out, const char* name, const std::string& value,
            const std::string& labels = {}) {
  out += "hat_event_";
  out += name;
  if (!labels.empty())
    out += "{" + labels + "}";
  out += ' ';
  out += value;
  out += '\n';
}

void metric(std::string& out, const char* name, const char* type,
            const char* help, uint64_t value) {
  describe(out, name, type, help);
  sample(out, name, std::to_string(value));
}

/// Seconds with enough digits for microseconds, as Prometheus reads them.
std::string seconds_text(double seconds) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6f", seconds);
  return buf;
}

constexpr status all_statuses[] = {status::standby, status::starting,
                                   status::operational, status::stopping};

}  // namespace

const char* dropped_bound_name(dropped_bound bound) {
  switch (bound) {
    case dropped_bound::max_send_queue:
      return "max_send_queue";
    case dropped_bound::max_partial_frame_memory:
      return "max_partial_frame_memory";
    case dropped_bound::max_connections:
      return "max_connections";
    case dropped_bound::ping_timeout:
      return "ping_timeout";
  }
  return "unknown";
}

std::string render_prometheus(const metrics_snapshot& s) {
  std::string out;
  metric(out, "events_registered_total", "counter",
         "Events the store accepted (registered or synchronised).",
         s.events_registered);
  metric(out, "events_persisted_total", "counter",
         "Events written to the backend's storage.", s.events_persisted);
  // Both counters are read one after the other while the server runs: a
  // persist counted between the two reads must not show as negative.
  auto backlog = s.events_registered > s.events_persisted
                   ? s.events_registered - s.events_persisted
                   : 0;
  metric(out, "backlog_events", "gauge",
         "Events accepted and not yet persisted.", backlog);
  metric(out, "sessions_total", "counter",
         "Sessions (batches of events) the store accepted.", s.sessions);
  metric(out, "connections", "gauge", "Eventer connections open.",
         s.connections_open);
  metric(out, "connections_accepted_total", "counter",
         "Eventer connections accepted.", s.connections_accepted);
  metric(out, "send_queue_bytes", "gauge",
         "Bytes written for Eventer clients and not yet sent.",
         s.send_queue_bytes);
  describe(out, "connections_dropped_total", "counter",
           "Client connections closed by a bound, by the bound's key.");
  for (size_t i = 0; i < dropped_bound_count; ++i)
    sample(out, "connections_dropped_total", std::to_string(s.dropped[i]),
           std::string{"bound=\""}
             + dropped_bound_name(static_cast<dropped_bound>(i)) + "\"");
  describe(out, "flush_duration_seconds", "summary",
           "Flushes of the backlog to disk and the time they took.");
  sample(out, "flush_duration_seconds_sum", seconds_text(s.flush_seconds));
  sample(out, "flush_duration_seconds_count", std::to_string(s.flushes));
  if (s.store_size_bytes)
    metric(out, "store_size_bytes", "gauge", "Size of the LMDB file.",
           *s.store_size_bytes);
  if (!s.peers.empty()) {
    auto labels = [](const peer_sync_sample& peer) {
      return "peer=\"" + label_value(peer.name) + "\",server_id=\""
             + std::to_string(peer.server_id) + "\"";
    };
    describe(out, "sync_events_total", "counter",
             "Events copied from each peer into our store.");
    for (auto& peer : s.peers)
      sample(out, "sync_events_total", std::to_string(peer.events),
             labels(peer));
    describe(out, "sync_lag_seconds", "gauge",
             "For the newest event copied from each peer: its arrival here "
             "less its timestamp on the peer.");
    for (auto& peer : s.peers)
      sample(out, "sync_lag_seconds", seconds_text(peer.lag_seconds),
             labels(peer));
    describe(out, "sync_synced", "gauge",
             "1 while the peer's catch-up is done and its events arrive "
             "live, 0 otherwise.");
    for (auto& peer : s.peers)
      sample(out, "sync_synced", peer.synced ? "1" : "0", labels(peer));
  }
  describe(out, "server_status", "gauge",
           "1 for the server's current status, 0 for the others.");
  for (auto candidate : all_statuses)
    sample(out, "server_status", candidate == s.server_status ? "1" : "0",
           std::string{"status=\""} + status_name(candidate) + "\"");
  return out;
}

std::string label_value(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\\' || c == '"')
      out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string render_health(status current) {
  return std::string{"{\"status\": \""} + status_name(current) + "\"}\n";
}

bool healthy(status current) {
  return current == status::operational || current == status::standby;
}

}  // namespace hat
