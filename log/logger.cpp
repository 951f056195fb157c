#include "log/logger.hpp"

#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <mutex>

#include "log/logger_names.hpp"
#include "log/logger_tree.hpp"
#include "log/stream_handler.hpp"
#include "protocol/timestamp_conversion.hpp"

namespace hat::log {

namespace {

std::atomic<int> min_level{static_cast<int>(level::info)};

/// The configuration in force (null: built-in lines) and, as a quick first
/// test, the lowest level any of its loggers lets through.
std::mutex tree_mutex;
std::shared_ptr<const logger_tree> current_tree;
std::atomic<bool> tree_installed{false};
std::atomic<int> tree_lowest{0};

std::function<void(std::string_view)>& line_sink() {
  static std::function<void(std::string_view)> sink;
  return sink;
}

void write_builtin(level lvl, std::string_view component,
                   std::string_view message) {
  std::string text = timestamp_to_iso8601(timestamp_now());
  text += ' ';
  text += level_name(static_cast<int>(lvl));
  text += " [";
  text += component;
  text += "] ";
  text += message;
  text += '\n';
  if (auto& sink = line_sink()) {
    sink(text);
    return;
  }
  write_all(STDERR_FILENO, text);
}

}  // namespace

void set_level(level lvl) {
  min_level.store(static_cast<int>(lvl), std::memory_order_relaxed);
}

level current_level() {
  return static_cast<level>(min_level.load(std::memory_order_relaxed));
}

bool enabled(level lvl, std::string_view component) {
  if (!tree_installed.load(std::memory_order_acquire))
    return static_cast<int>(lvl) >= min_level.load(std::memory_order_relaxed);
  if (static_cast<int>(lvl) < tree_lowest.load(std::memory_order_relaxed))
    return false;
  auto tree = installed();
  return !tree
         || tree->enabled_for(python_logger_name(component),
                              static_cast<int>(lvl));
}

void write(level lvl, std::string_view component, std::string message,
           call_site where) {
  auto tree = installed();
  if (!tree) {
    write_builtin(lvl, component, message);
    return;
  }
  record rec;
  rec.name = python_logger_name(component);
  rec.levelno = static_cast<int>(lvl);
  if (!tree->enabled_for(rec.name, rec.levelno))
    return;
  rec.message = std::move(message);
  rec.created = std::chrono::system_clock::now();
  rec.thread = static_cast<unsigned long>(::pthread_self());
  rec.where = where;
  tree->dispatch(rec);
}

void install(std::shared_ptr<const logger_tree> tree) {
  {
    std::lock_guard guard{tree_mutex};
    tree_lowest.store(tree ? tree->lowest_level() : 0,
                      std::memory_order_relaxed);
    tree_installed.store(tree != nullptr, std::memory_order_release);
    current_tree.swap(tree);
  }
  // The tree replaced goes here, outside the lock: its syslog handlers
  // stop their threads, which must not hold up other threads' lines.
}

std::shared_ptr<const logger_tree> installed() {
  std::lock_guard guard{tree_mutex};
  return current_tree;
}

void set_sink(std::function<void(std::string_view line)> sink) {
  line_sink() = std::move(sink);
}

}  // namespace hat::log
