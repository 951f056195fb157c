// A pass-through module for bench/run_module_bench: subscribed to every
// event, it looks at each one (reads its type) and registers nothing, so
// a session costs the engine's rounds and the module's callbacks only.

#include <memory>

#include "modules/plugin.hpp"

namespace {

class pass_through final : public hat::modules::module {
public:
  std::vector<hat::event_type> subscription() const override {
    return {{"*"}};
  }

  std::vector<hat::register_event> process(const hat::event_source&,
                                           const hat::event& e) override {
    seen_ += e.type.size();
    return {};
  }

private:
  /// Keeps the look at each event from being optimised away.
  size_t seen_ = 0;
};

std::unique_ptr<hat::modules::module> create(const boost::json::object&,
                                             hat::modules::engine_handle&,
                                             hat::event_source) {
  return std::make_unique<pass_through>();
}

const hat::modules::module_factory factory{.name = "pass_through",
                                           .create = &create};

}  // namespace

HAT_EVENT_MODULE(factory)
