// model_interner.h — stores equal nodes and constants once while a Model is
// built.
//
// Contract: a ModelInterner appends to one Model through node() and
// constant(), which return the index of an equal entry added through the
// same interner, or append a new one (add_node / add_constant). Equal means
// operator== on the entries: every field, source text and type included, so a shared node reads
// exactly like the ones it replaces in traces and dumps. Sharing turns a
// policy's expressions into a DAG: 100k rules that all say
// `args.account.owner == user.id` need five nodes, not half a million, which
// is what keeps a large table small and quick to load. The validator bounds
// the written-out size of every expression (model_validation.h), so sharing
// never lets evaluation blow up. Entries appended to the Model without the
// interner are not seen by it.
#pragma once

#include <cstdint>
#include <unordered_map>

#include "runtime/table_model.h"

namespace authz::runtime {

class ModelInterner {
 public:
  explicit ModelInterner(Model& model) : model_(model) {}

  ConstantIndex constant(Constant constant);
  NodeIndex node(Node node);

 private:
  Model& model_;
  // Hash of the fields -> index in the Model; equal hashes are told apart by
  // comparing the entries themselves.
  std::unordered_multimap<std::uint64_t, ConstantIndex> constants_;
  std::unordered_multimap<std::uint64_t, NodeIndex> nodes_;
};

}  // namespace authz::runtime
