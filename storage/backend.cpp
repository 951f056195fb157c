#include "storage/backend.hpp"

namespace hat::storage {

namespace {

/// Runs `job` to an end other than map_full.
write_outcome run_growing(backend& b, write_job& job) {
  for (;;) {
    auto outcome = job.run();
    if (outcome != write_outcome::map_full)
      return outcome;
    b.grow_map();
  }
}

}  // namespace

std::vector<event_batch> backend::flush() {
  auto job = start_flush();
  if (!job)
    return {};
  run_growing(*this, *job);
  return finish_flush();
}

void backend::cleanup(const timestamp& now) {
  while (auto job = start_cleanup(now))
    if (run_growing(*this, *job) != write_outcome::more)
      return;
}

}  // namespace hat::storage
