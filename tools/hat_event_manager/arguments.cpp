#include "tools/hat_event_manager/arguments.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>

#include "tools/argument_cursor.hpp"
#include "tools/hat_event_manager/payload_input.hpp"
#include "protocol/event_type.hpp"
#include "protocol/timestamp_conversion.hpp"

namespace hat::manager_tool {

namespace {

using cursor = hat::tools::argument_cursor<usage_error>;

[[noreturn]] void bad_value(std::string_view option, std::string_view text,
                            std::string_view expected) {
  hat::tools::bad_value<usage_error>(option, text, expected);
}

int64_t parse_integer(std::string_view option, std::string_view text,
                      int64_t min = std::numeric_limits<int64_t>::min(),
                      int64_t max = std::numeric_limits<int64_t>::max()) {
  auto parsed = hat::tools::whole_number<int64_t>(text);
  if (!parsed)
    bad_value(option, text, "an integer");
  auto value = *parsed;
  if (value < min || value > max)
    bad_value(option, text,
              max == std::numeric_limits<int64_t>::max()
                ? "an integer of at least " + std::to_string(min)
                : "an integer in [" + std::to_string(min) + ", "
                    + std::to_string(max) + "]");
  return value;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return std::ranges::equal(a, b, [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x))
           == std::tolower(static_cast<unsigned char>(y));
  });
}

timestamp timestamp_value(cursor& c, std::string_view option) {
  auto text = c.value(option);
  auto t = parse_timestamp(text);
  if (!t)
    bad_value(option, text, "ISO-8601 text, seconds or 'now'");
  return *t;
}

event_id event_id_value(cursor& c, std::string_view option) {
  auto text = c.value(option);
  auto id = parse_event_id(text);
  if (!id)
    bad_value(option, text, "SERVER,SESSION,INSTANCE");
  return *id;
}

event_type query_type_value(std::string_view text) {
  auto type = parse_event_type(text);
  if (auto reason = invalid_query_type_reason(type))
    throw usage_error(*reason);
  return type;
}

std::chrono::milliseconds seconds_value(cursor& c, std::string_view option) {
  auto text = c.value(option);
  auto seconds = hat::tools::whole_number<double>(text);
  if (!seconds || !(*seconds > 0) || *seconds > 1e9)
    bad_value(option, text, "a number of seconds above 0");
  return std::chrono::milliseconds{
    static_cast<int64_t>(std::ceil(*seconds * 1000))};
}

eventer::dialect dialect_value(cursor& c, std::string_view option) {
  auto text = c.value(option);
  if (text == "current")
    return eventer::dialect::current;
  if (text == "v0.9.0")
    return eventer::dialect::v0_9_0;
  bad_value(option, text, "current or v0.9.0");
}

/// Connection options are taken anywhere on the line.
bool take_connection_option(cursor& c, std::string_view arg,
                            connection_arguments& conn) {
  if (arg == "--host")
    conn.host = c.value(arg);
  else if (arg == "--port")
    conn.port =
      static_cast<uint16_t>(parse_integer(arg, c.value(arg), 1, 65535));
  else if (arg == "--name" || arg == "--client-name")
    conn.name = c.value(arg);
  else if (arg == "--token" || arg == "--client-token")
    conn.token = std::string{c.value(arg)};
  else if (arg == "--dialect")
    conn.dialect = dialect_value(c, arg);
  else
    return false;
  return true;
}

/// Hands every argument after the command's name to `take_option` or
/// `take_positional`; connection options are handled here, and what the
/// two refuse (false) is an error.
template <class TakeOption, class TakePositional>
void parse_rest(cursor& c, connection_arguments& conn,
                TakeOption&& take_option, TakePositional&& take_positional) {
  while (!c.done()) {
    auto arg = c.next();
    if (!c.is_option(arg)) {
      if (!take_positional(arg))
        throw usage_error("unexpected argument '" + std::string{arg} + "'");
    } else if (!take_connection_option(c, arg, conn) && !take_option(arg)) {
      throw usage_error("unknown option '" + std::string{arg} + "'");
    }
  }
}

/// Takes the one positional argument of an action into `slot`; a second
/// one is refused.
auto one_positional(std::optional<std::string_view>& slot) {
  return [&slot](std::string_view arg) {
    if (slot)
      return false;
    slot = arg;
    return true;
  };
}

event_type register_type_value(std::string_view text) {
  auto type = parse_event_type(text);
  if (auto reason = invalid_event_type_reason(type))
    throw usage_error(*reason);
  return type;
}

payload_format payload_format_value(cursor& c, std::string_view option) {
  auto text = c.value(option);
  if (text == "json")
    return payload_format::json;
  if (text == "yaml")
    return payload_format::yaml;
  if (text == "toml")
    return payload_format::toml;
  if (text == "binary")
    return payload_format::binary;
  if (text == "none")
    return payload_format::none;
  bad_value(option, text, "json, yaml, toml, binary or none");
}

/// The reference's choice when --payload-type is not given: JSON from
/// standard input, else by the file's suffix.
payload_format format_of_path(std::string_view path) {
  if (path == "-" || path.ends_with(".json"))
    return payload_format::json;
  if (path.ends_with(".yaml") || path.ends_with(".yml"))
    return payload_format::yaml;
  if (path.ends_with(".toml"))
    return payload_format::toml;
  return payload_format::binary;
}

/// What register's options said about the payload, checked together.
struct payload_options {
  std::optional<payload_format> format;
  std::optional<std::string> binary_type;
  std::optional<std::string> path;
  std::optional<std::string> inline_json;

  bool any() const {
    return format || binary_type || path || inline_json;
  }

  payload_source source() const {
    if (inline_json && (format || binary_type || path))
      throw usage_error("register: --payload excludes --payload-type, "
                        "--payload-path and --binary-type");
    payload_source result;
    result.binary_type = binary_type.value_or("");
    result.path = path.value_or("-");
    if (inline_json) {
      auto text = json_payload_text(*inline_json);
      if (auto* error = std::get_if<python_json::syntax_error>(&text))
        throw usage_error("--payload: " + error->text);
      result.inline_json = std::get<std::string>(std::move(text));
    } else {
      result.format = format ? *format : format_of_path(result.path);
    }
    return result;
  }
};

register_command parse_register(cursor& c, connection_arguments& conn) {
  register_command cmd;
  std::optional<std::string_view> type;
  payload_options payload;
  auto take_option = [&](std::string_view arg) {
    if (arg == "--source-timestamp")
      cmd.source_timestamp = timestamp_value(c, arg);
    else if (arg == "--payload-type")
      payload.format = payload_format_value(c, arg);
    else if (arg == "--binary-type")
      payload.binary_type = std::string{c.value(arg)};
    else if (arg == "--payload-path")
      payload.path = std::string{c.value(arg)};
    else if (arg == "--payload")
      payload.inline_json = std::string{c.value(arg)};
    else if (arg == "--with-response" || arg == "--no-response") {
      c.flag(arg);
      cmd.with_response = arg == "--with-response";
    } else if (arg == "--file")
      cmd.events_file = std::string{c.value(arg)};
    else
      return false;
    return true;
  };
  parse_rest(c, conn, take_option, one_positional(type));
  if (cmd.events_file) {
    if (type || cmd.source_timestamp || payload.any())
      throw usage_error("register: --file excludes EVENT_TYPE, "
                        "--source-timestamp and the payload options");
    return cmd;
  }
  if (!type)
    throw usage_error("register: EVENT_TYPE (or --file) is needed");
  cmd.type = register_type_value(*type);
  cmd.payload = payload.source();
  return cmd;
}

/// TYPE arguments and --type options of latest, timeseries and subscribe.
class query_types {
public:
  explicit query_types(std::optional<std::vector<event_type>>& types)
    : types_(types) {
  }

  /// --type T (ours, one type) or the reference's --event-types [T ...]:
  /// present with no values, it asks for no type at all (matches nothing).
  bool take_option(cursor& c, std::string_view arg) {
    if (arg == "--type")
      return (*this)(c.value(arg));
    if (arg != "--event-types")
      return false;
    if (!types_)
      types_.emplace();
    for (auto text : c.values([&](std::string_view next) {
           return !c.is_option(next);
         }))
      (*this)(text);
    return true;
  }

  bool operator()(std::string_view text) {
    if (!types_)
      types_.emplace();
    types_->push_back(query_type_value(text));
    return true;
  }

private:
  std::optional<std::vector<event_type>>& types_;
};

query_latest_params parse_latest(cursor& c, connection_arguments& conn) {
  query_latest_params params;
  query_types types{params.event_types};
  parse_rest(
    c, conn,
    [&](std::string_view arg) { return types.take_option(c, arg); }, types);
  return params;
}

hat::order order_value(cursor& c, std::string_view option) {
  auto text = c.value(option);
  if (equals_ignoring_case(text, "ascending"))
    return order::ascending;
  if (equals_ignoring_case(text, "descending"))
    return order::descending;
  bad_value(option, text, "DESCENDING or ASCENDING");
}

hat::order_by order_by_value(cursor& c, std::string_view option) {
  auto text = c.value(option);
  if (equals_ignoring_case(text, "timestamp"))
    return order_by::timestamp;
  if (equals_ignoring_case(text, "source_timestamp")
      || equals_ignoring_case(text, "source-timestamp"))
    return order_by::source_timestamp;
  bad_value(option, text, "TIMESTAMP or SOURCE_TIMESTAMP");
}

/// --max-results and --last-event-id, shared by timeseries and server.
bool take_paging(cursor& c, std::string_view arg,
                 std::optional<int64_t>& max_results,
                 std::optional<event_id>& last_event_id) {
  if (arg == "--max-results")
    max_results = parse_integer(arg, c.value(arg), 0);
  else if (arg == "--last-event-id")
    last_event_id = event_id_value(c, arg);
  else
    return false;
  return true;
}

bool take_time_range(cursor& c, std::string_view arg,
                     query_timeseries_params& p) {
  if (arg == "--from" || arg == "--t-from")
    p.t_from = timestamp_value(c, arg);
  else if (arg == "--to" || arg == "--t-to")
    p.t_to = timestamp_value(c, arg);
  else if (arg == "--source-from" || arg == "--source-t-from")
    p.source_t_from = timestamp_value(c, arg);
  else if (arg == "--source-to" || arg == "--source-t-to")
    p.source_t_to = timestamp_value(c, arg);
  else
    return false;
  return true;
}

query_timeseries_params parse_timeseries(cursor& c,
                                         connection_arguments& conn) {
  query_timeseries_params p;
  query_types types{p.event_types};
  auto take_option = [&](std::string_view arg) {
    if (arg == "--order")
      p.order = order_value(c, arg);
    else if (arg == "--order-by")
      p.order_by = order_by_value(c, arg);
    else
      return take_time_range(c, arg, p)
             || take_paging(c, arg, p.max_results, p.last_event_id)
             || types.take_option(c, arg);
    return true;
  };
  parse_rest(c, conn, take_option, types);
  return p;
}

query_server_params parse_server(cursor& c, connection_arguments& conn) {
  query_server_params p;
  std::optional<std::string_view> server_id;
  auto take_option = [&](std::string_view arg) {
    if (arg != "--persisted")
      return take_paging(c, arg, p.max_results, p.last_event_id);
    c.flag(arg);
    p.persisted = true;
    return true;
  };
  parse_rest(c, conn, take_option, one_positional(server_id));
  if (!server_id)
    throw usage_error("query server: SERVER_ID is needed");
  p.server_id = parse_integer("SERVER_ID", *server_id);
  return p;
}

/// The next argument that is not a connection option (a command word).
std::string_view next_word(cursor& c, connection_arguments& conn,
                           const char* missing) {
  while (!c.done()) {
    auto arg = c.next();
    if (!(c.is_option(arg) && take_connection_option(c, arg, conn)))
      return arg;
  }
  throw usage_error(missing);
}

query_command parse_query(cursor& c, connection_arguments& conn) {
  auto kind =
    next_word(c, conn, "query: latest, timeseries or server is needed");
  if (kind == "latest")
    return {parse_latest(c, conn)};
  if (kind == "timeseries")
    return {parse_timeseries(c, conn)};
  if (kind == "server")
    return {parse_server(c, conn)};
  throw usage_error("query: '" + std::string{kind}
                    + "' is not latest, timeseries or server");
}

subscribe_command parse_subscribe(cursor& c, connection_arguments& conn) {
  subscribe_command cmd;
  std::optional<std::vector<event_type>> chosen;
  query_types types{chosen};
  auto take_option = [&](std::string_view arg) {
    if (arg == "--server-id")
      cmd.server_id = parse_integer(arg, c.value(arg));
    else if (arg == "--persisted") {
      c.flag(arg);
      cmd.persisted = true;
    } else if (arg == "--count")
      cmd.count = parse_integer(arg, c.value(arg), 1);
    else if (arg == "--timeout")
      cmd.timeout = seconds_value(c, arg);
    else
      return types.take_option(c, arg);
    return true;
  };
  parse_rest(c, conn, take_option, types);
  // Everything by default, as the reference's manager does.
  cmd.types = chosen.value_or(std::vector<event_type>{{"*"}});
  return cmd;
}

}  // namespace

arguments parse_arguments(const std::vector<std::string_view>& args) {
  arguments result;
  using hat::tools::asks_for;
  if (asks_for(args, "--help") || asks_for(args, "-h"))
    return {{}, help_command{}};
  if (asks_for(args, "--version"))
    return {{}, version_command{}};
  cursor c{args};
  auto name = next_word(c, result.connection,
                        "an action (register, query, subscribe) is needed");
  if (name == "register")
    result.command = parse_register(c, result.connection);
  else if (name == "query")
    result.command = parse_query(c, result.connection);
  else if (name == "subscribe")
    result.command = parse_subscribe(c, result.connection);
  else if (name == "server")
    // The reference lists it and raises NotImplementedError when run.
    throw usage_error("server: the manager's web UI server is not "
                      "implemented (nor is it in the reference)");
  else if (c.is_option(name))
    throw usage_error("unknown option '" + std::string{name} + "'");
  else
    throw usage_error("unknown action '" + std::string{name} + "'");
  return result;
}

event_type parse_event_type(std::string_view text) {
  // The protocol's inverse of to_string reads "" as the empty type; the
  // reference's manager splits it into one empty segment.
  if (text.empty())
    return event_type{""};
  return event_type_from_string(text);
}

std::optional<timestamp> parse_timestamp(std::string_view text) {
  if (text == "now")
    return timestamp_now();
  if (auto t = timestamp_from_iso8601(text))
    return t;
  if (auto seconds = hat::tools::whole_number<double>(text))
    return timestamp_from_float(*seconds);
  return std::nullopt;
}

std::optional<event_id> parse_event_id(std::string_view text) {
  int64_t parts[3];
  auto* at = text.data();
  auto* end = text.data() + text.size();
  for (int i = 0; i < 3; ++i) {
    if (i > 0) {
      if (at == end || (*at != '/' && *at != ','))
        return std::nullopt;
      ++at;
    }
    auto [next, error] = std::from_chars(at, end, parts[i]);
    if (error != std::errc{})
      return std::nullopt;
    at = next;
  }
  if (at != end)
    return std::nullopt;
  return event_id{parts[0], parts[1], parts[2]};
}

}  // namespace hat::manager_tool
