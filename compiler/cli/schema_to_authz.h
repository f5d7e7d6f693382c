// schema_to_authz.h — an MCP server's listing (tools/list, and prompts/list,
// resources/list, resources/templates/list when present) as `.authz`
// declarations: the library behind `authzc import-tools`.
//
// Contract:
//   - Input: a JSON object {"server"?, "tools": [...], "prompts"?, "resources"?,
//     "resourceTemplates"?} (what the SDK's list calls return, merged), a
//     JSON-RPC response whose `result` is such an object, or a bare array of
//     tools. Anything else is an error message, never a crash.
//   - Output: one module of declarations that `authzc check` accepts: a `tool`
//     per tool with its exact name (quoted when not an identifier), each
//     inputSchema property as a parameter (optional unless `required`), doc
//     comments from descriptions, enums and defaults; `read` only when the
//     server says readOnlyHint: true (and not destructiveHint: true), else
//     `write`, with a comment when the server said nothing.
//   - Type mapping (conservative: a narrower type only makes more calls
//     `invalid_arguments`, i.e. denied): string -> String, integer -> Int,
//     number -> Number, boolean -> Bool, array -> List<items>, object with
//     properties -> a generated record, object with only additionalProperties
//     -> Map<String, T>, free-form object -> Map<String, String>; anything else
//     (anyOf/oneOf of different types, no type, null) -> String. Every lossy
//     mapping is said in a comment next to the parameter.
//   - Deterministic: the same input gives byte-identical output.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace authz::cli {

struct SchemaImportOptions {
  std::string module_name;  // empty: derived from server.name ("imported.<name>")
  std::string source;       // where the listing came from, for the header comment
  bool include_prompts = true;
  bool include_resources = true;
};

struct SchemaImportResult {
  std::string text;                   // the .authz module; empty on error
  std::string error;                  // empty on success
  std::vector<std::string> warnings;  // lossy mappings and skipped items, one line each
  std::size_t tools = 0;
  std::size_t prompts = 0;
  std::size_t resources = 0;
  bool ok() const { return error.empty(); }
};

SchemaImportResult import_mcp_listing(std::string_view listing_json, const SchemaImportOptions& options);

}  // namespace authz::cli
