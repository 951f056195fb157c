#pragma once

/// A small process-wide logger: Debian's CAF 0.17.6 has its logging compiled
/// out. One line per call, written with a single write(2) to stderr so lines
/// from different threads never interleave.
///
///   HAT_LOG_INFO("eventer", "client ", name, " connected");

#include <functional>
#include <sstream>
#include <string>
#include <string_view>

namespace hat::log {

/// Python's numbers, so a threshold means what it means to the reference.
/// Nothing of ours is CRITICAL: that level silences every line.
enum class level : int {
  debug = 10,
  info = 20,
  warning = 30,
  error = 40,
  critical = 50
};

/// Lines below this level are dropped (default: info).
void set_level(level min_level);
level current_level();
bool enabled(level lvl);

/// Writes "2026-11-22T10:15:13.123456Z WARNING [component] message".
void write(level lvl, std::string_view component, std::string_view message);

/// Where lines go instead of stderr (each complete line, newline included);
/// empty: stderr again. For tests that check what is reported: set it
/// while no other thread logs.
void set_sink(std::function<void(std::string_view line)> sink);

template <class... Parts>
void line(level lvl, std::string_view component, const Parts&... parts) {
  if (!enabled(lvl))
    return;
  std::ostringstream text;
  (text << ... << parts);
  write(lvl, component, text.str());
}

}  // namespace hat::log

#define HAT_LOG_DEBUG(component, ...)                                        \
  ::hat::log::line(::hat::log::level::debug, component, __VA_ARGS__)
#define HAT_LOG_INFO(component, ...)                                         \
  ::hat::log::line(::hat::log::level::info, component, __VA_ARGS__)
#define HAT_LOG_WARNING(component, ...)                                      \
  ::hat::log::line(::hat::log::level::warning, component, __VA_ARGS__)
#define HAT_LOG_ERROR(component, ...)                                        \
  ::hat::log::line(::hat::log::level::error, component, __VA_ARGS__)
