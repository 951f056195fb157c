#pragma once

/// The process-wide logger: Debian's CAF 0.17.6 has its logging compiled
/// out.
///
///   HAT_LOG_INFO("eventer", "client ", name, " connected");
///
/// Until a logging configuration is installed (the configuration file has
/// no `log`), lines at the level set_level() gives (default INFO) go to
/// stderr as "2026-11-22T10:15:13.123456Z WARNING [eventer] message", one
/// write(2) each so lines from different threads never interleave. Once a
/// configuration is installed (install(), built by config/log_setup from
/// a `log` section), each line is a record of the Python logger its
/// component stands for (logger_names.hpp) and goes where the
/// configuration sends it, as Python's logging would.

#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>

#include "log/record.hpp"

namespace hat::log {

struct logger_tree;

/// Python's numbers, so a threshold means what it means to the reference.
enum class level : int {
  debug = 10,
  info = 20,
  warning = 30,
  error = 40,
  critical = 50
};

/// Without a configuration: lines below this level are dropped.
void set_level(level min_level);
level current_level();

/// Whether a line of `component` at `lvl` goes anywhere.
bool enabled(level lvl, std::string_view component);

/// Logs one line of `component`.
void write(level lvl, std::string_view component, std::string message,
           call_site where = {});

/// Makes `tree` decide where lines go; null: back to the built-in stderr
/// lines. Safe while other threads log: they finish with the tree they
/// started with.
void install(std::shared_ptr<const logger_tree> tree);
std::shared_ptr<const logger_tree> installed();

/// Where the built-in lines go instead of stderr (each complete line,
/// newline included); empty: stderr again. For tests that check what is
/// reported: set it while no other thread logs.
void set_sink(std::function<void(std::string_view line)> sink);

template <class... Parts>
void line_at(call_site where, level lvl, std::string_view component,
             const Parts&... parts) {
  if (!enabled(lvl, component))
    return;
  std::ostringstream text;
  (text << ... << parts);
  write(lvl, component, std::move(text).str(), where);
}

template <class... Parts>
void line(level lvl, std::string_view component, const Parts&... parts) {
  line_at({}, lvl, component, parts...);
}

}  // namespace hat::log

#define HAT_LOG_AT(lvl, component, ...)                                      \
  ::hat::log::line_at(::hat::log::call_site{__FILE__, __LINE__, __func__},   \
                      lvl, component, __VA_ARGS__)
#define HAT_LOG_DEBUG(component, ...)                                        \
  HAT_LOG_AT(::hat::log::level::debug, component, __VA_ARGS__)
#define HAT_LOG_INFO(component, ...)                                         \
  HAT_LOG_AT(::hat::log::level::info, component, __VA_ARGS__)
#define HAT_LOG_WARNING(component, ...)                                      \
  HAT_LOG_AT(::hat::log::level::warning, component, __VA_ARGS__)
#define HAT_LOG_ERROR(component, ...)                                        \
  HAT_LOG_AT(::hat::log::level::error, component, __VA_ARGS__)
