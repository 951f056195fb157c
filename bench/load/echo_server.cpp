#include "bench/load/echo_server.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <thread>
#include <vector>

#include "client/tcp_socket.hpp"
#include "protocol/chatter_frame.hpp"

namespace hat::bench {
namespace {

using echo_clock = std::chrono::steady_clock;

/// One connection on its own thread: frames in, the same frames out, one
/// write per read so batching follows what the client sent together.
void serve(int fd) {
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  chatter::frame_decoder decoder;
  std::vector<char> in(256 * 1024);
  std::vector<char> out;
  for (;;) {
    auto got = ::recv(fd, in.data(), in.size(), 0);
    if (got < 0 && errno == EINTR)
      continue;
    if (got <= 0)
      break;
    bool bad_msg = false;
    auto error = decoder.feed(
      std::span<const char>{in.data(), static_cast<size_t>(got)},
      [&](std::span<const char> body) {
        // The envelope is decoded as a server would, to echo only what a
        // server could have read.
        if (!chatter::decode_msg(body)) {
          bad_msg = true;
          return false;
        }
        // Chatter peers write the minimal length prefix, so rewriting it
        // gives back their bytes exactly.
        auto old_size = out.size();
        out.resize(old_size + chatter::frame_prefix_size(body.size())
                   + body.size());
        auto at = chatter::write_frame_prefix(out.data() + old_size,
                                              body.size());
        std::memcpy(at, body.data(), body.size());
        return true;
      });
    if (error || bad_msg)
      break;
    if (!out.empty() && client::tcp::write_all(fd, out) != 0)
      break;
    out.clear();
  }
  ::close(fd);
}

int listen_on(const echo_options& options) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  auto service = std::to_string(options.port);
  int rc = ::getaddrinfo(options.host.c_str(), service.c_str(), &hints,
                         &found);
  if (rc != 0) {
    std::fprintf(stderr, "cannot resolve %s: %s\n", options.host.c_str(),
                 gai_strerror(rc));
    return -1;
  }
  int fd = -1;
  int error = 0;
  for (auto* a = found; a && fd < 0; a = a->ai_next) {
    fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC,
                  a->ai_protocol);
    if (fd < 0) {
      error = errno;
      continue;
    }
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd, a->ai_addr, a->ai_addrlen) != 0
        || ::listen(fd, 1024) != 0) {
      error = errno;
      ::close(fd);
      fd = -1;
    }
  }
  ::freeaddrinfo(found);
  if (fd < 0)
    std::fprintf(stderr, "cannot listen on %s:%u: %s\n",
                 options.host.c_str(), options.port,
                 client::tcp::error_text(error).c_str());
  return fd;
}

}  // namespace

int run_echo_server(const echo_options& options) {
  int listener = listen_on(options);
  if (listener < 0)
    return 1;
  std::printf("echo server listening on %s:%u\n", options.host.c_str(),
              options.port);
  std::fflush(stdout);
  auto end = options.lifetime.count() > 0
               ? echo_clock::now() + options.lifetime
               : echo_clock::time_point::max();
  while (echo_clock::now() < end) {
    // Wake up now and then to notice the end of the lifetime.
    pollfd entry{listener, POLLIN, 0};
    int ready = ::poll(&entry, 1, 200);
    if (ready <= 0)
      continue;
    int fd = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0)
      continue;
    // Connection threads are detached: they end with their connection or
    // with the process.
    std::thread{serve, fd}.detach();
  }
  ::close(listener);
  return 0;
}

}  // namespace hat::bench
