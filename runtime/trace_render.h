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
#include <string_view>

#include "runtime/decision.h"

namespace authz::runtime {

enum class Audience { Operator, EndUser };

// DENY get_account  user=u-bob roles=[rep]  reason=not_permitted
//   no allow rule applies (default deny)
//   - rep_reads_own (sales.authz:24:1): condition false
//       args.account.owner == user.id  ->  "u-carol" == "u-bob"
std::string render_text(const Decision& decision, Audience audience);
std::string render_json(const Decision& decision, Audience audience);

// One line saying why a call was refused, safe for the person who made it (no
// values from entity data), the text after "access denied by policy: " in the
// gateway's refusals and the Node middleware's: `what` is "tool", "resource"
// or "prompt", `target` the name or URI, `user` the principal's id.
//   no rule allows user `u-bob` to use tool `delete_records`
//   tool `delete_records` is forbidden by `delete_admin_only`
//   access to tool `update_account` has expired or is not yet in force (`inc_4521`)
//   the policy does not declare tool `nope`
// Otherwise the decision's message (or "tool `x` is refused").
std::string render_denial_summary(const Decision& decision, std::string_view what, std::string_view target,
                                  std::string_view user);

}  // namespace authz::runtime
