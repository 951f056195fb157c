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
#include "protocol/sbs_writer.hpp"

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

/// Writes MsgRegisterReq (Array(RegisterEvent)) straight from the caller's
/// events rather than copying them into a msg_register_req first.
struct register_req_writer {
  const std::vector<register_event>& events;
  eventer::dialect dialect;

  size_t size() const {
    size_t size = sbs::integer_size(static_cast<int64_t>(events.size()));
    for (auto& event : events)
      size += eventer::encoded_size(event, dialect);
    return size;
  }

  void operator()(char* at) const {
    sbs::raw_sink sink{at};
    sbs::put_count(sink, events.size());
    at = sink.pos;
    for (auto& event : events)
      at = eventer::encode_to(at, event, dialect);
  }
};

using register_promise = std::promise<std::optional<std::vector<event>>>;
using query_promise = std::promise<query_result>;
/// A request waiting for its answer, keyed by its conversation.
using pending_request = std::variant<register_promise, query_promise>;

/// A decoded application message and the chatter facts dispatch needs.
struct incoming {
  chatter::conversation conv;
  bool last = true;
  eventer::message msg;
};

}  // namespace

struct eventer_client::state {
  state(client_options options, int fd)
    : options(std::move(options)), fd(fd), conn(this->options.chatter) {
  }

  ~state() {
    if (fd >= 0)
      ::close(fd);
  }

  void init(clock::time_point deadline);
  void run_reader();
  void close();

  template <class Write, class OnConv>
  chatter::conversation send_frame(std::string_view type, size_t size,
                                   Write&& write,
                                   std::optional<chatter::conversation> conv,
                                   bool last, OnConv&& on_conv);

  template <class Msg>
  chatter::conversation send_msg(const Msg& msg,
                                 std::optional<chatter::conversation> conv,
                                 bool last) {
    return send_frame(
      eventer::type_name_of<Msg>(), eventer::encoded_size(msg, dialect()),
      [&](char* at) { eventer::encode_to(at, msg, dialect()); }, conv,
      last, [](chatter::conversation) {});
  }

  template <class Result, class Write>
  std::pair<int64_t, std::future<Result>>
  request(std::string_view type, size_t size, Write&& write);

  template <class Result>
  Result await(std::pair<int64_t, std::future<Result>> request,
               std::string_view answer);

  eventer::dialect dialect() const {
    return options.dialect;
  }

  client_options options;
  /// Changed only by close() once the reader has been joined, so the
  /// reader reads it without a lock.
  int fd;
  std::thread reader;
  std::atomic<status> current_status{status::standby};
  /// Messages that arrived in the same read as MsgInitRes.
  std::vector<incoming> backlog;

  /// One lock for the chatter state (message ids) and the socket write, so
  /// frames reach the wire in id order and never interleave.
  std::mutex send_mutex;
  chatter::connection conn;
  std::vector<char> out;

  std::mutex pending_mutex;
  std::condition_variable closed_cv;
  std::map<int64_t, pending_request> pending;
  bool open = true;

  /// Serialises close() calls.
  std::mutex close_mutex;

private:
  void write_out();
  std::vector<incoming> receive(std::span<const char> bytes);
  bool read_once(std::vector<char>& buffer);
  bool check_keepalive();
  void teardown(const std::string& reason);
  std::optional<pending_request> take_pending(int64_t id);
  void forget(int64_t id);
  void dispatch(incoming& in);

  void on_message(const incoming& in, eventer::msg_status_notify& msg);
  void on_message(const incoming& in, eventer::msg_events_notify& msg);
  void on_message(const incoming& in, eventer::msg_register_res& msg);
  void on_message(const incoming& in, eventer::msg_query_res& msg);
  template <class Msg>
  void on_message(const incoming&, Msg&) {
    throw client_error("unexpected "
                       + std::string{eventer::type_name_of<Msg>()});
  }

  template <class Promise, class Result>
  void complete(const incoming& in, Result&& result);
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

template <class Write, class OnConv>
chatter::conversation eventer_client::state::send_frame(
  std::string_view type, size_t size, Write&& write,
  std::optional<chatter::conversation> conv, bool last, OnConv&& on_conv) {
  std::lock_guard lock{send_mutex};
  if (fd < 0)
    throw client_error("connection closed");
  out.clear();
  auto sent = conn.send(out, type, size, write, conv, last);
  on_conv(sent);
  write_out();
  return sent;
}

void eventer_client::state::write_out() {
  if (int error = tcp::write_all(fd, out)) {
    // A partial frame leaves the stream unusable: let the reader end it.
    ::shutdown(fd, SHUT_RDWR);
    throw client_error("send failed: " + tcp::error_text(error));
  }
}

template <class Result, class Write>
std::pair<int64_t, std::future<Result>>
eventer_client::state::request(std::string_view type, size_t size,
                               Write&& write) {
  std::promise<Result> promise;
  auto future = promise.get_future();
  // Registered before the bytes leave: the answer may beat send() back.
  auto conv = send_frame(type, size, write, std::nullopt, false,
                         [&](chatter::conversation conv) {
                           std::lock_guard lock{pending_mutex};
                           if (!open)
                             throw client_error("connection closed");
                           pending.emplace(conv.first_id,
                                           std::move(promise));
                         });
  return {conv.first_id, std::move(future)};
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
  eventer::msg_init_req req{options.client_name, options.client_token,
                            options.subscriptions, options.server_id,
                            options.persisted};
  auto conv = send_msg(req, std::nullopt, false);
  std::vector<char> buffer(read_chunk_size);
  while (backlog.empty()) {
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
    backlog = receive({buffer.data(), static_cast<size_t>(got)});
  }
  auto* res = std::get_if<eventer::msg_init_res>(&backlog.front().msg);
  if (!res || backlog.front().conv != conv)
    throw client_error("invalid init response");
  if (res->error)
    throw client_error(*res->error);
  current_status = res->status;
  backlog.erase(backlog.begin());
}

std::vector<incoming>
eventer_client::state::receive(std::span<const char> bytes) {
  std::vector<incoming> got;
  std::optional<decode_error> bad_msg;
  std::string bad_type;
  std::lock_guard lock{send_mutex};
  out.clear();
  auto error = conn.receive(
    bytes, clock::now(), out, [&](const chatter::received_msg& msg) {
      auto decoded = eventer::decode_message(msg.type, msg.data, dialect());
      if (!decoded) {
        bad_msg = decoded.error();
        bad_type = msg.type;
        return false;
      }
      got.push_back({msg.conv, msg.last, std::move(*decoded)});
      return true;
    });
  if (!out.empty())
    write_out();  // Pongs, in the order their ids were given.
  if (bad_msg)
    throw client_error("bad " + bad_type + ": " + bad_msg->to_string());
  if (error)
    throw client_error("bad chatter frame: " + error->to_string());
  return got;
}

void eventer_client::state::run_reader() {
  reader_of = this;
  std::vector<char> buffer(read_chunk_size);
  std::string reason = "connection closed";
  try {
    for (auto& in : std::exchange(backlog, {}))
      dispatch(in);
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
    deadline = conn.next_keepalive_check();
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
  for (auto& in : receive({buffer.data(), static_cast<size_t>(got)}))
    dispatch(in);
  return true;
}

bool eventer_client::state::check_keepalive() {
  std::lock_guard lock{send_mutex};
  out.clear();
  auto action = conn.check_keepalive(clock::now(), out);
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

void eventer_client::state::forget(int64_t id) {
  take_pending(id);
}

void eventer_client::state::dispatch(incoming& in) {
  std::visit([&](auto& msg) { on_message(in, msg); }, in.msg);
}

void eventer_client::state::on_message(const incoming& in,
                                       eventer::msg_status_notify& msg) {
  current_status = msg.status;
  if (options.on_status)
    options.on_status(msg.status);
  if (!in.last && dialect() == eventer::dialect::v0_9_0)
    send_msg(eventer::msg_status_ack{}, in.conv, true);
}

void eventer_client::state::on_message(const incoming& in,
                                       eventer::msg_events_notify& msg) {
  if (options.on_events)
    options.on_events(std::move(msg.events));
  if (!in.last && dialect() == eventer::dialect::current)
    send_msg(eventer::msg_events_ack{}, in.conv, true);
}

void eventer_client::state::on_message(const incoming& in,
                                       eventer::msg_register_res& msg) {
  complete<register_promise>(in, std::move(msg.events));
}

void eventer_client::state::on_message(const incoming& in,
                                       eventer::msg_query_res& msg) {
  complete<query_promise>(in, std::move(msg.result));
}

template <class Promise, class Result>
void eventer_client::state::complete(const incoming& in, Result&& result) {
  if (!in.conv.owner)
    throw client_error("answer outside a request conversation");
  auto request = take_pending(in.conv.first_id);
  // No request: it timed out and its caller has given up.
  if (!request)
    return;
  auto* promise = std::get_if<Promise>(&*request);
  if (!promise)
    throw client_error("answer of the wrong kind for its request");
  promise->set_value(std::forward<Result>(result));
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
  register_req_writer writer{events, state_->dialect()};
  state_->send_frame(eventer::type_name_of<eventer::msg_register_req>(),
                     writer.size(), writer, std::nullopt, true,
                     [](chatter::conversation) {});
}

std::future<std::optional<std::vector<event>>>
eventer_client::register_with_response_async(
  const std::vector<register_event>& events) {
  register_req_writer writer{events, state_->dialect()};
  return state_
    ->request<std::optional<std::vector<event>>>(
      eventer::type_name_of<eventer::msg_register_req>(), writer.size(),
      writer)
    .second;
}

std::optional<std::vector<event>> eventer_client::register_with_response(
  const std::vector<register_event>& events) {
  require_not_reader(state_.get());
  register_req_writer writer{events, state_->dialect()};
  return state_->await(
    state_->request<std::optional<std::vector<event>>>(
      eventer::type_name_of<eventer::msg_register_req>(), writer.size(),
      writer),
    "MsgRegisterRes");
}

namespace {

/// The query request of `params`; only the (small) parameters are copied.
std::pair<int64_t, std::future<query_result>>
send_query(eventer_client::state& state, const query_params& params) {
  eventer::msg_query_req req{params};
  auto dialect = state.dialect();
  return state.request<query_result>(
    eventer::type_name_of<eventer::msg_query_req>(),
    eventer::encoded_size(req, dialect),
    [&](char* at) { eventer::encode_to(at, req, dialect); });
}

}  // namespace

std::future<query_result>
eventer_client::query_async(const query_params& params) {
  return send_query(*state_, params).second;
}

query_result eventer_client::query(const query_params& params) {
  require_not_reader(state_.get());
  return state_->await(send_query(*state_, params), "MsgQueryRes");
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
