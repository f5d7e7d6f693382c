// markdown_text.h — untrusted text made safe inside GitHub-flavoured
// Markdown, for the permission doc and the access diff.
//
// Contract: prose() yields one line with no raw HTML and no links (`& < >`
// as entities, `[ ] |` escaped, line breaks as spaces); code() yields one
// code span that survives any backticks in the text and sits in a table cell
// (`|` escaped, line breaks as spaces).
#pragma once

#include <string>
#include <string_view>

namespace authz::permission_doc {

std::string prose(std::string_view text);
std::string code(std::string_view text);

}  // namespace authz::permission_doc
