// A library that loads but whose module cannot be created.

#include <stdexcept>

#include "modules/plugin.hpp"

namespace {

std::unique_ptr<hat::modules::module> create(const boost::json::object&,
                                             hat::modules::engine_handle&,
                                             hat::event_source) {
  throw std::runtime_error("injected constructor failure");
}

const hat::modules::module_factory factory{
  .name = "throwing_plugin",
  .create = create,
};

}  // namespace

HAT_EVENT_MODULE(factory)
