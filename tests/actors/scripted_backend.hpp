#pragma once

// A backend whose disk work is scripted, for the event store's tests. It
// registers and answers queries as the memory backend does, but persists
// nothing on register: accepted batches wait until a flush job has run.
// Its jobs can be told to report map_full once or to throw, and cleanup
// outcomes come from a queue. Every call the store makes into the disk
// work, and every job run, goes to one journal, so tests check the order.
//
// Jobs write to the backend's journal: the backend must outlive every
// run() call (the fixtures stop the store before dropping it).

#include <algorithm>
#include <deque>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "storage/memory_backend.hpp"

namespace hat::test {

class scripted_backend : public storage::backend {
public:
  /// In call order: "start_flush" (also when it returns null), "run flush",
  /// "finish_flush", "grow_map", "start_cleanup" (also when null),
  /// "run cleanup".
  std::vector<std::string> journal;
  /// backlog_full() answers this while batches are pending: a flush that
  /// takes them drains the backlog, as in the real backends.
  bool backlog = false;
  /// The next flush run reports map_full (and clears this).
  bool map_full_once = false;
  /// Every flush run throws.
  bool throw_on_flush = false;
  /// Events of these sessions are skipped on register, as a real backend
  /// skips ids not newer than stored.
  std::vector<int64_t> skipped_sessions;
  /// False: start_cleanup returns null (no limits configured).
  bool cleanup_limited = true;
  /// Outcomes of the next cleanup runs; done once empty.
  std::deque<storage::write_outcome> cleanup_outcomes;

  /// How often `entry` is in the journal.
  size_t count(std::string_view entry) const {
    return static_cast<size_t>(
      std::count(journal.begin(), journal.end(), entry));
  }

  /// Batches registered and not yet taken by a flush.
  const std::vector<storage::event_batch>& pending() const {
    return pending_;
  }

  event_id last_event_id(int64_t server_id) override {
    return memory_.last_event_id(server_id);
  }

  storage::event_batch register_events(storage::event_batch events) override {
    if (events && !skipped_sessions.empty()) {
      std::vector<event> kept;
      for (const auto& e : *events)
        if (std::find(skipped_sessions.begin(), skipped_sessions.end(),
                      e.id.session) == skipped_sessions.end())
          kept.push_back(e);
      events = std::make_shared<const std::vector<event>>(std::move(kept));
    }
    auto accepted = memory_.register_events(std::move(events));
    if (accepted && !accepted->empty())
      pending_.push_back(accepted);
    return accepted;
  }

  query_result query(const query_params& params) override {
    return memory_.query(params);
  }

  bool persists_on_register() const override {
    return false;
  }

  std::shared_ptr<storage::write_job> start_flush() override {
    journal.emplace_back("start_flush");
    // The backend contract: one flush at a time. Throwing makes a store
    // that breaks it fail visibly.
    if (flush_)
      throw std::logic_error("start_flush before finish_flush");
    if (pending_.empty())
      return nullptr;
    flush_ = std::make_shared<flush_job>(*this, std::exchange(pending_, {}));
    last_flush = flush_;
    return flush_;
  }

  std::vector<storage::event_batch> finish_flush() override {
    journal.emplace_back("finish_flush");
    if (!flush_)
      throw std::logic_error("finish_flush without start_flush");
    return std::exchange(flush_, nullptr)->batches;
  }

  std::shared_ptr<storage::write_job>
  start_cleanup(const timestamp& now) override {
    (void)now;
    journal.emplace_back("start_cleanup");
    if (!cleanup_limited)
      return nullptr;
    return std::make_shared<cleanup_job>(*this);
  }

  void grow_map() override {
    journal.emplace_back("grow_map");
  }

  bool backlog_full() const override {
    return backlog && !pending_.empty();
  }

  /// The newest flush job, to see when it is freed.
  std::weak_ptr<storage::write_job> last_flush;

private:
  class flush_job final : public storage::write_job {
  public:
    flush_job(scripted_backend& owner, std::vector<storage::event_batch> b)
        : batches(std::move(b)), owner_(owner) {
    }

    storage::write_outcome run() override {
      owner_.journal.emplace_back("run flush");
      if (owner_.throw_on_flush)
        throw std::runtime_error("injected flush failure");
      if (std::exchange(owner_.map_full_once, false))
        return storage::write_outcome::map_full;
      return storage::write_outcome::done;
    }

    /// What this flush makes persisted, oldest first.
    std::vector<storage::event_batch> batches;

  private:
    scripted_backend& owner_;
  };

  class cleanup_job final : public storage::write_job {
  public:
    explicit cleanup_job(scripted_backend& owner) : owner_(owner) {
    }

    storage::write_outcome run() override {
      owner_.journal.emplace_back("run cleanup");
      auto& outcomes = owner_.cleanup_outcomes;
      if (outcomes.empty())
        return storage::write_outcome::done;
      auto outcome = outcomes.front();
      outcomes.pop_front();
      return outcome;
    }

  private:
    scripted_backend& owner_;
  };

  storage::memory_backend memory_;
  std::vector<storage::event_batch> pending_;
  /// The started, unfinished flush.
  std::shared_ptr<flush_job> flush_;
};

}  // namespace hat::test
