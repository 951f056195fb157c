#include "storage/lmdb/convert/v06_format.hpp"

#include <string>

#include "storage/lmdb/format.hpp"

namespace hat::storage::lmdb::convert::v06 {

format::format_result<ordered_key> decode_ordered_key(std::string_view data) {
  if (data.size() != ordered_key_size)
    return format::format_error{
      format::format_errc::wrong_length,
      "ordered key: " + std::to_string(data.size()) + " bytes, expected " +
        std::to_string(ordered_key_size)};
  auto partition_id = format::decode_uint(data.substr(0, format::uint_size));
  auto timestamp = format::decode_timestamp(
    data.substr(format::uint_size, format::timestamp_size));
  if (!timestamp)
    return timestamp.error();
  return ordered_key{*partition_id, *timestamp};
}

}  // namespace hat::storage::lmdb::convert::v06
