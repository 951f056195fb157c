#include "tools/hat_event_lmdb_manager/arguments.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include "tools/argument_cursor.hpp"
#include "protocol/event_type.hpp"

namespace hat::tools::lmdb_manager {

namespace {

using cursor = hat::tools::argument_cursor<usage_error>;

[[noreturn]] void bad_value(std::string_view option, std::string_view text,
                            std::string_view expected) {
  throw usage_error(std::string{option} + ": expected " + std::string{expected}
                    + ", got '" + std::string{text} + "'");
}

std::optional<uint64_t> to_uint(std::string_view text) {
  return hat::tools::whole_number<uint64_t>(text);
}

/// Server and partition ids are unsigned 64-bit keys on disk.
uint64_t id_value(cursor& c, std::string_view option) {
  auto text = c.value(option);
  auto id = to_uint(text);
  if (!id)
    bad_value(option, text, "a non-negative integer");
  return *id;
}

/// "a/b/*" → {"a", "b", "*"}; "" is one empty segment, as the reference's
/// str.split('/') has it.
event_type query_type_value(std::string_view option, std::string_view text) {
  event_type type;
  size_t start = 0;
  while (true) {
    auto slash = text.find('/', start);
    type.emplace_back(text.substr(start, slash - start));
    if (slash == std::string_view::npos)
      break;
    start = slash + 1;
  }
  if (auto reason = invalid_query_type_reason(type))
    throw usage_error(std::string{option} + ": " + *reason);
  return type;
}

/// --event-types TYPE ...: zero or more types, as argparse's nargs='*'
/// (zero types match nothing). Repeating the option adds to the list.
void take_event_types(cursor& c, std::string_view option,
                      std::optional<std::vector<event_type>>& types) {
  auto texts = c.values([](std::string_view arg) {
    return !arg.starts_with("-");
  });
  if (!types)
    types.emplace();
  for (auto text : texts)
    types->push_back(query_type_value(option, text));
}

/// Hands every remaining argument to `take_option` or `take_positional`;
/// what the two refuse (false) is an error, told with what `context()`
/// names (e.g. "query settings").
template <class TakeOption, class TakePositional, class Context>
void parse_rest(cursor& c, TakeOption&& take_option,
                TakePositional&& take_positional, Context&& context) {
  while (!c.done()) {
    auto arg = c.next();
    if (!c.is_option(arg)) {
      if (!take_positional(arg))
        throw usage_error(context() + ": unexpected argument '"
                          + std::string{arg} + "'");
    } else if (!take_option(arg)) {
      throw usage_error(context() + ": unknown option '" + std::string{arg}
                        + "'");
    }
  }
}

/// The subaction's own options; `--db` is taken by the caller.
template <class Query>
bool take_query_option(cursor& c, std::string_view arg, Query& q) {
  if constexpr (requires { q.server_id; }) {
    if (arg == "--server-id") {
      q.server_id = id_value(c, arg);
      return true;
    }
  }
  if constexpr (requires { q.partition_id; }) {
    if (arg == "--partition-id") {
      q.partition_id = id_value(c, arg);
      return true;
    }
  }
  if constexpr (requires { q.event_types; }) {
    if (arg == "--event-types") {
      take_event_types(c, arg, q.event_types);
      return true;
    }
  }
  return false;
}

query query_named(std::string_view name) {
  if (name == "settings")
    return settings_query{};
  if (name == "last_event_id")
    return last_event_id_query{};
  if (name == "last_timestamp")
    return last_timestamp_query{};
  if (name == "ref")
    return ref_query{};
  if (name == "latest")
    return latest_query{};
  if (name == "partition")
    return partition_query{};
  if (name == "timeseries")
    return timeseries_query{};
  throw usage_error("query: unknown subaction '" + std::string{name}
                    + "' (settings, last_event_id, last_timestamp, ref, "
                      "latest, partition, timeseries)");
}

query_command parse_query(cursor& c) {
  std::optional<std::filesystem::path> db;
  std::optional<lmdb_manager::query> chosen;
  auto take_db = [&](std::string_view arg) {
    if (arg != "--db")
      return false;
    db = std::filesystem::path{c.value(arg)};
    return true;
  };
  // Options of the chosen subaction only after its name, as in the
  // reference; --db anywhere.
  auto take_option = [&](std::string_view arg) {
    if (take_db(arg))
      return true;
    if (!chosen)
      return false;
    return std::visit([&](auto& q) { return take_query_option(c, arg, q); },
                      *chosen);
  };
  std::string name = "query";
  auto take_name = [&](std::string_view arg) {
    if (chosen)
      return false;
    chosen = query_named(arg);
    name += ' ';
    name += arg;
    return true;
  };
  parse_rest(c, take_option, take_name, [&] { return name; });
  if (!chosen)
    throw usage_error("query: a subaction is needed");
  if (!db)
    throw usage_error("query: --db PATH is needed");
  return {std::move(*db), std::move(*chosen)};
}

copy_command parse_copy(cursor& c) {
  copy_command cmd;
  std::vector<std::filesystem::path> paths;
  auto take_option = [&](std::string_view arg) {
    if (arg == "--skip-latest") {
      c.flag(arg);
      cmd.skip_latest = true;
    } else if (arg == "--skip-timeseries") {
      c.flag(arg);
      cmd.skip_timeseries = true;
    } else if (arg == "--timeseries-partitions") {
      // Only numbers belong to the list, so SRC and DST may follow it.
      auto texts = c.values([](std::string_view a) {
        return to_uint(a).has_value();
      });
      if (texts.empty())
        throw usage_error(std::string{arg} + " needs at least one ID");
      if (!cmd.partition_ids)
        cmd.partition_ids.emplace();
      for (auto text : texts) {
        auto id = to_uint(text);
        if (!id)
          bad_value(arg, text, "a non-negative integer");
        cmd.partition_ids->insert(*id);
      }
    } else {
      return false;
    }
    return true;
  };
  auto take_path = [&](std::string_view arg) {
    if (paths.size() == 2)
      return false;
    paths.emplace_back(arg);
    return true;
  };
  parse_rest(c, take_option, take_path, [] { return std::string{"copy"}; });
  if (paths.size() < 2)
    throw usage_error("copy: SRC and DST are needed");
  if (cmd.skip_timeseries && cmd.partition_ids)
    throw usage_error(
      "copy: --skip-timeseries and --timeseries-partitions exclude each "
      "other");
  cmd.src = std::move(paths[0]);
  cmd.dst = std::move(paths[1]);
  return cmd;
}

}  // namespace

command parse_arguments(const std::vector<std::string_view>& args) {
  using hat::tools::asks_for;
  if (asks_for(args, "--help") || asks_for(args, "-h"))
    return help_command{};
  if (asks_for(args, "--version"))
    return version_command{};
  cursor c{args};
  if (c.done())
    throw usage_error("an action (query, copy) is needed");
  auto name = c.next();
  if (name == "query")
    return parse_query(c);
  if (name == "copy")
    return parse_copy(c);
  if (c.is_option(name))
    throw usage_error("unknown option '" + std::string{name} + "'");
  throw usage_error("unknown action '" + std::string{name} + "'");
}

}  // namespace hat::tools::lmdb_manager
