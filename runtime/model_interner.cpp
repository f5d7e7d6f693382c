// model_interner.cpp — see model_interner.h. An entry is found by a 64-bit
// hash of its fields, then compared field by field with the Model's entry,
// so a hash collision costs a comparison, never a wrong share.
#include "runtime/internal/model_interner.h"

#include <cstring>

#include "runtime/internal/string_map.h"

namespace authz::runtime {
namespace {

class Hasher {
 public:
  void add(std::uint64_t value) { hash_ = (hash_ ^ value) * internal::kFnvPrime + (hash_ >> 29); }
  void add(std::string_view text) {
    add(text.size());
    hash_ = internal::fnv1a(text, hash_);
  }
  std::uint64_t value() const { return hash_; }

 private:
  std::uint64_t hash_ = internal::kFnvOffset;
};

template <class Entry, class Add>
Index find_or_add(std::unordered_multimap<std::uint64_t, Index>& seen, std::uint64_t hash,
                  const std::vector<Entry>& entries, Entry entry, Add add) {
  auto [first, last] = seen.equal_range(hash);
  for (auto it = first; it != last; ++it) {
    if (entries[it->second] == entry) return it->second;
  }
  Index index = add(std::move(entry));
  seen.emplace(hash, index);
  return index;
}

}  // namespace

ConstantIndex ModelInterner::constant(Constant constant) {
  Hasher hash;
  hash.add(static_cast<std::uint64_t>(constant.kind));
  hash.add(constant.bool_value ? 1 : 0);
  hash.add(static_cast<std::uint64_t>(constant.int_value));
  std::uint64_t bits;
  std::memcpy(&bits, &constant.number_value, sizeof bits);
  hash.add(bits);
  hash.add(constant.string_value);
  for (ConstantIndex element : constant.elements) hash.add(element);
  return find_or_add(constants_, hash.value(), model_.constants, std::move(constant),
                     [&](Constant c) { return add_constant(model_, std::move(c)); });
}

NodeIndex ModelInterner::node(Node node) {
  Hasher hash;
  hash.add(static_cast<std::uint64_t>(node.op));
  hash.add(node.type);
  hash.add(node.constant);
  hash.add(node.field);
  hash.add(node.operands.size());
  for (NodeIndex operand : node.operands) hash.add(operand);
  hash.add(node.name);
  hash.add(node.source);
  return find_or_add(nodes_, hash.value(), model_.nodes, std::move(node),
                     [&](Node n) { return add_node(model_, std::move(n)); });
}

}  // namespace authz::runtime
