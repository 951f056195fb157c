#include "protocol/query_answer.hpp"

#include "protocol/chatter_codec.hpp"

namespace hat::eventer {

query_answer encode_query_answer(query_result result, dialect dialect,
                                 size_t max_frame_size) {
  auto type = type_name_of<msg_query_res>();
  auto fits = [&](size_t payload) {
    return chatter::fits_any_conversation(type, payload, max_frame_size);
  };
  query_answer answer;
  answer.events_found = result.events.size();
  msg_query_res msg{std::move(result)};
  auto size = encoded_size(msg, dialect);
  if (!fits(size)) {
    // Dropping events only shortens the count's encoding, so the size
    // stays an upper bound.
    auto& events = msg.result.events;
    while (!events.empty() && !fits(size)) {
      size -= encoded_size(events.back(), dialect);
      events.pop_back();
    }
    msg.result.more_follows = true;
  }
  answer.events_sent = msg.result.events.size();
  append_encoded(answer.payload, msg, dialect);
  return answer;
}

}  // namespace hat::eventer
