#pragma once

/// Gives memory the server freed back to the system.
///
/// glibc returns freed heap memory to the system only from the top of the
/// heap. After a burst (thousands of connections accepted at once, a
/// dropped client's send queue, a large query answer) the freed memory
/// lies below blocks still in use, so the process keeps it for ever:
/// 10,000 connections in a burst left 50-450 MB resident after every one
/// of them had closed. Once per interval this actor looks at how much the
/// allocator holds free and, above a threshold, has it release the free
/// pages (malloc_trim), so the server's size follows what it holds.
///
/// Messages: (atom::tick) to itself, once per interval. It ends with the
/// actor given at spawn (the server).

#include <caf/actor.hpp>
#include <caf/event_based_actor.hpp>
#include <chrono>
#include <cstddef>

namespace hat {

struct heap_trim_options {
  std::chrono::milliseconds interval{1000};
  /// Free bytes the allocator may keep without being asked to release.
  size_t keep_free = 2 * 1024 * 1024;
};

caf::behavior heap_trimmer(caf::event_based_actor* self, caf::actor owner,
                           heap_trim_options options);

/// Free bytes the allocator holds (0 where that cannot be told, e.g.
/// under AddressSanitizer, which has its own release).
size_t heap_free_bytes();

/// Releases the allocator's free pages when it holds more than
/// `keep_free` free bytes; the bytes it held free before.
size_t trim_heap_if_over(size_t keep_free);

}  // namespace hat
