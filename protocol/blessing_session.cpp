#include "protocol/blessing_session.hpp"

namespace hat::observer {

blessing_session::blessing_session(std::string name, std::string group,
                                   std::string data)
  : name_(std::move(name)), group_(std::move(group)), data_(std::move(data)) {
}

void blessing_session::send_answer(effects& out, blessing_res answer) {
  answer_ = answer;
  if (connected_)
    out.send.push_back(msg_client{name_, group_, data_, answer_});
}

std::optional<int64_t> blessing_session::requested() const {
  return own_ ? own_->blessing_req.token : std::nullopt;
}

std::optional<int64_t> blessing_session::echoed() const {
  return own_ ? own_->blessing_res.token : std::nullopt;
}

blessing_session::effects blessing_session::connected() {
  connected_ = true;
  effects out;
  send_answer(out, answer_);
  auto more = advance();
  out.send.insert(out.send.end(), more.send.begin(), more.send.end());
  out.engine = more.engine;
  return out;
}

blessing_session::effects blessing_session::received(const msg_server& msg) {
  if (last_ && *last_ == msg)
    return {};
  last_ = msg;
  own_.reset();
  for (auto& info : msg.components)
    if (info.cid == msg.cid && info.mid == msg.mid)
      own_ = info;
  return advance();
}

blessing_session::effects blessing_session::set_ready(bool ready) {
  if (ready == ready_)
    return {};
  ready_ = ready;
  effects out;
  // The monitor learns the flag at once, with the answer as it stands.
  send_answer(out, blessing_res{answer_.token, ready_});
  auto more = advance();
  out.send.insert(out.send.end(), more.send.begin(), more.send.end());
  out.engine = more.engine;
  return out;
}

blessing_session::effects blessing_session::engine_stopped() {
  if (phase_ != phase::deactivating)
    return {};
  phase_ = phase::waiting;
  active_token_.reset();
  effects out;
  send_answer(out, blessing_res{std::nullopt, ready_});
  auto more = advance();
  out.send.insert(out.send.end(), more.send.begin(), more.send.end());
  out.engine = more.engine;
  return out;
}

blessing_session::effects blessing_session::advance() {
  effects out;
  if (!connected_)
    return out;
  for (;;) {
    switch (phase_) {
      case phase::waiting: {
        auto token = requested();
        if (!ready_ || !token)
          return out;
        if (answer_.token != token)
          send_answer(out, blessing_res{token, true});
        phase_ = phase::answered;
        continue;
      }
      case phase::answered: {
        if (!ready_ || !answer_.token) {
          phase_ = phase::waiting;
          return out;
        }
        if (echoed() != answer_.token)
          return out;
        if (requested() != answer_.token) {
          // Requested something else (or nothing) meanwhile: start over.
          phase_ = phase::waiting;
          if (!requested())
            return out;
          continue;
        }
        phase_ = phase::active;
        active_token_ = answer_.token;
        out.engine = true;
        return out;
      }
      case phase::active:
        if (ready_ && requested() == active_token_)
          return out;
        phase_ = phase::deactivating;
        out.engine = false;
        return out;
      case phase::deactivating:
        return out;
    }
  }
}

}  // namespace hat::observer
