// The notification fan-out on CAF's deterministic coordinator.

#include <doctest/doctest.h>

#include <memory>

#include "actors/notify_fanout.hpp"
#include "tests/actors/deterministic_fixture.hpp"

using namespace hat;

namespace {

/// Asks the fan-out for its clients and keeps the answer.
caf::behavior clients_asker(caf::event_based_actor* self,
                            notify_fanout_actor fanout,
                            std::shared_ptr<client_names> answer) {
  self->request(fanout, caf::infinite, atom::get::value, atom::clients::value)
    .then([answer](client_names& names) { *answer = std::move(names); });
  return {};
}

/// Takes notifications and does nothing. (An argument: CAF 0.17 spawning a
/// function without arguments binds a reference to a null pointer, which
/// UBSan reports.)
caf::behavior silent_broker(caf::event_based_actor*, int) {
  return {[](atom::notify, const shared_bytes&) {}};
}

}  // namespace

TEST_CASE_FIXTURE(test::deterministic_fixture,
                  "fan-out: a connection that ends without leaving is "
                  "removed") {
  auto fanout = system.spawn(notify_fanout, status::operational);
  // Stands in for a connection broker that joins and then dies of an
  // exception (or is killed) before it could send leave.
  auto broker = system.spawn(silent_broker, 7);
  caf::anon_send(fanout, atom::join::value, broker, int64_t{7},
                 std::string{"doomed"}, notify_filter{});
  run();
  auto before = std::make_shared<client_names>();
  system.spawn(clients_asker, fanout, before);
  run();
  REQUIRE(before->size() == 1);

  caf::anon_send_exit(broker, caf::exit_reason::kill);
  run();
  auto after = std::make_shared<client_names>();
  after->emplace_back(0, "unanswered");
  system.spawn(clients_asker, fanout, after);
  run();
  // Before: the fan-out kept it (and a strong reference to it) for ever.
  CHECK(after->empty());
  caf::anon_send_exit(fanout, caf::exit_reason::user_shutdown);
  run();
}
