// diagnostic_printer.h — the one place diagnostics become text or JSON.
//
// Contract: text form is
//   error[E0201]: unknown tool `get_acount`
//     --> examples/sales/sales.authz:24:26
//      |
//   24 | allow rep_reads: rep may get_acount
//      |                          ^^^^^^^^^^
//      = note: ...
//      = help: did you mean `get_account`?
// followed by a summary line ("error: 2 errors, 1 warning" / nothing when
// clean). JSON form is one object {"diagnostics":[...], "errors":N,
// "warnings":M} with line/column resolved, stable key order.
#pragma once

#include <string>
#include <vector>

#include "compiler/diagnostics.h"
#include "compiler/source.h"

namespace authz {

std::string render_text(const SourceManager& sources, const std::vector<Diagnostic>& diagnostics,
                        bool color = false);
std::string render_json(const SourceManager& sources, const std::vector<Diagnostic>& diagnostics);

}  // namespace authz
