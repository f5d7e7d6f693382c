// literals.cpp — see literals.h. Moved out of compiler/parse.cpp so that the
// ANTLR adapter and the fast path decode literals with the same code.
#include "compiler/literals.h"

#include <algorithm>
#include <cctype>
#include <limits>

#include "runtime/internal/utf8.h"
#include "runtime/internal/time_text.h"
#include "runtime/internal/value_text.h"

namespace authz {
namespace {

std::string display(std::string_view text, std::size_t max_points = 32) {
  std::string out;
  std::size_t points = 0;
  for (std::size_t i = 0; i < text.size();) {
    if (points == max_points) {
      out += "...";
      break;
    }
    unsigned char byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x20 || byte == 0x7F) {
      out += hex_byte(byte);
      ++i;
    } else {
      std::size_t length = std::min(utf8_sequence_length(byte), text.size() - i);
      out.append(text.substr(i, length));
      i += length;
    }
    ++points;
  }
  return out;
}

bool is_hex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

unsigned hex_value(std::string_view four) {
  unsigned value = 0;
  for (char c : four) value = value * 16 + static_cast<unsigned>(std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : (std::tolower(static_cast<unsigned char>(c)) - 'a' + 10));
  return value;
}

constexpr std::int64_t kMillisPerSecond = 1000;
constexpr std::int64_t kMillisPerMinute = 60 * kMillisPerSecond;
constexpr std::int64_t kMillisPerHour = 60 * kMillisPerMinute;
constexpr std::int64_t kMillisPerDay = 24 * kMillisPerHour;

const char* const kMonthNames[] = {"January", "February", "March",     "April",   "May",      "June",
                                   "July",    "August",   "September", "October", "November", "December"};

// Records a problem spanning the whole token.
bool whole_token_problem(std::vector<LiteralProblem>* problems, DiagCode code, std::string_view text,
                         std::string message, std::string help) {
  if (problems != nullptr) {
    problems->push_back({code, 0, static_cast<std::uint32_t>(text.size()), std::move(message), std::move(help)});
  }
  return false;
}

}  // namespace

std::string hex_byte(unsigned char byte) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  return std::string("\\x") + kDigits[byte >> 4] + kDigits[byte & 0xF];
}

std::size_t utf8_sequence_length(unsigned char lead) {
  if (lead >= 0xF0) return 4;
  if (lead >= 0xE0) return 3;
  if (lead >= 0xC0) return 2;
  return 1;
}

std::string quote(std::string_view text) { return "`" + display(text) + "`"; }

bool decode_string_literal(std::string_view raw, bool unterminated, std::string& out,
                           std::vector<LiteralProblem>* problems) {
  out.clear();
  if (raw.empty() || raw.front() != '"') return true;
  std::size_t end = raw.size();
  if (!unterminated && end >= 2) --end;  // the closing quote
  // Most strings have no escape at all: one copy.
  const std::string_view body = raw.substr(1, end - 1);
  if (body.find('\\') == std::string_view::npos) {
    out.assign(body);
    return true;
  }
  bool fine = true;
  static const std::string kEscapeHelp =
      "the escapes are `\\\"`, `\\\\`, `\\/`, `\\b`, `\\f`, `\\n`, `\\r`, `\\t` and `\\uXXXX`; "
      "write `\\\\` for a backslash";
  // Returns false when the caller must stop (no list to record into).
  auto problem = [&](std::size_t from, std::size_t to, std::string message, std::string help) {
    fine = false;
    if (problems == nullptr) return false;
    problems->push_back({DiagCode::InvalidEscape, static_cast<std::uint32_t>(from), static_cast<std::uint32_t>(to),
                         std::move(message), std::move(help)});
    return true;
  };
  // Reads `\uXXXX` at i; returns the value or -1.
  auto unicode_escape = [&](std::size_t i) -> long {
    if (i + 6 > end || raw[i] != '\\' || raw[i + 1] != 'u') return -1;
    for (std::size_t j = i + 2; j < i + 6; ++j) {
      if (!is_hex(raw[j])) return -1;
    }
    return static_cast<long>(hex_value(raw.substr(i + 2, 4)));
  };
  for (std::size_t i = 1; i < end;) {
    if (raw[i] != '\\') {
      out += raw[i++];
      continue;
    }
    if (i + 1 >= end) break;  // a lone backslash ending an unterminated string; E0002 said enough
    const char escape = raw[i + 1];
    switch (escape) {
      case '"': out += '"'; i += 2; continue;
      case '\\': out += '\\'; i += 2; continue;
      case '/': out += '/'; i += 2; continue;
      case 'b': out += '\b'; i += 2; continue;
      case 'f': out += '\f'; i += 2; continue;
      case 'n': out += '\n'; i += 2; continue;
      case 'r': out += '\r'; i += 2; continue;
      case 't': out += '\t'; i += 2; continue;
      case 'u': break;
      default: {
        const std::size_t length = std::min(utf8_sequence_length(static_cast<unsigned char>(escape)), end - i - 1);
        if (!unterminated &&
            !problem(i, i + 1 + length, "invalid escape " + quote(raw.substr(i, 1 + length)) + " in string",
                     kEscapeHelp)) {
          return false;
        }
        i += 1 + length;
        continue;
      }
    }
    const long unit = unicode_escape(i);
    if (unit < 0) {
      std::size_t stop = i + 2;
      while (stop < end && stop < i + 6 && is_hex(raw[stop])) ++stop;
      if (!unterminated && !problem(i, stop, "invalid escape " + quote(raw.substr(i, stop - i)) + " in string",
                                    "`\\u` takes exactly four hex digits, as in `\\u00e9`")) {
        return false;
      }
      i = stop;
      continue;
    }
    if (unit >= 0xD800 && unit <= 0xDBFF) {
      const long low = unicode_escape(i + 6);
      if (low >= 0xDC00 && low <= 0xDFFF) {
        runtime::internal::append_utf8(out, static_cast<char32_t>(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)));
        i += 12;
        continue;
      }
    }
    if (unit >= 0xD800 && unit <= 0xDFFF) {
      if (!unterminated && !problem(i, i + 6, "escape " + quote(raw.substr(i, 6)) + " is half of a surrogate pair",
                                    "write the pair (`\\uD83D\\uDE00`) or the character itself")) {
        return false;
      }
      i += 6;
      continue;
    }
    runtime::internal::append_utf8(out, static_cast<char32_t>(unit));
    i += 6;
  }
  return fine;
}

bool decode_int_literal(std::string_view digits, std::int64_t& value, std::vector<LiteralProblem>* problems) {
  std::uint64_t accumulated = 0;
  for (char c : digits) {
    const std::uint64_t digit = static_cast<std::uint64_t>(c - '0');
    if (accumulated > (static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) - digit) / 10) {
      value = 0;
      return whole_token_problem(problems, DiagCode::NumberOutOfRange, digits,
                                 "integer " + quote(digits) + " is too large", "an Int is at most 9223372036854775807");
    }
    accumulated = accumulated * 10 + digit;
  }
  value = static_cast<std::int64_t>(accumulated);
  return true;
}

bool decode_duration_literal(std::string_view text, std::int64_t& value, std::vector<LiteralProblem>* problems) {
  std::int64_t total = 0;
  for (std::size_t i = 0; i < text.size();) {
    std::int64_t amount = 0;
    bool overflow = false;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
      overflow |= __builtin_mul_overflow(amount, 10, &amount);
      overflow |= __builtin_add_overflow(amount, text[i] - '0', &amount);
      ++i;
    }
    std::int64_t unit = kMillisPerSecond;
    if (text.substr(i, 2) == "ms") unit = 1, i += 2;
    else if (i < text.size()) {
      switch (text[i]) {
        case 'd': unit = kMillisPerDay; break;
        case 'h': unit = kMillisPerHour; break;
        case 'm': unit = kMillisPerMinute; break;
        default: unit = kMillisPerSecond; break;
      }
      ++i;
    }
    overflow |= __builtin_mul_overflow(amount, unit, &amount);
    overflow |= __builtin_add_overflow(total, amount, &total);
    if (overflow) {
      value = 0;
      return whole_token_problem(problems, DiagCode::NumberOutOfRange, text,
                                 "duration " + quote(text) + " is too large",
                                 "a duration is at most 106751991167d (about 292 million years)");
    }
  }
  value = total;
  return true;
}

// `YYYY-MM-DDThh:mm:ss[.fff...](Z|±hh:mm)` -> ms since the epoch, UTC. The
// lexer guarantees the shape; this checks the calendar.
bool decode_timestamp_literal(std::string_view text, std::int64_t& value, std::vector<LiteralProblem>* problems) {
  value = 0;
  auto number = [&](std::size_t at, std::size_t length) {
    int result = 0;
    for (std::size_t i = at; i < at + length && i < text.size(); ++i) result = result * 10 + (text[i] - '0');
    return result;
  };
  auto invalid = [&](const std::string& why) {
    return whole_token_problem(problems, DiagCode::InvalidTimestamp, text, "invalid timestamp " + quote(text) + ": " + why,
                               "write timestamps as `YYYY-MM-DDThh:mm:ssZ` (UTC) or with an offset like `+02:00`");
  };
  if (text.size() < 20) return invalid("it is incomplete");
  const int year = number(0, 4), month = number(5, 2), day = number(8, 2);
  const int hour = number(11, 2), minute = number(14, 2), second = number(17, 2);
  if (month < 1 || month > 12) return invalid("there is no month " + std::string(text.substr(5, 2)));
  if (day < 1 || day > static_cast<int>(runtime::days_in_month(year, static_cast<unsigned>(month)))) {
    return invalid(std::string(kMonthNames[month - 1]) + " " + std::to_string(year) + " has no day " +
                   std::string(text.substr(8, 2)));
  }
  if (hour > 23) return invalid("the hour must be 00 to 23");
  if (minute > 59) return invalid("the minute must be 00 to 59");
  if (second > 59) return invalid("the second must be 00 to 59");
  std::size_t i = 19;
  std::int64_t millis = 0;
  if (i < text.size() && text[i] == '.') {
    ++i;
    int scale = 100;
    for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i) {
      millis += (text[i] - '0') * scale;  // finer than a millisecond is dropped
      scale /= 10;
    }
  }
  std::int64_t offset = 0;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
    const int offset_hours = number(i + 1, 2), offset_minutes = number(i + 4, 2);
    if (offset_hours > 23) return invalid("the offset's hours must be 00 to 23");
    if (offset_minutes > 59) return invalid("the offset's minutes must be 00 to 59");
    offset = (text[i] == '+' ? 1 : -1) * (offset_hours * kMillisPerHour + offset_minutes * kMillisPerMinute);
  }
  const std::int64_t days = runtime::days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  value = days * kMillisPerDay + hour * kMillisPerHour + minute * kMillisPerMinute + second * kMillisPerSecond +
          millis - offset;
  return true;
}

}  // namespace authz
