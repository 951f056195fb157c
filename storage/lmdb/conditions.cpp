#include "storage/lmdb/conditions.hpp"

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <variant>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "protocol/json_validation.hpp"

namespace hat::storage::lmdb {
namespace {

namespace json = boost::json;

enum class data_type { null, boolean, string, number, array, object };

/// One step of hat.json.get: an object key or an array index.
using path_element = std::variant<std::string, int64_t>;

[[noreturn]] void invalid(const std::string& what) {
  throw std::invalid_argument("lmdb conditions: " + what);
}

const json::value& member(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end())
    invalid("missing '" + std::string(key) + "'");
  return it->value();
}

/// hat.json.flatten of a path: nested arrays are spliced in order.
void flatten_path(const json::value& v, std::vector<path_element>& out) {
  if (v.is_string()) {
    out.emplace_back(std::string(v.get_string()));
  } else if (v.is_int64()) {
    out.emplace_back(v.get_int64());
  } else if (v.is_uint64()) {
    // An index past int64 is past every array's end anyway.
    out.emplace_back(INT64_MAX);
  } else if (v.is_array()) {
    for (const auto& item : v.get_array())
      flatten_path(item, out);
  } else {
    invalid("invalid data_path");
  }
}

/// hat.json.get: the value at `path`, or nullptr (None) when a key or
/// index is missing or the value is not a container of the right kind.
const json::value* get_path(const json::value& data,
                            const std::vector<path_element>& path) {
  const json::value* v = &data;
  for (const auto& step : path) {
    if (const auto* key = std::get_if<std::string>(&step)) {
      const auto* o = v->if_object();
      if (!o)
        return nullptr;
      auto it = o->find(*key);
      if (it == o->end())
        return nullptr;
      v = &it->value();
    } else {
      const auto* a = v->if_array();
      if (!a)
        return nullptr;
      // Python lists take negative indices from the end.
      int64_t i = std::get<int64_t>(step);
      int64_t size = static_cast<int64_t>(a->size());
      if (i < 0)
        i += size;
      if (i < 0 || i >= size)
        return nullptr;
      v = &(*a)[static_cast<std::size_t>(i)];
    }
  }
  return v;
}

/// A JSON number (or bool, which Python treats as the int 0 / 1).
using number = std::variant<int64_t, uint64_t, double>;

std::optional<number> as_number(const json::value& v) {
  switch (v.kind()) {
    case json::kind::bool_:
      return number{int64_t{v.get_bool() ? 1 : 0}};
    case json::kind::int64:
      return number{v.get_int64()};
    case json::kind::uint64:
      return number{v.get_uint64()};
    case json::kind::double_:
      return number{v.get_double()};
    default:
      return std::nullopt;
  }
}

/// Python's exact int / float comparison (no rounding of the int).
bool int_equals_double(int64_t i, double d) {
  if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0))
    return false;
  return static_cast<double>(static_cast<int64_t>(d)) == d &&
         static_cast<int64_t>(d) == i;
}

bool uint_equals_double(uint64_t u, double d) {
  if (!(d >= 0 && d < 18446744073709551616.0))
    return false;
  return static_cast<double>(static_cast<uint64_t>(d)) == d &&
         static_cast<uint64_t>(d) == u;
}

bool numbers_equal(const number& a, const number& b) {
  return std::visit(
    [](auto x, auto y) -> bool {
      using X = decltype(x);
      using Y = decltype(y);
      if constexpr (std::is_same_v<X, Y>)
        return x == y;
      else if constexpr (std::is_same_v<X, int64_t> &&
                         std::is_same_v<Y, uint64_t>)
        return x >= 0 && static_cast<uint64_t>(x) == y;
      else if constexpr (std::is_same_v<X, uint64_t> &&
                         std::is_same_v<Y, int64_t>)
        return y >= 0 && static_cast<uint64_t>(y) == x;
      else if constexpr (std::is_same_v<X, int64_t>)
        return int_equals_double(x, y);
      else if constexpr (std::is_same_v<X, uint64_t>)
        return uint_equals_double(x, y);
      else if constexpr (std::is_same_v<Y, int64_t>)
        return int_equals_double(y, x);
      else
        return uint_equals_double(y, x);
    },
    a, b);
}

/// Python's `==` on decoded JSON: 1 == 1.0 == True, object members in
/// any order. (boost::json's own == keeps int and double apart.)
bool python_equal(const json::value& a, const json::value& b) {
  auto na = as_number(a);
  auto nb = as_number(b);
  if (na || nb)
    return na && nb && numbers_equal(*na, *nb);
  if (a.kind() != b.kind())
    return false;
  switch (a.kind()) {
    case json::kind::null:
      return true;
    case json::kind::string:
      return a.get_string() == b.get_string();
    case json::kind::array: {
      const auto& x = a.get_array();
      const auto& y = b.get_array();
      if (x.size() != y.size())
        return false;
      for (std::size_t i = 0; i < x.size(); ++i)
        if (!python_equal(x[i], y[i]))
          return false;
      return true;
    }
    case json::kind::object: {
      const auto& x = a.get_object();
      const auto& y = b.get_object();
      if (x.size() != y.size())
        return false;
      for (const auto& [key, value] : x) {
        auto it = y.find(key);
        if (it == y.end() || !python_equal(value, it->value()))
          return false;
      }
      return true;
    }
    default:
      return false;
  }
}

bool has_type(const json::value& v, data_type type) {
  switch (type) {
    case data_type::null:
      return v.is_null();
    case data_type::boolean:
      return v.is_bool();
    case data_type::string:
      return v.is_string();
    case data_type::number:
      return v.is_int64() || v.is_uint64() || v.is_double();
    case data_type::array:
      return v.is_array();
    case data_type::object:
      return v.is_object();
  }
  return false;
}

data_type parse_data_type(const json::value& v) {
  if (!v.is_string())
    invalid("data_type is not a string");
  std::string_view s = v.get_string();
  if (s == "null")
    return data_type::null;
  if (s == "boolean")
    return data_type::boolean;
  if (s == "string")
    return data_type::string;
  if (s == "number")
    return data_type::number;
  if (s == "array")
    return data_type::array;
  if (s == "object")
    return data_type::object;
  invalid("unsupported data_type '" + std::string(s) + "'");
}

/// The event's payload decoded once per matches() call, on first need.
struct payload_cache {
  const event& e;
  bool parsed = false;
  std::optional<json::value> data;

  /// The decoded JSON payload; nullptr when the payload is absent, binary
  /// or not valid JSON.
  const json::value* get() {
    if (!parsed) {
      parsed = true;
      if (e.payload)
        if (const auto* p = std::get_if<payload_json>(&*e.payload))
          data = parse_json_payload(p->text);
    }
    return data ? &*data : nullptr;
  }
};

}  // namespace

std::optional<json::value> parse_json_payload(std::string_view text) {
  json::parse_options options;
  options.max_depth = max_json_depth;
  std::error_code ec;
  auto v = json::parse(text, ec, {}, options);
  if (ec)
    return std::nullopt;
  return v;
}

struct conditions::condition {
  enum class kind { all, any, json };

  kind type = kind::all;
  std::vector<condition> children;
  std::vector<path_element> data_path;
  std::optional<data_type> type_check;
  std::optional<json::value> data_value;

  explicit condition(const json::value& conf) {
    const auto* o = conf.if_object();
    if (!o)
      invalid("condition is not an object");
    const auto& t = member(*o, "type");
    std::string_view name = t.is_string() ? std::string_view(t.get_string())
                                          : std::string_view();
    if (name == "all" || name == "any") {
      type = name == "all" ? kind::all : kind::any;
      const auto* list = member(*o, "conditions").if_array();
      if (!list)
        invalid("conditions is not an array");
      for (const auto& c : *list)
        children.emplace_back(c);
    } else if (name == "json") {
      type = kind::json;
      if (auto it = o->find("data_path"); it != o->end())
        flatten_path(it->value(), data_path);
      if (auto it = o->find("data_type"); it != o->end())
        type_check = parse_data_type(it->value());
      if (auto it = o->find("data_value"); it != o->end())
        data_value = it->value();
    } else {
      invalid("unsupported condition type");
    }
  }

  bool matches(payload_cache& payload) const {
    switch (type) {
      case kind::all:
        for (const auto& c : children)
          if (!c.matches(payload))
            return false;
        return true;
      case kind::any:
        for (const auto& c : children)
          if (c.matches(payload))
            return true;
        return false;
      case kind::json:
        break;
    }
    const auto* root = payload.get();
    if (!root)
      return false;
    static const json::value null_value;
    const auto* found = get_path(*root, data_path);
    const auto& data = found ? *found : null_value;
    if (type_check && !has_type(data, *type_check))
      return false;
    if (data_value && !python_equal(*data_value, data))
      return false;
    return true;
  }
};

conditions::conditions() = default;

conditions::conditions(const boost::json::array& conf) {
  for (const auto& item : conf) {
    const auto* o = item.if_object();
    if (!o)
      invalid("conditions item is not an object");
    const auto* types = member(*o, "subscriptions").if_array();
    if (!types)
      invalid("subscriptions is not an array");
    std::vector<event_type> query_types;
    for (const auto& type : *types) {
      const auto* segments = type.if_array();
      if (!segments)
        invalid("subscription is not an array");
      event_type t;
      for (const auto& segment : *segments) {
        if (!segment.is_string())
          invalid("subscription segment is not a string");
        t.emplace_back(segment.get_string());
      }
      query_types.push_back(std::move(t));
    }
    entries_.emplace_back(
      subscription(query_types),
      std::make_shared<const condition>(member(*o, "condition")));
  }
}

conditions::conditions(const conditions& other) = default;
conditions& conditions::operator=(const conditions& other) = default;
conditions::conditions(conditions&&) noexcept = default;
conditions& conditions::operator=(conditions&&) noexcept = default;
conditions::~conditions() = default;

bool conditions::matches(const event& e) const {
  payload_cache payload{e, false, std::nullopt};
  for (const auto& [sub, c] : entries_)
    if (sub.matches(e.type) && !c->matches(payload))
      return false;
  return true;
}

}  // namespace hat::storage::lmdb
