#include "protocol/subscription.hpp"

#include <cstddef>
#include <functional>
#include <stdexcept>
#include <utility>

#include "protocol/event_type.hpp"

namespace hat {

struct subscription::node {
  /// Lets literal children be found by std::string_view without building a
  /// std::string.
  struct segment_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view segment) const noexcept {
      return std::hash<std::string_view>{}(segment);
    }
  };

  using child_map = std::unordered_map<std::string, std::unique_ptr<node>,
                                       segment_hash, std::equal_to<>>;

  /// A query type ends exactly here.
  bool is_leaf = false;
  /// A "*" child. It matches everything below, so while it is set no other
  /// children are kept and new query types below are ignored.
  bool has_star = false;
  /// The "?" child.
  std::unique_ptr<node> any;
  /// Children for literal segments.
  child_map literals;

  /// Does the event type that ends at this node match?
  bool ends_here() const { return is_leaf || has_star; }

  bool has_children() const { return has_star || any || !literals.empty(); }

  /// Matches nothing. Only a root may be empty: the set operations prune
  /// empty children, which isdisjoint relies on.
  bool empty() const { return !is_leaf && !has_children(); }

  void set_star() {
    any.reset();
    literals.clear();
    has_star = true;
  }
};

namespace {

using node = subscription::node;

const node& deref(const std::unique_ptr<node>& root) {
  // Only a moved-from subscription has no root; treat it as empty.
  static const node empty_node;
  return root ? *root : empty_node;
}

std::unique_ptr<node> clone(const node& n) {
  auto result = std::make_unique<node>();
  result->is_leaf = n.is_leaf;
  result->has_star = n.has_star;
  if (n.any)
    result->any = clone(*n.any);
  result->literals.reserve(n.literals.size());
  for (const auto& [segment, child] : n.literals)
    result->literals.emplace(segment, clone(*child));
  return result;
}

void add(node& root, const event_type& query_type) {
  node* n = &root;
  for (const auto& segment : query_type) {
    if (n->has_star)
      return;
    if (segment == "*") {
      n->set_star();
      return;
    }
    auto& child =
      segment == "?" ? n->any : n->literals.try_emplace(segment).first->second;
    if (!child)
      child = std::make_unique<node>();
    n = child.get();
  }
  if (!n->has_star)
    n->is_leaf = true;
}

bool matches_from(const node& n, const event_type& type, std::size_t i) {
  if (n.has_star)
    return true;
  if (i == type.size())
    return n.is_leaf;
  auto it = n.literals.find(std::string_view{type[i]});
  if (it != n.literals.end() && matches_from(*it->second, type, i + 1))
    return true;
  return n.any && matches_from(*n.any, type, i + 1);
}

void collect(const node& n, event_type& path, std::vector<event_type>& out) {
  if (n.has_star) {
    path.emplace_back("*");
    out.push_back(path);
    path.pop_back();
    return;
  }
  if (n.is_leaf)
    out.push_back(path);
  if (n.any) {
    path.emplace_back("?");
    collect(*n.any, path, out);
    path.pop_back();
  }
  for (const auto& [segment, child] : n.literals) {
    path.push_back(segment);
    collect(*child, path, out);
    path.pop_back();
  }
}

void merge_into(node& dst, const node& src);

/// Adds the types of `src` (possibly none) to the child slot `dst`.
void merge_child(std::unique_ptr<node>& dst, const node* src) {
  if (!src)
    return;
  if (!dst)
    dst = clone(*src);
  else
    merge_into(*dst, *src);
}

/// Like merge_child, for a subtree nobody else owns.
void absorb(std::unique_ptr<node>& dst, std::unique_ptr<node> src) {
  if (!src)
    return;
  if (!dst)
    dst = std::move(src);
  else
    merge_into(*dst, *src);
}

void merge_into(node& dst, const node& src) {
  dst.is_leaf = dst.is_leaf || src.is_leaf;
  if (dst.has_star)
    return;
  if (src.has_star) {
    dst.set_star();
    return;
  }
  merge_child(dst.any, src.any.get());
  for (const auto& [segment, child] : src.literals)
    merge_child(dst.literals.try_emplace(segment).first->second, child.get());
}

/// The intersection of two subtrees, or null when it matches nothing.
std::unique_ptr<node> intersect(const node& a, const node& b) {
  auto result = std::make_unique<node>();
  // A "*" child also matches the type ending here, hence ends_here.
  result->is_leaf = a.ends_here() && b.ends_here();
  if (a.has_star || b.has_star) {
    const node& other = a.has_star ? b : a;
    auto copy = clone(other);
    result->has_star = copy->has_star;
    result->any = std::move(copy->any);
    result->literals = std::move(copy->literals);
  } else {
    // (x | ?) & (y | ?) for every segment: literal & literal of the same
    // name, literal & "?" under the literal's name, "?" & "?" under "?".
    if (a.any && b.any)
      result->any = intersect(*a.any, *b.any);
    for (const auto& [segment, child] : a.literals) {
      std::unique_ptr<node> slot;
      if (auto it = b.literals.find(segment); it != b.literals.end())
        slot = intersect(*child, *it->second);
      if (b.any)
        absorb(slot, intersect(*child, *b.any));
      if (slot)
        result->literals.emplace(segment, std::move(slot));
    }
    if (a.any) {
      for (const auto& [segment, child] : b.literals) {
        auto sub = intersect(*a.any, *child);
        if (sub)
          absorb(result->literals.try_emplace(segment).first->second,
                 std::move(sub));
      }
    }
  }
  if (result->empty())
    return nullptr;
  return result;
}

bool disjoint(const node& a, const node& b) {
  if (a.ends_here() && b.ends_here())
    return false;
  // Children are never empty, so any child of the other side overlaps "*".
  if ((a.has_star && b.has_children()) || (b.has_star && a.has_children()))
    return false;
  if (a.any) {
    if (b.any && !disjoint(*a.any, *b.any))
      return false;
    for (const auto& [segment, child] : b.literals)
      if (!disjoint(*a.any, *child))
        return false;
  }
  if (b.any)
    for (const auto& [segment, child] : a.literals)
      if (!disjoint(*child, *b.any))
        return false;
  for (const auto& [segment, child] : a.literals) {
    auto it = b.literals.find(segment);
    if (it != b.literals.end() && !disjoint(*child, *it->second))
      return false;
  }
  return true;
}

}  // namespace

subscription::subscription() : root_(std::make_unique<node>()) {}

subscription::subscription(const std::vector<event_type>& query_types)
    : subscription() {
  for (const auto& query_type : query_types)
    if (auto reason = invalid_query_type_reason(query_type))
      throw std::invalid_argument(*reason);
  for (const auto& query_type : query_types)
    add(*root_, query_type);
}

subscription::subscription(std::unique_ptr<node> root)
    : root_(root ? std::move(root) : std::make_unique<node>()) {}

subscription::subscription(const subscription& other)
    : root_(clone(deref(other.root_))) {}

subscription& subscription::operator=(const subscription& other) {
  if (this != &other)
    root_ = clone(deref(other.root_));
  return *this;
}

subscription::subscription(subscription&&) noexcept = default;
subscription& subscription::operator=(subscription&&) noexcept = default;
subscription::~subscription() = default;

bool subscription::matches(const event_type& type) const {
  return matches_from(deref(root_), type, 0);
}

std::vector<event_type> subscription::query_types() const {
  std::vector<event_type> result;
  event_type path;
  collect(deref(root_), path, result);
  return result;
}

subscription subscription::union_with(const subscription& other) const {
  auto root = clone(deref(root_));
  merge_into(*root, deref(other.root_));
  return subscription(std::move(root));
}

subscription subscription::intersection_with(const subscription& other) const {
  return subscription(intersect(deref(root_), deref(other.root_)));
}

bool subscription::isdisjoint(const subscription& other) const {
  return disjoint(deref(root_), deref(other.root_));
}

}  // namespace hat
