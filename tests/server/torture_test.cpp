// Torture: the real executable under connection churn, early closes,
// clients that never read, partial frames and bad input, all at once, while
// good clients (the client library) register, query and subscribe. Numbers
// decide: every good request answered and every event notified, every
// CONNECTED followed by its DISCONNECTED, memory back near where it started
// once the bad clients are gone, and the server still answers and stops.

#include <doctest/doctest.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <fcntl.h>
#include <map>
#include <mutex>
#include <poll.h>
#include <random>
#include <set>
#include <sys/socket.h>
#include <unistd.h>

#include "client/tcp_socket.hpp"
#include "tests/server/server_process.hpp"

using namespace hat;
using namespace std::chrono_literals;
using steady = chatter::clock;
using test::json_event;

namespace {

constexpr int64_t server_id = 7;
constexpr size_t max_send_queue = 1024 * 1024;
constexpr size_t max_frame_size = 4 * 1024 * 1024;

// The mix. Sized so that what leaks per connection, what a ghost keeps
// and what a non-reader makes the server hold are each far above the
// bounds below, and so that it runs in seconds under sanitizers.
constexpr int plain_churn = 8000;   // connect, close (FIN or RST)
constexpr int init_churn = 1500;    // connect, MsgInitReq, close at once
constexpr int sleepers = 4;         // init, then requests, never read
constexpr int sleeper_requests = 120;
constexpr int partial_peers = 4;    // 2 MiB of a 3 MiB frame, then silence
constexpr int bad_rounds = 16;      // 8 kinds of bad input in turn

// What the server may keep once every torture client is gone: the events
// the mix legitimately stored (two per initialised client, the good
// clients' events) and allocator slack. Today each connection ever made
// keeps ~2 KB (8,000+ connections: > 16 MB).
constexpr long settle_margin_kib = 12 * 1024;
// What it may hold while the torture runs: every non-reader at most
// max_send_queue plus what is in flight, the partial frames, the stored
// events. Today unread query answers are not bounded at all.
constexpr long peak_margin_kib = 64 * 1024;

std::string torture_config() {
  return "name: event-torture\n"
         "server_id: " + std::to_string(server_id) + "\n"
         "backend: {module: memory}\n"
         "modules: []\n"
         "eventer_server:\n"
         "    host: 127.0.0.1\n"
         "    port: 0\n"
         "    max_frame_size: " + std::to_string(max_frame_size) + "\n"
         "    max_send_queue: " + std::to_string(max_send_queue) + "\n"
         "log: {version: 1, root: {level: INFO}}\n";
}

/// VmRSS of process `pid` in KiB (0 when it cannot be read).
long rss_kib(pid_t pid) {
  std::ifstream in{"/proc/" + std::to_string(pid) + "/status"};
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0)
      return std::atol(line.c_str() + 6);
  return 0;
}

/// Under AddressSanitizer freed memory sits in a quarantine (256 MB by
/// default) before it is reused: a small one for the server, so that what
/// it frees shows in its RSS as in a release build. No effect otherwise.
class small_asan_quarantine {
public:
  small_asan_quarantine() {
    if (auto old = std::getenv("ASAN_OPTIONS"))
      old_ = old;
    auto value = old_ ? *old_ + ":" : std::string{};
    ::setenv("ASAN_OPTIONS", (value + "quarantine_size_mb=4").c_str(), 1);
  }
  ~small_asan_quarantine() {
    if (old_)
      ::setenv("ASAN_OPTIONS", old_->c_str(), 1);
    else
      ::unsetenv("ASAN_OPTIONS");
  }

private:
  std::optional<std::string> old_;
};

/// A point in the run that threads wait for, with a bound.
class milestone {
public:
  void reach() {
    {
      std::lock_guard<std::mutex> guard{mutex_};
      reached_ = true;
    }
    changed_.notify_all();
  }
  bool wait(steady::time_point deadline) {
    std::unique_lock<std::mutex> lock{mutex_};
    return changed_.wait_until(lock, deadline, [this] { return reached_; });
  }

private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool reached_ = false;
};

/// How far the torture got (good clients pace their rounds on it rather
/// than on time) and which torture clients the server announced as
/// CONNECTED (seen by a subscriber to its eventer events).
class progress {
public:
  void tick() {
    {
      std::lock_guard<std::mutex> guard{mutex_};
      ++ops_;
    }
    changed_.notify_all();
  }
  void connected(std::string name) {
    {
      std::lock_guard<std::mutex> guard{mutex_};
      connected_.insert(std::move(name));
    }
    changed_.notify_all();
  }
  void finish() {
    {
      std::lock_guard<std::mutex> guard{mutex_};
      over_ = true;
    }
    changed_.notify_all();
  }
  bool over() {
    std::lock_guard<std::mutex> guard{mutex_};
    return over_;
  }
  /// Until `n` torture operations are done or the torture is over.
  void wait_ops(long n, steady::time_point deadline) {
    std::unique_lock<std::mutex> lock{mutex_};
    changed_.wait_until(lock, deadline, [&] { return over_ || ops_ >= n; });
  }
  /// Until the server announced `name` as CONNECTED.
  bool wait_connected(const std::string& name, steady::time_point deadline) {
    std::unique_lock<std::mutex> lock{mutex_};
    return changed_.wait_until(lock, deadline,
                               [&] { return connected_.count(name) > 0; });
  }

private:
  std::mutex mutex_;
  std::condition_variable changed_;
  long ops_ = 0;
  bool over_ = false;
  std::set<std::string> connected_;
};

/// A raw non-blocking TCP peer that writes whatever it is told (never
/// blocking past a deadline: a server that stops reading from it is
/// allowed) and decodes what the server sends, answering pings.
class raw_peer {
public:
  enum class outcome { answered, closed, timed_out };

  explicit raw_peer(uint16_t port)
    : fd_(client::tcp::connect("127.0.0.1", port, steady::now() + 30s)) {
    ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) | O_NONBLOCK);
  }
  ~raw_peer() {
    close();
  }
  raw_peer(const raw_peer&) = delete;
  raw_peer& operator=(const raw_peer&) = delete;

  /// Closes with FIN, or with RST when `reset`.
  void close(bool reset = false) {
    if (fd_ < 0)
      return;
    if (reset) {
      ::linger option{1, 0};
      ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &option, sizeof option);
    }
    ::close(fd_);
    fd_ = -1;
  }

  /// True when every byte went out before the deadline.
  bool write(std::span<const char> bytes, steady::time_point deadline) {
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

  template <class Msg>
  bool send(const Msg& msg, bool last, steady::time_point deadline) {
    std::vector<char> out;
    chatter_.send(out, eventer::type_name_of<Msg>(),
                  eventer::encoded_size(msg),
                  [&](char* at) { eventer::encode_to(at, msg); },
                  std::nullopt, last);
    return write(out, deadline);
  }

  bool send_init(const std::string& name, std::vector<event_type> subs,
                 steady::time_point deadline) {
    return send(eventer::msg_init_req{name, std::nullopt, std::move(subs),
                                      std::nullopt, false},
                false, deadline);
  }

  /// Reads until `count` application messages arrived in all, the server
  /// closed, or the deadline passed.
  outcome await(size_t count, steady::time_point deadline) {
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
        std::span<const char>{buf, static_cast<size_t>(n)}, steady::now(),
        out, [this](const chatter::received_msg&) {
          ++received_;
          return true;
        });
      if (error)
        return outcome::closed;  // counted by the caller as not answered
      if (!out.empty())
        write(out, deadline);
    }
    return outcome::answered;
  }

private:
  bool wait_for(short events, steady::time_point deadline) {
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

  int fd_;
  chatter::connection chatter_;
  size_t received_ = 0;
};

/// What the torture threads did, read by the test body.
struct tally {
  std::atomic<int> plain{0};
  std::atomic<int> init_closed{0};
  /// Per kind of bad input: closed by the server, answered, neither
  /// within 10 s.
  std::array<std::atomic<int>, 8> bad_closed{};
  std::array<std::atomic<int>, 8> bad_answered{};
  std::array<std::atomic<int>, 8> bad_ignored{};
  std::atomic<int> sleeper_requests{0};
  std::atomic<int> partial_bytes_sent{0};
  std::mutex mutex;
  std::vector<std::string> errors;

  void error(std::string what) {
    std::lock_guard<std::mutex> guard{mutex};
    errors.push_back(std::move(what));
  }
};

void plain_churn_loop(uint16_t port, int count, tally& t, progress& p) {
  for (int i = 0; i < count; ++i) {
    raw_peer peer{port};
    peer.close(i % 2 == 1);
    ++t.plain;
    p.tick();
  }
}

/// Clients subscribed to everything that close, with FIN or RST: right
/// after sending MsgInitReq; as soon as the server announced them
/// CONNECTED (so while it is still joining them to the notifications); or
/// after their init answer.
void init_churn_loop(uint16_t port, int first, int count, tally& t,
                     progress& p, milestone& half) {
  for (int i = first; i < first + count; ++i) {
    raw_peer peer{port};
    auto deadline = steady::now() + 10s;
    auto name = "torture-churn-" + std::to_string(i);
    peer.send_init(name, {{"*"}}, deadline);
    switch (i % 4) {
      case 1:
      case 2:
        if (!p.wait_connected(name, deadline))
          t.error(name + ": never announced CONNECTED");
        break;
      case 3:
        if (peer.await(1, deadline) != raw_peer::outcome::answered)
          t.error(name + ": no init answer");
        break;
    }
    peer.close(i % 4 == 2 || i % 8 == 7);
    ++t.init_closed;
    p.tick();
    if (i - first == count / 2)
      half.reach();
  }
  half.reach();
}

std::vector<char> random_bytes(std::mt19937& rng, size_t n) {
  std::vector<char> bytes(n);
  for (auto& c : bytes)
    c = static_cast<char>(rng());
  return bytes;
}

/// One bad client of kind i % 8. Each either gets closed by the server or
/// gets an answer (for input that later fixes may answer with a failure
/// result instead of closing); then it closes itself.
void bad_client(uint16_t port, int i, std::mt19937& rng, tally& t) {
  raw_peer peer{port};
  auto deadline = steady::now() + 10s;
  auto name = "torture-bad-" + std::to_string(i);
  auto kind = static_cast<size_t>(i % 8);
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
    case 0: {  // garbage in a frame of 50 bytes
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
    case 7: {  // a valid init, then garbage after it
      peer.send_init(name, {{"torture", "*"}}, deadline);
      auto junk = random_bytes(rng, 300);
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

void bad_input_loop(uint16_t port, int count, tally& t, progress& p) {
  std::mt19937 rng{10};
  for (int i = 0; i < count; ++i) {
    bad_client(port, i, rng, t);
    p.tick();
  }
}

/// Initialises (some subscribed to everything), then sends register and
/// "everything" queries and never reads; holds the socket until `release`.
void sleeper(uint16_t port, int k, milestone& start, milestone& release,
             tally& t) {
  raw_peer peer{port};
  auto deadline = steady::now() + 60s;
  std::vector<event_type> subs;
  if (k % 2 == 0)
    subs = {{"*"}};
  peer.send_init("torture-sleeper-" + std::to_string(k), subs, deadline);
  start.wait(deadline);
  std::string blob(512, 's');
  query_timeseries_params everything;
  everything.max_results = 2000;
  for (int i = 0; i < sleeper_requests; ++i) {
    // A short bound per write: a server that stops reading from a client
    // whose answers pile up is what we want.
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

/// Announces a 3 MiB frame, sends 2 MiB of it and goes silent until
/// `release`.
void partial_peer(uint16_t port, int k, milestone& release, tally& t) {
  raw_peer peer{port};
  auto deadline = steady::now() + 60s;
  if (k % 2 == 0)
    peer.send_init("torture-partial-" + std::to_string(k), {}, deadline);
  constexpr uint32_t announced = 3 * 1024 * 1024;
  std::vector<char> bytes{4, static_cast<char>(announced >> 24),
                          static_cast<char>((announced >> 16) & 0xff),
                          static_cast<char>((announced >> 8) & 0xff),
                          static_cast<char>(announced & 0xff)};
  bytes.resize(bytes.size() + 2 * 1024 * 1024, 'p');
  if (peer.write(bytes, steady::now() + 10s))
    t.partial_bytes_sent += static_cast<int>(bytes.size());
  release.wait(deadline);
  peer.close();
}

client::client_options good_options(uint16_t port, std::string name) {
  client::client_options opts;
  opts.port = port;
  opts.client_name = std::move(name);
  // Generous: a loaded 2-core machine under sanitizers.
  opts.timeout = 30s;
  return opts;
}

struct presence {
  int connected = 0;
  int disconnected = 0;
};

/// CONNECTED/DISCONNECTED counts per client name from the server's eventer
/// events, for names starting with "torture-".
std::map<std::string, presence> torture_presence(client::eventer_client& c) {
  std::map<std::string, presence> result;
  query_timeseries_params params;
  params.event_types = std::vector<event_type>{
    {"event", std::to_string(server_id), "eventer", "*"}};
  params.order = order::ascending;
  params.max_results = 5000;
  for (int page = 0; page < 1000; ++page) {
    auto answer = c.query(params);
    for (auto& e : answer.events) {
      auto& name = e.type.back();
      if (name.rfind("torture-", 0) != 0)
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

/// Names whose CONNECTED has no DISCONNECTED (each counted once per
/// missing DISCONNECTED).
int ghosts(const std::map<std::string, presence>& all) {
  int n = 0;
  for (auto& [name, p] : all)
    n += std::max(0, p.connected - p.disconnected);
  return n;
}

}  // namespace

TEST_CASE("torture: churn, early closes, non-readers, partial frames and "
          "bad input at once; good clients served, no ghost, memory back") {
  small_asan_quarantine quarantine;
  auto conf = test::write_config("torture.yaml", torture_config());
  test::server_process server{{"--conf", conf.string()}};
  auto port = server.wait_port();
  REQUIRE(port != 0);
  auto pid = server.pid();
  progress prog;

  test::subscriber watcher;
  {
    auto opts = good_options(port, "good-subscriber");
    opts.subscriptions = {{"good", "*"}};
    opts.on_events = [events = watcher.events](std::vector<event> batch) {
      for (auto& e : batch)
        events->push(std::move(e));
    };
    watcher.client = client::eventer_client::connect(opts);
  }
  std::unique_ptr<client::eventer_client> spy;
  {
    auto opts = good_options(port, "good-spy");
    opts.subscriptions = {{"event", std::to_string(server_id), "eventer",
                           "*"}};
    opts.on_events = [&prog](std::vector<event> batch) {
      for (auto& e : batch) {
        auto json = e.payload ? std::get_if<payload_json>(&*e.payload)
                              : nullptr;
        if (json && json->text == "\"CONNECTED\"")
          prog.connected(e.type.back());
      }
    };
    spy = client::eventer_client::connect(opts);
  }
  auto checker = client::eventer_client::connect(
    good_options(port, "good-checker"));

  // Warm-up: a little of every kind, so that the baseline includes what
  // the allocator and the runtime set up once.
  tally warm;
  {
    progress warm_prog;
    milestone half, now;
    now.reach();
    plain_churn_loop(port, 200, warm, warm_prog);
    init_churn_loop(port, 100000, 40, warm, prog, half);
    std::mt19937 rng{1};
    for (int i = 0; i < 16; ++i)
      bad_client(port, 100000 + i, rng, warm);
    sleeper(port, 100000, now, now, warm);
    partial_peer(port, 100000, now, warm);
    REQUIRE(checker->register_with_response({json_event({"warm"})}));
  }
  REQUIRE(warm.errors.empty());
  auto baseline = rss_kib(pid);
  REQUIRE(baseline > 0);

  tally t;
  milestone half_churned, torture_over;
  std::atomic<long> peak{baseline};
  auto sample = [&] {
    auto now = rss_kib(pid);
    auto seen = peak.load();
    while (now > seen && !peak.compare_exchange_weak(seen, now)) {
    }
  };

  // Good clients: two producers and a querier, their rounds spread over
  // the torture by its progress.
  constexpr long torture_ops = plain_churn + init_churn + bad_rounds;
  constexpr int producer_rounds = 300;
  constexpr int querier_rounds = 100;
  std::mutex ids_mutex;
  std::set<event_id> registered;
  std::atomic<int> register_failures{0}, query_failures{0}, answered{0};
  std::atomic<int> queries{0};
  std::atomic<long> slowest_ms{0};
  auto note_latency = [&](steady::time_point started) {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                steady::now() - started)
                .count();
    auto seen = slowest_ms.load();
    while (ms > seen && !slowest_ms.compare_exchange_weak(seen, ms)) {
    }
  };
  auto pace_deadline = steady::now() + 120s;
  auto producer = [&](int k) {
    try {
      auto c = client::eventer_client::connect(
        good_options(port, "good-producer-" + std::to_string(k)));
      for (int round = 0; round < producer_rounds; ++round) {
        prog.wait_ops(round * torture_ops / producer_rounds, pace_deadline);
        std::vector<register_event> batch;
        for (int j = 0; j < 4; ++j)
          batch.push_back(json_event(
            {"good", std::to_string(k), std::to_string((round * 4 + j) % 64)},
            std::to_string(round)));
        auto started = steady::now();
        auto events = c->register_with_response(batch);
        note_latency(started);
        sample();
        if (!events || events->size() != batch.size()) {
          ++register_failures;
          continue;
        }
        std::lock_guard<std::mutex> guard{ids_mutex};
        for (size_t j = 0; j < batch.size(); ++j) {
          if ((*events)[j].type != batch[j].type)
            ++register_failures;
          registered.insert((*events)[j].id);
        }
        ++answered;
      }
    } catch (const std::exception& e) {
      t.error(std::string{"producer: "} + e.what());
      ++register_failures;
    }
  };
  auto querier = [&] {
    try {
      auto c = client::eventer_client::connect(
        good_options(port, "good-querier"));
      for (int round = 0; round < querier_rounds; ++round) {
        prog.wait_ops(round * torture_ops / querier_rounds, pace_deadline);
        auto started = steady::now();
        auto latest = c->query(query_latest_params{
          std::vector<event_type>{{"good", "*"}}});
        query_timeseries_params ts;
        ts.event_types = std::vector<event_type>{{"good", "*"}};
        ts.max_results = 20;
        auto recent = c->query(ts);
        note_latency(started);
        sample();
        queries += 2;
        if (latest.events.size() > 128 || recent.events.size() > 20)
          ++query_failures;
        for (auto& e : latest.events)
          if (e.type.empty() || e.type[0] != "good")
            ++query_failures;
      }
    } catch (const std::exception& e) {
      t.error(std::string{"querier: "} + e.what());
      ++query_failures;
    }
  };

  auto started = steady::now();
  std::vector<std::thread> good;
  good.emplace_back(producer, 0);
  good.emplace_back(producer, 1);
  good.emplace_back(querier);

  std::array<std::atomic<long>, 4> thread_ms{};
  auto guarded = [&t, &thread_ms](auto body, size_t slot = 0) {
    return [&t, &thread_ms, body, slot] {
      auto begun = steady::now();
      try {
        body();
      } catch (const std::exception& e) {
        t.error(e.what());
      }
      thread_ms[slot] = std::chrono::duration_cast<std::chrono::milliseconds>(
                          steady::now() - begun)
                          .count();
    };
  };
  std::vector<std::thread> torture;
  for (int n = 0; n < 2; ++n)
    torture.emplace_back(
      guarded([&] { plain_churn_loop(port, plain_churn / 2, t, prog); },
              n));
  torture.emplace_back(guarded(
    [&] { init_churn_loop(port, 0, init_churn, t, prog, half_churned); },
    2));
  torture.emplace_back(
    guarded([&] { bad_input_loop(port, bad_rounds, t, prog); }, 3));
  std::vector<std::thread> holders;
  for (int k = 0; k < sleepers; ++k)
    holders.emplace_back(guarded(
      [&, k] { sleeper(port, k, half_churned, torture_over, t); }));
  for (int k = 0; k < partial_peers; ++k)
    holders.emplace_back(
      guarded([&, k] { partial_peer(port, k, torture_over, t); }));

  for (auto& th : torture)
    th.join();
  auto churn_seconds
    = std::chrono::duration<double>(steady::now() - started).count();
  sample();
  torture_over.reach();
  for (auto& th : holders)
    th.join();
  prog.finish();
  for (auto& th : good)
    th.join();
  auto torture_seconds
    = std::chrono::duration<double>(steady::now() - started).count();

  // Every good registration answered, every event notified.
  std::vector<event_id> expected;
  {
    std::lock_guard<std::mutex> guard{ids_mutex};
    expected.assign(registered.begin(), registered.end());
  }
  bool all_notified = watcher.events->wait_for_count(expected.size(), 30s);
  std::set<event_id> notified;
  for (auto& e : watcher.events->items())
    notified.insert(e.id);

  // No ghost: every torture client's CONNECTED gets its DISCONNECTED.
  std::map<std::string, presence> seen;
  auto ghost_deadline = steady::now() + 20s;
  for (;;) {
    seen = torture_presence(*checker);
    if (ghosts(seen) == 0 || steady::now() > ghost_deadline)
      break;
    std::this_thread::sleep_for(200ms);  // poll interval, bounded above
  }
  int connected = 0, disconnected = 0, doubled = 0;
  for (auto& [name, p] : seen) {
    connected += p.connected;
    disconnected += p.disconnected;
    doubled += p.connected > 1 || p.disconnected > p.connected ? 1 : 0;
  }

  // Memory settles back once the bad clients are gone.
  long settled = rss_kib(pid);
  auto settle_deadline = steady::now() + 10s;
  while (settled > baseline + settle_margin_kib
         && steady::now() < settle_deadline) {
    std::this_thread::sleep_for(200ms);  // poll interval, bounded above
    settled = rss_kib(pid);
  }

  int bad_closed = 0, bad_answered = 0;
  std::string per_kind;
  for (size_t k = 0; k < 8; ++k) {
    bad_closed += t.bad_closed[k];
    bad_answered += t.bad_answered[k];
    per_kind += " " + std::to_string(k) + ":" + std::to_string(t.bad_closed[k])
                + "/" + std::to_string(t.bad_answered[k]) + "/"
                + std::to_string(t.bad_ignored[k]);
  }
  MESSAGE("torture: churn and bad input ", churn_seconds, " s, all ",
          torture_seconds, " s; ", t.plain.load(), " plain churn, ",
          t.init_closed.load(), " init churn, ", t.sleeper_requests.load(),
          " unread requests, ", t.partial_bytes_sent.load(),
          " partial-frame bytes; threads (plain, plain, init, bad) ",
          thread_ms[0].load(), " ", thread_ms[1].load(), " ",
          thread_ms[2].load(), " ", thread_ms[3].load(), " ms");
  MESSAGE("bad input per kind (closed/answered/ignored):", per_kind);
  MESSAGE("good: ", answered.load(), " registrations answered (",
          expected.size(), " events), ", notified.size(), " notified, ",
          queries.load(), " queries, slowest request ", slowest_ms.load(),
          " ms");
  MESSAGE("eventer events of torture clients: ", connected, " CONNECTED, ",
          disconnected, " DISCONNECTED, ", ghosts(seen), " ghosts");
  MESSAGE("RSS KiB: baseline ", baseline, ", peak ", peak.load(), " (+",
          peak.load() - baseline, "), after ", settled, " (+",
          settled - baseline, ")");
  for (auto& e : t.errors)
    MESSAGE("torture client error: ", e);

  CHECK(t.errors.empty());
  CHECK(t.plain == plain_churn);
  CHECK(t.init_closed == init_churn);
  CHECK(bad_closed + bad_answered == bad_rounds);
  CHECK(register_failures == 0);
  CHECK(query_failures == 0);
  CHECK(answered == 2 * producer_rounds);
  CHECK(queries == 2 * querier_rounds);
  CHECK(all_notified);
  CHECK(notified == std::set<event_id>(expected.begin(), expected.end()));
  CHECK(connected >= init_churn / 2);
  CHECK(ghosts(seen) == 0);
  CHECK(doubled == 0);
  CHECK(peak.load() - baseline <= peak_margin_kib);
  CHECK(settled - baseline <= settle_margin_kib);

  // Still alive and responsive, and it stops when asked.
  CHECK_FALSE(server.wait_exit(0ms));
  auto late = client::eventer_client::connect(good_options(port, "late"));
  auto reg = late->register_with_response({json_event({"good", "late"})});
  REQUIRE(reg);
  CHECK(reg->size() == 1);
  auto found = late->query(query_latest_params{
    std::vector<event_type>{{"good", "late"}}});
  CHECK(found.events.size() == 1);
  late->close();
  spy->close();
  watcher.client->close();
  checker->close();
  server.signal(SIGTERM);
  CHECK(server.wait_exit(15s) == std::optional<int>{0});
}
