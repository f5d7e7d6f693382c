// import_tools_command.cpp — `authzc import-tools`: an MCP server's tools
// (and prompts and resources) as typed `.authz` declarations, so policies are
// checked against the server's real signatures.
//
// Input: a JSON file holding a tools/list result (`authzc import-tools
// tools.json`), or a server to start and ask over stdio (`authzc import-tools
// -- npx @modelcontextprotocol/server-everything`). Output: the module on
// stdout, or written to `-o FILE` through a temporary and a rename. Lossy
// mappings are listed on stderr as warnings and marked `import:` in the
// output (schema_to_authz.h). Exit: 0 written, 1 the listing is unusable,
// 2 usage or unreadable input / a server that could not be asked.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <ostream>
#include <sstream>

#include "compiler/cli/commands.h"
#include "compiler/cli/mcp_stdio_listing.h"
#include "compiler/cli/output_file.h"
#include "compiler/cli/schema_to_authz.h"
#include "compiler/invisible_chars.h"
#include "runtime/internal/utf8.h"
#include "runtime/internal/value_text.h"

namespace authz::cli {
namespace {

// A warning quotes names the server sent: control, invisible and
// bidirectional characters are shown as `\u{...}`, so they cannot reorder or
// hide the terminal line.
std::string printable(std::string_view text) {
  std::string out;
  for (std::size_t pos = 0; pos < text.size();) {
    runtime::internal::Utf8Char decoded = runtime::internal::decode_utf8(text, pos);
    const char32_t c = decoded.code_point;
    if (decoded.length == 0 || c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0) || is_invisible_char(c)) {
      char buffer[24];
      std::snprintf(buffer, sizeof buffer, "\\u{%x}",
                    decoded.length == 0 ? static_cast<unsigned char>(text[pos]) : static_cast<unsigned>(c));
      out += buffer;
      pos += decoded.length == 0 ? 1 : decoded.length;
    } else {
      out.append(text.substr(pos, decoded.length));
      pos += decoded.length;
    }
  }
  return out;
}

struct ImportToolsOptions {
  std::vector<std::string> inputs;  // FILE, or after `--` the server command
  std::string output;
  std::string module_name;
  bool no_prompts = false;
  bool no_resources = false;
  double timeout_seconds = 30;
  CLI::App* app = nullptr;
};

int run_import_tools(const ImportToolsOptions& options, const Context& context) {
  bool server_mode = false;
  for (const std::string& extra : options.app->remaining()) {
    if (extra == "--") {
      server_mode = true;
    } else {
      context.err << "error: unexpected argument `" << extra << "`\n"
                  << "  help: give one listing FILE, or `-- SERVER_COMMAND [ARGS...]`\n";
      return kExitUsage;
    }
  }
  if (options.inputs.empty() || (!server_mode && options.inputs.size() != 1)) {
    context.err << "error: give one listing FILE, or `-- SERVER_COMMAND [ARGS...]`\n"
                << "  help: authzc import-tools tools.json -o tools.authz\n";
    return kExitUsage;
  }

  std::string listing;
  SchemaImportOptions import_options;
  import_options.module_name = options.module_name;
  import_options.include_prompts = !options.no_prompts;
  import_options.include_resources = !options.no_resources;
  if (server_mode) {
    int timeout_ms = static_cast<int>(options.timeout_seconds * 1000);
    McpListingFetch fetch = fetch_mcp_listing(options.inputs, timeout_ms > 0 ? timeout_ms : 1);
    if (!fetch.ok()) {
      context.err << "error: cannot list the tools of `" << options.inputs[0] << "`: " << fetch.error << "\n";
      return kExitUsage;
    }
    listing = std::move(fetch.listing_json);
    import_options.source = "`tools/list` over stdio";
  } else {
    const std::string& path = options.inputs[0];
    std::ifstream in(path, std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    if (!in.good() && !in.eof()) {
      context.err << "error: cannot read `" << path << "`\n";
      return kExitUsage;
    }
    if (!in.is_open()) {
      context.err << "error: cannot read `" << path << "`\n";
      return kExitUsage;
    }
    listing = buffer.str();
    import_options.source = std::filesystem::path(path).filename().string();
  }

  SchemaImportResult imported = import_mcp_listing(listing, import_options);
  if (!imported.ok()) {
    context.err << "error: " << imported.error << "\n";
    return kExitDiagnostics;
  }
  for (const std::string& warning : imported.warnings) context.err << "warning: " << printable(warning) << "\n";
  if (options.output.empty() || options.output == "-") {
    context.out << imported.text;
  } else {
    if (auto error = write_file_atomically(options.output, imported.text)) {
      context.err << "error: " << *error << "\n";
      return kExitUsage;
    }
  }
  context.err << "imported " << imported.tools << " tool" << (imported.tools == 1 ? "" : "s") << ", "
              << imported.prompts << " prompt" << (imported.prompts == 1 ? "" : "s") << ", " << imported.resources
              << " resource" << (imported.resources == 1 ? "" : "s") << "\n";
  return kExitOk;
}

}  // namespace

Command register_import_tools_command(CLI::App& authzc) {
  auto options = std::make_shared<ImportToolsOptions>();
  CLI::App* import = authzc.add_subcommand(
      "import-tools", "turn an MCP server's tools/list into typed `.authz` tool declarations");
  options->app = import;
  // `--` is kept among the extras so run can tell `FILE` from `-- COMMAND`.
  import->allow_extras();
  import->add_option("INPUT", options->inputs, "a tools/list JSON file, or after `--` the server command and its arguments");
  import->add_option("-o,--output", options->output, "write the module here (default: stdout)");
  import->add_option("--module", options->module_name, "module name (default: imported.<server name>)");
  import->add_flag("--no-prompts", options->no_prompts, "leave out the server's prompts");
  import->add_flag("--no-resources", options->no_resources, "leave out the server's resources and templates");
  import->add_option("--timeout", options->timeout_seconds, "seconds to wait for a started server (default 30)");
  import->footer(
      "The listing file may be a tools/list result ({\"tools\": [...]}), a JSON-RPC response holding one, a\n"
      "bare array of tools, or an object that also has \"prompts\", \"resources\" and \"resourceTemplates\".\n"
      "Tools are `read` only when the server says readOnlyHint: true; lossy type mappings are commented.\n\n"
      "Examples:\n"
      "  authzc import-tools tools.json -o everything.authz --module mcp.everything\n"
      "  authzc import-tools -o fs.authz -- npx @modelcontextprotocol/server-filesystem /srv\n"
      "  authzc check fs.authz\n\n" +
      exit_status_help({{0, "the module was written"},
                        {1, "the listing is not a usable tools/list result"},
                        {2, "usage error, an unreadable file, or a server that could not be asked"}}));
  return Command{import, [options](const Context& context) { return run_import_tools(*options, context); }};
}

}  // namespace authz::cli
