// Files the lmdb backend must refuse rather than open: a file cut short
// (which LMDB would map and then die on with SIGBUS), garbage, an empty
// file, a file another backend holds; a file that ends early only by free
// pages is healthy. A full disk says so.

#include <doctest/doctest.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <sys/mount.h>
#include <thread>
#include <vector>

#include <lmdb.h>

#include "tests/temp_dir.hpp"
#include "storage/lmdb/data_file.hpp"
#include "storage/lmdb/environment.hpp"
#include "storage/lmdb/format.hpp"
#include "storage/lmdb_backend.hpp"

using hat::event;
using hat::event_id;
using hat::event_type;
using hat::payload_json;
using hat::query_latest_params;
using hat::query_timeseries_params;
using hat::timestamp;
using hat::storage::lmdb_backend;
using hat::storage::lmdb_backend_options;
namespace lmdb = hat::storage::lmdb;
namespace fs = std::filesystem;

namespace {

using hat::test::temp_dir;

lmdb_backend_options make_options(const fs::path& db) {
  lmdb_backend_options o;
  o.db_path = db;
  o.latest_subscriptions = {{"*"}};
  o.timeseries.push_back({hat::order_by::timestamp, {{"*"}}, std::nullopt});
  return o;
}

/// `count` events of about `payload_size` bytes each, one flush.
void fill(lmdb_backend& backend, int first, int count,
          std::size_t payload_size) {
  std::vector<event> events;
  for (int i = first; i < first + count; ++i) {
    event e;
    e.id = event_id{1, 1, i};
    e.type = event_type{"t", std::to_string(i % 50)};
    e.timestamp = timestamp{1000 + i, 0};
    e.payload = payload_json{"\"" + std::string(payload_size, 'x') + "\""};
    events.push_back(std::move(e));
  }
  backend.register_events(
    std::make_shared<const std::vector<event>>(std::move(events)));
  backend.flush();
}

/// A database of the backend with a few hundred pages.
void write_database(const fs::path& db) {
  auto backend = lmdb_backend::open(make_options(db));
  fill(*backend, 1, 2000, 300);
}

std::string open_error(const fs::path& db) {
  try {
    lmdb_backend::open(make_options(db));
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "(opened)";
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("lmdb damage: a file cut to half its size is refused") {
  temp_dir dir;
  auto db = dir.path / "event.db";
  write_database(db);
  auto size = fs::file_size(db);
  REQUIRE(size > 100 * 4096);
  fs::resize_file(db, size / 2);

  auto checked = lmdb::check_data_file(db);
  REQUIRE_FALSE(checked.ok());
  CHECK(checked.error().code() == MDB_CORRUPTED);
  // Before the check, this open succeeded and a time-series query died
  // with SIGBUS.
  auto message = open_error(db);
  INFO(message);
  CHECK(contains(message, db.string() + " is damaged: " +
                            std::to_string(size / 2) + " bytes"));
  CHECK(contains(message, "claims " + std::to_string(size)));
  // The read-only open the manager uses refuses it too.
  lmdb::open_options read_only;
  read_only.read_only = true;
  auto env = lmdb::environment::open(db, read_only);
  REQUIRE_FALSE(env.ok());
  CHECK(contains(env.error().message(), db.string() + " is damaged"));
}

TEST_CASE("lmdb damage: a file cut by one page is refused") {
  temp_dir dir;
  auto db = dir.path / "event.db";
  write_database(db);
  auto size = fs::file_size(db);
  fs::resize_file(db, size - 4096);
  CHECK(contains(open_error(db), db.string() + " is damaged"));
}

TEST_CASE("lmdb damage: garbage is refused, an empty file is new") {
  temp_dir dir;
  auto garbage = dir.path / "garbage.db";
  {
    std::ofstream out{garbage, std::ios::binary};
    for (int i = 0; i < 3 * 4096; ++i)
      out.put(static_cast<char>((i * 7919) & 0xff));
  }
  auto message = open_error(garbage);
  CHECK(contains(message, garbage.string() + " is not an LMDB database"));

  // An empty file holds no events: the server takes it as a new database,
  // as LMDB (and so the reference) does; a reader refuses it.
  auto empty = dir.path / "empty.db";
  std::ofstream{empty}.close();
  lmdb::open_options read_only;
  read_only.read_only = true;
  auto reader = lmdb::environment::open(empty, read_only);
  REQUIRE_FALSE(reader.ok());
  CHECK(contains(reader.error().message(), empty.string() + " is empty"));
  CHECK(open_error(empty) == "(opened)");
  CHECK(fs::file_size(empty) > 0);

  // A file too short for its second meta page.
  auto head = dir.path / "head.db";
  write_database(head);
  fs::resize_file(head, 4096 + 20);
  CHECK(contains(open_error(head), head.string() + " is damaged"));
}

TEST_CASE("lmdb damage: a file ending early by free pages only opens") {
  temp_dir dir;
  auto db = dir.path / "event.db";
  lmdb_backend_options options = make_options(db);
  {
    auto backend = lmdb_backend::open(options);
    fill(*backend, 1, 2000, 300);
  }
  // Empty the databases, then write a little more: their pages are free,
  // and the highest stay so (LMDB reuses the lowest first).
  std::size_t page_size = 0;
  std::size_t last_page = 0;
  std::size_t free_tail_start = 0;
  {
    auto env = lmdb::environment::open(db);
    REQUIRE(env.ok());
    std::vector<lmdb::dbi> dbis;
    for (auto type : lmdb::format::all_db_types)
      if (type != lmdb::format::db_type::system_settings) {
        auto dbi = env->open_db(lmdb::format::db_name(type), false);
        REQUIRE(dbi.ok());
        dbis.push_back(*dbi);
      }
    auto txn = env->begin_write();
    REQUIRE(txn.ok());
    for (auto dbi : dbis)
      REQUIRE(txn->clear(dbi).ok());
    REQUIRE(txn->commit().ok());
    auto settings = env->open_db("SYSTEM_SETTINGS", false);
    REQUIRE(settings.ok());
    for (int i = 0; i < 3; ++i) {
      auto small = env->begin_write();
      REQUIRE(small.ok());
      REQUIRE(small->put(*settings, "k" + std::to_string(i), "v").ok());
      REQUIRE(small->commit().ok());
    }
    MDB_stat stat{};
    mdb_env_stat(env->handle(), &stat);
    page_size = stat.ms_psize;
    last_page = env->info().last_page;
    // The free database (dbi 0) through LMDB's own API: which of the
    // highest pages are free.
    auto reader = env->begin_read();
    REQUIRE(reader.ok());
    MDB_cursor* cursor = nullptr;
    REQUIRE(mdb_cursor_open(reader->handle(), 0, &cursor) == 0);
    std::vector<bool> free(last_page + 1, false);
    MDB_val key, value;
    while (mdb_cursor_get(cursor, &key, &value, MDB_NEXT) == 0) {
      auto* ids = static_cast<const std::size_t*>(value.mv_data);
      for (std::size_t i = 1; i <= ids[0]; ++i)
        free[ids[i]] = true;
    }
    mdb_cursor_close(cursor);
    free_tail_start = last_page + 1;
    while (free_tail_start > 2 && free[free_tail_start - 1])
      --free_tail_start;
  }
  INFO("last page " << last_page << ", free from " << free_tail_start);
  REQUIRE(free_tail_start + 10 <= last_page);
  // What LMDB may leave itself: the free tail never written.
  fs::resize_file(db, free_tail_start * page_size);

  CHECK(lmdb::check_data_file(db).ok());
  auto backend = lmdb_backend::open(options);
  CHECK(backend->query(query_latest_params{}).events.empty());
  fill(*backend, 3000, 500, 300);
  CHECK(backend->query(query_latest_params{}).events.size() == 50);
  query_timeseries_params series;
  CHECK(backend->query(series).events.size() == 500);
  // One page past the free tail is a page in use.
  backend.reset();
  fs::resize_file(db, free_tail_start * page_size - page_size);
  CHECK(contains(open_error(db), " is damaged"));
}

TEST_CASE("lmdb damage: a second backend on one file is refused") {
  temp_dir dir;
  auto db = dir.path / "event.db";
  auto first = lmdb_backend::open(make_options(db));
  auto message = open_error(db);
  INFO(message);
  CHECK(contains(message, db.string() + " is in use"));
  // The first goes on.
  fill(*first, 1, 10, 10);
  CHECK(first->query(query_latest_params{}).events.size() == 10);
  // Read-only openers (hat-event-lmdb-manager) neither take nor heed the
  // lock.
  lmdb::open_options read_only;
  read_only.read_only = true;
  auto reader = lmdb::environment::open(db, read_only);
  CHECK(reader.ok());
  // Released with the backend.
  first.reset();
  CHECK(lmdb_backend::open(make_options(db)) != nullptr);
}

TEST_CASE("lmdb damage: write errors of a full disk say so") {
  temp_dir dir;
  auto file = dir.path / "event.db";
  std::ofstream{file}.close();
  auto full = lmdb::write_error(ENOSPC, "mdb_txn_commit", file);
  CHECK(full.disk_full());
  CHECK(contains(full.message(),
                 "the disk holding " + file.string() + " is full"));
  CHECK(contains(full.message(), "mdb_txn_commit"));
  // EIO is a full disk only when the disk has (almost) no space left.
  auto io = lmdb::write_error(EIO, "mdb_txn_commit", file);
  CHECK_FALSE(io.disk_full());
  CHECK(contains(io.message(), "Input/output error"));
  CHECK_FALSE(lmdb::write_error(EACCES, "x", file).disk_full());
}

namespace {

/// A tmpfs of `bytes` mounted at `dir` while it lives; mounted() false
/// where mounting is not allowed (not root, no CAP_SYS_ADMIN).
struct small_disk {
  fs::path dir;
  bool ok = false;

  small_disk(fs::path at, std::size_t bytes) : dir(std::move(at)) {
    fs::create_directories(dir);
    auto data = "size=" + std::to_string(bytes);
    ok = ::mount("tmpfs", dir.c_str(), "tmpfs", 0, data.c_str()) == 0;
  }
  ~small_disk() {
    if (ok)
      ::umount2(dir.c_str(), MNT_DETACH);
  }
};

}  // namespace

TEST_CASE("lmdb damage: a flush on a full disk says the disk is full") {
  temp_dir dir;
  small_disk disk(dir.path / "small", 1 << 20);
  if (!disk.ok) {
    MESSAGE("cannot mount a tmpfs here (errno " << errno
            << "): the full-disk flush is not exercised");
    return;
  }
  auto db = disk.dir / "event.db";
  auto backend = lmdb_backend::open(make_options(db));
  std::string message;
  try {
    fill(*backend, 1, 4000, 500);  // about 2 MB
  } catch (const std::runtime_error& e) {
    message = e.what();
  }
  INFO(message);
  CHECK(contains(message, "the disk holding " + db.string() + " is full"));
}

TEST_CASE("lmdb damage: a new file LMDB fails to set up is not left behind") {
  temp_dir dir;
  auto db = dir.path / "event.db";
  // LMDB's lock file cannot be created: mdb_env_open fails after the
  // backend created (and locked) the data file.
  fs::create_directories(dir.path / "event.db-lock");
  CHECK(contains(open_error(db), "mdb_env_open " + db.string()));
  // Not left empty, for the next start to refuse as "is empty".
  CHECK_FALSE(fs::exists(db));
  fs::remove(dir.path / "event.db-lock");
  CHECK(lmdb_backend::open(make_options(db)) != nullptr);
}

TEST_CASE("lmdb damage: two servers starting at once on a new db_path: one "
          "runs, the other is told the file is in use") {
  // Before: the second could take the lock on the file the first had just
  // created and refuse it as empty, while the first was refused as "in
  // use": neither started.
  temp_dir dir;
  lmdb::open_options exclusive;
  exclusive.exclusive = true;
  int both_failed = 0, both_opened = 0;
  constexpr int rounds = 200;
  for (int round = 0; round < rounds; ++round) {
    auto db = dir.path / ("race-" + std::to_string(round) + ".db");
    std::atomic<int> ready{0}, tried{0};
    std::string outcome[2];
    auto open = [&](int k) {
      ++ready;
      while (ready.load() < 2) {
      }
      auto env = lmdb::environment::open(db, exclusive);
      outcome[k] = env.ok() ? "opened" : env.error().message();
      // Held until both tried: the loser meets the lock, not a closed file.
      ++tried;
      while (tried.load() < 2) {
      }
    };
    std::thread a{open, 0}, b{open, 1};
    a.join();
    b.join();
    int opened = (outcome[0] == "opened") + (outcome[1] == "opened");
    both_failed += opened == 0;
    both_opened += opened == 2;
    if (opened == 1) {
      auto& other = outcome[0] == "opened" ? outcome[1] : outcome[0];
      CHECK_MESSAGE(contains(other, "is in use"), other);
    } else {
      MESSAGE("round ", round, ": ", outcome[0], " | ", outcome[1]);
    }
  }
  CHECK(both_failed == 0);
  CHECK(both_opened == 0);
}
