#pragma once

/// The connection to the Hat Monitor Server (a broker; the server spawns
/// it connected, after its Eventer server runs). It speaks HatObserver
/// over chatter and drives a blessing_session: the first MsgClient at
/// once, ready right after, then the blessing handshake. It tells the
/// server when its engine may run, and withdraws the blessing answer only
/// once the server says the engine stopped and the store was flushed.
///
/// Messages it handles besides the network's:
///   (atom::engine_stopped)   from the server: the engine stopped and the
///                            store was flushed (after a bless false)
///   (atom::reset_ready)      from the server (a module asked): give the
///                            blessing up; ready again once the monitor
///                            echoes no answer token, at most 30 s later
///   (atom::tick)             internal: keep-alive and the reset deadline
/// It sends the server:
///   (atom::bless, bool)      the engine may run (true) or must stop
///   (atom::peers, vector<peer_info>)
///                            the peers to synchronise with, whenever the
///                            monitor's list of them changes (spec §3.1)
///   (atom::close, error)     MsgClose: stop in order (engine first, then
///                            this link) and end with ec::monitor_closed
///
/// A peer of our group listed with our own server id is a configuration
/// error the reference turns into events sent back and forth for ever:
/// it is logged, left out of the peers, and this server gives its
/// blessing up (not ready) until that peer is gone.
///
/// It never reconnects (as the reference): it ends with ec::monitor_lost
/// when the connection closes or fails; the server then stops in order
/// and exits non-zero.

#include <caf/io/broker.hpp>
#include <chrono>
#include <optional>
#include <string>

#include "protocol/blessing_session.hpp"
#include "protocol/chatter_connection.hpp"
#include "protocol/monitor_data.hpp"

namespace hat {

struct monitor_link_settings {
  /// What every MsgClient carries (monitor_data_json for `data`).
  std::string name;
  std::string group;
  std::string data;
  /// Ours: peers must carry the same one (when set), and our id must be
  /// theirs to tell.
  int64_t server_id = 0;
  std::optional<std::string> server_token;
  chatter::connection_options chatter;
  /// Longest wait for the monitor's echo after a ready reset.
  std::chrono::milliseconds reset_timeout{30000};
};

struct monitor_link_state {
  caf::io::connection_handle handle;
  caf::actor server;
  monitor_link_settings settings;
  std::optional<chatter::connection> chatter;
  std::optional<observer::blessing_session> session;
  /// A ready reset is under way: ready again at this time at the latest.
  std::optional<std::chrono::steady_clock::time_point> reset_deadline;
  /// What the server was last told (none: nothing yet).
  std::optional<bool> engine;
  /// The peers the server was last told about.
  std::optional<std::vector<observer::peer_info>> peers;
  /// A peer with our server id is listed: not ready while it is.
  bool duplicate_id = false;
  /// Closed and ending: nothing more is read or sent.
  bool ended = false;

  static inline const char* name = "monitor_link";
};

using monitor_link_pointer = caf::io::stateful_broker<monitor_link_state>*;

caf::behavior monitor_link(monitor_link_pointer self,
                           caf::io::connection_handle handle,
                           monitor_link_settings settings, caf::actor server);

}  // namespace hat
