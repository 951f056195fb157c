#pragma once

/// The configuration file's `log` checked against hat-json's logging
/// schema (hat-json://logging.yaml), as the reference checks the file
/// before dictConfig sees it (log_config.hpp does what dictConfig does).

#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace hat::config {

/// The first error as "<where>.<path>: <what>", or nothing. Only the file
/// is checked so: the adminer's set is not (levels, for one, are strings
/// in the file and may be numbers in a set).
std::optional<std::string> check_logging_schema(const boost::json::value& log,
                                                std::string_view where);

}  // namespace hat::config
