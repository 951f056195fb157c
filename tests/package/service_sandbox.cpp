// service_sandbox: runs a command under the parts of
// hat-event-server.service's sandbox that a test can set up without
// systemd or root, as seccomp filters with the rules systemd.exec(5) gives
// for them:
//
//   NoNewPrivileges=yes
//   MemoryDenyWriteExecute=yes  mmap with PROT_WRITE and PROT_EXEC,
//                               mprotect and pkey_mprotect with PROT_EXEC,
//                               shmat with SHM_EXEC: EPERM
//   RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX
//                               socket of another family: EAFNOSUPPORT
//   SystemCallFilter=           with --system-calls FILE (the numbers of
//                               the calls allowed, one a line, from
//                               unit_system_calls.sh): any other call
//                               raises SIGSYS. systemd would make it fail
//                               with EPERM (SystemCallErrorNumber=); the
//                               test wants to see it, not guess whether
//                               the server noticed.
//
//   service_sandbox [--system-calls FILE] COMMAND [ARG ...]
//
// Before it runs COMMAND it checks that the filter refuses what it should
// and allows what the server needs: a test whose sandbox did nothing must
// not pass. Exit codes: COMMAND's; 77 where the filter cannot be set up
// here (another architecture; the test skips); 1 when the filter fails
// its check; 2 for bad arguments; 127 when COMMAND cannot be run.

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <optional>
#include <string_view>
#include <vector>

namespace {

#if defined(__x86_64__)
constexpr __u32 native_arch = AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
constexpr __u32 native_arch = AUDIT_ARCH_AARCH64;
#else
constexpr __u32 native_arch = 0;
#endif

constexpr int skip_code = 77;

/// The low 32 bits of system call argument `n` (both architectures above
/// are little-endian); the flags tested fit in them.
constexpr __u32 argument(int n) {
  return offsetof(seccomp_data, args) + n * sizeof(__u64);
}

constexpr __u32 fail_with(int error) {
  return SECCOMP_RET_ERRNO | (static_cast<__u32>(error) & SECCOMP_RET_DATA);
}

/// A BPF program of self-contained blocks, one per system call: a block
/// either returns or falls through to the next.
class filter_program {
public:
  filter_program() {
    // Another architecture's calls: SystemCallArchitectures=native.
    load(offsetof(seccomp_data, arch));
    jump(BPF_JEQ | BPF_K, native_arch, 1, 0);
    give(SECCOMP_RET_KILL_PROCESS);
  }

  /// Every call but `calls` raises SIGSYS. Comes first: the other rules
  /// apply to the calls let through.
  void allow_only(const std::vector<__u32>& calls) {
    load(offsetof(seccomp_data, nr));
    for (size_t i = 0; i < calls.size(); ++i) {
      // A match jumps over the other pairs and the trap.
      jump(BPF_JEQ | BPF_K, calls[i], 0, 1);
      auto rest = static_cast<__u32>(2 * (calls.size() - 1 - i) + 1);
      code_.push_back(BPF_STMT(BPF_JMP | BPF_JA, rest));
    }
    give(SECCOMP_RET_TRAP);
  }

  /// `call` fails with `error` when (argument `arg` & `mask`) == `mask`.
  void refuse_flags(long call, int arg, __u32 mask, int error) {
    start_block(call, 5);
    load(argument(arg));
    code_.push_back(BPF_STMT(BPF_ALU | BPF_AND | BPF_K, mask));
    jump(BPF_JEQ | BPF_K, mask, 0, 1);
    give(fail_with(error));
    give(SECCOMP_RET_ALLOW);
  }

  /// `call` fails with `error` unless argument `arg` is one of `allowed`.
  void allow_values(long call, int arg, std::vector<__u32> allowed,
                    int error) {
    auto count = static_cast<__u8>(allowed.size());
    start_block(call, count + 3);
    load(argument(arg));
    for (__u8 i = 0; i < count; ++i)
      jump(BPF_JEQ | BPF_K, allowed[i], count - i, 0);
    give(fail_with(error));
    give(SECCOMP_RET_ALLOW);
  }

  bool install() {
    give(SECCOMP_RET_ALLOW);
    sock_fprog program{static_cast<unsigned short>(code_.size()),
                       code_.data()};
    return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0
           && prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) == 0;
  }

private:
  /// Skips the `length` instructions after it unless the call is `call`.
  void start_block(long call, __u8 length) {
    load(offsetof(seccomp_data, nr));
    jump(BPF_JEQ | BPF_K, static_cast<__u32>(call), 0, length);
  }
  void load(__u32 offset) {
    code_.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offset));
  }
  void jump(__u16 test, __u32 value, __u8 if_true, __u8 if_false) {
    code_.push_back(BPF_JUMP(BPF_JMP | test, value, if_true, if_false));
  }
  void give(__u32 verdict) {
    code_.push_back(BPF_STMT(BPF_RET | BPF_K, verdict));
  }

  std::vector<sock_filter> code_;
};

/// The numbers in `path`, one a line; nothing when it cannot be read.
std::optional<std::vector<__u32>> read_calls(const char* path) {
  std::ifstream in{path};
  std::vector<__u32> calls;
  for (__u32 call; in >> call;)
    calls.push_back(call);
  if (!in.eof() || calls.empty())
    return std::nullopt;
  return calls;
}

bool install_service_filter(const std::optional<std::vector<__u32>>& calls) {
  filter_program program;
  if (calls)
    program.allow_only(*calls);
  program.refuse_flags(SYS_mmap, 2, PROT_WRITE | PROT_EXEC, EPERM);
  program.refuse_flags(SYS_mprotect, 2, PROT_EXEC, EPERM);
#ifdef SYS_pkey_mprotect
  program.refuse_flags(SYS_pkey_mprotect, 2, PROT_EXEC, EPERM);
#endif
  program.refuse_flags(SYS_shmat, 2, SHM_EXEC, EPERM);
  program.allow_values(SYS_socket, 0, {AF_UNIX, AF_INET, AF_INET6},
                       EAFNOSUPPORT);
  return program.install();
}

/// Whether a child process that makes a call the unit refuses (setrlimit
/// of @resources, made raw: glibc's setrlimit uses prlimit64) dies of
/// SIGSYS.
bool refused_call_traps() {
  pid_t child = fork();
  if (child == 0) {
    rlimit limit{};
    getrlimit(RLIMIT_NOFILE, &limit);
    syscall(SYS_setrlimit, RLIMIT_NOFILE, &limit);
    _exit(0);
  }
  int status = 0;
  return child > 0 && waitpid(child, &status, 0) == child
         && WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS;
}

/// Whether the filter refuses what it must and allows what it must.
bool filter_holds(const std::optional<std::vector<__u32>>& calls) {
  bool holds = true;
  auto expect = [&](bool ok, const char* what) {
    if (!ok) {
      std::fprintf(stderr, "service_sandbox: %s\n", what);
      holds = false;
    }
  };
  void* wx = mmap(nullptr, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  expect(wx == MAP_FAILED && errno == EPERM,
         "a writable and executable mapping was not refused");
  void* page = mmap(nullptr, 4096, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  expect(page != MAP_FAILED, "a writable mapping was refused");
  if (page != MAP_FAILED) {
    expect(mprotect(page, 4096, PROT_READ | PROT_EXEC) == -1
             && errno == EPERM,
           "making a mapping executable was not refused");
    munmap(page, 4096);
  }
  int netlink = socket(AF_NETLINK, SOCK_RAW, 0);
  expect(netlink == -1 && errno == EAFNOSUPPORT,
         "an AF_NETLINK socket was not refused");
  int tcp = socket(AF_INET, SOCK_STREAM, 0);
  expect(tcp >= 0, "an AF_INET socket was refused");
  if (tcp >= 0)
    close(tcp);
  if (calls && std::find(calls->begin(), calls->end(), SYS_setrlimit)
                 == calls->end())
    expect(refused_call_traps(), "a call outside the list did not trap");
  return holds;
}

}  // namespace

int main(int argc, char** argv) {
  std::optional<std::vector<__u32>> calls;
  int command = 1;
  if (argc > 2 && std::string_view{argv[1]} == "--system-calls") {
    calls = read_calls(argv[2]);
    if (!calls) {
      std::fprintf(stderr, "service_sandbox: no system call numbers in "
                           "%s\n", argv[2]);
      return 2;
    }
    command = 3;
  }
  if (command >= argc) {
    std::fprintf(stderr, "usage: service_sandbox [--system-calls FILE] "
                         "COMMAND [ARG ...]\n");
    return 2;
  }
  if (native_arch == 0) {
    std::fprintf(stderr, "service_sandbox: no filter for this "
                         "architecture\n");
    return skip_code;
  }
  if (!install_service_filter(calls)) {
    std::fprintf(stderr, "service_sandbox: seccomp: %s\n",
                 std::strerror(errno));
    return skip_code;
  }
  if (!filter_holds(calls))
    return 1;
  execvp(argv[command], argv + command);
  std::fprintf(stderr, "service_sandbox: %s: %s\n", argv[command],
               std::strerror(errno));
  return 127;
}
