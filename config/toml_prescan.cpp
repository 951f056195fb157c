#include "config/toml_prescan.hpp"

#include <algorithm>
#include <string>

#include "config/server_config.hpp"

namespace hat::config {
namespace {

[[noreturn]] void refuse(std::string_view text, size_t at,
                         const std::string& problem) {
  auto before = text.substr(0, at);
  auto line = std::count(before.begin(), before.end(), '\n') + 1;
  auto line_start = before.rfind('\n');
  auto column = line_start == std::string_view::npos ? at + 1
                                                     : at - line_start;
  throw config_error("", "line " + std::to_string(line) + ", column " +
                           std::to_string(column) +
                           ": TOML syntax error: " + problem);
}

/// Moves `i` onto the last character of `end` (or onto the newline when
/// `one_line` and the line ends first, or past the text).
void skip_to(std::string_view text, size_t& i, std::string_view end,
             bool escapes, bool one_line) {
  for (; i < text.size(); ++i) {
    if (escapes && text[i] == '\\') {
      ++i;
      continue;
    }
    if (one_line && text[i] == '\n')
      return;
    if (text.substr(i, end.size()) == end) {
      i += end.size() - 1;
      return;
    }
  }
}

}  // namespace

void check_toml_before_parsing(std::string_view text, size_t max_parts) {
  size_t dots = 0;
  bool after_part = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    auto rest = text.substr(i);
    if (c == ' ' || c == '\t')
      continue;
    if (c == '.') {
      if (after_part && ++dots >= max_parts)
        refuse(text, i,
               "a dotted key or table header of more than " +
                 std::to_string(max_parts) + " parts");
      after_part = false;
      continue;
    }
    bool part = true;
    if (rest.starts_with("\"\"\"") || rest.starts_with("'''")) {
      i += 3;
      skip_to(text, i, rest.substr(0, 3), c == '"', false);
      part = false;
    } else if (c == '"' || c == '\'') {
      ++i;
      skip_to(text, i, rest.substr(0, 1), c == '"', true);
    } else if (c == '#') {
      skip_to(text, i, "\n", false, true);
      part = false;
    } else if (std::string_view{"=,[]{}\r\n"}.find(c) !=
               std::string_view::npos) {
      part = false;
    }
    if (!part)
      dots = 0;
    after_part = part;
  }
}

}  // namespace hat::config
