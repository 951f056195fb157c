#include "modules/builtin/output_loop.hpp"

#include "protocol/event_type.hpp"
#include "protocol/subscription.hpp"

namespace hat::modules::builtin {

std::vector<event_type> replaced_prefix_types(
  const std::vector<event_type>& inputs, const event_type& from,
  const event_type& to) {
  std::vector<event_type> outputs;
  for (const auto& query : inputs) {
    event_type rest;
    bool possible = true;
    std::size_t i = 0;
    for (; i < from.size(); ++i) {
      // A query type shorter than `from` only matches shorter types.
      if (i == query.size()) {
        possible = false;
        break;
      }
      // "*" matches `from`'s remaining segments followed by anything.
      if (query[i] == "*") {
        rest = {"*"};
        break;
      }
      if (query[i] != "?" && query[i] != from[i]) {
        possible = false;
        break;
      }
    }
    if (!possible)
      continue;
    if (i == from.size())
      rest.assign(query.begin() + static_cast<std::ptrdiff_t>(i),
                  query.end());
    auto output = to;
    output.insert(output.end(), rest.begin(), rest.end());
    outputs.push_back(std::move(output));
  }
  return outputs;
}

std::optional<std::string> shared_types(
  const std::vector<event_type>& outputs,
  const std::vector<event_type>& subscriptions) {
  auto shared =
    subscription(outputs).intersection_with(subscription(subscriptions));
  auto types = shared.query_types();
  if (types.empty())
    return std::nullopt;
  // A few examples say enough; the whole set can be long.
  constexpr std::size_t shown = 3;
  std::string text;
  for (std::size_t i = 0; i < types.size() && i < shown; ++i) {
    if (i > 0)
      text += ", ";
    text += types[i].empty() ? "(the empty type)"
                             : event_type_to_string(types[i]);
  }
  if (types.size() > shown)
    text += ", ...";
  return text;
}

}  // namespace hat::modules::builtin
