#pragma once

/// The few POSIX socket operations the blocking client needs, with EINTR
/// and partial transfers handled once here.

#include <cstdint>
#include <span>
#include <string>

#include "protocol/chatter_connection.hpp"

namespace hat::client::tcp {

/// Text of an errno value (thread-safe, unlike strerror).
std::string error_text(int error);

/// A connected blocking socket with TCP_NODELAY, trying every address of
/// `host`. Throws client_error when none accepts before `deadline` (name
/// resolution itself is not bounded).
int connect(const std::string& host, uint16_t port,
            chatter::clock::time_point deadline);

/// Waits until `fd` is readable (or hung up): >0 ready, 0 `deadline`
/// passed (time_point::max() waits forever), <0 error in errno.
int wait_readable(int fd, chatter::clock::time_point deadline);

/// Writes every byte without raising SIGPIPE; 0 or the errno that stopped
/// the write.
int write_all(int fd, std::span<const char> bytes);

}  // namespace hat::client::tcp
