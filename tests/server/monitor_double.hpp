#pragma once

// A Hat Monitor stand-in on 127.0.0.1, on our own protocol layer: it
// accepts components, records every MsgClient each one sends, answers
// pings, and sends the MsgServer states and MsgClose a test makes. The
// blessing algorithm is the test's: it decides what each MsgServer says.

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "protocol/chatter_connection.hpp"
#include "protocol/observer_codec.hpp"
#include "tests/loopback_port.hpp"
#include "tests/server/server_harness.hpp"

namespace hat::test {

class monitor_double {
public:
  monitor_double();
  ~monitor_double();
  monitor_double(const monitor_double&) = delete;
  monitor_double& operator=(const monitor_double&) = delete;

  uint16_t port() const {
    return port_;
  }

  /// Waits (bounded) until `count` components connected.
  bool wait_connections(size_t count);

  /// The MsgClient messages component `index` (in connection order) sent.
  inbox<observer::msg_client>& clients(size_t index);

  /// Sends `msg` to component `index`.
  void send(size_t index, const observer::message& msg);

  /// Closes the connection to component `index`.
  void drop(size_t index);

  /// Whether component `index` closed its connection (bounded wait).
  bool wait_closed(size_t index);

private:
  struct component {
    int fd = -1;
    chatter::connection framer;
    inbox<observer::msg_client> clients;
    std::atomic<bool> closed{false};
  };

  void run();
  void read_from(component& c);

  taken_port listener_;
  uint16_t port_ = 0;
  int wake_[2] = {-1, -1};
  std::mutex mutex_;
  std::vector<std::unique_ptr<component>> components_;
  inbox<size_t> connected_;
  std::thread thread_;
};

/// Sends every listed component (by connection index; cid = index + 1)
/// the list of them, each entry with its component's last MsgClient
/// (answer echoed) and the request token `requested` gives it, if any.
void tell_members(monitor_double& monitor, const std::vector<size_t>& listed,
                  const std::map<size_t, int64_t>& requested);

/// The MsgServer a monitor sends component `cid` when it is the only one
/// listed: its entry with `req` requested and `res` echoed.
observer::msg_server
single_component_state(int64_t cid, const observer::msg_client& last,
                       std::optional<int64_t> req);

/// An Event Server component `cid` as the monitor lists it (its data as
/// the reference publishes it), not connected to this monitor: a standalone
/// server a test wants a monitored one to see as a peer.
observer::component_info event_member(int64_t cid, std::string name,
                                      std::string group, int64_t server_id,
                                      uint16_t port,
                                      std::optional<std::string> token = {});

/// Tells component `index` (cid index + 1) the list: itself, with `req`
/// requested and its last answer echoed, then `others`.
void list_with(monitor_double& monitor, size_t index,
               std::vector<observer::component_info> others,
               std::optional<int64_t> req = std::nullopt);

}  // namespace hat::test
