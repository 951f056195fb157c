// The real hat-event-server executable: it starts from a configuration
// file, serves clients, stops in order on SIGTERM with exit code 0 (the
// engine's STOPPED event reaching subscribers first), and refuses a bad
// configuration with a message naming what is wrong.

#include <doctest/doctest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <future>
#include <regex>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/server/server_harness.hpp"

using namespace hat;
using namespace std::chrono_literals;

namespace {

/// A child process with its stderr collected line by line.
class server_process {
public:
  explicit server_process(std::vector<std::string> args) {
    int pipe_fds[2];
    REQUIRE(::pipe(pipe_fds) == 0);
    pid_ = ::fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      ::dup2(pipe_fds[1], STDERR_FILENO);
      ::close(pipe_fds[0]);
      ::close(pipe_fds[1]);
      std::vector<char*> argv;
      std::string exe = HAT_SERVER_EXECUTABLE;
      argv.push_back(exe.data());
      for (auto& a : args)
        argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(exe.c_str(), argv.data());
      ::_exit(127);
    }
    ::close(pipe_fds[1]);
    reader_ = std::thread{[this, fd = pipe_fds[0]] {
      std::string line;
      char c;
      while (::read(fd, &c, 1) == 1) {
        if (c != '\n') {
          line += c;
          continue;
        }
        lines.push(line);
        line.clear();
      }
      if (!line.empty())
        lines.push(line);
      ::close(fd);
    }};
    exit_code_ = std::async(std::launch::async, [pid = pid_] {
      int status = 0;
      ::waitpid(pid, &status, 0);
      return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    });
  }

  ~server_process() {
    if (exit_code_.wait_for(0s) != std::future_status::ready)
      ::kill(pid_, SIGKILL);
    exit_code_.wait();
    reader_.join();
  }

  void signal(int sig) {
    ::kill(pid_, sig);
  }

  /// Exit code, or nothing when the process is still running after bound.
  std::optional<int> wait_exit(std::chrono::milliseconds bound) {
    if (exit_code_.wait_for(bound) != std::future_status::ready)
      return std::nullopt;
    return exit_code_.get();
  }

  /// The port from the "listening on HOST:PORT" line.
  uint16_t wait_port() {
    std::regex pattern{"listening on [0-9.]+:([0-9]+)"};
    uint16_t port = 0;
    lines.wait_until([&](auto& all) {
      for (auto& line : all) {
        std::smatch m;
        if (std::regex_search(line, m, pattern)) {
          port = static_cast<uint16_t>(std::stoi(m[1]));
          return true;
        }
      }
      return false;
    }, 10s);
    return port;
  }

  test::inbox<std::string> lines;

private:
  pid_t pid_ = -1;
  std::thread reader_;
  std::shared_future<int> exit_code_;
};

std::filesystem::path write_config(const std::string& name,
                                   const std::string& text) {
  auto dir = std::filesystem::temp_directory_path()
             / ("hat-event-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto path = dir / name;
  std::ofstream{path} << text;
  return path;
}

}  // namespace

TEST_CASE("executable: serves, then stops in order on SIGTERM") {
  auto conf = write_config("event.yaml", R"(
type: event
name: event-exe
server_id: 9
backend:
    module: hat.event.backends.memory
modules: []
eventer_server:
    host: 127.0.0.1
    port: 0
log:
    version: 1
    root:
        level: INFO
)");
  server_process server{{"--conf", conf.string()}};
  auto port = server.wait_port();
  REQUIRE(port != 0);

  client::client_options opts;
  opts.port = port;
  opts.client_name = "watcher";
  opts.subscriptions = {{"event", "9", "engine"}};
  test::subscriber watcher;
  auto events = watcher.events;
  opts.on_events = [events](std::vector<event> batch) {
    for (auto& e : batch)
      events->push(std::move(e));
  };
  auto statuses = watcher.statuses;
  opts.on_status = [statuses](status s) { statuses->push(s); };
  watcher.client = client::eventer_client::connect(opts);
  // "listening on" comes before the engine runs: wait for operational.
  if (watcher.client->server_status() != status::operational)
    REQUIRE(statuses->wait_until([](auto& all) {
      return !all.empty() && all.back() == status::operational;
    }));
  auto registered = watcher.client->register_with_response(
    {test::json_event({"exe", "hello"})});
  REQUIRE(registered);
  CHECK((*registered)[0].id.server == 9);

  server.signal(SIGTERM);
  CHECK(events->wait_until([](auto& all) {
    for (auto& e : all)
      if (std::get<payload_json>(*e.payload).text == "\"STOPPED\"")
        return true;
    return false;
  }));
  CHECK(watcher.client->wait_closed(10s));
  auto code = server.wait_exit(10s);
  REQUIRE(code);
  CHECK(*code == 0);
}

TEST_CASE("executable: a bad configuration names the problem, exit code 2") {
  auto conf = write_config("bad.yaml", R"(
name: event-bad
server_id: 1
backend:
    module: no.such.backend
modules: []
eventer_server:
    host: 127.0.0.1
    port: 0
)");
  server_process server{{"--conf", conf.string()}};
  auto code = server.wait_exit(10s);
  REQUIRE(code);
  CHECK(*code == 2);
  CHECK(server.lines.wait_until([](auto& all) {
    for (auto& line : all)
      if (line.find("backend.module: unknown backend 'no.such.backend'")
          != std::string::npos)
        return true;
    return false;
  }));
}

TEST_CASE("executable: --help and --version") {
  server_process help{{"--help"}};
  CHECK(help.wait_exit(10s) == std::optional<int>{0});
  server_process unknown{{"--bogus"}};
  CHECK(unknown.wait_exit(10s) == std::optional<int>{2});
}
