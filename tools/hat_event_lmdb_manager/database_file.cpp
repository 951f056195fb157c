#include "tools/hat_event_lmdb_manager/database_file.hpp"

#include <string>
#include <system_error>
#include <utility>

#include "tools/hat_event_lmdb_manager/failure.hpp"

namespace hat::tools::lmdb_manager {

namespace fmt = storage::lmdb::format;

database_file database_file::open_read_only(
  const std::filesystem::path& path) {
  // A plain message for a missing path or a directory, rather than
  // LMDB's errno text.
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    throw command_error(path.string() + ": no such database file");
  storage::lmdb::open_options options;
  options.read_only = true;
  return database_file(
    checked(storage::lmdb::environment::open(path, options)), false, path);
}

database_file database_file::create(const std::filesystem::path& path) {
  return database_file(checked(storage::lmdb::environment::open(path)), true,
                       path);
}

database_file::database_file(storage::lmdb::environment env, bool create,
                             const std::filesystem::path& path)
  : env_(std::move(env)) {
  for (auto type : fmt::all_db_types) {
    auto dbi = env_.open_db(fmt::db_name(type), create);
    if (!dbi && dbi.error().code() == MDB_NOTFOUND)
      throw command_error(path.string() + ": not a hat-event database (no "
                          + std::string{fmt::db_name(type)} + ")");
    dbis_[static_cast<size_t>(type)] = checked(std::move(dbi));
  }
}

}  // namespace hat::tools::lmdb_manager
