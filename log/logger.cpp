#include "log/logger.hpp"

#include <unistd.h>

#include <atomic>

#include "protocol/timestamp_conversion.hpp"

namespace hat::log {

namespace {

std::atomic<int> min_level{static_cast<int>(level::info)};

std::string_view name_of(level lvl) {
  switch (lvl) {
    case level::debug:
      return "DEBUG";
    case level::info:
      return "INFO";
    case level::warning:
      return "WARNING";
    case level::error:
      return "ERROR";
    case level::critical:
      return "CRITICAL";
  }
  return "?";
}

}  // namespace

void set_level(level lvl) {
  min_level.store(static_cast<int>(lvl), std::memory_order_relaxed);
}

level current_level() {
  return static_cast<level>(min_level.load(std::memory_order_relaxed));
}

bool enabled(level lvl) {
  return static_cast<int>(lvl) >= min_level.load(std::memory_order_relaxed);
}

static std::function<void(std::string_view)>& line_sink() {
  static std::function<void(std::string_view)> sink;
  return sink;
}

void set_sink(std::function<void(std::string_view line)> sink) {
  line_sink() = std::move(sink);
}

void write(level lvl, std::string_view component, std::string_view message) {
  std::string text = timestamp_to_iso8601(timestamp_now());
  text += ' ';
  text += name_of(lvl);
  text += " [";
  text += component;
  text += "] ";
  text += message;
  text += '\n';
  if (auto& sink = line_sink()) {
    sink(text);
    return;
  }
  // One write per line: stderr is unbuffered and shared by all threads.
  auto rc = ::write(STDERR_FILENO, text.data(), text.size());
  (void) rc;
}

}  // namespace hat::log
