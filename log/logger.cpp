#include "log/logger.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>

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

std::optional<level> level_from_name(std::string_view name) {
  std::string upper{name};
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return std::toupper(c); });
  if (upper == "DEBUG" || upper == "NOTSET")
    return level::debug;
  if (upper == "INFO")
    return level::info;
  if (upper == "WARNING" || upper == "WARN")
    return level::warning;
  if (upper == "ERROR" || upper == "CRITICAL" || upper == "FATAL")
    return level::error;
  return std::nullopt;
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
