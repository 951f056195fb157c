// The Eventer acceptor on its own: accepting without spare descriptors,
// and stopping while clients keep connecting.

#include <doctest/doctest.h>

#include <unistd.h>

#include <atomic>
#include <future>
#include <thread>

#include "actors/listen_socket.hpp"
#include "actors/tcp_acceptor.hpp"
#include "client/tcp_socket.hpp"
#include "log/logger.hpp"
#include "tests/server/server_harness.hpp"

using namespace hat;
using namespace std::chrono_literals;

namespace {

std::unique_ptr<tcp_acceptor> loopback_acceptor(std::string spare_file) {
  auto socket = open_listen_socket("127.0.0.1", 0);
  REQUIRE(socket);
  auto acceptor = tcp_acceptor::adopt(std::move(*socket), spare_file);
  REQUIRE(acceptor);
  return std::move(*acceptor);
}

/// Log lines written while it lives.
struct log_lines {
  std::shared_ptr<test::inbox<std::string>> lines
    = std::make_shared<test::inbox<std::string>>();
  log_lines() {
    log::set_sink([lines = lines](std::string_view line) {
      lines->push(std::string{line});
    });
  }
  ~log_lines() {
    log::set_sink({});
  }
  size_t containing(std::string_view text) {
    size_t n = 0;
    for (auto& line : lines->items())
      n += line.find(text) != std::string::npos;
    return n;
  }
};

}  // namespace

TEST_CASE("an acceptor that cannot open spare descriptors warns once and "
          "accepts") {
  log_lines log;
  auto accepted = std::make_shared<test::inbox<accepted_socket>>();
  {
    auto acceptor = loopback_acceptor("/nonexistent/hat-spare");
    acceptor->start([accepted](accepted_socket s) { accepted->push(s); });
    std::vector<int> clients;
    for (int i = 0; i < 3; ++i)
      clients.push_back(client::tcp::connect("127.0.0.1", acceptor->port(),
                                             chatter::clock::now() + 5s));
    // Before, a spare that could not be opened (a chroot without
    // /dev/null) was taken for a lack of descriptors: nothing accepted.
    CHECK(accepted->wait_for_count(3));
    acceptor->stop();
    for (int fd : clients)
      ::close(fd);
  }
  CHECK(log.containing("no spare descriptors: cannot open "
                       "/nonexistent/hat-spare") == 1);
}

TEST_CASE("an acceptor stops promptly while clients keep connecting") {
  auto acceptor = loopback_acceptor("/dev/null");
  std::atomic<long> accepted{0};
  // Accepted sockets are closed at once (the accepted_socket goes away).
  acceptor->start([&accepted](accepted_socket) { ++accepted; });
  std::atomic<bool> flooding{true};
  auto port = acceptor->port();
  std::vector<std::thread> flood;
  for (int i = 0; i < 2; ++i)
    flood.emplace_back([&flooding, port] {
      while (flooding) {
        try {
          ::close(client::tcp::connect("127.0.0.1", port,
                                       chatter::clock::now() + 1s));
        } catch (const std::exception&) {
          // Refused once the acceptor closed its socket.
        }
      }
    });
  auto flood_deadline = std::chrono::steady_clock::now() + 10s;
  while (accepted < 500 && std::chrono::steady_clock::now() < flood_deadline)
    std::this_thread::yield();
  CHECK(accepted >= 500);

  auto stopped = std::async(std::launch::async, [&] { acceptor->stop(); });
  // stop() is heard between two accepts: a flood never keeps it waiting.
  CHECK(stopped.wait_for(5s) == std::future_status::ready);
  flooding = false;
  for (auto& t : flood)
    t.join();
  stopped.wait();
  // Stopped means the listening socket is closed too.
  CHECK_THROWS(client::tcp::connect("127.0.0.1", port,
                                    chatter::clock::now() + 200ms));
}
