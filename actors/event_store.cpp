#include "actors/event_store.hpp"

#include "log/logger.hpp"

namespace hat {

namespace {

void report_persisted(event_store_actor::stateful_pointer<event_store_state> self,
                      std::vector<storage::event_batch> batches) {
  for (auto& batch : batches)
    self->send(self->state.fanout, atom::notify::value, std::move(batch),
               true);
}

void flush_now(event_store_actor::stateful_pointer<event_store_state> self) {
  report_persisted(self, self->state.backend->flush());
}

void schedule_flush(event_store_actor::stateful_pointer<event_store_state> self) {
  if (self->state.flush_period.count() == 0)
    return;
  self->delayed_send(self, self->state.flush_period, atom::tick::value,
                     self->state.flush_generation);
}

}  // namespace

event_store_actor::behavior_type
event_store(event_store_actor::stateful_pointer<event_store_state> self,
        std::shared_ptr<storage::backend> backend,
        notify_fanout_actor fanout, std::chrono::milliseconds flush_period) {
  self->state.backend = std::move(backend);
  self->state.fanout = std::move(fanout);
  self->state.flush_period = flush_period;
  // Whatever is still in memory is written before the actor goes.
  self->set_exit_handler([self](caf::exit_msg& msg) {
    flush_now(self);
    self->quit(msg.reason);
  });
  schedule_flush(self);
  return {
    // -- event_store_actor --
    [self](atom::store, storage::event_batch& events) {
      storage::event_batch accepted;
      try {
        accepted = self->state.backend->register_events(std::move(events));
      } catch (const std::exception& e) {
        // Events may be lost: stop so the server shuts down cleanly rather
        // than run on with a store it cannot trust.
        HAT_LOG_ERROR("storage", "storing a session failed: ", e.what());
        self->quit(caf::make_error(caf::sec::runtime_error, e.what()));
        return;
      }
      if (!accepted || accepted->empty())
        return;
      self->send(self->state.fanout, atom::notify::value, accepted, false);
      if (self->state.backend->persists_on_register())
        self->send(self->state.fanout, atom::notify::value, accepted, true);
    },
    [self](atom::query,
           const query_params& params) -> caf::result<query_result> {
      // An exception must not take the store down with one bad query.
      try {
        return self->state.backend->query(params);
      } catch (const std::exception& e) {
        HAT_LOG_WARNING("storage", "query failed: ", e.what());
        return caf::make_error(caf::sec::runtime_error, e.what());
      }
    },
    [self](atom::last_id, int64_t server_id) {
      return self->state.backend->last_event_id(server_id);
    },
    [self](atom::flush) {
      flush_now(self);
      return atom::ok::value;
    },
    [self](atom::tick, uint64_t generation) {
      if (generation != self->state.flush_generation)
        return;
      flush_now(self);
      schedule_flush(self);
    },
  };
}

}  // namespace hat
