// output_files.cpp — see output_files.h.
#include "compiler/permission_doc/output_files.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace authz::permission_doc {

std::optional<std::string> write_files_atomically(const std::string& dir, const std::vector<OutputFile>& files) {
  namespace fs = std::filesystem;
  std::error_code error;
  fs::create_directories(dir, error);
  if (error || !fs::is_directory(dir, error)) return "cannot create directory `" + dir + "`";

  std::vector<std::string> temporaries;
  auto clean_up = [&]() {
    for (const std::string& temporary : temporaries) std::remove(temporary.c_str());
  };
  for (const OutputFile& file : files) {
    std::string final_path = (fs::path(dir) / file.name).string();
    std::string temporary = final_path + ".tmp." + std::to_string(::getpid());
    temporaries.push_back(temporary);
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out.write(file.bytes.data(), static_cast<std::streamsize>(file.bytes.size()));
    out.flush();
    if (!out) {
      clean_up();
      return "cannot write `" + final_path + "`";
    }
  }
  for (std::size_t i = 0; i < files.size(); ++i) {
    std::string final_path = (fs::path(dir) / files[i].name).string();
    if (std::rename(temporaries[i].c_str(), final_path.c_str()) != 0) {
      clean_up();
      return "cannot write `" + final_path + "`";
    }
  }
  return std::nullopt;
}

}  // namespace authz::permission_doc
