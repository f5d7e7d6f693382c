// closest_name.cpp — see internal/closest_name.h.
#include "runtime/internal/closest_name.h"

#include <algorithm>

namespace authz::runtime::internal {
namespace {

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == lower(y); });
}

// Levenshtein distance, or limit + 1 as soon as it must exceed `limit`.
std::size_t bounded_distance(std::string_view a, std::string_view b, std::size_t limit) {
  const std::size_t gap = a.size() > b.size() ? a.size() - b.size() : b.size() - a.size();
  if (gap > limit) return limit + 1;
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    std::size_t row_minimum = row[0];
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
      row_minimum = std::min(row_minimum, row[j]);
    }
    if (row_minimum > limit) return limit + 1;
  }
  return std::min(row[b.size()], limit + 1);
}

template <class Candidates>
std::string_view closest(std::string_view wanted, const Candidates& candidates) {
  const std::size_t limit = closest_name_limit(wanted.size());
  std::string_view best;
  std::size_t best_distance = limit + 1;
  std::string_view extension;  // the first candidate that extends `wanted`
  for (const auto& entry : candidates) {
    const std::string_view candidate(entry);
    if (candidate.empty() || candidate == wanted) continue;
    if (extension.empty() && wanted.size() >= 3 && candidate.size() > wanted.size() &&
        candidate.substr(0, wanted.size()) == wanted) {
      extension = candidate;
    }
    const std::size_t distance =
        equal_ignoring_case(wanted, candidate) ? 0 : bounded_distance(wanted, candidate, best_distance - 1);
    if (distance < best_distance) {
      best_distance = distance;
      best = candidate;
      if (best_distance == 0) break;
    }
  }
  return best.empty() ? extension : best;
}

}  // namespace

std::size_t closest_name_limit(std::size_t wanted_length) {
  const std::size_t limit = std::max<std::size_t>(2, wanted_length / 3);
  return wanted_length == 0 ? 0 : std::min(limit, wanted_length - 1);
}

std::string_view closest_name(std::string_view wanted, const std::vector<std::string_view>& candidates) {
  return closest(wanted, candidates);
}

std::string_view closest_name(std::string_view wanted, const std::vector<std::string>& candidates) {
  return closest(wanted, candidates);
}

std::string did_you_mean(std::string_view suggestion, std::string_view prefix) {
  if (suggestion.empty()) return {};
  std::string out(prefix);
  out += "did you mean `";
  out += suggestion;
  out += "`?";
  return out;
}

}  // namespace authz::runtime::internal
