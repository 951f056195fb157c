#pragma once

/// HatEventer messages (hat-event 0.9 eventer.sbs) and their SBS codec.
///
/// Two dialects are served. `current` (hat-event 0.9.17 and later) has four
/// statuses and MsgEventsAck; `v0_9_0` (0.9.0 to 0.9.15) has only standby
/// and operational and MsgStatusAck. Everything else is byte-identical.

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "protocol/decode_error.hpp"
#include "protocol/event.hpp"

namespace hat::eventer {

enum class dialect : uint8_t { current, v0_9_0 };

/// First message of a client: who it is and what it wants to be told.
struct msg_init_req {
  std::string client_name;
  std::optional<std::string> client_token;
  std::vector<event_type> subscriptions;
  /// Notify only events of this server (used by synchronising servers).
  std::optional<int64_t> server_id;
  /// Notify when events are persisted rather than when registered.
  bool persisted = false;
  bool operator==(const msg_init_req&) const = default;
};

/// Success with the server's status, or an error text.
struct msg_init_res {
  std::optional<std::string> error;
  hat::status status = status::standby;
  bool operator==(const msg_init_res&) const = default;
};

struct msg_status_notify {
  hat::status status = status::standby;
  bool operator==(const msg_status_notify&) const = default;
};

/// Events of one session.
struct msg_events_notify {
  std::vector<event> events;
  bool operator==(const msg_events_notify&) const = default;
};

/// Current dialect: a client's answer to a MsgEventsNotify sent with
/// last=false.
struct msg_events_ack {
  bool operator==(const msg_events_ack&) const = default;
};

/// v0.9.0 dialect: a client's answer to a MsgStatusNotify sent with
/// last=false.
struct msg_status_ack {
  bool operator==(const msg_status_ack&) const = default;
};

struct msg_register_req {
  std::vector<register_event> events;
  bool operator==(const msg_register_req&) const = default;
};

/// The registered events in request order, or nothing for failure (e.g. the
/// server is not operational).
struct msg_register_res {
  std::optional<std::vector<event>> events;
  bool operator==(const msg_register_res&) const = default;
};

/// The `events` alternative of MsgRegisterRes over events owned elsewhere
/// (a stored session): the same bytes as msg_register_res, nothing copied.
/// Encode-only.
struct msg_register_res_view {
  std::span<const event> events;
};

struct msg_query_req {
  query_params params;
  bool operator==(const msg_query_req&) const = default;
};

struct msg_query_res {
  query_result result;
  bool operator==(const msg_query_res&) const = default;
};

using message =
  std::variant<msg_init_req, msg_init_res, msg_status_notify,
               msg_events_notify, msg_events_ack, msg_status_ack,
               msg_register_req, msg_register_res, msg_query_req,
               msg_query_res>;

/// The chatter `data.type` of a message, e.g. "HatEventer.MsgInitReq".
std::string_view type_name(const message& msg);

template <class Msg>
std::string_view type_name_of();

/// Decodes the chatter `data.data` of a message named `type_name`. Names the
/// dialect does not have (MsgStatusAck in current, MsgEventsAck in v0.9.0)
/// are unknown_message_type. Trailing bytes are ignored, as the reference
/// does.
decode_result<message> decode_message(std::string_view type_name,
                                      std::span<const char> data,
                                      dialect dialect);

/// Typed codec for every message above and for the building blocks
/// event_id, timestamp, event_type, event_payload, event and register_event
/// (an LMDB value is an event's SBS encoding). Instantiated in the .cpp for
/// exactly those types (msg_register_res_view: encoding only).

/// Size of the SBS encoding of `value`.
template <class T>
size_t encoded_size(const T& value, dialect dialect = dialect::current);

/// Writes the encoding at `out`, which has room for encoded_size(value)
/// bytes; returns the end of what was written.
template <class T>
char* encode_to(char* out, const T& value,
                dialect dialect = dialect::current);

/// Appends the encoding of `value` to `out`.
template <class T>
void append_encoded(std::vector<char>& out, const T& value,
                    dialect dialect = dialect::current);

/// Decodes one `T` from the start of `data`; trailing bytes are ignored.
template <class T>
decode_result<T> decode(std::span<const char> data,
                        dialect dialect = dialect::current);

}  // namespace hat::eventer
