#include "config/logging_schema.hpp"

#include "config/json_schema.hpp"

namespace hat::config {

std::optional<std::string> check_logging_schema(const boost::json::value& log,
                                                std::string_view where) {
  // hat-json's logging.yaml in the subset json_schema.hpp reads: its
  // patternProperties "(.)+" are additionalProperties here (the one name
  // they leave out, the empty one, no configuration uses).
  static const auto schema = json_schema::parse(R"({
    "type": "object",
    "required": ["version"],
    "definitions": {
      "names": {"type": "array", "items": {"type": "string"}}
    },
    "properties": {
      "version": {"type": "integer"},
      "formatters": {"type": "object", "additionalProperties": {
        "type": "object",
        "properties": {"format": {"type": "string"},
                       "datefmt": {"type": "string"}}}},
      "filters": {"type": "object", "additionalProperties": {
        "type": "object",
        "properties": {"name": {"type": "string"}}}},
      "handlers": {"type": "object", "additionalProperties": {
        "type": "object",
        "required": ["class"],
        "properties": {"class": {"type": "string"},
                       "level": {"type": "string"},
                       "formatter": {"type": "string"},
                       "filters": {"$ref": "#/definitions/names"}}}},
      "loggers": {"type": "object", "additionalProperties": {
        "type": "object",
        "properties": {"level": {"type": "string"},
                       "propagate": {"type": "boolean"},
                       "filters": {"$ref": "#/definitions/names"},
                       "handlers": {"$ref": "#/definitions/names"}}}},
      "root": {"type": "object",
               "properties": {"level": {"type": "string"},
                              "filters": {"$ref": "#/definitions/names"},
                              "handlers": {"$ref": "#/definitions/names"}}},
      "incremental": {"type": "boolean"},
      "disable_existing_loggers": {"type": "boolean"}
    }
  })");
  return schema.validate(log, where);
}

}  // namespace hat::config
