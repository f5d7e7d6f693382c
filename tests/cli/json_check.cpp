// json_check.cpp — validates `authzc --format json` output without python.
//
// Usage: authz_json_check FILE [CODE...]
// Contract: exits 0 when FILE holds exactly one JSON object of the shape
// render_json promises — {"diagnostics":[...],"errors":N,"warnings":M} with
// every diagnostic's keys in the documented order and types, and the counts
// matching the list — and, when CODEs are given, the diagnostics' codes are
// exactly those, in order. Otherwise prints why and exits 1.
#include <simdjson.h>

#include <cstdint>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

bool fail(const std::string& why) {
  std::cerr << "json_check: " << why << "\n";
  return false;
}

bool keys_in_order(object obj, const std::vector<std::string_view>& keys, const std::string& where) {
  std::size_t i = 0;
  for (auto field : obj) {
    if (i >= keys.size() || field.key != keys[i]) {
      return fail(where + ": unexpected key `" + std::string(field.key) + "` at position " + std::to_string(i));
    }
    ++i;
  }
  if (i != keys.size()) return fail(where + ": missing key `" + std::string(keys[i]) + "`");
  return true;
}

bool is_type(element value, element_type type) { return value.type() == type; }
bool is_count(element value) {
  return value.type() == element_type::INT64 || value.type() == element_type::UINT64;
}
bool positive_or_null(element value) {
  if (value.is_null()) return true;
  return is_count(value) && int64_t(value) >= 1;
}

bool check_diagnostic(element diagnostic, std::size_t index, std::string& code, bool& is_error) {
  std::string where = "diagnostic " + std::to_string(index);
  if (!is_type(diagnostic, element_type::OBJECT)) return fail(where + " is not an object");
  object obj = diagnostic;
  if (!keys_in_order(obj, {"code", "severity", "message", "file", "line", "column", "end_line", "end_column",
                           "notes", "help"},
                     where)) {
    return false;
  }
  if (!is_type(obj["code"], element_type::STRING)) return fail(where + ": code is not a string");
  code = std::string(std::string_view(obj["code"]));
  std::string_view severity = obj["severity"].is_string() ? std::string_view(obj["severity"]) : "";
  if (severity != "error" && severity != "warning") return fail(where + ": bad severity");
  is_error = severity == "error";
  if ((code[0] == 'E') != is_error) return fail(where + ": code and severity disagree");
  if (!is_type(obj["message"], element_type::STRING)) return fail(where + ": message is not a string");
  bool located = !obj["file"].is_null();
  if (located && !is_type(obj["file"], element_type::STRING)) return fail(where + ": file is not a string");
  for (const char* key : {"line", "column", "end_line", "end_column"}) {
    if (!positive_or_null(obj[key]) || obj[key].is_null() == located) {
      return fail(where + ": " + key + " must be a positive number exactly when file is set");
    }
  }
  if (!is_type(obj["notes"], element_type::ARRAY)) return fail(where + ": notes is not an array");
  for (element note : obj["notes"].get_array()) {
    if (!is_type(note, element_type::OBJECT)) return fail(where + ": a note is not an object");
    object note_obj = note;
    bool note_located = note_obj.size() > 1;
    if (!keys_in_order(note_obj,
                       note_located ? std::vector<std::string_view>{"message", "file", "line", "column"}
                                    : std::vector<std::string_view>{"message"},
                       where + " note")) {
      return false;
    }
  }
  if (!obj["help"].is_null() && !is_type(obj["help"], element_type::STRING)) {
    return fail(where + ": help is neither null nor a string");
  }
  return true;
}

bool check(const std::string& path, const std::vector<std::string>& expected_codes) {
  simdjson::dom::parser parser;
  simdjson::padded_string text;
  if (auto error = simdjson::padded_string::load(path).get(text); error) return fail("cannot read " + path);
  element root;
  if (auto error = parser.parse(text).get(root); error) {
    return fail(std::string("not valid JSON: ") + simdjson::error_message(error));
  }
  if (!is_type(root, element_type::OBJECT)) return fail("top level is not an object");
  object obj = root;
  if (!keys_in_order(obj, {"diagnostics", "errors", "warnings"}, "top level")) return false;
  if (!is_type(obj["diagnostics"], element_type::ARRAY)) return fail("diagnostics is not an array");
  if (!is_count(obj["errors"]) || !is_count(obj["warnings"])) return fail("errors/warnings are not counts");
  std::vector<std::string> codes;
  std::int64_t errors = 0;
  std::int64_t warnings = 0;
  std::size_t index = 0;
  for (element diagnostic : obj["diagnostics"].get_array()) {
    std::string code;
    bool is_error = false;
    if (!check_diagnostic(diagnostic, index++, code, is_error)) return false;
    codes.push_back(code);
    (is_error ? errors : warnings) += 1;
  }
  if (errors != int64_t(obj["errors"]) || warnings != int64_t(obj["warnings"])) {
    return fail("errors/warnings do not match the diagnostics");
  }
  if (!expected_codes.empty() && codes != expected_codes) {
    std::string got;
    for (const std::string& code : codes) got += " " + code;
    return fail("codes were" + (got.empty() ? std::string(" (none)") : got));
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: authz_json_check FILE [CODE...]\n";
    return 2;
  }
  std::vector<std::string> expected(argv + 2, argv + argc);
  try {
    return check(argv[1], expected) ? 0 : 1;
  } catch (const simdjson::simdjson_error& error) {  // a value of the wrong type
    return fail(std::string("wrong shape: ") + error.what()) ? 0 : 1;
  }
}
