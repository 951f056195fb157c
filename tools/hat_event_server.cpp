// hat-event-server: the Event Server executable. Reads the configuration,
// starts the actor system and the server, and stops it in order on SIGINT
// or SIGTERM (exit code 0), or when the server fails (exit code 1).
// A configuration that cannot be used exits with code 2 and starts nothing.

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <pthread.h>
#include <thread>

#include "actors/load_modules.hpp"
#include "actors/runtime_config.hpp"
#include "actors/server.hpp"
#include "config/server_config.hpp"
#include "log/logger.hpp"

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

/// Signals are taken by one thread with sigwait, never by a handler.
sigset_t termination_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

int run(hat::config::server_config config) {
  auto signals = termination_signals();
  // Blocked before any thread starts, so every thread inherits the mask.
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  hat::runtime_config cfg;
  caf::actor_system system{cfg};
  auto server = system.spawn(hat::server, std::move(config), nullptr);

  std::thread signal_waiter{[&] {
    int sig = 0;
    sigwait(&signals, &sig);
    if (sig == SIGINT || sig == SIGTERM) {
      HAT_LOG_INFO("main", "signal ", sig, ": stopping");
      caf::anon_send(server, hat::atom::shutdown::value);
    }
  }};

  caf::error reason;
  {
    caf::scoped_actor self{system};
    self->monitor(server);
    self->receive([&](caf::down_msg& msg) { reason = msg.reason; });
  }
  // Wakes the waiter if the server stopped by itself (the signal is blocked,
  // so sigwait takes it; a second one is harmless).
  pthread_kill(signal_waiter.native_handle(), SIGTERM);
  signal_waiter.join();

  if (reason && reason != caf::exit_reason::user_shutdown) {
    HAT_LOG_ERROR("main", "server failed: ", system.render(reason));
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
  hat::log::set_level(config.log_level);
  HAT_LOG_INFO("main", "configuration ", path.string(), ", server id ",
               config.server_id);
  return run(std::move(config));
}
