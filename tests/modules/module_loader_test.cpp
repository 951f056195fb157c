// The loader: built-in modules by name, module libraries by path, and
// every way a library is refused (tests/modules/plugins).

#include "modules/loader/module_loader.hpp"

#include <dlfcn.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include <boost/json/parse.hpp>
#include <doctest/doctest.h>

#include "modules/builtin/builtin.hpp"
#include "tests/temp_dir.hpp"

namespace {

using namespace hat;
using namespace hat::modules;

/// Answers nothing: the modules under test never ask.
struct stub_engine final : engine_handle {
  int64_t server_id() const override {
    return 1;
  }
  void register_events(
    std::vector<register_event>,
    std::function<void(std::optional<std::vector<event>>)>) override {
  }
  void query(query_params,
             std::function<void(std::optional<query_result>)>) override {
  }
  void client_names(std::function<void(std::vector<client_name>)>) override {
  }
  void after(std::chrono::milliseconds, std::function<void()>) override {
  }
  void restart() override {
  }
  void reset_monitor_ready() override {
  }
};

/// The message load_module(name) throws ("" when it does not throw).
std::string load_error(const std::string& name) {
  try {
    load_module(name);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

/// Whether the library at `path` is loaded in this process (without
/// loading it).
bool is_loaded(const std::string& path) {
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_NOLOAD);
  if (handle == nullptr)
    return false;
  dlclose(handle);
  return true;
}

event make_event(event_type type) {
  event e;
  e.id = {1, 2, 3};
  e.type = std::move(type);
  e.timestamp = {1'700'000'000, 0};
  return e;
}

/// Restores the current directory when it ends.
struct working_directory {
  std::filesystem::path saved = std::filesystem::current_path();
  explicit working_directory(const std::filesystem::path& dir) {
    std::filesystem::current_path(dir);
  }
  ~working_directory() {
    std::filesystem::current_path(saved);
  }
};

const std::string prefix = "module \"";

}  // namespace

TEST_CASE("a built-in module is found by its name, without a library") {
  const auto& builtins = builtin_modules();
  if (builtins.empty()) {
    MESSAGE("no built-in modules yet");
    return;
  }
  const auto* expected = builtins.front();
  const auto loaded = load_module(expected->name);
  CHECK(loaded.name == expected->name);
  CHECK(loaded.factory == expected);
  CHECK(loaded.library == nullptr);
}

TEST_CASE("a name neither built-in nor a file is refused, naming both") {
  const auto cwd = std::filesystem::current_path();
  CHECK(load_error("no_such_module") ==
        prefix + "no_such_module\": no built-in module of that name and "
                 "no file at " + (cwd / "no_such_module").string());
  CHECK(load_error("") == prefix + "\": an empty name is neither a "
                                    "built-in module nor a path");
}

TEST_CASE("a relative path is relative to the current directory") {
  const std::filesystem::path good = HAT_GOOD_PLUGIN;
  working_directory in{good.parent_path()};
  // A bare file name too: dlopen alone would search the library path.
  const auto loaded = load_module(good.filename().string());
  CHECK(loaded.factory != nullptr);
  CHECK(loaded.library != nullptr);
  CHECK(load_module("./" + good.filename().string()).library != nullptr);
}

TEST_CASE("a file that is not a library is refused with dlerror's text") {
  test::temp_dir dir;
  const auto path = (dir.path / "not_a_library.so").string();
  std::ofstream{path} << "not an ELF file\n";
  const auto error = load_error(path);
  CHECK(error.starts_with(prefix + path + "\": cannot load " + path + ": "));
  // dlerror's own words follow.
  CHECK(error.find("not_a_library.so:") != std::string::npos);
}

TEST_CASE("a library without the entry point is refused") {
  const std::string path = HAT_NO_ENTRY_PLUGIN;
  CHECK(load_error(path) ==
        prefix + path + "\": " + path +
          " exports no hat_event_module_factory"
          " (a library not made with HAT_EVENT_MODULE?)");
}

TEST_CASE("a library of another module API version is refused") {
  const std::string path = HAT_WRONG_ABI_PLUGIN;
  CHECK(load_error(path) ==
        prefix + path + "\": module API version 999 of " + path +
          " differs from the server's 1: rebuild the module against this "
          "server's headers");
}

TEST_CASE("a library of another ABI is refused, naming both tags") {
  const std::string path = HAT_TAG_MISMATCH_PLUGIN;
  CHECK(load_error(path) ==
        prefix + path + "\": ABI \"gxx-abi-0/cxx11-abi-0/boost-0\" of " +
          path + " differs from the server's \"" + abi_tag +
          "\": build the module with the server's compiler and Boost");
}

TEST_CASE("a factory without create is refused") {
  const std::string path = HAT_NO_CREATE_PLUGIN;
  CHECK(load_error(path) == prefix + path + "\": the factory of " + path +
                              " has no create function");
}

TEST_CASE("a module whose create throws loads, and create's error reaches "
          "the caller") {
  const auto loaded = load_module(HAT_THROWING_PLUGIN);
  REQUIRE(loaded.factory != nullptr);
  CHECK(std::string{loaded.factory->name} == "throwing_plugin");
  stub_engine engine;
  const boost::json::object conf{{"module", HAT_THROWING_PLUGIN}};
  CHECK_THROWS_WITH_AS(
    loaded.factory->create(conf, engine, {event_source::kind::module, 0}),
    "injected constructor failure", std::runtime_error);
}

TEST_CASE("the good module is created from its configuration and answers "
          "the events it is offered") {
  const auto loaded = load_module(HAT_GOOD_PLUGIN);
  REQUIRE(loaded.factory != nullptr);
  CHECK(loaded.name == HAT_GOOD_PLUGIN);
  CHECK(std::string{loaded.factory->name} == "good_plugin");
  CHECK(loaded.factory->json_schema != nullptr);

  stub_engine engine;
  const auto conf =
    boost::json::parse(R"({"module": ")" HAT_GOOD_PLUGIN R"(",
                           "subscriptions": [["a", "*"], ["b", "?"]]})")
      .as_object();
  auto module =
    loaded.factory->create(conf, engine, {event_source::kind::module, 0});
  REQUIRE(module != nullptr);
  CHECK(module->subscription() ==
        std::vector<event_type>{{"a", "*"}, {"b", "?"}});

  module->on_session_start(7);
  const event_source eventer{event_source::kind::eventer, 3};
  const auto added = module->process(eventer, make_event({"a", "x", "y"}));
  REQUIRE(added.size() == 1);
  CHECK(added[0].type == event_type{"good", "a", "x", "y"});
  CHECK_FALSE(added[0].payload.has_value());
  // Its own answers, offered in the next round, end the session.
  CHECK(module->process({event_source::kind::module, 0},
                        make_event({"good", "a", "x", "y"}))
          .empty());
  module->on_session_stop(7);
}

TEST_CASE("the library stays loaded while its loaded_module is kept") {
  const std::string path = HAT_GOOD_PLUGIN;
  stub_engine engine;
  const boost::json::object conf{{"subscriptions", boost::json::array{}}};
  std::shared_ptr<void> library;
  std::unique_ptr<module> created;
  {
    auto loaded = load_module(path);
    created = loaded.factory->create(conf, engine, {});
    library = loaded.library;
  }
  // Only `library` keeps it now: the module's code is still there.
  CHECK(is_loaded(path));
  CHECK(created->process({}, make_event({"z"})).size() == 1);
  CHECK(created->subscription().empty());
  created.reset();
  library.reset();
  // Whether dlclose unmaps it is up to the dynamic linker (it keeps
  // libraries with STB_GNU_UNIQUE symbols, for one), so no check here.
}

// Run by the ctest test example_module_load once example_module_build has
// built examples/module the way a user would (skipped otherwise: the
// library is not there).
TEST_CASE("the example module builds out of tree and loads" *
          doctest::skip()) {
  const std::string path = HAT_EXAMPLE_MODULE;
  const auto loaded = load_module(path);
  REQUIRE(loaded.factory != nullptr);
  CHECK(loaded.library != nullptr);
  CHECK(std::string{loaded.factory->name} == "example_stamp");
  REQUIRE(loaded.factory->json_schema != nullptr);
  CHECK(boost::json::parse(loaded.factory->json_schema).is_object());

  stub_engine engine;
  const auto conf = boost::json::parse(R"({"module": "x",
                                           "subscriptions": [["a", "*"]]})")
                      .as_object();
  auto module =
    loaded.factory->create(conf, engine, {event_source::kind::module, 2});
  REQUIRE(module != nullptr);
  CHECK(module->subscription() == std::vector<event_type>{{"a", "*"}});

  auto e = make_event({"a", "b"});
  e.payload = payload_json{R"({"v": [1, 2]})"};
  const auto added = module->process({event_source::kind::eventer, 5}, e);
  REQUIRE(added.size() == 1);
  CHECK(added[0].type == event_type{"example", "stamped", "a", "b"});
  REQUIRE(added[0].payload.has_value());
  const auto* json = std::get_if<payload_json>(&*added[0].payload);
  REQUIRE(json != nullptr);
  CHECK(boost::json::parse(json->text) ==
        boost::json::parse(R"({"source_type": "eventer", "source_id": 5,
                               "original": {"v": [1, 2]}})"));

  // No JSON payload: "original" is null.
  const auto bare = module->process({event_source::kind::engine, 0},
                                    make_event({"a"}));
  REQUIRE(bare.size() == 1);
  const auto* bare_json = std::get_if<payload_json>(&*bare[0].payload);
  REQUIRE(bare_json != nullptr);
  CHECK(boost::json::parse(bare_json->text) ==
        boost::json::parse(R"({"source_type": "engine", "source_id": 0,
                               "original": null})"));
}
