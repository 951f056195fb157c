#pragma once

/// JSON values of the database as the reference writes and reads them:
/// protocol/python_json.hpp's text (json.dumps with its defaults; the
/// reference's hat.json.encode also refuses NaN), with failures as this
/// layer's format_error.
///
/// Reading uses Boost.JSON: any valid JSON text is accepted, whoever wrote
/// it.

#include <string>
#include <string_view>

#include <boost/json/value.hpp>

#include "storage/lmdb/format_error.hpp"

namespace hat::storage::lmdb::format {

/// The text json.dumps gives for `value`. Refuses NaN, infinities and
/// strings that are not UTF-8 (not_encodable). Doubles are written as
/// Python's repr writes floats (1.0, 1e+16, 1e-05).
format_result<std::string> encode_json(const boost::json::value& value);

/// Appends `text` as json.dumps writes a str. `text` should be UTF-8, as
/// every string of the event model is (the SBS decoder checks it); invalid
/// bytes are written as \ufffd so the output is still JSON.
void append_json_string(std::string& out, std::string_view text);

/// Parses UTF-8 JSON text (bad_json when it is not).
format_result<boost::json::value> decode_json(std::string_view text);

}  // namespace hat::storage::lmdb::format
