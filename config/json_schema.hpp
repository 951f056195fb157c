#pragma once

/// A JSON Schema (draft-07 subset) for a module's configuration object, so
/// that the server refuses to start with "modules[2].period: expected
/// number, got string" instead of a module failing later. Keywords outside
/// the subset are refused when the schema is parsed: silently ignoring part
/// of a schema would accept configurations its author meant to reject.
///
/// Supported: type, properties, required, additionalProperties, items (one
/// schema), minItems, maxItems, enum, const, minimum, maximum,
/// exclusiveMinimum, exclusiveMaximum (numbers), minLength, maxLength,
/// pattern (std::regex ECMAScript, searched), oneOf, anyOf, allOf, not,
/// $ref to "#/definitions/..." or "#/$defs/...", and boolean schemas.
/// Accepted and ignored: $schema, $id, id, title, description, default,
/// examples, $comment; definitions and $defs are checked like any schema.

#include <boost/json.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace hat::config {

namespace detail {
struct schema_tree;
}  // namespace detail

/// A compiled schema (parse once, validate many). Copies share the tree.
class json_schema {
public:
  /// Parses `schema_text` (JSON). Throws std::invalid_argument naming the
  /// place in the schema ("schema #/properties/a: unsupported keyword
  /// 'patternProperties'") when the text is not JSON, a keyword is outside
  /// the subset, a keyword's value is malformed, a $ref does not resolve,
  /// or $refs loop without descending into the instance.
  static json_schema parse(std::string_view schema_text);

  /// Nothing when `instance` is valid; otherwise the first error as
  /// "<path>: <what>", the path built from `where` (the instance's own
  /// path, e.g. "modules[2]") like the rest of config does:
  /// "modules[2].items[3].name: missing". With an empty `where`, an error
  /// at the root is just "<what>", as config_error does.
  std::optional<std::string> validate(const boost::json::value& instance,
                                      std::string_view where) const;

private:
  explicit json_schema(std::shared_ptr<const detail::schema_tree> tree);

  std::shared_ptr<const detail::schema_tree> tree_;
};

}  // namespace hat::config
