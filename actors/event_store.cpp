#include "actors/event_store.hpp"

#include <utility>

#include "actors/server_error.hpp"
#include "actors/storage_writer.hpp"
#include "log/logger.hpp"
#include "protocol/query_answer.hpp"
#include "protocol/timestamp_conversion.hpp"

namespace hat {

namespace {

void kick(store_pointer self);

/// The backend's answer, or ec::storage_failed: an exception must not take
/// the store down with one bad query.
caf::expected<query_result> run_query(store_pointer self,
                                      const query_params& params) {
  try {
    return self->state.backend->query(params);
  } catch (const std::exception& e) {
    HAT_LOG_WARNING("storage", "query failed: ", e.what());
    return make_error(ec::storage_failed, "query failed: ", e.what());
  }
}

/// Every waiting flush request hears `err`: a promise dropped with the
/// state would leave its requester (the server's stop) waiting forever.
void refuse_waiters(store_pointer self, const caf::error& err) {
  for (auto* waiters :
       {&self->state.flush_waiters, &self->state.next_flush_waiters,
        &self->state.backlog_waiters})
    for (auto& waiter : std::exchange(*waiters, {}))
      waiter.deliver(err);
}

/// Events may be lost: stop so the server shuts down cleanly rather than
/// run on with a store it cannot trust.
void fail(store_pointer self, std::string_view what, const std::string& why) {
  HAT_LOG_ERROR("storage", what, ": ", why);
  auto err = make_error(ec::storage_failed, what, ": ", why);
  refuse_waiters(self, err);
  self->send_exit(self->state.writer, err);
  self->quit(err);
}

void report_persisted(store_pointer self,
                      std::vector<storage::event_batch> batches) {
  auto& metrics = *self->state.options.metrics;
  for (auto& batch : batches) {
    if (batch)
      metrics.add(metrics.events_persisted, batch->size());
    self->send(self->state.fanout, atom::notify::value, std::move(batch),
               true);
  }
}

void answer(std::vector<caf::response_promise>& waiters) {
  for (auto& waiter : std::exchange(waiters, {}))
    waiter.deliver(atom::ok::value);
}

/// The flush timer, a full period from now; a tick of an earlier timer
/// is stale from here on (0.17 timers cannot be cancelled).
void schedule_flush(store_pointer self) {
  auto& st = self->state;
  if (st.options.flush_period.count() == 0)
    return;
  ++st.flush_generation;
  self->delayed_send(self, st.options.flush_period, atom::tick::value,
                     st.flush_generation);
}

void schedule_cleanup(store_pointer self) {
  if (self->state.options.cleanup_period.count() == 0)
    return;
  self->delayed_send(self, self->state.options.cleanup_period,
                     atom::cleanup::value);
}

/// The last flush, on this thread (the writer is idle), then quit.
void finish_exit(store_pointer self) {
  auto& st = self->state;
  try {
    report_persisted(self, st.backend->flush());
  } catch (const std::exception& e) {
    fail(self, "final flush failed", e.what());
    return;
  }
  answer(st.flush_waiters);
  answer(st.next_flush_waiters);
  answer(st.backlog_waiters);
  self->send_exit(st.writer, caf::exit_reason::user_shutdown);
  self->quit(*st.exit_reason);
}

/// Answers paused engines once a flush has taken the backlog.
void release_backlog(store_pointer self) {
  auto& st = self->state;
  if (!st.backend->backlog_full())
    answer(st.backlog_waiters);
}

/// The job stays in the state, not in the response handler, so that the
/// last reference to it can be handed back to the writer.
void run_job(store_pointer self, std::shared_ptr<storage::write_job> job,
             bool is_flush) {
  auto& st = self->state;
  st.writing = true;
  st.job = std::move(job);
  st.job_started = std::chrono::steady_clock::now();
  self->request(st.writer, caf::infinite, atom::write::value, st.job)
    .then(
      [self, is_flush](storage::write_outcome outcome) {
        auto& st = self->state;
        st.writing = false;
        try {
          if (outcome == storage::write_outcome::map_full) {
            st.backend->grow_map();
            run_job(self, std::move(st.job), is_flush);
            return;
          }
          // Freeing a flush's changes takes milliseconds: not here.
          self->send(st.writer, atom::dispose::value, std::move(st.job));
          if (is_flush) {
            st.options.metrics->count_flush(std::chrono::steady_clock::now()
                                            - st.job_started);
            report_persisted(self, st.backend->finish_flush());
            answer(st.flush_waiters);
          } else if (outcome == storage::write_outcome::more) {
            st.cleanup_wanted = true;
          } else {
            schedule_cleanup(self);
          }
        } catch (const std::exception& e) {
          fail(self, "growing the database failed", e.what());
          return;
        }
        kick(self);
      },
      [self, is_flush](caf::error& err) {
        fail(self, is_flush ? "flush failed" : "cleanup failed",
             render_error(err));
      });
}

void kick_or_fail(store_pointer self);

/// Gives the writer its next job when it is idle: a wanted flush first.
void kick(store_pointer self) {
  // Starting a job can throw too (the backend's own checks).
  try {
    kick_or_fail(self);
  } catch (const std::exception& e) {
    fail(self, "starting a write failed", e.what());
  }
}

void kick_or_fail(store_pointer self) {
  auto& st = self->state;
  if (st.writing)
    return;
  if (st.exit_reason) {
    finish_exit(self);
    return;
  }
  if (st.flush_wanted) {
    st.flush_wanted = false;
    st.flush_waiters = std::exchange(st.next_flush_waiters, {});
    if (auto job = st.backend->start_flush()) {
      // Whatever asked for it (timer, full backlog, a flush request), the
      // next periodic flush is a period after this one, not sooner.
      schedule_flush(self);
      run_job(self, std::move(job), true);
      release_backlog(self);
      return;
    }
    answer(st.flush_waiters);  // nothing to write
  }
  if (st.cleanup_wanted) {
    st.cleanup_wanted = false;
    auto now = timestamp_now();
    if (auto job = st.backend->start_cleanup(now))
      run_job(self, std::move(job), false);
  }
}

}  // namespace

event_store_actor::behavior_type
event_store(store_pointer self, std::shared_ptr<storage::backend> backend,
            notify_fanout_actor fanout, event_store_options options) {
  auto& st = self->state;
  st.backend = std::move(backend);
  st.fanout = std::move(fanout);
  st.options = options;
  st.writer = options.detached_writer
                ? self->spawn<caf::linked + caf::detached>(storage_writer, 0)
                : self->spawn<caf::linked>(storage_writer, 0);
  self->set_exit_handler([self](caf::exit_msg& msg) {
    self->state.exit_reason = msg.reason;
    kick(self);
  });
  schedule_flush(self);
  // As the reference, the first cleanup runs at start.
  st.cleanup_wanted = options.cleanup_period.count() > 0;
  kick(self);
  return {
    // -- event_store_actor --
    [self](atom::store,
           storage::event_batch& events) -> caf::result<store_receipt> {
      auto& st = self->state;
      storage::event_batch accepted;
      try {
        accepted = st.backend->register_events(std::move(events));
      } catch (const std::exception& e) {
        fail(self, "storing a session failed", e.what());
        return make_error(ec::storage_failed, "storing failed: ", e.what());
      }
      store_receipt receipt;
      if (st.backend->backlog_full()) {
        st.flush_wanted = true;
        kick(self);
        // Still full: the writer is busy. The sender pauses.
        receipt.pause = st.backend->backlog_full();
      }
      if (accepted && !accepted->empty()) {
        receipt.stored = accepted->size();
        auto& metrics = *st.options.metrics;
        metrics.add(metrics.events_registered, accepted->size());
        metrics.add(metrics.sessions);
        self->send(st.fanout, atom::notify::value, accepted, false);
        if (st.backend->persists_on_register()) {
          metrics.add(metrics.events_persisted, accepted->size());
          self->send(st.fanout, atom::notify::value, accepted, true);
        }
      }
      return receipt;
    },
    [self](atom::query,
           const query_params& params) -> caf::result<query_result> {
      auto result = run_query(self, params);
      if (!result)
        return std::move(result.error());
      return std::move(*result);
    },
    [self](atom::query, const query_params& params,
           answer_format format) -> caf::result<encoded_answer> {
      auto result = run_query(self, params);
      if (!result)
        return std::move(result.error());
      auto answer = eventer::encode_query_answer(
        std::move(*result), format.dialect, format.max_frame_size);
      return encoded_answer{
        std::make_shared<const std::vector<char>>(std::move(answer.payload)),
        answer.events_found, answer.events_sent};
    },
    [self](atom::last_id, int64_t server_id) {
      return self->state.backend->last_event_id(server_id);
    },
    [self](atom::flush) -> caf::result<atom::ok> {
      auto& st = self->state;
      auto promise = self->make_response_promise();
      st.next_flush_waiters.push_back(promise);
      st.flush_wanted = true;
      kick(self);
      return caf::delegated<atom::ok>{};
    },
    [self](atom::notified) {
      // The fan-out gets it behind every batch sent to it so far.
      return self->delegate(self->state.fanout, atom::notified::value);
    },
    [self](atom::backlog) -> caf::result<atom::ok> {
      auto& st = self->state;
      if (!st.backend->backlog_full())
        return atom::ok::value;
      st.backlog_waiters.push_back(self->make_response_promise());
      return caf::delegated<atom::ok>{};
    },
    [self](atom::tick, uint64_t generation) {
      auto& st = self->state;
      if (generation != st.flush_generation)
        return;
      st.flush_wanted = true;
      kick(self);
      // No flush started (writer busy, nothing to write): keep ticking.
      if (generation == st.flush_generation)
        schedule_flush(self);
    },
    [self](atom::cleanup) {
      self->state.cleanup_wanted = true;
      kick(self);
    },
  };
}

}  // namespace hat
