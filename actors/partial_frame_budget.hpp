#pragma once

/// What the connections of one listener may hold in partial frames
/// together (eventer_server.max_partial_frame_memory, for the Eventer and
/// the adminer listener each): the connection whose frame would cross it
/// is closed, so many clients each sending most of a large frame cannot
/// exhaust memory.

#include <cstddef>
#include <memory>

namespace hat {

/// Bytes that all connections of one listener hold in partial frames
/// together. Every broker runs on the middleman's one thread, so a plain
/// counter serves.
struct partial_frame_budget {
  explicit partial_frame_budget(size_t limit = 256 * 1024 * 1024)
    : limit(limit) {
  }

  /// Bytes the connections may hold together.
  size_t limit;
  /// Bytes they hold now.
  size_t used = 0;
};

/// One connection's part of the partial_frame_budget, given back when the
/// connection's state is destroyed, however the broker ends.
class partial_frame_share {
public:
  partial_frame_share() = default;
  partial_frame_share(const partial_frame_share&) = delete;
  partial_frame_share& operator=(const partial_frame_share&) = delete;
  ~partial_frame_share() {
    update(0);
  }

  /// Counts this share in `budget` (once, before any update).
  void attach(std::shared_ptr<partial_frame_budget> budget) {
    budget_ = std::move(budget);
  }

  /// Records that the connection now holds `bytes`; true when that grew
  /// the share and the shared total is now over the limit.
  bool update(size_t bytes) {
    if (!budget_)
      return false;
    budget_->used = budget_->used - held_ + bytes;
    bool grew = bytes > held_;
    held_ = bytes;
    return grew && budget_->used > budget_->limit;
  }

  const partial_frame_budget* budget() const {
    return budget_.get();
  }

private:
  std::shared_ptr<partial_frame_budget> budget_;
  size_t held_ = 0;
};

}  // namespace hat
