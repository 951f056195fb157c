#pragma once

/// Converting a database file of hat-event 0.6 (format v0.6) or 0.7/0.8
/// (v0.7) to the v0.9 format, as the reference's hat-event-lmdb-convert
/// does (operations.md §3), entry for entry the same v0.9 content (the
/// order of refs inside a REF value aside, which is Python set order
/// there).
///
/// Departures from the reference, each on purpose:
/// - v0.6 is converted to v0.9 in one step, without the intermediate
///   `<dst>.v07` file; the content is what the two steps give;
/// - v0.6 ordered_count values are read as the 8-byte counts they are (the
///   reference reads JSON text and fails on every file that has one);
/// - the destination is written under another name beside it and renamed
///   when complete: a failure leaves no destination and no temporary file
///   (the reference leaves what it wrote, `<dst>.v07` and lock files);
/// - neither file gets a lock file: the source is read without one unless
///   one exists (source_file.hpp), the destination written with MDB_NOLOCK;
/// - values are checked as our backend will read them (a partition whose
///   subscriptions are not event types, an event type that is not a list
///   of strings, a fixed-size key or value of another size): the reference
///   copies or truncates them.

#include <atomic>
#include <cstddef>
#include <filesystem>

#include "storage/lmdb/convert/conversion_error.hpp"
#include "storage/lmdb/convert/version.hpp"

namespace hat::storage::lmdb::convert {

struct conversion_report {
  /// The format the source had.
  database_version source_version = database_version::v06;
  /// v0.6 ordered_count entries read as 8-byte counts, on which the
  /// reference's converter fails.
  size_t v06_counts = 0;
};

/// Converts the file `src` into the new file `dst`. `src` is only read and
/// stays byte for byte as it was. `dst` must not exist; it appears only
/// when the conversion succeeded. `stop`, when given, ends the conversion
/// ("interrupted") once set, e.g. by a signal handler.
///
/// Errors name the file and, for a stored value that does not decode, the
/// database and key. Those the reference has are worded as it words them:
/// "<src> already up to date" (a v0.9 file), "unsupported version" (no
/// known layout), "<src>: MDB_INVALID: File is not an LMDB file",
/// "<src>: Is a directory".
conversion_result<conversion_report> convert_database(
  const std::filesystem::path& src, const std::filesystem::path& dst,
  const std::atomic<bool>* stop = nullptr);

}  // namespace hat::storage::lmdb::convert
