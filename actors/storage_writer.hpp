#pragma once

/// The event store's writer: runs each write job it is given (a flush or a
/// cleanup transaction) and replies how it ended, so that disk work never
/// holds up the event store, which goes on registering and answering
/// queries meanwhile. Jobs arrive one at a time; LMDB allows one writer.

#include "actors/interfaces.hpp"

namespace hat {

/// Spawn it detached in the server (it blocks on the disk); deterministic
/// tests keep it on the test scheduler. `unused`: CAF 0.17 functions need
/// an argument to spawn cleanly (see notify_fanout).
storage_writer_actor::behavior_type
storage_writer(storage_writer_actor::pointer self, int unused);

}  // namespace hat
