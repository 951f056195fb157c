#include "storage/lmdb/convert/convert_v06.hpp"

#include <cstdint>
#include <optional>
#include <string>

#include "storage/lmdb/convert/event_upgrade.hpp"
#include "storage/lmdb/convert/legacy_event.hpp"
#include "storage/lmdb/convert/ordered_partitions.hpp"
#include "storage/lmdb/convert/v06_format.hpp"
#include "storage/lmdb/format.hpp"

namespace hat::storage::lmdb::convert {

namespace {

/// system["server_id"], raised to 1 when below 1.
int64_t read_server_id(const source_snapshot& source) {
  auto& file = source.file();
  auto db = file.db(v06::system_db);
  auto value = source.get(db, v06::server_id_key);
  if (!value)
    throw conversion_failure(file.path().string() + ": " +
                             std::string(v06::system_db) + " has no " +
                             std::string(v06::server_id_key));
  source_entry entry(file.path(), db, v06::server_id_key, *value);
  auto id = entry.decoded(format::decode_uint(*value), "server id");
  if (id > static_cast<uint64_t>(INT64_MAX))
    entry.fail("server id out of range: " + std::to_string(id));
  return id < 1 ? 1 : static_cast<int64_t>(id);
}

/// The v0.9 event of the v0.6 event `entry` holds, with its new id.
event converted_event(const source_entry& entry, int64_t server_id) {
  auto old = entry.decoded(decode_v06_event(entry.value), "value");
  // v0.6 had no sessions: the instance serves as both.
  old.id = {old.id.server > 0 ? old.id.server : server_id, old.id.instance,
            old.id.instance};
  // Keys hold ids as unsigned numbers (the reference fails packing one).
  if (old.id.instance < 0)
    entry.fail("value: negative event instance " +
               std::to_string(old.id.instance));
  return entry.decoded(upgrade_event(old), "payload");
}

/// The greatest event id seen and its event's timestamp, which become the
/// server's last event id and timestamp: the first of equal ids counts,
/// and only ids above (server id, 0, 0).
class last_event_tracker {
public:
  explicit last_event_tracker(int64_t server_id) : floor_{server_id, 0, 0} {
  }

  void offer(const event& e) {
    if (e.id > (last_ ? last_->id : floor_))
      last_ = last_event{e.id, e.timestamp};
  }

  /// Throws conversion_failure when the timestamp of the last event cannot
  /// be stored (microseconds outside 4 unsigned bytes), where the
  /// reference's step that stores it fails.
  void check_storable(const source_file& file) const {
    if (last_ && (last_->timestamp.us < 0 ||
                  last_->timestamp.us > static_cast<int64_t>(UINT32_MAX)))
      throw conversion_failure(
        file.path().string() + ": the last event (" +
        std::to_string(last_->id.server) + ", " +
        std::to_string(last_->id.session) + ", " +
        std::to_string(last_->id.instance) + ") has a timestamp with " +
        std::to_string(last_->timestamp.us) + " microseconds");
  }

  void write(int64_t server_id, v09_writer& writer) const {
    if (last_)
      writer.put_last_event(static_cast<uint64_t>(server_id), last_->id,
                            last_->timestamp);
  }

private:
  struct last_event {
    event_id id;
    hat::timestamp timestamp;
  };

  event_id floor_;
  std::optional<last_event> last_;
};

}  // namespace

size_t convert_v06(const source_snapshot& source, v09_writer& writer) {
  auto& file = source.file();
  int64_t server_id = read_server_id(source);
  writer.put_version();
  last_event_tracker last(server_id);

  uint64_t next_type_ref = 1;
  auto latest = [&](const source_entry& entry) {
    auto e = converted_event(entry, server_id);
    uint64_t ref = next_type_ref++;
    writer.put_latest(ref, e);
    writer.put_latest_type(ref, e.type);
    writer.add_ref(e.id, format::latest_event_ref{ref});
    last.offer(e);
  };
  source.for_each(file.db(v06::latest_db), latest);
  // The reference stores the last event after latest, then after
  // ordered_data: either may fail.
  last.check_storable(file);

  auto ordered_data = [&](const source_entry& entry) {
    auto old_key = entry.decoded(v06::decode_ordered_key(entry.key), "key");
    auto e = converted_event(entry, server_id);
    format::timeseries_key key{old_key.partition_id, old_key.timestamp, e.id};
    writer.put_timeseries(key, e);
    writer.add_ref(e.id, format::timeseries_event_ref{key});
    last.offer(e);
  };
  source.for_each(file.db(v06::ordered_data_db), ordered_data);
  last.check_storable(file);
  last.write(server_id, writer);

  convert_partitions(source, file.db(v06::ordered_partition_db), writer);
  return convert_counts(source, file.db(v06::ordered_count_db), writer);
}

}  // namespace hat::storage::lmdb::convert
