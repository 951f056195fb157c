#include "log/logger_names.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace hat::log {

namespace {

/// Our component → the reference module that does the same work.
constexpr std::array<std::pair<std::string_view, std::string_view>, 10>
  names{{
    {"main", "hat.event.server.main"},
    {"config", "hat.event.server.main"},
    {"server", "hat.event.server.main_runner"},
    {"engine", "hat.event.server.engine"},
    // Modules run inside the engine in the reference.
    {"modules", "hat.event.server.engine"},
    {"eventer", "hat.event.eventer.server"},
    // Synchronising with other servers is the reference's eventer client.
    {"sync", "hat.event.server.eventer_client"},
    {"adminer", "hat.event.adminer.server"},
    {"storage", "hat.event.backends.lmdb.backend"},
    {"monitor", "hat.monitor.component"},
  }};

constexpr auto distinct_names = [] {
  std::array<std::string_view, names.size()> all{};
  for (size_t i = 0; i < names.size(); ++i)
    all[i] = names[i].second;
  return all;
}();

}  // namespace

std::string_view python_logger_name(std::string_view component) {
  for (auto [short_name, python_name] : names)
    if (short_name == component)
      return python_name;
  return component;
}

std::span<const std::string_view> known_logger_names() {
  return distinct_names;
}

}  // namespace hat::log
