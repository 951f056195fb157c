#include "actors/server.hpp"

#include <caf/io/middleman.hpp>
#include <filesystem>

#include "actors/engine.hpp"
#include "actors/eventer_listener.hpp"
#include "actors/notify_fanout.hpp"
#include "actors/event_store.hpp"
#include "actors/load_modules.hpp"
#include "log/logger.hpp"
#include "storage/dummy_backend.hpp"
#include "storage/lmdb_backend.hpp"
#include "storage/memory_backend.hpp"

namespace hat {

namespace {

using server_pointer = server_actor::stateful_pointer<server_state>;

/// The configured backend, or nothing with the reason logged.
std::shared_ptr<storage::backend>
make_backend(const config::backend_config& conf) {
  switch (conf.kind) {
    case config::backend_kind::dummy:
      return std::make_shared<storage::dummy_backend>();
    case config::backend_kind::memory:
      return std::make_shared<storage::memory_backend>();
    case config::backend_kind::lmdb:
      try {
        const storage::lmdb_backend_options& options = *conf.lmdb;
        if (options.db_path.has_parent_path())
          std::filesystem::create_directories(options.db_path.parent_path());
        return storage::lmdb_backend::open(options);
      } catch (const std::exception& e) {
        HAT_LOG_ERROR("server", "backend: cannot open LMDB database ",
                      conf.lmdb->db_path.string(), ": ", e.what());
        return nullptr;
      }
  }
  return nullptr;
}

/// Timers and threads of the store for `conf`'s backend.
event_store_options store_options_of(const config::backend_config& conf) {
  event_store_options options;
  if (conf.kind != config::backend_kind::lmdb)
    return options;
  auto ms = [](double seconds) {
    return std::chrono::milliseconds{static_cast<int64_t>(seconds * 1000)};
  };
  options.flush_period = ms(conf.lmdb->flush_period);
  options.cleanup_period = ms(conf.lmdb->cleanup_period);
  options.detached_writer = true;
  return options;
}

eventer_settings settings_of(const config::server_config& conf) {
  eventer_settings settings;
  settings.server_id = conf.server_id;
  settings.server_token = conf.server_token;
  settings.dialect = conf.eventer_server.dialect;
  settings.chatter.max_frame_size = conf.eventer_server.max_frame_size;
  settings.max_send_queue = conf.eventer_server.max_send_queue;
  settings.max_requests_in_flight = conf.eventer_server.max_requests_in_flight;
  return settings;
}

void finish(server_pointer self) {
  auto& st = self->state;
  HAT_LOG_INFO("server", "stopped");
  if (st.shutdown_promise.pending())
    st.shutdown_promise.deliver(atom::ok::value);
  self->quit(st.failure);
}

/// Stops `actor`, then runs `next` once it is down.
void stop_then(server_pointer self, caf::actor actor,
               std::function<void()> next) {
  auto& st = self->state;
  if (!actor || st.down.count(actor.address()) > 0)
    return next();
  st.awaited = actor.address();
  st.after_awaited = std::move(next);
  self->send_exit(actor, caf::exit_reason::user_shutdown);
}

/// After the engine: the STOPPED session is stored and its notification
/// handed to every connection before the connections go. Each request
/// below is answered only after what was sent before it was processed.
void drain_notifications(server_pointer self, std::function<void()> next) {
  auto& st = self->state;
  if (!st.storage || !st.fanout)
    return next();
  self->request(st.storage, caf::infinite, atom::flush::value)
    .then(
      [self, next](atom::ok) {
        self
          ->request(self->state.fanout, caf::infinite, atom::get::value,
                    atom::status::value)
          .then([next](status, const engine_actor&) { next(); },
                [next](caf::error&) { next(); });
      },
      [next](caf::error&) { next(); });
}

/// Reverse start order: engine (STOPPED stored), connections, storage
/// (flushed), fan-out.
void start_stopping(server_pointer self, caf::error failure) {
  auto& st = self->state;
  if (st.stopping)
    return;
  st.stopping = true;
  st.failure = std::move(failure);
  // As the reference: stopping while the engine goes, standby once the
  // store is flushed.
  if (st.fanout)
    self->send(st.fanout, atom::status::value, status::stopping,
               engine_actor{});
  auto as_actor = [](const auto& handle) {
    return caf::actor_cast<caf::actor>(handle);
  };
  stop_then(self, as_actor(st.engine), [=] {
    drain_notifications(self, [=] {
      auto& st = self->state;
      if (st.fanout)
        self->send(st.fanout, atom::status::value, status::standby,
                   engine_actor{});
      stop_then(self, st.listener, [=] {
        auto& st = self->state;
        stop_then(self, as_actor(st.storage), [=] {
          stop_then(self, as_actor(self->state.fanout),
                    [=] { finish(self); });
        });
      });
    });
  });
}

/// Starting, then operational with a new engine and fresh modules.
void start_engine(server_pointer self) {
  auto& st = self->state;
  if (st.stopping)
    return;
  self->send(st.fanout, atom::status::value, status::starting,
             engine_actor{});
  engine_config conf;
  conf.server_id = st.config.server_id;
  conf.storage = st.storage;
  conf.fanout = st.fanout;
  conf.owner = caf::actor_cast<engine_owner_actor>(self);
  conf.modules = st.modules;
  conf.module_timeout = std::chrono::milliseconds{
    static_cast<int64_t>(st.config.module_timeout * 1000)};
  st.engine = self->spawn<caf::monitored>(engine, std::move(conf));
  self->send(st.fanout, atom::status::value, status::operational, st.engine);
}

/// As the reference's runner: stopping, the engine closed (STOPPED
/// stored), the store flushed, standby; then a new engine.
void restart_engine(server_pointer self) {
  auto& st = self->state;
  if (st.stopping || st.restarting || !st.engine)
    return;
  st.restarting = true;
  HAT_LOG_INFO("server", "restarting the engine");
  self->send(st.fanout, atom::status::value, status::stopping,
             engine_actor{});
  stop_then(self, caf::actor_cast<caf::actor>(st.engine), [=] {
    drain_notifications(self, [=] {
      auto& st = self->state;
      st.restarting = false;
      if (st.stopping)
        return;
      self->send(st.fanout, atom::status::value, status::standby,
                 engine_actor{});
      start_engine(self);
    });
  });
}

void on_down(server_pointer self, caf::down_msg& msg) {
  auto& st = self->state;
  st.down.insert(msg.source);
  // Awaited: stopping, or an engine restart.
  if (msg.source == st.awaited) {
    auto next = std::move(st.after_awaited);
    st.awaited = caf::actor_addr{};
    next();
    return;
  }
  if (st.stopping)
    return;
  HAT_LOG_ERROR("server", "an essential actor stopped: ",
                self->system().render(msg.reason));
  start_stopping(self, msg.reason ? msg.reason
                                  : caf::make_error(caf::sec::runtime_error));
}

}  // namespace

server_actor::behavior_type server(server_pointer self,
                                   config::server_config config,
                                   std::shared_ptr<storage::backend> backend) {
  auto& st = self->state;
  st.config = std::move(config);
  try {
    st.modules = load_modules(st.config.modules);
  } catch (const std::exception& e) {
    HAT_LOG_ERROR("server", e.what());
    self->quit(caf::make_error(caf::sec::invalid_argument, e.what()));
    return server_actor::behavior_type::make_empty_behavior();
  }
  self->set_down_handler([self](caf::down_msg& msg) { on_down(self, msg); });
  if (!backend)
    backend = make_backend(st.config.backend);
  if (!backend) {
    self->quit(caf::make_error(caf::sec::invalid_argument));
    return server_actor::behavior_type::make_empty_behavior();
  }
  st.fanout = self->spawn<caf::monitored>(notify_fanout, status::standby);
  // Disk work blocks: the store of a disk backend (whose queries read the
  // file) and its writer get threads of their own.
  auto store_options = store_options_of(st.config.backend);
  if (backend->persists_on_register())
    st.storage = self->spawn<caf::monitored>(event_store, std::move(backend),
                                             st.fanout, store_options);
  else
    st.storage = self->spawn<caf::monitored + caf::detached>(
      event_store, std::move(backend), st.fanout, store_options);
  auto& addr = st.config.eventer_server.addr;
  st.listener = self->system().middleman().spawn_broker(
    eventer_listener, addr.host, addr.port, settings_of(st.config), st.fanout,
    st.storage);
  self->monitor(st.listener);
  self->request(st.listener, caf::infinite, atom::get::value,
                atom::port::value)
    .await([self](uint16_t port) { self->state.eventer_port = port; },
           [self](caf::error& err) {
             start_stopping(self, std::move(err));
           });
  if (st.config.monitor_component)
    HAT_LOG_WARNING("server", "monitor_component: redundancy is not "
                              "supported yet; running standalone");
  start_engine(self);
  return {
    // -- server_actor --
    [self](atom::get, atom::port) { return self->state.eventer_port; },
    [self](atom::restart) { restart_engine(self); },
    [self](atom::reset_ready) {
      // Standalone there is no monitor whose flag could be reset.
      HAT_LOG_INFO("server", "monitor ready reset asked: no monitor, "
                             "nothing to do");
    },
    [self](atom::shutdown) -> caf::result<atom::ok> {
      auto& st = self->state;
      st.shutdown_promise = self->make_response_promise<atom::ok>();
      start_stopping(self, caf::error{});
      return st.shutdown_promise;
    },
  };
}

}  // namespace hat
