// A module library for the server's fault tests: for fault/throw its
// process() throws; for fault/restart it asks the engine for a restart.

#include <memory>
#include <stdexcept>

#include "modules/plugin.hpp"

namespace {

class faulty final : public hat::modules::module {
public:
  explicit faulty(hat::modules::engine_handle& engine) : engine_(engine) {
  }

  std::vector<hat::event_type> subscription() const override {
    return {{"fault", "*"}};
  }

  std::vector<hat::register_event> process(const hat::event_source&,
                                           const hat::event& e) override {
    if (e.type == hat::event_type{"fault", "throw"})
      throw std::runtime_error("injected fault in process");
    if (e.type == hat::event_type{"fault", "restart"})
      engine_.restart();
    return {};
  }

private:
  hat::modules::engine_handle& engine_;
};

std::unique_ptr<hat::modules::module> create(
  const boost::json::object&, hat::modules::engine_handle& engine,
  hat::event_source) {
  return std::make_unique<faulty>(engine);
}

const hat::modules::module_factory factory{.name = "faulty",
                                           .create = &create};

}  // namespace

HAT_EVENT_MODULE(factory)
