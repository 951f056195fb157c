#include "bench/load/requests.hpp"

namespace hat::bench {

std::string json_payload(uint64_t value, size_t bytes) {
  auto text = "{\"value\": " + std::to_string(10'000 + value)
              + ", \"quality\": \"good\"";
  // `, "pad": "` + padding + `"}` makes up the requested size.
  constexpr size_t pad_overhead = 12;
  if (text.size() + pad_overhead < bytes)
    text += ", \"pad\": \""
            + std::string(bytes - text.size() - pad_overhead, 'x') + "\"";
  text += "}";
  return text;
}

request_set::request_set(std::string kind, std::string tag, size_t batch,
                         size_t payload_bytes)
  : kind_(std::move(kind)), tag_(std::move(tag)), batch_(batch),
    payload_bytes_(payload_bytes), full_(type_cycle) {
}

const eventer::msg_register_req& request_set::get(uint64_t first,
                                                  size_t count) {
  if (count != batch_) {
    partial_ = make_request(first, count);
    return partial_;
  }
  auto& slot = full_[first % type_cycle];
  if (!slot)
    slot = make_request(first, count);
  return *slot;
}

register_event request_set::make_event(uint64_t index) const {
  auto cycle = index % type_cycle;
  return register_event{
    {"bench", kind_, tag_, std::to_string(cycle)},
    timestamp{1'700'000'000, 1000},
    payload_json{json_payload(cycle, payload_bytes_)},
  };
}

eventer::msg_register_req request_set::make_request(uint64_t first,
                                                    size_t count) const {
  eventer::msg_register_req req;
  req.events.reserve(count);
  for (size_t i = 0; i < count; ++i)
    req.events.push_back(make_event(first + i));
  return req;
}

}  // namespace hat::bench
