#include "tools/hat_event_manager/commands.hpp"

#include <pthread.h>

#include <atomic>
#include <condition_variable>
#include <csignal>
#include <functional>
#include <iostream>
#include <mutex>
#include <thread>

#include "client/event_json.hpp"
#include "client/eventer_client.hpp"
#include "protocol/python_json.hpp"
#include "tools/hat_event_manager/payload_input.hpp"

namespace hat::manager_tool {
namespace {

using namespace hat::client;

client_options options_for(const connection_arguments& conn) {
  client_options options;
  options.host = conn.host;
  options.port = conn.port;
  options.client_name = conn.name;
  options.client_token = conn.token;
  options.dialect = conn.dialect;
  return options;
}

std::string address_of(const client_options& options) {
  return options.host + ":" + std::to_string(options.port);
}

/// The library reports a failed TCP connect, a silent server and a refusal
/// in MsgInitRes alike, as client_error; the first two are told apart by
/// its texts so that a refusal can be called one.
std::string connect_failure(const client_options& options,
                            std::string_view what) {
  if (what.starts_with("cannot resolve") || what.starts_with("cannot connect"))
    return std::string{what};
  if (what.starts_with("timeout") || what.starts_with("connection closed")
      || what.starts_with("invalid init response"))
    return address_of(options) + ": " + std::string{what};
  return address_of(options) + " refused the client: " + std::string{what};
}

std::unique_ptr<eventer_client> connect(client_options options) {
  try {
    return eventer_client::connect(options);
  } catch (const client_error& e) {
    throw command_error(connect_failure(options, e.what()));
  }
}

/// One line of json.dumps text, flushed at once so that a reader at the
/// other end of a pipe sees it when it happens. What json.dumps has no
/// text for (an infinity a payload's 1e400 became) is written as JSON
/// nevertheless, by our compact writer.
void write_line(std::ostream& out, const boost::json::value& v) {
  auto text = python_json::encode(v);
  out << (text ? *text : json_to_text(v)) << '\n' << std::flush;
}

std::vector<register_event> events_to_register(const register_command& cmd) {
  if (!cmd.events_file)
    return {{*cmd.type, cmd.source_timestamp, read_payload(cmd.payload)}};
  auto text = read_input(*cmd.events_file);
  try {
    return register_events_from_json(json_from_text(text));
  } catch (const std::invalid_argument& e) {
    throw payload_error(input_name(*cmd.events_file) + ": " + e.what());
  }
}

int run_register(const register_command& cmd, client_options options,
                 std::ostream& out) {
  // Read before connecting: a payload that cannot be read sends nothing.
  auto events = events_to_register(cmd);
  auto client = connect(std::move(options));
  if (!cmd.with_response) {
    client->register_events(events);
    // A round trip, so the server has read the request before we close
    // (the reference closes at once and hopes).
    client->query(query_latest_params{std::vector<event_type>{}});
    return 0;
  }
  auto registered = client->register_with_response(events);
  if (!registered)
    throw command_error(std::string{"the server refused the registration "}
                        + "(its status is "
                        + status_name(client->server_status()) + ")");
  boost::json::array array;
  for (auto& e : *registered)
    array.push_back(event_to_json(e));
  write_line(out, {{"events", std::move(array)}});
  return 0;
}

int run_query(const query_command& cmd, client_options options,
              std::ostream& out) {
  auto client = connect(std::move(options));
  write_line(out, query_result_to_json(client->query(cmd.params)));
  return 0;
}

/// Takes SIGINT and SIGTERM on a thread of its own and calls `on_signal`
/// for the first one. Built before any other thread, so that every later
/// thread (the client's reader) inherits the blocked mask and the process
/// is not killed mid-line. The mask stays: the process ends soon after.
class signal_watch {
public:
  explicit signal_watch(std::function<void()> on_signal) {
    sigemptyset(&signals_);
    sigaddset(&signals_, SIGINT);
    sigaddset(&signals_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals_, nullptr);
    thread_ = std::thread{[this, on_signal = std::move(on_signal)] {
      int sig = 0;
      sigwait(&signals_, &sig);
      if (!done_)
        on_signal();
    }};
  }

  ~signal_watch() {
    done_ = true;
    pthread_kill(thread_.native_handle(), SIGTERM);
    thread_.join();
  }

  signal_watch(const signal_watch&) = delete;
  signal_watch& operator=(const signal_watch&) = delete;

private:
  sigset_t signals_;
  std::atomic<bool> done_{false};
  std::thread thread_;
};

/// How a subscription ends and what it printed, shared by the reader
/// thread (events), the signal thread, the closed watch and the main
/// thread, which waits for the first end. Only the main thread closes the
/// client: a close from the reader thread could meet one from another
/// thread, which holds the client's close lock while it joins the reader.
class subscription {
public:
  enum class end { count_reached, signalled, closed, timeout };

  subscription(std::ostream& out, std::optional<int64_t> count)
    : out_(out), count_(count) {
  }

  /// One line per notification, a JSON array of its events, as the
  /// reference prints them; with a count, the last array is cut at it.
  void on_events(const std::vector<event>& events) {
    std::lock_guard lock{mutex_};
    if (end_)
      return;
    boost::json::array array;
    for (auto& e : events) {
      if (count_ && printed_ >= *count_)
        break;
      array.push_back(event_to_json(e));
      ++printed_;
    }
    write_line(out_, array);
    if (count_ && printed_ >= *count_)
      finish_locked(end::count_reached);
  }

  /// A line for the user on `notices` (the subscription, the server's
  /// status changes), written under the same lock as events.
  void notice(std::ostream& notices, const std::string& line) {
    std::lock_guard lock{mutex_};
    notices << line << '\n' << std::flush;
  }

  /// The first call decides.
  void finish(end why) {
    std::lock_guard lock{mutex_};
    finish_locked(why);
  }

  end wait(std::optional<std::chrono::milliseconds> timeout) {
    std::unique_lock lock{mutex_};
    auto ended = [this] { return end_.has_value(); };
    if (!timeout)
      ended_.wait(lock, ended);
    else if (!ended_.wait_for(lock, *timeout, ended))
      end_ = end::timeout;
    return *end_;
  }

  int64_t printed() {
    std::lock_guard lock{mutex_};
    return printed_;
  }

private:
  void finish_locked(end why) {
    if (end_)
      return;
    end_ = why;
    ended_.notify_all();
  }

  std::mutex mutex_;
  std::condition_variable ended_;
  std::ostream& out_;
  std::optional<int64_t> count_;
  int64_t printed_ = 0;
  std::optional<end> end_;
};

/// Calls `on_closed` when the connection closes, whoever closes it. Its
/// end closes the client, so the watching thread can be joined.
class closed_watch {
public:
  closed_watch(eventer_client& client, std::function<void()> on_closed)
    : client_(client) {
    thread_ = std::thread{[this, on_closed = std::move(on_closed)] {
      while (!client_.wait_closed(std::chrono::hours{1})) {
      }
      on_closed();
    }};
  }

  ~closed_watch() {
    client_.close();
    thread_.join();
  }

  closed_watch(const closed_watch&) = delete;
  closed_watch& operator=(const closed_watch&) = delete;

private:
  eventer_client& client_;
  std::thread thread_;
};

int subscribe_outcome(const subscribe_command& cmd, subscription& sub,
                      subscription::end why) {
  switch (why) {
  case subscription::end::count_reached:
  case subscription::end::signalled:
    return 0;
  case subscription::end::closed:
    // The reference's subscribe ends with 0 when the server closes.
    if (cmd.count)
      throw command_error("the server closed the connection after "
                          + std::to_string(sub.printed()) + " of "
                          + std::to_string(*cmd.count) + " events");
    return 0;
  case subscription::end::timeout:
    break;
  }
  if (cmd.count)
    throw command_error("timeout after " + std::to_string(sub.printed())
                        + " of " + std::to_string(*cmd.count) + " events");
  return 0;
}

int run_subscribe(const subscribe_command& cmd, client_options options,
                  std::ostream& out, std::ostream& notices) {
  using end = subscription::end;
  subscription sub{out, cmd.count};
  options.subscriptions = cmd.types;
  options.server_id = cmd.server_id;
  options.persisted = cmd.persisted;
  options.on_events = [&sub](std::vector<event> events) {
    sub.on_events(events);
  };
  // Status changes while subscribed (a restart, a blessing lost or won in
  // a cluster) are told as they come.
  options.on_status = [&sub, &notices](status now) {
    sub.notice(notices, std::string{"hat-event-manager: server status "}
                          + status_name(now));
  };
  signal_watch signals{[&sub] { sub.finish(end::signalled); }};
  auto address = address_of(options);
  auto client = connect(std::move(options));
  closed_watch watch{*client, [&sub] { sub.finish(end::closed); }};
  // Events registered from now on are sure to be printed: the server
  // answers MsgInitReq only once the subscription is in place. Scripts
  // wait for this line before they make the events they want to see.
  sub.notice(notices, "hat-event-manager: subscribed at " + address
                        + " (server " + status_name(client->server_status())
                        + ")");
  return subscribe_outcome(cmd, sub, sub.wait(cmd.timeout));
}

}  // namespace

int run_command(const arguments& args, std::ostream& out,
                std::ostream& notices) {
  auto options = options_for(args.connection);
  if (auto* cmd = std::get_if<register_command>(&args.command))
    return run_register(*cmd, std::move(options), out);
  if (auto* cmd = std::get_if<query_command>(&args.command))
    return run_query(*cmd, std::move(options), out);
  if (auto* cmd = std::get_if<subscribe_command>(&args.command))
    return run_subscribe(*cmd, std::move(options), out, notices);
  throw std::logic_error("run_command: not a command that connects");
}

}  // namespace hat::manager_tool
