#include "actors/runtime_config.hpp"

#include <caf/io/middleman.hpp>

#include "actors/server_error.hpp"

namespace hat {

runtime_config::runtime_config() {
  load<caf::io::middleman>();
  set("scheduler.policy", caf::atom("sharing"));
  // One read per socket per pass of the network loop: a connection that
  // halts reading (too many requests in flight, init not answered yet)
  // takes no more bytes from that socket in the same pass; with CAF's 50,
  // up to 50 chunks of 64 KiB still came in behind a halt.
  set("middleman.max-consecutive-reads", size_t{1});
  // system.render() words our errors as render_error() does.
  add_error_category(error_category, [](uint8_t code, caf::atom_value,
                                        const caf::message& context) {
    return render_error(caf::error{code, error_category, context});
  });
}

}  // namespace hat
