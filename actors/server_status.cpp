#include "actors/server_status.hpp"

namespace hat {

using phase = server_status_machine::phase;
using actions = server_status_machine::actions;

server_status_machine::server_status_machine(bool monitored)
  : monitored_(monitored) {
}

bool server_status_machine::engine_wanted() const {
  return begun_ && !shutting_down_ && (!monitored_ || blessed_);
}

actions server_status_machine::start_if_wanted() {
  if (phase_ != phase::standby || !engine_wanted() || peers_holding_)
    return {};
  phase_ = phase::starting;
  return {server_action::publish_starting, server_action::start_engine};
}

actions server_status_machine::stop_engine() {
  if (phase_ != phase::starting && phase_ != phase::operational)
    return {};
  phase_ = phase::stopping;
  return {server_action::publish_stopping, server_action::stop_engine};
}

actions server_status_machine::begin() {
  if (begun_)
    return {};
  begun_ = true;
  return start_if_wanted();
}

actions server_status_machine::blessing(bool active) {
  blessed_ = active;
  if (!monitored_)
    return {};
  return active ? start_if_wanted() : stop_engine();
}

actions server_status_machine::engine_started() {
  // A STARTED that arrives after the stop began belongs to an engine
  // that is not operational any more.
  if (phase_ != phase::starting)
    return {};
  phase_ = phase::operational;
  return {server_action::publish_operational};
}

actions server_status_machine::engine_ended() {
  switch (phase_) {
    case phase::stopping:
      phase_ = phase::draining;
      return {server_action::drain};
    case phase::starting:
    case phase::operational:
      // Ended on its own: whatever it held is stored as far as it got;
      // the store is drained as after any stop, and (the caller decides)
      // the server stops or starts a new one.
      phase_ = phase::draining;
      return {server_action::publish_stopping, server_action::drain};
    default:
      return {};
  }
}

actions server_status_machine::drained() {
  if (phase_ != phase::draining)
    return {};
  phase_ = phase::standby;
  actions next{server_action::publish_standby};
  if (shutting_down_) {
    phase_ = phase::finishing;
    next.push_back(server_action::stop_server);
    return next;
  }
  auto start = start_if_wanted();
  next.insert(next.end(), start.begin(), start.end());
  return next;
}

actions server_status_machine::peers_holding(bool holding) {
  peers_holding_ = holding;
  return start_if_wanted();
}

actions server_status_machine::restart_requested() {
  // In standby, stopping or draining there is no engine to restart; when
  // the engine is still wanted after a stop, a new one starts anyway.
  return stop_engine();
}

actions server_status_machine::shutdown() {
  if (shutting_down_)
    return {};
  shutting_down_ = true;
  switch (phase_) {
    case phase::standby:
      phase_ = phase::finishing;
      return {server_action::stop_server};
    case phase::starting:
    case phase::operational:
      return stop_engine();
    default:
      // Stopping or draining: drained() finishes the server.
      return {};
  }
}

hat::status server_status_machine::status() const {
  switch (phase_) {
    case phase::starting:
      return status::starting;
    case phase::operational:
      return status::operational;
    case phase::stopping:
    case phase::draining:
      return status::stopping;
    default:
      return status::standby;
  }
}

std::optional<hat::status> published_status(server_action action) {
  switch (action) {
    case server_action::publish_standby:
      return status::standby;
    case server_action::publish_starting:
      return status::starting;
    case server_action::publish_operational:
      return status::operational;
    case server_action::publish_stopping:
      return status::stopping;
    default:
      return std::nullopt;
  }
}

const char* to_string(server_status_machine::phase p) {
  switch (p) {
    case phase::standby:
      return "standby";
    case phase::starting:
      return "starting";
    case phase::operational:
      return "operational";
    case phase::stopping:
      return "stopping";
    case phase::draining:
      return "draining";
    case phase::finishing:
      return "finishing";
  }
  return "?";
}

}  // namespace hat
