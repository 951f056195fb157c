#pragma once

// The torture mix: raw TCP peers that misbehave against an Eventer server
// on 127.0.0.1 (connection churn, early closes, clients that never read,
// partial frames, bad input), what they did, and the server's CONNECTED /
// DISCONNECTED events to find ghosts. No doctest: the torture test and the
// soak driver (bench/soak) both run it.

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <span>
#include <string>
#include <sys/types.h>
#include <vector>

#include "client/eventer_client.hpp"

namespace hat::torture {

using steady = chatter::clock;

/// A "Name:   123 kB" field of /proc/<pid>/status in KiB, e.g. "RssAnon:"
/// (0 when it cannot be read).
long status_kib(pid_t pid, const std::string& field);

/// VmRSS of process `pid` in KiB (0 when it cannot be read).
long rss_kib(pid_t pid);

/// A point in the run that threads wait for, with a bound.
class milestone {
public:
  void reach();
  bool wait(steady::time_point deadline);

private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool reached_ = false;
};

/// How far the torture got (good clients pace their rounds on it rather
/// than on time) and which clients the server announced as CONNECTED (fed
/// by a subscriber to its eventer events).
class progress {
public:
  void tick();
  void connected(std::string name);
  void finish();
  /// Until `n` torture operations are done or finish() was called.
  void wait_ops(long n, steady::time_point deadline);
  /// Until the server announced `name` as CONNECTED.
  bool wait_connected(const std::string& name, steady::time_point deadline);

private:
  std::mutex mutex_;
  std::condition_variable changed_;
  long ops_ = 0;
  bool over_ = false;
  std::set<std::string> connected_;
};

/// A raw non-blocking TCP peer: writes whatever it is told without
/// blocking past a deadline (a server that stops reading from it is
/// allowed), decodes what the server sends and answers pings. Connecting
/// throws client::client_error when nothing accepts within 30 s.
class raw_peer {
public:
  enum class outcome { answered, closed, timed_out };

  explicit raw_peer(uint16_t port);
  ~raw_peer();
  raw_peer(const raw_peer&) = delete;
  raw_peer& operator=(const raw_peer&) = delete;

  /// Closes with FIN, or with RST when `reset`.
  void close(bool reset = false);

  /// True when every byte went out before the deadline.
  bool write(std::span<const char> bytes, steady::time_point deadline);

  /// One eventer message as a whole chatter frame.
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
                 steady::time_point deadline);

  /// Reads until `count` application messages arrived in all, the server
  /// closed (or sent something undecodable), or the deadline passed.
  outcome await(size_t count, steady::time_point deadline);

private:
  bool wait_for(short events, steady::time_point deadline);

  int fd_;
  chatter::connection chatter_;
  size_t received_ = 0;
};

inline constexpr size_t bad_kinds = 8;

/// What the torture threads did.
struct tally {
  std::atomic<int> plain{0};
  std::atomic<int> init_closed{0};
  /// Per kind of bad input: closed by the server, answered, neither
  /// within 30 s.
  std::array<std::atomic<int>, bad_kinds> bad_closed{};
  std::array<std::atomic<int>, bad_kinds> bad_answered{};
  std::array<std::atomic<int>, bad_kinds> bad_ignored{};
  std::atomic<int> sleeper_requests{0};
  std::atomic<long> partial_bytes_sent{0};
  std::mutex mutex;
  std::vector<std::string> errors;

  void error(std::string what);
  int bad_total() const;
  /// "kind:closed/answered/ignored ..." for a report.
  std::string bad_per_kind() const;
};

/// Where the mix connects and how its clients are named: every client
/// that sends MsgInitReq is called `prefix` + what it is + a number, so
/// each name is used once and the ghost check finds them by prefix.
struct mix_target {
  uint16_t port = 0;
  std::string prefix = "torture-";
  /// Set to end the loops early (the soak's kill); null: run to count.
  const std::atomic<bool>* stop = nullptr;

  bool stopped() const {
    return stop != nullptr && stop->load();
  }
};

/// Connects and closes at once, `count` times, alternately with FIN and
/// RST.
void plain_churn(const mix_target& to, int count, tally& t, progress& p);

/// Clients subscribed to everything that close, with FIN or RST: right
/// after sending MsgInitReq; as soon as the server announced them
/// CONNECTED (so while it is still joining them to the notifications; this
/// needs a subscriber feeding `p.connected`); or after their init answer.
/// `half` is reached halfway.
void init_churn(const mix_target& to, int first, int count, tally& t,
                progress& p, milestone& half);

/// Bad client number `i`, of kind i % bad_kinds: garbage in a frame, a
/// 1 GiB length, register before init, an unknown message type, an event
/// type with '*', a payload that is not JSON, microseconds out of range,
/// garbage after a valid init. Waits (30 s at most) for the server to
/// close it or answer, then closes.
void bad_client(const mix_target& to, int i, std::mt19937& rng, tally& t);

void bad_input(const mix_target& to, int count, tally& t, progress& p);

/// Initialises (subscribed to everything when `subscribe_all`), waits for
/// `start`, then sends `requests` registers with response and "everything"
/// queries without ever reading; holds the socket until `release`.
void sleeper(const mix_target& to, int k, bool subscribe_all, int requests,
             milestone& start, milestone& release, tally& t);

/// Announces a 3 MiB frame, sends 2 MiB of it and goes silent until
/// `release` (initialised first when `init`).
void partial_peer(const mix_target& to, int k, bool init,
                  milestone& release, tally& t);

struct presence {
  int connected = 0;
  int disconnected = 0;
};

/// CONNECTED / DISCONNECTED counts per client name from the server's
/// eventer events (`event/<server_id>/eventer/<name>`), for names that
/// start with `prefix`, registered at or after `since` when given.
std::map<std::string, presence>
eventer_presence(client::eventer_client& c, int64_t server_id,
                 const std::string& prefix,
                 std::optional<timestamp> since = std::nullopt);

/// CONNECTED events without their DISCONNECTED.
int ghosts(const std::map<std::string, presence>& all);

}  // namespace hat::torture
