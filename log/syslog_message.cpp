#include "log/syslog_message.hpp"

#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <ctime>

namespace hat::log {

namespace {

/// Facility USER (1) times 8 plus the severity hat-syslog gives a level.
int priority_of(int levelno) {
  int severity = 6;  // informational, also for NOTSET
  if (levelno >= 50)
    severity = 2;
  else if (levelno >= 40)
    severity = 3;
  else if (levelno >= 30)
    severity = 4;
  else if (levelno >= 20)
    severity = 6;
  else if (levelno >= 10)
    severity = 7;
  return 8 + severity;
}

/// datetime.fromtimestamp(created, utc).isoformat() + "Z": microseconds
/// rounded half to even from the float seconds, shown when not zero.
std::string utc_timestamp(std::chrono::system_clock::time_point created) {
  double ct = created_seconds(created);
  double whole = std::floor(ct);
  auto micros = static_cast<long>(std::nearbyint((ct - whole) * 1e6));
  auto seconds = static_cast<time_t>(whole);
  if (micros >= 1000000) {
    ++seconds;
    micros -= 1000000;
  }
  std::tm tm{};
  ::gmtime_r(&seconds, &tm);
  char text[64];
  auto n = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &tm);
  if (micros != 0)
    n += std::snprintf(text + n, sizeof text - n, ".%06ld", micros);
  return std::string(text, n) + "Z";
}

std::string escaped(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"' || c == ']')
      out += '\\';
    out += c;
  }
  return out;
}

/// The first 32 code points: Python's record.name[:32].
std::string_view msgid_of(std::string_view name) {
  size_t points = 0;
  for (size_t i = 0; i < name.size(); ++i)
    if ((static_cast<unsigned char>(name[i]) & 0xc0) != 0x80 && points++ == 32)
      return name.substr(0, i);
  return name;
}

std::string or_dash(std::string_view field) {
  return field.empty() ? "-" : std::string{field};
}

}  // namespace

syslog_origin this_process() {
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  return {host, program_invocation_name, static_cast<long>(::getpid())};
}

std::string syslog_message(const record& rec, const syslog_origin& origin) {
  std::string text = "<";
  text += std::to_string(priority_of(rec.levelno));
  text += ">1 ";
  text += utc_timestamp(rec.created);
  text += ' ' + or_dash(origin.hostname);
  text += ' ' + or_dash(origin.app_name);
  text += ' ';
  text += origin.pid ? std::to_string(origin.pid) : "-";
  text += ' ' + or_dash(msgid_of(rec.name));
  text += " [hat@1 name=\"" + escaped(rec.name) + "\" thread=\""
          + std::to_string(rec.thread) + "\" funcName=\""
          + escaped(rec.where.function) + "\" lineno=\""
          + std::to_string(rec.where.lineno) + "\"]";
  if (!rec.message.empty()) {
    text += " BOM";
    text += rec.message;
  }
  return text;
}

std::string octet_counted(std::string_view message) {
  return std::to_string(message.size()) + " " + std::string{message};
}

}  // namespace hat::log
