// import_compare.cpp — compares the tool declarations of two `.authz` modules
// (an `authzc import-tools` output and a hand-written stdlib module) after
// both go through the real front end, and prints every difference: a tool in
// one only, a parameter in one only, optionality, action kind, parameter type,
// `sensitive`.
//
// Usage: authz_import_compare IMPORTED.authz HANDWRITTEN.authz STDLIB_DIR
// Output: one line per difference, sorted; the test compares it with an
// expected file, so a new difference (or a fixed one) fails until reviewed.
// Exit: 0 compared, 2 a module does not check or lower.
#include <cstdio>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "compiler/diagnostic_printer.h"
#include "compiler/driver.h"
#include "compiler/lower.h"
#include "runtime/table_model.h"

namespace rt = authz::runtime;

namespace {

struct ToolShape {
  std::string action;
  std::map<std::string, std::string> params;  // name -> type as the language writes it
};

bool load(const std::string& path, const std::string& stdlib, std::map<std::string, ToolShape>& tools) {
  authz::SourceManager sources;
  authz::LoadOptions options;
  options.stdlib_dirs.push_back(stdlib);
  authz::CheckOutcome outcome = authz::check_paths({path}, options, sources);
  if (!outcome.ok() || !outcome.policy) {
    std::cerr << path << " does not check:\n" << authz::render_text(sources, outcome.diagnostics);
    return false;
  }
  authz::LowerResult lowered = authz::lower(*outcome.policy, sources);
  if (!lowered.ok()) {
    std::cerr << path << " does not lower: " << lowered.internal_error << "\n";
    return false;
  }
  for (const rt::Target& target : lowered.model.targets) {
    if (target.kind != rt::TargetKind::Tool) continue;
    ToolShape& shape = tools[target.name];
    shape.action = rt::to_string(target.action);
    for (const rt::Parameter& param : target.params) {
      shape.params[param.name] = rt::type_name(lowered.model, param.type) + (param.sensitive ? " sensitive" : "");
    }
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: authz_import_compare IMPORTED.authz HANDWRITTEN.authz STDLIB_DIR\n";
    return 2;
  }
  std::map<std::string, ToolShape> imported, handwritten;
  if (!load(argv[1], argv[3], imported) || !load(argv[2], argv[3], handwritten)) return 2;
  std::set<std::string> lines;
  for (const auto& [name, shape] : handwritten) {
    auto found = imported.find(name);
    if (found == imported.end()) {
      lines.insert("tool `" + name + "`: only in the hand-written module");
      continue;
    }
    const ToolShape& other = found->second;
    if (other.action != shape.action) {
      lines.insert("tool `" + name + "`: action imported `" + other.action + "`, hand-written `" + shape.action + "`");
    }
    for (const auto& [param, type] : shape.params) {
      auto match = other.params.find(param);
      if (match == other.params.end()) {
        lines.insert("tool `" + name + "`: parameter `" + param + "` only in the hand-written module");
      } else if (match->second != type) {
        lines.insert("tool `" + name + "`: parameter `" + param + "` imported `" + match->second + "`, hand-written `" +
                     type + "`");
      }
    }
    for (const auto& [param, type] : other.params) {
      if (!shape.params.count(param)) lines.insert("tool `" + name + "`: parameter `" + param + "` only in the import");
    }
  }
  for (const auto& [name, shape] : imported) {
    if (!handwritten.count(name)) lines.insert("tool `" + name + "`: only in the import");
  }
  for (const std::string& line : lines) std::cout << line << "\n";
  return 0;
}
