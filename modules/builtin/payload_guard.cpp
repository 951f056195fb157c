#include "modules/builtin/payload_guard.hpp"

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>
#include <variant>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "modules/builtin/event_json.hpp"
#include "modules/builtin/module_conf.hpp"
#include "modules/builtin/output_loop.hpp"
#include "storage/lmdb/conditions.hpp"

namespace hat::modules::builtin {

namespace {

namespace json = boost::json;

constexpr const char* name = "payload_guard";

constexpr const char* schema = R"json({
  "title": "payload_guard",
  "description": "Reports and/or rewrites failing payloads.",
  "type": "object",
  "required": ["module", "subscriptions", "conditions"],
  "additionalProperties": false,
  "properties": {
    "module": {"type": "string"},
    "subscriptions": {
      "description": "Query types of the events to check.",
      "$ref": "#/definitions/query_types"
    },
    "conditions": {
      "description": "Shaped as the lmdb backend's conditions.",
      "type": "array",
      "items": {
        "type": "object",
        "required": ["subscriptions", "condition"],
        "properties": {
          "subscriptions": {"$ref": "#/definitions/query_types"},
          "condition": {"$ref": "#/definitions/condition"}
        }
      }
    },
    "reject_type": {
      "description": "Type prefix of the reports of failing events.",
      "$ref": "#/definitions/type_prefix"
    },
    "rewrite_type": {
      "description": "Type prefix of the replacements of failing events.",
      "$ref": "#/definitions/type_prefix"
    },
    "default_payload": {
      "description": "JSON payload of the replacements."
    }
  },
  "anyOf": [
    {
      "required": ["reject_type"],
      "not": {
        "anyOf": [
          {"required": ["rewrite_type"]},
          {"required": ["default_payload"]}
        ]
      }
    },
    {"required": ["rewrite_type", "default_payload"]}
  ],
  "definitions": {
    "query_types": {
      "type": "array",
      "items": {"type": "array", "items": {"type": "string"}}
    },
    "type_prefix": {
      "type": "array",
      "items": {"type": "string", "not": {"enum": ["?", "*"]}}
    },
    "data_path": {
      "anyOf": [
        {"type": "string"},
        {"type": "integer"},
        {"type": "array", "items": {"$ref": "#/definitions/data_path"}}
      ]
    },
    "condition": {
      "oneOf": [
        {
          "type": "object",
          "required": ["type", "conditions"],
          "properties": {
            "type": {"enum": ["all", "any"]},
            "conditions": {
              "type": "array",
              "items": {"$ref": "#/definitions/condition"}
            }
          }
        },
        {
          "type": "object",
          "required": ["type"],
          "properties": {
            "type": {"const": "json"},
            "data_path": {"$ref": "#/definitions/data_path"},
            "data_type": {
              "enum": ["null", "boolean", "string", "number", "array",
                       "object"]
            },
            "data_value": {}
          }
        }
      ]
    }
  }
})json";

/// Why `e` failed, and its payload as JSON text when it has one.
std::pair<std::string, std::optional<std::string>> diagnose(const event& e) {
  if (!e.payload)
    return {"no payload", std::nullopt};
  const auto* json_payload = std::get_if<payload_json>(&*e.payload);
  if (!json_payload)
    return {"binary payload", std::nullopt};
  if (!storage::lmdb::parse_json_payload(json_payload->text))
    return {"payload is not valid JSON", std::nullopt};
  return {"payload fails the conditions", json_payload->text};
}

class payload_guard_module final : public module {
public:
  payload_guard_module(std::vector<event_type> subscriptions,
                       storage::lmdb::conditions conditions,
                       std::optional<event_type> reject_type,
                       std::optional<event_type> rewrite_type,
                       std::string default_payload)
    : subscriptions_(std::move(subscriptions)),
      conditions_(std::move(conditions)),
      reject_type_(std::move(reject_type)),
      rewrite_type_(std::move(rewrite_type)),
      default_payload_(std::move(default_payload)) {
  }

  std::vector<event_type> subscription() const override {
    return subscriptions_;
  }

  std::vector<register_event> process(const event_source&,
                                      const event& e) override {
    if (conditions_.matches(e))
      return {};
    std::vector<register_event> added;
    if (reject_type_)
      added.push_back(register_event{prefixed(*reject_type_, e.type),
                                     std::nullopt,
                                     payload_json{rejection(e)}});
    if (rewrite_type_)
      added.push_back(register_event{prefixed(*rewrite_type_, e.type),
                                     e.source_timestamp,
                                     payload_json{default_payload_}});
    return added;
  }

private:
  static event_type prefixed(const event_type& prefix,
                             const event_type& type) {
    auto result = prefix;
    result.insert(result.end(), type.begin(), type.end());
    return result;
  }

  /// The reject payload. The failing payload is copied as received rather
  /// than parsed and serialised again, which would rewrite its numbers
  /// (1.0 becomes 1E0).
  static std::string rejection(const event& e) {
    auto [reason, payload] = diagnose(e);
    return "{\"id\":" + json::serialize(event_id_json(e.id)) +
           ",\"type\":" + json::serialize(event_type_json(e.type)) +
           ",\"payload\":" + (payload ? *payload : "null") +
           ",\"reason\":" + json::serialize(json::string(reason)) + "}";
  }

  std::vector<event_type> subscriptions_;
  storage::lmdb::conditions conditions_;
  std::optional<event_type> reject_type_;
  std::optional<event_type> rewrite_type_;
  /// JSON text, serialised once.
  std::string default_payload_;
};

std::unique_ptr<module> create(const json::object& conf, engine_handle&,
                               event_source) {
  module_conf reader(name, conf);
  auto subscriptions = reader.query_types("subscriptions");

  const auto* conditions_conf = reader.require("conditions").if_array();
  if (!conditions_conf)
    reader.refuse("conditions", "expected a list");
  storage::lmdb::conditions conditions;
  try {
    conditions = storage::lmdb::conditions(*conditions_conf);
  } catch (const std::invalid_argument& e) {
    reader.refuse("conditions", e.what());
  }

  std::optional<event_type> reject_type;
  if (reader.find("reject_type"))
    reject_type = reader.event_type_prefix("reject_type");
  std::optional<event_type> rewrite_type;
  std::string default_payload;
  bool has_default = reader.find("default_payload") != nullptr;
  if (reader.find("rewrite_type")) {
    rewrite_type = reader.event_type_prefix("rewrite_type");
    if (!has_default)
      reader.refuse("default_payload", "missing (rewrite_type needs it)");
    default_payload = json::serialize(*reader.find("default_payload"));
  } else if (has_default) {
    reader.refuse("rewrite_type", "missing (default_payload needs it)");
  }
  if (!reject_type && !rewrite_type)
    reader.refuse("reject_type",
                  "missing (give reject_type, rewrite_type or both)");

  for (const auto& [field, prefix] :
       {std::pair{"reject_type", reject_type},
        std::pair{"rewrite_type", rewrite_type}}) {
    if (!prefix)
      continue;
    auto outputs = replaced_prefix_types(subscriptions, {}, *prefix);
    if (auto shared = shared_types(outputs, subscriptions))
      reader.refuse(field, "added events with types " + *shared +
                             " would match subscriptions and be checked "
                             "again, possibly forever");
  }
  return std::make_unique<payload_guard_module>(
    std::move(subscriptions), std::move(conditions), std::move(reject_type),
    std::move(rewrite_type), std::move(default_payload));
}

}  // namespace

const module_factory payload_guard_factory{
  .name = name,
  .json_schema = schema,
  .create = &create,
};

}  // namespace hat::modules::builtin
