#include "log/logger_tree.hpp"

#include <unistd.h>

#include <algorithm>

#include "log/stream_handler.hpp"

namespace hat::log {

std::string_view parent_name(std::string_view name) {
  auto dot = name.rfind('.');
  return dot == std::string_view::npos ? std::string_view{}
                                       : name.substr(0, dot);
}

int logger_tree::effective_level(std::string_view name) const {
  for (; !name.empty(); name = parent_name(name))
    if (auto it = loggers.find(name); it != loggers.end() && it->second.level)
      return it->second.level;
  return root.level;
}

bool logger_tree::enabled_for(std::string_view name, int levelno) const {
  if (auto it = loggers.find(name);
      it != loggers.end() && it->second.disabled)
    return false;
  return levelno >= effective_level(name);
}

void logger_tree::dispatch(const record& rec) const {
  auto own = loggers.find(rec.name);
  if (own != loggers.end())
    for (const auto& filter : own->second.filters)
      if (!passes_name_filter(filter, rec.name))
        return;
  bool found = false;
  auto call = [&](const logger_node& node) {
    for (const auto& target : node.handlers) {
      found = true;
      if (rec.levelno >= target->level())
        target->handle(rec);
    }
    return node.propagate;
  };
  bool propagate = true;
  for (auto name = rec.name; propagate && !name.empty();
       name = parent_name(name))
    if (auto it = loggers.find(name); it != loggers.end())
      propagate = call(it->second);
  if (propagate)
    call(root);
  if (!found && rec.levelno >= 30)
    write_all(STDERR_FILENO, rec.message + "\n");
}

int logger_tree::lowest_level() const {
  int lowest = root.level;
  for (const auto& [name, node] : loggers)
    if (node.level)
      lowest = std::min(lowest, node.level);
  return lowest;
}

}  // namespace hat::log
