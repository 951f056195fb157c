#pragma once

/// The configuration file set-log-conf sends.

#include <string>

namespace hat::adminer_tool {

/// The configuration in `path` ("-": standard input) as the JSON text to
/// send: YAML when the name ends in .yaml or .yml (read as the server
/// reads its own configuration file), JSON otherwise (read as Python's
/// json.loads reads it); either written again as json.dumps writes it,
/// since the reference's client sends json.dumps of the configuration.
/// Throws usage_error naming the file and what is wrong with it.
std::string conf_file_json(const std::string& path);

}  // namespace hat::adminer_tool
