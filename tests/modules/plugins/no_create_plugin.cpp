// A library whose factory, of the right version and ABI, has no create.

#include "modules/plugin.hpp"

namespace {

const hat::modules::module_factory factory{.name = "no_create_plugin"};

}  // namespace

HAT_EVENT_MODULE(factory)
