// suppressions.h — in-source lint suppressions with a mandatory reason.
//
// Syntax (a plain `//` comment, so the grammar is unchanged):
//   // lint: allow W0108 because "read_multiple_files cannot be confined to a directory"
//   // lint: allow W0104, W0111 because "..."
// The comment sits in the run of comment lines (plain or `///`) directly
// above a declaration; only whitespace and comments may separate them. It
// silences findings with those codes whose location lies inside that
// declaration. A suppression without a non-empty `because "..."` reason, with
// an unknown or unsuppressible code, or with anything else after `lint:`, is
// W0112 and silences nothing; one that silences nothing (a code with no
// finding there, or no declaration after it) is W0113. W0112 and W0113
// themselves cannot be suppressed.
#pragma once

#include <vector>

#include "compiler/diagnostics.h"
#include "compiler/loader.h"
#include "compiler/source.h"

namespace authz::lint {

// Removes suppressed findings from `diagnostics` and appends W0112/W0113.
void apply_suppressions(const Program& program, const SourceManager& sources, std::vector<Diagnostic>& diagnostics);

}  // namespace authz::lint
