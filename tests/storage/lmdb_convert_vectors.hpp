#pragma once

// The hat-event-lmdb-convert vectors (tests/storage/lmdb_convert/, see its
// README) and what the tests compare: the whole content of a v0.9 file,
// database by database, key by key.

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>
#include <lmdb.h>

#include "protocol/hex_digit.hpp"
#include "storage/lmdb/environment.hpp"
#include "storage/lmdb/format.hpp"

namespace hat::test {

/// Database name → key → value, all as stored bytes.
using db_content = std::map<std::string, std::map<std::string, std::string>>;

inline std::filesystem::path convert_vector(std::string_view name) {
  return std::filesystem::path(HAT_LMDB_CONVERT_VECTORS_DIR) / name;
}

/// A writable copy of the vector file `name` in `dir`.
inline std::filesystem::path copy_convert_vector(
  std::string_view name, const std::filesystem::path& dir) {
  auto path = dir / name;
  std::filesystem::copy_file(convert_vector(name), path);
  std::filesystem::permissions(path, std::filesystem::perms::owner_write,
                               std::filesystem::perm_options::add);
  return path;
}

inline const boost::json::value& convert_manifest() {
  static const boost::json::value manifest = [] {
    std::ifstream in(convert_vector("manifest.json"), std::ios::binary);
    std::string text{std::istreambuf_iterator<char>{in}, {}};
    return boost::json::parse(text);
  }();
  return manifest;
}

/// The entry of `file` (e.g. "v06.db") in the manifest's "files".
inline const boost::json::object& manifest_file(std::string_view file) {
  for (const auto& entry : convert_manifest().at("files").as_array())
    if (entry.at("file").as_string() == file)
      return entry.as_object();
  FAIL("no " << file << " in manifest.json");
  throw std::logic_error("unreachable");
}

inline std::string from_hex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out += static_cast<char>(hex_digit_value(hex[i]) * 16 +
                             hex_digit_value(hex[i + 1]));
  return out;
}

/// REF values with their refs in one order, so that values compare as the
/// sets they are.
inline void sort_refs(db_content& content) {
  namespace fmt = storage::lmdb::format;
  auto ref = content.find(std::string(fmt::db_name(fmt::db_type::ref)));
  if (ref == content.end())
    return;
  for (auto& [key, value] : ref->second) {
    auto refs = fmt::decode_event_refs(value);
    REQUIRE_MESSAGE(refs.ok(), "REF value does not decode");
    std::sort(refs->begin(), refs->end());
    value = fmt::encode_event_refs(*refs);
  }
}

/// The reference's output for the vector file `file`, REF values sorted.
inline db_content reference_output(std::string_view file) {
  db_content content;
  const auto& out =
    manifest_file(file).at("reference_conversion").at("output_content");
  for (const auto& [db, entries] : out.as_object()) {
    auto& target = content[std::string(db)];
    for (const auto& entry : entries.as_array())
      target[from_hex(entry.at("key_hex").as_string())] =
        from_hex(entry.at("value_hex").as_string());
  }
  sort_refs(content);
  return content;
}

/// Every named database of the LMDB file `path` and its entries, REF
/// values sorted. Reads without a lock file (nothing else has it open).
inline db_content read_content(const std::filesystem::path& path) {
  namespace lmdb = storage::lmdb;
  lmdb::open_options options;
  options.read_only = true;
  options.no_lock = true;
  options.max_dbs = 32;
  auto env = lmdb::environment::open(path, options);
  if (!env.ok())
    FAIL(env.error().message());
  // The names are the keys of the main (unnamed) database.
  std::vector<std::string> names;
  {
    auto txn = env->begin_read();
    REQUIRE(txn.ok());
    MDB_dbi main = 0;
    REQUIRE(mdb_dbi_open(txn->handle(), nullptr, 0, &main) == MDB_SUCCESS);
    MDB_cursor* cursor = nullptr;
    REQUIRE(mdb_cursor_open(txn->handle(), main, &cursor) == MDB_SUCCESS);
    MDB_val key, value;
    for (int rc = mdb_cursor_get(cursor, &key, &value, MDB_FIRST);
         rc == MDB_SUCCESS;
         rc = mdb_cursor_get(cursor, &key, &value, MDB_NEXT))
      names.emplace_back(static_cast<const char*>(key.mv_data), key.mv_size);
    mdb_cursor_close(cursor);
  }
  db_content content;
  for (const auto& name : names) {
    auto db = env->open_db(name, false);
    if (!db.ok())
      FAIL(db.error().message());
    auto txn = env->begin_read();
    REQUIRE(txn.ok());
    auto cursor = txn->open_cursor(*db);
    REQUIRE(cursor.ok());
    auto& target = content[name];
    for (auto at = cursor->first(); at.ok() && *at; at = cursor->next())
      target[std::string((*at)->key)] = std::string((*at)->value);
  }
  sort_refs(content);
  return content;
}

/// The names of the files in `dir`, sorted.
inline std::vector<std::string> files_in(const std::filesystem::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace hat::test
