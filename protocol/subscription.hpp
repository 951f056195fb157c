#pragma once

/// A set of event types described by query types, stored as a trie over
/// segments so that `matches` costs O(segments of the event type), whatever
/// the number of query types.

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "protocol/event.hpp"

namespace hat {

class subscription {
public:
  /// Empty subscription: matches nothing.
  subscription();

  /// Throws std::invalid_argument for a query type with "*" before its last
  /// segment (validate user input with invalid_query_type_reason first).
  explicit subscription(const std::vector<event_type>& query_types);

  subscription(const subscription& other);
  subscription& operator=(const subscription& other);
  subscription(subscription&&) noexcept;
  subscription& operator=(subscription&&) noexcept;
  ~subscription();

  /// Does `type` belong to the set?
  bool matches(const event_type& type) const;

  /// Sanitised query types describing the same set (redundant ones removed,
  /// e.g. {a, *} absorbs {a, b}); order unspecified.
  std::vector<event_type> query_types() const;

  /// Types in this or `other`.
  subscription union_with(const subscription& other) const;

  /// Types in both this and `other`.
  subscription intersection_with(const subscription& other) const;

  /// True when no event type belongs to both.
  bool isdisjoint(const subscription& other) const;

  /// One trie level. Wildcard children are kept apart from literal ones so
  /// matching never looks them up by name.
  struct node;

private:
  explicit subscription(std::unique_ptr<node> root);

  std::unique_ptr<node> root_;
};

}  // namespace hat
