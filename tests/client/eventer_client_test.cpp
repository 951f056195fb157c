// The blocking Eventer client against a fake Eventer server on a real TCP
// socket (127.0.0.1, ephemeral port): init, requests, notifications and
// their acks, Ping/Pong, keep-alive, concurrency, closing and timeouts.

#include <doctest/doctest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <set>
#include <thread>

#include "client/eventer_client.hpp"

using namespace hat;
using namespace hat::client;
using namespace std::chrono_literals;

namespace {

/// Bound on every wait for something that should happen at once.
constexpr auto wait_bound = 5s;

/// One message the fake received, as it was on the wire.
struct received {
  chatter::msg_header header;
  std::string type;
  /// Eventer messages only (not Ping/Pong, not unknown names).
  std::optional<eventer::message> msg;
};

struct fake_options {
  eventer::dialect dialect = eventer::dialect::current;
  std::optional<std::string> init_error;
  status init_status = status::operational;
  bool answer_init = true;
  bool answer_requests = true;
  bool answer_pings = true;
};

/// One fake_options field changed, e.g. with(&fake_options::init_error, ..).
/// (GCC 12 warns about designated initializers that skip members.)
template <class Field, class Value>
fake_options with(Field fake_options::*field, Value value) {
  fake_options options;
  options.*field = std::move(value);
  return options;
}

int listen_on_loopback(uint16_t& port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof address;
  auto* raw = reinterpret_cast<sockaddr*>(&address);
  REQUIRE(::bind(fd, raw, size) == 0);
  REQUIRE(::listen(fd, 4) == 0);
  REQUIRE(::getsockname(fd, raw, &size) == 0);
  port = ntohs(address.sin_port);
  return fd;
}

/// The registered form of a register_event: ids make each answer unique,
/// the type is echoed so callers can check they got their own answer.
event registered(const register_event& request, int64_t session,
                 int64_t instance) {
  return event{{1, session, instance},
               request.type,
               {session, 0},
               request.source_timestamp,
               request.payload};
}

/// A fake Eventer server for one client: answers as `fake_options` says,
/// records everything it receives and pushes what a test asks for.
class fake_server {
public:
  explicit fake_server(fake_options options = {})
    : options_(std::move(options)),
      listen_fd_(listen_on_loopback(port_)), thread_([this] { run(); }) {
  }

  ~fake_server() {
    {
      std::lock_guard lock{mutex_};
      stopping_ = true;
    }
    ::shutdown(listen_fd_, SHUT_RDWR);
    drop();
    thread_.join();
    ::close(listen_fd_);
    if (client_fd_ >= 0)
      ::close(client_fd_);
  }

  client_options client(std::chrono::milliseconds timeout = 5s) const {
    client_options options;
    options.port = port_;
    options.dialect = options_.dialect;
    options.timeout = timeout;
    return options;
  }

  /// Sends `msg` in a new server-owned conversation; returns its id.
  template <class Msg>
  int64_t push(const Msg& msg, bool last = true) {
    auto d = options_.dialect;
    std::lock_guard lock{mutex_};
    out_.clear();
    auto conv = conn_.send(
      out_, eventer::type_name_of<Msg>(), eventer::encoded_size(msg, d),
      [&](char* at) { eventer::encode_to(at, msg, d); }, std::nullopt, last);
    flush();
    return conv.first_id;
  }

  /// Sends an empty message of any type name in a new conversation.
  int64_t push_raw(std::string_view type, bool last = true) {
    std::lock_guard lock{mutex_};
    out_.clear();
    auto conv = conn_.send(out_, type, {}, std::nullopt, last);
    flush();
    return conv.first_id;
  }

  int64_t ping() {
    return push_raw(chatter::ping_type, false);
  }

  /// Ends the client connection as a server going away would.
  void drop() {
    std::lock_guard lock{mutex_};
    if (client_fd_ >= 0)
      ::shutdown(client_fd_, SHUT_RDWR);
  }

  /// Waits until `done(log)` holds; false when wait_bound passes first.
  bool wait_for(std::function<bool(const std::vector<received>&)> done) {
    std::unique_lock lock{mutex_};
    return changed_.wait_for(lock, wait_bound, [&] { return done(log_); });
  }

  /// Waits for a message of `type` in the conversation `first` that the
  /// client did not own, i.e. an answer to our message `first`.
  std::optional<received> wait_answer(std::string_view type, int64_t first) {
    std::optional<received> found;
    wait_for([&](const std::vector<received>& log) {
      for (auto& msg : log)
        if (msg.type == type && msg.header.first == first
            && !msg.header.owner)
          found = msg;
      return found.has_value();
    });
    return found;
  }

  /// Waits for the n-th (1-based) message of `type`.
  std::optional<received> wait_type(std::string_view type, size_t n = 1) {
    std::optional<received> found;
    wait_for([&](const std::vector<received>& log) {
      size_t seen = 0;
      for (auto& msg : log)
        if (msg.type == type && ++seen == n)
          found = msg;
      return found.has_value();
    });
    return found;
  }

  size_t count(std::string_view type) {
    std::lock_guard lock{mutex_};
    return std::count_if(log_.begin(), log_.end(),
                         [&](auto& msg) { return msg.type == type; });
  }

  bool wait_peer_closed() {
    std::unique_lock lock{mutex_};
    return changed_.wait_for(lock, wait_bound, [&] { return peer_closed_; });
  }

private:
  void run() {
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0)
      return;
    {
      std::lock_guard lock{mutex_};
      client_fd_ = fd;
      // Accepted after the destructor's drop(): nobody would end serve().
      if (stopping_)
        return;
    }
    serve(fd);
    std::lock_guard lock{mutex_};
    peer_closed_ = true;
    changed_.notify_all();
  }

  void serve(int fd) {
    chatter::frame_decoder decoder;
    std::vector<char> buffer(64 * 1024);
    for (;;) {
      auto got = ::recv(fd, buffer.data(), buffer.size(), 0);
      if (got <= 0)
        return;
      auto error = decoder.feed(
        std::span{buffer.data(), static_cast<size_t>(got)},
        [&](std::span<const char> body) { return on_frame(body); });
      if (error)
        return;
    }
  }

  bool on_frame(std::span<const char> body) {
    auto msg = chatter::decode_msg(body);
    if (!msg)
      return false;
    received entry{msg->header, std::string{msg->type}, std::nullopt};
    auto decoded =
      eventer::decode_message(msg->type, msg->data, options_.dialect);
    if (decoded)
      entry.msg = std::move(*decoded);
    std::lock_guard lock{mutex_};
    answer(entry);
    log_.push_back(std::move(entry));
    changed_.notify_all();
    return true;
  }

  /// Called with mutex_ held.
  void answer(const received& in) {
    chatter::conversation conv{false, in.header.first};
    if (in.type == chatter::ping_type && options_.answer_pings)
      send_locked(chatter::pong_type, conv);
    if (!in.msg)
      return;
    if (std::holds_alternative<eventer::msg_init_req>(*in.msg))
      answer_init(conv);
    if (!options_.answer_requests || in.header.last)
      return;
    if (auto* req = std::get_if<eventer::msg_register_req>(&*in.msg))
      send_locked(register_answer(*req), conv);
    if (auto* req = std::get_if<eventer::msg_query_req>(&*in.msg))
      send_locked(query_answer(*req), conv);
  }

  void answer_init(chatter::conversation conv) {
    if (options_.answer_init)
      send_locked(eventer::msg_init_res{options_.init_error,
                                        options_.init_status},
                  conv);
  }

  /// A first event typed {"fail"} asks for the `failure` answer.
  eventer::msg_register_res
  register_answer(const eventer::msg_register_req& req) {
    if (!req.events.empty() && req.events[0].type == event_type{"fail"})
      return {std::nullopt};
    std::vector<event> events;
    ++session_;
    for (auto& request : req.events)
      events.push_back(registered(request, session_,
                                  static_cast<int64_t>(events.size()) + 1));
    return {std::move(events)};
  }

  /// Server queries are answered with one event of the asked server, so
  /// concurrent callers can tell their answers apart.
  static eventer::msg_query_res
  query_answer(const eventer::msg_query_req& req) {
    int64_t server = 7;
    if (auto* params = std::get_if<query_server_params>(&req.params))
      server = params->server_id;
    event answer{{server, 2, 3}, {"a", "b"}, {10, 20}, std::nullopt,
                 payload_json{"{\"x\": 1}"}};
    return {query_result{{answer}, true}};
  }

  template <class Msg>
  void send_locked(const Msg& msg, chatter::conversation conv) {
    auto d = options_.dialect;
    out_.clear();
    conn_.send(
      out_, eventer::type_name_of<Msg>(), eventer::encoded_size(msg, d),
      [&](char* at) { eventer::encode_to(at, msg, d); }, conv, true);
    flush();
  }

  void send_locked(std::string_view type, chatter::conversation conv) {
    out_.clear();
    conn_.send(out_, type, {}, conv, true);
    flush();
  }

  /// Called with mutex_ held; a vanished client is not the fake's problem.
  void flush() {
    for (size_t sent = 0; client_fd_ >= 0 && sent < out_.size();) {
      auto n = ::send(client_fd_, out_.data() + sent, out_.size() - sent,
                      MSG_NOSIGNAL);
      if (n <= 0)
        return;
      sent += static_cast<size_t>(n);
    }
  }

  fake_options options_;
  uint16_t port_ = 0;
  int listen_fd_;
  std::mutex mutex_;
  std::condition_variable changed_;
  int client_fd_ = -1;
  chatter::connection conn_;
  std::vector<char> out_;
  std::vector<received> log_;
  bool peer_closed_ = false;
  bool stopping_ = false;
  int64_t session_ = 0;
  std::thread thread_;
};

/// What the client's callbacks saw, waited on with a bound.
struct callback_log {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<status> statuses;
  std::vector<std::vector<event>> batches;

  void install(client_options& options) {
    options.on_status = [this](status s) {
      std::lock_guard lock{mutex};
      statuses.push_back(s);
      changed.notify_all();
    };
    options.on_events = [this](std::vector<event> events) {
      std::lock_guard lock{mutex};
      batches.push_back(std::move(events));
      changed.notify_all();
    };
  }

  bool wait_for(std::function<bool()> done) {
    std::unique_lock lock{mutex};
    return changed.wait_for(lock, wait_bound, done);
  }
};

register_event json_event(event_type type, std::string json) {
  return register_event{std::move(type), timestamp{5, 6},
                        payload_json{std::move(json)}};
}

template <class Msg>
const Msg* as(const std::optional<received>& in) {
  REQUIRE(in);
  REQUIRE(in->msg);
  return std::get_if<Msg>(&*in->msg);
}

}  // namespace

TEST_CASE("client: init introduces the client and learns the status") {
  fake_server server{with(&fake_options::init_status, status::starting)};
  auto options = server.client();
  options.client_name = "tester";
  options.client_token = "secret";
  options.subscriptions = {{"a", "*"}, {"b", "?"}};
  options.server_id = 3;
  options.persisted = true;
  auto client = eventer_client::connect(options);
  CHECK(client->is_open());
  CHECK(client->server_status() == status::starting);

  auto init = server.wait_type("HatEventer.MsgInitReq");
  auto* req = as<eventer::msg_init_req>(init);
  REQUIRE(req);
  CHECK(*req == eventer::msg_init_req{"tester", "secret",
                                      options.subscriptions, 3, true});
  // The first message of the connection, opening a conversation it keeps.
  CHECK(init->header == chatter::msg_header{1, 1, true, true, false});
}

TEST_CASE("client: a refused init throws the server's text and closes") {
  std::string refusal = "client tester not allowed";
  fake_server server{with(&fake_options::init_error, refusal)};
  CHECK_THROWS_WITH_AS(eventer_client::connect(server.client()),
                       refusal.c_str(), client_error);
  CHECK(server.wait_peer_closed());
}

TEST_CASE("client: register without response is one last=true message") {
  fake_server server;
  auto client = eventer_client::connect(server.client());
  std::vector<register_event> events{json_event({"x", "1"}, "1"),
                                     {{"x", "2"}, std::nullopt,
                                      payload_binary{"bin", {"\0\1", 2}}}};
  client->register_events(events);
  auto got = server.wait_type("HatEventer.MsgRegisterReq");
  auto* req = as<eventer::msg_register_req>(got);
  REQUIRE(req);
  CHECK(req->events == events);
  CHECK(got->header.owner);
  CHECK(got->header.first == got->header.id);
  CHECK(got->header.last);
}

TEST_CASE("client: register with response waits for its events") {
  fake_server server;
  auto client = eventer_client::connect(server.client());
  std::vector<register_event> events{json_event({"x", "1"}, "[1]"),
                                     json_event({"x", "2"}, "[2]")};
  auto answer = client->register_with_response(events);
  REQUIRE(answer);
  REQUIRE(answer->size() == 2);
  CHECK((*answer)[0] == registered(events[0], 1, 1));
  CHECK((*answer)[1] == registered(events[1], 1, 2));
  auto got = server.wait_type("HatEventer.MsgRegisterReq");
  REQUIRE(got);
  CHECK_FALSE(got->header.last);

  SUBCASE("failure is an empty answer") {
    CHECK_FALSE(client->register_with_response({json_event({"fail"}, "0")}));
  }
  SUBCASE("async") {
    auto future = client->register_with_response_async(events);
    REQUIRE(future.wait_for(wait_bound) == std::future_status::ready);
    auto again = future.get();
    REQUIRE(again);
    CHECK((*again)[1] == registered(events[1], 2, 2));
  }
}

TEST_CASE("client: batches larger than a read chunk go both ways") {
  fake_server server;
  auto client = eventer_client::connect(server.client());
  std::vector<register_event> events;
  for (int i = 0; i < 3000; ++i)
    events.push_back(json_event({"big", std::to_string(i)},
                                "\"" + std::string(100, 'x') + "\""));
  auto answer = client->register_with_response(events);
  REQUIRE(answer);
  REQUIRE(answer->size() == events.size());
  CHECK(answer->back() == registered(events.back(), 1, 3000));
  auto got = server.wait_type("HatEventer.MsgRegisterReq");
  auto* req = as<eventer::msg_register_req>(got);
  REQUIRE(req);
  CHECK(req->events == events);
}

TEST_CASE("client: query round trip") {
  fake_server server;
  auto client = eventer_client::connect(server.client());
  query_timeseries_params params;
  params.event_types = std::vector<event_type>{{"a", "*"}};
  params.t_from = timestamp{1, 2};
  params.order = order::ascending;
  params.max_results = 10;
  auto result = client->query(params);
  REQUIRE(result.events.size() == 1);
  CHECK(result.events[0].id == event_id{7, 2, 3});
  CHECK(result.events[0].payload == event_payload{payload_json{"{\"x\": 1}"}});
  CHECK(result.more_follows);

  auto got = server.wait_type("HatEventer.MsgQueryReq");
  auto* req = as<eventer::msg_query_req>(got);
  REQUIRE(req);
  CHECK(req->params == query_params{params});
  CHECK(got->header.first == got->header.id);
  CHECK_FALSE(got->header.last);

  auto future = client->query_async(query_server_params{42, true, 5, {}});
  REQUIRE(future.wait_for(wait_bound) == std::future_status::ready);
  CHECK(future.get().events.at(0).id.server == 42);
}

TEST_CASE("client: status and events notifications reach the callbacks") {
  fake_server server;
  callback_log seen;
  auto options = server.client();
  seen.install(options);
  auto client = eventer_client::connect(options);
  CHECK(client->server_status() == status::operational);

  server.push(eventer::msg_status_notify{status::stopping});
  std::vector<event> events{registered(json_event({"e"}, "1"), 4, 1),
                            registered(json_event({"f"}, "2"), 4, 2)};
  server.push(eventer::msg_events_notify{events});
  REQUIRE(seen.wait_for([&] { return seen.batches.size() == 1; }));
  std::lock_guard lock{seen.mutex};
  CHECK(seen.statuses == std::vector<status>{status::stopping});
  CHECK(seen.batches[0] == events);
  CHECK(client->server_status() == status::stopping);
}

TEST_CASE("client: events notify with last=false is acked (current)") {
  fake_server server;
  callback_log seen;
  auto options = server.client();
  seen.install(options);
  auto client = eventer_client::connect(options);

  server.push(eventer::msg_events_notify{}, true);
  auto wanted = server.push(eventer::msg_events_notify{}, false);
  auto ack = server.wait_answer("HatEventer.MsgEventsAck", wanted);
  REQUIRE(ack);
  CHECK(ack->header.last);
  CHECK(as<eventer::msg_events_ack>(ack));
  // The notify with last=true got none: acks come in order.
  CHECK(server.count("HatEventer.MsgEventsAck") == 1);
  // Acked after the callback, as the reference does.
  std::lock_guard lock{seen.mutex};
  CHECK(seen.batches.size() == 2);
}

TEST_CASE("client: status notify with last=false is acked (v0.9.0)") {
  fake_server server{with(&fake_options::dialect, eventer::dialect::v0_9_0)};
  callback_log seen;
  auto options = server.client();
  seen.install(options);
  auto client = eventer_client::connect(options);

  // v0.9.0 has no MsgEventsAck: this one must stay unanswered.
  server.push(eventer::msg_events_notify{}, false);
  auto wanted = server.push(eventer::msg_status_notify{status::standby},
                            false);
  auto ack = server.wait_answer("HatEventer.MsgStatusAck", wanted);
  REQUIRE(ack);
  CHECK(ack->header.last);
  CHECK(as<eventer::msg_status_ack>(ack));
  CHECK(server.count("HatEventer.MsgEventsAck") == 0);
  CHECK(client->server_status() == status::standby);
  std::lock_guard lock{seen.mutex};
  CHECK(seen.statuses == std::vector<status>{status::standby});
}

TEST_CASE("client: a server ping is answered with a pong") {
  fake_server server;
  auto client = eventer_client::connect(server.client());
  auto ping = server.ping();
  auto pong = server.wait_answer(chatter::pong_type, ping);
  REQUIRE(pong);
  CHECK(pong->header.last);
  CHECK(client->is_open());
}

TEST_CASE("client: keep-alive pings and gives up without an answer") {
  auto keepalive = [](client_options options, auto ping_timeout) {
    options.chatter.ping_delay = 30ms;
    options.chatter.ping_timeout = ping_timeout;
    return options;
  };
  SUBCASE("answered pings keep the connection") {
    fake_server server;
    // A generous timeout: a slow machine must not turn pongs late.
    auto client = eventer_client::connect(keepalive(server.client(), 2s));
    // A third ping means the first two pongs counted as liveness.
    auto ping = server.wait_type(chatter::ping_type, 3);
    REQUIRE(ping);
    CHECK(ping->header.owner);
    CHECK(ping->header.first == ping->header.id);
    CHECK_FALSE(ping->header.last);
    CHECK(client->is_open());
  }
  SUBCASE("unanswered pings close") {
    fake_server server{with(&fake_options::answer_pings, false)};
    auto client =
      eventer_client::connect(keepalive(server.client(), 150ms));
    CHECK(client->wait_closed(wait_bound));
    CHECK(server.count(chatter::ping_type) == 1);
    CHECK(server.wait_peer_closed());
  }
}

TEST_CASE("client: concurrent requests keep their conversations apart") {
  fake_server server;
  auto client = eventer_client::connect(server.client());
  constexpr int threads = 4;
  constexpr int rounds = 50;
  std::atomic<int> right{0};
  // A query and a register in flight per thread; true when both answers
  // are the thread's own.
  auto round = [&](int thread, int i) {
    event_type type{"t", std::to_string(thread), std::to_string(i)};
    int64_t server_id = thread * 1000 + i;
    auto pending =
      client->query_async(query_server_params{server_id, false, {}, {}});
    auto answer = client->register_with_response({json_event(type, "0")});
    return answer && answer->size() == 1 && (*answer)[0].type == type
           && pending.wait_for(wait_bound) == std::future_status::ready
           && pending.get().events.at(0).id.server == server_id;
  };
  // Stops at the first wrong answer or error: counted as missing below.
  auto work = [&](int thread) {
    try {
      for (int i = 0; i < rounds && round(thread, i); ++i)
        right += 2;
    } catch (const std::exception&) {
    }
  };
  std::vector<std::thread> workers;
  for (int thread = 0; thread < threads; ++thread)
    workers.emplace_back(work, thread);
  for (auto& worker : workers)
    worker.join();
  CHECK(right == threads * rounds * 2);
  // Every request opened its own conversation.
  std::set<int64_t> firsts;
  server.wait_for([&](const std::vector<received>& log) {
    for (auto& msg : log)
      if (msg.type != "HatEventer.MsgInitReq")
        firsts.insert(msg.header.first);
    return true;
  });
  CHECK(firsts.size() == threads * rounds * 2);
}

TEST_CASE("client: the server closing fails pending requests") {
  fake_server server{with(&fake_options::answer_requests, false)};
  auto client = eventer_client::connect(server.client());
  auto pending = client->query_async(query_latest_params{});
  REQUIRE(server.wait_type("HatEventer.MsgQueryReq"));
  server.drop();
  REQUIRE(pending.wait_for(wait_bound) == std::future_status::ready);
  CHECK_THROWS_AS(pending.get(), client_error);
  CHECK(client->wait_closed(wait_bound));
  CHECK_FALSE(client->is_open());
  CHECK_THROWS_AS(client->query(query_latest_params{}), client_error);
  CHECK_THROWS_AS(client->query_async(query_latest_params{}), client_error);
}

TEST_CASE("client: an unknown message type closes the connection") {
  fake_server server{with(&fake_options::answer_requests, false)};
  auto client = eventer_client::connect(server.client());
  auto pending = client->register_with_response_async({});
  REQUIRE(server.wait_type("HatEventer.MsgRegisterReq"));
  server.push_raw("HatEventer.MsgNonsense");
  CHECK(client->wait_closed(wait_bound));
  REQUIRE(pending.wait_for(wait_bound) == std::future_status::ready);
  CHECK_THROWS_AS(pending.get(), client_error);
  CHECK(server.wait_peer_closed());
}

TEST_CASE("client: close is idempotent and fails pending requests") {
  fake_server server{with(&fake_options::answer_requests, false)};
  auto client = eventer_client::connect(server.client());
  auto pending = client->query_async(query_latest_params{});
  client->close();
  client->close();
  CHECK_FALSE(client->is_open());
  CHECK(client->wait_closed(0ms));
  REQUIRE(pending.wait_for(0ms) == std::future_status::ready);
  CHECK_THROWS_AS(pending.get(), client_error);
  CHECK_THROWS_AS(client->register_events({}), client_error);
  CHECK(server.wait_peer_closed());
}

TEST_CASE("client: callbacks may request asynchronously, not block") {
  fake_server server;
  std::atomic<eventer_client*> self{nullptr};
  std::promise<std::future<query_result>> from_callback;
  std::promise<std::string> blocking_error;
  auto options = server.client();
  options.on_status = [&](status) {
    try {
      self.load()->query(query_latest_params{});
      blocking_error.set_value("no error");
    } catch (const client_error& e) {
      blocking_error.set_value(e.what());
    }
    from_callback.set_value(self.load()->query_async(query_latest_params{}));
  };
  auto client = eventer_client::connect(options);
  self = client.get();
  server.push(eventer::msg_status_notify{status::standby});
  auto error = blocking_error.get_future();
  REQUIRE(error.wait_for(wait_bound) == std::future_status::ready);
  CHECK(error.get() == "blocking call from a callback would deadlock");
  auto outer = from_callback.get_future();
  REQUIRE(outer.wait_for(wait_bound) == std::future_status::ready);
  auto inner = outer.get();
  REQUIRE(inner.wait_for(wait_bound) == std::future_status::ready);
  CHECK(inner.get().more_follows);
}

TEST_CASE("client: a callback may close the client") {
  fake_server server;
  std::atomic<eventer_client*> self{nullptr};
  auto options = server.client();
  options.on_events = [&](std::vector<event>) { self.load()->close(); };
  auto client = eventer_client::connect(options);
  self = client.get();
  server.push(eventer::msg_events_notify{});
  CHECK(client->wait_closed(wait_bound));
  CHECK(server.wait_peer_closed());
  client->close();
  CHECK_FALSE(client->is_open());
}

TEST_CASE("client: connecting to a closed port fails") {
  uint16_t port = 0;
  ::close(listen_on_loopback(port));
  client_options options;
  options.port = port;
  CHECK_THROWS_AS(eventer_client::connect(options), client_error);
}

TEST_CASE("client: unanswered init and requests time out") {
  SUBCASE("init") {
    fake_server server{with(&fake_options::answer_init, false)};
    auto start = std::chrono::steady_clock::now();
    CHECK_THROWS_WITH_AS(eventer_client::connect(server.client(200ms)),
                         "timeout waiting for MsgInitRes", client_error);
    CHECK(std::chrono::steady_clock::now() - start >= 200ms);
  }
  SUBCASE("requests") {
    fake_server server{with(&fake_options::answer_requests, false)};
    auto client = eventer_client::connect(server.client(200ms));
    auto start = std::chrono::steady_clock::now();
    CHECK_THROWS_WITH_AS(client->query(query_latest_params{}),
                         "timeout waiting for MsgQueryRes", client_error);
    CHECK_THROWS_WITH_AS(client->register_with_response({}),
                         "timeout waiting for MsgRegisterRes", client_error);
    CHECK(std::chrono::steady_clock::now() - start >= 400ms);
    CHECK(client->is_open());
  }
}
