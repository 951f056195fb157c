#pragma once

/// `module: payload_guard` -- checks the payload of every matching event
/// against `conditions` (the lmdb backend's conditions, same shape and
/// meaning) and reports each event that fails them. Modules cannot take
/// an event out of its session, so the failing event is still stored;
/// the module adds to the same session:
///
/// - `reject_type` + (its type), JSON payload
///   {"id": {...}, "type": [...], "payload": <its JSON or null>,
///    "reason": "..."};
/// - with `rewrite_type` and `default_payload`: `rewrite_type` + (its
///   type), its source timestamp, `default_payload` as JSON payload.
///
/// At least one of the two is configured. Refused at creation when an
/// added event could match `subscriptions` again. See README.md.

#include "modules/plugin.hpp"

namespace hat::modules::builtin {

extern const module_factory payload_guard_factory;

}  // namespace hat::modules::builtin
