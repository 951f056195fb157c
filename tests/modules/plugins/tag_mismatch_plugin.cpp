// A library of the right module API version built by another toolchain.

#include "modules/plugin.hpp"

namespace {

std::unique_ptr<hat::modules::module> create(const boost::json::object&,
                                             hat::modules::engine_handle&,
                                             hat::event_source) {
  return nullptr;
}

const hat::modules::module_factory factory{
  .abi_tag = "gxx-abi-0/cxx11-abi-0/boost-0",
  .name = "tag_mismatch_plugin",
  .create = create,
};

}  // namespace

HAT_EVENT_MODULE(factory)
