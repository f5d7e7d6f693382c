// json_string.h — how the compiler's reports write JSON strings.
//
// Contract: append_json_string / json_string are runtime/internal/json_string.h's
// one writer in its kReportJson style: JSON escapes for quotes, backslashes,
// control bytes and DEL, and every byte of a sequence that is not valid UTF-8
// becomes `\ufffd`, so the result is always valid UTF-8 JSON whatever the
// input (paths, user messages, test names). Used by the SARIF writer, by
// `authzc test --format json` and by the policy test runner.
#pragma once

#include <string>
#include <string_view>

#include "runtime/internal/json_string.h"

namespace authz {

inline void append_json_string(std::string& out, std::string_view text) {
  runtime::internal::append_json_string(out, text, runtime::internal::kReportJson);
}
inline std::string json_string(std::string_view text) {
  return runtime::internal::json_string(text, runtime::internal::kReportJson);
}

}  // namespace authz
