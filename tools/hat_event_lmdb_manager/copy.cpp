#include "tools/hat_event_lmdb_manager/copy.hpp"

#include <optional>
#include <set>
#include <string>
#include <system_error>
#include <variant>
#include <vector>

#include "storage/lmdb/format.hpp"
#include "tools/hat_event_lmdb_manager/database_file.hpp"
#include "tools/hat_event_lmdb_manager/entry_walk.hpp"
#include "tools/hat_event_lmdb_manager/failure.hpp"

namespace hat::tools::lmdb_manager {

namespace {

namespace fmt = storage::lmdb::format;
using fmt::db_type;

/// The files a copy creates, removed again unless the copy completes, so a
/// failure never leaves a half-written database that looks like a good one.
class output_files {
public:
  explicit output_files(const std::filesystem::path& dst)
    : data_(dst), lock_(dst.string() + "-lock") {
    std::error_code ec;
    lock_existed_ = std::filesystem::exists(lock_, ec);
  }
  output_files(const output_files&) = delete;
  output_files& operator=(const output_files&) = delete;

  ~output_files() {
    if (kept_)
      return;
    std::error_code ec;
    std::filesystem::remove(data_, ec);
    if (!lock_existed_)
      std::filesystem::remove(lock_, ec);
  }

  void keep() {
    kept_ = true;
  }

private:
  std::filesystem::path data_;
  /// LMDB's lock file next to the data file (subdir=false).
  std::filesystem::path lock_;
  bool lock_existed_ = false;
  bool kept_ = false;
};

/// What goes into the copy.
struct selection {
  bool latest = true;
  bool timeseries = true;
  /// Partitions kept when `timeseries`; all when absent.
  std::optional<std::set<uint64_t>> partitions;

  bool everything() const {
    return latest && timeseries && !partitions;
  }

  bool keeps(const fmt::event_ref& ref) const {
    if (std::holds_alternative<fmt::latest_event_ref>(ref))
      return latest;
    auto id = std::get<fmt::timeseries_event_ref>(ref).key.partition_id;
    return timeseries && (!partitions || partitions->contains(id));
  }
};

/// Source and destination, in the one read and one write transaction of
/// the copy.
struct copy_scope {
  database_file& src;
  const storage::lmdb::read_txn& src_txn;
  database_file& dst;
  storage::lmdb::write_txn& dst_txn;

  /// Keys arrive in the order the destination sorts them, so each put
  /// appends (MDB_APPEND): no search, and pages are filled completely.
  void put(db_type type, std::string_view key, std::string_view value) {
    checked(dst_txn.put(dst[type], key, value, MDB_APPEND));
  }

  /// The entries of `type` under `prefix` (all when empty), as they are.
  void copy_entries(db_type type, std::string_view prefix = {}) {
    for_each_entry(src_txn, src[type], prefix,
                   [&](std::string_view key, std::string_view value) {
                     put(type, key, value);
                   });
  }
};

/// REF entries with the references to what is not copied left out, and
/// entries left with none dropped, as the reference's _copy_ref does.
void copy_refs(copy_scope& s, const selection& chosen) {
  constexpr auto type = db_type::ref;
  for_each_entry(
    s.src_txn, s.src[type], {},
    [&](std::string_view key, std::string_view value) {
      auto refs = checked(fmt::decode_event_refs(value),
                          std::string{fmt::db_name(type)} + " value");
      std::vector<fmt::event_ref> kept;
      for (auto& ref : refs)
        if (chosen.keeps(ref))
          kept.push_back(ref);
      if (kept.size() == refs.size())
        s.put(type, key, value);
      else if (!kept.empty())
        s.put(type, key, fmt::encode_event_refs(kept));
    });
}

void copy_timeseries(copy_scope& s, const selection& chosen) {
  if (!chosen.partitions) {
    for (auto type : {db_type::timeseries_data, db_type::timeseries_partition,
                      db_type::timeseries_count})
      s.copy_entries(type);
    return;
  }
  // Ascending ids (a std::set) keep every database's keys ascending.
  for (auto id : *chosen.partitions) {
    auto key = fmt::encode_uint(id);
    for (auto type : {db_type::timeseries_data, db_type::timeseries_partition,
                      db_type::timeseries_count})
      s.copy_entries(type, fmt::view(key));
  }
}

/// Refuses ids the source has no partition for: most likely a typo, and
/// the copy would silently lack what was asked for.
void check_partitions_exist(database_file& src,
                            const storage::lmdb::read_txn& txn,
                            const std::set<uint64_t>& ids) {
  auto partitions = src[db_type::timeseries_partition];
  for (auto id : ids)
    if (!checked(txn.get(partitions, fmt::view(fmt::encode_uint(id)))))
      throw command_error("no time-series partition " + std::to_string(id)
                          + " in the source (see 'query partition')");
}

void copy_selected(database_file& src, const storage::lmdb::read_txn& src_txn,
                   const std::filesystem::path& dst_path,
                   const selection& chosen) {
  auto dst = database_file::create(dst_path);
  auto dst_txn = checked(dst.env().begin_write());
  copy_scope s{src, src_txn, dst, dst_txn};
  for (auto type : {db_type::system_settings, db_type::system_last_event_id,
                    db_type::system_last_timestamp})
    s.copy_entries(type);
  copy_refs(s, chosen);
  if (chosen.latest) {
    s.copy_entries(db_type::latest_data);
    s.copy_entries(db_type::latest_type);
  }
  if (chosen.timeseries)
    copy_timeseries(s, chosen);
  checked(dst_txn.commit());
}

}  // namespace

void run_copy(const copy_command& cmd) {
  std::error_code ec;
  if (std::filesystem::exists(std::filesystem::symlink_status(cmd.dst, ec)))
    throw command_error(cmd.dst.string() + ": already exists");
  auto src = database_file::open_read_only(cmd.src);
  auto src_txn = checked(src.env().begin_read());
  selection chosen{!cmd.skip_latest, !cmd.skip_timeseries,
                   cmd.partition_ids};
  if (chosen.partitions)
    check_partitions_exist(src, src_txn, *chosen.partitions);

  output_files files{cmd.dst};
  if (chosen.everything()) {
    // Nothing to leave out: LMDB's compacting copy of one snapshot gives
    // the entries the reference copies one by one, faster. It also keeps
    // any database beyond the nine, which the reference would drop.
    src_txn.abort();
    checked(src.env().copy(cmd.dst, true));
  } else {
    copy_selected(src, src_txn, cmd.dst, chosen);
  }
  files.keep();
}

}  // namespace hat::tools::lmdb_manager
