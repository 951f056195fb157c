#pragma once

// The real hat-event-server executable as a child process, its stderr
// collected line by line, and configuration files in a temporary folder.

#include <doctest/doctest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <future>
#include <regex>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include "tests/server/server_harness.hpp"

namespace hat::test {

using namespace std::chrono_literals;

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

  pid_t pid() const {
    return pid_;
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

  inbox<std::string> lines;

private:
  pid_t pid_ = -1;
  std::thread reader_;
  std::shared_future<int> exit_code_;
};

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
