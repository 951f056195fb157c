#pragma once

// A memory backend that remembers every session it was given, in order,
// and can be told to fail.

#include <stdexcept>

#include "storage/memory_backend.hpp"

namespace hat::test {

class recording_backend : public storage::backend {
public:
  std::vector<std::vector<event>> sessions;
  bool fail_on_register = false;

  event_id last_event_id(int64_t server_id) override {
    return memory_.last_event_id(server_id);
  }

  storage::event_batch register_events(storage::event_batch events) override {
    if (fail_on_register)
      throw std::runtime_error("injected backend failure");
    sessions.push_back(*events);
    return memory_.register_events(std::move(events));
  }

  query_result query(const query_params& params) override {
    return memory_.query(params);
  }

  bool persists_on_register() const override {
    return true;
  }

private:
  storage::memory_backend memory_;
};

}  // namespace hat::test
