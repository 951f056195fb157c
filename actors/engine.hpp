#pragma once

/// The engine actor, the session sequencer. Each register message is one
/// session: a fresh session id continuing from the backend's last id for
/// this server, one timestamp for all its events, consecutive instances.
/// Sessions are strictly sequential because the mailbox hands them over one
/// at a time and each is sent to the storage actor before the next starts.
///
/// At start it registers event/<server_id>/engine "STARTED", at exit
/// "STOPPED" (straight to storage, as the reference does).

#include "actors/interfaces.hpp"

namespace hat {

struct engine_state {
  int64_t server_id = 0;
  /// Id of the last event created; its session is the current one.
  event_id last_id;
  /// Where sessions go.
  event_store_actor storage;

  static inline const char* name = "engine";
};

engine_actor::behavior_type
engine(engine_actor::stateful_pointer<engine_state> self, int64_t server_id,
       event_store_actor storage);

/// event/<server_id>/engine with a JSON string payload.
register_event engine_status_event(int64_t server_id, std::string_view what);

}  // namespace hat
