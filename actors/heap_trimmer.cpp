#include "actors/heap_trimmer.hpp"

#include <malloc.h>

#include "actors/atoms.hpp"
#include "log/logger.hpp"

#if defined(__SANITIZE_ADDRESS__)
// AddressSanitizer's allocator replaces glibc's: mallinfo2 and malloc_trim
// see nothing of it. It cannot tell its free bytes either, but it can
// release what it holds free (libasan exports this; GCC ships no header).
extern "C" void __sanitizer_purge_allocator();
#endif

namespace hat {

size_t heap_free_bytes() {
#if defined(__SANITIZE_ADDRESS__)
  return 0;
#else
  // Free chunks in the arenas (fordblks), the top chunk included.
  return ::mallinfo2().fordblks;
#endif
}

size_t trim_heap_if_over(size_t keep_free) {
#if defined(__SANITIZE_ADDRESS__)
  // Builds with sanitizers are for tests: release at every interval, so
  // that memory measured in tests behaves as in a release build.
  (void)keep_free;
  __sanitizer_purge_allocator();
  return 0;
#else
  auto free_bytes = heap_free_bytes();
  if (free_bytes > keep_free)
    ::malloc_trim(0);
  return free_bytes;
#endif
}

namespace {

/// Anonymous: a message with this actor as sender still in its mailbox
/// when it ends would keep it allocated (see eventer_listener).
void tick_later(caf::event_based_actor* self,
                std::chrono::milliseconds interval) {
  caf::delayed_anon_send(caf::actor_cast<caf::actor>(self), interval,
                         atom::tick::value);
}

}  // namespace

caf::behavior heap_trimmer(caf::event_based_actor* self, caf::actor owner,
                           heap_trim_options options) {
  self->monitor(owner);
  self->set_down_handler([self](caf::down_msg&) { self->quit(); });
  tick_later(self, options.interval);
  return {
    [self, options](atom::tick) {
      auto free_bytes = trim_heap_if_over(options.keep_free);
      if (free_bytes > options.keep_free)
        HAT_LOG_DEBUG("server", "heap: ", free_bytes / 1024,
                      " KiB free, released to the system");
      tick_later(self, options.interval);
    },
  };
}

}  // namespace hat
