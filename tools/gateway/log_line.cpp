// log_line.cpp — see log_line.h.
#include "tools/gateway/log_line.h"

#include <unistd.h>

#include <string>

namespace authz::gateway {

void log_line(std::string_view text) {
  std::string line = "authz-gateway: ";
  line += text;
  line += '\n';
  [[maybe_unused]] auto ignored = ::write(2, line.data(), line.size());
}

}  // namespace authz::gateway
