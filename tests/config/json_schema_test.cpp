// The module configuration schema validator: every supported keyword with a
// valid and an invalid instance and the exact error text, paths into nested
// objects and arrays, $ref, and the schemas refused at parse.

#include <doctest/doctest.h>

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "config/json_schema.hpp"

using hat::config::json_schema;
namespace json = boost::json;

namespace {

/// The error for `instance` (JSON text) under `schema`, the instance being
/// the first module's configuration; "" when valid.
std::string error_of(std::string_view schema, std::string_view instance,
                     std::string_view where = "modules[0]") {
  auto error = json_schema::parse(schema).validate(json::parse(instance),
                                                   where);
  return error.value_or("");
}

/// Why parse refused `schema`; "" when it accepted it.
std::string refusal_of(std::string_view schema) {
  try {
    json_schema::parse(schema);
  } catch (const std::invalid_argument& error) {
    return error.what();
  }
  return "";
}

const std::string_view period_schema = R"({
  "type": "object",
  "properties": {"period": {"type": "number"}}
})";

}  // namespace

TEST_CASE("type names the path, what was expected and what came") {
  CHECK(error_of(period_schema, R"({"period": 1.5})") == "");
  CHECK(error_of(period_schema, R"({"period": "1"})") ==
        "modules[0].period: expected number, got string");
  CHECK(error_of(period_schema, "[]") ==
        "modules[0]: expected object, got array");
}

TEST_CASE("an empty where reports the root error without a path") {
  CHECK(error_of(period_schema, "5", "") == "expected object, got integer");
  CHECK(error_of(period_schema, R"({"period": null})", "") ==
        "period: expected number, got null");
}

TEST_CASE("type: each name, lists of names and draft-07's integer") {
  CHECK(error_of(R"({"type": "integer"})", "3") == "");
  CHECK(error_of(R"({"type": "integer"})", "3.0") == "");
  CHECK(error_of(R"({"type": "integer"})", "3.5") ==
        "modules[0]: expected integer, got number");
  CHECK(error_of(R"({"type": "number"})", "3") == "");
  CHECK(error_of(R"({"type": "boolean"})", "true") == "");
  CHECK(error_of(R"({"type": "boolean"})", "0") ==
        "modules[0]: expected boolean, got integer");
  CHECK(error_of(R"({"type": "null"})", "null") == "");
  CHECK(error_of(R"({"type": "array"})", "{}") ==
        "modules[0]: expected array, got object");
  CHECK(error_of(R"({"type": ["string", "null"]})", "null") == "");
  CHECK(error_of(R"({"type": ["string", "null"]})", "true") ==
        "modules[0]: expected string or null, got boolean");
  CHECK(error_of(R"({"type": ["object", "array", "null"]})", "1") ==
        "modules[0]: expected object, array or null, got integer");
}

TEST_CASE("required reports the missing property's path") {
  auto schema = R"({"required": ["name", "period"]})";
  CHECK(error_of(schema, R"({"name": "a", "period": 1})") == "");
  CHECK(error_of(schema, R"({"name": "a"})") ==
        "modules[0].period: missing");
}

TEST_CASE("additionalProperties false or a schema") {
  auto closed = R"({"properties": {"a": {}}, "additionalProperties": false})";
  CHECK(error_of(closed, R"({"a": 1})") == "");
  CHECK(error_of(closed, R"({"a": 1, "b": 2})") ==
        "modules[0].b: unexpected property");
  auto typed = R"({"properties": {"a": {}},
                   "additionalProperties": {"type": "string"}})";
  CHECK(error_of(typed, R"({"a": 1, "b": "x"})") == "");
  CHECK(error_of(typed, R"({"a": 1, "b": 2})") ==
        "modules[0].b: expected string, got integer");
}

TEST_CASE("the first error is the first in the instance's order") {
  auto schema = R"({"properties": {"a": {"type": "string"},
                                   "b": {"type": "string"}}})";
  CHECK(error_of(schema, R"({"b": 1, "a": 2})") ==
        "modules[0].b: expected string, got integer");
}

TEST_CASE("nested objects and arrays build the path") {
  auto schema = R"({
    "properties": {"items": {
      "type": "array",
      "items": {"type": "object", "required": ["name"],
                "properties": {"name": {"type": "string"}}}}}})";
  CHECK(error_of(schema, R"({"items": [{"name": "a"}, {"name": "b"}]})") ==
        "");
  CHECK(error_of(schema, R"({"items": [{"name": "a"}, {}, {}, {}]})") ==
        "modules[0].items[1].name: missing");
  CHECK(error_of(schema,
                 R"({"items": [{"name": "a"}, {"name": "b"}, {"name": "c"},
                               {"name": 4}]})") ==
        "modules[0].items[3].name: expected string, got integer");
}

TEST_CASE("minItems and maxItems") {
  auto schema = R"({"minItems": 1, "maxItems": 2})";
  CHECK(error_of(schema, "[1, 2]") == "");
  CHECK(error_of(schema, "[]") ==
        "modules[0]: expected at least 1 items, got 0");
  CHECK(error_of(schema, "[1, 2, 3]") ==
        "modules[0]: expected at most 2 items, got 3");
  CHECK(error_of(schema, R"("not an array")") == "");
}

TEST_CASE("enum compares as JSON, numbers by value") {
  auto schema = R"({"enum": ["fast", 1, [1, {"a": null}]]})";
  CHECK(error_of(schema, R"("fast")") == "");
  CHECK(error_of(schema, "1.0") == "");
  CHECK(error_of(schema, R"([1.0, {"a": null}])") == "");
  CHECK(error_of(schema, R"([1, {"a": 0}])") ==
        R"(modules[0]: expected "fast", 1 or [1,{"a":null}], got [1,{"a":0}])");
  CHECK(error_of(schema, R"("slow")") ==
        R"(modules[0]: expected "fast", 1 or [1,{"a":null}], got "slow")");
}

TEST_CASE("const") {
  CHECK(error_of(R"({"const": 2})", "2.0") == "");
  CHECK(error_of(R"({"const": {"a": [true]}})", R"({"a": [true]})") == "");
  CHECK(error_of(R"({"const": 2})", "2.5") ==
        "modules[0]: expected 2, got 2.5");
  CHECK(error_of(R"({"const": "x"})", "2") ==
        R"(modules[0]: expected "x", got 2)");
}

TEST_CASE("minimum, maximum and their exclusive forms") {
  auto inclusive = R"({"minimum": 1, "maximum": 2.5})";
  CHECK(error_of(inclusive, "1") == "");
  CHECK(error_of(inclusive, "2.5") == "");
  CHECK(error_of(inclusive, "0.5") ==
        "modules[0]: expected at least 1, got 0.5");
  CHECK(error_of(inclusive, "3") ==
        "modules[0]: expected at most 2.5, got 3");
  auto exclusive = R"({"exclusiveMinimum": 0, "exclusiveMaximum": 10})";
  CHECK(error_of(exclusive, "0.001") == "");
  CHECK(error_of(exclusive, "0") ==
        "modules[0]: expected more than 0, got 0");
  CHECK(error_of(exclusive, "10.0") ==
        "modules[0]: expected less than 10, got 10");
  CHECK(error_of(exclusive, R"("a")") == "");
}

TEST_CASE("bounds compare integers beyond a double's precision exactly") {
  auto schema = R"({"maximum": 9007199254740992})";
  CHECK(error_of(schema, "9007199254740992") == "");
  CHECK(error_of(schema, "9007199254740993") ==
        "modules[0]: expected at most 9007199254740992, "
        "got 9007199254740993");
}

TEST_CASE("minLength and maxLength count code points") {
  auto schema = R"({"minLength": 2, "maxLength": 3})";
  CHECK(error_of(schema, R"("äöü")") == "");
  CHECK(error_of(schema, R"("a")") ==
        "modules[0]: expected at least 2 characters, got 1");
  CHECK(error_of(schema, R"("abcd")") ==
        "modules[0]: expected at most 3 characters, got 4");
}

TEST_CASE("pattern searches, as JSON Schema does") {
  auto schema = R"({"pattern": "[0-9]+"})";
  CHECK(error_of(schema, R"("abc123def")") == "");
  CHECK(error_of(schema, R"("abc")") ==
        R"(modules[0]: "abc" does not match '[0-9]+')");
  CHECK(error_of(R"({"pattern": "^[a-z]+$"})", R"("ab1")") ==
        R"(modules[0]: "ab1" does not match '^[a-z]+$')");
}

TEST_CASE("oneOf wants exactly one") {
  auto schema = R"({"oneOf": [{"type": "integer"}, {"minimum": 5}]})";
  CHECK(error_of(schema, "1") == "");
  CHECK(error_of(schema, "5.5") == "");
  CHECK(error_of(schema, "7") ==
        "modules[0]: matches alternatives 0 and 1 of oneOf, expected "
        "exactly one");
  CHECK(error_of(schema, "4.5") ==
        "modules[0]: matches none of oneOf ([0] modules[0]: expected "
        "integer, got number; [1] modules[0]: expected at least 5, got 4.5)");
}

TEST_CASE("anyOf wants at least one") {
  auto schema = R"({"anyOf": [{"type": "string"}, {"required": ["x"]}]})";
  CHECK(error_of(schema, R"("s")") == "");
  CHECK(error_of(schema, R"({"x": 1})") == "");
  CHECK(error_of(schema, R"({"y": 1})") ==
        "modules[0]: matches none of anyOf ([0] modules[0]: expected "
        "string, got object; [1] modules[0].x: missing)");
}

TEST_CASE("allOf reports the first failing schema's own error") {
  auto schema = R"({"allOf": [{"type": "object"},
                              {"properties": {"a": {"const": true}}}]})";
  CHECK(error_of(schema, R"({"a": true})") == "");
  CHECK(error_of(schema, R"({"a": false})") ==
        "modules[0].a: expected true, got false");
}

TEST_CASE("not") {
  auto schema = R"({"not": {"type": "null"}})";
  CHECK(error_of(schema, "0") == "");
  CHECK(error_of(schema, "null") ==
        "modules[0]: must not match the 'not' schema");
}

TEST_CASE("boolean schemas") {
  CHECK(error_of("true", "[1]") == "");
  CHECK(error_of("false", "[1]") == "modules[0]: not allowed");
  CHECK(error_of(R"({"properties": {"old": false}})", R"({"old": 1})") ==
        "modules[0].old: not allowed");
}

TEST_CASE("$ref to definitions and $defs, recursion included") {
  auto schema = R"({
    "$schema": "http://json-schema.org/draft-07/schema#",
    "definitions": {"period": {"type": "number", "exclusiveMinimum": 0}},
    "$defs": {"tree": {"type": "object",
                       "properties": {"children": {
                         "type": "array", "items": {"$ref": "#/$defs/tree"}}}}},
    "properties": {"period": {"$ref": "#/definitions/period"},
                   "tree": {"$ref": "#/$defs/tree"}}})";
  CHECK(error_of(schema, R"({"period": 2,
                             "tree": {"children": [{"children": []}]}})") ==
        "");
  CHECK(error_of(schema, R"({"period": 0})") ==
        "modules[0].period: expected more than 0, got 0");
  CHECK(error_of(schema, R"({"tree": {"children": [{"children": [1]}]}})") ==
        "modules[0].tree.children[0].children[0]: expected object, got "
        "integer");
}

TEST_CASE("annotations are accepted and change nothing") {
  auto schema = R"({"$id": "x", "id": "y", "title": "t", "description": "d",
                    "default": 1, "examples": [1], "$comment": "c",
                    "type": "integer"})";
  CHECK(error_of(schema, "1") == "");
  CHECK(error_of(schema, "true") ==
        "modules[0]: expected integer, got boolean");
}

TEST_CASE("one schema validates many instances") {
  auto schema = json_schema::parse(R"({"type": "string"})");
  auto copy = schema;
  CHECK_FALSE(schema.validate(json::string{"a"}, "x").has_value());
  CHECK(copy.validate(json::value(1), "modules[1]") ==
        "modules[1]: expected string, got integer");
  CHECK(schema.validate(json::parse("[]"), "x") ==
        "x: expected string, got array");
}

TEST_CASE("parse refuses keywords outside the subset, naming them") {
  CHECK(refusal_of(R"({"patternProperties": {}})") ==
        "schema #: unsupported keyword 'patternProperties'");
  CHECK(refusal_of(R"({"properties": {"a": {"format": "email"}}})") ==
        "schema #/properties/a: unsupported keyword 'format'");
  CHECK(refusal_of(R"({"definitions": {"d": {"if": true}}})") ==
        "schema #/definitions/d: unsupported keyword 'if'");
  CHECK(refusal_of(R"({"items": [{}, {}]})") ==
        "schema #/items: only a single schema is supported, not an array");
  CHECK(refusal_of(R"({"$ref": "#/definitions/a", "type": "object",
                       "definitions": {"a": {}}})") ==
        "schema #: keyword 'type' next to '$ref' would be ignored (draft-07)");
}

TEST_CASE("parse refuses text that is not JSON") {
  auto refusal = refusal_of(R"({"type": "object",)");
  CHECK(refusal.starts_with("schema: not JSON: "));
  CHECK(refusal_of("").starts_with("schema: not JSON: "));
}

TEST_CASE("parse refuses malformed keyword values") {
  CHECK(refusal_of("5") ==
        "schema #: expected a schema (object or boolean), got integer");
  CHECK(refusal_of(R"({"type": "float"})") ==
        R"(schema #/type: unknown type "float")");
  CHECK(refusal_of(R"({"type": []})") ==
        "schema #/type: must not be an empty array");
  CHECK(refusal_of(R"({"minItems": -1})") ==
        "schema #/minItems: must be a non-negative integer");
  CHECK(refusal_of(R"({"maximum": "10"})") ==
        "schema #/maximum: must be a number");
  CHECK(refusal_of(R"({"required": [1]})") ==
        "schema #/required: must be an array of strings");
  CHECK(refusal_of(R"({"oneOf": []})") ==
        "schema #/oneOf: must be a non-empty array of schemas");
  CHECK(refusal_of(R"({"properties": {"a": 1}})") ==
        "schema #/properties/a: expected a schema (object or boolean), got "
        "integer");
  CHECK(refusal_of(R"({"pattern": "(unclosed"})")
          .starts_with("schema #/pattern: invalid regular expression: "));
}

TEST_CASE("parse refuses $refs it cannot follow") {
  CHECK(refusal_of(R"({"$ref": "#/definitions/none"})") ==
        "schema #/$ref: '#/definitions/none' does not exist");
  CHECK(refusal_of(R"({"$ref": "other.json#/definitions/a"})") ==
        "schema #/$ref: only '#/definitions/...' and '#/$defs/...' are "
        "supported");
  CHECK(refusal_of(R"({"definitions": {"a": {"$ref": "#/definitions/b"},
                                       "b": {"anyOf": [{"$ref":
                                         "#/definitions/a"}]}},
                       "$ref": "#/definitions/a"})") ==
        "schema #/definitions/a: $refs loop without descending into the "
        "instance");
  // Recursion through a property descends, so it terminates.
  CHECK(refusal_of(R"({"definitions": {"t": {"properties": {"x": {"$ref":
                                         "#/definitions/t"}}}},
                       "$ref": "#/definitions/t"})") == "");
}
