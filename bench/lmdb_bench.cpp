// The storage layer against issue 4's targets: the LMDB backend's
// registration next to raw LMDB loops over the same bytes measured in the
// same run (TIMESERIES_DATA puts alone: the ceiling of the ratio target;
// every LMDB call of a flush: what LMDB itself costs), then reopening,
// latest and time-series queries on the database the registration built.
// Uses only the backend's public API. See usage() below.

#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "bench/lmdb/bench_timing.hpp"
#include "bench/lmdb/event_workload.hpp"
#include "bench/lmdb/figure_table.hpp"
#include "bench/lmdb/raw_put_loop.hpp"
#include "storage/lmdb_backend.hpp"

using namespace hat;
using namespace hat::bench;
namespace fs = std::filesystem;

namespace {

constexpr int exit_usage = 2;

void usage(std::FILE* to) {
  std::fputs(
    "usage: lmdb_bench [--events N] [--types T] [--batch B] [--chunk C]\n"
    "                  [--repeats R] [--dir D | --keep]\n"
    "\n"
    "--events N   events registered into the database that is then\n"
    "             reopened and queried (default 10000000); the two raw\n"
    "             loops write as many, each in a file removed after it\n"
    "--types T    distinct event types (default 100000)\n"
    "--batch B    events per register_events call (default 100)\n"
    "--chunk C    events per flush and per raw transaction (default\n"
    "             500000: one second's worth at the 500 k events/s target)\n"
    "--repeats R  runs per query figure, median printed (default 15)\n"
    "--dir D      keep databases in D; when D already holds the database of\n"
    "             the same N, T and B, skip the raw loop and registration and\n"
    "             reopen and query that one\n"
    "--keep       keep the temporary directory (default: removed)\n"
    "\n"
    "Without --dir, everything is written under a new /tmp/lmdb_bench.XXXXXX\n"
    "(about 310 bytes per event: 10 M events need about 3.5 GB). Progress\n"
    "goes to stderr, the table and a final `result key=value ...` line to\n"
    "stdout. Exit status: 0 (a missed target is reported, not a failure),\n"
    "1 an error or a wrong query answer, 2 usage.\n",
    to);
}

[[noreturn]] void bad_usage(const std::string& why) {
  std::fprintf(stderr, "lmdb_bench: %s\n\n", why.c_str());
  usage(stderr);
  std::exit(exit_usage);
}

uint64_t parse_count(std::string_view name, std::string_view text) {
  uint64_t value = 0;
  auto [end, ec] =
    std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value == 0)
    bad_usage("bad value for " + std::string(name) + ": " + std::string(text));
  return value;
}

struct bench_options {
  uint64_t events = 10'000'000;
  uint64_t types = 100'000;
  uint64_t batch = 100;
  uint64_t chunk = 500'000;
  int repeats = 15;
  std::optional<fs::path> dir;
  bool keep = false;
};

bench_options parse(int argc, char** argv) {
  bench_options o;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      usage(stdout);
      std::exit(0);
    }
    if (arg == "--keep") {
      o.keep = true;
      continue;
    }
    if (i + 1 >= argc)
      bad_usage("missing value for " + std::string(arg));
    std::string_view value = argv[++i];
    if (arg == "--events")
      o.events = parse_count(arg, value);
    else if (arg == "--types")
      o.types = parse_count(arg, value);
    else if (arg == "--batch")
      o.batch = parse_count(arg, value);
    else if (arg == "--chunk")
      o.chunk = parse_count(arg, value);
    else if (arg == "--repeats")
      o.repeats = static_cast<int>(
        std::min<uint64_t>(parse_count(arg, value), 1000));
    else if (arg == "--dir")
      o.dir = fs::path(value);
    else
      bad_usage("unknown option " + std::string(arg));
  }
  // Chunks start batches, so that a session is never split by a flush.
  if (o.chunk % o.batch != 0)
    bad_usage("--chunk must be a multiple of --batch");
  return o;
}

/// A wrong answer from the backend: the figures would mean nothing.
[[noreturn]] void wrong(const std::string& what) {
  throw std::runtime_error("wrong query answer: " + what);
}

/// The CPUs this process may run on, e.g. "1" under `taskset -c 1`.
std::string allowed_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) != 0)
    return "?";
  std::string out;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu)
    if (CPU_ISSET(cpu, &set)) {
      if (!out.empty())
        out += ',';
      out += std::to_string(cpu);
    }
  return out;
}

/// Asks the kernel to drop the file's cached pages, so that the next open
/// reads from the disk. Works without privileges for clean pages; LMDB
/// syncs on every commit and the file is closed, so all of them are.
void evict_from_page_cache(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0)
    return;
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
  ::close(fd);
}

/// The configuration a server storing everything would have: latest of
/// every type, one time-series partition of every type by timestamp.
storage::lmdb_backend_options backend_options(const fs::path& path) {
  storage::lmdb_backend_options o;
  o.db_path = path;
  o.latest_subscriptions = {{"*"}};
  storage::partition_options partition;
  partition.order_by = order_by::timestamp;
  partition.subscriptions = {{"*"}};
  o.timeseries = {partition};
  return o;
}

void remove_database(const fs::path& path) {
  fs::remove(path);
  fs::remove(fs::path(path.native() + "-lock"));
}

/// Removes a temporary directory at scope exit, also after an error.
struct temporary_directory {
  fs::path path;
  bool keep = false;
  ~temporary_directory() {
    if (path.empty())
      return;
    if (keep) {
      std::fprintf(stderr, "kept %s\n", path.c_str());
      return;
    }
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
};

double rate(uint64_t count, double seconds) {
  return seconds > 0 ? count / seconds : 0;
}

std::string rate_text(double per_second, const char* unit) {
  return grouped(static_cast<uint64_t>(per_second + 0.5)) + " " + unit;
}

// -- phases --

struct registration_figures {
  double seconds = 0;
  double register_seconds = 0;
  spread flush;
  uint64_t file_bytes = 0;
};

/// One raw put loop in a file of its own, removed afterwards; returns
/// events/s.
double measure_raw_puts(const fs::path& dir, raw_put_set set,
                        const bench_options& o,
                        const event_workload& workload, figure_table& table) {
  bool series = set == raw_put_set::timeseries;
  auto path = dir / "raw.db";
  remove_database(path);
  auto raw = run_raw_put_loop(
    path, set, workload, o.events, o.chunk, [&](uint64_t done) {
      std::fprintf(stderr, "raw %s: %s / %s events\n",
                   series ? "TIMESERIES_DATA puts" : "flush calls",
                   grouped(done).c_str(), grouped(o.events).c_str());
    });
  remove_database(path);
  auto events_rate = rate(raw.events, raw.seconds);
  if (series) {
    table.add("raw TIMESERIES_DATA put loop (ceiling)",
              rate_text(events_rate, "puts/s"));
  } else {
    table.add("raw LMDB calls of a flush, all databases",
              rate_text(events_rate, "events/s"));
    char calls[32];
    std::snprintf(calls, sizeof calls, "%.2f",
                  static_cast<double>(raw.calls) / raw.events);
    table.add("  gets and puts per event", calls);
  }
  table.add("  commit per chunk, median / max",
            duration_text(raw.commit.median) + " / "
              + duration_text(raw.commit.max));
  table.add("  bytes per event on disk",
            grouped(raw.file_bytes / raw.events));
  std::string key = series ? "raw_puts" : "raw_flush";
  table.result(key + "_per_s", events_rate);
  table.result(key + "_commit_median_s", raw.commit.median);
  return events_rate;
}

registration_figures register_events(const fs::path& path,
                                     const bench_options& o,
                                     const event_workload& workload) {
  registration_figures figures;
  auto backend = storage::lmdb_backend::open(backend_options(path));
  std::vector<double> flushes;
  for (uint64_t first = 0; first < o.events; first += o.chunk) {
    auto count = std::min(o.chunk, o.events - first);
    auto batches = workload.batches(first, count);

    auto start = bench_clock::now();
    for (const auto& batch : batches) {
      auto accepted = backend->register_events(batch);
      if (accepted->size() != batch->size())
        wrong("register_events skipped events of a fresh session");
    }
    double registered = seconds_since(start);
    auto flush_start = bench_clock::now();
    // The persisted batches and the chunk are freed after the clock stops.
    auto persisted = backend->flush();
    double flushed = seconds_since(flush_start);

    figures.seconds += registered + flushed;
    figures.register_seconds += registered;
    flushes.push_back(flushed);
    std::fprintf(stderr,
                 "register: %s / %s events, this chunk %s, flush %s\n",
                 grouped(first + count).c_str(), grouped(o.events).c_str(),
                 rate_text(rate(count, registered + flushed), "events/s")
                   .c_str(),
                 duration_text(flushed).c_str());
  }
  figures.flush = summarize(std::move(flushes));
  backend.reset();
  figures.file_bytes = fs::file_size(path);
  return figures;
}

void report_registration(const registration_figures& r,
                         const bench_options& o, double raw_rate,
                         double raw_flush_rate, figure_table& table) {
  auto events_rate = rate(o.events, r.seconds);
  table.add_at_least("register_events + flush", rate_text(events_rate,
                                                          "events/s"),
                     events_rate, ">= 500,000/s", 500'000);
  char ratio[16];
  std::snprintf(ratio, sizeof ratio, "%.3f", events_rate / raw_rate);
  table.add_at_least("  as a ratio of the raw put loop", ratio,
                     events_rate / raw_rate, ">= 0.5", 0.5);
  std::snprintf(ratio, sizeof ratio, "%.3f", events_rate / raw_flush_rate);
  table.add("  as a ratio of the raw LMDB calls of a flush", ratio);
  table.add("  register_events alone",
            rate_text(rate(o.events, r.register_seconds), "events/s"));
  table.add("  flush per chunk, median / max",
            duration_text(r.flush.median) + " / "
              + duration_text(r.flush.max));
  table.add("  bytes per event on disk",
            grouped(r.file_bytes / o.events));
  table.result("register_per_s", events_rate);
  table.result("ratio_of_raw", events_rate / raw_rate);
  table.result("ratio_of_raw_flush", events_rate / raw_flush_rate);
  table.result("register_only_per_s", rate(o.events, r.register_seconds));
  table.result("flush_median_s", r.flush.median);
  table.result("flush_max_s", r.flush.max);
  table.result("bytes_per_event", static_cast<double>(r.file_bytes)
                                    / o.events);
}

/// Times open() with a cold then a warm page cache; returns the backend of
/// the last warm open for the queries.
std::unique_ptr<storage::lmdb_backend> measure_reopen(
  const fs::path& path, const bench_options& o, figure_table& table) {
  auto options = backend_options(path);
  evict_from_page_cache(path);
  auto start = bench_clock::now();
  auto backend = storage::lmdb_backend::open(options);
  double cold = seconds_since(start);
  backend.reset();

  std::vector<double> warm;
  for (int r = 0; r < std::min(o.repeats, 5); ++r) {
    backend.reset();
    start = bench_clock::now();
    backend = storage::lmdb_backend::open(options);
    warm.push_back(seconds_since(start));
  }
  auto warm_spread = summarize(std::move(warm));
  auto size = grouped(o.events);
  table.add_below("open " + size + " events, cold page cache", cold,
                  "< 1 s", 1);
  table.add_below("open " + size + " events, warm (median)",
                  warm_spread.median, "< 1 s", 1);
  table.result("open_cold_s", cold);
  table.result("open_warm_s", warm_spread.median);
  return backend;
}

void measure_latest(storage::lmdb_backend& backend, const bench_options& o,
                    const event_workload& workload, figure_table& table) {
  auto present = std::min(o.events, o.types);
  query_params all = query_latest_params{};
  auto all_time = time_per_call(o.repeats, [&] {
    if (backend.query(all).events.size() != present)
      wrong("latest of all types");
  });
  table.add("latest, all " + grouped(present) + " types",
            duration_text(all_time.median));
  table.result("latest_all_s", all_time.median);

  auto last = o.events - 1;
  query_params one = query_latest_params{
    std::vector<event_type>{workload.type(workload.type_of(last))}};
  auto one_time = time_per_call(o.repeats, [&] {
    auto result = backend.query(one);
    if (result.events.size() != 1
        || result.events.front().id != workload.id_of(last))
      wrong("latest of one type");
  });
  table.add_below("latest, one exact type", one_time.median, "< 1 ms",
                  1e-3);
  table.result("latest_one_s", one_time.median);

  query_params unit = query_latest_params{
    std::vector<event_type>{{"plant", "unit_0", "*"}}};
  size_t unit_count = 0;
  auto unit_time = time_per_call(o.repeats, [&] {
    unit_count = backend.query(unit).events.size();
  });
  table.add("latest, plant/unit_0/* (" + grouped(unit_count) + " types)",
            duration_text(unit_time.median));
  table.result("latest_unit_s", unit_time.median);
}

void measure_timeseries(storage::lmdb_backend& backend,
                        const bench_options& o,
                        const event_workload& workload, figure_table& table) {
  constexpr int64_t page = 1000;
  auto middle = o.events / 2;

  struct page_query {
    const char* figure;
    const char* key;
    query_timeseries_params params;
    /// Event number the page must start with.
    uint64_t first;
    int repeats;
  };
  auto params = [&](hat::order order) {
    query_timeseries_params p;
    p.order = order;
    p.order_by = order_by::timestamp;
    p.max_results = page;
    return p;
  };
  std::vector<page_query> queries;
  queries.push_back({"page of 1000, newest (descending)", "ts_desc_s",
                     params(order::descending), o.events - 1, o.repeats});
  queries.push_back({"page of 1000, oldest (ascending)", "ts_asc_s",
                     params(order::ascending), 0, o.repeats});
  if (o.events > 2) {
    // A client paging through: the last event it got as last_event_id and
    // that event's timestamp as the bound, so that the cursor starts there.
    auto p = params(order::descending);
    p.last_event_id = workload.id_of(middle);
    p.t_to = workload.timestamp_of(middle);
    queries.push_back({"  next page from the middle, t_to bound",
                       "ts_page_desc_s", p, middle - 1, o.repeats});
    p = params(order::ascending);
    p.last_event_id = workload.id_of(middle);
    p.t_from = workload.timestamp_of(middle);
    queries.push_back({"  next page from the middle, t_from bound",
                       "ts_page_asc_s", p, middle + 1, o.repeats});
    // last_event_id alone: the backend's filter decodes and skips every
    // event up to it, so this scans half the partition.
    p = params(order::descending);
    p.last_event_id = workload.id_of(middle);
    queries.push_back({"  next page from the middle, no bound",
                       "ts_page_unbounded_s", p, middle - 1,
                       std::min(o.repeats, 3)});
  }
  for (const auto& q : queries) {
    query_params qp = q.params;
    auto time = time_per_call(q.repeats, [&] {
      auto result = backend.query(qp);
      auto available = q.params.order == order::descending
                         ? q.first + 1
                         : o.events - q.first;
      if (result.events.size() != std::min<uint64_t>(page, available)
          || result.events.front().id != workload.id_of(q.first))
        wrong(q.figure);
    });
    table.add_below(q.figure, time.median, "< 5 ms", 5e-3);
    table.result(q.key, time.median);
  }
}

int run(const bench_options& o) {
  event_workload workload(o.types, o.batch);
  temporary_directory tmp;
  fs::path dir;
  if (o.dir) {
    dir = *o.dir;
    fs::create_directories(dir);
  } else {
    char name[] = "/tmp/lmdb_bench.XXXXXX";
    if (::mkdtemp(name) == nullptr)
      throw std::runtime_error("cannot create a directory under /tmp");
    dir = tmp.path = name;
    tmp.keep = o.keep;
  }
  auto db_path = dir
                 / ("backend-" + std::to_string(o.events) + "-"
                    + std::to_string(o.types) + "-" + std::to_string(o.batch)
                    + ".db");

  std::printf("lmdb_bench: %s events, %s types, batches of %s, %s events "
              "per flush, %d repeats, cpus %s\n",
              grouped(o.events).c_str(), grouped(o.types).c_str(),
              grouped(o.batch).c_str(), grouped(o.chunk).c_str(), o.repeats,
              allowed_cpus().c_str());
  std::printf("database: %s\n", db_path.c_str());
  std::fflush(stdout);

  figure_table table;
  if (fs::exists(db_path)) {
    // Reused: check it holds what this run would have registered.
    auto backend = storage::lmdb_backend::open(backend_options(db_path));
    if (backend->last_event_id(1) != workload.id_of(o.events - 1))
      throw std::runtime_error(db_path.string()
                               + " holds other events; remove it");
    std::printf("reusing it: raw put loop and registration not measured\n");
  } else {
    auto raw_rate =
      measure_raw_puts(dir, raw_put_set::timeseries, o, workload, table);
    auto raw_flush_rate =
      measure_raw_puts(dir, raw_put_set::as_flush, o, workload, table);
    auto registration = register_events(db_path, o, workload);
    report_registration(registration, o, raw_rate, raw_flush_rate, table);
  }

  auto backend = measure_reopen(db_path, o, table);
  measure_latest(*backend, o, workload, table);
  measure_timeseries(*backend, o, workload, table);
  backend.reset();
  table.print();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  auto options = parse(argc, argv);
  try {
    return run(options);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lmdb_bench: %s\n", e.what());
    return 1;
  }
}
