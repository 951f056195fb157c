#pragma once

// A whole server in this process on an ephemeral 127.0.0.1 port, driven over
// real TCP with the client library, and an inbox that waits on conditions
// with a bound instead of sleeping.

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <condition_variable>
#include <filesystem>
#include <mutex>

#include "actors/interfaces.hpp"
#include "actors/runtime_config.hpp"
#include "actors/server.hpp"
#include "client/eventer_client.hpp"

namespace hat::test {

/// The server's own runtime settings.
using networked_config = runtime_config;

/// A standalone server configuration: memory backend, port 0.
config::server_config test_server_config(int64_t server_id = 1);

/// As above on an LMDB file at `db` (flushed every 50 ms, every type kept
/// in latest and in one timeseries partition).
config::server_config test_lmdb_server_config(int64_t server_id,
                                              const std::filesystem::path& db);

class server_harness {
public:
  /// Waits until the server listens and, with `wait_operational`, until
  /// it is operational (a monitored server is only once blessed).
  explicit server_harness(config::server_config conf = test_server_config(),
                          std::shared_ptr<storage::backend> backend = {},
                          bool wait_operational = true,
                          server_seams seams = {});
  ~server_harness();

  uint16_t port() const {
    return port_;
  }

  client::client_options options(std::string name) const;

  std::unique_ptr<client::eventer_client>
  connect(std::string name, std::vector<event_type> subscriptions = {});

  /// Orderly stop; true when the server stopped within the bound.
  bool shutdown();

  /// Waits (bounded) for the server to stop by itself; its exit reason.
  std::optional<caf::error> wait_stopped(std::chrono::milliseconds bound);

  config::server_config config;
  networked_config caf_config;
  caf::actor_system system{caf_config};
  server_actor server;

private:
  uint16_t port_ = 0;
  bool stopped_ = false;
};

/// The Eventer side without an engine (a server in standby): fan-out,
/// memory store and listener on an ephemeral port, built from the actors.
struct standby_eventer {
  networked_config caf_config;
  caf::actor_system system{caf_config};
  notify_fanout_actor fanout;
  event_store_actor store;
  caf::actor listener;
  uint16_t port = 0;

  explicit standby_eventer(int64_t server_id = 4);
  ~standby_eventer();

  client::client_options options(std::string name) const;
};

/// Collects what callbacks deliver; tests wait for a condition on it.
template <class T>
class inbox {
public:
  void push(T value) {
    {
      std::lock_guard<std::mutex> guard{mutex_};
      items_.push_back(std::move(value));
    }
    changed_.notify_all();
  }

  /// Waits until `pred(items)` holds or `bound` passes; returns pred.
  template <class Pred>
  bool wait_until(Pred pred, std::chrono::milliseconds bound
                             = std::chrono::milliseconds{5000}) {
    std::unique_lock<std::mutex> lock{mutex_};
    return changed_.wait_for(lock, bound, [&] { return pred(items_); });
  }

  bool wait_for_count(size_t n, std::chrono::milliseconds bound
                                = std::chrono::milliseconds{5000}) {
    return wait_until([n](auto& items) { return items.size() >= n; }, bound);
  }

  std::vector<T> items() {
    std::lock_guard<std::mutex> guard{mutex_};
    return items_;
  }

private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<T> items_;
};

/// A client whose notifications land in an inbox, one item per event.
struct subscriber {
  std::shared_ptr<inbox<event>> events = std::make_shared<inbox<event>>();
  std::shared_ptr<inbox<status>> statuses = std::make_shared<inbox<status>>();
  std::unique_ptr<client::eventer_client> client;
};

subscriber subscribe(server_harness& harness, client::client_options options);

register_event json_event(event_type type, std::string json = "null");

/// The frame of an Eventer init request from client `name` subscribing to
/// every event type, for raw clients the tests drive byte by byte.
std::vector<char> init_subscribing_all(std::string name);

/// Starts a server on `conf` that is expected to fail at start; why it
/// ended (no error when it still ran after 5 s).
caf::error start_failure(const config::server_config& conf);

}  // namespace hat::test
