#pragma once

/// What hat-event-lmdb-manager says about its command line.

namespace hat::tools::lmdb_manager {

/// The actions and their options, shown with a usage error.
extern const char* const synopsis_text;

/// What --help adds to the synopsis.
extern const char* const details_text;

}  // namespace hat::tools::lmdb_manager
