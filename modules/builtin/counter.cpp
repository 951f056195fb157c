#include "modules/builtin/counter.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include <boost/json/serialize.hpp>

#include "modules/builtin/event_json.hpp"
#include "modules/builtin/module_conf.hpp"
#include "modules/builtin/output_loop.hpp"

namespace hat::modules::builtin {

namespace {

constexpr const char* name = "counter";

constexpr const char* schema = R"json({
  "title": "counter",
  "description": "Counts events per type; reports every period.",
  "type": "object",
  "required": ["module", "subscriptions", "type", "period"],
  "additionalProperties": false,
  "properties": {
    "module": {"type": "string"},
    "subscriptions": {
      "description": "Query types of the events to count.",
      "type": "array",
      "minItems": 1,
      "items": {"type": "array", "items": {"type": "string"}}
    },
    "type": {
      "description": "Type prefix of the reports.",
      "type": "array",
      "items": {"type": "string", "not": {"enum": ["?", "*"]}}
    },
    "period": {
      "description": "Seconds between reports.",
      "type": "number",
      "exclusiveMinimum": 0,
      "maximum": 1000000000
    }
  }
})json";

/// What is known of one counted type.
struct type_count {
  int64_t count = 0;
  timestamp first;
  timestamp last;
};

/// The counts, shared with the completion callbacks of reports: those may
/// be called after the module is gone (only timers are said to end with
/// it), and then must find nothing.
struct tally {
  std::map<event_type, type_count> counts;
  /// Types counted since their last report (or whose report failed).
  std::set<event_type> changed;
};

class counter_module final : public module {
public:
  counter_module(std::vector<event_type> subscriptions, event_type type,
                 std::chrono::milliseconds period, engine_handle& engine)
    : subscriptions_(std::move(subscriptions)),
      type_(std::move(type)),
      period_(period),
      engine_(engine),
      tally_(std::make_shared<tally>()) {
    arm();
  }

  std::vector<event_type> subscription() const override {
    return subscriptions_;
  }

  std::vector<register_event> process(const event_source&,
                                      const event& e) override {
    auto [it, added] = tally_->counts.try_emplace(e.type);
    auto& entry = it->second;
    if (added)
      entry.first = e.timestamp;
    ++entry.count;
    entry.last = e.timestamp;
    tally_->changed.insert(e.type);
    return {};
  }

private:
  void arm() {
    // Timers end with the module, so `this` is valid when it fires.
    engine_.after(period_, [this] {
      report();
      arm();
    });
  }

  void report() {
    if (tally_->changed.empty())
      return;
    std::vector<register_event> events;
    std::vector<event_type> reported;
    for (const auto& type : tally_->changed) {
      const auto& entry = tally_->counts.at(type);
      boost::json::object payload{{"count", entry.count},
                                  {"first", timestamp_json(entry.first)},
                                  {"last", timestamp_json(entry.last)}};
      auto report_type = type_;
      report_type.insert(report_type.end(), type.begin(), type.end());
      events.push_back(register_event{
        std::move(report_type), std::nullopt,
        payload_json{boost::json::serialize(payload)}});
      reported.push_back(type);
    }
    tally_->changed.clear();
    std::weak_ptr<tally> weak = tally_;
    engine_.register_events(
      std::move(events),
      [weak, reported = std::move(reported)](
        std::optional<std::vector<event>> registered) {
        // A lost report is sent again next period, with the newer count.
        if (auto shared = weak.lock(); shared && !registered)
          shared->changed.insert(reported.begin(), reported.end());
      });
  }

  std::vector<event_type> subscriptions_;
  /// Prefix of the report types.
  event_type type_;
  std::chrono::milliseconds period_;
  engine_handle& engine_;
  std::shared_ptr<tally> tally_;
};

std::unique_ptr<module> create(const boost::json::object& conf,
                               engine_handle& engine, event_source) {
  module_conf reader(name, conf);
  auto subscriptions = reader.query_types("subscriptions");
  auto type = reader.event_type_prefix("type");
  auto seconds = reader.positive_seconds("period");
  if (auto shared = shared_types(replaced_prefix_types(subscriptions, {}, type),
                                 subscriptions))
    reader.refuse("type", "reports with types " + *shared +
                            " would match subscriptions and be counted, "
                            "reported and counted again, forever");
  // Whole milliseconds, the engine's timer unit; never 0 (a busy loop).
  auto period = std::chrono::milliseconds(
    std::max<int64_t>(1, static_cast<int64_t>(std::ceil(seconds * 1000))));
  return std::make_unique<counter_module>(std::move(subscriptions),
                                          std::move(type), period, engine);
}

}  // namespace

const module_factory counter_factory{
  .name = name,
  .json_schema = schema,
  .create = &create,
};

}  // namespace hat::modules::builtin
