// glob_match.cpp — see glob_match.h. NFA state i means "the next token to
// match is tokens[i]"; state token_count accepts. A star state also allows
// skipping itself (epsilon to i + 1), which the closure applies in increasing
// state order so chains of stars propagate in one sweep.
#include "runtime/internal/glob_match.h"

#include <bit>

#include "runtime/internal/small_vector.h"

namespace authz::runtime {
namespace {

using Kind = GlobToken::Kind;
using StateWords = SmallVector<std::uint64_t, 4>;

inline bool test(const StateWords& set, std::size_t state) { return (set[state / 64] >> (state % 64)) & 1u; }
inline void mark(StateWords& set, std::size_t state) { set[state / 64] |= std::uint64_t{1} << (state % 64); }

// The next set state at or after `from`, or `limit` when there is none.
std::size_t next_state(const StateWords& set, std::size_t from, std::size_t limit) {
  while (from < limit) {
    std::size_t word = from / 64;
    std::uint64_t bits = set[word] >> (from % 64);
    if (bits) {
      std::size_t state = from + static_cast<std::size_t>(std::countr_zero(bits));
      return state < limit ? state : limit;
    }
    from = (word + 1) * 64;
  }
  return limit;
}

void close_over_stars(const GlobToken* tokens, std::size_t token_count, StateWords& set) {
  for (std::size_t state = next_state(set, 0, token_count); state < token_count;
       state = next_state(set, state + 1, token_count)) {
    if (tokens[state].kind == Kind::Star || tokens[state].kind == Kind::DoubleStar) mark(set, state + 1);
  }
}

// `**` is one token; every other byte is one token.
template <class Sink>
void tokenize(std::string_view pattern, Sink&& emit) {
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    GlobToken token;
    if (pattern[i] == '*') {
      bool twice = i + 1 < pattern.size() && pattern[i + 1] == '*';
      token.kind = twice ? Kind::DoubleStar : Kind::Star;
      if (twice) ++i;
    } else if (pattern[i] == '?') {
      token.kind = Kind::AnyOne;
    } else {
      token.literal = pattern[i];
    }
    emit(token);
  }
}

}  // namespace

GlobPattern compile_glob(std::string_view pattern) {
  GlobPattern tokens;
  tokens.reserve(pattern.size());
  tokenize(pattern, [&](GlobToken token) { tokens.push_back(token); });
  return tokens;
}

bool glob_matches(const GlobToken* tokens, std::size_t token_count, std::string_view text) {
  std::size_t words = token_count / 64 + 1;  // states 0..token_count inclusive
  StateWords first, second;
  first.resize(words, 0);
  second.resize(words, 0);
  StateWords* current = &first;
  StateWords* next = &second;
  mark(*current, 0);
  close_over_stars(tokens, token_count, *current);
  for (char c : text) {
    for (std::size_t w = 0; w < words; ++w) (*next)[w] = 0;
    bool any = false;
    for (std::size_t state = next_state(*current, 0, token_count); state < token_count;
         state = next_state(*current, state + 1, token_count)) {
      const GlobToken& token = tokens[state];
      switch (token.kind) {
        case Kind::Literal:
          if (token.literal == c) mark(*next, state + 1), any = true;
          break;
        case Kind::AnyOne:
          if (c != '/') mark(*next, state + 1), any = true;
          break;
        case Kind::Star:
          if (c != '/') mark(*next, state), any = true;
          break;
        case Kind::DoubleStar:
          mark(*next, state), any = true;
          break;
      }
    }
    if (!any) return false;
    close_over_stars(tokens, token_count, *next);
    std::swap(current, next);
  }
  return test(*current, token_count);
}

bool glob_matches(const GlobPattern& pattern, std::string_view text) {
  return glob_matches(pattern.data(), pattern.size(), text);
}

bool glob_matches(std::string_view pattern, std::string_view text) {
  SmallVector<GlobToken, 255> tokens;
  tokenize(pattern, [&](GlobToken token) { tokens.push_back(token); });
  return glob_matches(tokens.data(), tokens.size(), text);
}

}  // namespace authz::runtime
