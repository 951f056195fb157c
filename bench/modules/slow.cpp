// A deliberately slow module for bench/run_server_bench's stall scenario:
// subscribed to `slow/*` only, it spends `delay_ms` (default 100) in
// process() for each such event, as a module doing long work would. The
// module API says a callback must not block; this one does, to show what
// that costs everyone else (it must cost them nothing but that session).

#include <chrono>
#include <memory>
#include <thread>

#include "modules/plugin.hpp"

namespace {

class slow final : public hat::modules::module {
public:
  explicit slow(std::chrono::milliseconds delay) : delay_(delay) {
  }

  std::vector<hat::event_type> subscription() const override {
    return {{"slow", "*"}};
  }

  std::vector<hat::register_event> process(const hat::event_source&,
                                           const hat::event&) override {
    std::this_thread::sleep_for(delay_);
    return {};
  }

private:
  std::chrono::milliseconds delay_;
};

std::unique_ptr<hat::modules::module> create(const boost::json::object& conf,
                                             hat::modules::engine_handle&,
                                             hat::event_source) {
  int64_t delay_ms = 100;
  if (auto* value = conf.if_contains("delay_ms"); value && value->is_int64())
    delay_ms = value->as_int64();
  return std::make_unique<slow>(std::chrono::milliseconds{delay_ms});
}

const hat::modules::module_factory factory{.name = "slow", .create = &create};

}  // namespace

HAT_EVENT_MODULE(factory)
