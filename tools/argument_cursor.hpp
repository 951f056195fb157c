#pragma once

// The argument walk the command-line tools share; each tool keeps its own
// options and its own usage error (`Error`, built from a message).

#include <charconv>
#include <cstddef>
#include <system_error>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hat::tools {

/// Whether `option` (e.g. "--help") is among the options, i.e. before any
/// "--": asked for whatever else the arguments say.
inline bool asks_for(const std::vector<std::string_view>& args,
                     std::string_view option) {
  for (auto arg : args) {
    if (arg == "--")
      return false;
    if (arg == option)
      return true;
  }
  return false;
}

/// `text` read whole as a number of type T (from_chars: no sign for
/// unsigned, no spaces, no trailing text), or nothing.
template <class T>
std::optional<T> whole_number(std::string_view text) {
  T value{};
  auto [end, error] =
    std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size())
    return std::nullopt;
  return value;
}

/// "--port: expected a port number, got 'x'" as an `Error`.
template <class Error>
[[noreturn]] void bad_value(std::string_view option, std::string_view text,
                            std::string_view expected) {
  throw Error(std::string{option} + ": expected " + std::string{expected}
              + ", got '" + std::string{text} + "'");
}

/// Walks the arguments; "--option=value" is split into the option and an
/// inline value, and "--" makes everything after it positional.
template <class Error>
class argument_cursor {
public:
  explicit argument_cursor(const std::vector<std::string_view>& args) : args_(args) {
  }

  /// Steps over the first "--", which is no argument of its own.
  bool done() {
    if (!options_ended_ && pos_ < args_.size() && args_[pos_] == "--") {
      options_ended_ = true;
      ++pos_;
    }
    return pos_ >= args_.size();
  }

  /// The next argument; call done() first.
  std::string_view next() {
    inline_value_.reset();
    auto arg = args_[pos_++];
    if (options_ended_ || !arg.starts_with("--"))
      return arg;
    if (auto eq = arg.find('='); eq != std::string_view::npos) {
      inline_value_ = arg.substr(eq + 1);
      return arg.substr(0, eq);
    }
    return arg;
  }

  /// Whether `arg`, just returned by next(), is an option.
  bool is_option(std::string_view arg) const {
    return !options_ended_ && arg.size() > 1 && arg.front() == '-';
  }

  std::string_view value(std::string_view option) {
    if (inline_value_)
      return *std::exchange(inline_value_, std::nullopt);
    if (pos_ >= args_.size())
      throw Error(std::string{option} + " needs a value");
    return args_[pos_++];
  }

  /// The values of an option that takes several (argparse's nargs): the
  /// inline one, or the arguments that follow while `belongs` says so.
  template <class Belongs>
  std::vector<std::string_view> values(Belongs&& belongs) {
    if (inline_value_)
      return {*std::exchange(inline_value_, std::nullopt)};
    std::vector<std::string_view> taken;
    while (pos_ < args_.size() && !options_ended_ && belongs(args_[pos_]))
      taken.push_back(args_[pos_++]);
    return taken;
  }

  void flag(std::string_view option) const {
    if (inline_value_)
      throw Error(std::string{option} + " takes no value");
  }

private:
  const std::vector<std::string_view>& args_;
  size_t pos_ = 0;
  bool options_ended_ = false;
  std::optional<std::string_view> inline_value_;
};

}  // namespace hat::tools
