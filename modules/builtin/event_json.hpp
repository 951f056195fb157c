#pragma once

/// Event fields as JSON values, for the payloads the built-in modules
/// write. Shapes follow hat-event-manager's event JSON: timestamps as
/// {"s", "us"}, ids as {"server", "session", "instance"}, types as lists
/// of segments.

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "protocol/event.hpp"

namespace hat::modules::builtin {

boost::json::object timestamp_json(const timestamp& t);

boost::json::object event_id_json(const event_id& id);

boost::json::array event_type_json(const event_type& type);

}  // namespace hat::modules::builtin
