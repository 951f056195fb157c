#include "modules/builtin/copy.hpp"

#include <algorithm>
#include <memory>
#include <utility>
#include <vector>

#include "modules/builtin/module_conf.hpp"
#include "modules/builtin/output_loop.hpp"
#include "protocol/event_type.hpp"

namespace hat::modules::builtin {

namespace {

constexpr const char* name = "copy";

constexpr const char* schema = R"json({
  "title": "copy",
  "description": "Copies events: prefix `from` becomes `to`.",
  "type": "object",
  "required": ["module", "subscriptions", "from", "to"],
  "additionalProperties": false,
  "properties": {
    "module": {"type": "string"},
    "subscriptions": {
      "description": "Query types of the events to copy.",
      "type": "array",
      "minItems": 1,
      "items": {"$ref": "#/definitions/query_type"}
    },
    "from": {
      "description": "Type prefix to replace; other events are left alone.",
      "$ref": "#/definitions/type_prefix"
    },
    "to": {
      "description": "Replacement for `from`.",
      "$ref": "#/definitions/type_prefix"
    }
  },
  "definitions": {
    "query_type": {"type": "array", "items": {"type": "string"}},
    "type_prefix": {
      "type": "array",
      "items": {"type": "string", "not": {"enum": ["?", "*"]}}
    }
  }
})json";

class copy_module final : public module {
public:
  copy_module(std::vector<event_type> subscriptions, event_type from,
              event_type to)
    : subscriptions_(std::move(subscriptions)),
      from_(std::move(from)),
      to_(std::move(to)) {
  }

  std::vector<event_type> subscription() const override {
    return subscriptions_;
  }

  std::vector<register_event> process(const event_source&,
                                      const event& e) override {
    if (e.type.size() < from_.size() ||
        !std::equal(from_.begin(), from_.end(), e.type.begin()))
      return {};
    auto type = to_;
    type.insert(type.end(),
                e.type.begin() + static_cast<std::ptrdiff_t>(from_.size()),
                e.type.end());
    return {register_event{std::move(type), e.source_timestamp, e.payload}};
  }

private:
  std::vector<event_type> subscriptions_;
  event_type from_;
  event_type to_;
};

std::unique_ptr<module> create(const boost::json::object& conf,
                               engine_handle&, event_source) {
  module_conf reader(name, conf);
  auto subscriptions = reader.query_types("subscriptions");
  auto from = reader.event_type_prefix("from");
  auto to = reader.event_type_prefix("to");
  auto outputs = replaced_prefix_types(subscriptions, from, to);
  if (outputs.empty())
    reader.refuse("from", "no type matching subscriptions starts with '" +
                            event_type_to_string(from) +
                            "': nothing would ever be copied");
  if (auto shared = shared_types(outputs, subscriptions))
    reader.refuse("to", "copies with types " + *shared +
                          " would match subscriptions and be copied again, "
                          "forever");
  return std::make_unique<copy_module>(std::move(subscriptions),
                                       std::move(from), std::move(to));
}

}  // namespace

const module_factory copy_factory{
  .name = name,
  .json_schema = schema,
  .create = &create,
};

}  // namespace hat::modules::builtin
