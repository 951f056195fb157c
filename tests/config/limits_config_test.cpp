// The connection limit keys of eventer_server: defaults, values, refusals.

#include <doctest/doctest.h>

#include "config/server_config.hpp"

using namespace hat::config;

namespace {

server_config with_eventer(const std::string& eventer) {
  return parse_server_config("name: event\nserver_id: 1\n"
                             "backend: {module: memory}\nmodules: []\n"
                             "eventer_server: {host: 127.0.0.1, port: 1"
                               + eventer + "}\n",
                             file_format::yaml);
}

std::string error_of(const std::string& eventer) {
  try {
    with_eventer(eventer);
  } catch (const config_error& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("eventer_server limits: defaults as the reference's keep-alive") {
  auto conf = with_eventer("").eventer_server;
  CHECK(conf.ping_delay == 20);
  CHECK(conf.ping_timeout == 20);
  CHECK(conf.max_partial_frame_memory == 256 * 1024 * 1024);
  CHECK(conf.max_connections == 10000);
}

TEST_CASE("eventer_server limits: values are read") {
  auto conf = with_eventer(", ping_delay: 0.5, ping_timeout: 2,"
                           " max_partial_frame_memory: 1048576,"
                           " max_connections: 7")
                .eventer_server;
  CHECK(conf.ping_delay == 0.5);
  CHECK(conf.ping_timeout == 2);
  CHECK(conf.max_partial_frame_memory == 1048576);
  CHECK(conf.max_connections == 7);
  CHECK(with_eventer(", ping_delay: 0").eventer_server.ping_delay == 0);
}

TEST_CASE("eventer_server limits: bad values name the key") {
  CHECK(error_of(", ping_timeout: 0")
        == "eventer_server.ping_timeout: expected seconds above 0, up to a "
           "year");
  CHECK(error_of(", ping_delay: -1")
        == "eventer_server.ping_delay: expected seconds from 0 to a year");
  CHECK(error_of(", max_connections: 0")
        == "eventer_server.max_connections: expected a positive number, "
           "got 0");
  CHECK(error_of(", max_partial_frame_memory: -5")
        == "eventer_server.max_partial_frame_memory: expected a positive "
           "number of bytes, got -5");
}
