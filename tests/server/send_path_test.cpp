// What a connection sends and what it leaves behind: no subscriber outlives
// its socket, everything sent counts against the send queue, a dropped
// client's socket is reset at once, SIGTERM does not wait for a client that
// does not read, everything accepted fits into a frame, and a client's own
// notification comes before its register answer.

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "actors/engine.hpp"
#include "actors/event_store.hpp"
#include "actors/eventer_listener.hpp"
#include "actors/listen_socket.hpp"
#include "actors/notify_fanout.hpp"
#include "client/tcp_socket.hpp"
#include "storage/memory_backend.hpp"
#include "tests/server/server_process.hpp"
#include "tests/temp_dir.hpp"

using namespace hat;
using namespace std::chrono_literals;

namespace {

/// AddressSanitizer keeps freed memory in quarantine (and maps shadow
/// memory): RSS does not go down after a free there.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool rss_falls_after_free = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool rss_falls_after_free = false;
#else
constexpr bool rss_falls_after_free = true;
#endif
#else
constexpr bool rss_falls_after_free = true;
#endif

/// A client speaking raw chatter: it sends what it is told and reads
/// nothing unless asked.
struct raw_client {
  int fd = -1;
  chatter::connection framer;

  explicit raw_client(uint16_t port) {
    fd = client::tcp::connect("127.0.0.1", port, chatter::clock::now() + 5s);
  }
  ~raw_client() {
    close();
  }
  void close() {
    if (fd >= 0)
      ::close(fd);
    fd = -1;
  }

  template <class Msg>
  bool send(const Msg& msg, bool last = false) {
    std::vector<char> out;
    framer.send(out, eventer::type_name_of<Msg>(), eventer::encoded_size(msg),
                [&](char* at) { eventer::encode_to(at, msg); }, std::nullopt,
                last);
    return client::tcp::write_all(fd, out) == 0;
  }

  bool init(std::string name, std::vector<event_type> subscriptions) {
    return send(eventer::msg_init_req{std::move(name), std::nullopt,
                                      std::move(subscriptions), std::nullopt,
                                      false});
  }

  /// Whether the server ended the connection (reset, or FIN) within
  /// `bound`, seen without reading what is queued.
  bool wait_end(std::chrono::milliseconds bound) {
    auto deadline = chatter::clock::now() + bound;
    while (chatter::clock::now() < deadline) {
      pollfd p{fd, POLLRDHUP, 0};
      if (::poll(&p, 1, 50) > 0
          && (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0)
        return true;
    }
    return false;
  }
};

/// A field of /proc/PID/status in kB (VmRSS, VmHWM).
long proc_status_kb(pid_t pid, const std::string& key) {
  std::ifstream in{"/proc/" + std::to_string(pid) + "/status"};
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(key + ":", 0) == 0)
      return std::stol(line.substr(key.size() + 1));
  return -1;
}

std::string server_yaml(const std::string& backend,
                        const std::string& eventer_extra) {
  return test::server_config_text("event-send", 7, "\n" + backend, "[]",
                                  eventer_extra);
}

std::unique_ptr<client::eventer_client>
connect_operational(uint16_t port, std::string name,
                    std::vector<event_type> subscriptions = {}) {
  client::client_options opts;
  opts.port = port;
  opts.client_name = std::move(name);
  opts.subscriptions = std::move(subscriptions);
  auto statuses = std::make_shared<test::inbox<status>>();
  opts.on_status = [statuses](status s) { statuses->push(s); };
  auto c = client::eventer_client::connect(opts);
  if (c->server_status() != status::operational)
    statuses->wait_until([](auto& all) {
      return !all.empty() && all.back() == status::operational;
    });
  return c;
}

/// Fan-out, memory store, engine and listener of server 4, built from the
/// actors so the test can ask the fan-out who is in it.
struct operational_eventer {
  test::networked_config caf_config;
  caf::actor_system system{caf_config};
  notify_fanout_actor fanout;
  event_store_actor store;
  engine_actor engine;
  caf::actor listener;
  uint16_t port = 0;

  operational_eventer() {
    fanout = system.spawn(notify_fanout, status::standby);
    store = system.spawn(event_store,
                         std::make_shared<storage::memory_backend>(), fanout,
                         event_store_options{});
    engine_config conf;
    conf.server_id = 4;
    conf.storage = store;
    conf.fanout = fanout;
    engine = system.spawn(hat::engine, conf);
    caf::anon_send(fanout, atom::status::value, status::operational, engine);
    eventer_settings settings;
    settings.server_id = 4;
    auto socket = open_listen_socket("127.0.0.1", 0);
    REQUIRE(socket);
    listener = system.middleman().spawn_broker(eventer_listener, *socket,
                                               settings, fanout, store);
    caf::scoped_actor self{system};
    self->request(listener, 5s, atom::get::value, atom::port::value)
      .receive([&](uint16_t p) { port = p; }, [](caf::error&) {});
  }

  ~operational_eventer() {
    caf::anon_send_exit(listener, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(engine, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(store, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(fanout, caf::exit_reason::user_shutdown);
  }

  client_names members() {
    caf::scoped_actor self{system};
    client_names names;
    self->request(fanout, 5s, atom::get::value, atom::clients::value)
      .receive([&](client_names& n) { names = std::move(n); },
               [](caf::error&) {});
    return names;
  }
};

}  // namespace

TEST_CASE("send path: clients closing during init leave no ghost behind") {
  operational_eventer ev;
  REQUIRE(ev.port != 0);
  auto seen = std::make_shared<test::inbox<event>>();
  client::client_options opts;
  opts.port = ev.port;
  opts.client_name = "watcher";
  opts.subscriptions = {{"event", "4", "eventer", "*"}};
  opts.on_events = [seen](std::vector<event> batch) {
    for (auto& e : batch)
      seen->push(std::move(e));
  };
  auto watcher = client::eventer_client::connect(opts);
  constexpr int n = 300;
  std::vector<std::unique_ptr<raw_client>> ghosts;
  for (int i = 0; i < n; ++i)
    ghosts.push_back(std::make_unique<raw_client>(ev.port));
  for (int i = 0; i < n; ++i)
    REQUIRE(ghosts[i]->init("ghost-" + std::to_string(i), {{"*"}}));
  // The engine runs the CONNECTED sessions one by one: once the first is
  // out, the others are at every stage of their init. All close now.
  REQUIRE(seen->wait_for_count(1, 10s));
  for (auto& ghost : ghosts)
    ghost->close();

  // The watcher is told of every CONNECTED and DISCONNECTED. CONNECTED
  // requests sent before the closes are all ahead of any DISCONNECTED in
  // the engine's queue, so the counts balance only once every ghost is
  // done; then the fan-out must hold nobody but the watcher.
  auto counts = [](const std::vector<event>& all) {
    std::pair<int, int> c{0, 0};
    for (auto& e : all) {
      if (e.type.size() != 4 || !e.type[3].starts_with("ghost-"))
        continue;
      auto& text = std::get<payload_json>(*e.payload).text;
      if (text == "\"CONNECTED\"")
        ++c.first;
      else if (text == "\"DISCONNECTED\"")
        ++c.second;
    }
    return c;
  };
  auto balanced = [&](const std::vector<event>& all) {
    auto [connected, disconnected] = counts(all);
    return connected > 0 && connected == disconnected;
  };
  bool clean = false;
  auto deadline = chatter::clock::now() + 10s;
  while (!clean && chatter::clock::now() < deadline) {
    seen->wait_until(balanced, 200ms);
    clean = balanced(seen->items()) && ev.members().size() == 1;
  }
  auto [connected, disconnected] = counts(seen->items());
  MESSAGE("CONNECTED ", connected, ", DISCONNECTED ", disconnected);
  CHECK(connected > 0);
  CHECK(connected == disconnected);
  CHECK(ev.members().size() == 1);
  CHECK(clean);
}

TEST_CASE("send path: a client's notification comes before its register "
          "answer") {
  test::server_harness harness;
  auto self_events = std::make_shared<test::inbox<event>>();
  auto opts = harness.options("self");
  opts.subscriptions = {{"self", "*"}};
  opts.on_events = [self_events](std::vector<event> batch) {
    for (auto& e : batch)
      self_events->push(std::move(e));
  };
  auto client = client::eventer_client::connect(opts);
  constexpr int iterations = 200;
  int notified_first = 0;
  for (int i = 0; i < iterations; ++i) {
    event_type type{"self", std::to_string(i)};
    auto answer = client->register_with_response({test::json_event(type)});
    REQUIRE(answer);
    // The reader thread runs callbacks in arrival order: the notification
    // is in the inbox when the answer is, if it came first.
    auto items = self_events->items();
    if (std::any_of(items.begin(), items.end(),
                    [&](auto& e) { return e.type == type; }))
      ++notified_first;
  }
  CHECK(notified_first == iterations);
}

TEST_CASE("send path: what is accepted fits into a frame, one byte more is "
          "refused") {
  constexpr size_t limit = 4096;
  auto conf = test::test_server_config();
  conf.eventer_server.max_frame_size = limit;
  test::server_harness harness{conf};
  auto sized = [&](std::string name) {
    auto opts = harness.options(std::move(name));
    opts.chatter.max_frame_size = limit;
    return opts;
  };
  auto sub_opts = sized("edge-subscriber");
  sub_opts.subscriptions = {{"edge", "*"}};
  auto sub = test::subscribe(harness, sub_opts);
  auto producer = client::eventer_client::connect(sized("edge-producer"));
  auto try_size = [&](size_t size) {
    return producer->register_with_response(
      {register_event{{"edge", std::to_string(size)}, std::nullopt,
                      payload_binary{"blob", std::string(size, 'x')}}});
  };
  // The largest accepted payload.
  size_t lo = 0;
  // A request this big still fits the server's own frame limit.
  size_t hi = limit - 100;
  REQUIRE(try_size(lo));
  REQUIRE_FALSE(try_size(hi));
  while (hi - lo > 1) {
    auto mid = (lo + hi) / 2;
    (try_size(mid) ? lo : hi) = mid;
  }
  MESSAGE("largest accepted payload: ", lo, " bytes of ", limit);
  // Refused requests are small enough to be read: the limit is on what
  // would be sent back, within a few hundred bytes of the frame limit.
  CHECK(lo + 300 > limit);
  CHECK(producer->is_open());
  // The largest accepted one reaches a subscriber with the same limit.
  CHECK(sub.events->wait_until([&](auto& all) {
    for (auto& e : all)
      if (e.type == event_type{"edge", std::to_string(lo)})
        return true;
    return false;
  }));
  CHECK(sub.client->is_open());
  // One byte more: failure, nothing stored.
  CHECK_FALSE(try_size(lo + 1));
  auto stored = producer->query(query_latest_params{
    std::vector<event_type>{{"edge", std::to_string(lo + 1)}}});
  CHECK(stored.events.empty());
  auto kept = producer->query(query_latest_params{
    std::vector<event_type>{{"edge", std::to_string(lo)}}});
  CHECK(kept.events.size() == 1);
  // A query answer too big for a frame: as many events as fit, and
  // moreFollows set; the client stays connected.
  auto all = producer->query(
    query_latest_params{std::vector<event_type>{{"edge", "*"}}});
  CHECK(all.more_follows);
  CHECK(all.events.size() >= 1);
  CHECK(producer->is_open());
  CHECK(sub.client->is_open());
}

TEST_CASE("send path: query answers count against the send queue, requests "
          "in flight are bounded") {
  auto conf = test::write_config(
    "send-queries.yaml",
    server_yaml("    module: hat.event.backends.memory\n",
                "    max_send_queue: 8388608\n"
                "    max_requests_in_flight: 8\n"));
  test::server_process server{{"--conf", conf.string()}};
  auto port = server.wait_port();
  REQUIRE(port != 0);
  auto producer = connect_operational(port, "filler");
  // 10,000 latest events: a "latest, all types" answer is about 1.3 MB.
  std::string payload = "\"" + std::string(100, 'p') + "\"";
  for (int batch = 0; batch < 10; ++batch) {
    std::vector<register_event> events;
    for (int i = 0; i < 1000; ++i)
      events.push_back(test::json_event(
        {"fill", std::to_string(batch * 1000 + i)}, payload));
    REQUIRE(producer->register_with_response(events));
  }
  auto baseline = proc_status_kb(server.pid(), "VmRSS");
  REQUIRE(baseline > 0);

  // 300 such queries (about 400 MB of answers), never read.
  raw_client sleeper{port};
  REQUIRE(sleeper.init("sleeper", {}));
  std::vector<char> out;
  eventer::msg_query_req all{query_latest_params{}};
  for (int i = 0; i < 300; ++i)
    sleeper.framer.send(out, eventer::type_name_of<eventer::msg_query_req>(),
                        eventer::encoded_size(all),
                        [&](char* at) { eventer::encode_to(at, all); },
                        std::nullopt, false);
  REQUIRE(client::tcp::write_all(sleeper.fd, out) == 0);

  // Another client is answered meanwhile.
  auto start = chatter::clock::now();
  auto one = producer->query(query_latest_params{
    std::vector<event_type>{{"fill", "1"}}});
  auto took = chatter::clock::now() - start;
  CHECK(one.events.size() == 1);
  CHECK(took < 2s);
  // The sleeper is dropped at the bound, and its socket ended.
  CHECK(server.logged("sleeper) closed: client does not read", 20s));
  CHECK(sleeper.wait_end(5s));
  auto peak = proc_status_kb(server.pid(), "VmHWM");
  MESSAGE("RSS before ", baseline / 1024, " MB, peak ", peak / 1024, " MB");
  CHECK(peak - baseline < 150 * 1024);
  CHECK(producer->is_open());
}

TEST_CASE("send path: a dropped slow consumer's socket is reset and its "
          "memory freed at once") {
  auto conf = test::write_config(
    "send-drop.yaml",
    server_yaml("    module: hat.event.backends.dummy\n",
                "    max_send_queue: 33554432\n"));
  test::server_process server{{"--conf", conf.string()}};
  auto port = server.wait_port();
  REQUIRE(port != 0);
  auto producer = connect_operational(port, "producer");
  raw_client sleeper{port};
  REQUIRE(sleeper.init("sleeper", {{"big", "*"}}));
  // In the fan-out once the server logged it initialised.
  REQUIRE(server.logged("(sleeper) initialised", 5s));
  auto baseline = proc_status_kb(server.pid(), "VmRSS");

  std::string big(100'000, 'x');
  bool dropped = false;
  for (int i = 0; i < 2000 && !dropped; ++i) {
    REQUIRE(producer->register_with_response(
      {register_event{{"big", std::to_string(i)}, std::nullopt,
                      payload_binary{"blob", big}}}));
    if (i % 10 == 9)
      dropped = server.logged("(sleeper) closed: client does not read",
                          0ms);
  }
  REQUIRE(server.logged("(sleeper) closed: client does not read", 5s));
  // Reset at once, not when the sleeper closes by itself.
  CHECK(sleeper.wait_end(5s));
  // Its buffers (tens of MB) are freed.
  if (!rss_falls_after_free)
    return;
  long rss = 0;
  auto deadline = chatter::clock::now() + 5s;
  do {
    rss = proc_status_kb(server.pid(), "VmRSS");
  } while (rss - baseline > 16 * 1024 && chatter::clock::now() < deadline
           && ::poll(nullptr, 0, 20) == 0);
  MESSAGE("RSS before ", baseline / 1024, " MB, after the drop ",
          rss / 1024, " MB");
  CHECK(rss - baseline < 16 * 1024);
  CHECK(producer->is_open());
}

/// Descriptors the process has open.
size_t open_fds(pid_t pid) {
  std::error_code ec;
  size_t n = 0;
  for (auto it = std::filesystem::directory_iterator(
         "/proc/" + std::to_string(pid) + "/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec))
    ++n;
  return n;
}

TEST_CASE("send path: a connection closed for an error right after an "
          "answer went out is reset, not left draining") {
  // One request at a time, so the bad message waits behind the query and
  // is worked on in the same turn as the query's answer goes out.
  auto conf = test::write_config(
    "send-error-close.yaml",
    server_yaml("    module: hat.event.backends.memory\n",
                "    max_requests_in_flight: 1\n"));
  test::server_process server{{"--conf", conf.string()}};
  auto port = server.wait_port();
  REQUIRE(port != 0);
  auto producer = connect_operational(port, "producer");
  // A "latest, all types" answer of ~16 MB: more than the kernel's socket
  // buffers take from a client that does not read.
  std::string big(400'000, 'x');
  for (int i = 0; i < 40; ++i)
    REQUIRE(producer->register_with_response(
      {register_event{{"big", std::to_string(i)}, std::nullopt,
                      payload_binary{"blob", big}}}));
  auto fds_before = open_fds(server.pid());

  raw_client hog{port};
  REQUIRE(hog.init("hog", {}));
  REQUIRE(server.logged("(hog) initialised", 5s));
  REQUIRE(hog.send(eventer::msg_query_req{query_latest_params{}}));
  // Unexpected once initialised: closes the connection.
  REQUIRE(hog.init("again", {}));
  REQUIRE(server.logged("(hog) closed: unexpected message", 10s));
  // Before: closed gracefully while CAF still held most of the answer, so
  // the socket stayed open (and the answer allocated) as long as the
  // client did not read: for ever.
  CHECK(hog.wait_end(5s));
  size_t fds = 0;
  auto deadline = chatter::clock::now() + 5s;
  do {
    fds = open_fds(server.pid());
  } while (fds > fds_before && chatter::clock::now() < deadline
           && ::poll(nullptr, 0, 20) == 0);
  CHECK(fds == fds_before);
  CHECK(producer->is_open());
}

TEST_CASE("send path: SIGTERM ends the server although a client does not "
          "read") {
  test::temp_dir dir;
  auto db = dir.path / "event.db";
  auto backend = "    module: lmdb\n"
                 "    db_path: " + db.string() + "\n"
                 "    identifier: null\n"
                 "    flush_period: 1\n"
                 "    cleanup_period: 5\n"
                 "    conditions: []\n"
                 "    latest: {subscriptions: [['*']]}\n"
                 "    timeseries:\n"
                 "        - {order_by: TIMESTAMP, subscriptions: [['*']]}\n";
  auto conf = test::write_config("send-sigterm.yaml",
                                 server_yaml(backend, ""));
  {
    test::server_process server{{"--conf", conf.string()}};
    auto port = server.wait_port();
    REQUIRE(port != 0);
    auto producer = connect_operational(port, "producer");
    raw_client sleeper{port};
    REQUIRE(sleeper.init("sleeper", {{"big", "*"}}));
    REQUIRE(server.logged("(sleeper) initialised", 5s));
    // 20 MB queued for the sleeper: far more than the socket buffers hold,
    // less than the send queue bound.
    std::string big(100'000, 'x');
    for (int i = 0; i < 200; ++i)
      REQUIRE(producer->register_with_response(
        {register_event{{"big", std::to_string(i)}, std::nullopt,
                        payload_binary{"blob", big}}}));
    auto start = chatter::clock::now();
    server.signal(SIGTERM);
    auto code = server.wait_exit(5s);
    REQUIRE(code);
    CHECK(*code == 0);
    MESSAGE("exit after ",
            std::chrono::duration_cast<std::chrono::milliseconds>(
              chatter::clock::now() - start)
              .count(),
            " ms");
  }
  // STOPPED was stored and flushed.
  test::server_process again{{"--conf", conf.string()}};
  auto port = again.wait_port();
  REQUIRE(port != 0);
  auto reader = connect_operational(port, "reader");
  query_timeseries_params params;
  params.event_types = std::vector<event_type>{{"event", "7", "engine"}};
  auto engine_events = reader->query(params);
  REQUIRE(engine_events.events.size() >= 2);
  // Newest first: this run's STARTED, then the last run's STOPPED.
  CHECK(std::get<payload_json>(*engine_events.events[1].payload).text
        == "\"STOPPED\"");
  again.signal(SIGTERM);
  CHECK(again.wait_exit(10s) == 0);
}
