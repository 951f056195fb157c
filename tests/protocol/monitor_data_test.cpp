// The monitor `data` of an Event Server, as the reference writes it.

#include <doctest/doctest.h>

#include "protocol/monitor_data.hpp"

using namespace hat::observer;

TEST_CASE("monitor data: the reference's text, byte for byte") {
  // From the reference's vectors (observer_client_ready).
  CHECK(monitor_data_json(2, "127.0.0.1", 23122, std::nullopt)
        == R"({"server_id": 2, "eventer_server": {"host": "127.0.0.1", )"
           R"("port": 23122}, "server_token": null})");
  CHECK(monitor_data_json(1, "0.0.0.0", 23012, std::string{"s3cret"})
        == R"({"server_id": 1, "eventer_server": {"host": "0.0.0.0", )"
           R"("port": 23012}, "server_token": "s3cret"})");
}

TEST_CASE("monitor data: strings escaped as Python's json.dumps does") {
  // json.dumps('a"b\\c\n\x01\x7f é€😀')
  CHECK(python_json_string("a\"b\\c\n\x01\x7f \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80")
        == R"("a\"b\\c\n\u0001\u007f \u00e9\u20ac\ud83d\ude00")");
  CHECK(python_json_string("") == R"("")");
  CHECK(python_json_string("\t\r\b\f/") == R"("\t\r\b\f/")");
}
