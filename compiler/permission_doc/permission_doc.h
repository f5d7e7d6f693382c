// permission_doc.h — the documented permission model of a policy, for people:
// `authzc doc` writes both renderings.
//
// Contract: both functions are pure and deterministic (a function of the
// Model and the hash: no clock, no paths but the Model's own source
// locations), so the output can be a golden file and diffs of it are
// meaningful. They show the access matrix (access_matrix.h), roles with
// inheritance, targets, every rule (id, doc comment, source location,
// subjects, targets, conditions, window, obligations), grants (user, expiry,
// reason) and obligations. All policy text is untrusted:
//   - render_html returns one self-contained HTML5 page (inline CSS; no
//     scripts, no external assets, no URLs) with every piece of policy text
//     HTML-escaped;
//   - render_markdown escapes `&`, `<`, `>`, `[`, `]` in prose and puts code in
//     code spans long enough for any backticks inside, with `|` escaped in
//     tables, so policy text can neither inject HTML nor links nor break a table.
#pragma once

#include <string>
#include <string_view>

#include "runtime/table_model.h"

namespace authz::permission_doc {

std::string render_markdown(const runtime::Model& model, std::string_view policy_hash);
std::string render_html(const runtime::Model& model, std::string_view policy_hash);

}  // namespace authz::permission_doc
