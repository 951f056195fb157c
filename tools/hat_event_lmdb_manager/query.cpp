#include "tools/hat_event_lmdb_manager/query.hpp"

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <boost/json/value.hpp>

#include "client/event_json.hpp"
#include "protocol/subscription.hpp"
#include "storage/lmdb/json_text.hpp"
#include "storage/lmdb/json_values.hpp"
#include "tools/hat_event_lmdb_manager/database_file.hpp"
#include "tools/hat_event_lmdb_manager/entry_walk.hpp"
#include "tools/hat_event_lmdb_manager/failure.hpp"
#include "tools/hat_event_lmdb_manager/record_json.hpp"

namespace hat::tools::lmdb_manager {

namespace {

namespace fmt = storage::lmdb::format;
namespace json = boost::json;
using fmt::db_type;

/// What every query reads from and writes to.
struct query_scope {
  database_file& db;
  const storage::lmdb::read_txn& txn;
  std::ostream& out;

  /// The entries of `type` under `prefix`; see for_each_entry.
  template <class Visit>
  void walk(db_type type, std::string_view prefix, Visit&& visit) const {
    for_each_entry(txn, db[type], prefix, visit);
  }

  /// One line in the reference's text: json.dumps with its defaults.
  void print(const json::value& v) const {
    out << checked(fmt::encode_json(v), "output") << '\n';
  }
};

/// The key prefix of one server or partition; empty (all) without one.
std::string prefix_of(const std::optional<uint64_t>& id) {
  return id ? std::string{fmt::view(fmt::encode_uint(*id))} : std::string{};
}

std::string what(db_type type, std::string_view part) {
  return std::string{fmt::db_name(type)} + " " + std::string{part};
}

/// Query types as a subscription; all types when none were given.
subscription subscription_of(
  const std::optional<std::vector<event_type>>& types) {
  return subscription(types.value_or(std::vector<event_type>{{"*"}}));
}

void run(const query_scope& s, const settings_query&) {
  constexpr auto type = db_type::system_settings;
  s.walk(type, {}, [&](std::string_view key, std::string_view value) {
    // A number the reference has no name for is shown as the number.
    json::value id;
    if (auto known = fmt::decode_settings_id(key))
      id = *known == fmt::settings_id::version ? "VERSION" : "IDENTIFIER";
    else
      id = checked(fmt::decode_uint(key), what(type, "key"));
    s.print({{"settings_id", id},
             {"data", checked(fmt::decode_json(value), what(type, "value"))}});
  });
}

void run(const query_scope& s, const last_event_id_query& q) {
  constexpr auto type = db_type::system_last_event_id;
  s.walk(type, prefix_of(q.server_id),
         [&](std::string_view, std::string_view value) {
           s.print(client::event_id_to_json(
             checked(fmt::decode_event_id(value), what(type, "value"))));
         });
}

void run(const query_scope& s, const last_timestamp_query& q) {
  constexpr auto type = db_type::system_last_timestamp;
  s.walk(type, prefix_of(q.server_id),
         [&](std::string_view, std::string_view value) {
           s.print(client::timestamp_to_json(
             checked(fmt::decode_timestamp(value), what(type, "value"))));
         });
}

std::optional<event_type> latest_type(const query_scope& s, uint64_t ref) {
  constexpr auto type = db_type::latest_type;
  auto key = fmt::encode_uint(ref);
  auto stored = checked(s.txn.get(s.db[type], fmt::view(key)));
  if (!stored)
    return std::nullopt;
  return checked(fmt::decode_event_type(*stored), what(type, "value"));
}

void run(const query_scope& s, const ref_query& q) {
  constexpr auto type = db_type::ref;
  s.walk(type, prefix_of(q.server_id),
         [&](std::string_view key, std::string_view value) {
           auto id = checked(fmt::decode_event_id(key), what(type, "key"));
           auto refs =
             checked(fmt::decode_event_refs(value), what(type, "value"));
           for (auto& ref : refs) {
             if (auto* latest = std::get_if<fmt::latest_event_ref>(&ref)) {
               s.print(latest_ref_to_json(id, latest_type(s, latest->key)));
               continue;
             }
             auto& key = std::get<fmt::timeseries_event_ref>(ref).key;
             s.print(
               timeseries_ref_to_json(id, key.partition_id, key.timestamp));
           }
         });
}

void run(const query_scope& s, const latest_query& q) {
  constexpr auto type = db_type::latest_data;
  auto types = subscription_of(q.event_types);
  s.walk(type, {}, [&](std::string_view, std::string_view value) {
    auto e = checked(fmt::decode_event(value), what(type, "value"));
    if (types.matches(e.type))
      s.print(event_to_json(e));
  });
}

void run(const query_scope& s, const partition_query& q) {
  constexpr auto type = db_type::timeseries_partition;
  s.walk(type, prefix_of(q.partition_id),
         [&](std::string_view key, std::string_view value) {
           auto id = checked(fmt::decode_uint(key), what(type, "key"));
           s.print(
             {{"partition_id", id},
              {"data", checked(fmt::decode_json(value), what(type, "value"))}});
         });
}

void run(const query_scope& s, const timeseries_query& q) {
  constexpr auto type = db_type::timeseries_data;
  auto types = subscription_of(q.event_types);
  s.walk(type, prefix_of(q.partition_id),
         [&](std::string_view key, std::string_view value) {
           auto k = checked(fmt::decode_timeseries_key(key), what(type, "key"));
           if (q.server_id
               && static_cast<uint64_t>(k.event_id.server) != *q.server_id)
             return;
           auto e = checked(fmt::decode_event(value), what(type, "value"));
           if (types.matches(e.type))
             s.print(event_to_json(e));
         });
}

}  // namespace

void run_query(const query_command& cmd, std::ostream& out) {
  auto db = database_file::open_read_only(cmd.db);
  auto txn = checked(db.env().begin_read());
  query_scope scope{db, txn, out};
  std::visit([&](const auto& q) { run(scope, q); }, cmd.query);
}

}  // namespace hat::tools::lmdb_manager
