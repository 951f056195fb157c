#pragma once

/// The Python logger names our lines are logged under. Call sites name a
/// short component ("eventer"); a configuration names loggers as the
/// reference's modules are named ("hat.event.eventer.server"), and keeps
/// working when it tunes those.

#include <span>
#include <string_view>

namespace hat::log {

/// The reference's logger name for `component`; a component we do not
/// know is its own name.
std::string_view python_logger_name(std::string_view component);

/// Every logger name we log under: the loggers that exist when a
/// configuration is applied (disable_existing_loggers acts on them).
std::span<const std::string_view> known_logger_names();

}  // namespace hat::log
