// A library built against another module API version (999): the loader
// must refuse it reading abi_version alone.

#include "modules/plugin.hpp"

namespace {

// Laid out as this version's factory only for convenience: the loader
// must not rely on anything after abi_version.
const hat::modules::module_factory factory{
  .abi_version = 999,
  .abi_tag = nullptr,
  .name = "wrong_abi_plugin",
};

}  // namespace

HAT_EVENT_MODULE(factory)
