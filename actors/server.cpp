#include "actors/server.hpp"

#include <caf/io/middleman.hpp>
#include <filesystem>
#include <unistd.h>

#include "actors/adminer_listener.hpp"
#include "actors/engine.hpp"
#include "actors/eventer_listener.hpp"
#include "actors/heap_trimmer.hpp"
#include "actors/notify_fanout.hpp"
#include "actors/event_store.hpp"
#include "actors/listen_socket.hpp"
#include "actors/load_modules.hpp"
#include "actors/metrics_listener.hpp"
#include "actors/server_error.hpp"
#include "actors/server_peers.hpp"
#include "actors/monitor_link.hpp"
#include "actors/server_status.hpp"
#include "protocol/monitor_data.hpp"
#include "log/logger.hpp"
#include "storage/dummy_backend.hpp"
#include "storage/lmdb_backend.hpp"
#include "storage/memory_backend.hpp"

namespace hat {

namespace {

/// The configured backend, or ec::backend_open_failed with the reason.
caf::expected<std::shared_ptr<storage::backend>>
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
        return make_error(ec::backend_open_failed, "cannot open LMDB database ",
                          conf.lmdb->db_path.string(), ": ", e.what());
      }
  }
  return make_error(ec::backend_open_failed, "unknown backend kind");
}

/// Timers and threads of the store for `conf`'s backend.
event_store_options store_options_of(const config::backend_config& conf,
                                     std::shared_ptr<server_metrics> metrics) {
  event_store_options options;
  options.metrics = std::move(metrics);
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
  settings.max_partial_frame_memory
    = conf.eventer_server.max_partial_frame_memory;
  settings.max_connections = conf.eventer_server.max_connections;
  auto seconds = [](double s) {
    return std::chrono::duration_cast<chatter::clock::duration>(
      std::chrono::duration<double>{s});
  };
  settings.chatter.ping_delay = seconds(conf.eventer_server.ping_delay);
  settings.chatter.ping_timeout = seconds(conf.eventer_server.ping_timeout);
  settings.max_requests_in_flight = conf.eventer_server.max_requests_in_flight;
  return settings;
}

/// The Eventer's settings, counting in the server's metrics.
eventer_settings counted_settings(const server_state& st) {
  auto settings = settings_of(st.config);
  settings.metrics = st.metrics;
  return settings;
}

/// The adminer's connections live by the Eventer's limits: the reference
/// gives both servers the same chatter defaults, and an operator has one
/// set of bounds to think about.
adminer_settings adminer_settings_of(const config::server_config& conf) {
  auto eventer = settings_of(conf);
  adminer_settings settings;
  settings.chatter = eventer.chatter;
  settings.max_send_queue = eventer.max_send_queue;
  settings.max_partial_frame_memory = eventer.max_partial_frame_memory;
  settings.max_connections = eventer.max_connections;
  return settings;
}

void finish(server_pointer self) {
  auto& st = self->state;
  HAT_LOG_INFO("server", "stopped");
  if (st.shutdown_promise.pending())
    st.shutdown_promise.deliver(atom::ok::value);
  self->quit(st.failure);
}

caf::actor as_actor(const auto& handle) {
  return caf::actor_cast<caf::actor>(handle);
}

/// After the engine: the STOPPED session is stored, persisted and its
/// notifications handed to every connection before anything else happens.
/// The store reports batches persisted before it answers the flush, and
/// the fan-out answers atom::notified after what it got before.
void drain_notifications(server_pointer self, std::function<void()> next) {
  auto& st = self->state;
  if (!st.storage || !st.fanout)
    return next();
  self->request(st.storage, caf::infinite, atom::flush::value)
    .then(
      [self, next](atom::ok) {
        self->request(self->state.fanout, caf::infinite, atom::notified::value)
          .then([next](atom::ok) { next(); },
                [next](caf::error& err) {
                  log_dropped("server", "waiting for the fan-out at stop",
                              err);
                  next();
                });
      },
      [next](caf::error& err) {
        // The stop goes on: the store's own failure ends the server anyway.
        log_dropped("server", "flushing the store at stop", err);
        next();
      });
}

/// Stops the next part still running of st.stop_order (listener, store,
/// fan-out: connections first, the store flushed last but one); the server
/// ends after the last.
void stop_next_part(server_pointer self) {
  auto& st = self->state;
  while (!st.stop_order.empty()) {
    auto part = std::move(st.stop_order.front());
    st.stop_order.pop_front();
    if (!part || st.down.count(part.address()) > 0)
      continue;
    st.awaited_stop = part.address();
    self->send_exit(part, caf::exit_reason::user_shutdown);
    return;
  }
  st.awaited_stop = caf::actor_addr{};
  finish(self);
}

/// A new engine with fresh modules; it reports STARTED in the store
/// (atom::started), which makes the server operational.
void spawn_engine(server_pointer self) {
  auto& st = self->state;
  engine_config conf;
  conf.server_id = st.config.server_id;
  conf.storage = st.storage;
  conf.fanout = st.fanout;
  conf.owner = caf::actor_cast<engine_owner_actor>(self);
  conf.modules = st.modules;
  conf.module_timeout = std::chrono::milliseconds{
    static_cast<int64_t>(st.config.module_timeout * 1000)};
  st.engine = spawn_placed<caf::monitored>(
    self, st.config.placement.engine, engine, std::move(conf));
}

/// Carries out what the status machine decided, in order.
void carry_out(server_pointer self, const server_status_machine::actions& todo) {
  auto& st = self->state;
  for (auto action : todo) {
    if (auto now = published_status(action)) {
      HAT_LOG_INFO("server", status_name(*now));
      st.published = *now;
      st.metrics->publish(*now);
      auto engine = *now == status::operational ? st.engine : engine_actor{};
      self->send(st.fanout, atom::status::value, *now, engine);
      tell_syncs(self, *now, engine);
      // Back in standby after a stop: the monitor link may withdraw its
      // blessing answer now (it ignores this unless it asked for the stop).
      if (*now == status::standby && st.monitor)
        caf::anon_send(st.monitor, atom::engine_stopped::value);
      continue;
    }
    switch (action) {
      case server_action::start_engine:
        spawn_engine(self);
        break;
      case server_action::stop_engine:
        self->send_exit(st.engine, caf::exit_reason::user_shutdown);
        break;
      case server_action::drain:
        drain_notifications(self, [self] {
          carry_out(self, self->state.machine.drained());
        });
        break;
      case server_action::stop_server:
        // The monitor first: it sees this server leave before the
        // connections go.
        // Sync actors before the store: what they handed it is kept.
        // The adminer after the monitor, before the Eventer listener, as
        // the reference stops them.
        st.stop_order = {st.monitor};
        for (auto& [key, entry] : st.syncs)
          st.stop_order.push_back(as_actor(entry.actor));
        st.stop_order.insert(st.stop_order.end(),
                             {st.adminer, st.metrics_listener, st.listener,
                              as_actor(st.storage),
                              as_actor(st.fanout)});
        stop_next_part(self);
        break;
      default:
        break;
    }
  }
  if (st.machine.waiting_for_peers() != st.logged_waiting) {
    st.logged_waiting = !st.logged_waiting;
    if (st.logged_waiting)
      HAT_LOG_INFO("server", "the engine waits while a peer is starting, "
                             "operational or stopping, or has not answered "
                             "yet: ", holding_peers(st));
    else
      HAT_LOG_INFO("server", "no peer holds the engine back any more");
  }
}

/// Tells the machine whether a peer holds the engine back.
void update_hold(server_pointer self) {
  auto& st = self->state;
  if (st.waits_for_peers)
    carry_out(self, st.machine.peers_holding(peers_hold_engine(st)));
}

/// Stops the server in order, for `failure` (none: asked to stop).
void shut_down(server_pointer self, caf::error failure) {
  auto& st = self->state;
  if (failure && !st.failure)
    st.failure = std::move(failure);
  carry_out(self, st.machine.shutdown());
}

void on_down(server_pointer self, caf::down_msg& msg) {
  auto& st = self->state;
  st.down.insert(msg.source);
  if (msg.source == st.awaited_stop)
    return stop_next_part(self);
  if (sync_down(self, msg))
    return update_hold(self);
  if (st.engine && msg.source == st.engine.address()) {
    st.engine = engine_actor{};
    bool asked = st.machine.current_phase()
                 == server_status_machine::phase::stopping;
    carry_out(self, st.machine.engine_ended());
    if (asked)
      return;
    auto reason = msg.reason ? msg.reason
                             : make_error(ec::essential_actor_down,
                                          "the engine stopped without a "
                                          "reason");
    HAT_LOG_ERROR("server", "the engine stopped: ", render_error(reason));
    return shut_down(self, std::move(reason));
  }
  if (st.machine.current_phase() == server_status_machine::phase::finishing)
    return;
  auto name = msg.source == st.monitor.address()    ? "the monitor link"
              : msg.source == st.storage.address()  ? "the storage"
              : msg.source == st.fanout.address()   ? "the notification fan-out"
              : msg.source == st.listener.address() ? "the Eventer listener"
              : msg.source == st.adminer.address()  ? "the adminer listener"
              : msg.source == st.metrics_listener.address()
                ? "the metrics listener"
                : "an essential actor";
  auto reason = msg.reason ? msg.reason
                           : make_error(ec::essential_actor_down, name,
                                        " stopped without a reason");
  HAT_LOG_ERROR("server", name, " stopped: ", render_error(reason));
  shut_down(self, std::move(reason));
}

/// Connects the monitor link (monitored servers, after the Eventer server
/// runs, as the reference); false when the monitor cannot be reached, and
/// the server then stops (there is no retry, as with the reference).
bool connect_monitor(server_pointer self) {
  auto& st = self->state;
  auto& conf = *st.config.monitor_component;
  st.machine = server_status_machine{true};
  st.waits_for_peers = !legacy_redundancy(st.config);
  monitor_link_settings settings;
  settings.name = st.config.name;
  settings.group = conf.group;
  settings.data = observer::monitor_data_json(
    st.config.server_id, st.config.eventer_server.addr.host, st.eventer_port,
    st.config.server_token);
  settings.server_id = st.config.server_id;
  settings.server_token = st.config.server_token;
  // A blocking connect, once at start (CAF 0.17's spawn_client).
  auto server = caf::actor_cast<caf::actor>(self);
  auto link = st.seams.monitor
                ? st.seams.monitor(server)
                : self->system().middleman().spawn_client(
                    monitor_link, conf.addr.host, conf.addr.port,
                    std::move(settings), server);
  if (!link) {
    auto reason = make_error(ec::monitor_unreachable, "cannot connect to the "
                             "monitor at ", conf.addr.host, ":",
                             conf.addr.port, ": ",
                             self->system().render(link.error()));
    HAT_LOG_ERROR("server", render_error(reason));
    shut_down(self, std::move(reason));
    return false;
  }
  st.monitor = caf::actor_cast<caf::actor>(*link);
  self->monitor(st.monitor);
  return true;
}

}  // namespace

/// What the server answers once it runs.
static server_actor::behavior_type server_behavior(server_pointer self);

server_actor::behavior_type server(server_pointer self,
                                   config::server_config config,
                                   std::shared_ptr<storage::backend> backend) {
  return server_with_seams(self, std::move(config), std::move(backend), {});
}

server_actor::behavior_type
server_with_seams(server_pointer self, config::server_config config,
                  std::shared_ptr<storage::backend> backend,
                  server_seams seams) {
  auto& st = self->state;
  st.config = std::move(config);
  st.seams = std::move(seams);
  // Whoever waits for the server (the executable) hears `err` and logs it.
  auto fail_start = [self](caf::error err) {
    self->quit(std::move(err));
    return server_actor::behavior_type::make_empty_behavior();
  };
  try {
    st.modules = st.seams.modules ? *st.seams.modules
                                  : load_modules(st.config.modules);
  } catch (const std::exception& e) {
    return fail_start(make_error(ec::invalid_configuration, e.what()));
  }
  // The essential parts before anything starts: a server that cannot
  // listen or cannot open its backend ends at once and writes nothing.
  // The socket first, so that a taken port leaves no database file behind.
  auto& addr = st.config.eventer_server.addr;
  auto socket = open_listen_socket(addr.host, addr.port);
  if (!socket)
    return fail_start(std::move(socket.error()));
  // The adminer's port is as essential: taken, the server does not start
  // (the reference ends too, if with exit code 0).
  std::optional<listen_socket> adminer_socket;
  if (auto& adminer = st.config.adminer_server) {
    auto opened = open_listen_socket(adminer->host, adminer->port);
    if (!opened) {
      ::close(socket->fd);
      return fail_start(make_error(ec::listen_failed, "adminer_server: ",
                                   error_context(opened.error())));
    }
    adminer_socket = std::move(*opened);
  }
  // The metrics port too: an operator who asked for metrics finds out
  // at start, not when the first scrape fails.
  std::optional<listen_socket> metrics_socket;
  if (auto& metrics = st.config.metrics_server) {
    auto opened = open_listen_socket(metrics->host, metrics->port);
    if (!opened) {
      ::close(socket->fd);
      if (adminer_socket)
        ::close(adminer_socket->fd);
      return fail_start(make_error(ec::listen_failed, "metrics_server: ",
                                   error_context(opened.error())));
    }
    metrics_socket = std::move(*opened);
  }
  auto close_sockets = [&] {
    ::close(socket->fd);
    if (adminer_socket)
      ::close(adminer_socket->fd);
    if (metrics_socket)
      ::close(metrics_socket->fd);
  };
  if (!backend) {
    auto opened = make_backend(st.config.backend);
    if (!opened) {
      close_sockets();
      return fail_start(std::move(opened.error()));
    }
    backend = std::move(*opened);
  }
  st.eventer_port = socket->port;
  self->set_down_handler([self](caf::down_msg& msg) { on_down(self, msg); });
  st.fanout = spawn_placed<caf::monitored>(self, st.config.placement.fanout,
                                          notify_fanout, status::standby);
  // Not essential: it ends with the server, and nothing waits for it.
  self->spawn(heap_trimmer, caf::actor_cast<caf::actor>(self),
              heap_trim_options{});
  // Disk work blocks: the store of a disk backend (whose queries read the
  // file) and its writer get threads of their own.
  if (st.config.backend.kind == config::backend_kind::lmdb)
    st.metrics->store_file = st.config.backend.lmdb->db_path;
  auto store_options = store_options_of(st.config.backend, st.metrics);
  if (backend->persists_on_register())
    st.storage = spawn_placed<caf::monitored>(self, st.config.placement.store,
                                              event_store, std::move(backend),
                                              st.fanout, store_options);
  else
    st.storage = self->spawn<caf::monitored + caf::detached>(
      event_store, std::move(backend), st.fanout, store_options);
  st.listener = st.seams.listener
                  ? st.seams.listener(*socket)
                  : self->system().middleman().spawn_broker(
                    eventer_listener, *socket, counted_settings(st),
                    st.fanout, st.storage);
  self->monitor(st.listener);
  if (adminer_socket) {
    st.adminer_port = adminer_socket->port;
    st.adminer = st.seams.adminer
                   ? st.seams.adminer(*adminer_socket)
                   : self->system().middleman().spawn_broker(
                     adminer_listener, *adminer_socket,
                     adminer_settings_of(st.config), st.config.log_conf);
    self->monitor(st.adminer);
  }
  if (metrics_socket) {
    st.metrics_port = metrics_socket->port;
    st.metrics_listener = self->system().middleman().spawn_broker(
      metrics_listener, *metrics_socket,
      metrics_settings{.metrics = st.metrics});
    self->monitor(st.metrics_listener);
  }
  if (st.config.monitor_component && !connect_monitor(self))
    return server_behavior(self);
  carry_out(self, st.machine.begin());
  return server_behavior(self);
}

static server_actor::behavior_type server_behavior(server_pointer self) {
  return {
    // -- server_actor --
    [self](atom::get, atom::port) { return self->state.eventer_port; },
    [self](atom::get, atom::adminer) { return self->state.adminer_port; },
    [self](atom::get, atom::metrics) { return self->state.metrics_port; },
    [self](atom::get, atom::status) {
      return self->delegate(self->state.fanout, atom::get::value,
                            atom::status::value);
    },
    [self](atom::restart) {
      auto todo = self->state.machine.restart_requested();
      if (!todo.empty())
        HAT_LOG_INFO("server", "restarting the engine");
      carry_out(self, todo);
    },
    [self](atom::reset_ready) {
      auto& st = self->state;
      if (st.monitor)
        return caf::anon_send(st.monitor, atom::reset_ready::value);
      // Standalone there is no monitor whose flag could be reset.
      HAT_LOG_INFO("server", "monitor ready reset asked: no monitor, "
                             "nothing to do");
    },
    [self](atom::bless, bool active) {
      auto& st = self->state;
      if (st.monitor && self->current_sender() == st.monitor.address())
        carry_out(self, st.machine.blessing(active));
    },
    [self](atom::close, caf::error& reason) {
      auto& st = self->state;
      if (st.monitor && self->current_sender() == st.monitor.address())
        shut_down(self, std::move(reason));
    },
    [self](atom::get, atom::peers) {
      std::vector<sync_actor> running;
      for (auto& [key, entry] : self->state.syncs)
        if (entry.actor)
          running.push_back(entry.actor);
      return running;
    },
    [self](atom::respawn, const peer_info& peer) { respawn_sync(self, peer); },
    [self](atom::peers, std::vector<peer_info>& peers) {
      auto& st = self->state;
      if (st.monitor && self->current_sender() == st.monitor.address()) {
        update_peers(self, peers);
        update_hold(self);
      }
    },
    [self](atom::peer_active, bool active) {
      if (note_peer_activity(self, active))
        update_hold(self);
    },
    [self](atom::started) {
      auto& st = self->state;
      // Only the current engine's; an engine being stopped is not
      // operational any more (the machine knows).
      if (st.engine && self->current_sender() == st.engine.address())
        carry_out(self, st.machine.engine_started());
    },
    [self](atom::shutdown) -> caf::result<atom::ok> {
      auto& st = self->state;
      st.shutdown_promise = self->make_response_promise<atom::ok>();
      shut_down(self, caf::error{});
      return st.shutdown_promise;
    },
  };
}

}  // namespace hat
