// The heap settings of the real executable (tools/heap_tuning.hpp): a
// server on the memory backend runs with glibc's huge pages for the heap
// (GLIBC_TUNABLES, set by running itself once more, other tunables kept),
// a server on LMDB as started, and a GLIBC_TUNABLES that already names
// huge pages is the operator's choice. The configuration is read quietly
// before that run: its warnings appear once.

#include <doctest/doctest.h>

#include <algorithm>
#include <csignal>
#include <fstream>
#include <sstream>

#include "tests/server/server_process.hpp"
#include "tests/temp_dir.hpp"

using namespace hat;
using namespace std::chrono_literals;

namespace {

/// The environment the running process `pid` was started with, entries
/// separated by '\n'. (glibc splits GLIBC_TUNABLES in place while reading
/// it, so its tunables after the first appear as entries of their own.)
std::string environment_of(pid_t pid) {
  std::ifstream file{"/proc/" + std::to_string(pid) + "/environ"};
  std::stringstream all;
  all << file.rdbuf();
  auto text = all.str();
  std::replace(text.begin(), text.end(), '\0', '\n');
  return text;
}

bool has(const std::string& environment, const std::string& text) {
  return environment.find(text) != std::string::npos;
}

/// Runs a server on `backend` with GLIBC_TUNABLES=`tunables` and an
/// unknown key; the environment it runs with.
std::string run_with(const std::string& backend, const std::string& tunables,
                     size_t& unknown_key_warnings) {
  auto conf = test::write_config(
    "heap.yaml", test::server_config_text("heap", 3, backend)
                   + "no_such_key: 1\n");
  test::process_options options;
  options.environment.push_back("GLIBC_TUNABLES=" + tunables);
  test::server_process server{{"--conf", conf.string()}, options};
  REQUIRE(server.wait_port() != 0);
  auto result = environment_of(server.pid());
  unknown_key_warnings = server.lines_with("no_such_key");
  server.signal(SIGTERM);
  CHECK(server.wait_exit(10s) == std::optional<int>{0});
  return result;
}

}  // namespace

TEST_CASE("heap tuning: the memory backend runs with huge pages for the "
          "heap, other tunables kept, warnings once") {
  size_t warnings = 0;
  auto env = run_with("{module: memory}", "glibc.malloc.tcache_count=7",
                      warnings);
  CHECK(has(env, "GLIBC_TUNABLES=glibc.malloc.tcache_count=7"));
  CHECK(has(env, "glibc.malloc.hugetlb=1"));
  CHECK(warnings == 1);
}

TEST_CASE("heap tuning: LMDB keeps glibc's defaults") {
  test::temp_dir dir;
  size_t warnings = 0;
  auto backend = "{module: lmdb, db_path: " + (dir.path / "e.db").string()
                 + ", identifier: null, flush_period: 1, cleanup_period: 5,"
                   " conditions: [], latest: {subscriptions: []},"
                   " timeseries: []}";
  auto env = run_with(backend, "glibc.malloc.tcache_count=7", warnings);
  CHECK(has(env, "GLIBC_TUNABLES=glibc.malloc.tcache_count=7"));
  CHECK_FALSE(has(env, "hugetlb"));
  CHECK(warnings == 1);
}

TEST_CASE("heap tuning: huge pages named by the operator are left as they "
          "are") {
  size_t warnings = 0;
  auto env = run_with("{module: memory}", "glibc.malloc.hugetlb=0", warnings);
  CHECK(has(env, "GLIBC_TUNABLES=glibc.malloc.hugetlb=0"));
  CHECK_FALSE(has(env, "hugetlb=1"));
  CHECK(warnings == 1);
}
