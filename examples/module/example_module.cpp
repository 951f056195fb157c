// An example hat-event module built out of tree against an installed
// hat-event-cpp (see README.md): for every event matching the configured
// `subscriptions` it registers, in the same session,
//
//   type:    ["example", "stamped", ...the event's type]
//   payload: {"source_type": "eventer", "source_id": 3,
//             "original": <the event's JSON payload, or null>}
//
// Server configuration:
//
//   modules:
//     - module: /path/to/libhat_example_module.so
//       subscriptions: [["sensor", "*"]]

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

// From <prefix>/include/hat-event, which HatEvent::module_api adds.
#include <modules/plugin.hpp>

namespace example {

using namespace hat;

/// Validated by the server before create() is called, so create() may
/// assume this shape.
constexpr const char* config_schema = R"({
  "type": "object",
  "required": ["module", "subscriptions"],
  "properties": {
    "module": {"type": "string"},
    "subscriptions": {
      "type": "array",
      "items": {"type": "array", "items": {"type": "string"}}
    }
  }
})";

const event_type stamped_prefix{"example", "stamped"};

std::vector<event_type> read_subscriptions(const boost::json::object& conf) {
  std::vector<event_type> types;
  for (const auto& type : conf.at("subscriptions").as_array()) {
    auto& segments = types.emplace_back();
    for (const auto& segment : type.as_array())
      segments.emplace_back(segment.as_string());
  }
  return types;
}

const char* source_type_name(event_source::kind kind) {
  switch (kind) {
  case event_source::kind::eventer:
    return "eventer";
  case event_source::kind::module:
    return "module";
  case event_source::kind::engine:
    return "engine";
  case event_source::kind::server:
    return "server";
  }
  return "unknown";
}

/// The event's JSON payload, or null (no payload, a binary one, or text
/// that is not JSON: the server stores payloads as they come).
boost::json::value original_payload(const event& e) {
  if (!e.payload)
    return nullptr;
  const auto* json = std::get_if<payload_json>(&*e.payload);
  if (json == nullptr)
    return nullptr;
  boost::system::error_code ec;
  auto value = boost::json::parse(json->text, ec);
  return ec ? boost::json::value{nullptr} : value;
}

bool is_stamped(const event_type& type) {
  return type.size() >= stamped_prefix.size() &&
         std::equal(stamped_prefix.begin(), stamped_prefix.end(),
                    type.begin());
}

class stamp_module final : public modules::module {
public:
  explicit stamp_module(std::vector<event_type> subscription)
    : subscription_{std::move(subscription)} {
  }

  std::vector<event_type> subscription() const override {
    return subscription_;
  }

  std::vector<register_event> process(const event_source& source,
                                      const event& e) override {
    // What it registers is offered to it in the next round when the
    // subscription matches it (["*"] does): stamping stamps again would
    // never end the session.
    if (is_stamped(e.type))
      return {};
    register_event stamped;
    stamped.type = stamped_prefix;
    stamped.type.insert(stamped.type.end(), e.type.begin(), e.type.end());
    const boost::json::object payload{
      {"source_type", source_type_name(source.type)},
      {"source_id", source.id},
      {"original", original_payload(e)},
    };
    stamped.payload = payload_json{boost::json::serialize(payload)};
    return {std::move(stamped)};
  }

private:
  std::vector<event_type> subscription_;
};

std::unique_ptr<modules::module> create(const boost::json::object& conf,
                                        modules::engine_handle& engine,
                                        event_source self) {
  // A module that registers events of its own (timers, answers to
  // queries) keeps `engine`, valid for the module's lifetime, and `self`.
  (void)engine;
  (void)self;
  return std::make_unique<stamp_module>(read_subscriptions(conf));
}

/// Static storage: the server reads it for as long as the library is
/// loaded. abi_version and abi_tag keep their defaults, which record the
/// headers, compiler and Boost this library is built with.
const modules::module_factory factory{
  .name = "example_stamp",
  .json_schema = config_schema,
  .create = create,
};

}  // namespace example

HAT_EVENT_MODULE(example::factory)
