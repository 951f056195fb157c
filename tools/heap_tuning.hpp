#pragma once

// How glibc's malloc serves a server on the memory backend, which keeps
// every event in the heap for the life of the process: the heap only grows,
// and on the 2-core VM a fresh page costs microseconds to fault in. Batched
// registration spent about a third of its time faulting, most of the rest
// beside it. Measured (README, "The heap"): 0.32-0.37 M events/s with
// glibc's defaults, 0.48-0.86 M with both settings below (up to 1.2 M in
// bench/run_server_bench), neither alone more than 1.2 times. The LMDB
// backend frees its events after every flush and reuses that memory; there
// both settings cost a fifth to a third (likely: the trimmer's released pages
// faulted in again 2 MB at a time, threads waiting for the one arena), so it
// keeps glibc's defaults, as does the dummy backend, which holds nothing.
//
// - Transparent huge pages for the heap (glibc.malloc.hugetlb=1): one
//   fault for 512 pages. glibc reads it only from GLIBC_TUNABLES at
//   start, so the server runs itself once more with it set. Where
//   GLIBC_TUNABLES already names it (glibc.malloc.hugetlb=0 turns it off)
//   that is the operator's choice.
// - One arena for every thread (M_ARENA_MAX 1), so that the network
//   thread's allocations come from the heap glibc gives huge pages (the
//   main arena); other arenas are made usable a page at a time.

#include <malloc.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>

#include "config/server_config.hpp"
#include "log/logger.hpp"

namespace hat::tools {

inline constexpr std::string_view hugetlb_tunable = "glibc.malloc.hugetlb";

/// Whether huge pages for the heap were decided at this process's start:
/// GLIBC_TUNABLES names them (the operator, or this process before it ran
/// itself again).
inline bool heap_pages_decided() {
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  return tunables != nullptr
         && std::string_view{tunables}.find(hugetlb_tunable)
              != std::string_view::npos;
}

/// Whether the configuration at `path` names the memory backend, read
/// without a word: the real reading that follows reports what is wrong.
inline bool memory_backend_configured(const std::filesystem::path& path) {
  auto level = log::current_level();
  log::set_level(log::level::critical);
  bool memory = false;
  try {
    memory = config::load_server_config(path).backend.kind
             == config::backend_kind::memory;
  } catch (...) {
  }
  log::set_level(level);
  return memory;
}

/// Runs this executable again with huge pages for the heap; returns only
/// where it cannot (no /proc), and the server then runs without them.
inline void run_again_with_huge_pages(char** argv) {
  const char* current = std::getenv("GLIBC_TUNABLES");
  std::string tunables = current != nullptr ? current : "";
  if (!tunables.empty())
    tunables += ':';
  tunables += std::string{hugetlb_tunable} + "=1";
  if (::setenv("GLIBC_TUNABLES", tunables.c_str(), 1) != 0)
    return;
  ::execv("/proc/self/exe", argv);
  if (current != nullptr)
    ::setenv("GLIBC_TUNABLES", current, 1);
  else
    ::unsetenv("GLIBC_TUNABLES");
}

/// Before any thread starts.
inline void use_one_arena() {
  ::mallopt(M_ARENA_MAX, 1);
}

}  // namespace hat::tools
