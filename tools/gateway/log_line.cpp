// log_line.cpp — see log_line.h.
#include "tools/gateway/log_line.h"

#include <unistd.h>

#include <string>

#include "tools/gateway/json_text.h"

namespace authz::gateway {

void log_line(std::string_view text) {
  std::string line = "authz-gateway: ";
  line += text;
  line += '\n';
  [[maybe_unused]] auto ignored = ::write(2, line.data(), line.size());
}

std::string event_line(std::string_view name, std::string_view detail, std::string_view session) {
  std::string line = "{\"event\":";
  append_json_string(line, name);
  if (!session.empty()) {
    line += ",\"session\":";
    append_json_string(line, session);
  }
  line += ",\"detail\":";
  append_json_string(line, detail);
  line += '}';
  return line;
}

}  // namespace authz::gateway
