#include "storage/lmdb/convert/source_file.hpp"

#include <system_error>
#include <utility>

namespace hat::storage::lmdb::convert {

namespace {

/// The source's names go up to 5 (v0.6) or 7 (v0.7) and version detection
/// may look for all of them and SYSTEM_SETTINGS in one file: room for every
/// name that can be found.
constexpr unsigned source_max_dbs = 16;

std::string hex_of(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char b : bytes) {
    out += digits[b >> 4];
    out += digits[b & 0xf];
  }
  return out;
}

}  // namespace

conversion_result<source_file> source_file::open(
  const std::filesystem::path& path) {
  lmdb::open_options options;
  options.read_only = true;
  options.max_dbs = source_max_dbs;
  std::error_code ec;
  options.no_lock = !std::filesystem::exists(path.string() + "-lock", ec);
  auto env = lmdb::environment::open(path, options);
  if (env)
    return source_file(std::move(*env), path);
  int code = env.error().code();
  // These two messages name the file and say what is wrong in more words
  // than mdb_strerror has.
  if (code == MDB_CORRUPTED || code == MDB_VERSION_MISMATCH)
    return conversion_error{env.error().message()};
  return conversion_error{path.string() + ": " + mdb_strerror(code)};
}

std::optional<lmdb::dbi> source_file::find_db(std::string_view name) {
  auto db = env_.open_db(name, false);
  if (db)
    return *db;
  int code = db.error().code();
  if (code == MDB_NOTFOUND || code == MDB_INCOMPATIBLE)
    return std::nullopt;
  throw conversion_failure(path_.string() + ": " + db.error().message());
}

lmdb::dbi source_file::db(std::string_view name) {
  auto db = find_db(name);
  if (!db)
    throw conversion_failure(path_.string() + " has no database " +
                             std::string(name));
  return *db;
}

void source_entry::fail(std::string_view why) const {
  throw conversion_failure(file_.string() + ": " + std::string(db_.name()) +
                           " key " + hex_of(key) + ": " + std::string(why));
}

source_snapshot::source_snapshot(source_file& file,
                                 const std::atomic<bool>* stop)
  : file_(file), txn_(lmdb_checked(file.env().begin_read())), stop_(stop) {
}

void source_snapshot::check_stop() const {
  if (stop_ != nullptr && stop_->load(std::memory_order_relaxed))
    throw conversion_failure("interrupted");
}

}  // namespace hat::storage::lmdb::convert
