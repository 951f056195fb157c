// json_text_error on arbitrary bytes, cross-checked against Boost.JSON's
// parser where both must agree:
// - a text we accept, Boost parses too (allowing Boost's "exponent
//   overflow" for exponents far beyond a double's, which we accept when the
//   value is 0 or underflows to 0);
// - a text Boost parses within our depth bound, with every number finite
//   and clear of the double's limit (Boost's imprecise conversion turns
//   some finite values near it into infinity), we accept too.

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <boost/json.hpp>

#include "protocol/json_validation.hpp"

namespace {

/// Every number clear of the double's limit.
bool numbers_clear(const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::double_:
      return std::isfinite(v.get_double()) && std::fabs(v.get_double()) < 1e308;
    case boost::json::kind::array:
      for (const auto& item : v.get_array())
        if (!numbers_clear(item))
          return false;
      return true;
    case boost::json::kind::object:
      for (const auto& member : v.get_object())
        if (!numbers_clear(member.value()))
          return false;
      return true;
    default:
      return true;
  }
}

boost::json::value parse(std::string_view text, std::size_t max_depth,
                         boost::json::error_code& ec) {
  boost::json::parse_options options;
  options.max_depth = max_depth;
  return boost::json::parse(text, ec, {}, options);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text{reinterpret_cast<const char*>(data), size};
  auto error = hat::json_text_error(text);
  if (error && error->empty())
    std::abort();  // a refusal always has a reason

  boost::json::error_code ec;
  if (!error) {
    parse(text, hat::max_json_depth + 1, ec);
    if (ec && ec != boost::json::error::exponent_overflow)
      std::abort();
    return 0;
  }
  auto value = parse(text, hat::max_json_depth, ec);
  if (!ec && numbers_clear(value))
    std::abort();
  return 0;
}
