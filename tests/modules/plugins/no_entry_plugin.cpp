// A library with a factory but without HAT_EVENT_MODULE: no entry point.

#include "modules/plugin.hpp"

namespace {

std::unique_ptr<hat::modules::module> create(const boost::json::object&,
                                             hat::modules::engine_handle&,
                                             hat::event_source) {
  return nullptr;
}

}  // namespace

/// Exported under another name than the loader looks for.
extern "C" __attribute__((visibility("default")))
const hat::modules::module_factory* not_the_entry_point() {
  static const hat::modules::module_factory factory{.create = create};
  return &factory;
}
