#include "storage/lmdb/convert/legacy_event.hpp"

#include <span>
#include <utility>

#include "protocol/sbs_reader.hpp"

namespace hat::storage::lmdb::convert {

namespace {

/// The schemas' one difference.
enum class id_layout { server_instance, server_session_instance };

hat::timestamp get_timestamp(sbs::reader& r) {
  hat::timestamp t;
  t.s = r.get_integer();
  t.us = r.get_integer();
  return t;
}

legacy_payload get_payload(sbs::reader& r) {
  switch (r.get_choice(3)) {
  case 0:
    return legacy_binary{std::string(r.get_bytes())};
  case 1:
    return legacy_json{std::string(r.get_string())};
  default: {
    legacy_sbs sbs;
    if (r.get_optional_flag())
      sbs.module = std::string(r.get_string());
    sbs.type = r.get_string();
    sbs.data = r.get_bytes();
    return sbs;
  }
  }
}

format::format_result<legacy_event> decode_event(std::string_view data,
                                                 id_layout layout) {
  sbs::reader r(std::span<const char>(data.data(), data.size()));
  legacy_event e;
  e.id.server = r.get_integer();
  if (layout == id_layout::server_session_instance)
    e.id.session = r.get_integer();
  e.id.instance = r.get_integer();
  auto segments = r.get_count();
  for (size_t i = 0; i < segments && r.ok(); ++i)
    e.type.emplace_back(r.get_string());
  e.timestamp = get_timestamp(r);
  if (r.get_optional_flag())
    e.source_timestamp = get_timestamp(r);
  if (r.get_optional_flag())
    e.payload = get_payload(r);
  // After a failure the reader returns neutral values: one check suffices.
  if (!r.ok())
    return format::format_error{format::format_errc::bad_event,
                        "event: " + r.error()->to_string()};
  return e;
}

}  // namespace

format::format_result<legacy_event> decode_v06_event(
  std::string_view data) {
  return decode_event(data, id_layout::server_instance);
}

format::format_result<legacy_event> decode_v07_event(
  std::string_view data) {
  return decode_event(data, id_layout::server_session_instance);
}

}  // namespace hat::storage::lmdb::convert
