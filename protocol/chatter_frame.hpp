#pragma once

/// Chatter framing on a TCP stream: 1 byte m = size of the length field,
/// m bytes big-endian body length k, then k bytes of HatChatter.Msg.
///
/// frame_decoder is a pure incremental parser (bytes in, frame bodies out)
/// so connection actors and tests feed it however the bytes arrive. Frames
/// wholly inside one received chunk are handed out in place, without a copy.

#include <cstddef>
#include <cstring>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "protocol/chatter_codec.hpp"
#include "protocol/decode_error.hpp"

namespace hat::chatter {

/// The reference has no limit; 16 MiB holds any sane batch of events.
inline constexpr size_t default_max_frame_size = 16 * 1024 * 1024;

/// Size of the [m][length] prefix for a body of `body_size` bytes: the
/// minimal m, at least 1, as the reference writes.
size_t frame_prefix_size(size_t body_size);

/// Writes the [m][length] prefix; returns where the body goes.
char* write_frame_prefix(char* out, size_t body_size);

/// Appends one whole frame carrying a Msg whose payload (data.data) of
/// `payload_size` bytes is written by `write_payload(char* at)`, straight
/// into `out`.
template <class WritePayload>
void append_frame(std::vector<char>& out, const msg_header& header,
                  std::string_view type, size_t payload_size,
                  WritePayload&& write_payload) {
  auto body_size = msg_size(header, type, payload_size);
  auto old_size = out.size();
  out.resize(old_size + frame_prefix_size(body_size) + body_size);
  auto pos = write_frame_prefix(out.data() + old_size, body_size);
  pos = write_msg_prefix(pos, header, type, payload_size);
  write_payload(pos);
}

/// Appends one whole frame carrying already encoded payload bytes (e.g. one
/// notification batch sent to many subscribers).
inline void append_frame(std::vector<char>& out, const msg_header& header,
                         std::string_view type,
                         std::span<const char> payload) {
  append_frame(out, header, type, payload.size(), [&](char* at) {
    if (!payload.empty())
      std::memcpy(at, payload.data(), payload.size());
  });
}

class frame_decoder {
public:
  explicit frame_decoder(size_t max_frame_size = default_max_frame_size)
    : max_frame_size_(max_frame_size) {
  }

  /// Feeds received bytes and calls `on_frame(std::span<const char> body)`
  /// for every completed frame, in order, until it returns false. Returns
  /// the error of a frame announcing more than the maximum size, detected
  /// before anything of it is buffered; the stream is unusable after that.
  template <class OnFrame>
  std::optional<decode_error> feed(std::span<const char> bytes,
                                   OnFrame&& on_frame);

  /// Bytes held of a frame not yet complete.
  size_t buffered() const {
    return pending_.size();
  }

  /// Bytes allocated for carrying frames over.
  size_t capacity() const {
    return pending_.capacity();
  }

  /// Capacity the carry-over buffer keeps between frames; a larger one
  /// (left by a big frame) is freed once its frame is complete.
  static constexpr size_t kept_capacity = 64 * 1024;

private:
  enum class header_state { need_more, complete, too_large };

  struct header {
    header_state state = header_state::need_more;
    size_t prefix_size = 0;
    size_t body_size = 0;
  };

  header parse_header(const char* data, size_t size) const;

  std::optional<decode_error> too_large() {
    error_ = decode_error{decode_errc::frame_too_large, stream_offset_};
    release_pending();
    return error_;
  }

  void release_pending() {
    if (pending_.capacity() > kept_capacity)
      std::vector<char>{}.swap(pending_);
    else
      pending_.clear();
  }

  size_t max_frame_size_;
  /// Start of an incomplete frame carried over from earlier chunks.
  std::vector<char> pending_;
  /// Stream offset of the next frame's first byte, for error reports.
  size_t stream_offset_ = 0;
  std::optional<decode_error> error_;
};

template <class OnFrame>
std::optional<decode_error>
frame_decoder::feed(std::span<const char> bytes, OnFrame&& on_frame) {
  if (error_)
    return error_;
  // Complete a frame begun in an earlier chunk, copying only what it needs.
  if (!pending_.empty()) {
    auto hdr = parse_header(pending_.data(), pending_.size());
    // The prefix is at most 256 bytes: take what is needed of it first.
    while (hdr.state == header_state::need_more && !bytes.empty()) {
      pending_.push_back(bytes.front());
      bytes = bytes.subspan(1);
      hdr = parse_header(pending_.data(), pending_.size());
    }
    if (hdr.state == header_state::too_large)
      return too_large();
    if (hdr.state == header_state::need_more)
      return std::nullopt;
    auto total = hdr.prefix_size + hdr.body_size;
    auto take = std::min(total - pending_.size(), bytes.size());
    pending_.insert(pending_.end(), bytes.begin(), bytes.begin() + take);
    bytes = bytes.subspan(take);
    if (pending_.size() < total)
      return std::nullopt;
    stream_offset_ += total;
    std::span<const char> body{pending_.data() + hdr.prefix_size,
                               hdr.body_size};
    bool keep_going = on_frame(body);
    release_pending();
    if (!keep_going)
      return std::nullopt;
  }
  // Frames wholly inside this chunk are handed out in place.
  while (!bytes.empty()) {
    auto hdr = parse_header(bytes.data(), bytes.size());
    if (hdr.state == header_state::too_large)
      return too_large();
    auto total = hdr.prefix_size + hdr.body_size;
    if (hdr.state == header_state::need_more || bytes.size() < total) {
      pending_.assign(bytes.begin(), bytes.end());
      return std::nullopt;
    }
    stream_offset_ += total;
    if (!on_frame(bytes.subspan(hdr.prefix_size, hdr.body_size)))
      return std::nullopt;
    bytes = bytes.subspan(total);
  }
  return std::nullopt;
}

}  // namespace hat::chatter
