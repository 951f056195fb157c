#include "actors/runtime_config.hpp"

#include <caf/io/middleman.hpp>

#include "actors/server_error.hpp"

namespace hat {

runtime_config::runtime_config() {
  load<caf::io::middleman>();
  set("scheduler.policy", caf::atom("sharing"));
  // system.render() words our errors as render_error() does.
  add_error_category(error_category, [](uint8_t code, caf::atom_value,
                                        const caf::message& context) {
    return render_error(caf::error{code, error_category, context});
  });
}

}  // namespace hat
