#pragma once

/// The Event Server's configuration: hat-event 0.9 `server.yaml` (current)
/// and the 0.9.0 schema, read from YAML or JSON, validated, defaults
/// applied. Our own additions sit beside the reference keys, which the
/// reference schema allows, so one file serves both servers.

#include <boost/json.hpp>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "config/lmdb_config.hpp"
#include "config/log_config.hpp"
#include "log/logger.hpp"
#include "protocol/eventer_codec.hpp"

namespace hat::config {

/// A configuration that cannot be used. what() is "<path>: <problem>", e.g.
/// "backend.module: unknown backend 'x'" or "server_id: missing".
class config_error : public std::runtime_error {
public:
  config_error(std::string path, const std::string& problem)
    : std::runtime_error(path.empty() ? problem : path + ": " + problem),
      path_(std::move(path)) {
  }
  const std::string& path() const {
    return path_;
  }

private:
  std::string path_;
};

struct address {
  std::string host;
  uint16_t port = 0;
  bool operator==(const address&) const = default;
};

struct eventer_server_config {
  address addr{"127.0.0.1", 23012};
  /// Our addition `eventer_server.dialect`: "current" (default) or "v0.9.0".
  eventer::dialect dialect = eventer::dialect::current;
  /// Our addition `eventer_server.max_frame_size` (bytes, default 16 MiB).
  size_t max_frame_size = 16 * 1024 * 1024;
  /// Our addition `eventer_server.max_send_queue` (bytes, default 64 MiB):
  /// a client whose unsent data exceeds it is disconnected.
  size_t max_send_queue = 64 * 1024 * 1024;
  /// Our addition `eventer_server.max_partial_frame_memory` (bytes, default
  /// 256 MiB): what all clients' incomplete frames may hold together; the
  /// client whose frame would cross it is disconnected.
  size_t max_partial_frame_memory = 256 * 1024 * 1024;
  /// Our addition `eventer_server.max_connections` (default 10000): clients
  /// served at once; one more is accepted and closed at once.
  size_t max_connections = 10000;
  /// Our additions `eventer_server.ping_delay` / `ping_timeout` (seconds,
  /// default 20 / 20 as the reference): time without a complete message
  /// before a ping, then before the client is disconnected. A ping_delay
  /// of 0 sends no pings.
  double ping_delay = 20;
  double ping_timeout = 20;
  /// Our addition `eventer_server.max_requests_in_flight` (default 64):
  /// requests (registers, queries) of one client being worked on at once;
  /// beyond it the server stops reading from that client until answers
  /// have gone out.
  size_t max_requests_in_flight = 64;
};

struct monitor_component_config {
  address addr{"127.0.0.1", 23010};
  std::string group;
};

enum class backend_kind { dummy, memory, lmdb };

struct backend_config {
  /// Resolved from `module`: "dummy", "memory", "lmdb" or the reference
  /// names "hat.event.backends.dummy", ".memory", ".lmdb".
  backend_kind kind = backend_kind::memory;
  /// The whole `backend` object, for the backend's own settings.
  boost::json::object raw;
  /// Validated settings when kind is lmdb.
  std::optional<lmdb_backend_config> lmdb;
};

struct module_config {
  std::string module;
  /// The whole module object, handed to the module.
  boost::json::object raw;
};

enum class schema_version { current, v0_9_0 };

/// Which thread runs an actor of the request path (actors/placement.hpp):
/// CAF's scheduler threads, or the network thread beside the connections.
enum class actor_placement { scheduler, network_thread };

/// Ours, optional `placement`: the defaults were measured (README,
/// Benchmarks). The LMDB store always has a thread of its own.
struct placement_config {
  actor_placement engine = actor_placement::network_thread;
  actor_placement store = actor_placement::network_thread;
  actor_placement fanout = actor_placement::network_thread;
};

struct server_config {
  schema_version schema = schema_version::current;
  /// Component name; 0.9.0 files have it as `monitor_component.name`, or
  /// not at all when standalone ("event" is used then).
  std::string name;
  int64_t server_id = 0;
  std::optional<std::string> server_token;
  backend_config backend;
  std::vector<module_config> modules;
  eventer_server_config eventer_server;
  std::optional<address> adminer_server;
  /// Ours, optional (absent: off): where /metrics and /health are served
  /// over HTTP; `host` defaults to 127.0.0.1, `port` is required.
  std::optional<address> metrics_server;
  std::optional<monitor_component_config> monitor_component;
  /// 0.9.0 only: restart the engine when a sync brought in events.
  bool synced_restart_engine = false;
  /// Ours, optional: seconds a module may take on one round before the
  /// engine reports it (it keeps waiting); 0 never reports.
  double module_timeout = 10;
  /// Ours, optional: seconds between attempts to connect to a peer that
  /// could not be reached (the reference's fixed 5 s).
  double sync_retry_delay = 5;
  placement_config placement;
  /// The file's `log` as read (key order kept), null when absent: the
  /// logging configuration the adminer reports until a set replaces it.
  boost::json::value log_conf;
  /// What the logger follows of `log_conf` (log_config.hpp): its root
  /// level; other logging keys are accepted and ignored with one notice.
  log_settings logging;
};

enum class file_format { yaml, json };

/// Parses and validates. Throws config_error naming the offending path.
server_config parse_server_config(std::string_view text, file_format format);

/// Reads `path` (format from the extension: .yaml, .yml or .json; anything
/// else is tried as YAML, which also reads JSON). Throws config_error.
server_config load_server_config(const std::filesystem::path& path);

/// $XDG_CONFIG_HOME/hat/event.{yaml|yml|json} (XDG_CONFIG_HOME defaults to
/// ~/.config): the first that exists, else the .yaml path.
std::filesystem::path default_config_path();

}  // namespace hat::config
