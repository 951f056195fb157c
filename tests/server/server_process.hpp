#pragma once

// The real hat-event-server executable as a child process, its stderr
// collected line by line, and configuration files in a temporary folder.

#include <doctest/doctest.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <optional>
#include <regex>
#include <sys/resource.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include "tests/server/server_harness.hpp"

namespace hat::test {

using namespace std::chrono_literals;

/// How the child is started besides its arguments.
struct process_options {
  /// RLIMIT_NOFILE (soft and hard) set in the child before exec.
  std::optional<rlim_t> max_open_files;
  /// "NAME=value" entries replacing or adding to the inherited environment.
  std::vector<std::string> environment;
};

/// Under AddressSanitizer memory freed and released still leaves its
/// shadow mapped and the allocator's size-class regions partly used: RSS
/// after a release settles some MB (tens after hundreds of MB) above a
/// plain build's. Tests that bound RSS after a release allow for it.
#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool address_sanitized = true;
#else
inline constexpr bool address_sanitized = false;
#endif

/// Options for a server whose memory a test measures: under
/// AddressSanitizer freed memory is held in a quarantine (256 MB by
/// default) instead of being reused; without it RSS tells what the server
/// keeps.
inline process_options measuring_memory() {
  process_options options;
#if defined(__SANITIZE_ADDRESS__)
  std::string asan = "ASAN_OPTIONS=quarantine_size_mb=0";
  if (auto* inherited = std::getenv("ASAN_OPTIONS"))
    asan += std::string{":"} + inherited;
  options.environment.push_back(asan);
#endif
  return options;
}

/// A child process with its stderr collected line by line.
class server_process {
public:
  explicit server_process(std::vector<std::string> args,
                          process_options options = {}) {
    // The child's environment, built before fork.
    std::vector<std::string> env_text = options.environment;
    for (char** e = environ; *e != nullptr; ++e) {
      std::string_view entry{*e};
      auto name = entry.substr(0, entry.find('=') + 1);
      bool replaced = false;
      for (auto& own : options.environment)
        replaced = replaced || own.starts_with(name);
      if (!replaced)
        env_text.emplace_back(entry);
    }
    std::vector<char*> envp;
    for (auto& entry : env_text)
      envp.push_back(entry.data());
    envp.push_back(nullptr);
    int pipe_fds[2];
    REQUIRE(::pipe(pipe_fds) == 0);
    pid_ = ::fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      ::dup2(pipe_fds[1], STDERR_FILENO);
      ::close(pipe_fds[0]);
      ::close(pipe_fds[1]);
      if (options.max_open_files) {
        rlimit limit{*options.max_open_files, *options.max_open_files};
        if (::setrlimit(RLIMIT_NOFILE, &limit) != 0)
          ::_exit(126);
      }
      std::vector<char*> argv;
      std::string exe = HAT_SERVER_EXECUTABLE;
      argv.push_back(exe.data());
      for (auto& a : args)
        argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execve(exe.c_str(), argv.data(), envp.data());
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

  pid_t pid() const {
    return pid_;
  }

  /// Exit code, or nothing when the process is still running after bound.
  std::optional<int> wait_exit(std::chrono::milliseconds bound) {
    if (exit_code_.wait_for(bound) != std::future_status::ready)
      return std::nullopt;
    return exit_code_.get();
  }

  /// The port from the Eventer's "listening on HOST:PORT" line (0 when
  /// none came); `component` names another listener ("adminer").
  uint16_t wait_listening(const std::string& component = "eventer") {
    std::regex pattern{"\\[" + component
                       + "\\] listening on [0-9.]+:([0-9]+)"};
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

  /// The port as above, once the server also logged "operational"
  /// (before that, registrations are refused).
  uint16_t wait_port() {
    auto port = wait_listening();
    logged("[server] operational");
    return port;
  }

  /// Whether a line containing `text` was or is written within `bound`.
  bool logged(std::string_view text,
              std::chrono::milliseconds bound = std::chrono::seconds{10}) {
    return lines.wait_until(
      [&](auto& all) {
        for (auto& line : all)
          if (line.find(text) != std::string::npos)
            return true;
        return false;
      },
      bound);
  }

  /// How many lines written so far contain `text`.
  size_t lines_with(std::string_view text) {
    size_t n = 0;
    for (auto& line : lines.items())
      if (line.find(text) != std::string::npos)
        ++n;
    return n;
  }

  inbox<std::string> lines;

private:
  pid_t pid_ = -1;
  std::thread reader_;
  std::shared_future<int> exit_code_;
};

/// A server configuration as an operator writes it, the Eventer server on
/// an ephemeral port of 127.0.0.1: `backend` and `modules` are YAML values
/// following their keys (a flow value, or a block starting with a line
/// break), `eventer_extra` lines go under eventer_server (indented by 4).
/// No `log`: the server's built-in stderr lines, which wait_listening()
/// and logged() read.
inline std::string server_config_text(const std::string& name,
                                      int64_t server_id,
                                      const std::string& backend,
                                      const std::string& modules = "[]",
                                      const std::string& eventer_extra = "") {
  return "type: event\n"
         "name: " + name + "\n"
         "server_id: " + std::to_string(server_id) + "\n"
         "backend: " + backend + "\n"
         "modules: " + modules + "\n"
         "eventer_server:\n"
         "    host: 127.0.0.1\n"
         "    port: 0\n"
         + eventer_extra;
}

/// The `backend:` block of an LMDB server at `db` flushing every 20 ms,
/// every type kept in latest and in one timeseries partition.
inline std::string lmdb_backend_yaml(const std::filesystem::path& db) {
  return "backend:\n"
         "    module: lmdb\n"
         "    db_path: " + db.string() + "\n"
         "    identifier: null\n"
         "    flush_period: 0.02\n"
         "    cleanup_period: 5\n"
         "    conditions: []\n"
         "    latest: {subscriptions: [['*']]}\n"
         "    timeseries:\n"
         "        - {order_by: TIMESTAMP, subscriptions: [['*']]}\n";
}

inline std::filesystem::path write_config(const std::string& name,
                                   const std::string& text) {
  auto dir = std::filesystem::temp_directory_path()
             / ("hat-event-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto path = dir / name;
  std::ofstream{path} << text;
  return path;
}


}  // namespace hat::test
