// trace_render.h — a Decision as text or JSON, for two audiences.
//
// Contract: Audience::Operator shows everything the trace holds, including
// the values on each side of a failed condition. Audience::EndUser shows rule
// ids, outcomes and the failed condition's text, but replaces every value
// read from (or computed from) entity data with `(hidden)` and leaves out
// entity ids that came from entity data, so a denial never tells a user
// another user's data. Values from the request itself (the user's own
// arguments and attributes) and from the policy are shown to both. Without a
// trace, both renderings give the summary only. Deterministic; never throws
// except on memory exhaustion.
#pragma once

#include <string>

#include "runtime/decision.h"

namespace authz::runtime {

enum class Audience { Operator, EndUser };

// DENY get_account  user=u-bob roles=[rep]  reason=not_permitted
//   no allow rule applies (default deny)
//   - rep_reads_own (sales.authz:24:1): condition false
//       args.account.owner == user.id  ->  "u-carol" == "u-bob"
std::string render_text(const Decision& decision, Audience audience);
std::string render_json(const Decision& decision, Audience audience);

}  // namespace authz::runtime
