#include "actors/server_error.hpp"

#include <caf/actor_system.hpp>
#include <caf/sec.hpp>
#include <doctest/doctest.h>

#include "actors/runtime_config.hpp"

TEST_CASE("server errors: code, context and rendering") {
  auto err = hat::make_error(hat::ec::disk_full, "flush of ", 3, " events");
  CHECK(hat::is(err, hat::ec::disk_full));
  CHECK_FALSE(hat::is(err, hat::ec::storage_failed));
  CHECK(hat::render_error(err) == "disk_full: flush of 3 events");
  CHECK(hat::render_error(hat::make_error(hat::ec::not_operational))
        == "not_operational");
  CHECK(hat::render_error(caf::error{}) == "no error");
  CHECK(hat::render_error(caf::make_error(caf::sec::runtime_error))
        .find("runtime_error") != std::string::npos);
}

TEST_CASE("server errors: the actor system renders them as render_error") {
  hat::runtime_config cfg;
  caf::actor_system system{cfg};
  auto err = hat::make_error(hat::ec::listen_failed, "127.0.0.1:1: denied");
  CHECK(system.render(err) == "listen_failed: 127.0.0.1:1: denied");
}
