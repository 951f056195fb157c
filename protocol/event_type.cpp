#include "protocol/event_type.hpp"

#include <cstddef>
#include <functional>

namespace hat {

bool matches_query_type(const event_type& type, const event_type& query_type) {
  std::size_t i = 0;
  for (const auto& segment : query_type) {
    // "*" swallows whatever is left, including nothing.
    if (segment == "*")
      return true;
    if (i == type.size())
      return false;
    if (segment != "?" && segment != type[i])
      return false;
    ++i;
  }
  return i == type.size();
}

std::optional<std::string> invalid_event_type_reason(const event_type& type) {
  for (const auto& segment : type)
    if (segment == "?" || segment == "*")
      return "event type '" + event_type_to_string(type) +
             "' contains the reserved segment '" + segment + "'";
  return std::nullopt;
}

std::optional<std::string> invalid_query_type_reason(
  const event_type& query_type) {
  for (std::size_t i = 0; i + 1 < query_type.size(); ++i)
    if (query_type[i] == "*")
      return "query type '" + event_type_to_string(query_type) +
             "' has '*' before its last segment";
  return std::nullopt;
}

std::string event_type_to_string(const event_type& type) {
  std::string result;
  for (std::size_t i = 0; i < type.size(); ++i) {
    if (i > 0)
      result += '/';
    result += type[i];
  }
  return result;
}

}  // namespace hat

namespace hat {

event_type event_type_from_string(std::string_view text) {
  event_type type;
  if (text.empty())
    return type;
  std::size_t start = 0;
  while (true) {
    auto slash = text.find('/', start);
    type.emplace_back(text.substr(start, slash - start));
    if (slash == std::string_view::npos)
      return type;
    start = slash + 1;
  }
}

std::size_t event_type_hash::operator()(const event_type& type) const noexcept {
  std::size_t seed = type.size();
  for (const auto& segment : type)
    seed ^= std::hash<std::string>{}(segment) + 0x9e3779b97f4a7c15ULL +
            (seed << 6) + (seed >> 2);
  return seed;
}

}  // namespace hat
