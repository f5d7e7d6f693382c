// json_duplicates.cpp — see json_duplicates.h.
#include "tools/gateway/json_duplicates.h"

#include <algorithm>

namespace authz::gateway {

namespace dom = simdjson::dom;

bool find_duplicate_key(dom::element element, std::vector<std::string_view>& scratch, std::string_view& duplicate) {
  switch (element.type()) {
    case dom::element_type::ARRAY: {
      dom::array array = element.get_array().value_unsafe();
      for (dom::element child : array) {
        if (find_duplicate_key(child, scratch, duplicate)) return true;
      }
      return false;
    }
    case dom::element_type::OBJECT: {
      dom::object object = element.get_object().value_unsafe();
      std::size_t size = object.size();
      if (size <= 16) {
        // Small objects (nearly all of them): pairwise, no allocation.
        for (auto outer = object.begin(); outer != object.end(); ++outer) {
          auto inner = outer;
          for (++inner; inner != object.end(); ++inner) {
            if (outer.key() == inner.key()) {
              duplicate = outer.key();
              return true;
            }
          }
        }
      } else {
        std::size_t base = scratch.size();
        for (auto field : object) scratch.push_back(field.key);
        std::sort(scratch.begin() + static_cast<std::ptrdiff_t>(base), scratch.end());
        auto found = std::adjacent_find(scratch.begin() + static_cast<std::ptrdiff_t>(base), scratch.end());
        bool has_duplicate = found != scratch.end();
        if (has_duplicate) duplicate = *found;
        scratch.resize(base);
        if (has_duplicate) return true;
      }
      for (auto field : object) {
        if (find_duplicate_key(field.value, scratch, duplicate)) return true;
      }
      return false;
    }
    default: return false;
  }
}

}  // namespace authz::gateway
