#include "config/json_schema.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <deque>
#include <limits>
#include <map>
#include <regex>
#include <stdexcept>
#include <vector>

#include "config/json_fields.hpp"

namespace hat::config {

namespace json = boost::json;

namespace detail {

/// One compiled (sub)schema; an absent keyword is empty or null.
struct schema_node {
  /// Where it is in the schema document ("#/properties/a"), for errors.
  std::string at;
  /// Set for the boolean schemas `true` and `false`.
  std::optional<bool> always;
  /// `type`, in the order written (the error message lists them so).
  std::vector<std::string> types;
  /// `const`, `enum` and the bounds point into schema_tree::document.
  const json::value* const_value = nullptr;
  const json::array* enum_values = nullptr;
  /// Indexed like bound_keywords.
  std::array<const json::value*, 4> bounds{};
  std::optional<uint64_t> min_length, max_length, min_items, max_items;
  std::string pattern_text;
  std::optional<std::regex> pattern;
  std::vector<std::string> required;
  std::map<std::string, const schema_node*, std::less<>> properties;
  const schema_node* additional = nullptr;
  const schema_node* items = nullptr;
  const schema_node* ref = nullptr;
  const schema_node* not_schema = nullptr;
  std::vector<const schema_node*> all_of, any_of, one_of;
};

struct schema_tree {
  json::value document;
  /// A deque: nodes point at each other, so they must never move.
  std::deque<schema_node> nodes;
  const schema_node* root = nullptr;
};

}  // namespace detail

namespace {

using detail::schema_node;
using fields::kind_name;

/// The keywords bounding a number: when an instance breaks the bound, and
/// how the error message says it.
struct bound_keyword {
  std::string_view name;
  bool (*breaks)(long double instance, long double bound);
  std::string_view words;
};

constexpr std::array<bound_keyword, 4> bound_keywords{{
  {"minimum", [](long double x, long double b) { return x < b; }, "at least"},
  {"exclusiveMinimum", [](long double x, long double b) { return x <= b; },
   "more than"},
  {"maximum", [](long double x, long double b) { return x > b; }, "at most"},
  {"exclusiveMaximum", [](long double x, long double b) { return x >= b; },
   "less than"},
}};

// Bounds are compared as long double, which holds every int64, uint64 and
// double exactly, so 9007199254740993 > 9007199254740992.0 holds.
static_assert(std::numeric_limits<long double>::digits >= 64);

long double number_of(const json::value& value) {
  if (value.is_int64())
    return static_cast<long double>(value.get_int64());
  if (value.is_uint64())
    return static_cast<long double>(value.get_uint64());
  return value.get_double();
}

/// Numbers compare by value (1 == 1.0), as JSON Schema's equality wants.
bool json_equal(const json::value& a, const json::value& b) {
  if (a.is_number() && b.is_number())
    return number_of(a) == number_of(b);
  if (a.kind() != b.kind())
    return false;
  if (a.is_array())
    return std::ranges::equal(a.get_array(), b.get_array(), json_equal);
  if (a.is_object())
    return a.get_object().size() == b.get_object().size() &&
           std::ranges::all_of(a.get_object(), [&](const auto& member) {
             auto* other = b.get_object().if_contains(member.key());
             return other && json_equal(member.value(), *other);
           });
  return a == b;
}

/// Serialized JSON, except that doubles print shortest ("1.5", not the
/// "1.5E0" of json::serialize).
std::string format(const json::value& value) {
  if (!value.is_double())
    return json::serialize(value);
  char buffer[32];
  auto end = std::to_chars(buffer, buffer + sizeof buffer, value.get_double());
  return {buffer, end.ptr};
}

/// "a", "a or b", "a, b or c" (with `last` = " or ").
std::string join(const std::vector<std::string>& words,
                 std::string_view last = " or ") {
  std::string text;
  for (size_t i = 0; i < words.size(); ++i)
    text += std::string{i == 0 ? "" : i + 1 == words.size() ? last : ", "} +
            words[i];
  return text;
}

constexpr std::array<std::string_view, 7> type_names{
  "object", "array", "string", "number", "integer", "boolean", "null"};

bool has_type(const json::value& value, std::string_view type) {
  if (type == "integer")  // draft-07: 1.0 is an integer
    return value.is_int64() || value.is_uint64() ||
           (value.is_double() &&
            std::trunc(value.get_double()) == value.get_double());
  if (type == "number")
    return value.is_number();
  return kind_name(value) == type;
}

/// JSON Schema counts code points, not bytes.
uint64_t code_points(std::string_view text) {
  return std::ranges::count_if(
    text, [](unsigned char c) { return (c & 0xC0) != 0x80; });
}

constexpr std::array<std::string_view, 10> annotations{
  "$schema",  "$id",      "id",       "title",       "description",
  "default",  "examples", "$comment", "definitions", "$defs"};

bool is_annotation(std::string_view key) {
  return std::ranges::find(annotations, key) != annotations.end();
}

/// A JSON Pointer token: "~" and "/" escaped.
std::string pointer_token(std::string_view key) {
  std::string token;
  for (char c : key)
    token += c == '~' ? "~0" : c == '/' ? "~1" : std::string(1, c);
  return token;
}

[[noreturn]] void refuse(std::string_view at, const std::string& problem) {
  throw std::invalid_argument("schema " + std::string{at} + ": " + problem);
}

/// Builds the node tree; nodes are memoized by their place in the document
/// so that $refs to a definition share one node and may be recursive.
class compiler {
public:
  explicit compiler(detail::schema_tree& tree) : tree_(tree) {
  }

  const schema_node* compile(const json::value& schema,
                             const std::string& at) {
    if (auto known = by_place_.find(at); known != by_place_.end())
      return known->second;
    auto& node = tree_.nodes.emplace_back();
    node.at = at;
    by_place_.emplace(at, &node);
    if (schema.is_bool()) {
      node.always = schema.get_bool();
      return &node;
    }
    if (!schema.is_object())
      refuse(at, "expected a schema (object or boolean), got " +
                   std::string{kind_name(schema)});
    const auto& object = schema.get_object();
    for (const auto& [key, value] : object) {
      // draft-07 ignores everything next to $ref: refuse what would be.
      if (object.contains("$ref") && key != "$ref" && !is_annotation(key))
        refuse(at, "keyword '" + std::string{key} +
                     "' next to '$ref' would be ignored (draft-07)");
      keyword(node, key, value, at + "/" + pointer_token(key));
    }
    return &node;
  }

private:
  void keyword(schema_node& node, std::string_view key,
               const json::value& value, const std::string& at) {
    if (key == "type") {
      node.types = read_types(value, at);
    } else if (key == "properties") {
      each_member(value, at, [&](std::string_view name, const auto* schema) {
        node.properties.emplace(name, schema);
      });
    } else if (key == "required") {
      for (const auto& name : array_of(value, at, "strings", false)) {
        if (!name.is_string())
          refuse(at, "must be an array of strings");
        node.required.emplace_back(name.get_string());
      }
    } else if (key == "additionalProperties") {
      node.additional = compile(value, at);
    } else if (key == "items") {
      if (value.is_array())
        refuse(at, "only a single schema is supported, not an array");
      node.items = compile(value, at);
    } else if (auto* count = count_of(node, key)) {
      *count = read_count(value, at);
    } else if (auto bound = std::ranges::find(bound_keywords, key,
                                              &bound_keyword::name);
               bound != bound_keywords.end()) {
      if (!value.is_number())
        refuse(at, "must be a number");
      node.bounds[bound - bound_keywords.begin()] = &value;
    } else if (key == "enum") {
      node.enum_values = &array_of(value, at, "values", true);
    } else if (key == "const") {
      node.const_value = &value;
    } else if (key == "pattern") {
      read_pattern(node, value, at);
    } else if (key == "allOf" || key == "anyOf" || key == "oneOf") {
      auto& list = key == "allOf"   ? node.all_of
                   : key == "anyOf" ? node.any_of
                                    : node.one_of;
      const auto& array = array_of(value, at, "schemas", true);
      for (size_t i = 0; i < array.size(); ++i)
        list.push_back(compile(array[i], at + "/" + std::to_string(i)));
    } else if (key == "not") {
      node.not_schema = compile(value, at);
    } else if (key == "$ref") {
      node.ref = resolve(value, at);
    } else if (key == "definitions" || key == "$defs") {
      // Compiled even when unused, so that their mistakes show too.
      each_member(value, at, [](std::string_view, const auto*) {});
    } else if (!is_annotation(key)) {
      refuse(at.substr(0, at.rfind('/')),
             "unsupported keyword '" + std::string{key} + "'");
    }
  }

  /// Compiles every member of an object of schemas.
  template <class Use>
  void each_member(const json::value& value, const std::string& at,
                   Use use) {
    if (!value.is_object())
      refuse(at, "must be an object of schemas");
    for (const auto& [name, schema] : value.get_object())
      use(name, compile(schema, at + "/" + pointer_token(name)));
  }

  const json::array& array_of(const json::value& value, const std::string& at,
                              std::string_view of, bool non_empty) {
    if (!value.is_array() || (non_empty && value.get_array().empty()))
      refuse(at, std::string{"must be "} +
                   (non_empty ? "a non-empty " : "an ") + "array of " +
                   std::string{of});
    return value.get_array();
  }

  static std::vector<std::string> read_types(const json::value& value,
                                             const std::string& at) {
    std::vector<std::string> types;
    auto add = [&](const json::value& name) {
      if (!name.is_string() ||
          std::ranges::find(type_names, name.get_string()) == type_names.end())
        refuse(at, "unknown type " + format(name));
      types.emplace_back(name.get_string());
    };
    if (!value.is_array())
      add(value);
    else if (value.get_array().empty())
      refuse(at, "must not be an empty array");
    else
      std::ranges::for_each(value.get_array(), add);
    return types;
  }

  static std::optional<uint64_t>* count_of(schema_node& node,
                                           std::string_view key) {
    return key == "minItems"    ? &node.min_items
           : key == "maxItems"  ? &node.max_items
           : key == "minLength" ? &node.min_length
           : key == "maxLength" ? &node.max_length
                                : nullptr;
  }

  static uint64_t read_count(const json::value& value,
                             const std::string& at) {
    if (value.is_uint64() || (value.is_int64() && value.get_int64() >= 0))
      return value.to_number<uint64_t>();
    refuse(at, "must be a non-negative integer");
  }

  static void read_pattern(schema_node& node, const json::value& value,
                           const std::string& at) {
    if (!value.is_string())
      refuse(at, "must be a string");
    node.pattern_text = value.get_string();
    try {
      node.pattern.emplace(node.pattern_text, std::regex::ECMAScript);
    } catch (const std::regex_error& error) {
      refuse(at, "invalid regular expression: " + std::string{error.what()});
    }
  }

  const schema_node* resolve(const json::value& value, const std::string& at) {
    if (!value.is_string() || !(value.get_string().starts_with(
                                  "#/definitions/") ||
                                value.get_string().starts_with("#/$defs/")))
      refuse(at, "only '#/definitions/...' and '#/$defs/...' are supported");
    std::string target{value.get_string()};
    std::error_code ignored;
    auto* schema = tree_.document.find_pointer(target.substr(1), ignored);
    if (!schema)
      refuse(at, "'" + target + "' does not exist");
    return compile(*schema, target);
  }

  detail::schema_tree& tree_;
  std::map<std::string, schema_node*> by_place_;
};

/// A $ref cycle that never descends into a property or an item would
/// recurse forever at validation; find one at parse instead.
void refuse_ref_loops(const schema_node& node,
                      std::map<const schema_node*, bool>& open) {
  auto [it, fresh] = open.emplace(&node, true);
  if (!fresh) {
    if (it->second)
      refuse(node.at, "$refs loop without descending into the instance");
    return;
  }
  std::vector<const schema_node*> same_instance{node.ref, node.not_schema};
  for (const auto* list : {&node.all_of, &node.any_of, &node.one_of})
    same_instance.insert(same_instance.end(), list->begin(), list->end());
  for (const auto* next : same_instance)
    if (next)
      refuse_ref_loops(*next, open);
  it->second = false;
}

using error = std::optional<std::string>;

error fail(const std::string& path, const std::string& what) {
  return path.empty() ? what : path + ": " + what;
}

error check(const schema_node& node, const json::value& value,
            const std::string& path);

error check_number(const schema_node& node, const json::value& value,
                   const std::string& path) {
  for (size_t i = 0; i < bound_keywords.size(); ++i)
    if (const auto* bound = node.bounds[i];
        bound && bound_keywords[i].breaks(number_of(value), number_of(*bound)))
      return fail(path, "expected " + std::string{bound_keywords[i].words} +
                          " " + format(*bound) + ", got " + format(value));
  return std::nullopt;
}

/// minItems/maxItems and minLength/maxLength alike.
error check_size(const std::string& path, uint64_t size,
                 const std::optional<uint64_t>& min,
                 const std::optional<uint64_t>& max, std::string_view unit) {
  auto words = [&](std::string_view which, uint64_t limit) {
    return fail(path, "expected " + std::string{which} + " " +
                        std::to_string(limit) + " " + std::string{unit} +
                        ", got " + std::to_string(size));
  };
  if (min && size < *min)
    return words("at least", *min);
  if (max && size > *max)
    return words("at most", *max);
  return std::nullopt;
}

error check_object(const schema_node& node, const json::object& object,
                   const std::string& path) {
  for (const auto& name : node.required)
    if (!object.contains(name))
      return fail(fields::child_path(path, name), "missing");
  // In the instance's order, so that the first error is the first in the
  // file.
  for (const auto& [name, value] : object) {
    auto child = fields::child_path(path, name);
    auto known = node.properties.find(std::string_view{name});
    const auto* schema =
      known != node.properties.end() ? known->second : node.additional;
    if (known == node.properties.end() && schema &&
        schema->always == false)
      return fail(child, "unexpected property");
    if (auto e = schema ? check(*schema, value, child) : std::nullopt)
      return e;
  }
  return std::nullopt;
}

/// anyOf and oneOf: how many alternatives match; what the others said.
error check_alternatives(const std::vector<const schema_node*>& list,
                         const json::value& value, const std::string& path,
                         std::string_view keyword) {
  std::vector<std::string> errors, matches;
  for (size_t i = 0; i < list.size(); ++i)
    if (auto e = check(*list[i], value, path))
      errors.push_back("[" + std::to_string(i) + "] " + *e);
    else
      matches.push_back(std::to_string(i));
  if (matches.empty())
    return fail(path, "matches none of " + std::string{keyword} + " (" +
                        join(errors, "; ") + ")");
  if (keyword == "oneOf" && matches.size() > 1)
    return fail(path, "matches alternatives " + join(matches, " and ") +
                        " of oneOf, expected exactly one");
  return std::nullopt;
}

error check(const schema_node& node, const json::value& value,
            const std::string& path) {
  if (node.always)
    return *node.always ? std::nullopt : fail(path, "not allowed");
  if (node.ref)
    return check(*node.ref, value, path);
  auto has = [&](const auto& type) { return has_type(value, type); };
  if (!node.types.empty() && std::ranges::none_of(node.types, has))
    return fail(path, "expected " + join(node.types) + ", got " +
                        std::string{kind_name(value)});
  if (node.const_value && !json_equal(*node.const_value, value))
    return fail(path, "expected " + format(*node.const_value) + ", got " +
                        format(value));
  auto equals = [&](const json::value& allowed) {
    return json_equal(allowed, value);
  };
  if (node.enum_values && std::ranges::none_of(*node.enum_values, equals)) {
    std::vector<std::string> allowed;
    for (const auto& each : *node.enum_values)
      allowed.push_back(format(each));
    return fail(path, "expected " + join(allowed) + ", got " + format(value));
  }
  error e;
  if (value.is_number())
    e = check_number(node, value, path);
  else if (value.is_string()) {
    e = check_size(path, code_points(value.get_string()), node.min_length,
                   node.max_length, "characters");
    if (!e && node.pattern &&
        !std::regex_search(value.get_string().begin(),
                           value.get_string().end(), *node.pattern))
      e = fail(path, format(value) + " does not match '" + node.pattern_text +
                       "'");
  } else if (value.is_array()) {
    const auto& array = value.get_array();
    e = check_size(path, array.size(), node.min_items, node.max_items,
                   "items");
    for (size_t i = 0; !e && node.items && i < array.size(); ++i)
      e = check(*node.items, array[i], fields::index_path(path, i));
  } else if (value.is_object())
    e = check_object(node, value.get_object(), path);
  for (size_t i = 0; !e && i < node.all_of.size(); ++i)
    e = check(*node.all_of[i], value, path);
  if (!e && !node.any_of.empty())
    e = check_alternatives(node.any_of, value, path, "anyOf");
  if (!e && !node.one_of.empty())
    e = check_alternatives(node.one_of, value, path, "oneOf");
  if (!e && node.not_schema && !check(*node.not_schema, value, path))
    e = fail(path, "must not match the 'not' schema");
  return e;
}

}  // namespace

json_schema::json_schema(std::shared_ptr<const detail::schema_tree> tree)
  : tree_(std::move(tree)) {
}

json_schema json_schema::parse(std::string_view schema_text) {
  auto tree = std::make_shared<detail::schema_tree>();
  std::error_code ec;
  tree->document = json::parse(schema_text, ec);
  if (ec)
    throw std::invalid_argument("schema: not JSON: " + ec.message());
  tree->root = compiler{*tree}.compile(tree->document, "#");
  std::map<const schema_node*, bool> open;
  for (const auto& node : tree->nodes)
    refuse_ref_loops(node, open);
  return json_schema{std::move(tree)};
}

std::optional<std::string> json_schema::validate(
  const json::value& instance, std::string_view where) const {
  return check(*tree_->root, instance, std::string{where});
}

}  // namespace hat::config
