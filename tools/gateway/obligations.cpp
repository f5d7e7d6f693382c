// obligations.cpp — see obligations.h.
#include "tools/gateway/obligations.h"

namespace authz::gateway {

const runtime::AppliedObligation* first_unapplicable_obligation(const runtime::Decision& decision) {
  // Nothing is applicable yet: every obligation makes the call refused.
  return decision.obligations.empty() ? nullptr : &decision.obligations.front();
}

}  // namespace authz::gateway
