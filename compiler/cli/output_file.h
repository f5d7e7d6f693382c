// output_file.h — one output file a command writes where the command line
// says (a built table, a report, a JUnit file, an imported module), never
// half-written.
//
// Contract: write_file_atomically writes `bytes` to a temporary beside `path`
// (`PATH.tmp.PID`), then renames it over `path`. On failure it removes the
// temporary, leaves an existing `path` untouched, and returns the message
// "cannot write `PATH`" (the caller prints it as an error). Never throws.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace authz::cli {

std::optional<std::string> write_file_atomically(const std::string& path, std::string_view bytes);

}  // namespace authz::cli
