#pragma once

/// Static detection of a module feeding itself. The engine offers what a
/// module adds to every module again, itself included, until nothing more
/// is added; a module whose output types can match its own subscriptions
/// would therefore never stop. The built-in modules derive their output
/// types from their input types by replacing a prefix, so the set of
/// possible outputs is itself a set of query types and the question is
/// exact: do two sets of query types share an event type?

#include <optional>
#include <string>
#include <vector>

#include "protocol/event.hpp"

namespace hat::modules::builtin {

/// Query types describing exactly {to + rest : from + rest matches one of
/// `inputs`}: what a module writes when it replaces the prefix `from` of
/// each input type by `to` (empty `from`: it prepends `to`). Empty when no
/// type matching `inputs` starts with `from`.
std::vector<event_type> replaced_prefix_types(
  const std::vector<event_type>& inputs, const event_type& from,
  const event_type& to);

/// Some query types for the event types both sets describe, as text for an
/// error message ("a/b, c/*"), or nothing when they share none.
std::optional<std::string> shared_types(
  const std::vector<event_type>& outputs,
  const std::vector<event_type>& subscriptions);

}  // namespace hat::modules::builtin
