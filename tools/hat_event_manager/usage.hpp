#pragma once

/// What hat-event-manager says about its command line.

namespace hat::manager_tool {

/// The commands and their options, shown with a usage error.
extern const char* const synopsis_text;

/// What --help adds to the synopsis.
extern const char* const details_text;

}  // namespace hat::manager_tool
