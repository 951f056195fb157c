#include "storage/lmdb/convert/v09_writer.hpp"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "storage/lmdb/convert/conversion_error.hpp"

namespace hat::storage::lmdb::convert {

using format::db_type;

v09_writer v09_writer::begin(lmdb::environment& env) {
  // Databases are opened in transactions of their own, before the one
  // write transaction begins: LMDB allows one writer at a time.
  lmdb::databases dbs;
  for (auto type : format::all_db_types)
    dbs.handles[static_cast<size_t>(type)] =
      lmdb_checked(env.open_db(format::db_name(type), true));
  return v09_writer(dbs, lmdb_checked(env.begin_write()));
}

void v09_writer::put(db_type db, std::string_view key,
                     std::string_view value) {
  lmdb_checked(txn_.put(dbs_[db], key, value));
}

void v09_writer::put_version() {
  auto key = format::encode_settings_id(format::settings_id::version);
  put(db_type::system_settings, format::view(key),
      format::encode_setting(format::format_version));
}

void v09_writer::put_last_event(uint64_t server_id, const event_id& id,
                                const hat::timestamp& t) {
  auto key = format::encode_uint(server_id);
  put(db_type::system_last_event_id, format::view(key),
      format::view(format::encode_event_id(id)));
  put(db_type::system_last_timestamp, format::view(key),
      format::view(format::encode_timestamp(t)));
}

void v09_writer::add_ref(const event_id& id, const format::event_ref& ref) {
  auto key = format::encode_event_id(id);
  std::vector<format::event_ref> refs;
  if (auto stored = lmdb_checked(txn_.get(dbs_[db_type::ref],
                                          format::view(key)))) {
    // Written by this writer a moment ago: it decodes.
    refs = std::move(format::decode_event_refs(*stored).value());
    if (std::find(refs.begin(), refs.end(), ref) != refs.end())
      return;
  }
  refs.push_back(ref);
  put(db_type::ref, format::view(key), format::encode_event_refs(refs));
}

void v09_writer::put_latest(uint64_t type_ref, const event& e) {
  auto encoded = format::encode_event(e);
  put(db_type::latest_data, format::view(format::encode_uint(type_ref)),
      {encoded.data(), encoded.size()});
}

void v09_writer::put_latest_type(uint64_t type_ref, const event_type& type) {
  put(db_type::latest_type, format::view(format::encode_uint(type_ref)),
      format::encode_event_type(type));
}

void v09_writer::put_timeseries(const format::timeseries_key& key,
                                const event& e) {
  auto encoded = format::encode_event(e);
  put(db_type::timeseries_data,
      format::view(format::encode_timeseries_key(key)),
      {encoded.data(), encoded.size()});
}

void v09_writer::put_partition(
  uint64_t partition_id, const format::partition_description& description) {
  put(db_type::timeseries_partition,
      format::view(format::encode_uint(partition_id)),
      format::encode_partition(description));
}

void v09_writer::put_count(uint64_t partition_id, uint64_t count) {
  put(db_type::timeseries_count,
      format::view(format::encode_uint(partition_id)),
      format::view(format::encode_uint(count)));
}

void v09_writer::commit() {
  lmdb_checked(txn_.commit());
}

}  // namespace hat::storage::lmdb::convert
