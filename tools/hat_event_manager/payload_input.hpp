#pragma once

/// Register's payload, read as the reference's manager reads it: JSON,
/// YAML or TOML become a JSON payload whose text is what Python's json.dumps
/// writes for the value (what the reference sends, and so what other
/// clients get back), binary is the bytes as they are, none is no payload.

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>

#include "protocol/event.hpp"
#include "protocol/python_json.hpp"
#include "tools/hat_event_manager/arguments.hpp"

namespace hat::manager_tool {

/// The payload cannot be read: what() names the input and says why, e.g.
/// "standard input: Expecting value: line 1 column 1 (char 0)" (exit 1,
/// as the reference's traceback is).
class payload_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// JSON text as json.loads reads it, written again as json.dumps writes it;
/// json's own words where it is refused.
std::variant<std::string, python_json::syntax_error>
json_payload_text(std::string_view text);

/// The whole of `path` ("-": standard input), as bytes. Throws
/// payload_error ("events.json: No such file or directory").
std::string read_input(const std::string& path);

/// How error messages name `path`.
std::string input_name(const std::string& path);

/// Reads standard input or the file when the source says so (before
/// connecting, as the reference does). Throws payload_error.
std::optional<event_payload> read_payload(const payload_source& source);

}  // namespace hat::manager_tool
