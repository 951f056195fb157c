#include "config/log_config.hpp"

#include <boost/json.hpp>

#include <algorithm>

#include "config/log_setup.hpp"
#include "config/python_text.hpp"
#include "log/logger_tree.hpp"

// The checks follow CPython 3.11's DictConfigurator.configure: the
// version, then (incremental) handlers, loggers, root or (otherwise)
// formatters, filters, handlers in sorted order, loggers, root. A
// container is walked as Python's `for name in container` walks it (an
// object's keys, a list's items, a string's characters), so that a list
// where an object belongs fails where and how dictConfig fails.

namespace hat::config {

namespace {

namespace json = boost::json;

using refusal = std::optional<log_config_error>;

log_config_error refuse(std::string text, std::string path = {},
                        std::string cause = {}) {
  return {std::move(text), std::move(path), std::move(cause)};
}

std::string not_iterable(const json::value& value) {
  // Appended piece by piece: GCC 12 warns (-Wrestrict, falsely) about
  // "'" + std::string{...}.
  std::string text = "'";
  text += python::type_name(value);
  text += "' object is not iterable";
  return text;
}

/// The names `for name in value` yields, or why Python cannot iterate.
std::variant<std::vector<json::value>, std::string>
names_in(const json::value& value) {
  std::vector<json::value> names;
  if (value.is_object()) {
    for (const auto& [key, item] : value.get_object())
      names.emplace_back(key);
  } else if (value.is_array()) {
    for (const auto& item : value.get_array())
      names.push_back(item);
  } else if (value.is_string()) {
    std::string_view text = value.get_string();
    for (size_t i = 0; i < text.size();) {
      size_t length = 1;
      while (i + length < text.size()
             && (static_cast<unsigned char>(text[i + length]) & 0xc0) == 0x80)
        ++length;
      names.emplace_back(text.substr(i, length));
      i += length;
    }
  } else {
    return not_iterable(value);
  }
  return names;
}

/// `container[name]`: only an object has members by name.
const json::value* member(const json::value& container,
                          const json::value& name) {
  if (!container.is_object() || !name.is_string())
    return nullptr;
  return container.get_object().if_contains(name.get_string());
}

/// `config.get(key, fallback)` of the top-level object.
const json::value& get(const json::object& config, std::string_view key,
                       const json::value& fallback) {
  auto* value = config.if_contains(key);
  return value ? *value : fallback;
}

std::string child(std::string_view parent, const json::value& name) {
  return std::string{parent} + "." + python::str(name);
}

/// logging._checkLevel: the numeric level, or why it is none.
std::variant<int64_t, std::string> check_level(const json::value& level) {
  if (level.is_bool())
    return int64_t{level.get_bool() ? 1 : 0};
  if (level.is_int64())
    return level.get_int64();
  if (level.is_uint64())
    return int64_t{50};  // above every level: nothing passes
  if (!level.is_string())
    return "Level not an integer or a valid string: " + python::repr(level);
  static constexpr std::pair<std::string_view, int64_t> names[] = {
    {"CRITICAL", 50}, {"FATAL", 50}, {"ERROR", 40}, {"WARN", 30},
    {"WARNING", 30},  {"INFO", 20},  {"DEBUG", 10}, {"NOTSET", 0}};
  for (auto [name, number] : names)
    if (level.get_string() == name)
      return number;
  return "Unknown level: " + python::repr(level);
}

/// Why `level` (absent or None: nothing to check) is refused, if it is.
std::optional<std::string> level_fault(const json::object& owner) {
  auto* level = owner.if_contains("level");
  if (!level || level->is_null())
    return std::nullopt;
  auto checked = check_level(*level);
  if (auto* why = std::get_if<std::string>(&checked))
    return *why;
  return std::nullopt;
}

/// Why the names in `refs` (a logger's or handler's `handlers` or
/// `filters`) do not all name an entry of the configuration's `section`.
std::optional<std::string> reference_fault(const json::object& config,
                                           const json::value& refs,
                                           std::string_view section,
                                           std::string_view what) {
  if (!python::truthy(refs))
    return std::nullopt;
  auto names = names_in(refs);
  if (auto* why = std::get_if<std::string>(&names))
    return *why;
  static const json::value none;
  const auto& entries = get(config, section, none);
  for (const auto& name : std::get<std::vector<json::value>>(names))
    if (!member(entries, name))
      return "Unable to add " + std::string{what} + " " + python::repr(name);
  return std::nullopt;
}

std::string expected_object(const json::value& value) {
  return "expected an object, got " + std::string{python::type_name(value)};
}

/// common_logger_config (and configure_logger): why this logger's or the
/// root's configuration is refused, if it is.
std::optional<std::string> logger_fault(const json::object& config,
                                        const json::value& logger,
                                        bool incremental) {
  if (!logger.is_object())
    return expected_object(logger);
  const auto& object = logger.get_object();
  if (auto why = level_fault(object))
    return why;
  if (incremental)
    return std::nullopt;
  static const json::value none;
  if (auto why = reference_fault(config, get(object, "handlers", none),
                                 "handlers", "handler"))
    return why;
  return reference_fault(config, get(object, "filters", none), "filters",
                         "filter");
}

/// configure_handler, as far as it does not depend on the class: why this
/// handler's configuration is refused, if it is.
std::optional<std::string> handler_fault(const json::object& config,
                                         const json::value& handler) {
  if (handler.is_null() || !handler.is_object())
    return expected_object(handler);
  const auto& object = handler.get_object();
  static const json::value none;
  const auto& formatter = get(object, "formatter", none);
  if (python::truthy(formatter)
      && !member(get(config, "formatters", none), formatter))
    return "Unable to set formatter " + python::repr(formatter);
  if (!object.contains("class") && !object.contains("()"))
    return std::string{"no class"};
  if (auto why = level_fault(object))
    return why;
  return reference_fault(config, get(object, "filters", none), "filters",
                         "filter");
}

/// dict(value) of what is not a JSON object: "{}" for an empty list or
/// string; otherwise Python's TypeError or ValueError text, or ours for a
/// list of pairs, which no logging configuration is.
log_config_error not_a_dict(const json::value& value) {
  bool empty = (value.is_string() && value.get_string().empty())
               || (value.is_array() && value.get_array().empty());
  if (empty)
    return refuse("dictionary doesn't specify a version");
  if (value.is_string())
    return refuse("dictionary update sequence element #0 has length 1; 2 "
                  "is required");
  if (!value.is_array())
    return refuse(not_iterable(value));
  const auto& first = value.get_array().front();
  if (!first.is_array() && !first.is_string())
    return refuse("cannot convert dictionary update sequence element #0 to "
                  "a sequence");
  auto length = std::get<std::vector<json::value>>(names_in(first)).size();
  if (length != 2)
    return refuse("dictionary update sequence element #0 has length "
                  + std::to_string(length) + "; 2 is required");
  return refuse("a logging configuration is a JSON object, not a list of "
                "pairs");
}

bool is_version_one(const json::value& version) {
  return (version.is_int64() && version.get_int64() == 1)
         || (version.is_uint64() && version.get_uint64() == 1)
         || (version.is_double() && version.get_double() == 1.0)
         || (version.is_bool() && version.get_bool());
}

/// Walks `section` of `config` (fallback: an empty object) as dictConfig
/// does, calling `check(name, entry)` for every entry in `order`; the
/// first refusal is "<what> NAME" with check's cause.
template <class Check>
refusal walk_section(const json::object& config, std::string_view section,
                     std::string_view what, bool sorted, Check&& check) {
  static const json::value empty = json::object{};
  const auto& container = get(config, section, empty);
  auto names = names_in(container);
  if (auto* why = std::get_if<std::string>(&names))
    return refuse(*why, std::string{section});
  auto& list = std::get<std::vector<json::value>>(names);
  if (sorted && std::ranges::all_of(list, &json::value::is_string))
    std::ranges::sort(list, {}, [](const json::value& name) {
      return std::string_view{name.get_string()};
    });
  for (const auto& name : list) {
    auto path = child(section, name);
    auto* entry = member(container, name);
    if (!entry)
      return refuse(std::string{what} + " " + python::repr(name), path,
                    "not an object of named entries");
    if (auto why = check(name, *entry))
      return refuse(std::string{what} + " " + python::repr(name), path,
                    std::move(*why));
  }
  return std::nullopt;
}

refusal check_root(const json::object& config, bool incremental) {
  auto* root = config.if_contains("root");
  if (!root || !python::truthy(*root))
    return std::nullopt;
  if (auto why = logger_fault(config, *root, incremental))
    return refuse("Unable to configure root logger", "root", std::move(*why));
  return std::nullopt;
}

refusal check_loggers(const json::object& config, bool incremental) {
  return walk_section(
    config, "loggers", "Unable to configure logger", false,
    [&](const json::value& name,
        const json::value& logger) -> std::optional<std::string> {
      if (!name.is_string())
        return std::string{"A logger name must be a string"};
      return logger_fault(config, logger, incremental);
    });
}

/// Incremental: only the levels of handlers in force change.
refusal check_handler_levels(const json::object& config,
                             const std::vector<std::string>& existing) {
  static const json::value empty = json::object{};
  const auto& handlers = get(config, "handlers", empty);
  auto names = names_in(handlers);
  if (auto* why = std::get_if<std::string>(&names))
    return refuse(*why, "handlers");
  for (const auto& name : std::get<std::vector<json::value>>(names)) {
    auto path = child("handlers", name);
    if (!name.is_string()
        || std::ranges::find(existing, std::string_view{name.get_string()})
             == existing.end())
      return refuse("No handler found with name " + python::repr(name), path);
    auto* handler = member(handlers, name);
    std::optional<std::string> why;
    if (!handler || !handler->is_object())
      why = handler ? expected_object(*handler)
                    : "not an object of named entries";
    else if (auto* level = handler->get_object().if_contains("level");
             level && python::truthy(*level))
      why = level_fault(handler->get_object());
    if (why)
      return refuse("Unable to configure handler " + python::repr(name), path,
                    std::move(*why));
  }
  return std::nullopt;
}

refusal check_incremental(const json::object& config,
                          const std::vector<std::string>& existing) {
  if (auto refused = check_handler_levels(config, existing))
    return refused;
  if (auto refused = check_loggers(config, true))
    return refused;
  return check_root(config, true);
}

refusal check_complete(const json::object& config) {
  auto entry_is_object = [](const json::value&, const json::value& entry)
    -> std::optional<std::string> {
    if (!entry.is_object())
      return expected_object(entry);
    return std::nullopt;
  };
  if (auto refused = walk_section(config, "formatters",
                                  "Unable to configure formatter", false,
                                  entry_is_object))
    return refused;
  if (auto refused = walk_section(config, "filters",
                                  "Unable to configure filter", false,
                                  entry_is_object))
    return refused;
  if (auto refused = walk_section(
        config, "handlers", "Unable to configure handler", true,
        [&](const json::value&, const json::value& handler) {
          return handler_fault(config, handler);
        }))
    return refused;
  if (auto refused = check_loggers(config, false))
    return refused;
  return check_root(config, false);
}

/// What an accepted configuration asks of the logger.
log_settings settings_of(const json::object& config, bool incremental) {
  log_settings settings;
  settings.config = config;
  if (auto* root = config.if_contains("root"); root && root->is_object())
    if (auto* level = root->get_object().if_contains("level");
        level && !level->is_null())
      settings.root_level = level_for_threshold(python_level(*level));
  if (!incremental) {
    settings.handlers.emplace();
    if (auto* handlers = config.if_contains("handlers");
        handlers && handlers->is_object())
      for (const auto& [name, handler] : handlers->get_object())
        settings.handlers->emplace_back(name);
  }
  return settings;
}

}  // namespace

std::variant<log_settings, log_config_error>
read_log_config(const json::value& conf,
                const std::vector<std::string>& existing_handlers) {
  if (!conf.is_object())
    return not_a_dict(conf);
  const auto& config = conf.get_object();
  auto* version = config.if_contains("version");
  if (!version)
    return refuse("dictionary doesn't specify a version");
  if (!is_version_one(*version))
    return refuse("Unsupported version: " + python::str(*version), "version");
  bool incremental = config.contains("incremental")
                     && python::truthy(config.at("incremental"));
  auto refused = incremental ? check_incremental(config, existing_handlers)
                             : check_complete(config);
  if (refused)
    return std::move(*refused);
  return settings_of(config, incremental);
}

std::string describe(const log_config_error& error) {
  return error.cause.empty() ? error.text : error.text + ": " + error.cause;
}

void apply_log_settings(const log_settings& settings,
                        std::string_view component) {
  if (!settings.config)
    return;
  auto previous = log::installed();
  auto setup = build_logger_tree(*settings.config, previous.get());
  log::install(std::move(setup.tree));
  if (setup.unsupported.empty())
    return;
  std::string names;
  for (const auto& name : setup.unsupported)
    names += (names.empty() ? "" : ", ") + name;
  HAT_LOG_WARNING(component, "log: not supported, left out: ", names);
}

int64_t python_level(const json::value& level) {
  auto checked = check_level(level);
  auto* number = std::get_if<int64_t>(&checked);
  return number ? *number : 0;
}

log::level level_for_threshold(int64_t threshold) {
  if (threshold <= 10)
    return log::level::debug;
  if (threshold <= 20)
    return log::level::info;
  if (threshold <= 30)
    return log::level::warning;
  if (threshold <= 40)
    return log::level::error;
  return log::level::critical;
}

}  // namespace hat::config
