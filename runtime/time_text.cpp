// time_text.cpp — RFC 3339 timestamps and language-style durations.
//
// Calendar arithmetic uses the era-based days-from-civil method (400-year
// cycles of 146097 days), which is exact for every int64 day count we produce.
#include "runtime/internal/time_text.h"

#include <fmt/format.h>

namespace authz::runtime {
namespace {

constexpr std::int64_t kMillisPerDay = 86'400'000;

struct CivilDate {
  std::int64_t year;
  unsigned month;  // 1..12
  unsigned day;    // 1..31
};

std::int64_t floor_divide(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

}  // namespace

// Days since 1970-01-01 of a proleptic Gregorian date.
std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day) {
  year -= month <= 2;
  std::int64_t era = floor_divide(year, 400);
  std::int64_t year_of_era = year - era * 400;                                   // [0, 399]
  std::int64_t day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;  // [0, 365]
  std::int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;
}

namespace {

CivilDate civil_from_days(std::int64_t days) {
  days += 719468;
  std::int64_t era = floor_divide(days, 146097);
  std::int64_t day_of_era = days - era * 146097;  // [0, 146096]
  std::int64_t year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  std::int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  std::int64_t month_index = (5 * day_of_year + 2) / 153;  // [0, 11], March-based
  unsigned day = static_cast<unsigned>(day_of_year - (153 * month_index + 2) / 5 + 1);
  unsigned month = static_cast<unsigned>(month_index < 10 ? month_index + 3 : month_index - 9);
  return {year_of_era + era * 400 + (month <= 2), month, day};
}

bool is_leap(std::int64_t year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

}  // namespace

unsigned days_in_month(std::int64_t year, unsigned month) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap(year) ? 29 : kDays[month - 1];
}

namespace {

// Reads exactly `count` digits at `pos`.
bool read_digits(std::string_view text, std::size_t& pos, int count, unsigned& out) {
  if (pos + count > text.size()) return false;
  out = 0;
  for (int i = 0; i < count; ++i) {
    char c = text[pos + i];
    if (c < '0' || c > '9') return false;
    out = out * 10 + static_cast<unsigned>(c - '0');
  }
  pos += count;
  return true;
}

bool expect(std::string_view text, std::size_t& pos, char c) {
  if (pos >= text.size() || text[pos] != c) return false;
  ++pos;
  return true;
}

}  // namespace

namespace {

struct TimeParts {
  CivilDate date;
  unsigned hour, minute, second, milli;
};

TimeParts time_parts(std::int64_t millis) {
  // Truncating division, then a fix-up, so INT64_MIN cannot overflow.
  std::int64_t days = millis / kMillisPerDay;
  std::int64_t millis_of_day = millis % kMillisPerDay;
  if (millis_of_day < 0) {
    millis_of_day += kMillisPerDay;
    days -= 1;
  }
  return {civil_from_days(days), static_cast<unsigned>(millis_of_day / 3'600'000),
          static_cast<unsigned>(millis_of_day / 60'000 % 60), static_cast<unsigned>(millis_of_day / 1000 % 60),
          static_cast<unsigned>(millis_of_day % 1000)};
}

// The text of `parts` when its year is within 0000..9999 (its length), else 0.
std::size_t write_parts(char (&text)[24], const TimeParts& parts) {
  if (parts.date.year < 0 || parts.date.year > 9999) return 0;
  // The common case, written by hand: this runs for every audit record.
  auto put = [&](std::size_t at, unsigned value, std::size_t width) {
    for (std::size_t i = width; i-- > 0; value /= 10) text[at + i] = static_cast<char>('0' + value % 10);
  };
  put(0, static_cast<unsigned>(parts.date.year), 4);
  text[4] = '-';
  put(5, parts.date.month, 2);
  text[7] = '-';
  put(8, parts.date.day, 2);
  text[10] = 'T';
  put(11, parts.hour, 2);
  text[13] = ':';
  put(14, parts.minute, 2);
  text[16] = ':';
  put(17, parts.second, 2);
  std::size_t size = 19;
  if (parts.milli != 0) {
    text[size++] = '.';
    put(size, parts.milli, 3);
    size += 3;
  }
  text[size++] = 'Z';
  return size;
}

}  // namespace

std::size_t write_timestamp(char (&text)[24], std::int64_t millis) { return write_parts(text, time_parts(millis)); }

std::string format_timestamp(std::int64_t millis) {
  const TimeParts parts = time_parts(millis);
  char text[24];
  if (const std::size_t size = write_parts(text, parts); size != 0) return std::string(text, size);
  const CivilDate& date = parts.date;
  std::string year = date.year < 0 ? fmt::format("-{:06}", -date.year) : fmt::format("+{:06}", date.year);
  if (parts.milli != 0) {
    return fmt::format("{}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", year, date.month, date.day, parts.hour,
                       parts.minute, parts.second, parts.milli);
  }
  return fmt::format("{}-{:02}-{:02}T{:02}:{:02}:{:02}Z", year, date.month, date.day, parts.hour, parts.minute,
                     parts.second);
}

std::optional<std::int64_t> parse_timestamp(std::string_view text) {
  std::size_t pos = 0;
  unsigned year, month, day, hour, minute, second;
  if (!read_digits(text, pos, 4, year) || !expect(text, pos, '-') || !read_digits(text, pos, 2, month) ||
      !expect(text, pos, '-') || !read_digits(text, pos, 2, day)) {
    return std::nullopt;
  }
  if (pos >= text.size() || (text[pos] != 'T' && text[pos] != 't')) return std::nullopt;
  ++pos;
  if (!read_digits(text, pos, 2, hour) || !expect(text, pos, ':') || !read_digits(text, pos, 2, minute) ||
      !expect(text, pos, ':') || !read_digits(text, pos, 2, second)) {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month) || hour > 23 ||
      minute > 59 || second > 59) {
    return std::nullopt;
  }
  unsigned milli = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (digits < 3) milli = milli * 10 + static_cast<unsigned>(text[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return std::nullopt;
    for (int i = digits; i < 3; ++i) milli *= 10;
  }
  std::int64_t offset_minutes = 0;
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    bool negative = text[pos] == '-';
    ++pos;
    unsigned offset_hours, offset_mins;
    if (!read_digits(text, pos, 2, offset_hours) || !expect(text, pos, ':') ||
        !read_digits(text, pos, 2, offset_mins) || offset_hours > 23 || offset_mins > 59) {
      return std::nullopt;
    }
    offset_minutes = static_cast<std::int64_t>(offset_hours * 60 + offset_mins) * (negative ? -1 : 1);
  } else {
    return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;
  std::int64_t days = days_from_civil(year, month, day);
  std::int64_t seconds = days * 86'400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
  return seconds * 1000 + milli;
}

std::string format_duration(std::int64_t millis) {
  if (millis == 0) return "0ms";
  std::string out;
  // Work on the magnitude as unsigned so INT64_MIN has one too.
  std::uint64_t rest = millis < 0 ? std::uint64_t{0} - static_cast<std::uint64_t>(millis)
                                  : static_cast<std::uint64_t>(millis);
  if (millis < 0) out += '-';
  struct Unit {
    std::uint64_t millis;
    const char* suffix;
  };
  static constexpr Unit kUnits[] = {
      {86'400'000, "d"}, {3'600'000, "h"}, {60'000, "m"}, {1000, "s"}, {1, "ms"}};
  for (const Unit& unit : kUnits) {
    if (rest >= unit.millis) {
      out += fmt::format("{}{}", rest / unit.millis, unit.suffix);
      rest %= unit.millis;
    }
  }
  return out;
}

std::optional<std::int64_t> parse_duration(std::string_view text) {
  std::size_t pos = 0;
  bool negative = false;
  if (pos < text.size() && text[pos] == '-') {
    negative = true;
    ++pos;
  }
  if (pos >= text.size()) return std::nullopt;
  std::int64_t total = 0;
  int last_rank = -1;  // units must come largest first, each at most once
  while (pos < text.size()) {
    std::int64_t amount = 0;
    std::size_t digits_start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (__builtin_mul_overflow(amount, 10, &amount) ||
          __builtin_add_overflow(amount, text[pos] - '0', &amount)) {
        return std::nullopt;
      }
      ++pos;
    }
    if (pos == digits_start || pos >= text.size()) return std::nullopt;
    std::int64_t unit = 0;
    int rank = 0;
    if (text.substr(pos, 2) == "ms") {
      unit = 1, rank = 4, pos += 2;
    } else if (text[pos] == 'd') {
      unit = 86'400'000, rank = 0, ++pos;
    } else if (text[pos] == 'h') {
      unit = 3'600'000, rank = 1, ++pos;
    } else if (text[pos] == 'm') {
      unit = 60'000, rank = 2, ++pos;
    } else if (text[pos] == 's') {
      unit = 1000, rank = 3, ++pos;
    } else {
      return std::nullopt;
    }
    if (rank <= last_rank) return std::nullopt;
    last_rank = rank;
    std::int64_t part;
    if (__builtin_mul_overflow(amount, unit, &part) || __builtin_add_overflow(total, part, &total)) {
      return std::nullopt;
    }
  }
  return negative ? -total : total;
}

}  // namespace authz::runtime
