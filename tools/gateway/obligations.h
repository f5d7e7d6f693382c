// obligations.h — which obligations the gateway can apply itself.
//
// Contract: an allow may come with obligations (std.obligations); whoever
// enforces the decision must apply every one or refuse the call. The
// gateway sees only JSON-RPC messages, not the server's data model, so it
// cannot reliably apply the result-shaping obligations (aggregate_only,
// max_results, redact_fields, rows_owned_by_caller, rows_in_caller_set): a
// tool result is free-form content, and the same rows also appear in its
// text. It applies none of them and refuses such calls, naming the
// obligation; the server should embed the runtime and apply them itself.
// `require_confirmation` is likewise refused (see docs/gateway.md).
#pragma once

#include "runtime/decision.h"

namespace authz::gateway {

// The first obligation of `decision` the gateway cannot apply, or nullptr
// when it can apply all of them (in particular when there are none).
const runtime::AppliedObligation* first_unapplicable_obligation(const runtime::Decision& decision);

}  // namespace authz::gateway
