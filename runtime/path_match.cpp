// path_match.cpp — see path_match.h. Each path is normalised into a stack of
// segment views (no copies of the text), then compared segment by segment.
#include "runtime/internal/path_match.h"

#include "runtime/internal/small_vector.h"

namespace authz::runtime {
namespace {

using Segments = SmallVector<std::string_view, 64>;

PathProblem normalise(std::string_view path, Segments& segments) {
  if (path.empty() || path.front() != '/') return PathProblem::Relative;
  if (path.find('\0') != std::string_view::npos) return PathProblem::ContainsNul;
  std::size_t pos = 0;
  while (pos < path.size()) {
    std::size_t end = path.find('/', pos);
    if (end == std::string_view::npos) end = path.size();
    std::string_view segment = path.substr(pos, end - pos);
    pos = end + 1;
    if (segment.empty() || segment == ".") continue;
    if (segment == "..") {
      if (segments.empty()) return PathProblem::EscapesRoot;
      segments.pop_back();
      continue;
    }
    segments.push_back(segment);
  }
  return PathProblem::None;
}

}  // namespace

PathContainment path_under(std::string_view path, std::string_view base) {
  PathContainment result;
  Segments path_segments;
  Segments base_segments;
  if (PathProblem problem = normalise(path, path_segments); problem != PathProblem::None) {
    result.problem = problem;
    return result;
  }
  if (PathProblem problem = normalise(base, base_segments); problem != PathProblem::None) {
    result.problem = problem;
    result.problem_in_base = true;
    return result;
  }
  if (base_segments.size() > path_segments.size()) return result;
  for (std::size_t i = 0; i < base_segments.size(); ++i) {
    if (base_segments[i] != path_segments[i]) return result;
  }
  result.under = true;
  return result;
}

const char* describe(PathProblem problem) {
  switch (problem) {
    case PathProblem::None: return "is a valid path";
    case PathProblem::Relative: return "is not an absolute path";
    case PathProblem::ContainsNul: return "contains a NUL byte";
    case PathProblem::EscapesRoot: return "climbs above `/` with `..`";
  }
  return "is not a valid path";
}

}  // namespace authz::runtime
