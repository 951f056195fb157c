// The RAII layer over LMDB, on real files in fresh temporary directories.

#include "storage/lmdb/environment.hpp"

#include <doctest/doctest.h>

#include <cerrno>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <unistd.h>

namespace lmdb = hat::storage::lmdb;
namespace fs = std::filesystem;

namespace {

/// A fresh directory under the system temporary directory, removed with
/// everything in it at the end of the test.
class temp_dir {
public:
  temp_dir() {
    std::random_device rd;
    for (;;) {
      path_ = fs::temp_directory_path() /
              ("hat_lmdb_test_" + std::to_string(getpid()) + "_" +
               std::to_string(rd()));
      if (fs::create_directory(path_))
        break;
    }
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  ~temp_dir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }

  fs::path operator/(std::string_view name) const {
    return path_ / name;
  }

private:
  fs::path path_;
};

/// The value of `r`, failing the test with LMDB's message when it is an
/// error.
template <class T>
T take(lmdb::result<T> r) {
  if (!r.ok())
    FAIL(r.error().message());
  return std::move(r).value();
}

void expect_ok(const lmdb::result<void>& r) {
  if (!r.ok())
    FAIL(r.error().message());
}

constexpr size_t test_map_size = size_t{64} << 20;

lmdb::environment open_env(const fs::path& path,
                           size_t map_size = test_map_size) {
  lmdb::open_options options;
  options.map_size = map_size;
  return take(lmdb::environment::open(path, options));
}

std::optional<std::string> get_string(const lmdb::txn_base& txn,
                                      lmdb::dbi db, std::string_view key) {
  auto value = take(txn.get(db, key));
  if (!value)
    return std::nullopt;
  return std::string(*value);
}

/// The keys of `pos` and what follows it through `step`.
template <class Step>
std::vector<std::string> walk(lmdb::position pos, Step step) {
  std::vector<std::string> keys;
  for (auto p = take(std::move(pos)); p; p = take(step()))
    keys.emplace_back(p->key);
  return keys;
}

/// 8-byte big-endian keys sort numerically.
std::string key_of(uint64_t n) {
  std::string key(8, '\0');
  for (int i = 7; i >= 0; --i, n >>= 8)
    key[i] = static_cast<char>(n & 0xff);
  return key;
}

}  // namespace

TEST_CASE("lmdb: data survives closing and reopening the file") {
  temp_dir dir;
  auto path = dir / "db";
  {
    auto env = open_env(path);
    auto db = take(env.open_db("A", true));
    auto txn = take(env.begin_write());
    CHECK(take(txn.put(db, "key", "value")));
    expect_ok(txn.commit());
    CHECK_FALSE(txn.is_open());
  }
  // subdir=false: the path is the data file, its lock file sits beside it.
  CHECK(fs::is_regular_file(path));
  CHECK(fs::is_regular_file(dir / "db-lock"));

  auto env = open_env(path);
  auto db = take(env.open_db("A", false));
  auto txn = take(env.begin_read());
  CHECK(get_string(txn, db, "key") == "value");
}

TEST_CASE("lmdb: named databases") {
  temp_dir dir;
  auto env = open_env(dir / "db");

  SUBCASE("a missing database is not created on request") {
    auto missing = env.open_db("NOPE", false);
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().code() == MDB_NOTFOUND);
    CHECK(missing.error().message().find("NOPE") != std::string::npos);
  }

  SUBCASE("each name is opened once and keeps its data apart") {
    auto a = take(env.open_db("A", true));
    auto b = take(env.open_db("B", true));
    auto a_again = take(env.open_db("A", false));
    CHECK(a.handle() == a_again.handle());
    CHECK(a.handle() != b.handle());
    CHECK(a.name() == "A");
    CHECK(b.name() == "B");

    auto txn = take(env.begin_write());
    CHECK(take(txn.put(a, "k", "in a")));
    expect_ok(txn.commit());
    auto read = take(env.begin_read());
    CHECK(get_string(read, a, "k") == "in a");
    CHECK(get_string(read, b, "k") == std::nullopt);
  }

  SUBCASE("at most 9 named databases, as the reference") {
    for (int i = 0; i < 9; ++i)
      CHECK(env.open_db("DB" + std::to_string(i), true).ok());
    auto tenth = env.open_db("DB9", true);
    REQUIRE_FALSE(tenth.ok());
    CHECK(tenth.error().code() == MDB_DBS_FULL);
  }

  SUBCASE("an unopened handle is refused, not a crash") {
    auto txn = take(env.begin_read());
    auto r = txn.get(lmdb::dbi(), "k");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code() == EINVAL);
  }
}

TEST_CASE("lmdb: default map size is the reference's 1 TiB") {
  temp_dir dir;
  auto env = take(lmdb::environment::open(dir / "db"));
  CHECK(lmdb::default_map_size == size_t{1} << 40);
  CHECK(env.map_size() == size_t{1} << 40);
  CHECK_FALSE(env.read_only());
  expect_ok(env.sync());
}

TEST_CASE("lmdb: get, put and delete") {
  temp_dir dir;
  auto env = open_env(dir / "db");
  auto db = take(env.open_db("A", true));
  auto txn = take(env.begin_write());

  CHECK(get_string(txn, db, "k") == std::nullopt);
  CHECK(take(txn.put(db, "k", "one")));
  CHECK(get_string(txn, db, "k") == "one");

  // MDB_KEYEXIST is an answer, not a failure, and changes nothing.
  CHECK_FALSE(take(txn.put(db, "k", "two", MDB_NOOVERWRITE)));
  CHECK(get_string(txn, db, "k") == "one");
  CHECK(take(txn.put(db, "k", "three")));
  CHECK(get_string(txn, db, "k") == "three");

  CHECK(take(txn.del(db, "k")));
  CHECK_FALSE(take(txn.del(db, "k")));
  CHECK(get_string(txn, db, "k") == std::nullopt);

  // Binary keys and values, zero bytes included.
  std::string zeros("\0a\0", 3);
  CHECK(take(txn.put(db, zeros, zeros)));
  CHECK(get_string(txn, db, zeros) == zeros);

  SUBCASE("a refused put names the call, the database and the code") {
    auto r = txn.put(db, "", "empty keys are invalid");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code() == MDB_BAD_VALSIZE);
    CHECK(r.error().message().rfind("mdb_put into A: MDB_BAD_VALSIZE", 0) ==
          0);
  }

  expect_ok(txn.commit());
  SUBCASE("an ended transaction refuses further use") {
    auto r = txn.put(db, "k", "v");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code() == EINVAL);
    auto again = txn.commit();
    REQUIRE_FALSE(again.ok());
    CHECK(again.error().code() == EINVAL);
  }
}

TEST_CASE("lmdb: cursors walk forward, backward and seek") {
  temp_dir dir;
  auto env = open_env(dir / "db");
  auto db = take(env.open_db("A", true));
  {
    auto txn = take(env.begin_write());
    for (auto key : {"d", "b", "f"})
      CHECK(take(txn.put(db, key, std::string("value of ") + key)));
    expect_ok(txn.commit());
  }
  auto txn = take(env.begin_read());
  auto c = take(txn.open_cursor(db));

  using keys = std::vector<std::string>;
  CHECK(walk(c.first(), [&] { return c.next(); }) == keys{"b", "d", "f"});
  CHECK(walk(c.last(), [&] { return c.prev(); }) == keys{"f", "d", "b"});

  auto at = take(c.seek("c"));
  REQUIRE(at);
  CHECK(at->key == "d");
  CHECK(at->value == "value of d");
  CHECK(take(c.current())->key == "d");
  CHECK(take(c.next())->key == "f");
  CHECK(take(c.seek("d"))->key == "d");
  CHECK(take(c.seek("g")) == std::nullopt);

  CHECK(take(c.find("c")) == std::nullopt);
  CHECK(take(c.find("f"))->value == "value of f");

  SUBCASE("an empty database has no first or last") {
    auto empty_db = take(env.open_db("EMPTY", true));
    auto read = take(env.begin_read());
    auto e = take(read.open_cursor(empty_db));
    CHECK(take(e.first()) == std::nullopt);
    CHECK(take(e.last()) == std::nullopt);
  }
}

TEST_CASE("lmdb: a write cursor deletes as it walks") {
  temp_dir dir;
  auto env = open_env(dir / "db");
  auto db = take(env.open_db("A", true));
  auto txn = take(env.begin_write());
  {
    auto c = take(txn.open_write_cursor(db));
    for (uint64_t i = 1; i <= 10; ++i)
      CHECK(take(c.put(key_of(i), "v")));
    CHECK_FALSE(take(c.put(key_of(3), "w", MDB_NOOVERWRITE)));

    // Delete the even keys (the last one too); after del, next() yields the
    // entry that followed the deleted one.
    std::vector<std::string> seen;
    for (auto p = take(c.first()); p; p = take(c.next())) {
      seen.emplace_back(p->key);
      if (static_cast<uint8_t>(p->key.back()) % 2 == 0)
        expect_ok(c.del());
    }
    CHECK(seen.size() == 10);
    CHECK(seen.back() == key_of(10));
  }
  CHECK(take(txn.stat(db)).entries == 5);
  auto c = take(txn.open_cursor(db));
  std::vector<std::string> left = walk(c.first(), [&] { return c.next(); });
  CHECK(left == std::vector<std::string>{key_of(1), key_of(3), key_of(5),
                                         key_of(7), key_of(9)});
}

TEST_CASE("lmdb: a read transaction keeps its snapshot across a commit") {
  temp_dir dir;
  auto env = open_env(dir / "db");
  auto db = take(env.open_db("A", true));
  {
    auto txn = take(env.begin_write());
    CHECK(take(txn.put(db, "k", "old")));
    expect_ok(txn.commit());
  }
  auto snapshot = take(env.begin_read());
  CHECK(get_string(snapshot, db, "k") == "old");
  {
    auto txn = take(env.begin_write());
    CHECK(take(txn.put(db, "k", "new")));
    CHECK(take(txn.put(db, "k2", "added")));
    expect_ok(txn.commit());
  }
  CHECK(get_string(snapshot, db, "k") == "old");
  CHECK(get_string(snapshot, db, "k2") == std::nullopt);
  CHECK(take(snapshot.stat(db)).entries == 1);

  auto fresh = take(env.begin_read());
  CHECK(get_string(fresh, db, "k") == "new");
  CHECK(take(fresh.stat(db)).entries == 2);

  // Move assignment ends the old snapshot (LeakSanitizer would report it
  // otherwise) and takes over the new one.
  snapshot = std::move(fresh);
  CHECK_FALSE(fresh.is_open());
  CHECK(get_string(snapshot, db, "k") == "new");
}

TEST_CASE("lmdb: an aborted write leaves nothing") {
  temp_dir dir;
  auto env = open_env(dir / "db");
  auto db = take(env.open_db("A", true));

  SUBCASE("explicit abort") {
    auto txn = take(env.begin_write());
    CHECK(take(txn.put(db, "k", "v")));
    txn.abort();
    CHECK_FALSE(txn.is_open());
  }
  SUBCASE("destroyed without commit") {
    auto txn = take(env.begin_write());
    CHECK(take(txn.put(db, "k", "v")));
  }
  SUBCASE("moved, then destroyed") {
    auto txn = take(env.begin_write());
    CHECK(take(txn.put(db, "k", "v")));
    auto moved = std::move(txn);
    CHECK_FALSE(txn.is_open());
    CHECK(moved.is_open());
  }
  auto read = take(env.begin_read());
  CHECK(get_string(read, db, "k") == std::nullopt);
  CHECK(take(read.stat(db)).entries == 0);
}

TEST_CASE("lmdb: clear empties a database and keeps it") {
  temp_dir dir;
  auto env = open_env(dir / "db");
  auto db = take(env.open_db("A", true));
  auto txn = take(env.begin_write());
  for (uint64_t i = 0; i < 100; ++i)
    CHECK(take(txn.put(db, key_of(i), "v")));
  expect_ok(txn.clear(db));
  CHECK(take(txn.stat(db)).entries == 0);
  CHECK(take(txn.put(db, "still", "usable")));
  expect_ok(txn.commit());
  auto read = take(env.begin_read());
  CHECK(take(read.stat(db)).entries == 1);
}

TEST_CASE("lmdb: a full map is an error value, grow and retry succeeds") {
  temp_dir dir;
  auto env = open_env(dir / "db", size_t{1} << 20);
  auto db = take(env.open_db("TIMESERIES_DATA", true));
  const std::string value(4000, 'x');

  // Fill until LMDB refuses: 4 MB of values cannot fit in 1 MiB.
  size_t stored = 0;
  {
    auto txn = take(env.begin_write());
    std::optional<lmdb::error> failure;
    for (uint64_t i = 0; i < 1000 && !failure; ++i) {
      auto r = txn.put(db, key_of(i), value);
      if (r.ok())
        ++stored;
      else
        failure = r.error();
    }
    REQUIRE(failure);
    CHECK(failure->map_full());
    CHECK(failure->message().rfind(
            "mdb_put into TIMESERIES_DATA: MDB_MAP_FULL", 0) == 0);

    // The spoiled transaction cannot commit; LMDB frees it on that failed
    // commit, and neither commit nor the destructor may abort it again
    // (ASan would report the double free).
    auto commit = txn.commit();
    REQUIRE_FALSE(commit.ok());
    CHECK(commit.error().code() == MDB_BAD_TXN);
    CHECK_FALSE(txn.is_open());
  }
  CHECK(stored > 0);
  CHECK(stored < 1000);

  expect_ok(env.set_map_size(size_t{16} << 20));
  CHECK(env.map_size() == size_t{16} << 20);
  {
    auto txn = take(env.begin_write());
    for (uint64_t i = 0; i < 1000; ++i)
      CHECK(take(txn.put(db, key_of(i), value)));
    expect_ok(txn.commit());
  }
  auto read = take(env.begin_read());
  CHECK(take(read.stat(db)).entries == 1000);
}

TEST_CASE("lmdb: a read-only environment refuses writes as values") {
  temp_dir dir;
  auto path = dir / "db";
  {
    auto env = open_env(path);
    auto db = take(env.open_db("A", true));
    auto txn = take(env.begin_write());
    CHECK(take(txn.put(db, "k", "v")));
    expect_ok(txn.commit());
  }
  lmdb::open_options options;
  options.map_size = test_map_size;
  options.read_only = true;
  auto env = take(lmdb::environment::open(path, options));
  CHECK(env.read_only());

  auto write = env.begin_write();
  REQUIRE_FALSE(write.ok());
  CHECK(write.error().code() == EACCES);
  CHECK_FALSE(env.open_db("B", true).ok());

  auto db = take(env.open_db("A", false));
  auto txn = take(env.begin_read());
  CHECK(get_string(txn, db, "k") == "v");

  SUBCASE("a missing file is not created") {
    auto missing = lmdb::environment::open(dir / "missing", options);
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().code() == ENOENT);
    CHECK_FALSE(fs::exists(dir / "missing"));
  }
}

TEST_CASE("lmdb: no_lock reads and writes without a lock file") {
  temp_dir dir;
  auto path = dir / "db";
  lmdb::open_options options;
  options.map_size = test_map_size;
  options.no_lock = true;
  {
    auto env = take(lmdb::environment::open(path, options));
    auto db = take(env.open_db("A", true));
    auto txn = take(env.begin_write());
    CHECK(take(txn.put(db, "k", "v")));
    expect_ok(txn.commit());
  }
  CHECK(fs::is_regular_file(path));
  CHECK_FALSE(fs::exists(dir / "db-lock"));

  options.read_only = true;
  auto env = take(lmdb::environment::open(path, options));
  auto db = take(env.open_db("A", false));
  auto txn = take(env.begin_read());
  CHECK(get_string(txn, db, "k") == "v");
  CHECK_FALSE(fs::exists(dir / "db-lock"));
}

TEST_CASE("lmdb: read transactions are not tied to a thread (MDB_NOTLS)") {
  temp_dir dir;
  auto env = open_env(dir / "db");
  auto db = take(env.open_db("A", true));
  {
    auto txn = take(env.begin_write());
    CHECK(take(txn.put(db, "k", "before")));
    expect_ok(txn.commit());
  }

  // Begun on another thread, then used on this one.
  std::optional<lmdb::result<lmdb::read_txn>> begun;
  std::thread([&] { begun.emplace(env.begin_read()); }).join();
  REQUIRE(begun);
  std::optional<lmdb::read_txn> moved(take(std::move(*begun)));
  {
    auto txn = take(env.begin_write());
    CHECK(take(txn.put(db, "k", "after")));
    expect_ok(txn.commit());
  }
  CHECK(get_string(*moved, db, "k") == "before");

  // Without MDB_NOTLS a second reader on one thread fails (MDB_BAD_RSLOT).
  auto second = take(env.begin_read());
  CHECK(get_string(second, db, "k") == "after");
  CHECK(get_string(*moved, db, "k") == "before");
  CHECK(env.info().readers >= 2);

  // And ended on a third thread.
  std::thread([&] { moved.reset(); }).join();
  CHECK(get_string(second, db, "k") == "after");
}

TEST_CASE("lmdb: cursors that outlive their transaction stay safe") {
  temp_dir dir;
  auto env = open_env(dir / "db");
  auto db = take(env.open_db("A", true));

  SUBCASE("write cursor after commit") {
    auto txn = take(env.begin_write());
    auto c = take(txn.open_write_cursor(db));
    CHECK(take(c.put("k", "v")));
    expect_ok(txn.commit());
    auto r = c.next();
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code() == EINVAL);
    CHECK_FALSE(c.del().ok());
  }
  SUBCASE("read cursor after abort") {
    auto txn = take(env.begin_read());
    auto c = take(txn.open_cursor(db));
    txn.abort();
    auto r = c.first();
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message().find("after the transaction ended") !=
          std::string::npos);
  }
  auto read = take(env.begin_read());
  CHECK(take(read.stat(db)).entries <= 1);
}

TEST_CASE("lmdb: copy writes a usable (compacted) copy") {
  temp_dir dir;
  auto env = open_env(dir / "db");
  auto db = take(env.open_db("A", true));
  {
    auto txn = take(env.begin_write());
    for (uint64_t i = 0; i < 500; ++i)
      CHECK(take(txn.put(db, key_of(i), std::string(100, 'v'))));
    expect_ok(txn.commit());
  }
  {
    // Free pages for the compacting copy to leave out.
    auto txn = take(env.begin_write());
    for (uint64_t i = 0; i < 400; ++i)
      CHECK(take(txn.del(db, key_of(i))));
    expect_ok(txn.commit());
  }
  expect_ok(env.copy(dir / "plain", false));
  expect_ok(env.copy(dir / "compact", true));
  CHECK(fs::file_size(dir / "compact") < fs::file_size(dir / "plain"));

  auto existing = env.copy(dir / "compact", true);
  REQUIRE_FALSE(existing.ok());
  CHECK(existing.error().code() == EEXIST);

  auto copy = open_env(dir / "compact");
  auto copy_db = take(copy.open_db("A", false));
  auto txn = take(copy.begin_read());
  CHECK(take(txn.stat(copy_db)).entries == 100);
  CHECK(get_string(txn, copy_db, key_of(499)) == std::string(100, 'v'));
  CHECK(get_string(txn, copy_db, key_of(0)) == std::nullopt);
}
