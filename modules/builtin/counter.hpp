#pragma once

/// `module: counter` -- counts matching events per type and, every
/// `period` seconds, registers one session with the counts of the types
/// that got new events since the previous report, each as the event
/// `type` + (counted type) with the JSON payload
///
///   {"count": N, "first": {"s": S, "us": US}, "last": {"s": S, "us": US}}
///
/// N: events of that type seen since the module was created; first and
/// last: timestamps of the first and the latest of them.
///
///   subscriptions: [[gw, "*"]]
///   type: [stats, count]
///   period: 10
///
/// Refused at creation when a report could match `subscriptions` (the
/// counter would count its own reports). See README.md.

#include "modules/plugin.hpp"

namespace hat::modules::builtin {

extern const module_factory counter_factory;

}  // namespace hat::modules::builtin
