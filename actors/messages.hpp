#pragma once

/// Values carried in actor messages besides the event model. Local only,
/// so whitelisted for CAF 0.17 rather than made inspectable.

#include <caf/allowed_unsafe_message_type.hpp>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "protocol/event.hpp"
#include "protocol/eventer_codec.hpp"
#include "protocol/monitor_data.hpp"
#include "protocol/subscription.hpp"
#include "storage/backend.hpp"

namespace hat {

/// An encoded MsgEventsNotify payload, shared by every connection whose
/// filter selected the same events.
using shared_bytes = std::shared_ptr<const std::vector<char>>;

/// How a connection wants a query answered: encoded as MsgQueryRes in its
/// dialect, fitted into a frame of its limit (protocol/query_answer.hpp).
struct answer_format {
  eventer::dialect dialect = eventer::dialect::current;
  size_t max_frame_size = 0;
};

/// An encoded MsgQueryRes payload, and how many of the events found it
/// carries.
struct encoded_answer {
  shared_bytes payload;
  size_t events_found = 0;
  size_t events_sent = 0;
};

/// What a connection wants to be told, handed to the fan-out on join.
struct notify_filter {
  subscription types;
  std::optional<int64_t> server_id;
  bool persisted = false;
};

/// (connection id, client name) of every initialised connection.
using client_names = std::vector<std::pair<int64_t, std::string>>;

/// One round of a session as offered to every module: the round's events
/// and, index for index, who registered each. Shared, never copied.
struct module_round {
  int64_t session_id = 0;
  /// The session's first round: call on_session_start before processing.
  bool first = false;
  std::shared_ptr<const std::vector<event>> events;
  std::shared_ptr<const std::vector<event_source>> sources;
};

/// The store's answer to a batch (its write port): what it kept and
/// whether the sender must pause. Engine and sync actors pace themselves by
/// it; the store never guesses who sent a batch.
struct store_receipt {
  /// Events kept, after the backend's skip rules (LMDB: ids or timestamps
  /// not newer than stored, conditions).
  size_t stored = 0;
  /// The backlog is over its bound while the disk is busy: send no further
  /// batch until the store answers atom::backlog.
  bool pause = false;
};

using observer::peer_info;

}  // namespace hat

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hat::event_source)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hat::event_id)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hat::status)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hat::query_params)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hat::query_result)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hat::answer_format)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hat::encoded_answer)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<hat::event>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<hat::register_event>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hat::storage::event_batch)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::shared_ptr<hat::storage::write_job>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hat::storage::write_outcome)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hat::shared_bytes)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hat::notify_filter)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hat::client_names)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hat::module_round)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hat::store_receipt)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hat::peer_info)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<hat::peer_info>)
