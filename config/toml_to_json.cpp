#include "config/toml_to_json.hpp"

// toml++ compiled into this file: Debian's pkg-config flags would link
// libtomlplusplus.so instead, a runtime dependency for one payload format.
#define TOML_HEADER_ONLY 1
#define TOML_SHARED_LIB 0
#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "config/server_config.hpp"

namespace hat::config {
namespace {

namespace json = boost::json;

// Arrays and inline tables deeper than 256 are a syntax error in toml++
// (TOML_MAX_NESTED_VALUES), but dotted keys and table headers nest without
// bound (`k.k.k...k = 1`): the recursion below must end. As deep as
// yaml_to_json allows.
constexpr size_t max_depth = 256;

/// The line of the first dotted key (or table header) of more than
/// max_depth parts, if any. toml++ builds one table per part and then
/// recurses through them once per part: 200,000 parts overflow the stack
/// while it parses, before converter could refuse them. A rough scan, not
/// a parser: it counts the dots of runs of parts (bare words or one-line
/// quoted strings, spaces allowed between), skipping comments and
/// multi-line strings; a float has one dot, so nothing valid but such a
/// key comes near the bound.
std::optional<size_t> line_of_deep_key(std::string_view text) {
  size_t line = 1;
  size_t dots = 0;
  bool after_part = false;
  auto skip_to = [&](size_t& i, std::string_view end, bool escapes,
                     bool one_line) {
    for (; i < text.size(); ++i) {
      if (escapes && text[i] == '\\') {
        ++i;
        continue;
      }
      if (one_line && text[i] == '\n')
        return;
      if (text.substr(i, end.size()) == end) {
        i += end.size() - 1;
        return;
      }
    }
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    std::string_view rest = text.substr(i);
    if (c == ' ' || c == '\t')
      continue;
    if (c == '.') {
      if (after_part && ++dots >= max_depth)
        return line;
      after_part = false;
      continue;
    }
    bool part = true;
    auto start = i;
    if (rest.starts_with("\"\"\"") || rest.starts_with("'''")) {
      i += 3;
      skip_to(i, rest.substr(0, 3), c == '"', false);
      part = false;
    } else if (c == '"' || c == '\'') {
      ++i;
      skip_to(i, rest.substr(0, 1), c == '"', true);
    } else if (c == '#') {
      skip_to(i, "\n", false, true);
      part = false;
    } else if (std::string_view{"=,[]{}\r\n"}.find(c) !=
               std::string_view::npos) {
      part = false;
    }
    line += static_cast<size_t>(
      std::count(text.begin() + static_cast<ptrdiff_t>(start),
                 text.begin() + static_cast<ptrdiff_t>(
                                  std::min(i + 1, text.size())),
                 '\n'));
    if (!part)
      dots = 0;
    after_part = part;
  }
  return std::nullopt;
}

std::string line_of(const toml::node& node) {
  return " (line " + std::to_string(node.source().begin.line) + ")";
}

/// One value to JSON. `path` holds the keys ("a") and indexes ("[0]") down
/// to it, joined only when an error names it.
class converter {
public:
  json::value convert(const toml::node& node);
  json::object convert_table(const toml::table& table);

private:
  [[noreturn]] void refuse(const toml::node& node,
                           const std::string& problem) const {
    std::string joined;
    for (const auto& step : path_) {
      if (!joined.empty() && step.front() != '[')
        joined += '.';
      joined += step;
    }
    throw config_error(joined, problem + line_of(node));
  }

  /// Converts `node` one level down, at `step`.
  json::value child(const toml::node& node, std::string step) {
    if (path_.size() >= max_depth)
      throw config_error("", "tables and arrays nested deeper than " +
                               std::to_string(max_depth) + line_of(node));
    path_.push_back(std::move(step));
    auto value = convert(node);
    path_.pop_back();
    return value;
  }

  std::vector<std::string> path_;
};

/// Members in the order their keys first appear in the text, as a Python
/// dict built by tomllib has them; toml::table is sorted by name.
json::object converter::convert_table(const toml::table& table) {
  std::vector<std::pair<const toml::key*, const toml::node*>> members;
  for (auto&& [key, node] : table)
    members.emplace_back(&key, &node);
  std::stable_sort(members.begin(), members.end(),
                   [](const auto& a, const auto& b) {
                     const auto& x = a.first->source().begin;
                     const auto& y = b.first->source().begin;
                     return std::pair{x.line, x.column} <
                            std::pair{y.line, y.column};
                   });
  json::object object;
  object.reserve(members.size());
  for (const auto& [key, node] : members)
    object.emplace(key->str(), child(*node, std::string{key->str()}));
  return object;
}

json::value converter::convert(const toml::node& node) {
  switch (node.type()) {
  case toml::node_type::table:
    return convert_table(*node.as_table());
  case toml::node_type::array: {
    json::array array;
    const auto& items = *node.as_array();
    array.reserve(items.size());
    for (size_t i = 0; i < items.size(); ++i) {
      // Appended, not "[" + ...: GCC 12 warns falsely (-Wrestrict) there.
      std::string step{"["};
      step += std::to_string(i);
      step += ']';
      array.push_back(child(items[i], std::move(step)));
    }
    return array;
  }
  case toml::node_type::string:
    return json::string{node.as_string()->get()};
  case toml::node_type::integer:
    return node.as_integer()->get();
  case toml::node_type::floating_point: {
    double value = node.as_floating_point()->get();
    if (!std::isfinite(value))
      refuse(node,
             "nan and inf have no JSON form (the reference would send NaN)");
    return value;
  }
  case toml::node_type::boolean:
    return node.as_boolean()->get();
  case toml::node_type::date:
  case toml::node_type::time:
  case toml::node_type::date_time:
    refuse(node, "a TOML date or time has no JSON form (the reference fails "
                 "to encode it)");
  case toml::node_type::none:
    break;
  }
  refuse(node, "a TOML value of no known type");
}

}  // namespace

json::value toml_to_json(std::string_view text) {
  if (auto line = line_of_deep_key(text))
    throw config_error("", "a dotted key or table header of more than " +
                             std::to_string(max_depth) + " parts (line " +
                             std::to_string(*line) + ")");
  toml::table document;
  try {
    document = toml::parse(text);
  } catch (const toml::parse_error& error) {
    const auto& at = error.source().begin;
    throw config_error("", "line " + std::to_string(at.line) + ", column " +
                             std::to_string(at.column) +
                             ": TOML syntax error: " +
                             std::string{error.description()});
  }
  return converter{}.convert_table(document);
}

}  // namespace hat::config
