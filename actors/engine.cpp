#include "actors/engine.hpp"

#include "log/logger.hpp"
#include "protocol/timestamp_conversion.hpp"

namespace hat {

namespace {

using engine_pointer = engine_actor::stateful_pointer<engine_state>;

/// Runs one session: every event gets the session's timestamp and the next
/// instance; the session goes to storage before this returns.
storage::event_batch run_session(engine_pointer self,
                                 std::vector<register_event>& requested) {
  auto& last = self->state.last_id;
  last.session += 1;
  last.instance = 0;
  auto now = timestamp_now();
  std::vector<event> events;
  events.reserve(requested.size());
  for (auto& r : requested) {
    last.instance += 1;
    events.push_back(event{last, std::move(r.type), now,
                           r.source_timestamp, std::move(r.payload)});
  }
  auto batch = std::make_shared<const std::vector<event>>(std::move(events));
  self->send(self->state.storage, atom::store::value, batch);
  return batch;
}

}  // namespace

register_event engine_status_event(int64_t server_id, std::string_view what) {
  return register_event{
    {"event", std::to_string(server_id), "engine"},
    std::nullopt,
    payload_json{"\"" + std::string{what} + "\""},
  };
}

engine_actor::behavior_type
engine(engine_pointer self, int64_t server_id, event_store_actor storage) {
  self->state.server_id = server_id;
  self->state.storage = storage;
  self->state.last_id = event_id{server_id, 0, 0};
  self->set_exit_handler([self](caf::exit_msg& msg) {
    std::vector<register_event> stopped{
      engine_status_event(self->state.server_id, "STOPPED")};
    run_session(self, stopped);
    HAT_LOG_INFO("engine", "stopped at session ",
                 self->state.last_id.session);
    self->quit(msg.reason);
  });
  // Nothing else is handled until the last id is known: await defers the
  // mailbox, so early registrations simply wait.
  self->request(storage, caf::infinite, atom::last_id::value, server_id)
    .await(
      [self](event_id last) {
        self->state.last_id = last;
        std::vector<register_event> started{
          engine_status_event(self->state.server_id, "STARTED")};
        run_session(self, started);
        HAT_LOG_INFO("engine", "started at session ",
                     self->state.last_id.session);
      },
      [self](caf::error& err) {
        HAT_LOG_ERROR("engine", "cannot read the last event id: ",
                      self->system().render(err));
        self->quit(err);
      });
  return {
    // -- engine_actor --
    [self](atom::register_, const event_source&,
           std::vector<register_event>& requested) {
      if (requested.empty())
        return std::make_shared<const std::vector<event>>();
      return run_session(self, requested);
    },
    [self](atom::backlog) {
      // await: sessions queue in this mailbox (and clients wait for their
      // answers) until the disk has caught up.
      HAT_LOG_DEBUG("engine", "storage backlog full: sessions wait");
      self->request(self->state.storage, caf::infinite, atom::backlog::value)
        .await([](atom::ok) {},
               [self](caf::error& err) {
                 HAT_LOG_ERROR("engine", "storage failed while paused: ",
                               self->system().render(err));
                 self->quit(err);
               });
    },
  };
}

}  // namespace hat
