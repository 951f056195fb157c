#include "actors/load_modules.hpp"

#include <stdexcept>
#include <string>

#include "config/json_schema.hpp"
#include "modules/loader/module_loader.hpp"

namespace hat {

std::vector<module_spec> load_modules(
  const std::vector<config::module_config>& configured) {
  std::vector<module_spec> specs;
  for (size_t i = 0; i < configured.size(); ++i) {
    const auto& conf = configured[i];
    auto where = "modules[" + std::to_string(i) + "]";
    auto name = where + " '" + conf.module + "'";
    modules::loaded_module loaded;
    try {
      loaded = modules::load_module(conf.module);
    } catch (const std::exception& e) {
      throw std::runtime_error(name + ": " + e.what());
    }
    if (const char* schema_text = loaded.factory->json_schema) {
      std::optional<config::json_schema> schema;
      try {
        schema = config::json_schema::parse(schema_text);
      } catch (const std::exception& e) {
        throw std::runtime_error(name + ": the module's JSON schema: " +
                                 e.what());
      }
      if (auto error = schema->validate(conf.raw, where))
        throw std::runtime_error(name + ": invalid configuration: " + *error);
    }
    specs.push_back(module_spec{conf.module, loaded.factory, loaded.library,
                                conf.raw});
  }
  return specs;
}

}  // namespace hat
