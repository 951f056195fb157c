#include "actors/storage_writer.hpp"

#include "actors/server_error.hpp"

namespace hat {

storage_writer_actor::behavior_type
storage_writer(storage_writer_actor::pointer self, int unused) {
  (void)self;
  (void)unused;
  return {
    [](atom::write, const std::shared_ptr<storage::write_job>& job)
      -> caf::result<storage::write_outcome> {
      try {
        return job->run();
      } catch (const std::exception& e) {
        return make_error(ec::storage_failed, e.what());
      }
    },
    // The last reference goes with this message: a flush's changes (maps,
    // vectors, the events of its batches) are freed on this thread.
    [](atom::dispose, const std::shared_ptr<storage::write_job>&) {},
  };
}

}  // namespace hat
