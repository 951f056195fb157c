#pragma once

/// The component's side of the Hat Monitor's blessing handshake, without
/// I/O: what it is told (MsgServer, its own ready flag, its engine having
/// stopped) goes in, what to send (MsgClient) and whether to run the engine
/// come out. As hat-monitor 0.8's component loop:
///
///   1. wait until ready and our entry carries a request token T;
///   2. answer {token: T, ready: true} (unless already answered T);
///   3. wait until the monitor echoes our answer T: still requested T,
///      the engine may run (activate); otherwise back to 1;
///   4. while active, a lost request token or ready going false
///      deactivates: the engine is stopped and, only once it has stopped
///      and the store is flushed (engine_stopped), the answer is withdrawn
///      ({token: none}) and the loop starts again.
///
/// So the engine starts only after the monitor has seen our answer, and
/// the answer is given back only after the engine stopped: the monitor's
/// hand-over (BLESS_ONE waits until no other member still answers) then
/// cannot run two engines at once.

#include <optional>
#include <string>
#include <vector>

#include "protocol/observer_codec.hpp"

namespace hat::observer {

class blessing_session {
public:
  /// What the owner does, in order.
  struct effects {
    /// Send these MsgClient, in order.
    std::vector<msg_client> send;
    /// The engine may run now (true) or must stop (false); none: as it was.
    std::optional<bool> engine;
  };

  enum class phase {
    /// Step 1: waiting for ready and a request token.
    waiting,
    /// Step 3: our answer sent, waiting for the monitor's echo.
    answered,
    /// Step 4: the engine may run.
    active,
    /// Told to stop the engine; the answer is kept until it stopped.
    deactivating,
  };

  /// `name`, `group`, `data`: what every MsgClient carries.
  blessing_session(std::string name, std::string group, std::string data);

  /// The connection is up: the first MsgClient ({none, ready}).
  effects connected();
  /// A MsgServer; a repeat of the previous one changes nothing.
  effects received(const msg_server& msg);
  /// Our ready flag (false: give the blessing up, e.g. a module's reset).
  effects set_ready(bool ready);
  /// The engine stopped and the store was flushed after a deactivation.
  effects engine_stopped();

  phase current_phase() const {
    return phase_;
  }
  bool ready() const {
    return ready_;
  }
  /// The answer we last sent.
  const blessing_res& answer() const {
    return answer_;
  }
  /// Our entry in the last MsgServer; none when it was not listed.
  const std::optional<component_info>& own_entry() const {
    return own_;
  }
  /// The last MsgServer (the components, for finding peers).
  const std::optional<msg_server>& last_state() const {
    return last_;
  }

private:
  /// Walks the loop as far as the current facts allow.
  effects advance();
  void send_answer(effects& out, blessing_res answer);
  std::optional<int64_t> requested() const;
  std::optional<int64_t> echoed() const;

  std::string name_;
  std::string group_;
  std::string data_;
  bool connected_ = false;
  bool ready_ = false;
  blessing_res answer_;
  std::optional<msg_server> last_;
  std::optional<component_info> own_;
  phase phase_ = phase::waiting;
  /// The token the engine runs (or ran) with.
  std::optional<int64_t> active_token_;
};

}  // namespace hat::observer
