#pragma once

/// Checks of an LMDB data file made before LMDB maps it.
///
/// LMDB trusts its file: pages are read through a memory map, so a file
/// cut short (a copy interrupted, a truncated backup) opens, answers from
/// the pages that remain, and dies with SIGBUS when a query touches a page
/// past the end. check_data_file reads the two meta pages with pread (the
/// layout of lmdb.h 0.9's MDB_meta behind the page header at the start of
/// pages 0 and 1), takes the newer one (the higher transaction id, as LMDB
/// does) and compares the size it claims, (last page + 1) * page size, with
/// the file's. A file may legitimately end early when its last pages are
/// free (LMDB never writes a page that was freed in the transaction that
/// allocated it); so a short file is refused only when a missing page is
/// not in the free-page database.
///
/// Only reads; never maps the file.

#include <filesystem>

#include "storage/lmdb/error.hpp"
#include "storage/lmdb/result.hpp"

namespace hat::storage::lmdb {

/// Refuses, with an error naming `path` and what is wrong, a file that is
/// empty (code MDB_INVALID), not an LMDB file (MDB_INVALID), of another
/// LMDB data format (MDB_VERSION_MISMATCH) or damaged (MDB_CORRUPTED:
/// "/x/event.db is damaged: 1048576 bytes, its meta page (transaction 42)
/// claims 2097152: 512 pages of 4096 bytes"); an error with the errno
/// code when the file cannot be read. A missing file is an error too
/// (ENOENT): call only for a file that exists.
result<void> check_data_file(const std::filesystem::path& path);

}  // namespace hat::storage::lmdb
