// toml_reader.h — the checks every TOML section reader of the gateway shares
// ([oauth], [http], [upstream], [entities.*]): a value of the expected type
// into a C++ field, or one error naming the key and its line.
//
// Contract: each member returns true and fills `out`, or returns false
// after fail() kept the FIRST error as `SOURCE:LINE: message` (later errors
// are dropped, so a reader can stop at the first false). Section readers
// derive from TomlReader and add their own keys; the wording of the messages
// is the documented one (docs/oauth.md, docs/http-gateway.md,
// docs/entity-sources.md). read_config_file() and parse_error_message() are
// the one wording of a configuration file that cannot be read and of a
// document toml++ refused. Header-only: every includer links toml++.
#pragma once

#include <toml++/toml.h>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "runtime/result.h"

namespace authz::config {

// The text of the configuration file at `path`, or "cannot read `PATH`".
inline runtime::Result<std::string> read_config_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return runtime::Result<std::string>::failure("cannot read `" + path + "`");
  std::ostringstream text;
  text << file.rdbuf();
  return runtime::Result<std::string>::success(text.str());
}

// `SOURCE:LINE: description` for a TOML document that does not parse.
inline std::string parse_error_message(const toml::parse_error& error, const std::string& source) {
  return source + ":" + std::to_string(error.source().begin.line) + ": " + std::string(error.description());
}

struct TomlReader {
  explicit TomlReader(std::string source_name) : source(std::move(source_name)) {}

  std::string source;  // the name errors show (a path)
  std::string error;   // the first error, empty while there is none

  bool fail(const toml::node& node, const std::string& message) {
    if (error.empty()) error = source + ":" + std::to_string(node.source().begin.line) + ": " + message;
    return false;
  }
  bool string(const toml::node& node, const std::string& key, std::string& out) {
    if (!node.is_string()) return fail(node, "`" + key + "` must be a string");
    out = *node.value<std::string>();
    return true;
  }
  bool nonempty_string(const toml::node& node, const std::string& key, std::string& out) {
    if (!string(node, key, out)) return false;
    if (out.empty()) return fail(node, "`" + key + "` must not be empty");
    return true;
  }
  bool strings(const toml::node& node, const std::string& key, std::vector<std::string>& out) {
    const toml::array* array = node.as_array();
    if (!array) return fail(node, "`" + key + "` must be an array of strings");
    out.clear();
    for (const toml::node& element : *array) {
      if (!element.is_string()) return fail(element, "`" + key + "` must be an array of strings");
      out.push_back(*element.value<std::string>());
    }
    return true;
  }
  bool boolean(const toml::node& node, const std::string& key, bool& out) {
    if (!node.is_boolean()) return fail(node, "`" + key + "` must be true or false");
    out = *node.value<bool>();
    return true;
  }
  // An integer of at least `minimum`.
  template <class T>
  bool count(const toml::node& node, const std::string& key, T& out, std::int64_t minimum) {
    if (!node.is_integer()) return fail(node, "`" + key + "` must be an integer");
    std::int64_t value = *node.value<std::int64_t>();
    if (value < minimum) return fail(node, "`" + key + "` must be at least " + std::to_string(minimum));
    out = static_cast<T>(value);
    return true;
  }
  // An integer in [minimum, maximum].
  template <class T>
  bool count(const toml::node& node, const std::string& key, T& out, std::int64_t minimum, std::int64_t maximum) {
    if (!node.is_integer()) return fail(node, "`" + key + "` must be an integer");
    std::int64_t value = *node.value<std::int64_t>();
    if (value < minimum || value > maximum) {
      return fail(node, "`" + key + "` must be between " + std::to_string(minimum) + " and " + std::to_string(maximum));
    }
    out = static_cast<T>(value);
    return true;
  }
};

}  // namespace authz::config
