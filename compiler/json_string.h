// json_string.h — strings as JSON string literals, safely.
//
// Contract: append_json_string writes `"..."` with JSON escapes for quotes,
// backslashes and control bytes; every byte sequence that is not valid UTF-8
// becomes U+FFFD, so the result is always valid UTF-8 JSON whatever the input
// (paths, user messages, test names). Used by the SARIF writer and by
// `authzc test --format json`.
#pragma once

#include <string>
#include <string_view>

namespace authz {

void append_json_string(std::string& out, std::string_view text);
std::string json_string(std::string_view text);

}  // namespace authz
