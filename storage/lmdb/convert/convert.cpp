#include "storage/lmdb/convert/convert.hpp"

#include <utility>

#include "storage/lmdb/convert/convert_v06.hpp"
#include "storage/lmdb/convert/convert_v07.hpp"
#include "storage/lmdb/convert/destination_file.hpp"
#include "storage/lmdb/convert/source_file.hpp"
#include "storage/lmdb/convert/v09_writer.hpp"
#include "storage/lmdb/environment.hpp"

namespace hat::storage::lmdb::convert {

namespace {

/// Writes the v0.9 content of `source` into the new file `path`.
void write_converted(source_file& source, database_version version,
                     const std::filesystem::path& path,
                     const std::atomic<bool>* stop,
                     conversion_report& report) {
  lmdb::open_options options;
  options.no_lock = true;
  auto env = lmdb_checked(lmdb::environment::open(path, options));
  auto writer = v09_writer::begin(env);
  source_snapshot snapshot(source, stop);
  if (version == database_version::v06)
    report.v06_counts = convert_v06(snapshot, writer);
  else
    convert_v07(snapshot, writer);
  writer.commit();
}

}  // namespace

conversion_result<conversion_report> convert_database(
  const std::filesystem::path& src, const std::filesystem::path& dst,
  const std::atomic<bool>* stop) {
  try {
    auto source = source_file::open(src);
    if (!source)
      return source.error();
    auto version = detect_version(*source);
    if (!version)
      return conversion_error{"unsupported version"};
    if (*version == database_version::v09)
      return conversion_error{src.string() + " already up to date"};
    auto destination = destination_file::create(dst);
    if (!destination)
      return destination.error();
    conversion_report report;
    report.source_version = *version;
    // The environment is closed before the file is renamed.
    write_converted(*source, *version, destination->path(), stop, report);
    if (auto published = destination->publish(); !published)
      return published.error();
    return report;
  } catch (const conversion_failure& failure) {
    return failure.error();
  }
}

}  // namespace hat::storage::lmdb::convert
