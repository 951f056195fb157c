#pragma once

/// The register requests a load connection sends: batches of typical
/// events (4-segment type, JSON payload of a chosen size, source timestamp)
/// built once and reused, so the generator spends its time encoding and
/// sending rather than allocating.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "protocol/eventer_codec.hpp"

namespace hat::bench {

/// Event i of a connection has the type {"bench", kind, tag, "<i % 100>"}.
inline constexpr uint64_t type_cycle = 100;

class request_set {
public:
  request_set(std::string kind, std::string tag, size_t batch,
              size_t payload_bytes);

  /// The request carrying events [first, first + count) of the connection;
  /// count is the batch size except for a shorter last request. Valid until
  /// the next call.
  const eventer::msg_register_req& get(uint64_t first, size_t count);

private:
  register_event make_event(uint64_t index) const;
  eventer::msg_register_req make_request(uint64_t first, size_t count) const;

  std::string kind_;
  std::string tag_;
  size_t batch_;
  size_t payload_bytes_;
  /// Full requests by first % type_cycle: they repeat with that period.
  std::vector<std::optional<eventer::msg_register_req>> full_;
  eventer::msg_register_req partial_;
};

/// JSON text of exactly `bytes` bytes when that is at least 47, e.g.
/// {"value": 10042, "quality": "good", "pad": "xxxxxxxxxxxxxx"} (60);
/// {"value": 10042, "quality": "good"} for anything smaller.
std::string json_payload(uint64_t value, size_t bytes);

}  // namespace hat::bench
