#include "actors/engine.hpp"

#include "actors/engine_rounds.hpp"
#include "actors/module_runner.hpp"
#include "actors/server_error.hpp"
#include "log/logger.hpp"
#include "protocol/timestamp_conversion.hpp"

namespace hat {

namespace {

/// A session without modules: every event gets the session's timestamp
/// and the next instance; the session goes to storage before this returns.
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
  engine_rounds::store_session(self, batch);
  return batch;
}

void spawn_modules(engine_pointer self) {
  auto& st = self->state;
  for (size_t i = 0; i < st.config.modules.size(); ++i) {
    module_context context{st.config.server_id, static_cast<int64_t>(i),
                           caf::actor_cast<engine_actor>(self),
                           st.config.storage, st.config.fanout};
    st.modules.push_back(self->spawn<caf::monitored>(
      module_runner, st.config.modules[i], std::move(context)));
  }
}

/// STARTED: straight to storage without modules, else the first session
/// through them (the reference queues it before its register loop).
void start(engine_pointer self) {
  auto& st = self->state;
  std::vector<register_event> started{
    engine_status_event(st.config.server_id, "STARTED")};
  if (st.modules.empty()) {
    run_session(self, started);
    engine_rounds::report_started(self);
    return;
  }
  st.queue.push_front(queued_session{
    {}, event_source{event_source::kind::engine, 0}, std::move(started)});
  engine_rounds::kick(self);
}

}  // namespace

register_event engine_status_event(int64_t server_id, std::string_view what) {
  return register_event{
    {"event", std::to_string(server_id), "engine"},
    std::nullopt,
    payload_json{"\"" + std::string{what} + "\""},
  };
}

engine_actor::behavior_type engine(engine_pointer self, engine_config config) {
  auto& st = self->state;
  st.config = std::move(config);
  st.last_id = event_id{st.config.server_id, 0, 0};
  self->set_exit_handler([self](caf::exit_msg& msg) {
    auto& st = self->state;
    // A session in the modules is dropped whole, as the reference's close
    // cancels its register loop.
    engine_rounds::refuse_all(
      self, make_error(ec::engine_closed, "the engine stopped"));
    st.session.reset();
    std::vector<register_event> stopped{
      engine_status_event(st.config.server_id, "STOPPED")};
    run_session(self, stopped);
    HAT_LOG_INFO("engine", "stopped at session ", st.last_id.session);
    engine_rounds::quit(self, msg.reason);
  });
  self->set_down_handler([self](caf::down_msg& msg) {
    engine_rounds::module_down(self, msg);
  });
  spawn_modules(self);
  // Nothing else is handled until the last id is known: await defers the
  // mailbox, so early registrations simply wait.
  self
    ->request(st.config.storage, caf::infinite, atom::last_id::value,
              st.config.server_id)
    .await(
      [self](event_id last) {
        self->state.last_id = last;
        start(self);
      },
      [self](caf::error& err) {
        HAT_LOG_ERROR("engine", "cannot read the last event id: ",
                      render_error(err));
        engine_rounds::quit(self, err);
      });
  return {
    // -- engine_actor --
    [self](atom::register_, const event_source& source,
           std::vector<register_event>& requested)
      -> caf::result<storage::event_batch> {
      auto& st = self->state;
      if (requested.empty())
        return std::make_shared<const std::vector<event>>();
      if (st.closing)
        return make_error(ec::engine_closed, "the engine is restarting");
      if (st.modules.empty())
        return run_session(self, requested);
      st.queue.push_back(queued_session{self->make_response_promise(), source,
                                        std::move(requested)});
      engine_rounds::kick(self);
      return caf::delegated<storage::event_batch>{};
    },
    [self](atom::restart) {
      auto& st = self->state;
      if (st.closing)
        return;
      HAT_LOG_INFO("engine", "restart requested by a module");
      // The running session ends normally; queued requesters hear "engine
      // closed", as with the reference, whose restart closes the engine.
      st.closing = true;
      st.restart_wanted = true;
      if (!st.session)
        engine_rounds::ask_restart(self);
    },
    [self](atom::reset_ready) {
      if (self->state.config.owner)
        self->send(self->state.config.owner, atom::reset_ready::value);
    },
    [self](atom::tick, uint64_t round) {
      engine_rounds::round_timeout(self, round);
    },
  };
}

}  // namespace hat
