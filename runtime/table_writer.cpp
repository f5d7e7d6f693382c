// table_writer.cpp — encodes a Model as the version-1 table body.
//
// Body layout (little-endian; `str` = u32 index into the string table; a
// `list<X>` = u32 count then the items; `words` = role_words(role count) u64s):
//   string table      u32 count, then per string: u32 length, bytes
//   policy name       str
//   types             list<u8 kind, u8 optional, u32 element, u32 schema>
//   principal         schema = str name, list<str name, u32 type>
//   entities, records list<schema>
//   roles             list<str name, words includes>
//   constants         list<u8 kind, payload>; payload by kind: Bool u8,
//                     Int/Timestamp/Duration/Role i64, Number f64 bits,
//                     String str, List list<u32>
//   nodes             list<u8 op, u32 type, list<u32> operands, u32 constant,
//                     u32 field, str name, str source>
//   obligations       list<str name, list<str name, u32 type>>
//   targets           list<u8 kind, str name, u8 action,
//                     list<str name, u32 type, u8 sensitive>, str uri,
//                     list<u32> rules, list<u32> grants>
//   rules             list<str id, u8 effect, str doc, location, subjects,
//                     window, u32 when, u32 unless,
//                     list<u32 obligation, list<u32> arguments>>
//   grants            list<str id, str user, str reason, str doc, location, window>
// location = str file, u32 line, u32 column; subjects = u8 anyone, words roles,
// list<str> users; window = u8 has_from [i64 from], u8 has_until [i64 until].
// Strings enter the table in first-use order, so the body is canonical.
#include "runtime/internal/table_writer.h"

#include <cstring>
#include <new>
#include <span>
#include <string_view>
#include <unordered_map>

#include "runtime/internal/table_format.h"
#include "runtime/internal/sha256.h"

namespace authz::runtime {
namespace {

class BodyEncoder {
 public:
  explicit BodyEncoder(std::size_t role_count) : role_words_(role_words(role_count)) {}

  void u8(std::uint8_t value) { structure_.push_back(static_cast<char>(value)); }
  void u32(std::uint32_t value) { append_le(structure_, value, 4); }
  void i64(std::int64_t value) { append_le(structure_, static_cast<std::uint64_t>(value), 8); }
  void f64(double value) {
    std::uint64_t bits;
    std::memcpy(&bits, &value, sizeof bits);
    append_le(structure_, bits, 8);
  }
  void flag(bool value) { u8(value ? 1 : 0); }
  void count(std::size_t n) { u32(static_cast<std::uint32_t>(n)); }
  void str(const std::string& text) {
    auto [it, inserted] = string_ids_.try_emplace(text, static_cast<std::uint32_t>(strings_.size()));
    if (inserted) strings_.push_back(&it->first);
    u32(it->second);
  }
  void indices(std::span<const Index> list) {
    count(list.size());
    for (Index index : list) u32(index);
  }
  void role_set(const RoleSet& set) {
    for (std::size_t w = 0; w < role_words_; ++w) {
      std::uint64_t word = w < set.words.size() ? set.words[w] : 0;
      append_le(structure_, word, 8);
    }
  }
  void window(const Window& window) {
    flag(window.from_ms.has_value());
    if (window.from_ms) i64(*window.from_ms);
    flag(window.until_ms.has_value());
    if (window.until_ms) i64(*window.until_ms);
  }
  void location(const SourceLocation& location) {
    str(location.file);
    u32(location.line);
    u32(location.column);
  }
  void schema(const Schema& schema) {
    str(schema.name);
    count(schema.attributes.size());
    for (const Attribute& attribute : schema.attributes) {
      str(attribute.name);
      u32(attribute.type);
    }
  }

  std::string finish() const {
    std::string body;
    append_le(body, strings_.size(), 4);
    for (const std::string* text : strings_) {
      append_le(body, text->size(), 4);
      body += *text;
    }
    body += structure_;
    return body;
  }

 private:
  static void append_le(std::string& out, std::uint64_t value, int bytes) {
    for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
  }

  std::size_t role_words_;
  std::string structure_;
  std::unordered_map<std::string, std::uint32_t> string_ids_;
  std::vector<const std::string*> strings_;  // keys of string_ids_, in first-use order
};

std::string encode_body(const Model& model) {
  BodyEncoder out(model.roles.size());
  out.str(model.policy_name);

  out.count(model.types.size());
  for (const TypeDescriptor& type : model.types) {
    out.u8(static_cast<std::uint8_t>(type.kind));
    out.flag(type.optional);
    out.u32(type.element);
    out.u32(type.schema);
  }
  out.schema(model.principal);
  out.count(model.entities.size());
  for (const Schema& schema : model.entities) out.schema(schema);
  out.count(model.records.size());
  for (const Schema& schema : model.records) out.schema(schema);

  out.count(model.roles.size());
  for (const Role& role : model.roles) {
    out.str(role.name);
    out.role_set(role.includes);
  }

  out.count(model.constants.size());
  for (const Constant& constant : model.constants) {
    out.u8(static_cast<std::uint8_t>(constant.kind));
    switch (constant.kind) {
      case ConstantKind::Bool: out.flag(constant.bool_value); break;
      case ConstantKind::Number: out.f64(constant.number_value); break;
      case ConstantKind::String: out.str(constant.string_value); break;
      case ConstantKind::List: out.indices(constant.elements); break;
      default: out.i64(constant.int_value); break;
    }
  }

  out.count(model.nodes.size());
  for (const Node& node : model.nodes) {
    out.u8(static_cast<std::uint8_t>(node.op));
    out.u32(node.type);
    out.indices(node.operands);
    out.u32(node.constant);
    out.u32(node.field);
    out.str(node.name);
    out.str(node.source);
  }

  out.count(model.obligations.size());
  for (const ObligationDecl& obligation : model.obligations) {
    out.str(obligation.name);
    out.count(obligation.params.size());
    for (const Attribute& param : obligation.params) {
      out.str(param.name);
      out.u32(param.type);
    }
  }

  out.count(model.targets.size());
  for (const Target& target : model.targets) {
    out.u8(static_cast<std::uint8_t>(target.kind));
    out.str(target.name);
    out.u8(static_cast<std::uint8_t>(target.action));
    out.count(target.params.size());
    for (const Parameter& param : target.params) {
      out.str(param.name);
      out.u32(param.type);
      out.flag(param.sensitive);
    }
    out.str(target.uri);
    out.indices(target.rules);
    out.indices(target.grants);
  }

  out.count(model.rules.size());
  for (const Rule& rule : model.rules) {
    out.str(rule.id);
    out.u8(static_cast<std::uint8_t>(rule.effect));
    out.str(rule.doc);
    out.location(rule.location);
    out.flag(rule.subjects.anyone);
    out.role_set(rule.subjects.roles);
    out.count(rule.subjects.users.size());
    for (const std::string& user : rule.subjects.users) out.str(user);
    out.window(rule.window);
    out.u32(rule.when);
    out.u32(rule.unless);
    out.count(rule.obligations.size());
    for (const ObligationUse& use : rule.obligations) {
      out.u32(use.obligation);
      out.indices(use.arguments);
    }
  }

  out.count(model.grants.size());
  for (const Grant& grant : model.grants) {
    out.str(grant.id);
    out.str(grant.user);
    out.str(grant.reason);
    out.str(grant.doc);
    out.location(grant.location);
    out.window(grant.window);
  }
  return out.finish();
}

}  // namespace

std::string serialize(const Model& model) {
  std::string body = encode_body(model);
  auto digest = sha256(body);
  if (!digest) throw std::bad_alloc();  // libcrypto fails only when memory runs out
  std::string file;
  file.reserve(internal::kTableHeaderSize + body.size());
  file += internal::kTableMagic;
  auto put = [&](std::uint64_t value, int bytes) {
    for (int i = 0; i < bytes; ++i) file.push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
  };
  put(internal::kTableFormatVersion, 4);
  put(internal::kTableHeaderSize, 4);
  put(body.size(), 8);
  file.append(reinterpret_cast<const char*>(digest->data()), digest->size());
  file += body;
  return file;
}

std::optional<std::string> policy_hash(const Model& model) {
  auto digest = sha256(encode_body(model));
  if (!digest) return std::nullopt;
  return to_hex(*digest);
}

}  // namespace authz::runtime
