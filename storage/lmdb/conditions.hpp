#pragma once

/// The lmdb backend's `conditions` (reference module
/// hat.event.backends.lmdb.conditions): rules an event must satisfy to be
/// registered and to be read back from the file.
///
/// The configuration is a list of {subscriptions, condition}; an event
/// must satisfy every condition whose subscriptions match its type. A
/// condition is {type: all | any, conditions: [...]} or {type: json,
/// data_path?, data_type?, data_value?}, the latter looking at the value
/// at data_path in the event's JSON payload.

#include <memory>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

#include "protocol/event.hpp"
#include "protocol/subscription.hpp"

namespace hat::storage::lmdb {

/// A JSON payload's text as a value, nested as deep as the server accepts
/// payloads (max_json_depth; Boost.JSON's default stops at 32); nothing
/// when it is not valid JSON.
std::optional<boost::json::value> parse_json_payload(std::string_view text);

class conditions {
public:
  /// No conditions: every event matches.
  conditions();

  /// Parses the configuration once, so matching never looks at it again.
  /// Throws std::invalid_argument when `conf` is not of the reference's
  /// shape (config/lmdb_config.cpp checks it beforehand).
  explicit conditions(const boost::json::array& conf);

  conditions(const conditions& other);
  conditions& operator=(const conditions& other);
  conditions(conditions&&) noexcept;
  conditions& operator=(conditions&&) noexcept;
  ~conditions();

  /// Does `e` satisfy every condition that applies to its type? The
  /// payload is parsed at most once per call, and only when some json
  /// condition applies.
  bool matches(const event& e) const;

  /// One all / any / json condition (a tree).
  struct condition;

private:
  std::vector<std::pair<subscription, std::shared_ptr<const condition>>>
    entries_;
};

}  // namespace hat::storage::lmdb
