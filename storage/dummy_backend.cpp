#include "storage/dummy_backend.hpp"

namespace hat::storage {

event_id dummy_backend::last_event_id(int64_t server_id) {
  return {server_id, 0, 0};
}

event_batch dummy_backend::register_events(event_batch events) {
  return events;
}

query_result dummy_backend::query(const query_params&) {
  return {};
}

bool dummy_backend::persists_on_register() const {
  return true;
}

}  // namespace hat::storage
