#include "tests/server/monitor_double.hpp"

#include <doctest/doctest.h>

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "client/tcp_socket.hpp"
#include "protocol/monitor_data.hpp"

namespace hat::test {

monitor_double::monitor_double() {
  port_ = listener_.port;
  REQUIRE(::pipe2(wake_, O_CLOEXEC) == 0);
  thread_ = std::thread{[this] { run(); }};
}

monitor_double::~monitor_double() {
  char byte = 0;
  (void) ::write(wake_[1], &byte, 1);
  thread_.join();
  for (auto& c : components_)
    if (c->fd >= 0)
      ::close(c->fd);
  ::close(wake_[0]);
  ::close(wake_[1]);
}

bool monitor_double::wait_connections(size_t count) {
  return connected_.wait_for_count(count);
}

inbox<observer::msg_client>& monitor_double::clients(size_t index) {
  std::lock_guard lock{mutex_};
  REQUIRE(index < components_.size());
  return components_[index]->clients;
}

void monitor_double::send(size_t index, const observer::message& msg) {
  std::lock_guard lock{mutex_};
  REQUIRE(index < components_.size());
  auto& c = *components_[index];
  std::vector<char> out;
  c.framer.send(out, observer::type_name(msg), observer::encoded_size(msg),
                [&](char* at) { observer::encode_to(at, msg); });
  CHECK(client::tcp::write_all(c.fd, out) == 0);
}

void monitor_double::drop(size_t index) {
  std::lock_guard lock{mutex_};
  REQUIRE(index < components_.size());
  ::shutdown(components_[index]->fd, SHUT_RDWR);
}

bool monitor_double::wait_closed(size_t index) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{10};
  while (std::chrono::steady_clock::now() < deadline) {
    {
      std::lock_guard lock{mutex_};
      if (components_.at(index)->closed)
        return true;
    }
    // The reader thread records the close; check again shortly.
    connected_.wait_until([](auto&) { return false; },
                          std::chrono::milliseconds{10});
  }
  return false;
}

void monitor_double::read_from(component& c) {
  char buf[65536];
  auto n = ::recv(c.fd, buf, sizeof buf, 0);
  if (n <= 0) {
    c.closed = true;
    return;
  }
  std::vector<char> pongs;
  auto error = c.framer.receive(
    std::span<const char>{buf, static_cast<size_t>(n)}, chatter::clock::now(),
    pongs, [&c](const chatter::received_msg& m) {
      auto msg = observer::decode_message(m.type, m.data);
      if (!msg)
        return false;
      if (auto* client = std::get_if<observer::msg_client>(&*msg))
        c.clients.push(*client);
      return true;
    });
  // Something a monitor could not read: the tests see no MsgClient.
  if (error)
    c.closed = true;
  if (!pongs.empty())
    CHECK(client::tcp::write_all(c.fd, pongs) == 0);
}

void monitor_double::run() {
  for (;;) {
    std::vector<pollfd> fds{{wake_[0], POLLIN, 0}, {listener_.fd, POLLIN, 0}};
    {
      std::lock_guard lock{mutex_};
      for (auto& c : components_)
        fds.push_back({c->closed ? -1 : c->fd, POLLIN, 0});
    }
    if (::poll(fds.data(), fds.size(), -1) < 0)
      continue;
    if (fds[0].revents)
      return;
    if (fds[1].revents & POLLIN) {
      int fd = ::accept4(listener_.fd, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd >= 0) {
        std::lock_guard lock{mutex_};
        components_.push_back(std::make_unique<component>());
        components_.back()->fd = fd;
        connected_.push(components_.size());
      }
    }
    std::lock_guard lock{mutex_};
    for (size_t i = 2; i < fds.size(); ++i)
      if (fds[i].revents & (POLLIN | POLLHUP | POLLERR))
        read_from(*components_[i - 2]);
  }
}

observer::msg_server
single_component_state(int64_t cid, const observer::msg_client& last,
                       std::optional<int64_t> req) {
  observer::component_info info;
  info.cid = cid;
  info.mid = 0;
  info.name = last.name;
  info.group = last.group;
  info.data = last.data;
  info.blessing_req.token = req;
  if (req)
    info.blessing_req.timestamp = 1.0;
  info.blessing_res = last.blessing_res;
  return observer::msg_server{cid, 0, {info}};
}

void tell_members(monitor_double& monitor, const std::vector<size_t>& listed,
                  const std::map<size_t, int64_t>& requested) {
  std::vector<observer::component_info> infos;
  for (auto index : listed) {
    auto last = monitor.clients(index).items().back();
    observer::component_info info;
    info.cid = static_cast<int64_t>(index) + 1;
    info.name = last.name;
    info.group = last.group;
    info.data = last.data;
    info.blessing_res = last.blessing_res;
    if (auto found = requested.find(index); found != requested.end()) {
      info.blessing_req.token = found->second;
      info.blessing_req.timestamp = 1.0;
    }
    infos.push_back(info);
  }
  for (auto index : listed)
    monitor.send(index, observer::msg_server{static_cast<int64_t>(index) + 1,
                                             0, infos});
}

observer::component_info event_member(int64_t cid, std::string name,
                                      std::string group, int64_t server_id,
                                      uint16_t port,
                                      std::optional<std::string> token) {
  observer::component_info info;
  info.cid = cid;
  info.name = std::move(name);
  info.group = std::move(group);
  info.data = observer::monitor_data_json(server_id, "127.0.0.1", port,
                                          std::move(token));
  return info;
}

void list_with(monitor_double& monitor, size_t index,
               std::vector<observer::component_info> others,
               std::optional<int64_t> req) {
  auto cid = static_cast<int64_t>(index) + 1;
  auto state = single_component_state(
    cid, monitor.clients(index).items().back(), req);
  for (auto& other : others)
    state.components.push_back(std::move(other));
  monitor.send(index, state);
}

}  // namespace hat::test
