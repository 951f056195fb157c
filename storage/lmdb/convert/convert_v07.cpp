#include "storage/lmdb/convert/convert_v07.hpp"

#include "storage/lmdb/convert/event_upgrade.hpp"
#include "storage/lmdb/convert/legacy_event.hpp"
#include "storage/lmdb/convert/ordered_partitions.hpp"
#include "storage/lmdb/convert/v07_format.hpp"
#include "storage/lmdb/format.hpp"
#include "storage/lmdb/json_values.hpp"

namespace hat::storage::lmdb::convert {

namespace {

/// The v0.9 event of the v0.7 event `entry` holds.
event upgraded_event(const source_entry& entry) {
  auto old = entry.decoded(decode_v07_event(entry.value), "value");
  return entry.decoded(upgrade_event(old), "payload");
}

}  // namespace

void convert_v07(const source_snapshot& source, v09_writer& writer) {
  auto db = [&](v07::db_type type) {
    return source.file().db(v07::db_name(type));
  };
  auto uint_key = [](const source_entry& entry, std::string_view what) {
    return entry.decoded(format::decode_uint(entry.key), what);
  };
  writer.put_version();

  source.for_each(db(v07::db_type::system), [&](const source_entry& entry) {
    auto last = entry.decoded(v07::decode_system_value(entry.value),
                              "value");
    writer.put_last_event(uint_key(entry, "server id"), last.last_event_id,
                          last.last_timestamp);
  });

  source.for_each(db(v07::db_type::ref), [&](const source_entry& entry) {
    auto id = entry.decoded(format::decode_event_id(entry.key), "event id");
    auto refs = entry.decoded(v07::decode_event_refs(entry.value), "value");
    for (const auto& ref : refs)
      writer.add_ref(id, ref);
  });

  auto latest_data = [&](const source_entry& entry) {
    writer.put_latest(uint_key(entry, "event type ref"),
                      upgraded_event(entry));
  };
  source.for_each(db(v07::db_type::latest_data), latest_data);

  auto latest_type = [&](const source_entry& entry) {
    auto type = entry.decoded(format::decode_event_type(entry.value),
                              "value");
    writer.put_latest_type(uint_key(entry, "event type ref"), type);
  };
  source.for_each(db(v07::db_type::latest_type), latest_type);

  auto ordered_data = [&](const source_entry& entry) {
    auto key = entry.decoded(format::decode_timeseries_key(entry.key), "key");
    writer.put_timeseries(key, upgraded_event(entry));
  };
  source.for_each(db(v07::db_type::ordered_data), ordered_data);

  convert_partitions(source, db(v07::db_type::ordered_partition), writer);
  convert_counts(source, db(v07::db_type::ordered_count), writer);
}

}  // namespace hat::storage::lmdb::convert
