#include "actors/runtime_config.hpp"

#include <caf/io/middleman.hpp>

namespace hat {

runtime_config::runtime_config() {
  load<caf::io::middleman>();
  set("scheduler.policy", caf::atom("sharing"));
}

}  // namespace hat
