// schema_to_authz.cpp — MCP listings (JSON Schema input schemas) to `.authz`
// declarations (contract in schema_to_authz.h).
//
// Why conservative: a declared type is enforced before any rule runs, so a
// type narrower than what the server accepts only denies more calls; a type
// wider than the server's would let the policy reason about values the
// server never gets. When in doubt we pick the narrower one and say so.
#include "compiler/cli/schema_to_authz.h"

#include "compiler/invisible_chars.h"
#include "runtime/internal/utf8.h"
#include "runtime/internal/value_text.h"

#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <set>

namespace authz::cli {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

const std::set<std::string, std::less<>>& keywords() {
  static const std::set<std::string, std::less<>> words = {
#define AUTHZ_KEYWORD(Name, spelling) spelling,
#include "compiler/keywords.def"
  };
  return words;
}

const std::set<std::string, std::less<>>& builtin_type_names() {
  static const std::set<std::string, std::less<>> names = {"Bool", "Int", "Number", "String", "Timestamp",
                                                            "Duration", "Role", "Set", "List", "Map"};
  return names;
}

bool is_identifier(std::string_view text) {
  if (text.empty()) return false;
  auto first = static_cast<unsigned char>(text[0]);
  if (!(std::isalpha(first) || first == '_')) return false;
  return std::all_of(text.begin(), text.end(), [](char c) {
    auto byte = static_cast<unsigned char>(c);
    return byte < 0x80 && (std::isalnum(byte) || c == '_');
  });
}

// A name usable as a parameter or record field: identifiers and keywords.
bool is_field_name(std::string_view text) { return is_identifier(text); }

bool has_control_characters(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

// A string literal for `text`. Invisible and bidirectional characters (which
// the compiler refuses raw in strings, E0015) are written as `\uXXXX`
// escapes (a surrogate pair above U+FFFF), so a server's name is kept exactly
// and a reader sees it.
std::string quote_string(std::string_view text) {
  std::string out = "\"";
  for (std::size_t pos = 0; pos < text.size();) {
    const char c = text[pos];
    runtime::internal::Utf8Char decoded = runtime::internal::decode_utf8(text, pos);
    if (decoded.length > 1 && is_invisible_char(decoded.code_point)) {
      auto escape = [&](std::uint32_t unit) {
        char buffer[16];
        std::snprintf(buffer, sizeof buffer, "\\u%04x", unit);
        out += buffer;
      };
      const std::uint32_t cp = decoded.code_point;
      if (cp > 0xFFFF) {
        escape(0xD800 + ((cp - 0x10000) >> 10));
        escape(0xDC00 + ((cp - 0x10000) & 0x3FF));
      } else {
        escape(cp);
      }
      pos += decoded.length;
      continue;
    }
    if (c == '"' || c == '\\') out += '\\';
    out += c;
    ++pos;
  }
  return out + "\"";
}

// Tool, prompt and resource names: bare when an identifier that is not a
// keyword, else quoted.
std::string target_name(std::string_view name) {
  if (is_identifier(name) && !keywords().count(name)) return std::string(name);
  return quote_string(name);
}

std::string json_text(element value) { return simdjson::minify(value); }

std::string pascal_case(std::string_view text) {
  std::string out;
  bool upper = true;
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (byte < 0x80 && std::isalnum(byte)) {
      out += upper ? static_cast<char>(std::toupper(byte)) : c;
      upper = false;
    } else {
      upper = true;
    }
  }
  if (out.empty() || std::isdigit(static_cast<unsigned char>(out[0]))) out = "T" + out;
  return out;
}

// Doc text on one or more `///` lines, wrapped near 80 columns; the
// description's own line breaks are kept. Invisible and bidirectional
// characters are written out as `\uXXXX` (the compiler warns about them in
// comments, W0003, and a reader should see what the server sent).
void append_doc(std::string& out, std::string_view indent, std::string_view raw_text) {
  std::string text;
  for (std::size_t pos = 0; pos < raw_text.size();) {
    runtime::internal::Utf8Char decoded = runtime::internal::decode_utf8(raw_text, pos);
    if (decoded.length > 1 && is_invisible_char(decoded.code_point)) {
      char buffer[16];
      std::snprintf(buffer, sizeof buffer, "\\u%04x", static_cast<unsigned>(decoded.code_point));
      text += buffer;
      pos += decoded.length;
    } else {
      text += raw_text[pos++];
    }
  }
  std::vector<std::string> paragraphs(1);
  for (char c : text) {
    if (c == '\r') continue;
    if (c == '\n') {
      paragraphs.emplace_back();
    } else {
      paragraphs.back() += static_cast<unsigned char>(c) < 0x20 ? ' ' : c;
    }
  }
  while (!paragraphs.empty() && paragraphs.back().find_first_not_of(' ') == std::string::npos) paragraphs.pop_back();
  const std::string prefix = std::string(indent) + "///";
  for (const std::string& paragraph : paragraphs) {
    std::string line;
    std::size_t position = 0;
    while (position < paragraph.size()) {
      std::size_t word_end = paragraph.find(' ', position);
      if (word_end == std::string::npos) word_end = paragraph.size();
      std::string_view word = std::string_view(paragraph).substr(position, word_end - position);
      position = word_end + 1;
      if (word.empty()) continue;
      if (!line.empty() && prefix.size() + 1 + line.size() + 1 + word.size() > 80) {
        out += prefix + " " + line + "\n";
        line.clear();
      }
      if (!line.empty()) line += ' ';
      line += word;
    }
    out += line.empty() ? prefix + "\n" : prefix + " " + line + "\n";
  }
}

void append_comment(std::string& out, std::string_view indent, std::string_view text) {
  std::string doc;
  append_doc(doc, "", text);
  // Turn the `///` lines into `//` lines.
  std::size_t start = 0;
  while (start < doc.size()) {
    std::size_t end = doc.find('\n', start);
    std::string_view line = std::string_view(doc).substr(start + 3, end - start - 3);
    out += std::string(indent) + "//" + std::string(line) + "\n";
    start = end + 1;
  }
}

struct Importer {
  const SchemaImportOptions& options;
  SchemaImportResult& result;
  std::string records;  // generated record declarations, in order of first use
  std::set<std::string, std::less<>> used_type_names;

  std::string fresh_type_name(std::string_view hint) {
    std::string base = pascal_case(hint);
    if (keywords().count(base) || builtin_type_names().count(base)) base += "Value";
    std::string name = base;
    for (int suffix = 2; used_type_names.count(name); ++suffix) name = base + std::to_string(suffix);
    used_type_names.insert(name);
    return name;
  }

  // The language type for `schema`; lossy choices are appended to `notes`.
  std::string map_type(element schema, std::string_view name_hint, std::vector<std::string>& notes, int depth) {
    if (depth > 16) {
      notes.push_back("nested deeper than 16 levels: declared `String`, so calls passing anything else are denied");
      return "String";
    }
    object schema_object;
    if (schema.get_object().get(schema_object)) {
      notes.push_back("schema is `" + json_text(schema) + "`, not an object: declared `String`, so calls passing "
                      "anything else are denied");
      return "String";
    }
    std::string_view type;
    element type_element;
    if (schema_object["type"].get(type_element) == simdjson::SUCCESS) {
      if (type_element.get_string().get(type) != simdjson::SUCCESS) {
        array types;
        if (type_element.get_array().get(types) == simdjson::SUCCESS) {
          std::vector<std::string_view> non_null;
          for (auto entry : types) {
            std::string_view name;
            if (entry.get_string().get(name) == simdjson::SUCCESS && name != "null") non_null.push_back(name);
          }
          if (non_null.size() == 1) {
            type = non_null[0];
            notes.push_back("the schema also allows `null`; a `null` value is denied");
          } else {
            notes.push_back("the schema allows several types (`" + json_text(type_element) +
                            "`): declared `String`, so calls passing another type are denied");
            return "String";
          }
        }
      }
    } else {
      // No `type`: an enum or const of strings, properties, or a union.
      element variants;
      if (schema_object["anyOf"].get(variants) == simdjson::SUCCESS ||
          schema_object["oneOf"].get(variants) == simdjson::SUCCESS) {
        array list;
        std::string common;
        bool same = variants.get_array().get(list) == simdjson::SUCCESS;
        if (same) {
          for (auto variant : list) {
            std::vector<std::string> variant_notes;
            std::string mapped = map_type(variant, name_hint, variant_notes, depth + 1);
            if (!variant_notes.empty() || (!common.empty() && mapped != common) || mapped.find('<') != std::string::npos) {
              same = false;
              break;
            }
            common = mapped;
          }
        }
        if (same && !common.empty()) return common;
        notes.push_back("`anyOf`/`oneOf` of different schemas: declared `String`, so calls passing another type are "
                        "denied");
        return "String";
      }
      array enum_values;
      if (schema_object["enum"].get_array().get(enum_values) == simdjson::SUCCESS) {
        bool all_strings = true;
        for (auto value : enum_values) all_strings = all_strings && value.is_string();
        if (all_strings) return "String";
      }
      if (schema_object["properties"].is_object()) {
        type = "object";
      } else {
        notes.push_back("the schema gives no `type`: declared `String`, so calls passing anything else are denied");
        return "String";
      }
    }

    if (type == "string") return "String";
    if (type == "integer") return "Int";
    if (type == "number") return "Number";
    if (type == "boolean") return "Bool";
    if (type == "array") {
      element items;
      if (schema_object["items"].get(items) != simdjson::SUCCESS) {
        notes.push_back("an array without `items`: declared `List<String>`, so lists of anything else are denied");
        return "List<String>";
      }
      std::string item_type = map_type(items, std::string(name_hint) + "Item", notes, depth + 1);
      return "List<" + item_type + ">";
    }
    if (type == "object") {
      object properties;
      if (schema_object["properties"].get_object().get(properties) == simdjson::SUCCESS && properties.size() > 0) {
        return record_for(schema_object, properties, name_hint, notes, depth);
      }
      element additional;
      if (schema_object["additionalProperties"].get(additional) == simdjson::SUCCESS && additional.is_object()) {
        return "Map<String, " + map_type(additional, std::string(name_hint) + "Value", notes, depth + 1) + ">";
      }
      notes.push_back("a free-form object: declared `Map<String, String>`, so objects with non-string values are "
                      "denied");
      return "Map<String, String>";
    }
    notes.push_back("JSON Schema type `" + std::string(type) + "` has no counterpart: declared `String`, so calls "
                    "passing it are denied");
    return "String";
  }

  std::string record_for(object schema, object properties, std::string_view name_hint, std::vector<std::string>& notes,
                         int depth) {
    std::string name = fresh_type_name(name_hint);
    std::set<std::string, std::less<>> required = required_names(schema);
    std::string body;
    std::vector<std::string> skipped;
    for (auto property : properties) {
      std::string_view field = property.key;
      if (!is_field_name(field)) {
        skipped.push_back(std::string(field));
        continue;
      }
      std::vector<std::string> field_notes;
      std::string type = map_type(property.value, std::string(name) + pascal_case(field), field_notes, depth + 1);
      append_property_docs(body, "  ", property.value, field_notes);
      body += "  " + std::string(field) + ": " + type + (required.count(field) ? "" : "?") + ",\n";
    }
    std::string declaration;
    for (const std::string& field : skipped) {
      append_comment(declaration, "", "field `" + field + "` is not an identifier and cannot be declared: objects "
                                      "that contain it are denied");
      notes.push_back("field `" + field + "` of `" + name + "` cannot be declared");
    }
    declaration += "record " + name + " {\n" + body + "}\n\n";
    records += declaration;
    return name;
  }

  static std::set<std::string, std::less<>> required_names(object schema) {
    std::set<std::string, std::less<>> names;
    array required;
    if (schema["required"].get_array().get(required) == simdjson::SUCCESS) {
      for (auto entry : required) {
        std::string_view name;
        if (entry.get_string().get(name) == simdjson::SUCCESS) names.emplace(name);
      }
    }
    return names;
  }

  // Description, enum members and default as doc lines; notes as comments.
  static void append_property_docs(std::string& out, std::string_view indent, element schema,
                                   const std::vector<std::string>& notes) {
    std::string doc;
    std::string_view description;
    if (schema["description"].get_string().get(description) == simdjson::SUCCESS) doc += description;
    array enum_values;
    if (schema["enum"].get_array().get(enum_values) == simdjson::SUCCESS) {
      std::string members;
      for (auto value : enum_values) members += (members.empty() ? "" : ", ") + ("`" + json_text(value) + "`");
      if (!doc.empty() && doc.back() != '.') doc += '.';
      doc += (doc.empty() ? "" : " ") + std::string("One of ") + members + " (not enforced by the type).";
    }
    element default_value;
    if (schema["default"].get(default_value) == simdjson::SUCCESS) {
      if (!doc.empty() && doc.back() != '.') doc += '.';
      doc += (doc.empty() ? "" : " ") + ("`" + json_text(default_value) + "` when absent (the server's default).");
    }
    if (!doc.empty()) append_doc(out, indent, doc);
    for (const std::string& note : notes) append_comment(out, indent, "import: " + note);
  }

  static bool looks_secret(std::string_view name) {
    std::string lower;
    for (char c : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (std::string_view word : {"password", "passwd", "secret", "token", "apikey", "api_key", "credential",
                                  "privatekey", "private_key"}) {
      if (lower.find(word) != std::string::npos) return true;
    }
    return false;
  }

  void import_tool(element tool, std::set<std::string, std::less<>>& seen, std::string& out) {
    std::string_view name;
    if (tool["name"].get_string().get(name) != simdjson::SUCCESS) {
      result.warnings.push_back("a tool without a string `name` was skipped");
      return;
    }
    if (name.empty() || has_control_characters(name)) {
      result.warnings.push_back("tool " + json_text(tool["name"].value_unsafe()) + " has an unusable name and was skipped");
      return;
    }
    if (!seen.insert(std::string(name)).second) {
      result.warnings.push_back("tool `" + std::string(name) + "` is listed twice; the second was skipped");
      return;
    }
    std::string head;
    std::string_view description;
    if (tool["description"].get_string().get(description) == simdjson::SUCCESS && !description.empty()) {
      append_doc(head, "", description);
    }

    // Action kind from the server's own annotations.
    bool read_only = false;
    bool destructive = false;
    bool said_read_only = tool["annotations"]["readOnlyHint"].get_bool().get(read_only) == simdjson::SUCCESS;
    bool said_destructive = tool["annotations"]["destructiveHint"].get_bool().get(destructive) == simdjson::SUCCESS;
    std::string action = "write";
    if (!said_read_only) {
      append_comment(head, "", "import: the server gives no `readOnlyHint`; declared `write`, the safe default");
    } else if (read_only && said_destructive && destructive) {
      append_comment(head, "", "import: the server says both `readOnlyHint` and `destructiveHint`; declared `write`");
    } else if (read_only) {
      action = "read";
    }

    std::string params;
    std::vector<std::string> skipped;
    element schema;
    object properties;
    std::set<std::string, std::less<>> required;
    if (tool["inputSchema"].get(schema) == simdjson::SUCCESS && schema.is_object()) {
      object schema_object = schema.get_object().value_unsafe();
      required = required_names(schema_object);
      if (schema_object["properties"].get_object().get(properties) == simdjson::SUCCESS) {
        for (auto property : properties) {
          std::string_view param = property.key;
          if (!is_field_name(param)) {
            skipped.push_back(std::string(param));
            continue;
          }
          std::vector<std::string> notes;
          std::string type = map_type(property.value, pascal_case(name) + pascal_case(param), notes, 0);
          for (const std::string& note : notes) {
            result.warnings.push_back("tool `" + std::string(name) + "`, parameter `" + std::string(param) + "`: " + note);
          }
          bool secret = looks_secret(param);
          if (secret) notes.push_back("the name suggests a secret: marked `sensitive` (redacted in audit records)");
          append_property_docs(params, "  ", property.value, notes);
          params += "  " + std::string(param) + ": " + type + (required.count(param) ? "" : "?") +
                    (secret ? " sensitive" : "") + ",\n";
        }
      }
    } else {
      result.warnings.push_back("tool `" + std::string(name) + "` has no object `inputSchema`: declared without "
                                "parameters, so calls with arguments are denied");
      append_comment(head, "", "import: no `inputSchema`; declared without parameters");
    }
    for (const std::string& param : skipped) {
      bool is_required = required.count(param) > 0;
      append_comment(head, "", "import: parameter `" + param + "` is not an identifier and cannot be declared: calls "
                                   "passing it are denied" + (is_required ? " (it is required, so every call is)" : ""));
      result.warnings.push_back("tool `" + std::string(name) + "`: parameter `" + param + "` cannot be declared");
    }
    out += head;
    out += "tool " + target_name(name) + (params.empty() ? "()" : "(\n" + params + ")") + " " + action + ";\n\n";
    ++result.tools;
  }

  void import_prompt(element prompt, std::set<std::string, std::less<>>& seen, std::string& out) {
    std::string_view name;
    if (prompt["name"].get_string().get(name) != simdjson::SUCCESS || name.empty() || has_control_characters(name) ||
        !seen.insert(std::string(name)).second) {
      result.warnings.push_back("a prompt without a usable, unique `name` was skipped");
      return;
    }
    std::string_view description;
    if (prompt["description"].get_string().get(description) == simdjson::SUCCESS && !description.empty()) {
      append_doc(out, "", description);
    }
    std::string params;
    array arguments;
    std::vector<std::string> skipped;
    if (prompt["arguments"].get_array().get(arguments) == simdjson::SUCCESS) {
      for (auto argument : arguments) {
        std::string_view argument_name;
        if (argument["name"].get_string().get(argument_name) != simdjson::SUCCESS) continue;
        if (!is_field_name(argument_name)) {
          skipped.push_back(std::string(argument_name));
          continue;
        }
        bool is_required = false;
        if (argument["required"].get_bool().get(is_required) != simdjson::SUCCESS) is_required = false;
        std::string_view argument_description;
        if (argument["description"].get_string().get(argument_description) == simdjson::SUCCESS &&
            !argument_description.empty()) {
          append_doc(params, "  ", argument_description);
        }
        params += "  " + std::string(argument_name) + ": String" + (is_required ? "" : "?") + ",\n";
      }
    }
    for (const std::string& argument : skipped) {
      append_comment(out, "", "import: argument `" + argument + "` is not an identifier and cannot be declared");
      result.warnings.push_back("prompt `" + std::string(name) + "`: argument `" + argument + "` cannot be declared");
    }
    out += "prompt " + target_name(name) + (params.empty() ? "()" : "(\n" + params + ")") + ";\n\n";
    ++result.prompts;
  }

  void import_resource(element resource, bool is_template, std::set<std::string, std::less<>>& seen, std::string& out) {
    std::string_view name;
    std::string_view uri;
    const char* uri_key = is_template ? "uriTemplate" : "uri";
    if (resource["name"].get_string().get(name) != simdjson::SUCCESS ||
        resource[uri_key].get_string().get(uri) != simdjson::SUCCESS || name.empty() || has_control_characters(name) ||
        has_control_characters(uri)) {
      result.warnings.push_back(std::string("a resource") + (is_template ? " template" : "") +
                                " without a usable `name` and `" + uri_key + "` was skipped");
      return;
    }
    if (is_template) {
      // Only simple `{var}` expansions match the language's templates.
      std::size_t open = uri.find('{');
      while (open != std::string_view::npos) {
        std::size_t close = uri.find('}', open);
        std::string_view variable = close == std::string_view::npos ? std::string_view() : uri.substr(open + 1, close - open - 1);
        if (!is_field_name(variable)) {
          append_comment(out, "", "import: resource template `" + std::string(name) + "` (`" + std::string(uri) +
                                      "`) uses an expansion other than `{name}` and was left out: reads of it are denied");
          result.warnings.push_back("resource template `" + std::string(name) + "` was left out (unsupported expansion)");
          return;
        }
        open = uri.find('{', close);
      }
    } else if (uri.find('{') != std::string_view::npos) {
      result.warnings.push_back("resource `" + std::string(name) + "` has `{` in its URI and was left out");
      return;
    }
    std::string unique = std::string(name);
    for (int suffix = 2; !seen.insert(unique).second; ++suffix) unique = std::string(name) + "_" + std::to_string(suffix);
    std::string_view description;
    if (resource["description"].get_string().get(description) == simdjson::SUCCESS && !description.empty()) {
      append_doc(out, "", description);
    }
    out += "resource " + target_name(unique) + " " + quote_string(uri) + ";\n\n";
    ++result.resources;
  }
};

std::string module_name_for(std::string_view server_name) {
  std::string name;
  for (char c : server_name) {
    auto byte = static_cast<unsigned char>(c);
    name += (byte < 0x80 && std::isalnum(byte)) ? static_cast<char>(std::tolower(byte)) : '_';
  }
  // No leading digit, no leading/trailing/double underscores.
  std::string cleaned;
  for (char c : name) {
    if (c == '_' && (cleaned.empty() || cleaned.back() == '_')) continue;
    cleaned += c;
  }
  while (!cleaned.empty() && cleaned.back() == '_') cleaned.pop_back();
  if (cleaned.empty()) cleaned = "server";
  if (std::isdigit(static_cast<unsigned char>(cleaned[0])) || keywords().count(cleaned)) cleaned = "s_" + cleaned;
  return "imported." + cleaned;
}

bool valid_module_name(std::string_view name) {
  std::size_t start = 0;
  while (true) {
    std::size_t dot = name.find('.', start);
    std::string_view part = name.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (!is_identifier(part) || keywords().count(part)) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

}  // namespace

SchemaImportResult import_mcp_listing(std::string_view listing_json, const SchemaImportOptions& options) {
  SchemaImportResult result;
  simdjson::dom::parser parser;
  simdjson::padded_string padded(listing_json);
  element root;
  if (auto error = parser.parse(padded).get(root)) {
    result.error = std::string("the listing is not valid JSON: ") + simdjson::error_message(error);
    return result;
  }
  element listing = root;
  element inner;
  if (root.is_object() && root["result"].get(inner) == simdjson::SUCCESS) listing = inner;

  array tools;
  array prompts, resources, templates;
  bool has_prompts = false, has_resources = false, has_templates = false;
  std::string_view server_name, server_version;
  if (listing.is_array()) {
    tools = listing.get_array().value_unsafe();
  } else if (listing.is_object()) {
    if (listing["tools"].get_array().get(tools) != simdjson::SUCCESS) {
      result.error = "the listing has no `tools` array (expected a tools/list result, or an object with `tools`)";
      return result;
    }
    has_prompts = options.include_prompts && listing["prompts"].get_array().get(prompts) == simdjson::SUCCESS;
    has_resources = options.include_resources && listing["resources"].get_array().get(resources) == simdjson::SUCCESS;
    has_templates =
        options.include_resources && listing["resourceTemplates"].get_array().get(templates) == simdjson::SUCCESS;
    if (listing["server"]["name"].get_string().get(server_name) != simdjson::SUCCESS) server_name = {};
    if (listing["server"]["version"].get_string().get(server_version) != simdjson::SUCCESS) server_version = {};
  } else {
    result.error = "the listing must be a JSON object with `tools`, or an array of tools";
    return result;
  }

  std::string module = options.module_name.empty() ? module_name_for(server_name) : options.module_name;
  if (!valid_module_name(module)) {
    result.error = "`" + module + "` is not a module name (dot-separated identifiers, no keywords)";
    return result;
  }

  Importer importer{options, result, {}, {}};
  std::string body;
  std::set<std::string, std::less<>> seen_tools, seen_prompts, seen_resources;
  if (tools.size() > 0) body += "// ---- tools ----------------------------------------------------------------\n\n";
  for (auto tool : tools) importer.import_tool(tool, seen_tools, body);
  if (has_resources || has_templates) {
    std::string part;
    if (has_resources) {
      for (auto resource : resources) importer.import_resource(resource, false, seen_resources, part);
    }
    if (has_templates) {
      for (auto resource : templates) importer.import_resource(resource, true, seen_resources, part);
    }
    if (!part.empty()) body += "// ---- resources ------------------------------------------------------------\n\n" + part;
  }
  if (has_prompts) {
    std::string part;
    for (auto prompt : prompts) importer.import_prompt(prompt, seen_prompts, part);
    if (!part.empty()) body += "// ---- prompts --------------------------------------------------------------\n\n" + part;
  }

  std::string header = "// " + module + " — ";
  if (!server_name.empty()) {
    header += "the MCP server `" + std::string(server_name) + "`" +
              (server_version.empty() ? "" : " " + std::string(server_version));
  } else {
    header += "an MCP server's tools";
  }
  header += ", imported by `authzc import-tools`";
  if (!options.source.empty()) header += " from " + options.source;
  header += ".";
  std::string text;
  append_comment(text, "", header.substr(3));
  append_comment(text, "", "Review before use: `read`/`write` come from the server's own annotations and types from "
                            "its input schemas; every lossy choice is marked `import:`.");
  text += "module " + module + ";\n\n";
  if (!importer.records.empty()) {
    text += "// ---- records for structured parameters ------------------------------------\n\n" + importer.records;
  }
  text += body;
  while (text.size() >= 2 && text[text.size() - 1] == '\n' && text[text.size() - 2] == '\n') text.pop_back();
  result.text = std::move(text);
  return result;
}

}  // namespace authz::cli
