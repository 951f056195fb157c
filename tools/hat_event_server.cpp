// hat-event-server: the Event Server executable. Reads the configuration,
// starts the actor system and the server, and stops it in order on SIGINT,
// SIGTERM, SIGHUP or SIGQUIT (exit code 0), or when the server fails,
// including a failed start (exit code 1, the reason logged). Other signals
// that would end the process (SIGUSR1, SIGUSR2, SIGPIPE, SIGALRM, ...) are
// logged and ignored: nothing but SIGKILL ends it without STOPPED.
// A configuration that cannot be used exits with code 2 and starts nothing.

#include <atomic>
#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <pthread.h>
#include <thread>

#include "actors/load_modules.hpp"
#include "actors/runtime_config.hpp"
#include "actors/server.hpp"
#include "actors/server_error.hpp"
#include "config/server_config.hpp"
#include "log/logger.hpp"
#include "tools/heap_tuning.hpp"

namespace {

constexpr const char* usage =
  "usage: hat-event-server [--conf PATH]\n"
  "\n"
  "Hat Event Server (hat-event 0.9 compatible).\n"
  "\n"
  "  --conf PATH   configuration file, YAML or JSON (default:\n"
  "                $XDG_CONFIG_HOME/hat/event.{yaml|yml|json})\n"
  "  --help        show this text\n"
  "  --version     show the version\n";

struct arguments {
  std::optional<std::filesystem::path> conf;
  bool help = false;
  bool version = false;
};

std::optional<arguments> parse_arguments(int argc, char** argv) {
  arguments args;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h")
      args.help = true;
    else if (arg == "--version")
      args.version = true;
    else if (arg == "--conf" && i + 1 < argc)
      args.conf = argv[++i];
    else if (arg.starts_with("--conf="))
      args.conf = std::string{arg.substr(7)};
    else {
      std::cerr << "hat-event-server: unknown argument '" << arg << "'\n\n"
                << usage;
      return std::nullopt;
    }
  }
  return args;
}

/// Signals that stop the server in order.
constexpr int stop_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

/// Signals whose default action ends the process but that mean nothing to
/// the server: logged and ignored. (Faults such as SIGSEGV keep their
/// default: blocking them would hide a crash.)
constexpr int ignored_signals[] = {SIGUSR1, SIGUSR2, SIGPIPE,  SIGALRM,
                                   SIGVTALRM, SIGPROF, SIGPOLL, SIGXCPU,
                                   SIGXFSZ,  SIGSTKFLT, SIGPWR};

/// Signals are taken by one thread with sigwait, never by a handler.
sigset_t waited_signals() {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : stop_signals)
    sigaddset(&set, sig);
  for (int sig : ignored_signals)
    sigaddset(&set, sig);
  for (int sig = SIGRTMIN; sig <= SIGRTMAX; ++sig)
    sigaddset(&set, sig);
  return set;
}

bool is_stop_signal(int sig) {
  for (int s : stop_signals)
    if (s == sig)
      return true;
  return false;
}

int run(hat::config::server_config config) {
  auto signals = waited_signals();
  // Blocked before any thread starts, so every thread inherits the mask.
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  // A write to a closed socket raises SIGPIPE in the writing thread, which
  // sigwait here does not see: ignore it outright (the write fails EPIPE).
  std::signal(SIGPIPE, SIG_IGN);

  hat::runtime_config cfg;
  caf::actor_system system{cfg};
  auto server = system.spawn(hat::server, std::move(config), nullptr);

  // Set before the waiter is woken at the end: that wake-up is no signal.
  std::atomic<bool> server_gone{false};
  std::thread signal_waiter{[&] {
    bool stop_asked = false;
    for (;;) {
      int sig = 0;
      if (sigwait(&signals, &sig) != 0)
        continue;
      if (server_gone.load())
        return;
      const char* name = strsignal(sig);
      if (!is_stop_signal(sig)) {
        HAT_LOG_WARNING("main", "signal ", sig, " (", name, "): ignored");
        continue;
      }
      if (stop_asked) {
        HAT_LOG_INFO("main", "signal ", sig, " (", name,
                     "): already stopping");
        continue;
      }
      stop_asked = true;
      HAT_LOG_INFO("main", "signal ", sig, " (", name, "): stopping");
      caf::anon_send(server, hat::atom::shutdown::value);
    }
  }};

  caf::error reason;
  {
    caf::scoped_actor self{system};
    self->monitor(server);
    self->receive([&](caf::down_msg& msg) { reason = msg.reason; });
  }
  // Wakes the waiter (the signal is blocked, so sigwait takes it).
  server_gone.store(true);
  pthread_kill(signal_waiter.native_handle(), SIGTERM);
  signal_waiter.join();

  if (reason && reason != caf::exit_reason::user_shutdown) {
    HAT_LOG_ERROR("main", "server failed: ", hat::render_error(reason));
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  auto args = parse_arguments(argc, argv);
  if (!args)
    return 2;
  if (args->help) {
    std::cout << usage;
    return 0;
  }
  if (args->version) {
    std::cout << "hat-event-server " HAT_EVENT_VERSION
                 " (hat-event 0.9 compatible)\n";
    return 0;
  }
  auto path = args->conf.value_or(hat::config::default_config_path());
  if (!hat::tools::heap_pages_decided()
      && hat::tools::memory_backend_configured(path))
    hat::tools::run_again_with_huge_pages(argv);
  hat::config::server_config config;
  try {
    config = hat::config::load_server_config(path);
  } catch (const hat::config::config_error& e) {
    std::cerr << "hat-event-server: invalid configuration " << path << ": "
              << e.what() << "\n";
    return 2;
  }
  // Modules are part of the configuration: an unknown module, a library
  // that does not fit or a module configuration its schema refuses is
  // refused here, before anything starts. (The server loads them again:
  // the libraries are then already loaded.)
  try {
    hat::load_modules(config.modules);
  } catch (const std::exception& e) {
    std::cerr << "hat-event-server: invalid configuration " << path << ": "
              << e.what() << "\n";
    return 2;
  }
  if (config.backend.kind == hat::config::backend_kind::memory)
    hat::tools::use_one_arena();
  hat::config::apply_log_settings(config.logging, "main");
  HAT_LOG_INFO("main", "configuration ", path.string(), ", server id ",
               config.server_id);
  return run(std::move(config));
}
