#include "client/eventer_client.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>
#include <utility>
#include <variant>

#include "client/tcp_socket.hpp"

// Threading. The reader thread owns the receive side and runs the on_status
// and on_events callbacks. A callback may call register_events, the *_async
// requests, server_status, is_open and close(); the blocking requests throw
// client_error there at once rather than wait for the very thread that has
// to deliver their answer. A callback must not destroy the client.
//
// Locks: send_mutex (chatter ids + socket write) may be held while taking
// pending_mutex, never the other way round; callbacks run with no lock.

namespace hat::client {
namespace {

using chatter::clock;

constexpr size_t read_chunk_size = 64 * 1024;

using register_promise = std::promise<std::optional<std::vector<event>>>;
using query_promise = std::promise<query_result>;
/// A request waiting for its answer, keyed by its request number.
using pending_request = std::variant<register_promise, query_promise>;

eventer::client_session_options session_options(const client_options& o) {
  return {
    eventer::msg_init_req{o.client_name, o.client_token, o.subscriptions,
                          o.server_id, o.persisted},
    o.dialect,
    o.chatter,
  };
}

}  // namespace

struct eventer_client::state {
  state(client_options options, int fd)
    : options(std::move(options)),
      fd(fd),
      session(session_options(this->options)) {
  }

  ~state() {
    if (fd >= 0)
      ::close(fd);
  }

  void init(clock::time_point deadline);
  void run_reader();
  void close();

  /// Sends what `send(session, out)` appends; with `promise`, that
  /// promise waits for the answer to the request number send returned.
  template <class Send>
  void send(Send&& send);
  template <class Result, class Send>
  std::pair<int64_t, std::future<Result>> request(Send&& send);

  template <class Result>
  Result await(std::pair<int64_t, std::future<Result>> request,
               std::string_view answer);

  client_options options;
  /// Changed only by close() once the reader has been joined, so the
  /// reader reads it without a lock.
  int fd;
  std::thread reader;
  std::atomic<status> current_status{status::standby};
  /// News that arrived in the same read as MsgInitRes.
  std::vector<eventer::client_news> backlog;

  /// One lock for the protocol state (message ids, requests) and the
  /// socket write, so frames reach the wire in id order and never
  /// interleave.
  std::mutex send_mutex;
  eventer::client_session session;
  std::vector<char> out;

  std::mutex pending_mutex;
  std::condition_variable closed_cv;
  std::map<int64_t, pending_request> pending;
  bool open = true;

  /// Serialises close() calls.
  std::mutex close_mutex;

private:
  void write_out();
  std::vector<eventer::client_news> receive(std::span<const char> bytes);
  bool read_once(std::vector<char>& buffer);
  bool check_keepalive();
  void teardown(const std::string& reason);
  std::optional<pending_request> take_pending(int64_t id);
  void forget(int64_t id);
  void dispatch(eventer::client_news& news);
  void acknowledge(const eventer::client_news& news);

  template <class Promise, class Result>
  void complete(int64_t request, Result&& result);
};

namespace {

/// Set on the reader thread: blocking calls from callbacks would wait for
/// the thread that has to deliver their answer.
thread_local const eventer_client::state* reader_of = nullptr;

void require_not_reader(const eventer_client::state* state) {
  if (reader_of == state)
    throw client_error("blocking call from a callback would deadlock");
}

}  // namespace

template <class Send>
void eventer_client::state::send(Send&& send) {
  std::lock_guard lock{send_mutex};
  if (fd < 0)
    throw client_error("connection closed");
  out.clear();
  send(session, out);
  write_out();
}

template <class Result, class Send>
std::pair<int64_t, std::future<Result>>
eventer_client::state::request(Send&& send) {
  std::promise<Result> promise;
  auto future = promise.get_future();
  std::lock_guard lock{send_mutex};
  if (fd < 0)
    throw client_error("connection closed");
  out.clear();
  int64_t id = 0;
  {
    // Registered before the bytes leave: the answer may beat send() back.
    std::lock_guard pending_lock{pending_mutex};
    if (!open)
      throw client_error("connection closed");
    id = send(session, out);
    pending.emplace(id, std::move(promise));
  }
  write_out();
  return {id, std::move(future)};
}

void eventer_client::state::write_out() {
  if (int error = tcp::write_all(fd, out)) {
    // A partial frame leaves the stream unusable: let the reader end it.
    ::shutdown(fd, SHUT_RDWR);
    throw client_error("send failed: " + tcp::error_text(error));
  }
}

template <class Result>
Result eventer_client::state::await(
  std::pair<int64_t, std::future<Result>> request, std::string_view answer) {
  auto& [id, future] = request;
  if (future.wait_for(options.timeout) != std::future_status::ready) {
    forget(id);
    throw client_error("timeout waiting for " + std::string{answer});
  }
  return future.get();
}

void eventer_client::state::init(clock::time_point deadline) {
  send([](eventer::client_session& session, std::vector<char>& out) {
    session.start(out);
  });
  std::vector<char> buffer(read_chunk_size);
  while (!session.has_init_answer()) {
    int ready = tcp::wait_readable(fd, deadline);
    if (ready == 0)
      throw client_error("timeout waiting for MsgInitRes");
    ssize_t got = -1;
    if (ready > 0)
      got = ::recv(fd, buffer.data(), buffer.size(), 0);
    if (got < 0 && errno == EINTR)
      continue;
    if (got <= 0)
      throw client_error("connection closed before MsgInitRes");
    auto news = receive({buffer.data(), static_cast<size_t>(got)});
    backlog.insert(backlog.end(), std::make_move_iterator(news.begin()),
                   std::make_move_iterator(news.end()));
  }
  // The session hands the init answer out first, and only once.
  auto& answer = std::get<eventer::init_answered>(backlog.front());
  if (answer.error)
    throw client_error(*answer.error);
  current_status = answer.status;
  backlog.erase(backlog.begin());
}

std::vector<eventer::client_news>
eventer_client::state::receive(std::span<const char> bytes) {
  std::vector<eventer::client_news> news;
  std::lock_guard lock{send_mutex};
  out.clear();
  auto error = session.receive(bytes, clock::now(), out, news);
  if (!out.empty())
    write_out();  // Pongs, in the order their ids were given.
  if (error)
    throw client_error(error->to_string());
  return news;
}

void eventer_client::state::run_reader() {
  reader_of = this;
  std::vector<char> buffer(read_chunk_size);
  std::string reason = "connection closed";
  try {
    for (auto& news : std::exchange(backlog, {}))
      dispatch(news);
    while (read_once(buffer)) {
    }
  } catch (const std::exception& e) {
    reason = std::string{"connection closed: "} + e.what();
  }
  teardown(reason);
}

/// Waits for bytes or the keep-alive deadline; false once the stream ends.
bool eventer_client::state::read_once(std::vector<char>& buffer) {
  clock::time_point deadline;
  {
    std::lock_guard lock{send_mutex};
    deadline = session.next_keepalive_check();
  }
  int ready = tcp::wait_readable(fd, deadline);
  if (ready < 0)
    return false;
  if (ready == 0)
    return check_keepalive();
  auto got = ::recv(fd, buffer.data(), buffer.size(), 0);
  if (got < 0 && errno == EINTR)
    return true;
  if (got <= 0)
    return false;
  for (auto& news : receive({buffer.data(), static_cast<size_t>(got)}))
    dispatch(news);
  return true;
}

bool eventer_client::state::check_keepalive() {
  std::lock_guard lock{send_mutex};
  out.clear();
  auto action = session.check_keepalive(clock::now(), out);
  if (action == chatter::keepalive_action::timed_out)
    throw client_error("no answer to ping");
  if (!out.empty())
    write_out();
  return true;
}

/// Ends the connection from the reader: the socket, then every request
/// still waiting, then whoever waits for the close.
void eventer_client::state::teardown(const std::string& reason) {
  ::shutdown(fd, SHUT_RDWR);
  std::map<int64_t, pending_request> failed;
  {
    std::lock_guard lock{pending_mutex};
    open = false;
    failed.swap(pending);
  }
  auto error = std::make_exception_ptr(client_error(reason));
  for (auto& [id, request] : failed)
    std::visit([&](auto& promise) { promise.set_exception(error); },
               request);
  closed_cv.notify_all();
}

std::optional<pending_request>
eventer_client::state::take_pending(int64_t id) {
  std::lock_guard lock{pending_mutex};
  auto found = pending.find(id);
  if (found == pending.end())
    return std::nullopt;
  auto request = std::move(found->second);
  pending.erase(found);
  return request;
}

/// The caller gave up waiting: the session drops the answer when it comes.
void eventer_client::state::forget(int64_t id) {
  {
    std::lock_guard lock{send_mutex};
    session.forget(id);
  }
  take_pending(id);
}

void eventer_client::state::dispatch(eventer::client_news& news) {
  if (auto* changed = std::get_if<eventer::status_changed>(&news)) {
    current_status = changed->status;
    if (options.on_status)
      options.on_status(changed->status);
    if (changed->ack)
      acknowledge(news);
  } else if (auto* arrived = std::get_if<eventer::events_arrived>(&news)) {
    if (options.on_events)
      options.on_events(std::move(arrived->events));
    if (arrived->ack)
      acknowledge(news);
  } else if (auto* answer = std::get_if<eventer::register_answered>(&news)) {
    complete<register_promise>(answer->request, std::move(answer->events));
  } else if (auto* answer = std::get_if<eventer::query_answered>(&news)) {
    complete<query_promise>(answer->request, std::move(answer->result));
  }
}

/// After the callback, as the reference does.
void eventer_client::state::acknowledge(const eventer::client_news& news) {
  send([&](eventer::client_session& session, std::vector<char>& out) {
    session.acknowledge(out, news);
  });
}

template <class Promise, class Result>
void eventer_client::state::complete(int64_t request, Result&& result) {
  auto waiting = take_pending(request);
  // No request: it timed out just now and its caller has given up.
  if (!waiting)
    return;
  // The session checked the answer's kind against the request's.
  std::get<Promise>(*waiting).set_value(std::forward<Result>(result));
}

void eventer_client::state::close() {
  // From a callback: the reader ends by itself and the destructor joins it.
  // No close_mutex here: its holder may be joining this very thread.
  if (reader_of == this) {
    ::shutdown(fd, SHUT_RDWR);
    return;
  }
  std::lock_guard close_lock{close_mutex};
  if (fd < 0)
    return;
  ::shutdown(fd, SHUT_RDWR);
  if (reader.joinable())
    reader.join();
  std::lock_guard send_lock{send_mutex};
  ::close(fd);
  fd = -1;
}

std::unique_ptr<eventer_client>
eventer_client::connect(client_options options) {
  auto deadline = clock::now() + options.timeout;
  int fd = tcp::connect(options.host, options.port, deadline);
  auto state = std::make_unique<eventer_client::state>(std::move(options),
                                                       fd);
  state->init(deadline);
  std::unique_ptr<eventer_client> client{
    new eventer_client(std::move(state))};
  auto* started = client->state_.get();
  started->reader = std::thread([started] { started->run_reader(); });
  return client;
}

eventer_client::eventer_client(std::unique_ptr<state> state)
  : state_(std::move(state)) {
}

eventer_client::~eventer_client() {
  close();
}

status eventer_client::server_status() const {
  return state_->current_status;
}

void eventer_client::register_events(
  const std::vector<register_event>& events) {
  state_->send([&](eventer::client_session& session, std::vector<char>& out) {
    session.send_register(out, events, false);
  });
}

namespace {

auto register_request(eventer_client::state& state,
                      const std::vector<register_event>& events) {
  return state.request<std::optional<std::vector<event>>>(
    [&](eventer::client_session& session, std::vector<char>& out) {
      return session.send_register(out, events, true);
    });
}

auto query_request(eventer_client::state& state, const query_params& params) {
  return state.request<query_result>(
    [&](eventer::client_session& session, std::vector<char>& out) {
      return session.send_query(out, params);
    });
}

}  // namespace

std::future<std::optional<std::vector<event>>>
eventer_client::register_with_response_async(
  const std::vector<register_event>& events) {
  return register_request(*state_, events).second;
}

std::optional<std::vector<event>> eventer_client::register_with_response(
  const std::vector<register_event>& events) {
  require_not_reader(state_.get());
  return state_->await(register_request(*state_, events), "MsgRegisterRes");
}

std::future<query_result>
eventer_client::query_async(const query_params& params) {
  return query_request(*state_, params).second;
}

query_result eventer_client::query(const query_params& params) {
  require_not_reader(state_.get());
  return state_->await(query_request(*state_, params), "MsgQueryRes");
}

bool eventer_client::is_open() const {
  std::lock_guard lock{state_->pending_mutex};
  return state_->open;
}

bool eventer_client::wait_closed(std::chrono::milliseconds timeout) {
  std::unique_lock lock{state_->pending_mutex};
  return state_->closed_cv.wait_for(lock, timeout,
                                    [&] { return !state_->open; });
}

void eventer_client::close() {
  state_->close();
}

}  // namespace hat::client
