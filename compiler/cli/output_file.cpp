// output_file.cpp — see output_file.h.
#include "compiler/cli/output_file.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>

namespace authz::cli {

std::optional<std::string> write_file_atomically(const std::string& path, std::string_view bytes) {
  std::string temporary = path + ".tmp." + std::to_string(::getpid());
  bool written = false;
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.flush();
    written = static_cast<bool>(out);
  }
  if (!written || std::rename(temporary.c_str(), path.c_str()) != 0) {
    std::remove(temporary.c_str());
    return "cannot write `" + path + "`";
  }
  return std::nullopt;
}

}  // namespace authz::cli
