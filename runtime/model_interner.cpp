// model_interner.cpp — see model_interner.h. Keys are the entry's fields
// written out with fixed-width numbers and length-prefixed strings, so two
// keys are equal exactly when the entries are.
#include "runtime/model_interner.h"

#include <cstring>

namespace authz::runtime {
namespace {

void put(std::string& key, std::uint64_t value) {
  char bytes[sizeof value];
  std::memcpy(bytes, &value, sizeof value);
  key.append(bytes, sizeof bytes);
}

void put(std::string& key, std::string_view text) {
  put(key, text.size());
  key.append(text);
}

template <class Entry, class Add>
Index find_or_add(std::unordered_map<std::string, Index>& seen, const std::string& key, Entry entry, Add add) {
  auto found = seen.find(key);
  if (found != seen.end()) return found->second;
  Index index = add(std::move(entry));
  seen.emplace(key, index);
  return index;
}

}  // namespace

ConstantIndex ModelInterner::constant(Constant constant) {
  key_.clear();
  put(key_, static_cast<std::uint64_t>(constant.kind));
  put(key_, constant.bool_value ? 1 : 0);
  put(key_, static_cast<std::uint64_t>(constant.int_value));
  std::uint64_t bits;
  std::memcpy(&bits, &constant.number_value, sizeof bits);
  put(key_, bits);  // by bits: 0.0 and -0.0 stay apart
  put(key_, constant.string_value);
  put(key_, constant.elements.size());
  for (ConstantIndex element : constant.elements) put(key_, element);
  return find_or_add(constants_, key_, std::move(constant),
                     [&](Constant c) { return add_constant(model_, std::move(c)); });
}

NodeIndex ModelInterner::node(Node node) {
  key_.clear();
  put(key_, static_cast<std::uint64_t>(node.op));
  put(key_, node.type);
  put(key_, node.constant);
  put(key_, node.field);
  put(key_, node.operands.size());
  for (NodeIndex operand : node.operands) put(key_, operand);
  put(key_, node.name);
  put(key_, node.source);
  return find_or_add(nodes_, key_, std::move(node), [&](Node n) { return add_node(model_, std::move(n)); });
}

}  // namespace authz::runtime
