#pragma once

/// The MsgQueryRes payload answering a query, fitted into one chatter frame
/// of the configured limit. MsgQueryRes has no failure, so events that do
/// not fit are left out and moreFollows tells the client there is more (a
/// time-series or server query asks again from the last event it got).
///
/// Encoded by whoever ran the query (the store, on its own thread when it
/// has one), so the network thread only writes the bytes.

#include <cstddef>
#include <vector>

#include "protocol/eventer_codec.hpp"

namespace hat::eventer {

struct query_answer {
  /// The SBS encoding of MsgQueryRes.
  std::vector<char> payload;
  /// Events the query found, and those the payload carries.
  size_t events_found = 0;
  size_t events_sent = 0;
};

query_answer encode_query_answer(query_result result, dialect dialect,
                                 size_t max_frame_size);

}  // namespace hat::eventer
