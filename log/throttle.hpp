#pragma once

/// A bound on how many lines one source of repeated warnings writes: a
/// client sending invalid requests as fast as it can must not fill the
/// disk with log lines. At most `burst` lines per `interval`; the lines
/// held back are counted, and the next line let through (or a last line
/// when the source goes away) says how many.

#include <chrono>
#include <cstdint>
#include <optional>

namespace hat::log {

class throttle {
public:
  using clock = std::chrono::steady_clock;

  explicit throttle(uint32_t burst = 32,
                    clock::duration interval = std::chrono::seconds{10})
    : burst_(burst), interval_(interval) {
  }

  /// Whether a line may be written at `now`: nothing when it is held back
  /// (counted), else how many were held back since the last one written.
  std::optional<uint64_t> allow(clock::time_point now) {
    if (written_ == 0 || now - window_start_ >= interval_) {
      window_start_ = now;
      written_ = 0;
    }
    if (written_ >= burst_) {
      ++held_back_;
      return std::nullopt;
    }
    ++written_;
    auto held = held_back_;
    held_back_ = 0;
    return held;
  }

  /// Lines held back and not yet reported; reported by this call.
  uint64_t take_held_back() {
    auto held = held_back_;
    held_back_ = 0;
    return held;
  }

private:
  uint32_t burst_;
  clock::duration interval_;
  clock::time_point window_start_{};
  uint32_t written_ = 0;
  uint64_t held_back_ = 0;
};

}  // namespace hat::log
