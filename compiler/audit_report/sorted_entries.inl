// sorted_entries.inl — the template half of audit_report.h (sorting a
// CappedTable for rendering); included by it, not on its own.
#pragma once

#include <algorithm>

namespace authz::audit_report {

template <class T, class Total>
std::vector<std::pair<std::string_view, const T*>> sorted_entries(const CappedTable<T>& table, std::size_t top,
                                                                  Total total) {
  std::vector<std::pair<std::string_view, const T*>> out;
  out.reserve(table.entries.size() + 1);
  for (const auto& [key, value] : table.entries) out.emplace_back(key, &value);
  std::sort(out.begin(), out.end(), [&](const auto& a, const auto& b) {
    auto ta = total(*a.second), tb = total(*b.second);
    return ta != tb ? ta > tb : a.first < b.first;
  });
  if (top != 0 && out.size() > top) out.resize(top);
  if (table.overflowed) out.emplace_back("(other)", &table.other);
  return out;
}

}  // namespace authz::audit_report
