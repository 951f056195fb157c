#include "modules/loader/module_loader.hpp"

#include <dlfcn.h>

#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <system_error>

#include "modules/builtin/builtin.hpp"

namespace hat::modules {

namespace {

using entry_point = const module_factory* (*)();

[[noreturn]] void fail(const std::string& name, const std::string& what) {
  throw std::runtime_error("module \"" + name + "\": " + what);
}

std::string last_dl_error() {
  const char* text = dlerror();
  return text != nullptr ? text : "unknown error";
}

std::string quoted(const char* text) {
  if (text == nullptr)
    return "(none)";
  // Appended piecewise: GCC 12 -O2 warns (-Wrestrict, a false positive) on
  // "\"" + std::string{text}.
  std::string result = "\"";
  result += text;
  result += '"';
  return result;
}

}  // namespace

loaded_module load_module(const std::string& name) {
  if (const auto* builtin = find_builtin(name))
    return {name, builtin, nullptr};

  if (name.empty())
    fail(name, "an empty name is neither a built-in module nor a path");
  // Absolute, so that dlopen opens this file and does not search
  // LD_LIBRARY_PATH and the system directories for a bare file name.
  std::error_code ec;
  const auto path = std::filesystem::absolute(name, ec);
  if (ec || !std::filesystem::exists(path, ec))
    fail(name, "no built-in module of that name and no file at " +
                 (ec ? name : path.string()));

  // RTLD_NOW: a missing symbol fails here, not in a later callback;
  // RTLD_LOCAL: two modules may define the same symbols.
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr)
    fail(name, "cannot load " + path.string() + ": " + last_dl_error());
  std::shared_ptr<void> library{handle, [](void* h) { dlclose(h); }};

  dlerror();
  auto* symbol = dlsym(handle, HAT_EVENT_MODULE_ENTRY);
  if (symbol == nullptr)
    fail(name, path.string() + " exports no " HAT_EVENT_MODULE_ENTRY
               " (a library not made with HAT_EVENT_MODULE?)");
  const auto* factory = reinterpret_cast<entry_point>(symbol)();
  if (factory == nullptr)
    fail(name, HAT_EVENT_MODULE_ENTRY " of " + path.string() +
                 " returned no factory");

  // abi_version first: it is the one member every version of the factory
  // has at the same place; the rest may be laid out differently.
  if (factory->abi_version != abi_version)
    fail(name, "module API version " + std::to_string(factory->abi_version) +
                 " of " + path.string() + " differs from the server's " +
                 std::to_string(abi_version) +
                 ": rebuild the module against this server's headers");
  if (factory->abi_tag == nullptr ||
      std::strcmp(factory->abi_tag, abi_tag) != 0)
    fail(name, "ABI " + quoted(factory->abi_tag) + " of " + path.string() +
                 " differs from the server's " + quoted(abi_tag) +
                 ": build the module with the server's compiler and Boost");
  if (factory->create == nullptr)
    fail(name, "the factory of " + path.string() + " has no create function");
  return {name, factory, std::move(library)};
}

}  // namespace hat::modules
