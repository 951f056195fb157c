#pragma once

/// The text hat-syslog's SyslogHandler sends for a record (RFC 5424 in
/// hat's flavour, operations.md §4.4):
///   <14>1 2026-12-01T05:30:02.391759Z host app 12217 hat.event.eventer.server
///   [hat@1 name="..." thread="..." funcName="..." lineno="..."] BOMtext
/// and its octet-counting frame on TCP.

#include <string>
#include <string_view>

#include "log/record.hpp"

namespace hat::log {

/// Who sends: the HOSTNAME, APP-NAME and PROCID fields.
struct syslog_origin {
  std::string hostname;
  /// sys.argv[0] as the program was started.
  std::string app_name;
  long pid = 0;
};

/// This process: gethostname(), argv[0], getpid().
syslog_origin this_process();

std::string syslog_message(const record& rec, const syslog_origin& origin);

/// RFC 6587 octet counting: "<byte length> <message>".
std::string octet_counted(std::string_view message);

}  // namespace hat::log
