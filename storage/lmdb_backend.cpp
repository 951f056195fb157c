#include "storage/lmdb_backend.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <variant>

#include "storage/lmdb/json_values.hpp"

namespace hat::storage {
namespace {

namespace fmt = lmdb::format;
using fmt::db_type;

constexpr timestamp min_timestamp{std::numeric_limits<int64_t>::min(), 0};
constexpr timestamp max_timestamp{std::numeric_limits<int64_t>::max(),
                                  UINT32_MAX};

// A query bound whose microseconds the key cannot hold (negative or beyond
// four bytes) becomes the nearest key bound that selects the same stored
// events: stored microseconds are always in [0, UINT32_MAX].
timestamp lower_key_bound(timestamp t) {
  if (t.us < 0)
    return {t.s, 0};
  if (t.us > UINT32_MAX)
    return t.s == max_timestamp.s ? max_timestamp : timestamp{t.s + 1, 0};
  return t;
}

timestamp upper_key_bound(timestamp t) {
  if (t.us > UINT32_MAX)
    return {t.s, UINT32_MAX};
  if (t.us < 0)
    return t.s == min_timestamp.s ? min_timestamp
                                  : timestamp{t.s - 1, UINT32_MAX};
  return t;
}

[[noreturn]] void fail(const lmdb::error& e) {
  throw std::runtime_error("lmdb backend: " + e.message());
}

[[noreturn]] void fail(const fmt::format_error& e, std::string_view what) {
  throw std::runtime_error("lmdb backend: cannot decode " +
                           std::string(what) + ": " + e.detail);
}

template <class T, class E>
T check(lmdb::result<T, E> r, std::string_view what = {}) {
  if (!r) {
    if constexpr (std::is_same_v<E, lmdb::error>)
      fail(r.error());
    else
      fail(r.error(), what);
  }
  return std::move(r).value();
}

inline void check(lmdb::result<void> r) {
  if (!r)
    fail(r.error());
}

/// Every pair of `db`, in key order.
template <class F>
void read_all(const lmdb::txn_base& txn, lmdb::dbi db, F&& f) {
  auto cursor = check(txn.open_cursor(db));
  for (auto pos = check(cursor.first()); pos; pos = check(cursor.next()))
    f(pos->key, pos->value);
}

bool has_wildcard(const std::vector<event_type>& types) {
  for (const auto& type : types)
    for (const auto& segment : type)
      if (segment == "*" || segment == "?")
        return true;
  return false;
}

/// The reference's page size: the asked one when below the configured
/// maximum. A negative ask counts as 0 (the memory backend's reading).
std::size_t page_size(const std::optional<int64_t>& asked, int64_t max) {
  int64_t n = asked && *asked < max ? *asked : max;
  return static_cast<std::size_t>(std::max<int64_t>(n, 0));
}

/// The reference's _Filter: skips up to and including `last_event_id`,
/// then keeps events within the bounds and types, at most `remaining`.
struct series_filter {
  const std::optional<subscription>& types;
  const query_timeseries_params& params;
  std::optional<event_id> last_event_id;
  std::size_t remaining;

  bool done() const {
    return remaining == 0;
  }

  /// False when `e` is left out.
  bool take(const event& e) {
    if (last_event_id) {
      if (e.id == *last_event_id)
        last_event_id.reset();
      return false;
    }
    const auto& p = params;
    if ((p.t_from && e.timestamp < *p.t_from) ||
        (p.t_to && *p.t_to < e.timestamp))
      return false;
    const auto& st = e.source_timestamp;
    if (p.source_t_from && (!st || *st < *p.source_t_from))
      return false;
    if (p.source_t_to && (!st || *p.source_t_to < *st))
      return false;
    if (types && !types->matches(e.type))
      return false;
    --remaining;
    return true;
  }
};

/// The partition's ordering timestamp of `e` (present for pending events).
const timestamp& key_time(const event& e, order_by by) {
  return by == order_by::timestamp ? e.timestamp : *e.source_timestamp;
}

}  // namespace

lmdb_backend::lmdb_backend(lmdb::environment env)
  : env_(std::make_shared<lmdb::environment>(std::move(env))) {
}

lmdb_backend::~lmdb_backend() = default;

std::unique_ptr<lmdb_backend> lmdb_backend::open(
  const lmdb_backend_options& options) {
  // Exclusive: one backend (one server) per file.
  lmdb::open_options open_options;
  open_options.exclusive = true;
  auto env = lmdb::environment::open(options.db_path, open_options);
  if (!env) {
    // Refusals of the file itself ("/x/event.db is damaged: ...") name it
    // first; LMDB's errors get the file in front.
    auto message = env.error().message();
    const auto name = options.db_path.string();
    if (message.compare(0, name.size(), name) != 0)
      message = "cannot open " + name + ": " + message;
    throw std::runtime_error("lmdb backend: " + message);
  }
  std::unique_ptr<lmdb_backend> backend(
    new lmdb_backend(std::move(env).value()));
  backend->load(options);
  return backend;
}

void lmdb_backend::load(const lmdb_backend_options& options) {
  max_results_ = options.timeseries_max_results;
  max_pending_events_ = options.max_pending_events;
  cleanup_batch_ = std::max<std::size_t>(options.cleanup_batch, 1);
  conditions_ = lmdb::conditions(options.conditions);
  for (auto type : fmt::all_db_types)
    dbs_.handles[static_cast<std::size_t>(type)] =
      check(env_->open_db(fmt::db_name(type), true));
  auto db = [&](db_type type) { return dbs_[type]; };

  auto txn = check(env_->begin_write());

  // Settings, as the reference's _ext_validate_settings.
  auto settings = db(db_type::system_settings);
  auto version_key = fmt::encode_settings_id(fmt::settings_id::version);
  if (auto stored = check(txn.get(settings, fmt::view(version_key)))) {
    auto version = check(fmt::decode_setting(*stored), "VERSION");
    if (version.value_or("") != fmt::format_version)
      throw std::runtime_error("database version '" + version.value_or("") +
                               "' is not 0.9");
  } else {
    check(txn.put(settings, fmt::view(version_key),
                  fmt::encode_setting(fmt::format_version)));
  }
  if (options.identifier) {
    auto key = fmt::encode_settings_id(fmt::settings_id::identifier);
    if (auto stored = check(txn.get(settings, fmt::view(key)))) {
      auto id = check(fmt::decode_setting(*stored), "IDENTIFIER");
      if (id != options.identifier)
        throw std::runtime_error("database identifier '" + id.value_or("") +
                                 "' differs from the configured '" +
                                 *options.identifier + "'");
    } else {
      check(txn.put(settings, fmt::view(key),
                    fmt::encode_setting(*options.identifier)));
    }
  }

  read_all(txn, db(db_type::system_last_event_id),
           [&](std::string_view k, std::string_view v) {
             auto server = check(fmt::decode_uint(k), "server id");
             last_ids_[static_cast<int64_t>(server)] =
               check(fmt::decode_event_id(v), "last event id");
           });
  read_all(txn, db(db_type::system_last_timestamp),
           [&](std::string_view k, std::string_view v) {
             auto server = check(fmt::decode_uint(k), "server id");
             last_timestamps_[static_cast<int64_t>(server)] =
               check(fmt::decode_timestamp(v), "last timestamp");
           });

  // Latest, as latestdb.ext_create: an event counts only when it meets the
  // conditions and its type still maps to the key it is stored under.
  latest_subscription_ = subscription(options.latest_subscriptions);
  uint64_t max_ref = 0;
  read_all(txn, db(db_type::latest_type),
           [&](std::string_view k, std::string_view v) {
             auto ref = check(fmt::decode_uint(k), "event type ref");
             type_refs_[check(fmt::decode_event_type(v), "event type")] = ref;
             max_ref = std::max(max_ref, ref);
           });
  next_type_ref_ = max_ref + 1;
  read_all(txn, dbs_[db_type::latest_data],
           [&](std::string_view k, std::string_view v) {
             auto ref = check(fmt::decode_uint(k), "event type ref");
             auto e = check(fmt::decode_event(v), "latest event");
             auto it = type_refs_.find(e.type);
             if (conditions_.matches(e) &&
                 latest_subscription_.matches(e.type) &&
                 it != type_refs_.end() && it->second == ref)
               latest_[e.type] = std::move(e);
           });

  // Partitions, as _ext_init_partitions: reuse the id of a stored partition
  // with the same description, number new ones after the largest.
  std::vector<std::pair<uint64_t, fmt::partition_description>> stored;
  uint64_t max_id = 0;
  read_all(txn, db(db_type::timeseries_partition),
           [&](std::string_view k, std::string_view v) {
             auto id = check(fmt::decode_uint(k), "partition id");
             stored.emplace_back(id, check(fmt::decode_partition(v),
                                           "partition description"));
             max_id = std::max(max_id, id);
           });
  for (const auto& conf : options.timeseries) {
    partition p;
    p.order_by = conf.order_by;
    p.subscription = subscription(conf.subscriptions);
    fmt::partition_description description{conf.order_by,
                                           p.subscription.query_types()};
    std::sort(description.subscriptions.begin(),
              description.subscriptions.end());
    auto found = std::find_if(stored.begin(), stored.end(), [&](auto& s) {
      return s.second == description;
    });
    if (found != stored.end()) {
      p.id = found->first;
    } else {
      p.id = ++max_id;
      stored.emplace_back(p.id, description);
      check(txn.put(db(db_type::timeseries_partition),
                    fmt::view(fmt::encode_uint(p.id)),
                    fmt::encode_partition(description)));
    }
    if (conf.limit)
      limited_.push_back({p.id, *conf.limit});
    partitions_.push_back(std::move(p));
  }
  check(txn.commit());
}

event_id lmdb_backend::last_event_id(int64_t server_id) {
  auto it = last_ids_.find(server_id);
  return it != last_ids_.end() ? it->second : event_id{server_id, 0, 0};
}

std::vector<fmt::event_ref> lmdb_backend::add_latest(const event& e) {
  if (!latest_subscription_.matches(e.type))
    return {};
  auto previous = latest_.find(e.type);
  // The reference keeps the stored event when it is greater (`>`), so a
  // tie replaces it.
  if (previous != latest_.end() && natural_before(e, previous->second) &&
      !natural_before(previous->second, e))
    return {};

  auto [type_ref, added] = type_refs_.try_emplace(e.type, next_type_ref_);
  if (added) {
    ++next_type_ref_;
    pending_.types[type_ref->second] = e.type;
  }
  fmt::event_ref ref = fmt::latest_event_ref{type_ref->second};
  pending_.latest[type_ref->second] = &e;
  if (previous != latest_.end()) {
    remove_ref(previous->second.id, ref);
    previous->second = e;
  } else {
    latest_.emplace(e.type, e);
  }
  return {ref};
}

void lmdb_backend::add_timeseries(const event& e,
                                  std::vector<fmt::event_ref>& refs) {
  for (const auto& p : partitions_) {
    if (!p.subscription.matches(e.type))
      continue;
    if (p.order_by == order_by::source_timestamp && !e.source_timestamp)
      continue;
    const auto& t = key_time(e, p.order_by);
    pending_.series[p.id].emplace_back(t, &e);
    refs.push_back(fmt::timeseries_event_ref{{p.id, t, e.id}});
  }
}

void lmdb_backend::remove_ref(const event_id& id, const fmt::event_ref& ref) {
  auto& changes = pending_.refs[id.server];
  if (auto* added = changes.find_added(id)) {
    auto& refs = added->refs;
    if (auto r = std::find(refs.begin(), refs.end(), ref); r != refs.end()) {
      refs.erase(r);
      return;
    }
  }
  auto& removed = changes.removed[id];
  if (std::find(removed.begin(), removed.end(), ref) == removed.end())
    removed.push_back(ref);
}

bool lmdb_backend::register_event(const event& e) {
  int64_t server = e.id.server;
  auto last_ts = last_timestamps_.find(server);
  if (!(last_event_id(server) < e.id) ||
      (last_ts != last_timestamps_.end() && e.timestamp < last_ts->second))
    return false;
  if (!conditions_.matches(e))
    return false;
  auto refs = add_latest(e);
  add_timeseries(e, refs);
  // As the reference: an event nothing subscribes to is accepted but not
  // stored, and does not advance the last id.
  if (refs.empty())
    return true;
  pending_.refs[server].added.push_back({&e, std::move(refs)});
  last_ids_[server] = pending_.last_ids[server] = e.id;
  last_timestamps_[server] = pending_.last_timestamps[server] = e.timestamp;
  return true;
}

event_batch lmdb_backend::register_events(event_batch events) {
  if (!events)
    return events;
  // Copies are made only when something is skipped, which is rare.
  std::vector<std::size_t> skipped;
  for (std::size_t i = 0; i < events->size(); ++i)
    if (!register_event((*events)[i]))
      skipped.push_back(i);
  if (!skipped.empty()) {
    // The pending entries point into `events`: keep it.
    pending_.held.push_back(events);
    std::vector<event> accepted;
    accepted.reserve(events->size() - skipped.size());
    auto next_skipped = skipped.begin();
    for (std::size_t i = 0; i < events->size(); ++i) {
      if (next_skipped != skipped.end() && *next_skipped == i)
        ++next_skipped;
      else
        accepted.push_back((*events)[i]);
    }
    events = std::make_shared<const std::vector<event>>(std::move(accepted));
  }
  pending_.event_count += events->size();
  pending_.batches.push_back(events);
  return events;
}

bool lmdb_backend::persists_on_register() const {
  return false;
}

std::shared_ptr<write_job> lmdb_backend::start_flush() {
  if (writing_)
    throw std::logic_error("lmdb backend: a flush is already running");
  if (pending_.empty())
    return nullptr;
  writing_ = std::make_shared<lmdb::flush_job>(env_, dbs_,
                                               std::exchange(pending_, {}));
  return writing_;
}

std::vector<event_batch> lmdb_backend::finish_flush() {
  if (!writing_)
    return {};
  auto batches = writing_->changes().batches;
  writing_.reset();
  return batches;
}

std::shared_ptr<write_job> lmdb_backend::start_cleanup(const timestamp& now) {
  if (limited_.empty())
    return nullptr;
  return std::make_shared<lmdb::cleanup_job>(env_, dbs_, limited_, now,
                                             cleanup_batch_);
}

void lmdb_backend::grow_map() {
  check(env_->set_map_size(env_->map_size() * 2));
}

bool lmdb_backend::backlog_full() const {
  return pending_.event_count >= max_pending_events_;
}

std::vector<const lmdb::pending_changes*> lmdb_backend::unwritten(
  const lmdb::read_txn& txn) const {
  std::vector<const lmdb::pending_changes*> result;
  if (writing_ && !writing_->visible_in(txn))
    result.push_back(&writing_->changes());
  result.push_back(&pending_);
  return result;
}

query_result lmdb_backend::query(const query_params& params) {
  return std::visit(
    [&](const auto& p) {
      using params_type = std::decay_t<decltype(p)>;
      if constexpr (std::is_same_v<params_type, query_latest_params>)
        return query_latest(p);
      else if constexpr (std::is_same_v<params_type, query_timeseries_params>)
        return query_timeseries(p);
      else
        return query_server(p);
    },
    params);
}

query_result lmdb_backend::query_latest(
  const query_latest_params& params) const {
  query_result result;
  const auto& types = params.event_types;
  if (!types || std::find(types->begin(), types->end(),
                          event_type{"*"}) != types->end()) {
    for (const auto& [type, e] : latest_)
      result.events.push_back(e);
  } else if (has_wildcard(*types)) {
    subscription sub(*types);
    for (const auto& [type, e] : latest_)
      if (sub.matches(type))
        result.events.push_back(e);
  } else {
    // Each stored type once, however often it is asked for.
    auto unique = *types;
    std::sort(unique.begin(), unique.end());
    unique.erase(std::unique(unique.begin(), unique.end()), unique.end());
    for (const auto& type : unique)
      if (auto it = latest_.find(type); it != latest_.end())
        result.events.push_back(it->second);
  }
  return result;
}

query_result lmdb_backend::query_timeseries(
  const query_timeseries_params& params) {
  std::optional<subscription> types;
  if (params.event_types)
    types.emplace(*params.event_types);
  auto max_results = page_size(params.max_results, max_results_);

  const partition* found = nullptr;
  for (const auto& p : partitions_) {
    if (p.order_by != params.order_by)
      continue;
    if (types && types->isdisjoint(p.subscription))
      continue;
    found = &p;
    break;
  }
  query_result result;
  if (!found)
    return result;

  series_filter filter{types, params, params.last_event_id, max_results + 1};
  bool by_ts = params.order_by == order_by::timestamp;
  auto from = by_ts ? params.t_from : params.source_t_from;
  auto to = by_ts ? params.t_to : params.source_t_to;
  auto& out = result.events;

  // One snapshot for the whole query; it decides which unwritten changes
  // to merge.
  auto txn = check(env_->begin_read());
  auto changes = unwritten(txn);

  // Unwritten events in registration order, as _query_partition_changes:
  // dropwhile past the far bound, takewhile within the near one.
  auto pending = [&](bool descending) {
    std::vector<const event*> seq;
    for (const auto* c : changes)
      if (auto it = c->series.find(found->id); it != c->series.end())
        for (const auto& [t, e] : it->second)
          seq.push_back(e);
    if (descending)
      std::reverse(seq.begin(), seq.end());
    bool dropping = true;
    for (const event* e : seq) {
      if (filter.done())
        return;
      const auto& t = key_time(*e, params.order_by);
      auto skip_bound = descending ? to : from;
      auto stop_bound = descending ? from : to;
      if (dropping && skip_bound &&
          (descending ? *skip_bound < t : t < *skip_bound))
        continue;
      dropping = false;
      if (stop_bound && (descending ? t < *stop_bound : *stop_bound < t))
        return;
      if (filter.take(*e))
        out.push_back(*e);
    }
  };

  // The TIMESERIES_DATA key of last_event_id in this partition, from REF.
  auto resume_key = [&]() -> std::optional<std::string> {
    if (!filter.last_event_id)
      return std::nullopt;
    auto refs = check(txn.get(dbs_[db_type::ref],
                              fmt::view(fmt::encode_event_id(
                                *filter.last_event_id))));
    if (!refs)
      return std::nullopt;
    for (const auto& ref : check(fmt::decode_event_refs(*refs), "event refs"))
      if (auto* t = std::get_if<fmt::timeseries_event_ref>(&ref);
          t && t->key.partition_id == found->id)
        return std::string(fmt::view(fmt::encode_timeseries_key(t->key)));
    return std::nullopt;
  };
  // True when last_event_id is among the unwritten events of the partition:
  // an ascending walk of the file would then skip everything it reads.
  auto resumes_in_unwritten = [&] {
    if (!filter.last_event_id)
      return false;
    for (const auto* c : changes)
      if (auto it = c->series.find(found->id); it != c->series.end())
        for (const auto& [t, e] : it->second)
          if (e->id == *filter.last_event_id)
            return true;
    return false;
  };

  auto stored = [&](bool descending) {
    auto from_key = fmt::encode_timeseries_key(
      {found->id, lower_key_bound(from.value_or(min_timestamp)),
       event_id{0, 0, 0}});
    auto to_key = fmt::timeseries_key_upper_bound(
      found->id, upper_key_bound(to.value_or(max_timestamp)));
    auto cursor = check(txn.open_cursor(dbs_[db_type::timeseries_data]));
    auto from_view = fmt::view(from_key);
    auto to_view = fmt::view(to_key);
    std::optional<lmdb::entry> pos;
    // Paging: start at last_event_id's own key rather than decode every
    // event before it. The filter sees the same events from there on.
    if (auto resume = resume_key()) {
      std::string_view key(*resume);
      if (key < from_view || to_view < key)
        return;  // the walk would never meet it: the filter takes nothing
      pos = check(cursor.find(key));
    }
    if (!pos && descending) {
      pos = check(cursor.seek(to_view));
      pos = pos ? check(cursor.prev()) : check(cursor.last());
    } else if (!pos) {
      pos = check(cursor.seek(from_view));
    }
    while (pos && !filter.done()) {
      if (descending ? pos->key < from_view : to_view < pos->key)
        break;
      auto e = check(fmt::decode_event(pos->value), "time-series event");
      // As _ext_query_partition_events: stored events failing the
      // conditions are left out before the filter counts them.
      if (conditions_.matches(e) && filter.take(e))
        out.push_back(std::move(e));
      pos = descending ? check(cursor.prev()) : check(cursor.next());
    }
  };

  if (params.order == order::descending) {
    pending(true);
    if (!filter.done())
      stored(true);
  } else {
    if (!resumes_in_unwritten())
      stored(false);
    if (!filter.done())
      pending(false);
  }
  result.more_follows = out.size() > max_results;
  if (result.more_follows)
    out.resize(max_results);
  return result;
}

query_result lmdb_backend::query_server(const query_server_params& params) {
  if (params.last_event_id && params.last_event_id->server != params.server_id)
    throw std::invalid_argument("invalid server id");
  auto max_results = page_size(params.max_results, max_results_);
  query_result result;
  auto& out = result.events;

  auto txn = check(env_->begin_read());
  {
    auto cursor = check(txn.open_cursor(dbs_[db_type::ref]));
    auto start = fmt::encode_event_id(
      params.last_event_id.value_or(event_id{params.server_id, 0, 0}));
    auto stop = fmt::encode_event_id({params.server_id + 1, 0, 0});
    auto pos = check(cursor.seek(fmt::view(start)));
    if (pos && pos->key == fmt::view(start))
      pos = check(cursor.next());
    while (pos && out.size() < max_results + 1 &&
           pos->key < fmt::view(stop)) {
      auto refs = check(fmt::decode_event_refs(pos->value), "event refs");
      if (!refs.empty()) {
        std::optional<std::string_view> value;
        if (auto* l = std::get_if<fmt::latest_event_ref>(&refs.front()))
          value = check(txn.get(dbs_[db_type::latest_data],
                                fmt::view(fmt::encode_uint(l->key))));
        else
          value = check(txn.get(
            dbs_[db_type::timeseries_data],
            fmt::view(fmt::encode_timeseries_key(
              std::get<fmt::timeseries_event_ref>(refs.front()).key))));
        if (value)
          out.push_back(check(fmt::decode_event(*value), "event"));
      }
      pos = check(cursor.next());
    }
  }

  if (!params.persisted && out.size() <= max_results) {
    auto last = out.empty() ? params.last_event_id
                            : std::optional<event_id>(out.back().id);
    for (const auto* c : unwritten(txn)) {
      auto it = c->refs.find(params.server_id);
      if (it == c->refs.end())
        continue;
      for (const auto& added : it->second.added) {
        if (out.size() >= max_results + 1)
          break;
        if ((last && added.e->id <= *last) || added.refs.empty())
          continue;
        out.push_back(*added.e);
      }
    }
  }
  result.more_follows = out.size() > max_results;
  if (result.more_follows)
    out.resize(max_results);
  return result;
}

}  // namespace hat::storage
