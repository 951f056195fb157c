#include "storage/lmdb/format.hpp"

#include <span>
#include <utility>

#include "protocol/eventer_codec.hpp"

namespace hat::storage::lmdb::format {

namespace {

constexpr uint64_t sign_bit = uint64_t{1} << 63;

void put_u64(char* out, uint64_t value) {
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<char>(value & 0xff);
    value >>= 8;
  }
}

void put_u32(char* out, uint32_t value) {
  for (int i = 3; i >= 0; --i) {
    out[i] = static_cast<char>(value & 0xff);
    value >>= 8;
  }
}

uint64_t get_u64(const char* in) {
  uint64_t value = 0;
  for (int i = 0; i < 8; ++i)
    value = (value << 8) | static_cast<unsigned char>(in[i]);
  return value;
}

uint32_t get_u32(const char* in) {
  uint32_t value = 0;
  for (int i = 0; i < 4; ++i)
    value = (value << 8) | static_cast<unsigned char>(in[i]);
  return value;
}

format_error wrong_length(std::string_view what, size_t size,
                          size_t expected) {
  return {format_errc::wrong_length,
          std::string(what) + ": " + std::to_string(size) +
            " bytes, expected " + std::to_string(expected)};
}

format_error out_of_range(std::string_view what, uint64_t value) {
  return {format_errc::out_of_range,
          std::string(what) + " out of range: " + std::to_string(value)};
}

void write_event_id(char* out, const event_id& id) {
  put_u64(out, static_cast<uint64_t>(id.server));
  put_u64(out + 8, static_cast<uint64_t>(id.session));
  put_u64(out + 16, static_cast<uint64_t>(id.instance));
}

void write_timestamp(char* out, const timestamp& t) {
  // Adding 2^63 modulo 2^64 is flipping the sign bit.
  put_u64(out, static_cast<uint64_t>(t.s) ^ sign_bit);
  put_u32(out + 8, static_cast<uint32_t>(t.us));
}

/// Decodes a checked-length event id.
format_result<event_id> read_event_id(const char* in) {
  uint64_t parts[3] = {get_u64(in), get_u64(in + 8), get_u64(in + 16)};
  for (uint64_t part : parts)
    if (part > static_cast<uint64_t>(INT64_MAX))
      return out_of_range("event id component", part);
  return event_id{static_cast<int64_t>(parts[0]),
                  static_cast<int64_t>(parts[1]),
                  static_cast<int64_t>(parts[2])};
}

/// Decodes a checked-length timestamp.
format_result<timestamp> read_timestamp(const char* in) {
  // Microseconds of 1'000'000 and more are stored as the client sent them,
  // as the reference does.
  return timestamp{static_cast<int64_t>(get_u64(in) ^ sign_bit),
                   static_cast<int64_t>(get_u32(in + 8))};
}

}  // namespace

std::string_view db_name(db_type type) {
  switch (type) {
  case db_type::system_settings:
    return "SYSTEM_SETTINGS";
  case db_type::system_last_event_id:
    return "SYSTEM_LAST_EVENT_ID";
  case db_type::system_last_timestamp:
    return "SYSTEM_LAST_TIMESTAMP";
  case db_type::ref:
    return "REF";
  case db_type::latest_data:
    return "LATEST_DATA";
  case db_type::latest_type:
    return "LATEST_TYPE";
  case db_type::timeseries_data:
    return "TIMESERIES_DATA";
  case db_type::timeseries_partition:
    return "TIMESERIES_PARTITION";
  case db_type::timeseries_count:
    return "TIMESERIES_COUNT";
  }
  return "?";
}

bytes<uint_size> encode_uint(uint64_t value) {
  bytes<uint_size> out;
  put_u64(out.data(), value);
  return out;
}

format_result<uint64_t> decode_uint(std::string_view data) {
  if (data.size() != uint_size)
    return wrong_length("uint", data.size(), uint_size);
  return get_u64(data.data());
}

bytes<uint_size> encode_settings_id(settings_id id) {
  return encode_uint(static_cast<uint64_t>(id));
}

format_result<settings_id> decode_settings_id(std::string_view data) {
  auto value = decode_uint(data);
  if (!value)
    return value.error();
  if (*value > static_cast<uint64_t>(settings_id::identifier))
    return out_of_range("settings id", *value);
  return static_cast<settings_id>(*value);
}

bytes<event_id_size> encode_event_id(const event_id& id) {
  bytes<event_id_size> out;
  write_event_id(out.data(), id);
  return out;
}

format_result<event_id> decode_event_id(std::string_view data) {
  if (data.size() != event_id_size)
    return wrong_length("event id", data.size(), event_id_size);
  return read_event_id(data.data());
}

bytes<timestamp_size> encode_timestamp(const timestamp& t) {
  bytes<timestamp_size> out;
  write_timestamp(out.data(), t);
  return out;
}

format_result<timestamp> decode_timestamp(std::string_view data) {
  if (data.size() != timestamp_size)
    return wrong_length("timestamp", data.size(), timestamp_size);
  return read_timestamp(data.data());
}

bytes<timeseries_key_size> encode_timeseries_key(const timeseries_key& key) {
  bytes<timeseries_key_size> out;
  put_u64(out.data(), key.partition_id);
  write_timestamp(out.data() + uint_size, key.timestamp);
  write_event_id(out.data() + uint_size + timestamp_size, key.event_id);
  return out;
}

bytes<timeseries_key_size> timeseries_key_upper_bound(uint64_t partition_id,
                                                      const timestamp& t) {
  bytes<timeseries_key_size> out;
  put_u64(out.data(), partition_id);
  write_timestamp(out.data() + uint_size, t);
  for (size_t i = uint_size + timestamp_size; i < out.size(); ++i)
    out[i] = static_cast<char>(0xff);
  return out;
}

format_result<timeseries_key> decode_timeseries_key(std::string_view data) {
  if (data.size() != timeseries_key_size)
    return wrong_length("timeseries key", data.size(), timeseries_key_size);
  auto t = read_timestamp(data.data() + uint_size);
  if (!t)
    return t.error();
  auto id = read_event_id(data.data() + uint_size + timestamp_size);
  if (!id)
    return id.error();
  return timeseries_key{get_u64(data.data()), *t, *id};
}

std::string encode_event_refs(std::span<const event_ref> refs) {
  std::string out;
  for (const auto& ref : refs) {
    if (auto latest = std::get_if<latest_event_ref>(&ref)) {
      out.push_back(static_cast<char>(db_type::latest_data));
      out.append(view(encode_uint(latest->key)));
    } else {
      const auto& ts = std::get<timeseries_event_ref>(ref);
      out.push_back(static_cast<char>(db_type::timeseries_data));
      out.append(view(encode_timeseries_key(ts.key)));
    }
  }
  return out;
}

format_result<std::vector<event_ref>> decode_event_refs(std::string_view data) {
  std::vector<event_ref> refs;
  while (!data.empty()) {
    auto type = static_cast<uint8_t>(data.front());
    data.remove_prefix(1);
    if (type == static_cast<uint8_t>(db_type::latest_data)) {
      if (data.size() < uint_size)
        return wrong_length("latest event ref", data.size(), uint_size);
      refs.emplace_back(latest_event_ref{get_u64(data.data())});
      data.remove_prefix(uint_size);
    } else if (type == static_cast<uint8_t>(db_type::timeseries_data)) {
      if (data.size() < timeseries_key_size)
        return wrong_length("timeseries event ref", data.size(),
                            timeseries_key_size);
      auto key = decode_timeseries_key(data.substr(0, timeseries_key_size));
      if (!key)
        return key.error();
      refs.emplace_back(timeseries_event_ref{*key});
      data.remove_prefix(timeseries_key_size);
    } else {
      return format_error{format_errc::unknown_db_type,
                          "event ref of db type " + std::to_string(type)};
    }
  }
  return refs;
}

std::vector<char> encode_event(const event& e) {
  std::vector<char> out;
  eventer::append_encoded(out, e);
  return out;
}

format_result<event> decode_event(std::string_view data) {
  auto decoded = eventer::decode<event>(
    std::span<const char>(data.data(), data.size()));
  if (!decoded)
    return format_error{format_errc::bad_event,
                        "event: " + decoded.error().to_string()};
  return std::move(*decoded);
}

}  // namespace hat::storage::lmdb::format
