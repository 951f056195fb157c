#pragma once

/// The copy action: a new database file with all or part of another's
/// content, which a server opens like the original.

#include "tools/hat_event_lmdb_manager/arguments.hpp"

namespace hat::tools::lmdb_manager {

/// Copies `cmd.src` (opened read-only) to `cmd.dst`, which must not exist,
/// in one snapshot of the source and one write transaction. Throws
/// command_error; a failed copy leaves no DST behind.
void run_copy(const copy_command& cmd);

}  // namespace hat::tools::lmdb_manager
