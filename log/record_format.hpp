#pragma once

/// Python's logging.Formatter with the '%' style: a format such as
/// "[%(asctime)s %(levelname)s %(name)s] %(message)s" applied to a record,
/// with Python's conversions (%s, %r, %d, %i, %f, %e, %g, %x, %o with
/// flags, width and precision) and its asctime: local time as
/// "YYYY-MM-DD HH:MM:SS,mmm", or strftime(datefmt) when a datefmt is given.

#include <optional>
#include <string>
#include <vector>

#include "log/record.hpp"

namespace hat::log {

class record_format {
public:
  /// No format: "%(message)s", as Python's.
  explicit record_format(std::string format = "%(message)s",
                         std::optional<std::string> datefmt = std::nullopt);

  std::string format(const record& rec) const;

  /// The `%(field)` names the format uses that no record of ours has
  /// (Python would fail on each record; we write them as empty text).
  std::vector<std::string> unknown_fields() const;

private:
  std::string format_;
  std::optional<std::string> datefmt_;
};

/// Python's repr of a float ("391.0", "1e+16").
std::string python_float_repr(double value);

}  // namespace hat::log
