#pragma once

/// A blocking C++ Eventer client for tests, tools and benchmarks: one TCP
/// connection, one reader thread that answers pings, completes pending
/// requests by conversation and calls the status and events callbacks.
/// The protocol itself is eventer::client_session's; this adds the socket,
/// the thread and futures.
/// Thread-safe: requests may be issued from several threads at once.

#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "protocol/chatter_connection.hpp"
#include "protocol/eventer_client_session.hpp"

namespace hat::client {

/// Connection refused or lost, init refused by the server (what() carries
/// the server's error text), a malformed answer, or a timeout.
class client_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

struct client_options {
  std::string host = "127.0.0.1";
  uint16_t port = 23012;
  std::string client_name = "client";
  std::optional<std::string> client_token;
  std::vector<event_type> subscriptions;
  /// Notify only events of this server.
  std::optional<int64_t> server_id;
  /// Notify when persisted rather than when registered.
  bool persisted = false;
  eventer::dialect dialect = eventer::dialect::current;
  chatter::connection_options chatter;
  /// Called on the reader thread for every MsgStatusNotify. Callbacks may
  /// use the non-blocking methods and close(); the blocking ones throw
  /// client_error there (they would wait for their own thread), and a
  /// callback must not destroy the client.
  std::function<void(status)> on_status;
  /// Called on the reader thread for every MsgEventsNotify (same rules).
  std::function<void(std::vector<event>)> on_events;
  /// Bound on connect + init and on every blocking call.
  std::chrono::milliseconds timeout{10'000};
};

class eventer_client {
public:
  /// Connects, sends MsgInitReq and waits for MsgInitRes. Throws
  /// client_error when the server refuses (its text) or does not answer.
  static std::unique_ptr<eventer_client> connect(client_options options);

  ~eventer_client();
  eventer_client(const eventer_client&) = delete;
  eventer_client& operator=(const eventer_client&) = delete;

  /// Status from MsgInitRes, updated by every MsgStatusNotify.
  status server_status() const;

  /// MsgRegisterReq with last=true: the server sends no answer.
  void register_events(const std::vector<register_event>& events);

  /// MsgRegisterReq with last=false. The future holds the registered
  /// events, or nothing when the server answers `failure`; it fails with
  /// client_error when the connection closes first.
  std::future<std::optional<std::vector<event>>>
  register_with_response_async(const std::vector<register_event>& events);

  /// Blocking form of the above, bounded by the timeout.
  std::optional<std::vector<event>>
  register_with_response(const std::vector<register_event>& events);

  std::future<query_result> query_async(const query_params& params);

  /// Blocking query, bounded by the timeout.
  query_result query(const query_params& params);

  /// False once the connection is closed by either side.
  bool is_open() const;

  /// Blocks until the connection is closed by the server or `timeout`
  /// passes; true when it closed.
  bool wait_closed(std::chrono::milliseconds timeout);

  /// Closes the socket and joins the reader thread; pending futures fail.
  void close();

  struct state;

private:
  explicit eventer_client(std::unique_ptr<state> state);

  std::unique_ptr<state> state_;
};

}  // namespace hat::client
