#include "actors/engine_rounds.hpp"

#include <string>
#include <utility>

#include "actors/server_error.hpp"
#include "log/logger.hpp"
#include "protocol/timestamp_conversion.hpp"

namespace hat::engine_rounds {

namespace {

void send_round(engine_pointer self, module_round round);
void start_stop_stage(engine_pointer self);

void arm_timer(engine_pointer self) {
  auto timeout = self->state.config.module_timeout;
  if (timeout.count() > 0)
    self->delayed_send(self, timeout, atom::tick::value, self->state.round);
}

/// Ends the running session unwritten, then restarts (or, before the
/// modules ever completed a session, quits: they cannot run).
void fail(engine_pointer self, const caf::error& err) {
  auto& st = self->state;
  HAT_LOG_ERROR("engine", "session ",
                st.session ? std::to_string(st.session->id) : "-",
                " dropped: ", render_error(err));
  st.closing = true;
  refuse_all(self, err);
  st.session.reset();
  ++st.round;  // answers still on their way are stale
  if (!st.started || !st.config.owner) {
    quit(self, err);
    return;
  }
  self->send(st.config.owner, atom::restart::value);
}

/// A module's answer is an error. When its actor is gone, the down
/// message that follows carries the reason worth reporting (why it died).
void request_failed(engine_pointer self, const caf::error& err) {
  if (err == caf::sec::request_receiver_down)
    return;
  fail(self, err);
}

void finish_session(engine_pointer self) {
  auto& st = self->state;
  auto& s = *st.session;
  storage::event_batch batch;
  if (s.rounds.size() == 1) {
    batch = s.rounds.front();
  } else {
    std::vector<event> all;
    for (const auto& r : s.rounds)
      all.insert(all.end(), r->begin(), r->end());
    batch = std::make_shared<const std::vector<event>>(std::move(all));
  }
  store_session(self, batch);
  if (s.promise.pending())
    s.promise.deliver(batch);
  st.session.reset();
  if (!st.started)
    report_started(self);
  if (st.restart_wanted) {
    ask_restart(self);
    return;
  }
  kick(self);
}

/// Every module answered the round: number their additions in module
/// order; they are the next round, or the session is quiet.
void round_done(engine_pointer self) {
  auto& st = self->state;
  auto& s = *st.session;
  std::vector<event> added;
  std::vector<event_source> sources;
  for (size_t i = 0; i < s.added.size(); ++i)
    for (auto& r : s.added[i]) {
      st.last_id.instance += 1;
      added.push_back(event{st.last_id, std::move(r.type), s.time,
                            r.source_timestamp, std::move(r.payload)});
      sources.push_back({event_source::kind::module, static_cast<int64_t>(i)});
    }
  if (added.empty()) {
    start_stop_stage(self);
    return;
  }
  auto events = std::make_shared<const std::vector<event>>(std::move(added));
  s.rounds.push_back(events);
  send_round(self, module_round{
                     s.id, false, events,
                     std::make_shared<const std::vector<event_source>>(
                       std::move(sources))});
}

void send_round(engine_pointer self, module_round round) {
  auto& st = self->state;
  auto& s = *st.session;
  auto current = ++st.round;
  s.added.assign(st.modules.size(), {});
  s.waiting = st.modules.size();
  s.unanswered.assign(st.modules.size(), true);
  for (size_t i = 0; i < st.modules.size(); ++i)
    self->request(st.modules[i], caf::infinite, atom::process::value, round)
      .then(
        [self, current, i](std::vector<register_event>& added) {
          auto& st = self->state;
          if (!st.session || current != st.round)
            return;
          st.session->added[i] = std::move(added);
          st.session->unanswered[i] = false;
          if (--st.session->waiting == 0)
            round_done(self);
        },
        [self, current](caf::error& err) {
          if (self->state.session && current == self->state.round)
            request_failed(self, err);
        });
  arm_timer(self);
}

void start_stop_stage(engine_pointer self) {
  auto& st = self->state;
  auto& s = *st.session;
  auto current = ++st.round;
  s.stopping = true;
  s.waiting = st.modules.size();
  s.unanswered.assign(st.modules.size(), true);
  for (size_t i = 0; i < st.modules.size(); ++i)
    self->request(st.modules[i], caf::infinite, atom::module_stop::value, s.id)
      .then(
        [self, current, i](atom::ok) {
          auto& st = self->state;
          if (!st.session || current != st.round)
            return;
          st.session->unanswered[i] = false;
          if (--st.session->waiting == 0)
            finish_session(self);
        },
        [self, current](caf::error& err) {
          if (self->state.session && current == self->state.round)
            request_failed(self, err);
        });
  arm_timer(self);
}

}  // namespace

void kick(engine_pointer self) {
  auto& st = self->state;
  if (st.session || st.closing || st.queue.empty())
    return;
  auto next = std::move(st.queue.front());
  st.queue.pop_front();
  auto& s = st.session.emplace();
  s.promise = std::move(next.promise);
  st.last_id.session += 1;
  st.last_id.instance = 0;
  s.id = st.last_id.session;
  s.time = timestamp_now();
  std::vector<event> events;
  events.reserve(next.events.size());
  for (auto& r : next.events) {
    st.last_id.instance += 1;
    events.push_back(event{st.last_id, std::move(r.type), s.time,
                           r.source_timestamp, std::move(r.payload)});
  }
  auto shared = std::make_shared<const std::vector<event>>(std::move(events));
  s.rounds.push_back(shared);
  send_round(self,
             module_round{s.id, true, shared,
                          std::make_shared<const std::vector<event_source>>(
                            shared->size(), next.source)});
}

void module_down(engine_pointer self, const caf::down_msg& msg) {
  auto& st = self->state;
  for (size_t i = 0; i < st.modules.size(); ++i)
    if (st.modules[i].address() == msg.source) {
      auto reason = msg.reason
                      ? msg.reason
                      : make_error(ec::module_failed, "modules[", i,
                                   "]: its actor stopped");
      fail(self, reason);
      return;
    }
}

void round_timeout(engine_pointer self, uint64_t round) {
  auto& st = self->state;
  if (!st.session || round != st.round || st.session->waiting == 0)
    return;
  std::string stuck;
  for (size_t i = 0; i < st.modules.size(); ++i)
    if (st.session->unanswered[i])
      stuck += (stuck.empty() ? "" : ", ") + std::string("modules[") +
               std::to_string(i) + "] '" + st.config.modules[i].name + "'";
  HAT_LOG_WARNING("engine", "session ", st.session->id, ": ", stuck,
                  " not answered ",
                  st.session->stopping ? "on_session_stop" : "process",
                  " within ", st.config.module_timeout.count(),
                  " ms; still waiting");
  arm_timer(self);
}

void report_started(engine_pointer self) {
  auto& st = self->state;
  st.started = true;
  HAT_LOG_INFO("engine", "started at session ", st.last_id.session, " with ",
               st.modules.size(), " modules");
  if (st.config.owner)
    self->send(st.config.owner, atom::started::value);
}

void store_session(engine_pointer self, storage::event_batch batch) {
  auto& storage = self->state.config.storage;
  self->request(storage, caf::infinite, atom::store::value, std::move(batch))
    .then(
      [self](store_receipt receipt) {
        if (!receipt.pause)
          return;
        // await: sessions queue in this mailbox (and clients wait for
        // their answers) until the disk has caught up.
        HAT_LOG_DEBUG("engine", "storage backlog full: sessions wait");
        self
          ->request(self->state.config.storage, caf::infinite,
                    atom::backlog::value)
          .await([](atom::ok) {},
                 [self](caf::error& err) {
                   HAT_LOG_ERROR("engine", "storage failed while paused: ",
                                 render_error(err));
                   quit(self, err);
                 });
      },
      [self](caf::error& err) {
        HAT_LOG_ERROR("engine", "storage refused a session: ",
                      render_error(err));
        quit(self, err);
      });
}

void quit(engine_pointer self, const caf::error& reason) {
  for (auto& m : self->state.modules)
    self->send_exit(m, caf::exit_reason::user_shutdown);
  self->quit(reason);
}

void ask_restart(engine_pointer self) {
  auto& st = self->state;
  refuse_all(self, make_error(ec::engine_closed, "the engine is restarting"));
  if (st.config.owner)
    self->send(st.config.owner, atom::restart::value);
}

void refuse_all(engine_pointer self, const caf::error& err) {
  auto& st = self->state;
  if (st.session && st.session->promise.pending())
    st.session->promise.deliver(err);
  for (auto& q : std::exchange(st.queue, {}))
    q.promise.deliver(err);
}

}  // namespace hat::engine_rounds
