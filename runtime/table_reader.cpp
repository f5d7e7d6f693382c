// table_reader.cpp — decodes the body layout documented in table_writer.cpp.
// Decoding stops at the first problem; the Decoder remembers it and every
// later read returns zeros, so the decode functions stay straight-line and
// check `failed()` only where a bad value would drive a loop or allocation.
#include "runtime/internal/table_reader.h"

#include <bit>
#include <cstring>
#include <system_error>
#include <thread>
#include <type_traits>
#include <vector>

#include <fmt/format.h>

#include "runtime/internal/table_format.h"
#include "runtime/internal/model_validation.h"
#include "runtime/internal/sha256.h"
#include "runtime/table_signature.h"

namespace authz::runtime {
namespace {

// Bodies at least this large get their SHA-256 on a second thread.
constexpr std::size_t kParallelChecksumBytes = 1u << 20;

std::uint64_t read_le(const char* data, int bytes) {
  std::uint64_t value = 0;
  for (int i = 0; i < bytes; ++i) value |= std::uint64_t{static_cast<unsigned char>(data[i])} << (8 * i);
  return value;
}

class Decoder {
 public:
  explicit Decoder(std::string_view body) : body_(body) {}

  bool failed() const { return failed_; }
  const std::string& error() const { return error_; }
  bool at_end() const { return pos_ == body_.size(); }

  // Failures are out of line (and cold), so the reads below stay small
  // enough to be inlined into decode_body.
  [[gnu::cold, gnu::noinline]] void fail(std::string what) {
    if (!failed_) error_ = fmt::format("{} at byte {}", what, pos_);
    failed_ = true;
  }
  [[gnu::cold, gnu::noinline]] void fail_past_end(const char* what) {
    if (!failed_) fail(fmt::format("{} runs past the end of the body", what));
  }

  // After a failure pos_ stays put and every read returns 0, so one bounds
  // check covers both cases.
  template <int Bytes>
  std::uint64_t fixed(const char* what) {
    if (body_.size() - pos_ < static_cast<std::size_t>(Bytes) || failed_) [[unlikely]] {
      fail_past_end(what);
      return 0;
    }
    std::uint64_t value;
    if constexpr (std::endian::native == std::endian::little) {
      typename std::conditional_t<Bytes == 1, std::uint8_t,
                                  std::conditional_t<Bytes == 4, std::uint32_t, std::uint64_t>> raw;
      static_assert(sizeof raw == Bytes);
      std::memcpy(&raw, body_.data() + pos_, Bytes);
      value = raw;
    } else {
      value = read_le(body_.data() + pos_, Bytes);
    }
    pos_ += Bytes;
    return value;
  }
  std::uint8_t u8(const char* what) { return static_cast<std::uint8_t>(fixed<1>(what)); }
  std::uint32_t u32(const char* what) { return static_cast<std::uint32_t>(fixed<4>(what)); }
  std::int64_t i64(const char* what) { return static_cast<std::int64_t>(fixed<8>(what)); }
  double f64(const char* what) {
    std::uint64_t bits = fixed<8>(what);
    double value;
    std::memcpy(&value, &bits, sizeof value);
    return value;
  }
  bool flag(const char* what) {
    std::uint8_t value = u8(what);
    if (value > 1) [[unlikely]] fail(fmt::format("{} is {}, not 0 or 1", what, value));
    return value == 1;
  }
  // A count of items each at least `min_item_bytes` long: refused when the
  // rest of the body could not hold that many, before anything is reserved.
  std::uint32_t count(const char* what, std::size_t min_item_bytes) {
    std::uint32_t n = u32(what);
    if (!failed() && static_cast<std::uint64_t>(n) * min_item_bytes > body_.size() - pos_) [[unlikely]] {
      fail(fmt::format("{} {} cannot fit in the {} bytes left", what, n, body_.size() - pos_));
      return 0;
    }
    return failed() ? 0 : n;
  }
  std::string_view raw(std::size_t size, const char* what) {
    if (failed()) return {};
    if (body_.size() - pos_ < size) [[unlikely]] {
      fail_past_end(what);
      return {};
    }
    std::string_view out = body_.substr(pos_, size);
    pos_ += size;
    return out;
  }

  void read_strings() {
    std::uint32_t n = count("string count", 4);
    strings_.reserve(n);
    for (std::uint32_t i = 0; i < n && !failed(); ++i) {
      std::uint32_t length = u32("string length");
      strings_.push_back(raw(length, "string"));
    }
  }
  std::string str(const char* what) {
    std::uint32_t index = u32(what);
    if (failed()) return {};
    if (index >= strings_.size()) [[unlikely]] {
      fail(fmt::format("{} refers to string {}, but the table has {}", what, index, strings_.size()));
      return {};
    }
    return std::string(strings_[index]);
  }
  // A counted list of indices, into a std::vector or a SmallVector.
  template <class List>
  void indices(List& out, const char* what) {
    std::uint32_t n = count(what, 4);
    out.reserve(n);
    for (std::uint32_t i = 0; i < n && !failed(); ++i) out.push_back(u32(what));
  }

 private:
  std::string_view body_;
  std::size_t pos_ = 0;
  std::string error_;
  bool failed_ = false;
  std::vector<std::string_view> strings_;
};

Schema read_schema(Decoder& in) {
  Schema schema;
  schema.name = in.str("schema name");
  std::uint32_t n = in.count("attribute count", 8);
  for (std::uint32_t i = 0; i < n && !in.failed(); ++i) {
    Attribute attribute;
    attribute.name = in.str("attribute name");
    attribute.type = in.u32("attribute type");
    schema.attributes.push_back(std::move(attribute));
  }
  return schema;
}

RoleSet read_role_set(Decoder& in, std::size_t words) {
  RoleSet set;
  set.words.reserve(words);
  for (std::size_t w = 0; w < words && !in.failed(); ++w) {
    set.words.push_back(in.fixed<8>("role set"));
  }
  return set;
}

Window read_window(Decoder& in) {
  Window window;
  if (in.flag("window from flag")) window.from_ms = in.i64("window from");
  if (in.flag("window until flag")) window.until_ms = in.i64("window until");
  return window;
}

SourceLocation read_location(Decoder& in) {
  SourceLocation location;
  location.file = in.str("source file");
  location.line = in.u32("source line");
  location.column = in.u32("source column");
  return location;
}

// The body's sections, in their order in the table (table_format.h); each
// stops at the decoder's first failure.
void read_types(Decoder& in, Model& model) {
  std::uint32_t n = in.count("type count", 10);
  model.types.reserve(n);
  for (std::uint32_t i = 0; i < n && !in.failed(); ++i) {
    TypeDescriptor type;
    type.kind = static_cast<TypeKind>(in.u8("type kind"));
    type.optional = in.flag("type optional flag");
    type.element = in.u32("element type");
    type.schema = in.u32("type schema");
    model.types.push_back(type);
  }
}

// The principal, entity and record schemas.
void read_schemas(Decoder& in, Model& model) {
  model.principal = read_schema(in);
  std::uint32_t n = in.count("entity count", 8);
  model.entities.reserve(n);
  for (std::uint32_t i = 0; i < n && !in.failed(); ++i) model.entities.push_back(read_schema(in));
  n = in.count("record count", 8);
  model.records.reserve(n);
  for (std::uint32_t i = 0; i < n && !in.failed(); ++i) model.records.push_back(read_schema(in));
}

// Roles, each with the set of the roles it includes; returns the size of a
// role set in 64-bit words (the rules' role sets have it too).
std::size_t read_roles(Decoder& in, Model& model) {
  std::uint32_t n = in.count("role count", 4);
  model.roles.reserve(n);
  const std::size_t words = role_words(n);
  for (std::uint32_t i = 0; i < n && !in.failed(); ++i) {
    Role& role = model.roles.emplace_back();  // filled in place: no move per entry
    role.name = in.str("role name");
    role.includes = read_role_set(in, words);
  }
  return words;
}

void read_constants(Decoder& in, Model& model) {
  std::uint32_t n = in.count("constant count", 2);
  model.constants.reserve(n);
  for (std::uint32_t i = 0; i < n && !in.failed(); ++i) {
    Constant& constant = model.constants.emplace_back();
    std::uint8_t kind = in.u8("constant kind");
    constant.kind = static_cast<ConstantKind>(kind);
    switch (constant.kind) {
      case ConstantKind::Bool: constant.bool_value = in.flag("bool constant"); break;
      case ConstantKind::Number: constant.number_value = in.f64("number constant"); break;
      case ConstantKind::String: constant.string_value = in.str("string constant"); break;
      case ConstantKind::List: in.indices(constant.elements, "list constant"); break;
      case ConstantKind::Int: case ConstantKind::Timestamp: case ConstantKind::Duration: case ConstantKind::Role:
        constant.int_value = in.i64("constant");
        break;
      default: in.fail(fmt::format("unknown constant kind {}", kind)); break;
    }
  }
}

void read_nodes(Decoder& in, Model& model) {
  std::uint32_t n = in.count("node count", 25);
  model.nodes.reserve(n);
  for (std::uint32_t i = 0; i < n && !in.failed(); ++i) {
    Node& node = model.nodes.emplace_back();
    node.op = static_cast<Opcode>(in.u8("opcode"));
    node.type = in.u32("node type");
    in.indices(node.operands, "operand count");
    node.constant = in.u32("node constant");
    node.field = in.u32("node field");
    node.name = in.str("node name");
    node.source = in.str("node source");
  }
}

void read_obligations(Decoder& in, Model& model) {
  std::uint32_t n = in.count("obligation count", 8);
  model.obligations.reserve(n);
  for (std::uint32_t i = 0; i < n && !in.failed(); ++i) {
    ObligationDecl obligation;
    obligation.name = in.str("obligation name");
    std::uint32_t params = in.count("obligation parameter count", 8);
    for (std::uint32_t k = 0; k < params && !in.failed(); ++k) {
      Attribute param;
      param.name = in.str("obligation parameter name");
      param.type = in.u32("obligation parameter type");
      obligation.params.push_back(std::move(param));
    }
    model.obligations.push_back(std::move(obligation));
  }
}

void read_targets(Decoder& in, Model& model) {
  std::uint32_t n = in.count("target count", 22);
  model.targets.reserve(n);
  for (std::uint32_t i = 0; i < n && !in.failed(); ++i) {
    Target& target = model.targets.emplace_back();
    target.kind = static_cast<TargetKind>(in.u8("target kind"));
    target.name = in.str("target name");
    target.action = static_cast<Action>(in.u8("target action"));
    std::uint32_t params = in.count("parameter count", 9);
    for (std::uint32_t k = 0; k < params && !in.failed(); ++k) {
      Parameter param;
      param.name = in.str("parameter name");
      param.type = in.u32("parameter type");
      param.sensitive = in.flag("sensitive flag");
      target.params.push_back(std::move(param));
    }
    target.uri = in.str("resource URI");
    in.indices(target.rules, "target rule count");
    in.indices(target.grants, "target grant count");
  }
}

// Rules; their role sets have `words` 64-bit words, like the roles'.
void read_rules(Decoder& in, Model& model, std::size_t words) {
  std::uint32_t n = in.count("rule count", 36);
  model.rules.reserve(n);
  for (std::uint32_t i = 0; i < n && !in.failed(); ++i) {
    Rule& rule = model.rules.emplace_back();
    rule.id = in.str("rule id");
    rule.effect = static_cast<Effect>(in.u8("rule effect"));
    rule.doc = in.str("rule doc");
    rule.location = read_location(in);
    rule.subjects.anyone = in.flag("anyone flag");
    rule.subjects.roles = read_role_set(in, words);
    std::uint32_t users = in.count("subject user count", 4);
    for (std::uint32_t k = 0; k < users && !in.failed(); ++k) rule.subjects.users.push_back(in.str("subject user"));
    rule.window = read_window(in);
    rule.when = in.u32("when node");
    rule.unless = in.u32("unless node");
    std::uint32_t uses = in.count("obligation use count", 8);
    for (std::uint32_t k = 0; k < uses && !in.failed(); ++k) {
      ObligationUse use;
      use.obligation = in.u32("obligation index");
      in.indices(use.arguments, "obligation argument count");
      rule.obligations.push_back(std::move(use));
    }
  }
}

void read_grants(Decoder& in, Model& model) {
  std::uint32_t n = in.count("grant count", 30);
  model.grants.reserve(n);
  for (std::uint32_t i = 0; i < n && !in.failed(); ++i) {
    Grant& grant = model.grants.emplace_back();
    grant.id = in.str("grant id");
    grant.user = in.str("grant user");
    grant.reason = in.str("grant reason");
    grant.doc = in.str("grant doc");
    grant.location = read_location(in);
    grant.window = read_window(in);
  }
}

void decode_body(Decoder& in, Model& model) {
  in.read_strings();
  model.policy_name = in.str("policy name");
  read_types(in, model);
  read_schemas(in, model);
  const std::size_t words = read_roles(in, model);
  read_constants(in, model);
  read_nodes(in, model);
  read_obligations(in, model);
  read_targets(in, model);
  read_rules(in, model, words);
  read_grants(in, model);
  if (!in.failed() && !in.at_end()) in.fail("unexpected bytes after the last grant");
}

}  // namespace

Result<LoadedTable> read_table(std::string_view bytes) {
  using namespace internal;
  std::size_t magic_bytes = bytes.size() < kTableMagic.size() ? bytes.size() : kTableMagic.size();
  if (bytes.substr(0, magic_bytes) != kTableMagic.substr(0, magic_bytes)) {
    return Result<LoadedTable>::failure("not an authz decision table (wrong magic)");
  }
  if (bytes.size() < kTableHeaderSize) {
    return Result<LoadedTable>::failure(
        fmt::format("truncated table: the header needs {} bytes, the file has {}", kTableHeaderSize, bytes.size()));
  }
  auto version = static_cast<std::uint32_t>(read_le(bytes.data() + kVersionOffset, 4));
  if (version != kTableFormatVersion && version != kSignedTableFormatVersion) {
    return Result<LoadedTable>::failure(fmt::format(
        "unsupported table format version {} (this runtime reads versions {} and {}); rebuild the table with a "
        "matching authzc",
        version, kTableFormatVersion, kSignedTableFormatVersion));
  }
  // A signed table ends in its signature block; its structure is checked
  // here, the signature itself by TrustedKeys (table_signature.h).
  std::string signer;
  if (version == kSignedTableFormatVersion) {
    if (bytes.size() < kTableHeaderSize + kSignatureBlockSize) {
      return Result<LoadedTable>::failure(fmt::format(
          "truncated table: a signed table needs at least {} bytes, the file has {}",
          kTableHeaderSize + kSignatureBlockSize, bytes.size()));
    }
    std::string_view block = bytes.substr(bytes.size() - kSignatureBlockSize);
    if (block.substr(0, kSignatureMagic.size()) != kSignatureMagic) {
      return Result<LoadedTable>::failure("corrupt table: the signature block is missing or damaged (wrong magic)");
    }
    auto algorithm = read_le(block.data() + kSignatureAlgorithmOffset, 4);
    if (algorithm != kSignatureEd25519) {
      return Result<LoadedTable>::failure(fmt::format(
          "corrupt table: unknown signature algorithm {} (this runtime verifies Ed25519, 1)", algorithm));
    }
    signer = table_signer(bytes);
    bytes.remove_suffix(kSignatureBlockSize);
  }
  auto header_size = read_le(bytes.data() + kHeaderSizeOffset, 4);
  if (header_size != kTableHeaderSize) {
    return Result<LoadedTable>::failure(
        fmt::format("corrupt table: header size field is {}, expected {}", header_size, kTableHeaderSize));
  }
  std::uint64_t body_length = read_le(bytes.data() + kBodyLengthOffset, 8);
  std::size_t available = bytes.size() - kTableHeaderSize;
  if (body_length > available) {
    return Result<LoadedTable>::failure(
        fmt::format("truncated table: the body should have {} bytes, the file has {}", body_length, available));
  }
  if (body_length < available) {
    return Result<LoadedTable>::failure(
        fmt::format("corrupt table: {} unexpected bytes after the body", available - body_length));
  }
  std::string_view body = bytes.substr(kTableHeaderSize);
  // The checksum and the decoding read the same bytes independently: on a
  // large table the digest runs on a second thread while this one decodes
  // (the decoder trusts nothing, so decoding before the checksum is known is
  // safe). A mismatch wins over any decoding problem; nothing decoded is
  // returned unless the checksum matched.
  std::optional<Sha256Digest> digest;
  std::jthread hasher;  // joins on every way out, an exception from decoding included
  if (body.size() >= kParallelChecksumBytes) {
    try {
      hasher = std::jthread([&digest, body] { digest = sha256(body); });
    } catch (const std::system_error&) {
      // No thread to be had: hash on this one below.
    }
  }
  if (!hasher.joinable()) digest = sha256(body);

  LoadedTable table;
  Decoder decoder(body);
  decode_body(decoder, table.model);
  if (hasher.joinable()) hasher.join();
  // Fail closed: a table whose checksum cannot be computed does not load.
  if (!digest) return Result<LoadedTable>::failure("cannot verify the table checksum: SHA-256 failed (out of memory?)");
  if (std::memcmp(digest->data(), bytes.data() + kChecksumOffset, digest->size()) != 0) {
    return Result<LoadedTable>::failure(std::string(kChecksumMismatch));
  }
  if (decoder.failed()) return Result<LoadedTable>::failure("corrupt table body: " + decoder.error());
  if (auto problem = find_model_error(table.model)) return Result<LoadedTable>::failure("invalid table: " + *problem);
  table.policy_hash = to_hex(*digest);
  table.signer_key_id = std::move(signer);
  return Result<LoadedTable>::success(std::move(table));
}

}  // namespace authz::runtime
