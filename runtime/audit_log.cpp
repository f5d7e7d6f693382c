// audit_log.cpp — AuditLog, the appending writer: opening a log (one writer
// per file, a crash's incomplete last line cut off on request, the chain's
// head read back from the last record) and appending records to the hash
// chain, cutting a failed write back so the file stays a valid chain
// (contract in audit_log.h; chain rules in docs/audit.md).
#include "runtime/audit_log.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <simdjson.h>

#include <cerrno>
#include <mutex>
#include <string>
#include <utility>

#include "runtime/internal/audit_format.h"
#include "runtime/internal/sha256.h"

namespace authz::runtime {
namespace {

using internal::errno_text;
using internal::hash_of_stored_line;
using internal::is_canonical_fragment;
using internal::kSha256Failed;

// Sets `error` and returns false: AuditLog::append's failures, in one line each.
bool fail(std::string& error, std::string message) {
  error = std::move(message);
  return false;
}

}  // namespace

struct AuditLog::State {
  std::string path;
  AuditLogOptions options;
  int fd = -1;
  std::mutex mutex;
  std::uint64_t seq = 0;
  std::string head = std::string(kAuditGenesisHash);
  off_t size = 0;       // bytes of complete records in the file
  bool broken = false;  // a failed write could not be cut back
  std::string recovery_note;
  simdjson::dom::parser parser;
  std::string line;  // the record being written, reused

  ~State() {
    if (fd >= 0) ::close(fd);
  }
};

namespace {

bool read_at(int fd, off_t offset, std::size_t length, std::string& out) {
  out.resize(length);
  std::size_t done = 0;
  while (done < length) {
    ssize_t got = ::pread(fd, out.data() + done, length - done, offset + static_cast<off_t>(done));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return false;
    done += static_cast<std::size_t>(got);
  }
  return true;
}

// Reads backwards from `end` until the byte range [start, end) is one line
// with no '\n' before it (start = 0, or the byte after a '\n').
bool find_line_start(int fd, off_t end, off_t& start) {
  constexpr off_t kChunk = 64 * 1024;
  off_t position = end;
  std::string chunk;
  while (position > 0) {
    off_t from = position > kChunk ? position - kChunk : 0;
    if (!read_at(fd, from, static_cast<std::size_t>(position - from), chunk)) return false;
    std::size_t newline = chunk.rfind('\n');
    if (newline != std::string::npos) {
      start = from + static_cast<off_t>(newline) + 1;
      return true;
    }
    position = from;
  }
  start = 0;
  return true;
}

}  // namespace

AuditLog::AuditLog(std::unique_ptr<State> state) : state_(std::move(state)) {}
AuditLog::AuditLog(AuditLog&&) noexcept = default;
AuditLog& AuditLog::operator=(AuditLog&&) noexcept = default;
AuditLog::~AuditLog() = default;

Result<AuditLog> AuditLog::open(const std::string& path, AuditLogOptions options) {
  using R = Result<AuditLog>;
  auto state = std::make_unique<State>();
  state->path = path;
  state->options = options;
  state->fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (state->fd < 0) return R::failure("cannot open audit log `" + path + "`: " + errno_text(errno));
  if (::flock(state->fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) return R::failure("audit log `" + path + "` is in use by another writer");
    return R::failure("cannot lock audit log `" + path + "`: " + errno_text(errno));
  }
  struct stat info {};
  if (::fstat(state->fd, &info) != 0) return R::failure("cannot stat audit log `" + path + "`: " + errno_text(errno));
  if (!S_ISREG(info.st_mode)) return R::failure("audit log `" + path + "` is not a regular file");
  off_t size = info.st_size;
  if (size == 0) return R::success(AuditLog(std::move(state)));

  std::string last_byte;
  if (!read_at(state->fd, size - 1, 1, last_byte)) return R::failure("cannot read audit log `" + path + "`");
  off_t complete_end = size;  // one past the last complete line's '\n'
  if (last_byte[0] != '\n') {
    off_t tail_start = 0;
    if (!find_line_start(state->fd, size, tail_start)) return R::failure("cannot read audit log `" + path + "`");
    if (!options.cut_incomplete_tail) {
      return R::failure("audit log `" + path + "` ends with an incomplete line (a crash mid-write?); run `authzc audit verify`");
    }
    if (::ftruncate(state->fd, tail_start) != 0) {
      return R::failure("cannot cut the incomplete last line of audit log `" + path + "`: " + errno_text(errno));
    }
    state->recovery_note = "audit log `" + path + "`: cut " + std::to_string(size - tail_start) +
                           " bytes of an incomplete last line (a crash mid-write; that decision was never acknowledged)";
    complete_end = tail_start;
  }
  state->size = complete_end;
  if (complete_end == 0) return R::success(AuditLog(std::move(state)));

  off_t line_start = 0;
  if (!find_line_start(state->fd, complete_end - 1, line_start)) return R::failure("cannot read audit log `" + path + "`");
  std::string line;
  if (!read_at(state->fd, line_start, static_cast<std::size_t>(complete_end - 1 - line_start), line)) {
    return R::failure("cannot read audit log `" + path + "`");
  }
  auto parsed = internal::parse_audit_record_with(state->parser, line);
  if (!parsed.ok()) {
    return R::failure("the last record of audit log `" + path + "` is not valid (" + parsed.error() +
                      "); refusing to extend a broken chain: run `authzc audit verify`");
  }
  auto stored_hash = hash_of_stored_line(line);
  if (!stored_hash) {
    return R::failure("cannot check the last record of audit log `" + path + "`: " + std::string(kSha256Failed));
  }
  if (*stored_hash != parsed.value().hash) {
    return R::failure("the last record of audit log `" + path +
                      "` does not match its hash; refusing to extend a broken chain: run `authzc audit verify`");
  }
  state->seq = parsed.value().seq;
  state->head = parsed.value().hash;
  return R::success(AuditLog(std::move(state)));
}

bool AuditLog::append(AuditRecord& record, std::string& error) {
  if (!state_) return fail(error, "audit log is not open");
  State& state = *state_;
  std::lock_guard<std::mutex> lock(state.mutex);
  if (state.broken) return fail(error, "audit log `" + state.path + "` is unusable after an earlier write failure");

  // Only lines the verifier accepts are written: the two raw JSON fragments
  // the caller may have filled in must be minified JSON of the right kind
  // (strings are escaped canonically by construction).
  const bool made_canonical =
      record.canonical_fragments != 0 && record.canonical_fragments == internal::fragments_digest(record);
  if (!made_canonical && !record.arguments_json.empty() &&
      !is_canonical_fragment(state.parser, record.arguments_json, true)) {
    return fail(error, "audit record would not verify: `arguments` is not a minified JSON object");
  }
  if (!made_canonical && !record.obligations_json.empty() && record.obligations_json != "[]" &&
      !is_canonical_fragment(state.parser, record.obligations_json, false)) {
    return fail(error, "audit record would not verify: `obligations` is not a minified JSON array");
  }
  record.seq = state.seq + 1;
  record.previous.assign(state.head);
  std::string& line = state.line;
  line.clear();
  append_audit_record(line, record, false);
  // An unhashable record is not written: the decision fails closed, exactly
  // as for a write error (the chain is untouched, so the log stays usable).
  auto digest = sha256(line);
  if (!digest) return fail(error, "cannot hash the audit record for `" + state.path + "`: " + std::string(kSha256Failed));
  to_hex(*digest, record.hash);
  line.pop_back();  // the closing brace; the hash field goes before it
  line += ",\"hash\":\"";
  line += record.hash;
  line += "\"}\n";

  std::size_t done = 0;
  while (done < line.size()) {
    ssize_t wrote = ::write(state.fd, line.data() + done, line.size() - done);
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote <= 0) {
      const int code = wrote < 0 ? errno : EIO;
      // Cut back a partial line so the file stays a valid chain.
      if (done > 0 && ::ftruncate(state.fd, state.size) != 0) state.broken = true;
      return fail(error, "cannot write audit log `" + state.path + "`: " + errno_text(code));
    }
    done += static_cast<std::size_t>(wrote);
  }
  if (state.options.sync_every_record && ::fdatasync(state.fd) != 0) {
    const int code = errno;
    // The line may or may not be durable; the chain continues from it
    // either way, but the caller must treat this decision as failed.
    state.seq = record.seq;
    state.head = record.hash;
    state.size += static_cast<off_t>(line.size());
    return fail(error, "cannot sync audit log `" + state.path + "`: " + errno_text(code));
  }
  state.seq = record.seq;
  state.head.assign(record.hash);
  state.size += static_cast<off_t>(line.size());
  return true;
}

Result<std::string> AuditLog::append(AuditRecord& record) {
  std::string error;
  if (!append(record, error)) return Result<std::string>::failure(std::move(error));
  return Result<std::string>::success(record.hash);
}

const std::string& AuditLog::path() const { return state_->path; }
std::string AuditLog::head_hash() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->head;
}
std::uint64_t AuditLog::records() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->seq;
}
const std::string& AuditLog::recovery_note() const { return state_->recovery_note; }

}  // namespace authz::runtime
