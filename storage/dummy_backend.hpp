#pragma once

/// The `dummy` backend (reference module hat.event.backends.dummy): accepts
/// everything, keeps nothing. Useful when only notifications matter.

#include "storage/backend.hpp"

namespace hat::storage {

class dummy_backend final : public backend {
public:
  /// Always (server_id, 0, 0): nothing is ever stored.
  event_id last_event_id(int64_t server_id) override;

  /// Returns `events` unchanged.
  event_batch register_events(event_batch events) override;

  /// Always empty, with more_follows false.
  query_result query(const query_params& params) override;

  /// True: there is nothing to wait for.
  bool persists_on_register() const override;

};

}  // namespace hat::storage
