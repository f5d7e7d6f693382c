// closest_name.h — the one "did you mean" rule, for the compiler's
// diagnostics, the runtime's refusals and the policy test runner.
//
// Contract: closest_name returns the candidate nearest to `wanted`, or an
// empty view when none is near enough. Distance is Levenshtein's over bytes
// (insert, delete or replace one byte), except that a candidate differing from
// `wanted` only in ASCII letter case is at distance 0. A candidate is near
// enough at a distance of at most max(2, n / 3) and below n, for n the length
// of `wanted` (so a two-letter typo is caught in short names, long names allow
// about a third of their length, and nothing is suggested for a name it would
// mostly rewrite). The first of equally near candidates wins; empty candidates
// and `wanted` itself are never suggested. When no candidate is near enough and
// `wanted` has at least 3 bytes, the first candidate that extends it
// (`aggregate` for `aggregate_only`) is suggested. Cost: O(|wanted| x
// |candidate|) per candidate at most, cut short once a row exceeds the limit;
// callers bound `wanted` where it comes from outside.
// Private to the project (not installed); compiler/ includes it.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace authz::runtime::internal {

std::size_t closest_name_limit(std::size_t wanted_length);
std::string_view closest_name(std::string_view wanted, const std::vector<std::string_view>& candidates);
std::string_view closest_name(std::string_view wanted, const std::vector<std::string>& candidates);
// How every message words closest_name's answer: `prefix` + "did you mean `X`?",
// or "" when `suggestion` is empty (none was near enough).
std::string did_you_mean(std::string_view suggestion, std::string_view prefix = "");

}  // namespace authz::runtime::internal
