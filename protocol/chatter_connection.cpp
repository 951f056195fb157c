#include "protocol/chatter_connection.hpp"

#include <algorithm>

namespace hat::chatter {

connection::connection(connection_options options, clock::time_point now)
  : options_(options), decoder_(options.max_frame_size),
    last_received_(now) {
}

msg_header connection::next_header(std::optional<conversation>& conv,
                                   bool last) {
  auto id = next_id_++;
  if (!conv)
    conv = conversation{true, id};
  return msg_header{id, conv->first_id, conv->owner, true, last};
}

conversation connection::send(std::vector<char>& out, std::string_view type,
                              std::span<const char> payload,
                              std::optional<conversation> conv, bool last) {
  auto header = next_header(conv, last);
  append_frame(out, header, type, payload);
  return *conv;
}

conversation connection::send_head(std::vector<char>& out,
                                   std::string_view type, size_t payload_size,
                                   std::optional<conversation> conv,
                                   bool last) {
  auto header = next_header(conv, last);
  auto body_size = msg_size(header, type, payload_size);
  auto old_size = out.size();
  auto head_size = frame_prefix_size(body_size) + body_size - payload_size;
  out.resize(old_size + head_size);
  auto pos = write_frame_prefix(out.data() + old_size, body_size);
  write_msg_prefix(pos, header, type, payload_size);
  return *conv;
}

keepalive_action connection::check_keepalive(clock::time_point now,
                                             std::vector<char>& out) {
  if (options_.ping_delay == clock::duration::zero())
    return keepalive_action::none;
  if (ping_sent_) {
    if (now - *ping_sent_ >= options_.ping_timeout)
      return keepalive_action::timed_out;
    return keepalive_action::none;
  }
  if (now - last_received_ < options_.ping_delay)
    return keepalive_action::none;
  send(out, ping_type, {}, std::nullopt, false);
  ping_sent_ = now;
  return keepalive_action::ping_sent;
}

std::chrono::milliseconds
keepalive_check_interval(const connection_options& options) {
  using std::chrono::milliseconds;
  if (options.ping_delay == clock::duration::zero())
    return milliseconds{0};
  auto shorter = std::min(options.ping_delay, options.ping_timeout);
  auto quarter = std::chrono::duration_cast<milliseconds>(shorter / 4);
  return std::clamp(quarter, milliseconds{10}, milliseconds{1000});
}

clock::time_point connection::next_keepalive_check() const {
  if (options_.ping_delay == clock::duration::zero())
    return clock::time_point::max();
  if (ping_sent_)
    return *ping_sent_ + options_.ping_timeout;
  return last_received_ + options_.ping_delay;
}

}  // namespace hat::chatter
