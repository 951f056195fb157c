#include "storage/lmdb/json_text.hpp"

#include <boost/json.hpp>

#include "protocol/python_json.hpp"
#include "protocol/utf8.hpp"

namespace hat::storage::lmdb::format {

void append_json_string(std::string& out, std::string_view text) {
  python_json::append_string(out, text);
}

format_result<std::string> encode_json(const boost::json::value& value) {
  auto text = python_json::encode(value);
  if (!text)
    return format_error{format_errc::not_encodable,
                        "JSON: NaN, infinity or a string not UTF-8"};
  return std::move(*text);
}

format_result<boost::json::value> decode_json(std::string_view text) {
  // The reference decodes the bytes as strict UTF-8 before parsing.
  if (!is_valid_utf8(text.data(), text.size()))
    return format_error{format_errc::bad_json, "JSON: not UTF-8"};
  boost::json::error_code ec;
  boost::json::value value = boost::json::parse(text, ec);
  if (ec)
    return format_error{format_errc::bad_json, "JSON: " + ec.message()};
  return value;
}

}  // namespace hat::storage::lmdb::format
