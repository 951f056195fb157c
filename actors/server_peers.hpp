#pragma once

/// The supervisor's sync actors (part of server.cpp's actor): one per peer
/// the monitor lists, started as peers appear, told when they leave,
/// started again one retry delay after a fault, and what their peers'
/// statuses mean for starting our engine (spec redundancy.md §2.4).

#include <string>
#include <vector>

#include "actors/server.hpp"

namespace hat {

using server_pointer = server_actor::stateful_pointer<server_state>;

/// 0.9.0's redundancy (spec redundancy.md §0): boolean synced states and
/// no wait for peers; chosen by a 0.9.0 file or the 0.9.0 dialect.
bool legacy_redundancy(const config::server_config& conf);

/// The monitor's new list: a sync actor for every new peer; one whose
/// peer left ends once its connection drops (as the reference).
void update_peers(server_pointer self, const std::vector<peer_info>& peers);

/// A sync actor ended: gone for good when its peer left (or the server
/// stops), else started again one retry delay later (it died of a
/// fault); false when `msg` is about no sync actor.
bool sync_down(server_pointer self, const caf::down_msg& msg);

/// The retry delay of a failed sync actor is over: start it again, unless
/// its peer left or the server stops.
void respawn_sync(server_pointer self, const peer_info& peer);

/// The current sender, a sync actor, says whether its peer is active;
/// false when the sender is no (current) sync actor.
bool note_peer_activity(server_pointer self, bool active);

/// A peer holds our engine back: one that is active, or one still listed
/// that never answered nor failed a connect (so the first check after
/// start sees every peer's status).
bool peers_hold_engine(const server_state& st);

/// Those peers, for the log: "event-2 (active), event-3 (not answered yet)".
std::string holding_peers(const server_state& st);

/// Every running sync actor hears the server's status and engine.
void tell_syncs(server_pointer self, status now, const engine_actor& engine);

}  // namespace hat
