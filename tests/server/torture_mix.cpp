#include "tests/server/torture_mix.hpp"

#include <cerrno>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "client/tcp_socket.hpp"

namespace hat::torture {

using namespace std::chrono_literals;

namespace {

register_event json_event(event_type type, std::string json = "null") {
  return register_event{std::move(type), std::nullopt,
                        payload_json{std::move(json)}};
}

std::vector<char> random_bytes(std::mt19937& rng, size_t n) {
  std::vector<char> bytes(n);
  for (auto& c : bytes)
    c = static_cast<char>(rng());
  return bytes;
}

}  // namespace

long status_kib(pid_t pid, const std::string& field) {
  std::ifstream in{"/proc/" + std::to_string(pid) + "/status"};
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(field, 0) == 0)
      return std::atol(line.c_str() + field.size());
  return 0;
}

long rss_kib(pid_t pid) {
  return status_kib(pid, "VmRSS:");
}

// -- milestone, progress --

void milestone::reach() {
  {
    std::lock_guard<std::mutex> guard{mutex_};
    reached_ = true;
  }
  changed_.notify_all();
}

bool milestone::wait(steady::time_point deadline) {
  std::unique_lock<std::mutex> lock{mutex_};
  return changed_.wait_until(lock, deadline, [this] { return reached_; });
}

void progress::tick() {
  {
    std::lock_guard<std::mutex> guard{mutex_};
    ++ops_;
  }
  changed_.notify_all();
}

void progress::connected(std::string name) {
  {
    std::lock_guard<std::mutex> guard{mutex_};
    connected_.insert(std::move(name));
  }
  changed_.notify_all();
}

void progress::finish() {
  {
    std::lock_guard<std::mutex> guard{mutex_};
    over_ = true;
  }
  changed_.notify_all();
}

void progress::wait_ops(long n, steady::time_point deadline) {
  std::unique_lock<std::mutex> lock{mutex_};
  changed_.wait_until(lock, deadline, [&] { return over_ || ops_ >= n; });
}

bool progress::wait_connected(const std::string& name,
                              steady::time_point deadline) {
  std::unique_lock<std::mutex> lock{mutex_};
  return changed_.wait_until(lock, deadline,
                             [&] { return connected_.count(name) > 0; });
}

// -- raw_peer --

raw_peer::raw_peer(uint16_t port)
  : fd_(client::tcp::connect("127.0.0.1", port, steady::now() + 30s)) {
  ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) | O_NONBLOCK);
}

raw_peer::~raw_peer() {
  close();
}

void raw_peer::close(bool reset) {
  if (fd_ < 0)
    return;
  if (reset) {
    ::linger option{1, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &option, sizeof option);
  }
  ::close(fd_);
  fd_ = -1;
}

bool raw_peer::write(std::span<const char> bytes,
                     steady::time_point deadline) {
  while (!bytes.empty()) {
    auto n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n > 0) {
      bytes = bytes.subspan(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!wait_for(POLLOUT, deadline))
        return false;
      continue;
    }
    return false;  // the server closed
  }
  return true;
}

bool raw_peer::send_init(const std::string& name,
                         std::vector<event_type> subs,
                         steady::time_point deadline) {
  return send(eventer::msg_init_req{name, std::nullopt, std::move(subs),
                                    std::nullopt, false},
              false, deadline);
}

raw_peer::outcome raw_peer::await(size_t count,
                                  steady::time_point deadline) {
  char buf[65536];
  while (received_ < count) {
    if (!wait_for(POLLIN, deadline))
      return outcome::timed_out;
    auto n = ::recv(fd_, buf, sizeof buf, 0);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
      continue;
    if (n <= 0)
      return outcome::closed;
    std::vector<char> out;
    auto error = chatter_.receive(
      std::span<const char>{buf, static_cast<size_t>(n)}, steady::now(), out,
      [this](const chatter::received_msg&) {
        ++received_;
        return true;
      });
    if (error)
      return outcome::closed;
    if (!out.empty())
      write(out, deadline);
  }
  return outcome::answered;
}

bool raw_peer::wait_for(short events, steady::time_point deadline) {
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - steady::now());
    if (left.count() <= 0)
      return false;
    ::pollfd p{fd_, events, 0};
    auto n = ::poll(&p, 1, static_cast<int>(left.count()) + 1);
    if (n > 0)
      return true;
    if (n < 0 && errno != EINTR)
      return false;
  }
}

// -- tally --

void tally::error(std::string what) {
  std::lock_guard<std::mutex> guard{mutex};
  errors.push_back(std::move(what));
}

int tally::bad_total() const {
  int n = 0;
  for (size_t k = 0; k < bad_kinds; ++k)
    n += bad_closed[k] + bad_answered[k] + bad_ignored[k];
  return n;
}

std::string tally::bad_per_kind() const {
  std::string text;
  for (size_t k = 0; k < bad_kinds; ++k) {
    if (k > 0)
      text += ' ';
    text += std::to_string(k);
    text += ':';
    text += std::to_string(bad_closed[k]);
    text += '/';
    text += std::to_string(bad_answered[k]);
    text += '/';
    text += std::to_string(bad_ignored[k]);
  }
  return text;
}

// -- the mix --

void plain_churn(const mix_target& to, int count, tally& t, progress& p) {
  for (int i = 0; i < count && !to.stopped(); ++i) {
    raw_peer peer{to.port};
    peer.close(i % 2 == 1);
    ++t.plain;
    p.tick();
  }
}

void init_churn(const mix_target& to, int first, int count, tally& t,
                progress& p, milestone& half) {
  for (int i = first; i < first + count && !to.stopped(); ++i) {
    raw_peer peer{to.port};
    // Generous: a loaded machine under sanitizers.
    auto deadline = steady::now() + 30s;
    auto name = to.prefix + "churn-" + std::to_string(i);
    peer.send_init(name, {{"*"}}, deadline);
    switch (i % 4) {
      case 1:
      case 2:
        if (!p.wait_connected(name, deadline) && !to.stopped())
          t.error(name + ": never announced CONNECTED");
        break;
      case 3: {
        auto got = peer.await(1, deadline);
        if (got != raw_peer::outcome::answered && !to.stopped())
          t.error(name + ": no init answer ("
                  + (got == raw_peer::outcome::closed
                       ? "closed by the server: over max_connections?"
                       : "timed out")
                  + ")");
        break;
      }
    }
    peer.close(i % 4 == 2 || i % 8 == 7);
    ++t.init_closed;
    p.tick();
    if (i - first == count / 2)
      half.reach();
  }
  half.reach();
}

void bad_client(const mix_target& to, int i, std::mt19937& rng, tally& t) {
  raw_peer peer{to.port};
  // Generous: a loaded machine under sanitizers.
  auto deadline = steady::now() + 30s;
  auto name = to.prefix + "bad-" + std::to_string(i);
  auto kind = static_cast<size_t>(i) % bad_kinds;
  auto expect = [&](size_t messages) {
    switch (peer.await(messages, deadline)) {
      case raw_peer::outcome::answered:
        ++t.bad_answered[kind];
        break;
      case raw_peer::outcome::closed:
        ++t.bad_closed[kind];
        break;
      case raw_peer::outcome::timed_out:
        ++t.bad_ignored[kind];
        break;
    }
  };
  auto register_one = [&](register_event e) {
    peer.send(eventer::msg_register_req{{std::move(e)}}, false, deadline);
  };
  switch (kind) {
    case 0: {  // garbage in a whole frame of 50 bytes
      auto junk = random_bytes(rng, 52);
      junk[0] = 1;
      junk[1] = 50;
      peer.write(junk, deadline);
      expect(1);
      break;
    }
    case 1:  // a length field announcing 1 GiB
      peer.write(std::vector<char>{4, 0x40, 0, 0, 0}, deadline);
      expect(1);
      break;
    case 2:  // a register before init
      peer.send(eventer::msg_register_req{{json_event({"torture", "early"})}},
                false, deadline);
      expect(1);
      break;
    case 3: {  // an unknown message type after init
      peer.send_init(name, {}, deadline);
      std::vector<char> out;
      chatter::connection framer;
      framer.send(out, "HatEventer.MsgNoSuchThing", std::span<const char>{},
                  std::nullopt, true);
      peer.write(out, deadline);
      expect(2);
      break;
    }
    case 4:  // an event type with a '*' segment
      peer.send_init(name, {}, deadline);
      register_one(json_event({"torture", "*"}));
      expect(2);
      break;
    case 5:  // a JSON payload that is not JSON
      peer.send_init(name, {}, deadline);
      register_one(json_event({"torture", "json"}, "{abc"));
      expect(2);
      break;
    case 6: {  // microseconds out of range
      peer.send_init(name, {}, deadline);
      auto e = json_event({"torture", "us"});
      e.source_timestamp = timestamp{1, 1'500'000};
      register_one(e);
      expect(2);
      break;
    }
    case 7: {  // a valid init, then garbage in a frame of 288 bytes
      peer.send_init(name, {{"torture", "*"}}, deadline);
      auto junk = random_bytes(rng, 291);
      junk[0] = 2;
      junk[1] = 1;
      junk[2] = 0x20;
      peer.write(junk, deadline);
      expect(2);
      break;
    }
  }
  peer.close(i % 5 == 0);
}

void bad_input(const mix_target& to, int count, tally& t, progress& p) {
  std::mt19937 rng{10};
  for (int i = 0; i < count && !to.stopped(); ++i) {
    bad_client(to, i, rng, t);
    p.tick();
  }
}

void sleeper(const mix_target& to, int k, bool subscribe_all, int requests,
             milestone& start, milestone& release, tally& t) {
  raw_peer peer{to.port};
  auto deadline = steady::now() + 120s;
  std::vector<event_type> subs;
  if (subscribe_all)
    subs = {{"*"}};
  peer.send_init(to.prefix + "sleeper-" + std::to_string(k), subs,
                 deadline);
  start.wait(deadline);
  std::string blob(512, 's');
  query_timeseries_params everything;
  everything.max_results = 2000;
  for (int i = 0; i < requests && !to.stopped(); ++i) {
    // A short bound per write: a server that stops reading from a client
    // whose answers pile up does what it should.
    auto write_bound = steady::now() + 2s;
    bool ok = false;
    if (i % 3 == 0)
      ok = peer.send(eventer::msg_register_req{{json_event(
                       {"torture", "sleeper", std::to_string(k)},
                       "\"" + blob + "\"")}},
                     false, write_bound);
    else if (i % 3 == 1)
      ok = peer.send(eventer::msg_query_req{query_latest_params{}}, false,
                     write_bound);
    else
      ok = peer.send(eventer::msg_query_req{everything}, false, write_bound);
    if (!ok)
      break;
    ++t.sleeper_requests;
  }
  release.wait(deadline);
  peer.close(k % 2 == 1);
}

void partial_peer(const mix_target& to, int k, bool init,
                  milestone& release, tally& t) {
  raw_peer peer{to.port};
  auto deadline = steady::now() + 120s;
  if (init)
    peer.send_init(to.prefix + "partial-" + std::to_string(k), {}, deadline);
  constexpr uint32_t announced = 3 * 1024 * 1024;
  std::vector<char> bytes{4, static_cast<char>(announced >> 24),
                          static_cast<char>((announced >> 16) & 0xff),
                          static_cast<char>((announced >> 8) & 0xff),
                          static_cast<char>(announced & 0xff)};
  bytes.resize(bytes.size() + 2 * 1024 * 1024, 'p');
  if (peer.write(bytes, steady::now() + 10s))
    t.partial_bytes_sent += static_cast<long>(bytes.size());
  release.wait(deadline);
  peer.close();
}

std::map<std::string, presence>
eventer_presence(client::eventer_client& c, int64_t server_id,
                 const std::string& prefix, std::optional<timestamp> since) {
  std::map<std::string, presence> result;
  query_timeseries_params params;
  params.event_types = std::vector<event_type>{
    {"event", std::to_string(server_id), "eventer", "*"}};
  params.t_from = since;
  params.order = order::ascending;
  params.max_results = 5000;
  for (int page = 0; page < 10000; ++page) {
    auto answer = c.query(params);
    for (auto& e : answer.events) {
      auto& name = e.type.back();
      if (name.rfind(prefix, 0) != 0 || !e.payload)
        continue;
      auto json = std::get_if<payload_json>(&*e.payload);
      if (json && json->text == "\"CONNECTED\"")
        ++result[name].connected;
      else if (json && json->text == "\"DISCONNECTED\"")
        ++result[name].disconnected;
    }
    if (!answer.more_follows || answer.events.empty())
      break;
    params.last_event_id = answer.events.back().id;
  }
  return result;
}

int ghosts(const std::map<std::string, presence>& all) {
  int n = 0;
  for (auto& [name, p] : all)
    n += std::max(0, p.connected - p.disconnected);
  return n;
}

}  // namespace hat::torture
