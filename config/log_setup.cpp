#include "config/log_setup.hpp"

#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <set>

#include "config/log_config.hpp"
#include "config/python_text.hpp"
#include "log/file_handler.hpp"
#include "log/logger_names.hpp"
#include "log/stream_handler.hpp"
#include "log/syslog_handler.hpp"

namespace hat::config {

namespace {

namespace json = boost::json;

using handler_ptr = std::shared_ptr<log::handler>;

const json::value none;

const json::value& get(const json::object& object, std::string_view key) {
  auto* value = object.if_contains(key);
  return value ? *value : none;
}

std::optional<int64_t> integer_of(const json::value& value) {
  if (value.is_int64())
    return value.get_int64();
  if (value.is_uint64())
    return static_cast<int64_t>(
      std::min<uint64_t>(value.get_uint64(), INT64_MAX));
  if (value.is_double() && std::isfinite(value.get_double()))
    return static_cast<int64_t>(value.get_double());
  if (value.is_bool())
    return value.get_bool() ? 1 : 0;
  return std::nullopt;
}

std::vector<std::string> names_of(const json::value& list) {
  std::vector<std::string> names;
  if (list.is_array())
    for (const auto& name : list.get_array())
      if (name.is_string())
        names.emplace_back(name.get_string());
  return names;
}

class builder {
public:
  builder(const json::object& config, const log::logger_tree* previous)
    : config_(config) {
    setup_.tree = std::make_shared<log::logger_tree>();
    if (previous)
      *setup_.tree = *previous;
  }

  log_setup build() {
    if (python::truthy(get(config_, "incremental")))
      build_incremental();
    else
      build_complete();
    return std::move(setup_);
  }

private:
  void unsupported(std::string what) {
    setup_.unsupported.push_back(std::move(what));
  }

  void warn_other_keys(const json::object& entry, const std::string& path,
                       std::initializer_list<std::string_view> known) {
    for (const auto& [key, value] : entry)
      if (std::ranges::find(known, std::string_view{key}) == known.end())
        unsupported(path + "." + std::string{key});
  }

  static int level_of(const json::object& entry) {
    const auto& level = get(entry, "level");
    return level.is_null() ? 0 : static_cast<int>(python_level(level));
  }

  void build_formatters() {
    const auto& formatters = get(config_, "formatters");
    if (!formatters.is_object())
      return;
    for (const auto& [name, entry] : formatters.get_object()) {
      std::string path = "formatters." + std::string{name};
      const auto& object = entry.get_object();
      warn_other_keys(object, path, {"format", "datefmt", "style"});
      const auto& style = get(object, "style");
      if (!style.is_null() && !(style.is_string() && style.get_string() == "%"))
        unsupported(path + ".style " + python::str(style));
      const auto& format = get(object, "format");
      const auto& datefmt = get(object, "datefmt");
      log::record_format made{
        format.is_string() ? std::string{format.get_string()} : "%(message)s",
        datefmt.is_string() ? std::optional{std::string{datefmt.get_string()}}
                            : std::nullopt};
      for (const auto& field : made.unknown_fields())
        unsupported(path + ".format %(" + field + ")");
      formats_.emplace(std::string{name}, std::move(made));
    }
  }

  void build_filters() {
    const auto& filters = get(config_, "filters");
    if (!filters.is_object())
      return;
    for (const auto& [name, entry] : filters.get_object()) {
      const auto& object = entry.get_object();
      warn_other_keys(object, "filters." + std::string{name}, {"name"});
      const auto& filter_name = get(object, "name");
      filter_names_.emplace(std::string{name},
                            filter_name.is_string()
                              ? std::string{filter_name.get_string()}
                              : std::string{});
    }
  }

  std::vector<std::string> filters_of(const json::object& entry) {
    std::vector<std::string> filters;
    for (const auto& name : names_of(get(entry, "filters")))
      if (auto it = filter_names_.find(name); it != filter_names_.end())
        filters.push_back(it->second);
    return filters;
  }

  /// Files and syslog connections (each with a thread) a configuration
  /// may hold: the adminer's peer is not to make us hold thousands.
  static constexpr int max_resource_handlers = 64;

  bool resource_left(const std::string& path) {
    if (resource_handlers_ < max_resource_handlers) {
      ++resource_handlers_;
      return true;
    }
    unsupported(path + " (beyond "
                + std::to_string(max_resource_handlers)
                + " file and syslog handlers)");
    return false;
  }

  handler_ptr make_handler(const std::string& path,
                           const json::object& entry) {
    const auto& class_value = get(entry, "class");
    std::string cls =
      class_value.is_string() ? std::string{class_value.get_string()} : "";
    int level = level_of(entry);
    auto filters = filters_of(entry);
    log::record_format format;
    if (auto name = get(entry, "formatter"); name.is_string())
      if (auto it = formats_.find(std::string{name.get_string()});
          it != formats_.end())
        format = it->second;
    auto text = [&](std::string_view key, std::string fallback) {
      const auto& value = get(entry, key);
      return value.is_string() ? std::string{value.get_string()} : fallback;
    };
    if (cls == "logging.StreamHandler") {
      warn_other_keys(entry, path, {"class", "level", "formatter", "filters",
                                    "stream"});
      auto stream = text("stream", "ext://sys.stderr");
      if (stream != "ext://sys.stderr" && stream != "ext://sys.stdout")
        unsupported(path + ".stream " + stream);
      int fd = stream == "ext://sys.stdout" ? STDOUT_FILENO : STDERR_FILENO;
      return std::make_shared<log::stream_handler>(fd, level, format,
                                                   std::move(filters));
    }
    bool rotating = cls == "logging.handlers.RotatingFileHandler";
    bool file = cls == "logging.FileHandler" || rotating;
    bool syslog = cls == "hat.syslog.handler.SyslogHandler"
                  || cls == "hat.syslog.handler.SysLogHandler";
    if ((file || syslog) && !resource_left(path))
      return nullptr;
    if (file) {
      warn_other_keys(entry, path,
                      {"class", "level", "formatter", "filters", "filename",
                       "mode", "encoding", "delay", "maxBytes",
                       "backupCount"});
      auto encoding = text("encoding", "utf-8");
      if (encoding != "utf-8" && encoding != "utf8" && encoding != "UTF-8")
        unsupported(path + ".encoding " + encoding);
      log::file_options options;
      options.filename = text("filename", "");
      options.mode = text("mode", "a");
      options.delay = python::truthy(get(entry, "delay"));
      if (rotating) {
        options.max_bytes = static_cast<uint64_t>(
          std::max<int64_t>(0, integer_of(get(entry, "maxBytes")).value_or(0)));
        options.backup_count = static_cast<int>(std::clamp<int64_t>(
          integer_of(get(entry, "backupCount")).value_or(0), 0, 1000000));
      }
      return std::make_shared<log::file_handler>(std::move(options), level,
                                                 format, std::move(filters));
    }
    if (syslog) {
      warn_other_keys(entry, path,
                      {"class", "level", "formatter", "filters", "host",
                       "port", "comm_type", "queue_size", "reconnect_delay"});
      log::syslog_options options;
      options.host = text("host", "127.0.0.1");
      options.port = static_cast<uint16_t>(
        std::clamp<int64_t>(integer_of(get(entry, "port")).value_or(0), 0,
                            65535));
      auto comm_type = text("comm_type", "TCP");
      std::ranges::transform(comm_type, comm_type.begin(), ::toupper);
      if (comm_type != "TCP" && comm_type != "UDP") {
        unsupported(path + ".comm_type " + comm_type);
        return nullptr;
      }
      options.tcp = comm_type == "TCP";
      options.queue_size = static_cast<size_t>(std::clamp<int64_t>(
        integer_of(get(entry, "queue_size")).value_or(1024), 1, 1 << 16));
      if (const auto& delay = get(entry, "reconnect_delay");
          delay.is_number())
        options.reconnect_delay = std::chrono::milliseconds{
          static_cast<int64_t>(std::clamp(delay.to_number<double>(), 0.01,
                                          3600.0)
                               * 1000)};
      return std::make_shared<log::syslog_handler>(std::move(options), level,
                                                   std::move(filters));
    }
    unsupported(path + ".class " + (cls.empty() ? "()" : cls));
    return nullptr;
  }

  void build_handlers() {
    setup_.tree->handlers.clear();
    const auto& handlers = get(config_, "handlers");
    if (!handlers.is_object())
      return;
    for (const auto& [name, entry] : handlers.get_object()) {
      auto made = make_handler("handlers." + std::string{name},
                               entry.get_object());
      if (made)
        setup_.tree->handlers.emplace(std::string{name}, std::move(made));
    }
  }

  std::vector<handler_ptr> handlers_of(const json::object& entry) {
    std::vector<handler_ptr> found;
    for (const auto& name : names_of(get(entry, "handlers")))
      if (auto it = setup_.tree->handlers.find(name);
          it != setup_.tree->handlers.end())
        found.push_back(it->second);
    return found;
  }

  /// common_logger_config.
  void configure(log::logger_node& node, const json::object& entry,
                 bool incremental) {
    if (!get(entry, "level").is_null())
      node.level = level_of(entry);
    if (incremental)
      return;
    node.handlers = handlers_of(entry);
    node.filters = filters_of(entry);
  }

  /// configure_logger.
  void configure_logger(const std::string& name, const json::value& entry,
                        bool incremental) {
    auto& node = setup_.tree->loggers[name];
    const auto& object = entry.get_object();
    configure(node, object, incremental);
    node.disabled = false;
    if (const auto& propagate = get(object, "propagate"); !propagate.is_null())
      node.propagate = python::truthy(propagate);
  }

  void configure_root(bool incremental) {
    const auto& root = get(config_, "root");
    if (python::truthy(root))
      configure(setup_.tree->root, root.get_object(), incremental);
  }

  void build_incremental() {
    if (const auto& handlers = get(config_, "handlers"); handlers.is_object())
      for (const auto& [name, entry] : handlers.get_object())
        if (auto it = setup_.tree->handlers.find(name);
            it != setup_.tree->handlers.end()
            && python::truthy(get(entry.get_object(), "level")))
          it->second->set_level(level_of(entry.get_object()));
    if (const auto& loggers = get(config_, "loggers"); loggers.is_object())
      for (const auto& [name, entry] : loggers.get_object())
        configure_logger(std::string{name}, entry, true);
    configure_root(true);
  }

  void build_complete() {
    // dictConfig closes the handlers in force; loggers it does not name
    // would keep closed ones, which write nothing useful: they go.
    for (auto& [name, node] : setup_.tree->loggers)
      node.handlers.clear();
    setup_.tree->root.handlers.clear();
    build_formatters();
    build_filters();
    build_handlers();
    std::set<std::string, std::less<>> existing;
    for (auto name : log::known_logger_names())
      existing.emplace(name);
    for (const auto& [name, node] : setup_.tree->loggers)
      existing.insert(name);
    std::set<std::string, std::less<>> children;
    if (const auto& loggers = get(config_, "loggers"); loggers.is_object()) {
      for (const auto& [name, entry] : loggers.get_object()) {
        std::string prefix = std::string{name} + ".";
        for (const auto& other : existing)
          if (other.starts_with(prefix))
            children.insert(other);
        existing.erase(std::string{name});
        configure_logger(std::string{name}, entry, false);
      }
    }
    bool disable_existing = true;
    if (const auto* value = config_.if_contains("disable_existing_loggers"))
      disable_existing = python::truthy(*value);
    for (const auto& name : existing) {
      auto& node = setup_.tree->loggers[name];
      if (children.contains(name)) {
        node.level = 0;
        node.handlers.clear();
        node.propagate = true;
      } else {
        node.disabled = disable_existing;
      }
    }
    configure_root(false);
  }

  const json::object& config_;
  log_setup setup_;
  std::map<std::string, log::record_format> formats_;
  std::map<std::string, std::string> filter_names_;
  int resource_handlers_ = 0;
};

}  // namespace

log_setup build_logger_tree(const json::object& config,
                            const log::logger_tree* previous) {
  return builder{config, previous}.build();
}

}  // namespace hat::config
