#pragma once

/// What hat-event-client says about its command line.

namespace hat::client::tool {

/// The commands and their options, shown with a usage error.
extern const char* const synopsis_text;

/// What --help adds to the synopsis.
extern const char* const details_text;

}  // namespace hat::client::tool
