#include "storage/lmdb/convert/version.hpp"

#include <algorithm>
#include <array>

#include "storage/lmdb/convert/v06_format.hpp"
#include "storage/lmdb/convert/v07_format.hpp"
#include "storage/lmdb/format.hpp"
#include "storage/lmdb/json_values.hpp"

namespace hat::storage::lmdb::convert {

namespace {

constexpr std::array<database_version, 3> known_versions = {
  database_version::v06, database_version::v07, database_version::v09};

/// The version SYSTEM_SETTINGS names, if it names a known one.
std::optional<database_version> stated_version(source_file& file) {
  auto settings = file.find_db(
    format::db_name(format::db_type::system_settings));
  if (!settings)
    return std::nullopt;
  auto txn = lmdb_checked(file.env().begin_read());
  auto key = format::encode_settings_id(format::settings_id::version);
  auto value = lmdb_checked(txn.get(*settings, format::view(key)));
  if (!value)
    return std::nullopt;
  // Whatever does not decode names no version, as for the reference.
  auto text = format::decode_setting(*value);
  if (!text || !text->has_value())
    return std::nullopt;
  for (auto version : known_versions)
    if (**text == version_name(version))
      return version;
  return std::nullopt;
}

}  // namespace

std::string_view version_name(database_version version) {
  switch (version) {
  case database_version::v06:
    return "0.6";
  case database_version::v07:
    return "0.7";
  case database_version::v09:
    return "0.9";
  }
  return "?";
}

std::optional<database_version> detect_version(source_file& file) {
  if (auto version = stated_version(file))
    return version;
  auto has = [&](std::string_view name) {
    return file.find_db(name).has_value();
  };
  if (std::all_of(v07::all_db_types.begin(), v07::all_db_types.end(),
                  [&](v07::db_type t) { return has(v07::db_name(t)); }))
    return database_version::v07;
  if (std::all_of(v06::db_names.begin(), v06::db_names.end(), has))
    return database_version::v06;
  return std::nullopt;
}

}  // namespace hat::storage::lmdb::convert
