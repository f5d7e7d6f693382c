// json_canonical.cpp — see internal/json_canonical.h. A recursive-descent
// recogniser for the canonical subset only; it decodes nothing and allocates
// nothing but the caller's member list. tests/unit/json_canonical_test.cpp
// checks it against simdjson's minify on generated and hand-picked inputs.
#include "runtime/internal/json_canonical.h"

#include <algorithm>

#include "runtime/internal/byte_scan.h"
#include "runtime/internal/utf8.h"

namespace authz::runtime::internal {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_lower_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f'); }
int hex_value(char c) { return is_digit(c) ? c - '0' : c - 'a' + 10; }

class Recogniser {
 public:
  // `keys`: when given, sibling keys are checked for duplicates (it is the
  // stack of the keys of the objects being read).
  Recogniser(std::string_view text, std::vector<std::string_view>* keys) : text_(text), keys_(keys) {}

  bool whole_object(std::vector<CanonicalMember>* members) {
    return at('{') && object(1, members) && position_ == text_.size();
  }

 private:
  bool at(char c) const { return position_ < text_.size() && text_[position_] == c; }

  // At an opening quote; leaves the position after the closing one.
  bool string(bool* escaped) {
    ++position_;
    while (true) {
      position_ = first_json_special_or_non_ascii(text_, position_);
      if (position_ >= text_.size()) return false;
      const auto c = static_cast<unsigned char>(text_[position_]);
      if (c >= 0x80) {  // a UTF-8 sequence, which must be valid (RFC 3629)
        const std::size_t length = utf8_sequence_length(text_, position_);
        if (length == 0) return false;
        position_ += length;
        continue;
      }
      if (c == '"') {
        ++position_;
        return true;
      }
      if (c != '\\') return false;  // a raw control character
      if (escaped) *escaped = true;
      if (position_ + 1 >= text_.size()) return false;
      switch (text_[position_ + 1]) {
        case '"': case '\\': case 'b': case 'f': case 'n': case 'r': case 't':
          position_ += 2;
          break;
        case 'u': {
          // Only \u00xx for a control character without a short escape.
          if (position_ + 6 > text_.size() || text_[position_ + 2] != '0' || text_[position_ + 3] != '0' ||
              !is_lower_hex(text_[position_ + 4]) || !is_lower_hex(text_[position_ + 5])) {
            return false;
          }
          const int code = hex_value(text_[position_ + 4]) * 16 + hex_value(text_[position_ + 5]);
          if (code >= 0x20 || code == '\b' || code == '\f' || code == '\n' || code == '\r' || code == '\t') return false;
          position_ += 6;
          break;
        }
        default: return false;
      }
    }
  }

  bool number() {
    const std::size_t start = position_;
    if (at('-')) ++position_;
    const std::size_t digits = position_;
    while (position_ < text_.size() && is_digit(text_[position_])) ++position_;
    const std::size_t count = position_ - digits;
    if (count == 0 || count > 18) return false;
    if (text_[digits] == '0' && (count > 1 || digits != start)) return false;  // 01, -0
    return true;  // a fraction or exponent fails at the caller's next token
  }

  bool literal(std::string_view word) {
    if (text_.substr(position_, word.size()) != word) return false;
    position_ += word.size();
    return true;
  }

  bool value(std::size_t depth) {
    if (position_ >= text_.size()) return false;
    switch (text_[position_]) {
      case '{': return depth < kMaxCanonicalDepth && object(depth + 1, nullptr);
      case '[': return depth < kMaxCanonicalDepth && array(depth + 1);
      case '"': return string(nullptr);
      case 't': return literal("true");
      case 'f': return literal("false");
      case 'n': return literal("null");
      default: return (at('-') || is_digit(text_[position_])) && number();
    }
  }

  // Whether the keys from `base` to the top of keys_ are all different;
  // pops them either way.
  bool pop_unique_keys(std::size_t base) {
    auto first = keys_->begin() + static_cast<std::ptrdiff_t>(base);
    bool unique = true;
    if (keys_->size() - base <= 16) {
      for (auto outer = first; unique && outer != keys_->end(); ++outer) {
        for (auto inner = outer + 1; inner != keys_->end(); ++inner) {
          if (*outer == *inner) {
            unique = false;
            break;
          }
        }
      }
    } else {
      std::sort(first, keys_->end());
      unique = std::adjacent_find(first, keys_->end()) == keys_->end();
    }
    keys_->resize(base);
    return unique;
  }

  // At `{`; `depth` counts this object.
  bool object(std::size_t depth, std::vector<CanonicalMember>* members) {
    ++position_;
    if (at('}')) {
      ++position_;
      return true;
    }
    const std::size_t base = keys_ ? keys_->size() : 0;
    while (true) {
      if (!at('"')) return false;
      CanonicalMember member;
      const std::size_t key_start = position_;
      if (!string(&member.key_escaped)) return false;
      member.key = text_.substr(key_start + 1, position_ - key_start - 2);
      if (keys_) keys_->push_back(member.key);
      if (!at(':')) return false;
      ++position_;
      const std::size_t value_start = position_;
      if (!value(depth)) return false;
      member.value = text_.substr(value_start, position_ - value_start);
      if (members) members->push_back(member);
      if (at('}')) {
        ++position_;
        return !keys_ || pop_unique_keys(base);
      }
      if (!at(',')) return false;
      ++position_;
    }
  }

  bool array(std::size_t depth) {
    ++position_;
    if (at(']')) {
      ++position_;
      return true;
    }
    while (true) {
      if (!value(depth)) return false;
      if (at(']')) {
        ++position_;
        return true;
      }
      if (!at(',')) return false;
      ++position_;
    }
  }

  std::string_view text_;
  std::vector<std::string_view>* keys_;
  std::size_t position_ = 0;
};

}  // namespace

bool canonical_json_object(std::string_view text, std::vector<CanonicalMember>* members) {
  if (members) members->clear();
  Recogniser recogniser(text, nullptr);
  const bool canonical = recogniser.whole_object(members);
  if (!canonical && members) members->clear();
  return canonical;
}

bool canonical_json_object_unique_keys(std::string_view text, std::vector<CanonicalMember>& members,
                                       std::vector<std::string_view>& keys) {
  members.clear();
  keys.clear();
  Recogniser recogniser(text, &keys);
  const bool canonical = recogniser.whole_object(&members);
  if (!canonical) members.clear();
  return canonical;
}

}  // namespace authz::runtime::internal
