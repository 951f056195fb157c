#include "modules/builtin/event_json.hpp"

namespace hat::modules::builtin {

namespace json = boost::json;

json::object timestamp_json(const timestamp& t) {
  return {{"s", t.s}, {"us", t.us}};
}

json::object event_id_json(const event_id& id) {
  return {{"server", id.server},
          {"session", id.session},
          {"instance", id.instance}};
}

json::array event_type_json(const event_type& type) {
  json::array segments;
  for (const auto& segment : type)
    segments.emplace_back(segment);
  return segments;
}

}  // namespace hat::modules::builtin
