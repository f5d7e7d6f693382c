// string_map.h — unordered maps keyed by std::string that accept
// std::string_view lookups without building a std::string (no allocation on
// the evaluation path). Private to the runtime.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace authz::runtime::internal {

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const noexcept { return std::hash<std::string_view>{}(text); }
};

template <class T>
using StringMap = std::unordered_map<std::string, T, StringHash, std::equal_to<>>;

}  // namespace authz::runtime::internal
