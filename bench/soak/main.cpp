// hat-event-soak: the real server on LMDB under the torture mix
// (tests/server/torture_mix) and a registering load, killed with SIGKILL at
// the end of every cycle while the load registers, restarted on the same
// file. Prints RSS over time; at the end the SIGKILL cycles, the events
// lost (persisted notification received before a kill, missing after the
// restart: must be 0) and the ghosts (CONNECTED without DISCONNECTED once
// the torture clients of a cycle are gone: must be 0). See usage() below.

#include <charconv>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <fstream>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include "client/tcp_socket.hpp"
#include "tests/server/torture_mix.hpp"

using namespace hat;
using namespace hat::torture;
using namespace std::chrono_literals;

namespace {

constexpr int64_t server_id = 9;

void usage() {
  std::fputs(
    "usage: hat-event-soak --server BIN --dir DIR --port P [--seconds 300]\n"
    "           [--cycle 10] [--report 5] [--rate 2000]\n"
    "\n"
    "Runs BIN with an LMDB database in DIR on 127.0.0.1:P for about\n"
    "--seconds, in cycles of --cycle seconds: the torture mix and a load\n"
    "client (batches of 50 with responses, 8 in flight, --rate events/s,\n"
    "a subscriber to their persisted notifications) run together; at the\n"
    "end of a cycle\n"
    "the torture stops, its ghosts are counted, and the server is killed\n"
    "with SIGKILL while the load registers; it restarts on the same file\n"
    "and every event whose persisted notification arrived must be there.\n"
    "The last cycle ends with SIGTERM instead and every answered event must\n"
    "be there. Prints a line every --report seconds. Exit 1 when an event\n"
    "was lost, a ghost was found or the server misbehaved.\n",
    stderr);
}

std::string config_text(const std::string& dir, uint16_t port) {
  return "name: event-soak\n"
         "server_id: " + std::to_string(server_id) + "\n"
         "backend:\n"
         "    module: lmdb\n"
         "    db_path: " + dir + "/event.db\n"
         "    identifier: null\n"
         "    flush_period: 0.1\n"
         "    cleanup_period: 5\n"
         "    conditions: []\n"
         "    latest: {subscriptions: [['*']]}\n"
         "    timeseries:\n"
         "        - {order_by: TIMESTAMP, subscriptions: [['*']]}\n"
         "modules: []\n"
         "eventer_server:\n"
         "    host: 127.0.0.1\n"
         "    port: " + std::to_string(port) + "\n"
         "    max_frame_size: 4194304\n"
         "    max_send_queue: 4194304\n"
         "log: {version: 1, root: {level: WARNING}}\n";
}

/// The server as a child process, its stderr appended to a log file.
class server_child {
public:
  server_child(const std::string& bin, const std::string& conf,
               const std::string& log) {
    pid_ = ::fork();
    if (pid_ == 0) {
      int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      if (fd >= 0) {
        ::dup2(fd, STDERR_FILENO);
        ::close(fd);
      }
      ::execl(bin.c_str(), bin.c_str(), "--conf", conf.c_str(),
              static_cast<char*>(nullptr));
      ::_exit(127);
    }
    exit_ = std::async(std::launch::async, [pid = pid_] {
      int status = 0;
      ::waitpid(pid, &status, 0);
      if (WIFEXITED(status))
        return WEXITSTATUS(status);
      return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
    });
  }
  ~server_child() {
    if (exit_.wait_for(0s) != std::future_status::ready)
      ::kill(pid_, SIGKILL);
    exit_.wait();
  }

  pid_t pid() const {
    return pid_;
  }
  void signal(int sig) {
    ::kill(pid_, sig);
  }
  /// Exit code (128 + signal when killed), nothing after the bound.
  std::optional<int> wait_exit(std::chrono::milliseconds bound) {
    if (exit_.wait_for(bound) != std::future_status::ready)
      return std::nullopt;
    return exit_.get();
  }
  bool running() {
    return exit_.wait_for(0s) != std::future_status::ready;
  }

private:
  pid_t pid_ = -1;
  std::shared_future<int> exit_;
};

/// Until something accepts on the port, the process exits or 30 s pass.
bool wait_listening(server_child& server, uint16_t port) {
  auto deadline = steady::now() + 30s;
  while (steady::now() < deadline && server.running()) {
    try {
      int fd = client::tcp::connect("127.0.0.1", port,
                                    steady::now() + 1s);
      ::close(fd);
      return true;
    } catch (const client::client_error&) {
      std::this_thread::sleep_for(50ms);  // retry interval, bounded above
    }
  }
  return false;
}

client::client_options options(uint16_t port, std::string name) {
  client::client_options opts;
  opts.port = port;
  opts.client_name = std::move(name);
  opts.timeout = 30s;
  return opts;
}

/// Ids collected from callbacks and futures on several threads.
class id_set {
public:
  void add(const std::vector<event>& events) {
    std::lock_guard<std::mutex> guard{mutex_};
    for (auto& e : events)
      ids_.insert(e.id);
  }
  std::set<event_id> take() {
    std::lock_guard<std::mutex> guard{mutex_};
    return std::exchange(ids_, {});
  }
  size_t size() {
    std::lock_guard<std::mutex> guard{mutex_};
    return ids_.size();
  }

private:
  std::mutex mutex_;
  std::set<event_id> ids_;
};

/// How many of `ids` the store does not have (queried by server id, from
/// just before the smallest).
size_t missing_from_store(client::eventer_client& c,
                          const std::set<event_id>& ids) {
  if (ids.empty())
    return 0;
  auto first = *ids.begin();
  auto last = *ids.rbegin();
  size_t found = 0;
  query_server_params params{server_id, false, 5000,
                             event_id{first.server, first.session,
                                      first.instance - 1}};
  for (int page = 0; page < 100000; ++page) {
    auto answer = c.query(params);
    for (auto& e : answer.events)
      found += ids.count(e.id);
    if (!answer.more_follows || answer.events.empty()
        || answer.events.back().id >= last)
      break;
    params.last_event_id = answer.events.back().id;
  }
  return ids.size() - found;
}

timestamp wall_now() {
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(
              std::chrono::system_clock::now().time_since_epoch())
              .count();
  return {us / 1'000'000, static_cast<int32_t>(us % 1'000'000)};
}

struct figures {
  std::atomic<int> cycles{0};
  std::atomic<int> kills{0};
  std::atomic<long> answered{0};
  std::atomic<long> persisted{0};
  std::atomic<long> lost{0};
  std::atomic<long> unflushed{0};
  std::atomic<long> ghosts{0};
  std::atomic<long> torture_clients{0};
  std::atomic<long> rss_first{0};
  std::atomic<long> rss_max{0};
  std::atomic<long> rss_last{0};
  std::atomic<pid_t> pid{0};
};

/// One cycle's load: batches of 50 with responses, 8 in flight, paced at
/// `rate` events/s, until `stop`; answered ids go to `answered`.
void load(uint16_t port, long rate, const std::atomic<bool>& stop,
          id_set& answered, figures& f) {
  try {
    auto c = client::eventer_client::connect(options(port, "soak-load"));
    std::deque<std::future<std::optional<std::vector<event>>>> window;
    auto next = steady::now();
    auto period = std::chrono::duration_cast<steady::duration>(
      std::chrono::duration<double>(50.0 / static_cast<double>(rate)));
    for (long round = 0; !stop && round < 100'000'000; ++round) {
      next += period;
      std::this_thread::sleep_until(next);  // the pace of the load
      std::vector<register_event> batch;
      for (int j = 0; j < 50; ++j)
        batch.push_back(register_event{
          {"soak", "load", std::to_string((round + j) % 100)}, std::nullopt,
          payload_json{std::to_string(round)}});
      window.push_back(c->register_with_response_async(batch));
      if (window.size() < 8)
        continue;
      auto result = window.front().get();
      window.pop_front();
      if (result) {
        answered.add(*result);
        f.answered += static_cast<long>(result->size());
      }
    }
    for (auto& pending : window)
      if (auto result = pending.get()) {
        answered.add(*result);
        f.answered += static_cast<long>(result->size());
      }
  } catch (const std::exception&) {
    // The kill: what was answered before it is counted.
  }
}

/// Prints a line every `every` until `done`.
void reporter(figures& f, milestone& done, std::chrono::seconds every,
              steady::time_point started) {
  while (!done.wait(steady::now() + every)) {
    auto rss = rss_kib(f.pid);
    auto anon = status_kib(f.pid, "RssAnon:");
    if (rss > 0) {
      if (f.rss_first == 0)
        f.rss_first = rss;
      if (rss > f.rss_max)
        f.rss_max = rss;
    }
    std::printf("soak t=%4.0fs cycle=%d kills=%d rss=%.1fMB (anon %.1fMB) "
                "answered=%ld persisted=%ld lost=%ld ghosts=%ld\n",
                std::chrono::duration<double>(steady::now() - started)
                  .count(),
                f.cycles.load(), f.kills.load(), rss / 1024.0, anon / 1024.0,
                f.answered.load(), f.persisted.load(), f.lost.load(),
                f.ghosts.load());
    std::fflush(stdout);
  }
}

/// The torture mix of one cycle until `stop`; its clients are named
/// "soak-c<cycle>-...".
void torture_cycle(uint16_t port, int cycle, const std::atomic<bool>& stop,
                   tally& t, figures& f, milestone& release) {
  progress prog;
  auto spy_opts = options(port, "soak-spy");
  spy_opts.subscriptions = {{"event", std::to_string(server_id), "eventer",
                             "*"}};
  spy_opts.on_events = [&prog](std::vector<event> batch) {
    for (auto& e : batch) {
      auto json = e.payload ? std::get_if<payload_json>(&*e.payload)
                            : nullptr;
      if (json && json->text == "\"CONNECTED\"")
        prog.connected(e.type.back());
    }
  };
  auto spy = client::eventer_client::connect(spy_opts);
  mix_target to{port, "soak-c" + std::to_string(cycle) + "-", &stop};
  milestone now, half;
  now.reach();
  std::vector<std::thread> threads;
  auto guarded = [&t](auto body) {
    return [&t, body] {
      try {
        body();
      } catch (const std::exception& e) {
        t.error(e.what());
      }
    };
  };
  threads.emplace_back(guarded([&] { plain_churn(to, 1'000'000, t, prog); }));
  threads.emplace_back(
    guarded([&] { init_churn(to, 0, 1'000'000, t, prog, half); }));
  threads.emplace_back(guarded([&] { bad_input(to, 1'000'000, t, prog); }));
  for (int k = 0; k < 2; ++k) {
    threads.emplace_back(guarded(
      [&, k] { sleeper(to, k, k == 0, 120, now, release, t); }));
    threads.emplace_back(
      guarded([&, k] { partial_peer(to, k, k == 0, release, t); }));
  }
  for (auto& th : threads)
    th.join();
  spy->close();
  f.torture_clients += t.plain + t.init_closed + t.bad_total() + 4;
}

bool parse(const char* text, long& out) {
  auto end = text + std::strlen(text);
  return std::from_chars(text, end, out).ptr == end;
}

}  // namespace

int main(int argc, char** argv) {
  std::string bin, dir;
  long port = 0, seconds = 300, cycle_s = 10, report_s = 5, rate = 2000;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string key = argv[i];
    bool ok = true;
    if (key == "--server")
      bin = argv[i + 1];
    else if (key == "--dir")
      dir = argv[i + 1];
    else if (key == "--port")
      ok = parse(argv[i + 1], port);
    else if (key == "--seconds")
      ok = parse(argv[i + 1], seconds);
    else if (key == "--cycle")
      ok = parse(argv[i + 1], cycle_s);
    else if (key == "--report")
      ok = parse(argv[i + 1], report_s);
    else if (key == "--rate")
      ok = parse(argv[i + 1], rate);
    else
      ok = false;
    if (!ok) {
      usage();
      return 2;
    }
  }
  if (bin.empty() || dir.empty() || port <= 0 || port > 65535
      || seconds <= 0 || cycle_s <= 0 || report_s <= 0 || rate <= 0) {
    usage();
    return 2;
  }
  auto p = static_cast<uint16_t>(port);
  auto conf = dir + "/soak.yaml";
  std::ofstream{conf} << config_text(dir, p);
  auto log = dir + "/server.log";

  figures f;
  auto started = steady::now();
  auto end = started + std::chrono::seconds{seconds};
  milestone done;
  std::thread report{[&] {
    reporter(f, done, std::chrono::seconds{report_s}, started);
  }};
  bool failed = false;
  std::set<event_id> must_be_stored;  // persisted before the last kill
  std::set<event_id> answered_before;  // answered before the last kill
  bool clean_stop = false;
  for (int cycle = 0; cycle < 100000; ++cycle) {
    server_child server{bin, conf, log};
    f.pid = server.pid();
    if (!wait_listening(server, p)) {
      std::printf("soak: the server does not listen after a restart\n");
      failed = true;
      break;
    }
    {
      auto checker = client::eventer_client::connect(options(p, "soak-check"));
      auto lost = missing_from_store(*checker, must_be_stored);
      auto not_there = missing_from_store(*checker, answered_before);
      f.lost += static_cast<long>(lost);
      if (clean_stop)
        f.lost += static_cast<long>(not_there);  // nothing may go then
      else
        f.unflushed += static_cast<long>(not_there);
      if (lost > 0 || (clean_stop && not_there > 0)) {
        std::printf("soak: cycle %d: %zu persisted and %zu answered events "
                    "missing after the restart\n",
                    cycle, lost, not_there);
        failed = true;
      }
    }
    if (clean_stop)
      break;

    // The cycle: torture and load together.
    auto cycle_start = wall_now();
    std::atomic<bool> stop_torture{false}, stop_load{false};
    id_set answered, persisted;
    auto watcher_opts = options(p, "soak-watcher");
    watcher_opts.subscriptions = {{"soak", "*"}};
    watcher_opts.persisted = true;
    watcher_opts.on_events = [&](std::vector<event> batch) {
      persisted.add(batch);
      f.persisted += static_cast<long>(batch.size());
    };
    auto watcher = client::eventer_client::connect(watcher_opts);
    std::thread load_thread{[&] { load(p, rate, stop_load, answered, f); }};
    tally t;
    milestone release;
    std::thread torture_thread{[&] {
      torture_cycle(p, cycle, stop_torture, t, f, release);
    }};
    auto cycle_end = std::min(end, steady::now()
                                     + std::chrono::seconds{cycle_s});
    done.wait(cycle_end);  // never reached early: the cycle's length
    stop_torture = true;
    release.reach();
    torture_thread.join();
    if (!t.errors.empty()) {
      std::printf("soak: cycle %d: %zu torture client errors, first: %s\n",
                  cycle, t.errors.size(), t.errors.front().c_str());
    }

    // Ghosts of this cycle, once its torture clients are gone.
    int cycle_ghosts = 0;
    {
      auto checker = client::eventer_client::connect(options(p, "soak-check"));
      auto prefix = "soak-c" + std::to_string(cycle) + "-";
      auto deadline = steady::now() + 10s;
      for (;;) {
        cycle_ghosts = ghosts(eventer_presence(*checker, server_id, prefix,
                                               cycle_start));
        if (cycle_ghosts == 0 || steady::now() > deadline)
          break;
        std::this_thread::sleep_for(200ms);  // poll interval, bounded
      }
    }
    f.ghosts += cycle_ghosts;
    if (cycle_ghosts > 0)
      failed = true;
    f.rss_last = rss_kib(server.pid());
    std::printf("soak cycle %d: torture %d plain, %d init, %d bad, %d "
                "unread requests; ghosts %d; rss %.1f MB; %s\n",
                cycle, t.plain.load(), t.init_closed.load(), t.bad_total(),
                t.sleeper_requests.load(), cycle_ghosts,
                f.rss_last / 1024.0,
                steady::now() >= end ? "SIGTERM" : "SIGKILL under load");
    std::fflush(stdout);

    if (!watcher->is_open()) {
      std::printf("soak: cycle %d: the persisted-notification watcher was "
                  "dropped\n", cycle);
      failed = true;
    }
    clean_stop = steady::now() >= end;
    server.signal(clean_stop ? SIGTERM : SIGKILL);
    auto code = server.wait_exit(30s);
    stop_load = true;
    load_thread.join();
    watcher->close();
    if (!code || (clean_stop && *code != 0)) {
      std::printf("soak: the server %s after %s\n",
                  code ? ("exited with " + std::to_string(*code)).c_str()
                       : "did not exit within 30 s",
                  clean_stop ? "SIGTERM" : "SIGKILL");
      failed = true;
      break;
    }
    if (!clean_stop)
      ++f.kills;
    ++f.cycles;
    must_be_stored = persisted.take();
    answered_before = answered.take();
    // Events persisted after the kill cannot be: the watcher was told of
    // them before it. Answered ones may be lost (flush_period 0.1 s).
  }
  done.reach();
  report.join();
  std::printf("result seconds=%.0f cycles=%d sigkill_cycles=%d "
              "answered=%ld persisted_notified=%ld lost=%ld "
              "unflushed_at_kill=%ld ghosts=%ld torture_clients=%ld "
              "rss_first_mb=%.1f rss_max_mb=%.1f rss_last_cycle_end_mb=%.1f\n",
              std::chrono::duration<double>(steady::now() - started).count(),
              f.cycles.load(), f.kills.load(), f.answered.load(),
              f.persisted.load(), f.lost.load(), f.unflushed.load(),
              f.ghosts.load(), f.torture_clients.load(),
              f.rss_first / 1024.0, f.rss_max / 1024.0,
              f.rss_last / 1024.0);
  return failed || f.lost > 0 || f.ghosts > 0 ? 1 : 0;
}
