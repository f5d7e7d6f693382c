// table_writer.h — a Model as table-file bytes (`authzc build` writes them).
//
// Contract: serialize is deterministic: equal Models give identical bytes, so
// the body's SHA-256 identifies the policy (policy_hash). It does not validate:
// a Model that breaks model_validation.h serialises, and the reader refuses
// it. Role sets are padded to the canonical word count. Never throws except
// on memory exhaustion.
#pragma once

#include <optional>
#include <string>

#include "runtime/table_model.h"

namespace authz::runtime {

std::string serialize(const Model& model);
// Lowercase hex SHA-256 of the canonical body: what audit records carry;
// nullopt if SHA-256 failed (out of memory).
std::optional<std::string> policy_hash(const Model& model);

}  // namespace authz::runtime
