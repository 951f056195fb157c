// A working module: answers every event it is offered with one event of
// type ["good", ...the offered type].

#include <string>
#include <utility>
#include <vector>

#include "modules/plugin.hpp"

namespace {

using namespace hat;

/// `subscriptions` of the configuration: a list of event types.
std::vector<event_type> read_subscriptions(const boost::json::object& conf) {
  std::vector<event_type> types;
  for (const auto& type : conf.at("subscriptions").as_array()) {
    auto& segments = types.emplace_back();
    for (const auto& segment : type.as_array())
      segments.emplace_back(segment.as_string());
  }
  return types;
}

class good_module final : public modules::module {
public:
  explicit good_module(std::vector<event_type> subscription)
    : subscription_{std::move(subscription)} {
  }

  std::vector<event_type> subscription() const override {
    return subscription_;
  }

  std::vector<register_event> process(const event_source&,
                                      const event& e) override {
    // Its own events may match its subscription too: answering them would
    // never end the session.
    if (!e.type.empty() && e.type.front() == "good")
      return {};
    register_event answer;
    answer.type.push_back("good");
    answer.type.insert(answer.type.end(), e.type.begin(), e.type.end());
    return {std::move(answer)};
  }

private:
  std::vector<event_type> subscription_;
};

std::unique_ptr<modules::module> create(const boost::json::object& conf,
                                        modules::engine_handle&,
                                        event_source) {
  return std::make_unique<good_module>(read_subscriptions(conf));
}

const modules::module_factory factory{
  .name = "good_plugin",
  .json_schema = R"({"type": "object", "required": ["subscriptions"]})",
  .create = create,
};

}  // namespace

HAT_EVENT_MODULE(factory)
