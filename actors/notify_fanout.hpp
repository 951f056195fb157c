#pragma once

/// The notification fan-out. Connections that joined are grouped by their
/// filter (subscription, server id, persisted flag); for every stored batch
/// each group's selection is computed once, each event is encoded at most
/// once, and each distinct selection becomes one encoded MsgEventsNotify
/// payload shared by all the connections it goes to. Connections add the
/// chatter header and write it: nothing here waits on a socket. It runs
/// where `placement.fanout` says (placement.hpp), by default on the network
/// thread, so handing a payload to a connection wakes no thread.
///
/// Messages to connection brokers:
///   (atom::notify, shared_bytes payload)   events for MsgEventsNotify
///   (atom::status, status, engine_actor)   status changed

#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "actors/interfaces.hpp"
#include "actors/placement.hpp"

namespace hat {

struct notify_fanout_state {
  /// Connections sharing one filter: its selection is computed once.
  struct filter_group {
    notify_filter filter;
    std::vector<int64_t> members;
  };

  struct connection_entry {
    caf::actor broker;
    std::string client_name;
    /// Key of its filter group.
    std::string group_key;
  };

  /// Joined connections by connection id.
  std::unordered_map<int64_t, connection_entry> connections;
  /// Joined connections by their broker: a broker that ends without
  /// leaving (killed, an exception) is removed when its down message
  /// comes, so the fan-out never keeps a dead connection.
  std::unordered_map<caf::actor_addr, int64_t> by_broker;
  /// Filter groups by a canonical text of their filter.
  std::map<std::string, filter_group> groups;
  /// What joining connections are told, and what was last broadcast.
  hat::status status = status::standby;
  engine_actor engine;

  static inline const char* name = "notify_fanout";
};

/// Starts with `initial` status and no engine. (Every spawned function
/// takes an argument: CAF 0.17 dereferences a null argument tuple for
/// functions without one, which UBSan rightly reports.)
/// The fan-out's self: placeable on the network thread (placement.hpp).
using fanout_pointer = placeable_pointer<notify_fanout_actor,
                                         notify_fanout_state>;

notify_fanout_actor::behavior_type notify_fanout(fanout_pointer self,
                                                 status initial);

/// The same canonical text for filters that select the same events.
std::string filter_key(const notify_filter& filter);

/// MsgEventsNotify payloads for the selections of one batch: every event
/// encoded once, payloads assembled from those encodings.
class batch_encoder {
public:
  explicit batch_encoder(const std::vector<event>& events);

  /// The payload for events at `selected` (indices, increasing); the same
  /// shared buffer for the same selection.
  shared_bytes payload(const std::vector<uint32_t>& selected);

private:
  void encode_events();

  const std::vector<event>& events_;
  /// All events encoded back to back; offsets_[i] is where event i starts,
  /// offsets_[n] the end.
  std::vector<char> encoded_;
  std::vector<size_t> offsets_;
  std::map<std::vector<uint32_t>, shared_bytes> payloads_;
};

}  // namespace hat
