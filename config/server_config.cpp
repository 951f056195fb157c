#include "config/server_config.hpp"

#include "config/json_fields.hpp"

#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <memory>
#include <string_view>
#include <system_error>

#include "config/logging_schema.hpp"
#include "config/yaml_to_json.hpp"

// Schema detection (the reference has several 0.9 schemas, see
// schemas_json/server.yaml in hat-event's history):
//  - 0.9.0 .. 0.9.6: no top-level `name`; `monitor_component.name`;
//    `synced_restart_engine`. Read as schema_version::v0_9_0 with the name
//    taken from `monitor_component.name`, or "event" when standalone.
//  - 0.9.7 .. 0.9.11: top-level `name` and still `synced_restart_engine`.
//  - 0.9.12 and later (current): top-level `name`, `adminer_server` (from
//    0.9.21), no `synced_restart_engine`.
// A file with a top-level `name` is current. `synced_restart_engine` is
// honoured in either schema, because 0.9.7 .. 0.9.11 files carry it next
// to `name` with the same meaning. A `monitor_component.name` next to a
// top-level `name` is ignored with a warning: the top-level one names the
// component. A file with `adminer_server` but no `name` is a current file
// that lacks its name ("name: missing"), since 0.9.0 had no adminer.

namespace hat::config {
namespace {

namespace json = boost::json;
using namespace fields;

constexpr std::string_view log_component = "config";

// Keys this server reads, per object. The reference's schema allows other
// keys (and a file may carry keys for other tools), so an unknown key is
// not refused: it is named in one warning, because it is most often a
// typo whose setting silently does nothing. A key added to the reader must
// be added here.
constexpr std::string_view top_level_keys[] = {
  "type",           "version",           "name",
  "server_id",      "server_token",      "backend",
  "modules",        "eventer_server",    "adminer_server",
  "monitor_component", "synced_restart_engine", "module_timeout",
  "sync_retry_delay", "metrics_server", "placement", "log"};
constexpr std::string_view placement_keys[] = {"engine", "store", "fanout"};
constexpr std::string_view address_keys[] = {"host", "port"};
constexpr std::string_view eventer_server_keys[] = {
  "host", "port", "dialect", "max_frame_size", "max_send_queue",
  "max_partial_frame_memory", "max_connections", "ping_delay", "ping_timeout",
  "max_requests_in_flight"};
constexpr std::string_view lmdb_backend_keys[] = {
  "module",         "db_path",
  "identifier",     "flush_period",
  "cleanup_period", "conditions",
  "latest",         "timeseries",
  "timeseries_max_results", "timeseries_event_type_cache_size"};
constexpr std::string_view plain_backend_keys[] = {"module"};

/// One warning naming every key of `object` not in `known`.
template <size_t N>
void warn_unknown_keys(const json::object& object, std::string_view path,
                       const std::string_view (&known)[N]) {
  std::string unknown;
  for (const auto& [key, value] : object) {
    if (std::find(std::begin(known), std::end(known), key) != std::end(known))
      continue;
    unknown += unknown.empty() ? "" : ", ";
    unknown += path.empty() ? std::string{key} : child_path(path, key);
  }
  if (!unknown.empty())
    HAT_LOG_WARNING(log_component, "unknown configuration key",
                    unknown.find(',') == std::string::npos ? " " : "s ",
                    unknown, " ignored");
}

/// `{host, port}`, lenient like the reference's defaults: a missing host or
/// port takes the schema default instead of failing.
address read_address(const json::object& object, std::string_view path,
                     address defaults, int64_t min_port) {
  address result = std::move(defaults);
  if (auto* host = find(object, "host")) {
    auto host_path = child_path(path, "host");
    result.host = as_string(*host, host_path);
    if (result.host.empty())
      throw config_error(host_path, "must not be empty");
  }
  if (auto* port = find(object, "port"))
    result.port = as_port(*port, child_path(path, "port"), min_port);
  return result;
}

eventer::dialect read_dialect(const json::value& value,
                              const std::string& path) {
  auto name = as_string(value, path);
  if (name == "current")
    return eventer::dialect::current;
  if (name == "v0.9.0")
    return eventer::dialect::v0_9_0;
  throw config_error(path, "unknown dialect '" + name +
                             "' (expected 'current' or 'v0.9.0')");
}

size_t read_byte_count(const json::object& object, std::string_view parent,
                       std::string_view key, size_t fallback) {
  auto* value = find(object, key);
  if (!value)
    return fallback;
  auto path = child_path(parent, key);
  int64_t bytes = as_integer(*value, path);
  if (bytes <= 0)
    throw config_error(path, "expected a positive number of bytes, got " +
                               std::to_string(bytes));
  return static_cast<size_t>(bytes);
}

eventer_server_config read_eventer_server(const json::object& root) {
  const auto& object =
    as_object(require(root, "", "eventer_server"), "eventer_server");
  warn_unknown_keys(object, "eventer_server", eventer_server_keys);
  eventer_server_config result;
  // Port 0 asks the OS for an ephemeral port (tests rely on it).
  result.addr = read_address(object, "eventer_server", result.addr, 0);
  if (auto* dialect = find(object, "dialect"))
    result.dialect = read_dialect(*dialect, "eventer_server.dialect");
  result.max_frame_size = read_byte_count(object, "eventer_server",
                                          "max_frame_size",
                                          result.max_frame_size);
  result.max_send_queue = read_byte_count(object, "eventer_server",
                                          "max_send_queue",
                                          result.max_send_queue);
  result.max_partial_frame_memory = read_byte_count(
    object, "eventer_server", "max_partial_frame_memory",
    result.max_partial_frame_memory);
  if (auto* value = find(object, "max_connections")) {
    auto count = as_integer(*value, "eventer_server.max_connections");
    if (count <= 0)
      throw config_error("eventer_server.max_connections",
                         "expected a positive number, got "
                           + std::to_string(count));
    result.max_connections = static_cast<size_t>(count);
  }
  auto read_seconds = [&](std::string_view key, double& target,
                          bool zero_allowed) {
    auto* value = find(object, key);
    if (!value)
      return;
    auto path = child_path("eventer_server", key);
    auto seconds = as_number(*value, path);
    // At most a year: the value becomes a duration in nanoseconds.
    if (!(seconds >= 0 && seconds <= 365 * 24 * 3600.0)
        || (!zero_allowed && seconds == 0))
      throw config_error(path, zero_allowed
                                 ? "expected seconds from 0 to a year"
                                 : "expected seconds above 0, up to a year");
    target = seconds;
  };
  read_seconds("ping_delay", result.ping_delay, true);
  read_seconds("ping_timeout", result.ping_timeout, false);
  if (auto* value = find(object, "max_requests_in_flight")) {
    auto path = child_path("eventer_server", "max_requests_in_flight");
    int64_t count = as_integer(*value, path);
    if (count <= 0)
      throw config_error(path, "expected a positive number, got "
                                 + std::to_string(count));
    result.max_requests_in_flight = static_cast<size_t>(count);
  }
  return result;
}

std::optional<backend_kind> backend_from_module(std::string_view module) {
  constexpr std::string_view reference_prefix = "hat.event.backends.";
  if (module.starts_with(reference_prefix))
    module.remove_prefix(reference_prefix.size());
  if (module == "dummy")
    return backend_kind::dummy;
  if (module == "memory")
    return backend_kind::memory;
  if (module == "lmdb")
    return backend_kind::lmdb;
  return std::nullopt;
}

/// Only `module` is checked here; each backend validates its own keys.
backend_config read_backend(const json::object& root) {
  const auto& object = as_object(require(root, "", "backend"), "backend");
  auto module = as_string(require(object, "backend", "module"),
                          "backend.module");
  auto kind = backend_from_module(module);
  if (!kind)
    throw config_error("backend.module", "unknown backend '" + module + "'");
  backend_config result{*kind, object, std::nullopt};
  if (*kind == backend_kind::lmdb) {
    result.lmdb = read_lmdb_backend(object);
    warn_unknown_keys(object, "backend", lmdb_backend_keys);
  } else {
    warn_unknown_keys(object, "backend", plain_backend_keys);
  }
  return result;
}

std::vector<module_config> read_modules(const json::object& root) {
  const auto& array = as_array(require(root, "", "modules"), "modules");
  std::vector<module_config> result;
  for (size_t i = 0; i < array.size(); ++i) {
    auto path = index_path("modules", i);
    const auto& object = as_object(array[i], path);
    auto module = as_string(require(object, path, "module"),
                            child_path(path, "module"));
    result.push_back(module_config{std::move(module), object});
  }
  return result;
}

monitor_component_config read_monitor_component(
  const json::object& object) {
  monitor_component_config result;
  result.addr = read_address(object, "monitor_component", result.addr, 1);
  result.group = as_string(require(object, "monitor_component", "group"),
                           "monitor_component.group");
  return result;
}

schema_version detect_schema(const json::object& root) {
  return root.contains("name") || root.contains("adminer_server")
           ? schema_version::current
           : schema_version::v0_9_0;
}

/// The component name: where each schema keeps it.
std::string read_name(const json::object& root, schema_version schema,
                      const json::object* monitor) {
  if (schema == schema_version::current) {
    if (monitor && monitor->contains("name"))
      HAT_LOG_WARNING(log_component,
                      "ignoring monitor_component.name (0.9.0 schema): "
                      "the top-level name is the component name");
    return as_string(require(root, "", "name"), "name");
  }
  if (!monitor)
    return "event";  // a standalone 0.9.0 server had no name
  return as_string(require(*monitor, "monitor_component", "name"),
                   "monitor_component.name");
}

void check_type_and_version(const json::object& root) {
  if (auto* type = find(root, "type")) {
    auto text = as_string(*type, "type");
    if (text != "event")
      throw config_error("type", "expected 'event', got '" + text + "'");
  }
  if (auto* version = find(root, "version"))
    as_string(*version, "version");
}

std::optional<std::string> read_server_token(const json::object& root) {
  auto* token = find(root, "server_token");
  if (!token || token->is_null())
    return std::nullopt;
  if (!token->is_string())
    type_error("server_token", "a string or null", *token);
  return std::string{token->get_string()};
}

/// The file's `log`: checked as the reference checks it, against the
/// logging schema and then as dictConfig (log_config.hpp), which the
/// adminer's set shares.
log_settings read_log(const json::object& root) {
  const auto* log = find(root, "log");
  if (!log)
    return {};
  if (auto error = check_logging_schema(*log, "log"))
    throw config_error("", *error);
  auto read = read_log_config(*log, {});
  if (auto* error = std::get_if<log_config_error>(&read))
    throw config_error(error->path.empty() ? "log" : "log." + error->path,
                       describe(*error));
  return std::get<log_settings>(read);
}

void read_actor_placement(const json::object& object, std::string_view key,
                          actor_placement& placement) {
  auto path = child_path("placement", key);
  auto* value = find(object, key);
  if (!value)
    return;
  auto text = as_string(*value, path);
  if (text == "network_thread")
    placement = actor_placement::network_thread;
  else if (text == "scheduler")
    placement = actor_placement::scheduler;
  else
    throw config_error(path, std::string{"expected \"network_thread\" or "
                                         "\"scheduler\", got \""}
                               .append(text)
                               .append("\""));
}

/// Ours: which thread runs the engine, the memory or dummy store and the
/// fan-out (actors/placement.hpp); absent keys keep the measured defaults.
placement_config read_placement(const json::object& object) {
  warn_unknown_keys(object, "placement", placement_keys);
  placement_config placement;
  read_actor_placement(object, "engine", placement.engine);
  read_actor_placement(object, "store", placement.store);
  read_actor_placement(object, "fanout", placement.fanout);
  return placement;
}

server_config validate(const json::value& document) {
  if (!document.is_object())
    throw config_error("", "expected an object at the top level, got " +
                             std::string{kind_name(document)});
  const auto& root = document.get_object();
  server_config config;
  config.schema = detect_schema(root);
  check_type_and_version(root);
  config.server_id = as_integer(require(root, "", "server_id"), "server_id");
  config.server_token = read_server_token(root);
  config.backend = read_backend(root);
  config.modules = read_modules(root);
  config.eventer_server = read_eventer_server(root);
  if (const auto* adminer = optional_object(root, "adminer_server"))
    config.adminer_server =
      read_address(*adminer, "adminer_server", {"127.0.0.1", 23015}, 0);
  if (const auto* metrics = optional_object(root, "metrics_server")) {
    // No default port: none is customary for Hat, and a guessed one could
    // be another component's.
    require(*metrics, "metrics_server", "port");
    warn_unknown_keys(*metrics, "metrics_server", address_keys);
    config.metrics_server =
      read_address(*metrics, "metrics_server", {"127.0.0.1", 0}, 0);
  }
  const auto* monitor = optional_object(root, "monitor_component");
  if (monitor)
    config.monitor_component = read_monitor_component(*monitor);
  config.name = read_name(root, config.schema, monitor);
  if (auto* synced = find(root, "synced_restart_engine"))
    config.synced_restart_engine =
      as_boolean(*synced, "synced_restart_engine");
  if (auto* timeout = find(root, "module_timeout")) {
    config.module_timeout = as_number(*timeout, "module_timeout");
    // At most a year: the value becomes a duration in milliseconds.
    if (!(config.module_timeout >= 0
          && config.module_timeout <= 365 * 24 * 3600.0))
      throw config_error("module_timeout",
                         "expected seconds from 0 to a year");
  }
  if (auto* delay = find(root, "sync_retry_delay")) {
    config.sync_retry_delay = as_number(*delay, "sync_retry_delay");
    if (!(config.sync_retry_delay >= 0.001
          && config.sync_retry_delay <= 24 * 3600.0))
      throw config_error("sync_retry_delay",
                         "expected seconds from 0.001 to a day");
  }
  if (const auto* placement = optional_object(root, "placement"))
    config.placement = read_placement(*placement);
  config.logging = read_log(root);
  if (const auto* log = find(root, "log"))
    config.log_conf = *log;
  warn_unknown_keys(root, "", top_level_keys);
  return config;
}

/// "line L, column C: " of byte `offset`, both counted from 1.
std::string position_of(std::string_view text, size_t offset) {
  offset = std::min(offset, text.size());
  size_t line = 1;
  size_t line_start = 0;
  for (size_t i = 0; i < offset; ++i)
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  return "line " + std::to_string(line) + ", column " +
         std::to_string(offset - line_start + 1) + ": ";
}

json::value parse_json(std::string_view text) {
  constexpr std::string_view utf8_bom = "\xEF\xBB\xBF";
  if (text.starts_with(utf8_bom))
    text.remove_prefix(utf8_bom.size());
  json::parse_options options;
  options.max_depth = 256;  // as for YAML; Boost's default of 32 is tight
  json::stream_parser parser({}, options);
  boost::system::error_code error;
  size_t used = parser.write(text.data(), text.size(), error);
  if (!error)
    parser.finish(error);
  if (error)
    throw config_error("", position_of(text, used) +
                             "JSON syntax error: " + error.message());
  return parser.release();
}

json::value parse_document(std::string_view text, file_format format) {
  return format == file_format::json ? parse_json(text) : yaml_to_json(text);
}

std::string read_file(const std::filesystem::path& path) {
  auto fail = [&](int error) {
    throw config_error("", "cannot read configuration file '" +
                             path.string() + "': " +
                             std::generic_category().message(error));
  };
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file{
    std::fopen(path.c_str(), "rb"), &std::fclose};
  if (!file)
    fail(errno);
  std::string text;
  char buffer[1 << 14];
  size_t count = 0;
  while ((count = std::fread(buffer, 1, sizeof buffer, file.get())) > 0)
    text.append(buffer, count);
  if (std::ferror(file.get()))
    fail(errno);  // e.g. EISDIR: fopen accepts a directory, reading fails
  return text;
}

file_format format_of(const std::filesystem::path& path) {
  auto extension = path.extension().string();
  for (char& c : extension)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return extension == ".json" ? file_format::json : file_format::yaml;
}

std::filesystem::path home_directory() {
  if (const char* home = std::getenv("HOME"); home && *home)
    return home;
  // Python's expanduser, which the reference uses, falls back likewise.
  passwd entry{};
  passwd* found = nullptr;
  char buffer[4096];
  if (getpwuid_r(getuid(), &entry, buffer, sizeof buffer, &found) == 0 &&
      found && found->pw_dir)
    return found->pw_dir;
  return {};
}

std::filesystem::path config_home() {
  // An empty XDG_CONFIG_HOME counts as unset (XDG Base Directory spec).
  if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg && *xdg)
    return xdg;
  return home_directory() / ".config";
}

}  // namespace

server_config parse_server_config(std::string_view text,
                                  file_format format) {
  return validate(parse_document(text, format));
}

server_config load_server_config(const std::filesystem::path& path) {
  auto text = read_file(path);
  json::value document;
  try {
    document = parse_document(text, format_of(path));
  } catch (const config_error& error) {
    if (!error.path().empty())
      throw;
    // Syntax errors carry only a position: name the file too.
    throw config_error("", path.string() + ": " + error.what());
  }
  return validate(document);
}

std::filesystem::path default_config_path() {
  auto stem = config_home() / "hat" / "event";
  for (const char* extension : {".yaml", ".yml", ".json"}) {
    auto candidate = stem;
    candidate += extension;
    std::error_code error;
    if (std::filesystem::exists(candidate, error))
      return candidate;
  }
  return stem += ".yaml";
}

}  // namespace hat::config
