#include "actors/notify_fanout.hpp"

#include <algorithm>
#include <cstring>

#include "log/logger.hpp"
#include "protocol/eventer_codec.hpp"
#include "protocol/sbs_writer.hpp"

namespace hat {

namespace {

std::vector<uint32_t> select(const notify_filter& filter,
                             const std::vector<event>& events) {
  std::vector<uint32_t> selected;
  for (uint32_t i = 0; i < events.size(); ++i) {
    auto& e = events[i];
    if (filter.server_id && e.id.server != *filter.server_id)
      continue;
    if (filter.types.matches(e.type))
      selected.push_back(i);
  }
  return selected;
}

void remove_connection(fanout_pointer self, int64_t conn_id) {
  auto& st = self->state;
  auto it = st.connections.find(conn_id);
  if (it == st.connections.end())
    return;
  auto group = st.groups.find(it->second.group_key);
  if (group != st.groups.end()) {
    auto& members = group->second.members;
    members.erase(std::remove(members.begin(), members.end(), conn_id),
                  members.end());
    if (members.empty())
      st.groups.erase(group);
  }
  st.by_broker.erase(it->second.broker.address());
  st.connections.erase(it);
}

void deliver(fanout_pointer self, const storage::event_batch& batch,
             bool persisted) {
  if (!batch || batch->empty())
    return;
  auto& st = self->state;
  batch_encoder encoder{*batch};
  for (auto& [key, group] : st.groups) {
    if (group.filter.persisted != persisted)
      continue;
    auto selected = select(group.filter, *batch);
    if (selected.empty())
      continue;
    auto payload = encoder.payload(selected);
    for (auto conn_id : group.members)
      caf::anon_send(st.connections[conn_id].broker, atom::notify::value,
                 payload);
  }
}

}  // namespace

std::string filter_key(const notify_filter& filter) {
  auto types = filter.types.query_types();
  std::sort(types.begin(), types.end());
  std::string key = filter.persisted ? "P" : "R";
  key += filter.server_id ? std::to_string(*filter.server_id) : "*";
  for (auto& type : types) {
    key += '\n';
    for (auto& segment : type) {
      // Length-prefixed so no segment text can fake a separator.
      key += std::to_string(segment.size());
      key += ':';
      key += segment;
    }
  }
  return key;
}

batch_encoder::batch_encoder(const std::vector<event>& events)
  : events_(events) {
}

void batch_encoder::encode_events() {
  offsets_.reserve(events_.size() + 1);
  for (auto& e : events_) {
    offsets_.push_back(encoded_.size());
    eventer::append_encoded(encoded_, e);
  }
  offsets_.push_back(encoded_.size());
}

shared_bytes batch_encoder::payload(const std::vector<uint32_t>& selected) {
  if (auto it = payloads_.find(selected); it != payloads_.end())
    return it->second;
  if (offsets_.empty())
    encode_events();
  auto bytes = std::make_shared<std::vector<char>>();
  sbs::append_encoded(*bytes, selected.size(), [](auto& sink, size_t n) {
    sbs::put_count(sink, n);
  });
  bool all = selected.size() == events_.size();
  if (all) {
    // The common case: everything, one copy of the whole encoding.
    bytes->insert(bytes->end(), encoded_.begin(), encoded_.end());
  } else {
    for (auto i : selected)
      bytes->insert(bytes->end(), encoded_.begin() + offsets_[i],
                    encoded_.begin() + offsets_[i + 1]);
  }
  shared_bytes shared = std::move(bytes);
  payloads_.emplace(selected, shared);
  return shared;
}

notify_fanout_actor::behavior_type notify_fanout(fanout_pointer self,
                                                 status initial) {
  self->state.status = initial;
  self->set_down_handler([self](caf::down_msg& msg) {
    auto& st = self->state;
    auto it = st.by_broker.find(msg.source);
    if (it != st.by_broker.end())
      remove_connection(self, it->second);
  });
  return {
    // -- notify_fanout_actor --
    [self](atom::notify, const storage::event_batch& batch, bool persisted) {
      deliver(self, batch, persisted);
    },
    [self](atom::join, caf::actor& broker, int64_t conn_id,
           std::string& client_name, notify_filter& filter) {
      auto& st = self->state;
      remove_connection(self, conn_id);
      auto key = filter_key(filter);
      auto& group = st.groups[key];
      if (group.members.empty())
        group.filter = std::move(filter);
      group.members.push_back(conn_id);
      self->monitor(broker);
      st.by_broker[broker.address()] = conn_id;
      st.connections[conn_id] = {std::move(broker), std::move(client_name),
                                 std::move(key)};
      return caf::make_result(st.status, st.engine);
    },
    [self](atom::leave, int64_t conn_id) { remove_connection(self, conn_id); },
    // Batches are sent on as they come: everything before is out.
    [](atom::notified) { return atom::ok::value; },
    [self](atom::get, atom::status) {
      return caf::make_result(self->state.status, self->state.engine);
    },
    [self](atom::status, status new_status, engine_actor& engine) {
      auto& st = self->state;
      st.status = new_status;
      st.engine = std::move(engine);
      for (auto& [conn_id, entry] : st.connections)
        caf::anon_send(entry.broker, atom::status::value, st.status,
                       st.engine);
    },
    [self](atom::get, atom::clients) {
      client_names names;
      for (auto& [conn_id, entry] : self->state.connections)
        names.emplace_back(conn_id, entry.client_name);
      std::sort(names.begin(), names.end());
      return names;
    },
  };
}

}  // namespace hat
