// "Operational" is published only once the engine's STARTED session is in
// the store's mailbox: a client that queries as soon as it sees the status
// finds STARTED, whatever order the actors run in. Engine, store and
// fan-out on the deterministic coordinator, every run in a different
// random interleaving; the owner stands in for the server, publishing
// operational when the engine reports atom::started (as server.cpp does).

#include <doctest/doctest.h>

#include <random>

#include <boost/json/parse.hpp>

#include "actors/engine.hpp"
#include "actors/event_store.hpp"
#include "actors/notify_fanout.hpp"
#include "log/logger.hpp"
#include "storage/memory_backend.hpp"
#include "tests/actors/deterministic_fixture.hpp"

using namespace hat;

namespace {

/// Sees every event and adds nothing: STARTED goes through one round and
/// the stop stage, so the engine hands it to the store late.
class quiet_module final : public modules::module {
public:
  std::vector<event_type> subscription() const override {
    return {{"*"}};
  }
  std::vector<register_event> process(const event_source&,
                                      const event&) override {
    return {};
  }
};

const modules::module_factory quiet_factory{
  .name = "quiet",
  .create = [](const boost::json::object&, modules::engine_handle&,
               event_source) -> std::unique_ptr<modules::module> {
    return std::make_unique<quiet_module>();
  }};

/// The server's part: operational, with the engine, when it reports.
caf::behavior publishing_owner(caf::event_based_actor* self,
                               notify_fanout_actor fanout) {
  return {
    [self, fanout](atom::started) {
      self->send(fanout, atom::status::value, status::operational,
                 caf::actor_cast<engine_actor>(self->current_sender()));
    },
    [](atom::restart) {},
    [](atom::reset_ready) {},
  };
}

/// What a client does: on operational, query the newest engine event.
struct client_view {
  /// Operational seen (by the join answer or a status message).
  bool operational = false;
  /// Payloads of the newest engine event, one per query answered.
  std::vector<std::string> answers;
};

caf::behavior querying_client(caf::event_based_actor* self,
                              notify_fanout_actor fanout,
                              event_store_actor store,
                              std::shared_ptr<client_view> view) {
  auto on_status = [self, store, view](status s) {
    if (s != status::operational || view->operational)
      return;
    view->operational = true;
    self
      ->request(store, caf::infinite, atom::query::value,
                query_params{query_latest_params{
                  std::vector<event_type>{{"event", "7", "engine"}}}})
      .then([view](const query_result& result) {
        view->answers.push_back(
          result.events.empty()
            ? std::string{"nothing"}
            : std::get<payload_json>(*result.events[0].payload).text);
      });
  };
  self
    ->request(fanout, caf::infinite, atom::join::value,
              caf::actor_cast<caf::actor>(self), int64_t{1},
              std::string{"client"}, notify_filter{})
    .then([on_status](status s, const engine_actor&) { on_status(s); });
  return {
    [on_status](atom::status, status s, const engine_actor&) {
      on_status(s);
    },
    [](atom::notify, const shared_bytes&) {},
  };
}

struct startup_fixture : test::deterministic_fixture {
  std::mt19937 random;

  // Hundreds of engine starts: their log lines say nothing here.
  startup_fixture() {
    log::set_sink([](std::string_view) {});
  }
  ~startup_fixture() {
    log::set_sink({});
  }

  /// Runs every pending job, each time a randomly chosen one.
  void run_shuffled() {
    while (!sched.jobs.empty()) {
      std::uniform_int_distribution<size_t> pick{0, sched.jobs.size() - 1};
      std::swap(sched.jobs.front(), sched.jobs[pick(random)]);
      sched.run_once();
    }
  }

  /// One server start in the interleaving of `seed`: what the client got.
  std::shared_ptr<client_view> start(unsigned seed, bool with_module) {
    random.seed(seed);
    auto fanout = system.spawn(notify_fanout, status::starting);
    auto store = system.spawn(event_store,
                              std::make_shared<storage::memory_backend>(),
                              fanout, event_store_options{});
    auto view = std::make_shared<client_view>();
    auto client = system.spawn(querying_client, fanout, store, view);
    auto owner = system.spawn(publishing_owner, fanout);
    engine_config conf;
    conf.server_id = 7;
    conf.storage = store;
    conf.fanout = fanout;
    conf.owner = caf::actor_cast<engine_owner_actor>(owner);
    if (with_module)
      conf.modules.push_back(module_spec{"quiet", &quiet_factory, nullptr, {}});
    auto engine = system.spawn(hat::engine, std::move(conf));
    run_shuffled();
    for (auto a : {caf::actor_cast<caf::actor>(engine), client, owner,
                   caf::actor_cast<caf::actor>(store),
                   caf::actor_cast<caf::actor>(fanout)})
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    run();
    return view;
  }
};

}  // namespace

TEST_CASE_FIXTURE(startup_fixture,
                  "startup order: a query sent on operational finds STARTED, "
                  "in every interleaving") {
  for (bool with_module : {false, true}) {
    size_t found = 0;
    constexpr unsigned runs = 200;
    for (unsigned seed = 0; seed < runs; ++seed) {
      auto view = start(seed, with_module);
      REQUIRE(view->operational);
      REQUIRE(view->answers.size() == 1);
      if (view->answers[0] == "\"STARTED\"")
        ++found;
      else
        MESSAGE("seed ", seed, " module ", with_module, ": the query found ",
                view->answers[0]);
    }
    CHECK(found == runs);
  }
}
