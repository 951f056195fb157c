// hat-event-lmdb-convert run as a child process, as a user runs it: its
// arguments, messages (all on stderr) and exit codes as the reference's
// (operations.md §3.1), the vectors converted with nothing left beside
// them, and no destination after a failure.

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/child_process.hpp"
#include "tests/storage/lmdb_convert_vectors.hpp"
#include "tests/temp_dir.hpp"

namespace fs = std::filesystem;
using hat::test::copy_convert_vector;
using hat::test::files_in;
using hat::test::read_content;
using hat::test::read_file;
using hat::test::reference_output;
using hat::test::temp_dir;

namespace {

/// Runs the tool with `args`, its output files in a directory of their own
/// so that the directory of the databases holds nothing else.
hat::test::process_output convert(std::vector<std::string> args) {
  temp_dir out_dir;
  return hat::test::run_process(HAT_LMDB_CONVERT_EXECUTABLE, out_dir.path,
                                std::move(args));
}

}  // namespace

TEST_CASE("hat-event-lmdb-convert: not two arguments is a usage error") {
  for (std::vector<std::string> args :
       {std::vector<std::string>{}, {"a.db"}, {"a.db", "b.db", "c.db"}}) {
    CAPTURE(args.size());
    auto run = convert(args);
    CHECK(run.exit_code == 1);
    CHECK(run.out.empty());
    CHECK(run.err == std::string("Usage: ") + HAT_LMDB_CONVERT_EXECUTABLE +
                       " SRC_DB_PATH DST_DB_PATH\n");
  }
}

TEST_CASE("hat-event-lmdb-convert: refusals before converting") {
  temp_dir dir;
  auto src = copy_convert_vector("v06.db", dir.path);
  auto dst = dir.path / "out.db";

  SUBCASE("a missing source") {
    auto run = convert({(dir.path / "nope.db").string(), dst.string()});
    CHECK(run.exit_code == 1);
    CHECK(run.err ==
          "invalid SRC_DB_PATH: " + (dir.path / "nope.db").string() + "\n");
  }
  SUBCASE("an existing destination, left as it was") {
    std::ofstream(dst) << "keep";
    auto run = convert({src.string(), dst.string()});
    CHECK(run.exit_code == 1);
    CHECK(run.err == "existing DST_DB_PATH: " + dst.string() + "\n");
    CHECK(read_file(dst) == "keep");
  }
  SUBCASE("a destination that is a dangling symbolic link") {
    fs::create_symlink(dir.path / "nowhere.db", dst);
    auto run = convert({src.string(), dst.string()});
    CHECK(run.exit_code == 1);
    CHECK(run.err == "existing DST_DB_PATH: " + dst.string() + "\n");
    CHECK(fs::is_symlink(dst));
    CHECK_FALSE(fs::exists(dir.path / "nowhere.db"));
  }
  SUBCASE("paths are named as Python's pathlib writes them") {
    auto given = dir.path.string() + "/./nope//x.db/";
    auto run = convert({given, dst.string()});
    CHECK(run.exit_code == 1);
    CHECK(run.err ==
          "invalid SRC_DB_PATH: " + dir.path.string() + "/nope/x.db\n");
  }
  CHECK_FALSE(fs::exists(dst.string() + "-lock"));
}

TEST_CASE("hat-event-lmdb-convert: conversion errors") {
  temp_dir dir;
  auto dst = dir.path / "out.db";
  auto expect_error = [&](const fs::path& src, const std::string& said) {
    auto run = convert({src.string(), dst.string()});
    CHECK(run.exit_code == 1);
    CHECK(run.out.empty());
    CHECK(run.err == "conversion error: " + said + "\n");
    CHECK_FALSE(fs::exists(dst));
  };

  SUBCASE("already v0.9") {
    auto v09 = dir.path / "v09.db";
    auto run = convert(
      {copy_convert_vector("v07.db", dir.path).string(), v09.string()});
    REQUIRE(run.exit_code == 0);
    expect_error(v09, v09.string() + " already up to date");
  }
  SUBCASE("not an LMDB file") {
    auto text = dir.path / "text.db";
    std::ofstream(text) << "just text, no LMDB meta page";
    expect_error(text,
                 text.string() + ": MDB_INVALID: File is not an LMDB file");
  }
  SUBCASE("a directory") {
    auto sub = dir.path / "sub";
    fs::create_directory(sub);
    expect_error(sub, sub.string() + ": Is a directory");
  }
  SUBCASE("an unknown layout") {
    auto other = dir.path / "other.db";
    {
      auto env = hat::storage::lmdb::environment::open(other);
      REQUIRE(env.ok());
      REQUIRE(env->open_db("events", true).ok());
    }
    expect_error(other, "unsupported version");
  }
  SUBCASE("a value that does not decode") {
    auto src = copy_convert_vector("v07.db", dir.path);
    {
      auto env = hat::storage::lmdb::environment::open(src);
      REQUIRE(env.ok());
      auto db = env->open_db("ORDERED_COUNT", false);
      REQUIRE(db.ok());
      auto txn = env->begin_write();
      REQUIRE(txn.ok());
      REQUIRE(txn->put(*db, std::string(8, '\0'), "123").ok());
      REQUIRE(txn->commit().ok());
    }
    expect_error(src, src.string() +
                        ": ORDERED_COUNT key 0000000000000000: count: uint: "
                        "3 bytes, expected 8");
    // No temporary file or lock file of the destination stays behind.
    CHECK(files_in(dir.path) ==
          std::vector<std::string>{"v07.db", "v07.db-lock"});
  }
}

TEST_CASE("hat-event-lmdb-convert: converts the vectors silently") {
  for (std::string file : {"v06.db", "v07.db"}) {
    CAPTURE(file);
    temp_dir dir;
    auto src = copy_convert_vector(file, dir.path);
    auto before = read_file(src);
    auto dst = dir.path / "out.db";
    auto run = convert({src.string(), dst.string()});
    CHECK(run.exit_code == 0);
    CHECK(run.out.empty());
    CHECK(run.err.empty());
    CHECK(read_content(dst) == reference_output(file));
    CHECK(read_file(src) == before);
    CHECK(files_in(dir.path) == std::vector<std::string>{"out.db", file});
  }
}

TEST_CASE("hat-event-lmdb-convert: v06_limit.db converts, with a note") {
  temp_dir dir;
  auto src = copy_convert_vector("v06_limit.db", dir.path);
  auto dst = dir.path / "out.db";
  auto run = convert({src.string(), dst.string()});
  CHECK(run.exit_code == 0);
  CHECK(run.err == "note: read 1 v0.6 ordered_count value(s) of " +
                     src.string() +
                     " as 8-byte counts (the reference's converter reads "
                     "them as JSON text and fails)\n");
  auto counts = read_content(dst).at("TIMESERIES_COUNT");
  CHECK(counts.size() == 1);
}
