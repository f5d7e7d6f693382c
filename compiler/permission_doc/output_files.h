// output_files.h — write a set of output files so that nothing is ever
// half-written.
//
// Contract: write_files_atomically creates `dir` (and its parents) when
// missing, writes every file's bytes to a temporary name in `dir`, and only
// when all were written renames each into place. On failure it removes the
// temporaries, leaves existing files untouched, and returns a message
// ("cannot write `out/permissions.html`"). Never throws.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace authz::permission_doc {

struct OutputFile {
  std::string name;   // file name inside the directory
  std::string bytes;
};

std::optional<std::string> write_files_atomically(const std::string& dir, const std::vector<OutputFile>& files);

}  // namespace authz::permission_doc
