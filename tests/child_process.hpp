#pragma once

// Runs one of our executables as a child process, as a user would, and
// collects its exit code and output: for the tests of the command-line
// tools.

#include <doctest/doctest.h>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern char** environ;

namespace hat::test {

/// The whole content of the file `path` ("" when it cannot be read).
inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in{path, std::ios::binary};
  return {std::istreambuf_iterator<char>{in}, {}};
}

struct process_output {
  /// -1 when the process did not exit normally (a signal ended it).
  int exit_code = -1;
  std::string out;
  std::string err;
};

/// Runs `exe` with `args` to its end, its output collected in the files
/// `dir`/tool.out and `dir`/tool.err (no pipes, so no reader threads and
/// nothing to wait on but the exit).
inline process_output run_process(std::string exe,
                                  const std::filesystem::path& dir,
                                  std::vector<std::string> args) {
  std::vector<char*> argv{exe.data()};
  for (auto& a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  auto out_path = dir / "tool.out";
  auto err_path = dir / "tool.err";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, exe.c_str(), &actions, nullptr, argv.data(),
                       environ);
  posix_spawn_file_actions_destroy(&actions);
  REQUIRE(rc == 0);
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  process_output result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = read_file(out_path);
  result.err = read_file(err_path);
  std::filesystem::remove(out_path);
  std::filesystem::remove(err_path);
  return result;
}

}  // namespace hat::test
