// path_match.h — `p under base`: lexical path containment.
//
// Contract: both paths are normalised first: `//` collapses, `.` segments go,
// `..` removes the previous segment, a trailing `/` is ignored. Then `path` is
// under `base` when base's segments are a prefix of path's segments, compared
// whole and byte for byte (so /data/public2 is not under /data/public, and a
// path is under itself). A path is *invalid* — matches nothing, the caller
// treats it as an evaluation error — when it is empty or relative (does not
// start with `/`), contains a NUL byte, or has a `..` that climbs above the
// root. Nothing else is special: percent-encoded dots (`%2e%2e`), backslashes
// and `~` are ordinary segment characters, and symbolic links are not
// resolved (this is lexical). No allocation for paths of up to 64 segments.
#pragma once

#include <string_view>

namespace authz::runtime {

enum class PathProblem { None, Relative, ContainsNul, EscapesRoot };

struct PathContainment {
  bool under = false;
  PathProblem problem = PathProblem::None;  // in `path` or `base`; `under` is false then
  bool problem_in_base = false;
};

PathContainment path_under(std::string_view path, std::string_view base);
const char* describe(PathProblem problem);  // "is not an absolute path", ...

}  // namespace authz::runtime
