#pragma once

/// The engine_handle a module gets: each call becomes a message from the
/// module's actor (to the engine, the store or the fan-out) and each answer
/// a callback run by that actor, so the module never blocks and never runs
/// on two threads.

#include "actors/module_runner.hpp"
#include "modules/engine_handle.hpp"

namespace hat {

class module_engine_handle final : public modules::engine_handle {
public:
  module_engine_handle(
    module_actor::stateful_pointer<module_runner_state> self,
    module_context context);

  int64_t server_id() const override;
  void register_events(
    std::vector<register_event> events,
    std::function<void(std::optional<std::vector<event>>)> done) override;
  void query(query_params params,
             std::function<void(std::optional<query_result>)> done) override;
  void client_names(
    std::function<void(std::vector<modules::client_name>)> done) override;
  void after(std::chrono::milliseconds delay,
             std::function<void()> fn) override;
  void restart() override;
  void reset_monitor_ready() override;

private:
  module_actor::stateful_pointer<module_runner_state> self_;
  module_context context_;
};

}  // namespace hat
