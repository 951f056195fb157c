#pragma once

/// `module: copy` -- registers, in the same session, a copy of every
/// matching event under another type: the prefix `from` of its type
/// replaced by `to`, source timestamp and payload unchanged. Events whose
/// type does not start with `from` are left alone.
///
///   subscriptions: [[gw, "*"]]   # the events to copy
///   from: [gw]                   # the prefix to replace
///   to: [mirror, gw]             # its replacement
///
/// Refused at creation when a copy could match `subscriptions` again (the
/// engine would copy the copy, forever) or when no subscribed type starts
/// with `from`. See README.md.

#include "modules/plugin.hpp"

namespace hat::modules::builtin {

extern const module_factory copy_factory;

}  // namespace hat::modules::builtin
