#include "modules/builtin/builtin.hpp"

#include "modules/builtin/copy.hpp"
#include "modules/builtin/counter.hpp"
#include "modules/builtin/payload_guard.hpp"

namespace hat::modules {

const std::vector<const module_factory*>& builtin_modules() {
  static const std::vector<const module_factory*> all{
    &builtin::copy_factory,
    &builtin::counter_factory,
    &builtin::payload_guard_factory,
  };
  return all;
}

const module_factory* find_builtin(std::string_view name) {
  for (const auto* f : builtin_modules())
    if (name == f->name)
      return f;
  return nullptr;
}

}  // namespace hat::modules
