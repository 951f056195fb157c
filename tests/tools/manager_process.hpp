#pragma once

// hat-event-manager as a child process for the tests: standard input from
// a string, standard output and error read line by line as they come (for
// subscribe, which runs until stopped), the exit code waited on with a
// bound.

#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <future>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "tests/server/server_harness.hpp"

namespace hat::test {

using namespace std::chrono_literals;

/// Bound on anything that should happen at once.
inline constexpr auto tool_bound = 10s;

/// Reads a pipe into an inbox of lines until the writer closes it.
inline std::thread line_reader(int fd, inbox<std::string>& lines) {
  return std::thread{[fd, &lines] {
    std::string line;
    char buffer[4096];
    ssize_t got = 0;
    while ((got = ::read(fd, buffer, sizeof buffer)) > 0) {
      for (ssize_t i = 0; i < got; ++i) {
        if (buffer[i] != '\n') {
          line += buffer[i];
          continue;
        }
        lines.push(std::exchange(line, {}));
      }
    }
    if (!line.empty())
      lines.push(line);
    ::close(fd);
  }};
}

/// hat-event-manager as a child process: standard input from a string,
/// standard output and error collected line by line.
class tool_process {
public:
  explicit tool_process(std::vector<std::string> args,
                        const std::string& input = {}) {
    std::string exe = HAT_MANAGER_EXECUTABLE;
    // Built before fork: the child of a threaded process only execs.
    std::vector<char*> argv{exe.data()};
    for (auto& a : args)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    int in[2], out[2], err[2];
    REQUIRE(::pipe2(in, O_CLOEXEC) == 0);
    REQUIRE(::pipe2(out, O_CLOEXEC) == 0);
    REQUIRE(::pipe2(err, O_CLOEXEC) == 0);
    pid_ = ::fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      ::dup2(in[0], STDIN_FILENO);
      ::dup2(out[1], STDOUT_FILENO);
      ::dup2(err[1], STDERR_FILENO);
      ::execv(exe.c_str(), argv.data());
      ::_exit(127);
    }
    ::close(in[0]);
    ::close(out[1]);
    ::close(err[1]);
    out_reader_ = line_reader(out[0], out_lines);
    err_reader_ = line_reader(err[0], err_lines);
    if (!input.empty())
      CHECK(::write(in[1], input.data(), input.size())
            == static_cast<ssize_t>(input.size()));
    ::close(in[1]);
    exit_code_ = std::async(std::launch::async, [pid = pid_] {
      int status = 0;
      ::waitpid(pid, &status, 0);
      return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    });
  }

  ~tool_process() {
    if (exit_code_.wait_for(0s) != std::future_status::ready)
      ::kill(pid_, SIGKILL);
    exit_code_.wait();
    join_readers();
  }

  void signal(int sig) {
    ::kill(pid_, sig);
  }

  /// Exit code, or nothing when still running after `within`.
  std::optional<int> wait_exit(std::chrono::milliseconds within = tool_bound) {
    if (exit_code_.wait_for(within) != std::future_status::ready)
      return std::nullopt;
    return exit_code_.get();
  }

  /// Waits (bounded) for the child to end and its output to be read.
  int finish() {
    auto code = wait_exit();
    REQUIRE(code);
    // The pipes close when the child ends (no grandchildren hold them).
    join_readers();
    return *code;
  }

  bool stderr_has(std::string_view text,
                  std::chrono::milliseconds within = tool_bound) {
    return err_lines.wait_until(
      [&](auto& lines) {
        for (auto& line : lines)
          if (line.find(text) != std::string::npos)
            return true;
        return false;
      },
      within);
  }

  std::string stderr_text() {
    std::string text;
    for (auto& line : err_lines.items())
      text += line + "\n";
    return text;
  }

  inbox<std::string> out_lines;
  inbox<std::string> err_lines;

private:
  void join_readers() {
    if (out_reader_.joinable())
      out_reader_.join();
    if (err_reader_.joinable())
      err_reader_.join();
  }

  pid_t pid_ = -1;
  std::thread out_reader_;
  std::thread err_reader_;
  std::shared_future<int> exit_code_;
};

/// The whole run of a command that ends by itself.
struct tool_run {
  int code = -1;
  std::vector<std::string> out;
  std::string err;
};

inline tool_run run_tool(std::vector<std::string> args,
                  const std::string& input = {}) {
  tool_process process{std::move(args), input};
  tool_run run;
  run.code = process.finish();
  run.out = process.out_lines.items();
  run.err = process.stderr_text();
  return run;
}

inline std::vector<std::string> with_port(uint16_t port,
                                   std::vector<std::string> args) {
  args.insert(args.begin(), {"--port", std::to_string(port)});
  return args;
}

}  // namespace hat::test
