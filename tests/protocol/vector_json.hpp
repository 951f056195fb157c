#pragma once

// Reads the golden vectors (the reference's, copied to tests/vectors): the
// hat.sbs data model as JSON (Choice as ["name", value], Bytes as
// {"hex": ...}) turned into our typed values.

#include <boost/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/adminer_codec.hpp"
#include "protocol/chatter_codec.hpp"
#include "protocol/eventer_codec.hpp"
#include "protocol/observer_codec.hpp"

namespace hat::test {

/// The vectors folder of this repository (tests/vectors).
std::string vectors_dir();

boost::json::array load_vectors(const std::string& file_name);

/// The string at `key` of a vector object.
std::string text_of(const boost::json::value& v, std::string_view key);

std::vector<char> from_hex(std::string_view hex);
std::string to_hex(std::span<const char> bytes);

timestamp timestamp_from_json(const boost::json::value& v);
event_id event_id_from_json(const boost::json::value& v);
event_type event_type_from_json(const boost::json::value& v);
event_payload event_payload_from_json(const boost::json::value& v);
event event_from_json(const boost::json::value& v);
register_event register_event_from_json(const boost::json::value& v);

/// `type` is the name within the HatEventer module, e.g. "MsgInitReq".
/// Throws std::invalid_argument for a type it does not know.
eventer::message eventer_message_from_json(std::string_view type,
                                           const boost::json::value& v,
                                           eventer::dialect dialect);

observer::message observer_message_from_json(std::string_view type,
                                             const boost::json::value& v);

/// `type` is the name within the HatEventAdminer module.
adminer::message adminer_message_from_json(std::string_view type,
                                           const boost::json::value& v);

/// A HatChatter.Msg value: header, data.type and data.data.
struct chatter_msg_value {
  chatter::msg_header header;
  std::string type;
  std::vector<char> data;
};
chatter_msg_value chatter_msg_from_json(const boost::json::value& v);

}  // namespace hat::test
