// The Prometheus text of the server's metrics: names, HELP and TYPE lines,
// values, the derived backlog, labels; and /health's body and verdict.

#include <doctest/doctest.h>

#include <sstream>
#include <string>

#include "protocol/metrics_text.hpp"

using namespace hat;

namespace {

bool has_line(const std::string& text, const std::string& line) {
  std::istringstream in{text};
  for (std::string l; std::getline(in, l);)
    if (l == line)
      return true;
  return false;
}

}  // namespace

TEST_CASE("metrics text: every sample is described and carries its value") {
  metrics_snapshot s;
  s.events_registered = 12;
  s.events_persisted = 10;
  s.sessions = 3;
  s.connections_open = 2;
  s.connections_accepted = 5;
  s.send_queue_bytes = 4096;
  s.dropped[static_cast<size_t>(dropped_bound::max_send_queue)] = 1;
  s.flushes = 4;
  s.flush_seconds = 0.25;
  s.store_size_bytes = 65536;
  s.server_status = status::operational;
  auto text = render_prometheus(s);
  CHECK(has_line(text, "# TYPE hat_event_events_registered_total counter"));
  CHECK(has_line(text, "hat_event_events_registered_total 12"));
  CHECK(has_line(text, "hat_event_events_persisted_total 10"));
  CHECK(has_line(text, "# TYPE hat_event_backlog_events gauge"));
  CHECK(has_line(text, "hat_event_backlog_events 2"));
  CHECK(has_line(text, "hat_event_sessions_total 3"));
  CHECK(has_line(text, "hat_event_connections 2"));
  CHECK(has_line(text, "hat_event_connections_accepted_total 5"));
  CHECK(has_line(text, "hat_event_send_queue_bytes 4096"));
  CHECK(has_line(
    text, "hat_event_connections_dropped_total{bound=\"max_send_queue\"} 1"));
  CHECK(has_line(text, "hat_event_connections_dropped_total"
                       "{bound=\"max_connections\"} 0"));
  CHECK(has_line(text, "# TYPE hat_event_flush_duration_seconds summary"));
  CHECK(has_line(text, "hat_event_flush_duration_seconds_sum 0.250000"));
  CHECK(has_line(text, "hat_event_flush_duration_seconds_count 4"));
  CHECK(has_line(text, "hat_event_store_size_bytes 65536"));
  CHECK(has_line(text, "hat_event_server_status{status=\"operational\"} 1"));
  CHECK(has_line(text, "hat_event_server_status{status=\"standby\"} 0"));
  // Every sample line belongs to a metric described before it.
  std::istringstream in{text};
  std::string described;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("# TYPE ", 0) == 0) {
      described = line.substr(7, line.find(' ', 7) - 7);
      continue;
    }
    if (line.rfind("# HELP ", 0) == 0)
      continue;
    CHECK_MESSAGE(line.rfind(described, 0) == 0, line);
    CHECK(line.rfind("hat_event_", 0) == 0);
  }
}

TEST_CASE("metrics text: no LMDB file, no store size, and the backlog "
          "never goes negative") {
  metrics_snapshot s;
  s.events_registered = 1;
  s.events_persisted = 2;
  auto text = render_prometheus(s);
  CHECK(text.find("store_size_bytes") == std::string::npos);
  CHECK(has_line(text, "hat_event_backlog_events 0"));
}

TEST_CASE("health: 200 when operational or standby, the status as JSON") {
  CHECK(healthy(status::operational));
  CHECK(healthy(status::standby));
  CHECK_FALSE(healthy(status::starting));
  CHECK_FALSE(healthy(status::stopping));
  CHECK(render_health(status::standby) == "{\"status\": \"standby\"}\n");
}

TEST_CASE("metrics text: one sample per peer, its name escaped as a label") {
  metrics_snapshot s;
  s.peers.push_back({"event-2", 2, 40, 0.0015, true});
  s.peers.push_back({"odd \"name\"\\\n", 3, 0, 0, false});
  auto text = render_prometheus(s);
  CHECK(has_line(text, "# TYPE hat_event_sync_events_total counter"));
  CHECK(has_line(text, "hat_event_sync_events_total"
                       "{peer=\"event-2\",server_id=\"2\"} 40"));
  CHECK(has_line(text, "hat_event_sync_lag_seconds"
                       "{peer=\"event-2\",server_id=\"2\"} 0.001500"));
  CHECK(has_line(text, "hat_event_sync_synced"
                       "{peer=\"event-2\",server_id=\"2\"} 1"));
  CHECK(has_line(text, "hat_event_sync_synced"
                       "{peer=\"odd \\\"name\\\"\\\\\\n\",server_id=\"3\"} 0"));
  CHECK(label_value("a\"b\\c\nd") == "a\\\"b\\\\c\\nd");
}
