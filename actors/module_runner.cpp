#include "actors/module_runner.hpp"

#include <exception>
#include <string>
#include <utility>

#include "actors/module_engine_handle.hpp"
#include "actors/server_error.hpp"
#include "log/logger.hpp"
#include "protocol/register_validation.hpp"

namespace hat {

namespace {

using runner_pointer = module_actor::stateful_pointer<module_runner_state>;

caf::error module_error(runner_pointer self, std::string_view what,
                        const std::string& why) {
  return make_error(ec::module_failed, self->state.label, ": ", what, ": ",
                    why);
}

/// Creates the module; false (with the actor quitting) when it throws.
bool create(runner_pointer self, const module_spec& spec,
            const module_context& context) {
  auto& st = self->state;
  try {
    st.module = spec.factory->create(
      spec.conf, *st.handle,
      event_source{event_source::kind::module, context.index});
    if (!st.module)
      throw std::runtime_error("the factory returned no module");
    st.subscription = hat::subscription(st.module->subscription());
  } catch (const std::exception& e) {
    auto err = module_error(self, "cannot be created", e.what());
    HAT_LOG_ERROR("modules", render_error(err));
    self->quit(err);
    return false;
  }
  return true;
}

}  // namespace

module_actor::behavior_type
module_runner(runner_pointer self, module_spec spec, module_context context) {
  auto& st = self->state;
  st.label = "module '" + spec.name + "' (modules[" +
             std::to_string(context.index) + "])";
  st.library = spec.library;
  st.handle = std::make_unique<module_engine_handle>(self, context);
  if (!create(self, spec, context))
    return module_actor::behavior_type::make_empty_behavior();
  return {
    // -- module_actor --
    [self](atom::process, const module_round& round)
      -> caf::result<std::vector<register_event>> {
      auto& st = self->state;
      std::vector<register_event> added;
      try {
        if (round.first)
          st.module->on_session_start(round.session_id);
        const auto& events = *round.events;
        const auto& sources = *round.sources;
        for (size_t i = 0; i < events.size(); ++i) {
          if (!st.subscription.matches(events[i].type))
            continue;
          for (auto& e : st.module->process(sources[i], events[i])) {
            // Only the refused event is left out of the session.
            if (auto why = invalid_register_event_reason(e))
              HAT_LOG_WARNING("modules", st.label, ": event refused: ", *why);
            else
              added.push_back(std::move(e));
          }
        }
      } catch (const std::exception& e) {
        return module_error(self, "process failed", e.what());
      }
      return added;
    },
    [self](atom::module_stop, int64_t session) -> caf::result<atom::ok> {
      try {
        self->state.module->on_session_stop(session);
      } catch (const std::exception& e) {
        return module_error(self, "on_session_stop failed", e.what());
      }
      return atom::ok::value;
    },
    [self](atom::tick, uint64_t id) {
      auto& timers = self->state.timers;
      auto it = timers.find(id);
      if (it == timers.end())
        return;
      auto fn = std::move(it->second);
      timers.erase(it);
      try {
        fn();
      } catch (const std::exception& e) {
        // No request to fail: the engine sees this actor go down.
        auto err = module_error(self, "timer callback failed", e.what());
        HAT_LOG_ERROR("modules", render_error(err));
        self->quit(err);
      }
    },
  };
}

}  // namespace hat
