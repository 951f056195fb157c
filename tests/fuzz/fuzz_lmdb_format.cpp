// Every decoder of the LMDB file format (storage/lmdb/format.hpp,
// json_values.hpp, json_text.hpp) on arbitrary bytes, as a damaged or
// foreign file would hand them over: the first byte picks the decoder (a
// key or value of each database), the rest is the stored value. Whatever
// decodes must encode to bytes that decode and encode to the same bytes.

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "storage/lmdb/format.hpp"
#include "storage/lmdb/json_text.hpp"
#include "storage/lmdb/json_values.hpp"

namespace {

namespace format = hat::storage::lmdb::format;

void require(bool condition) {
  if (!condition)
    std::abort();
}

std::string_view as_view(const std::vector<char>& bytes) {
  return {bytes.data(), bytes.size()};
}

/// decode, then encode(decode(encode(decoded))) == encode(decoded).
template <class Decode, class Encode>
void round_trip(std::string_view data, Decode decode, Encode encode) {
  auto decoded = decode(data);
  if (!decoded)
    return;
  auto encoded = encode(*decoded);
  auto again = decode(std::string_view{encoded});
  require(again.ok());
  require(encode(*again) == encoded);
}

bool has_double(const boost::json::value& value) {
  if (value.is_double())
    return true;
  if (auto array = value.if_array()) {
    for (const auto& item : *array)
      if (has_double(item))
        return true;
  } else if (auto object = value.if_object()) {
    for (const auto& member : *object)
      if (has_double(member.value()))
        return true;
  }
  return false;
}

template <size_t N>
std::string as_string(const format::bytes<N>& bytes) {
  return std::string{format::view(bytes)};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0)
    return 0;
  std::string_view value{reinterpret_cast<const char*>(data) + 1, size - 1};
  switch (data[0] % 11) {
    case 0:  // server ids, type refs, partition ids, TIMESERIES_COUNT
      round_trip(value, format::decode_uint,
                 [](uint64_t v) { return as_string(format::encode_uint(v)); });
      break;
    case 1:  // SYSTEM_SETTINGS keys
      round_trip(value, format::decode_settings_id, [](format::settings_id v) {
        return as_string(format::encode_settings_id(v));
      });
      break;
    case 2:  // REF keys, SYSTEM_LAST_EVENT_ID values
      round_trip(value, format::decode_event_id, [](const hat::event_id& v) {
        return as_string(format::encode_event_id(v));
      });
      break;
    case 3:  // SYSTEM_LAST_TIMESTAMP values
      round_trip(value, format::decode_timestamp, [](const hat::timestamp& v) {
        return as_string(format::encode_timestamp(v));
      });
      break;
    case 4:  // TIMESERIES_DATA keys
      round_trip(value, format::decode_timeseries_key,
                 [](const format::timeseries_key& v) {
                   return as_string(format::encode_timeseries_key(v));
                 });
      break;
    case 5:  // REF values
      round_trip(value, format::decode_event_refs,
                 [](const std::vector<format::event_ref>& v) {
                   return format::encode_event_refs(v);
                 });
      break;
    case 6:  // LATEST_DATA and TIMESERIES_DATA values
      round_trip(value, format::decode_event, [](const hat::event& v) {
        auto bytes = format::encode_event(v);
        return std::string{as_view(bytes)};
      });
      break;
    case 7:  // SYSTEM_SETTINGS values
      round_trip(value, format::decode_setting,
                 [](const std::optional<std::string>& v) {
                   return format::encode_setting(v);
                 });
      break;
    case 8:  // LATEST_TYPE values
      round_trip(value, format::decode_event_type,
                 [](const hat::event_type& v) {
                   return format::encode_event_type(v);
                 });
      break;
    case 9:  // TIMESERIES_PARTITION values
      round_trip(value, format::decode_partition,
                 [](const format::partition_description& v) {
                   return format::encode_partition(v);
                 });
      break;
    case 10: {  // the JSON text under every JSON value
      auto decoded = format::decode_json(value);
      if (!decoded)
        break;
      // Numbers beyond double range parse as infinities, which the
      // encoder refuses (as json.dumps with allow_nan off): nothing to
      // compare then.
      auto encoded = format::encode_json(*decoded);
      if (!encoded)
        break;
      auto again = format::decode_json(*encoded);
      require(again.ok());
      auto twice = format::encode_json(*again);
      require(twice.ok());
      // Boost.JSON 1.81 does not round every decimal to the nearest double
      // ("9.007900799215473e+19" reads one ULP low, strtod reads it right),
      // so a double may change by an ULP per read and write. The stored
      // JSON values (settings, event types, partitions) hold no numbers.
      require(has_double(*again) || *twice == *encoded);
      break;
    }
  }
  return 0;
}
