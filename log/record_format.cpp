#include "log/record_format.hpp"

#include <pthread.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <variant>

#include "protocol/python_json.hpp"

namespace hat::log {

namespace {

using clock = std::chrono::system_clock;

/// logging._startTime: relativeCreated counts from here.
const clock::time_point process_start = clock::now();

/// A record's field as Python holds it: text, an int or a float.
using field_value = std::variant<std::string, long long, double>;

double seconds_of(clock::time_point t) {
  return created_seconds(t);
}

std::string basename_of(std::string_view path) {
  auto slash = path.rfind('/');
  return std::string{slash == std::string_view::npos ? path
                                                     : path.substr(slash + 1)};
}

std::string module_of(std::string_view path) {
  auto name = basename_of(path);
  auto dot = name.rfind('.');
  return dot == std::string::npos ? name : name.substr(0, dot);
}

std::string thread_name() {
  // Python names its first thread MainThread; ours have no names.
  if (::gettid() == ::getpid())
    return "MainThread";
  std::string name = "Thread-";
  name += std::to_string(::gettid());
  return name;
}

std::string strftime_of(const std::tm& tm, const std::string& pattern) {
  if (pattern.empty())
    return {};
  std::string out(pattern.size() * 4 + 64, '\0');
  for (;;) {
    auto n = std::strftime(out.data(), out.size(), pattern.c_str(), &tm);
    if (n > 0 || out.size() > 65536) {
      out.resize(n);
      return out;
    }
    out.resize(out.size() * 2);
  }
}

std::string asctime_of(const record& rec,
                       const std::optional<std::string>& datefmt) {
  auto created = clock::to_time_t(
    std::chrono::time_point_cast<std::chrono::seconds>(rec.created));
  auto since = rec.created.time_since_epoch();
  if (since.count() < 0
      && since % std::chrono::seconds{1} != clock::duration::zero())
    --created;  // the whole second the record falls in
  std::tm tm{};
  ::localtime_r(&created, &tm);
  if (datefmt && !datefmt->empty())
    return strftime_of(tm, *datefmt);
  auto text = strftime_of(tm, "%Y-%m-%d %H:%M:%S");
  double ct = seconds_of(rec.created);
  auto msecs = static_cast<int>((ct - std::trunc(ct)) * 1000);
  char millis[8];
  std::snprintf(millis, sizeof millis, ",%03d", msecs);
  return text + millis;
}

std::optional<field_value> field_of(std::string_view key, const record& rec,
                                    const std::optional<std::string>& datefmt) {
  double ct = seconds_of(rec.created);
  if (key == "name")
    return std::string{rec.name};
  if (key == "message")
    return rec.message;
  if (key == "levelname")
    return level_name(rec.levelno);
  if (key == "levelno")
    return static_cast<long long>(rec.levelno);
  if (key == "asctime")
    return asctime_of(rec, datefmt);
  if (key == "created")
    return ct;
  if (key == "msecs")
    return std::trunc((ct - std::trunc(ct)) * 1000) + 0.0;
  if (key == "relativeCreated")
    return (ct - seconds_of(process_start)) * 1000;
  if (key == "pathname")
    return std::string{rec.where.pathname};
  if (key == "filename")
    return basename_of(rec.where.pathname);
  if (key == "module")
    return module_of(rec.where.pathname);
  if (key == "funcName")
    return std::string{rec.where.function};
  if (key == "lineno")
    return static_cast<long long>(rec.where.lineno);
  if (key == "process")
    return static_cast<long long>(::getpid());
  if (key == "processName")
    return std::string{"MainProcess"};
  if (key == "thread")
    return static_cast<long long>(rec.thread);
  if (key == "threadName")
    return thread_name();
  return std::nullopt;
}

/// Python's repr of a str: quoted, backslashes and the quote escaped.
std::string python_str_repr(const std::string& text) {
  char quote = (text.find('\'') != std::string::npos
                && text.find('"') == std::string::npos)
                 ? '"'
                 : '\'';
  std::string out(1, quote);
  for (char c : text) {
    if (c == '\\' || c == quote)
      out += '\\';
    if (c == '\n')
      out += "\\n";
    else if (c == '\t')
      out += "\\t";
    else if (c == '\r')
      out += "\\r";
    else
      out += c;
  }
  return out + quote;
}

std::string str_of(const field_value& value, bool repr) {
  if (auto* text = std::get_if<std::string>(&value))
    return repr ? python_str_repr(*text) : *text;
  if (auto* number = std::get_if<long long>(&value))
    return std::to_string(*number);
  return python_float_repr(std::get<double>(value));
}

size_t code_points(std::string_view text) {
  size_t n = 0;
  for (unsigned char c : text)
    n += (c & 0xc0) != 0x80;
  return n;
}

/// The first `count` code points of `text`.
std::string_view prefix_points(std::string_view text, size_t count) {
  size_t i = 0;
  for (; i < text.size(); ++i)
    if ((static_cast<unsigned char>(text[i]) & 0xc0) != 0x80 && count-- == 0)
      break;
  return text.substr(0, i);
}

struct conversion_spec {
  std::string flags;
  int width = -1;
  int precision = -1;
  char type = 's';
};

std::string convert(const field_value& value, const conversion_spec& spec) {
  bool numeric = std::strchr("diouxXeEfFgG", spec.type) != nullptr;
  if (!numeric || spec.type == '\0') {
    std::string text = str_of(value, spec.type == 'r' || spec.type == 'a');
    if (spec.precision >= 0)
      text = std::string{prefix_points(text, spec.precision)};
    auto length = code_points(text);
    if (spec.width > 0 && length < static_cast<size_t>(spec.width)) {
      std::string pad(spec.width - length, ' ');
      bool left = spec.flags.find('-') != std::string::npos;
      text = left ? text + pad : pad + text;
    }
    return text;
  }
  // Numbers go through C's printf, whose conversions Python's mirror.
  std::string c_format = "%" + spec.flags;
  if (spec.width >= 0)
    c_format += std::to_string(spec.width);
  if (spec.precision >= 0) {
    c_format += '.';
    c_format += std::to_string(spec.precision);
  }
  bool integral = std::strchr("diouxX", spec.type) != nullptr;
  char buffer[512];
  if (auto* text = std::get_if<std::string>(&value))
    return *text;  // Python raises a TypeError; the text is more useful
  if (integral) {
    long long number = std::holds_alternative<double>(value)
                         ? static_cast<long long>(std::get<double>(value))
                         : std::get<long long>(value);
    c_format += "ll";
    c_format += spec.type == 'i' || spec.type == 'u' ? 'd' : spec.type;
    std::snprintf(buffer, sizeof buffer, c_format.c_str(), number);
  } else {
    double number = std::holds_alternative<double>(value)
                      ? std::get<double>(value)
                      : static_cast<double>(std::get<long long>(value));
    c_format += spec.type;
    std::snprintf(buffer, sizeof buffer, c_format.c_str(), number);
  }
  return buffer;
}

constexpr int max_width = 10000;

/// Walks `format`, calling `on_text(text)` for literal text and
/// `on_field(key, spec)` for each `%(key)spec`.
template <class OnText, class OnField>
void walk(const std::string& format, OnText&& on_text, OnField&& on_field) {
  size_t i = 0;
  while (i < format.size()) {
    auto percent = format.find('%', i);
    if (percent == std::string::npos || percent + 1 >= format.size()) {
      on_text(std::string_view{format}.substr(i));
      return;
    }
    on_text(std::string_view{format}.substr(i, percent - i));
    i = percent + 1;
    if (format[i] == '%') {
      on_text("%");
      ++i;
      continue;
    }
    auto close = format[i] == '(' ? format.find(')', i) : std::string::npos;
    if (close == std::string::npos) {
      on_text("%");  // not a field: kept as written
      continue;
    }
    std::string key = format.substr(i + 1, close - i - 1);
    i = close + 1;
    conversion_spec spec;
    while (i < format.size() && std::strchr("-+ #0", format[i]))
      spec.flags += format[i++];
    // Widths and precisions are capped: a configuration set over the
    // adminer must not make every record take a gigabyte.
    auto number = [&] {
      int n = 0;
      while (i < format.size() && format[i] >= '0' && format[i] <= '9')
        n = std::min(max_width, n * 10 + (format[i++] - '0'));
      return n;
    };
    if (i < format.size() && format[i] >= '0' && format[i] <= '9')
      spec.width = number();
    if (i < format.size() && format[i] == '.') {
      ++i;
      spec.precision = number();
    }
    while (i < format.size() && std::strchr("hlL", format[i]))
      ++i;  // length modifiers: Python accepts and ignores them
    if (i < format.size())
      spec.type = format[i++];
    on_field(key, spec);
  }
}

}  // namespace

record_format::record_format(std::string format,
                             std::optional<std::string> datefmt)
  : format_(std::move(format)), datefmt_(std::move(datefmt)) {
}

std::string record_format::format(const record& rec) const {
  std::string out;
  walk(
    format_, [&](std::string_view text) { out += text; },
    [&](const std::string& key, const conversion_spec& spec) {
      if (auto value = field_of(key, rec, datefmt_))
        out += convert(*value, spec);
    });
  return out;
}

std::vector<std::string> record_format::unknown_fields() const {
  std::vector<std::string> unknown;
  record probe;
  walk(
    format_, [](std::string_view) {},
    [&](const std::string& key, const conversion_spec&) {
      if (!field_of(key, probe, datefmt_))
        unknown.push_back(key);
    });
  return unknown;
}

std::string python_float_repr(double value) {
  if (std::isnan(value))
    return "nan";
  if (std::isinf(value))
    return value < 0 ? "-inf" : "inf";
  std::string out;
  python_json::append_float(out, value);
  return out;
}

double created_seconds(std::chrono::system_clock::time_point created) {
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
              created.time_since_epoch())
              .count();
  return static_cast<double>(ns) / 1e9;
}

std::string level_name(int levelno) {
  switch (levelno) {
    case 50:
      return "CRITICAL";
    case 40:
      return "ERROR";
    case 30:
      return "WARNING";
    case 20:
      return "INFO";
    case 10:
      return "DEBUG";
    case 0:
      return "NOTSET";
  }
  std::string name = "Level ";
  name += std::to_string(levelno);
  return name;
}

}  // namespace hat::log
