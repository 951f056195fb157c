#include "config/yaml_to_json.hpp"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <array>
#include <charconv>
#include <cstdint>
#include <limits>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "config/server_config.hpp"

namespace hat::config {
namespace {

namespace json = boost::json;

// yaml-cpp turns a self-referencing alias (`&a [*a]`) into a cycle, and
// aliases can multiply a small file into a huge tree: both must end.
constexpr int max_depth = 256;
constexpr size_t max_nodes = 1'000'000;

constexpr std::string_view core_tag_prefix = "tag:yaml.org,2002:";

// libstdc++'s regex recurses once per character matched, so a huge digit
// run would overflow the stack. No 64-bit number is written this long;
// longer plain text stays a string.
constexpr size_t max_number_length = 1024;

/// A scalar that its (implicit or explicit) type cannot be built from.
struct bad_scalar {
  std::string problem;
};

// PyYAML's implicit resolvers for int and float (resolver.py); regex_match
// anchors them as PyYAML's ^...$ does.
const std::regex& int_pattern() {
  static const std::regex pattern("[-+]?0b[0-1_]+"
                                  "|[-+]?0[0-7_]+"
                                  "|[-+]?(?:0|[1-9][0-9_]*)"
                                  "|[-+]?0x[0-9a-fA-F_]+"
                                  "|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+");
  return pattern;
}

const std::regex& float_pattern() {
  static const std::regex pattern(
    "[-+]?[0-9][0-9_]*\\.[0-9_]*(?:[eE][-+][0-9]+)?"
    "|\\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?"
    "|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\\.[0-9_]*"
    "|[-+]?\\.(?:inf|Inf|INF)"
    "|\\.(?:nan|NaN|NAN)");
  return pattern;
}

bool is_null_word(std::string_view text) {
  return text.empty() || text == "~" || text == "null" || text == "Null" ||
         text == "NULL";
}

/// Plain booleans: only the lower, Title and UPPER spellings resolve.
std::optional<bool> implicit_bool(std::string_view text) {
  static constexpr std::array<std::string_view, 9> yes{
    "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"};
  static constexpr std::array<std::string_view, 9> no{
    "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"};
  for (size_t i = 0; i < yes.size(); ++i) {
    if (text == yes[i])
      return true;
    if (text == no[i])
      return false;
  }
  return std::nullopt;
}

std::string lower(std::string_view text) {
  std::string result{text};
  for (char& c : result)
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
  return result;
}

/// `!!bool`: PyYAML lowercases first, so any spelling of the six words.
bool explicit_bool(std::string_view text) {
  if (auto value = implicit_bool(lower(text)))
    return *value;
  throw bad_scalar{"invalid boolean '" + std::string{text} + "'"};
}

/// The text without `_` and without its sign, as PyYAML's constructors
/// see it.
struct unsigned_text {
  bool negative = false;
  std::string digits;
};

unsigned_text strip_sign(std::string_view text) {
  unsigned_text result;
  for (char c : text)
    if (c != '_')
      result.digits += c;
  if (!result.digits.empty() &&
      (result.digits[0] == '-' || result.digits[0] == '+')) {
    result.negative = result.digits[0] == '-';
    result.digits.erase(0, 1);
  }
  return result;
}

bad_scalar invalid_integer(std::string_view text) {
  return bad_scalar{"invalid integer '" + std::string{text} + "'"};
}

bad_scalar too_wide(std::string_view text) {
  return bad_scalar{"integer '" + std::string{text} +
                    "' does not fit in 64 bits"};
}

unsigned digit_value(char c) {
  if (c >= '0' && c <= '9')
    return static_cast<unsigned>(c - '0');
  if (c >= 'a' && c <= 'f')
    return static_cast<unsigned>(c - 'a' + 10);
  if (c >= 'A' && c <= 'F')
    return static_cast<unsigned>(c - 'A' + 10);
  return 99;
}

/// acc * base + digit, refusing to wrap.
void multiply_add(uint64_t& acc, uint64_t base, uint64_t digit,
                  std::string_view text) {
  constexpr uint64_t max = std::numeric_limits<uint64_t>::max();
  if (acc > (max - digit) / base)
    throw too_wide(text);
  acc = acc * base + digit;
}

uint64_t magnitude_in_base(std::string_view digits, unsigned base,
                           std::string_view text) {
  if (digits.empty())
    throw invalid_integer(text);
  uint64_t value = 0;
  for (char c : digits) {
    unsigned digit = digit_value(c);
    if (digit >= base)
      throw invalid_integer(text);
    multiply_add(value, base, digit, text);
  }
  return value;
}

/// "1:30:05": base 60 with decimal parts.
uint64_t sexagesimal_magnitude(std::string_view digits,
                               std::string_view text) {
  uint64_t value = 0;
  size_t start = 0;
  while (true) {
    size_t end = digits.find(':', start);
    auto part = digits.substr(start, end - start);
    multiply_add(value, 60, magnitude_in_base(part, 10, text), text);
    if (end == std::string_view::npos)
      return value;
    start = end + 1;
  }
}

/// Boost.JSON's own convention: int64 when it fits, else uint64.
json::value signed_integer(bool negative, uint64_t magnitude,
                           std::string_view text) {
  constexpr auto int64_max =
    static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  if (!negative)
    return magnitude <= int64_max ? json::value(static_cast<int64_t>(magnitude))
                                  : json::value(magnitude);
  if (magnitude == 0)
    return json::value(int64_t{0});
  if (magnitude - 1 > int64_max)
    throw too_wide(text);
  // -(m - 1) - 1 stays in range even for INT64_MIN.
  return json::value(-static_cast<int64_t>(magnitude - 1) - 1);
}

/// PyYAML's construct_yaml_int: the prefix picks the base.
json::value make_integer(std::string_view text) {
  auto [negative, digits] = strip_sign(text);
  std::string_view rest{digits};
  uint64_t magnitude = 0;
  if (rest.starts_with("0b"))
    magnitude = magnitude_in_base(rest.substr(2), 2, text);
  else if (rest.starts_with("0x"))
    magnitude = magnitude_in_base(rest.substr(2), 16, text);
  else if (rest.starts_with("0"))
    magnitude = magnitude_in_base(rest, 8, text);
  else if (rest.find(':') != std::string_view::npos)
    magnitude = sexagesimal_magnitude(rest, text);
  else
    magnitude = magnitude_in_base(rest, 10, text);
  return signed_integer(negative, magnitude, text);
}

double parse_double(std::string_view digits, std::string_view text) {
  double value = 0;
  auto [end, error] =
    std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (digits.empty() || error != std::errc{} ||
      end != digits.data() + digits.size())
    throw bad_scalar{"invalid number '" + std::string{text} + "'"};
  return value;
}

/// PyYAML's construct_yaml_float, base 60 and .inf/.nan included.
double make_float(std::string_view text) {
  auto [negative, digits] = strip_sign(lower(text));
  double sign = negative ? -1.0 : 1.0;
  if (digits == ".inf")
    return sign * std::numeric_limits<double>::infinity();
  if (digits == ".nan")
    return std::numeric_limits<double>::quiet_NaN();
  // Horner over the ':'-separated parts; one part is a plain float.
  std::string_view rest{digits};
  double value = 0;
  while (true) {
    size_t colon = rest.find(':');
    value = value * 60 + parse_double(rest.substr(0, colon), text);
    if (colon == std::string_view::npos)
      return sign * value;
    rest.remove_prefix(colon + 1);
  }
}

json::value plain_scalar(const std::string& text) {
  if (is_null_word(text))
    return nullptr;
  if (auto value = implicit_bool(text))
    return *value;
  if (text.size() > max_number_length)
    return json::string(text);
  if (std::regex_match(text, int_pattern()))
    return make_integer(text);
  if (std::regex_match(text, float_pattern()))
    return make_float(text);
  return json::string(text);
}

/// "tag:yaml.org,2002:int" is shown as the "!!int" the file spelled.
std::string tag_text(std::string_view tag) {
  if (tag.starts_with(core_tag_prefix))
    return "!!" + std::string{tag.substr(core_tag_prefix.size())};
  return std::string{tag};
}

/// The core type named by an explicit tag, or "" for any other tag.
std::string_view core_type(std::string_view tag) {
  return tag.starts_with(core_tag_prefix) ? tag.substr(core_tag_prefix.size())
                                          : std::string_view{};
}

json::value tagged_scalar(std::string_view tag, const std::string& text) {
  if (tag == "!")  // quoted or block scalar
    return json::string(text);
  auto type = core_type(tag);
  if (type == "str")
    return json::string(text);
  if (type == "null")
    return nullptr;
  if (type == "bool")
    return explicit_bool(text);
  if (type == "int")
    return make_integer(text);
  if (type == "float")
    return make_float(text);
  throw bad_scalar{"unsupported YAML tag '" + tag_text(tag) + "'"};
}

std::string child_path(const std::string& parent, std::string_view key) {
  return parent.empty() ? std::string{key} : parent + "." + std::string{key};
}

std::string index_path(const std::string& parent, size_t index) {
  return parent + "[" + std::to_string(index) + "]";
}

std::string line_of(const YAML::Mark& mark) {
  return mark.is_null() ? "" : " (line " + std::to_string(mark.line + 1) + ")";
}

/// A plain `<<` key; a quoted "<<" is an ordinary key.
bool is_merge_key(const YAML::Node& key) {
  return key.IsScalar() && key.Tag() == "?" && key.Scalar() == "<<";
}

/// One document's node tree to JSON, counting nodes and depth as it goes.
class converter {
public:
  json::value convert(const YAML::Node& node, const std::string& path,
                      int depth);

private:
  [[noreturn]] void fail(const std::string& path, const YAML::Node& node,
                         const std::string& problem) const {
    throw config_error(path, problem + line_of(node.Mark()));
  }
  void check_collection_tag(const YAML::Node& node, std::string_view type,
                            const std::string& path) const;
  json::value scalar(const YAML::Node& node, const std::string& path) const;
  json::array sequence(const YAML::Node& node, const std::string& path,
                       int depth);
  json::object mapping(const YAML::Node& node, const std::string& path,
                       int depth);
  void merge(json::object& into, const YAML::Node& source,
             const std::string& path, int depth);
  std::string key_text(const YAML::Node& key, const std::string& path) const;

  size_t nodes_ = 0;
};

json::value converter::convert(const YAML::Node& node,
                               const std::string& path, int depth) {
  if (depth > max_depth)
    fail(path, node,
         "nested deeper than " + std::to_string(max_depth) +
           " levels (a recursive alias?)");
  if (++nodes_ > max_nodes)
    fail(path, node,
         "more than " + std::to_string(max_nodes) +
           " values after alias expansion");
  switch (node.Type()) {
  case YAML::NodeType::Scalar:
    return scalar(node, path);
  case YAML::NodeType::Sequence:
    return sequence(node, path, depth);
  case YAML::NodeType::Map:
    return mapping(node, path, depth);
  default:  // Null, and Undefined which a parsed tree does not contain
    return nullptr;
  }
}

void converter::check_collection_tag(const YAML::Node& node,
                                     std::string_view type,
                                     const std::string& path) const {
  const auto& tag = node.Tag();
  if (tag != "?" && tag != "!" && core_type(tag) != type)
    fail(path, node, "unsupported YAML tag '" + tag_text(tag) + "'");
}

json::value converter::scalar(const YAML::Node& node,
                              const std::string& path) const {
  try {
    if (node.Tag() == "?")
      return plain_scalar(node.Scalar());
    return tagged_scalar(node.Tag(), node.Scalar());
  } catch (const bad_scalar& error) {
    fail(path, node, error.problem);
  }
}

json::array converter::sequence(const YAML::Node& node,
                                const std::string& path, int depth) {
  check_collection_tag(node, "seq", path);
  json::array result;
  result.reserve(node.size());
  for (const auto& item : node)
    result.push_back(convert(item, index_path(path, result.size()), depth + 1));
  return result;
}

json::object converter::mapping(const YAML::Node& node,
                                const std::string& path, int depth) {
  check_collection_tag(node, "map", path);
  json::object result;
  // Merged entries go in first so that the mapping's own keys override
  // them wherever they appear, as PyYAML's flatten_mapping arranges.
  for (const auto& entry : node)
    if (is_merge_key(entry.first))
      merge(result, entry.second, path, depth);
  for (const auto& entry : node) {
    if (is_merge_key(entry.first))
      continue;
    auto key = key_text(entry.first, path);
    // Duplicate keys: the last one wins, as in PyYAML.
    result.insert_or_assign(
      key, convert(entry.second, child_path(path, key), depth + 1));
  }
  return result;
}

void converter::merge(json::object& into, const YAML::Node& source,
                      const std::string& path, int depth) {
  if (source.IsMap()) {
    for (auto& [key, value] : mapping(source, path, depth + 1))
      into.insert_or_assign(key, std::move(value));
    return;
  }
  if (!source.IsSequence())
    fail(child_path(path, "<<"), source,
         "expected a mapping or a list of mappings to merge");
  // In a list the first mapping wins, so apply them last to first.
  std::vector<YAML::Node> sources(source.begin(), source.end());
  for (auto it = sources.rbegin(); it != sources.rend(); ++it) {
    if (!it->IsMap())
      fail(child_path(path, "<<"), *it,
           "expected a mapping or a list of mappings to merge");
    merge(into, *it, path, depth + 1);
  }
}

std::string converter::key_text(const YAML::Node& key,
                                const std::string& path) const {
  if (!key.IsScalar())
    fail(path, key, "mapping keys must be scalars");
  return key.Scalar();
}

std::string position_of(const YAML::Mark& mark) {
  if (mark.is_null())
    return "";
  return "line " + std::to_string(mark.line + 1) + ", column " +
         std::to_string(mark.column + 1) + ": ";
}

/// Counts the documents of a stream. yaml-cpp 0.7 does not consume a
/// token that cannot start a node (a ',' outside any collection): its
/// parser then starts a new, empty document at the same place for ever, and
/// LoadAll collects them until memory runs out. A document that starts
/// where the previous one started is that token: a syntax error.
class document_counter : public YAML::EventHandler {
public:
  explicit document_counter(std::string_view text) : text_(text) {
  }
  size_t count() const {
    return count_;
  }
  void OnDocumentStart(const YAML::Mark& mark) override {
    if (count_ > 0 && mark.pos == last_start_) {
      auto at = static_cast<size_t>(mark.pos);
      std::string token = at < text_.size() ? std::string{text_[at]} : "";
      throw config_error("", position_of(mark) +
                               "YAML syntax error: unexpected '" + token +
                               "'");
    }
    last_start_ = mark.pos;
    ++count_;
  }
  void OnDocumentEnd() override {
  }
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {
  }
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {
  }
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {
  }
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
  }
  void OnSequenceEnd() override {
  }
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
  }
  void OnMapEnd() override {
  }

private:
  std::string_view text_;
  size_t count_ = 0;
  int last_start_ = -1;
};

}  // namespace

json::value yaml_to_json(std::string_view text) {
  // Count first (a syntax error or more than one document ends here), then
  // build the one document: what LoadAll would do, without its endless loop.
  YAML::Node document;
  try {
    std::istringstream counted{std::string{text}};
    YAML::Parser parser{counted};
    document_counter counter{text};
    while (parser.HandleNextDocument(counter)) {
    }
    if (counter.count() == 0)
      return nullptr;
    if (counter.count() > 1)
      throw config_error("", "expected one YAML document, found " +
                               std::to_string(counter.count()));
    document = YAML::Load(std::string{text});
  } catch (const YAML::Exception& error) {
    throw config_error("",
                       position_of(error.mark) + "YAML syntax error: " +
                         error.msg);
  }
  return converter{}.convert(document, "", 0);
}

}  // namespace hat::config
