/* authz.h — the runtime's C ABI: load a decision table, evaluate requests
 * given as JSON, read decisions as JSON. Installed as <authz/authz.h>.
 *
 * Contract:
 *   - Every function is callable from C (and any FFI); none lets a C++
 *     exception escape. Every fallible function returns an authz_status and,
 *     when `out_error` is not NULL, stores an authz_error (code + message)
 *     that the caller frees with authz_error_free. On success *out_error is
 *     set to NULL. NULL for a required pointer is AUTHZ_ERR_NULL_ARGUMENT,
 *     never a crash.
 *   - An authz_engine is immutable after loading: any number of threads may
 *     call authz_evaluate on the same engine at once. authz_entities is
 *     immutable too. An authz_decision belongs to the thread that received it
 *     until it is freed.
 *   - Fail closed: a request that cannot be decided (bad JSON, unknown
 *     target, wrong arguments) is either an error status (malformed request
 *     JSON) or a deny decision with a reason; never an allow.
 *   - Strings returned by accessors (authz_decision_json, ...) are
 *     NUL-terminated UTF-8 owned by the object they came from; they stay
 *     valid until that object is freed. Strings returned through `char**`
 *     out-parameters are owned by the caller: free them with authz_string_free.
 *   - Request JSON (all keys but principal.id and target optional):
 *       {"principal": {"id": "u-bob", "roles": ["rep"],
 *                      "attributes": {"manages": []}},
 *        "method": "tools/call" | "resources/read" | "prompts/get",
 *        "target": "get_account",
 *        "arguments": {"account": "acc-1"},
 *        "now": "2026-12-01T00:00:00Z" | <ms since epoch>,
 *        "entities": {"Account": {"acc-1": {"owner": "u-bob", ...}}},
 *        "trace": false}
 *     "now" absent means the current system time. Inline "entities" are
 *     parsed on every call; for many calls load them once with
 *     authz_entities_load_json and pass the handle (inline ones win when both
 *     are given).
 *   - Decision JSON: {"decision_id", "effect": "allow"|"deny", "reason",
 *     "target", "target_kind", "determining_rules": [...],
 *     "obligations": [{"rule", "name", "arguments": {...}}], "message",
 *     "trace"?: {...}} — the same shape as `authzc eval --format json`.
 */
#ifndef AUTHZ_AUTHZ_H
#define AUTHZ_AUTHZ_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* libauthz_c.so is built with hidden visibility: these declarations are the
 * only symbols it exports (versioned AUTHZ_C_1, runtime/c_api/authz_c.map). */
#if defined(__GNUC__)
#pragma GCC visibility push(default)
#endif

/* The ABI version: the shared library's SONAME is libauthz_c.so.<this>. */
#define AUTHZ_C_ABI_VERSION 1

typedef enum authz_status {
  AUTHZ_OK = 0,
  AUTHZ_ERR_NULL_ARGUMENT = 1,   /* a required pointer was NULL */
  AUTHZ_ERR_IO = 2,              /* a file could not be read */
  AUTHZ_ERR_INVALID_TABLE = 3,   /* not a table, corrupt, or another format version */
  AUTHZ_ERR_INVALID_JSON = 4,    /* request or entities are not well-formed JSON */
  AUTHZ_ERR_INVALID_REQUEST = 5, /* well-formed JSON of the wrong shape */
  AUTHZ_ERR_UNTRANSLATABLE = 6,  /* a row filter cannot be expressed in SQL: deny */
  AUTHZ_ERR_OUT_OF_MEMORY = 7,
  AUTHZ_ERR_INTERNAL = 8         /* a bug: please report it */
} authz_status;

/* Which rendering of a decision's explanation to produce. END_USER hides
 * values read from entity data (another user's data); OPERATOR shows all. */
typedef enum authz_audience { AUTHZ_AUDIENCE_END_USER = 0, AUTHZ_AUDIENCE_OPERATOR = 1 } authz_audience;

typedef struct authz_error authz_error;
typedef struct authz_engine authz_engine;
typedef struct authz_entities authz_entities;
typedef struct authz_decision authz_decision;

/* The library's version, "0.1.0". Never NULL. */
const char* authz_version(void);
/* "ok", "null_argument", "io", ... Never NULL. */
const char* authz_status_name(authz_status status);

/* ---- errors ---------------------------------------------------------------- */
authz_status authz_error_code(const authz_error* error);     /* AUTHZ_OK for NULL */
const char* authz_error_message(const authz_error* error);   /* "" for NULL */
void authz_error_free(authz_error* error);                   /* NULL is a no-op */

/* ---- engines ---------------------------------------------------------------- */
/* Loads a table built by `authzc build` from memory (the bytes are copied). */
authz_status authz_engine_load(const void* table_bytes, size_t size, authz_engine** out_engine,
                               authz_error** out_error);
/* Loads a table file. */
authz_status authz_engine_load_file(const char* path, authz_engine** out_engine, authz_error** out_error);
/* Loads a table only if it is signed (`authzc build --sign`) by one of the
 * `key_count` Ed25519 public keys, each PEM text ("-----BEGIN PUBLIC KEY-----",
 * NUL-terminated): an unsigned table, a signature by another key or one that
 * does not verify is AUTHZ_ERR_INVALID_TABLE; a key that is not an Ed25519
 * public key (a private key included) is AUTHZ_ERR_INVALID_REQUEST; no keys
 * at all trust nothing (AUTHZ_ERR_INVALID_TABLE). See docs/signing.md. */
authz_status authz_engine_load_signed(const void* table_bytes, size_t size, const char* const* public_keys_pem,
                                      size_t key_count, authz_engine** out_engine, authz_error** out_error);
void authz_engine_free(authz_engine* engine); /* NULL is a no-op */
/* Lowercase hex SHA-256 of the table body (the policy version for audit
 * records); "" for NULL. Valid while the engine is. */
const char* authz_engine_policy_hash(const authz_engine* engine);

/* ---- entity data -------------------------------------------------------------- */
/* {"Account": {"acc-1": {"owner": "u-bob", "team": "east"}, ...}, ...}. */
authz_status authz_entities_load_json(const char* json, size_t size, authz_entities** out_entities,
                                      authz_error** out_error);
void authz_entities_free(authz_entities* entities); /* NULL is a no-op */

/* ---- evaluation ----------------------------------------------------------------- */
/* Decides one request (JSON, see above; `size` bytes, need not be
 * NUL-terminated). `entities` may be NULL. On AUTHZ_OK *out_decision holds the
 * decision (allow or deny); free it with authz_decision_free. */
authz_status authz_evaluate(const authz_engine* engine, const char* request_json, size_t size,
                            const authz_entities* entities, authz_decision** out_decision,
                            authz_error** out_error);

/* One call, JSON in, JSON out: the decision JSON (END_USER audience for the
 * trace, when asked for) in a new string the caller frees with
 * authz_string_free; *out_size (may be NULL) gets its length. Each calling
 * thread reuses one decision buffer, which keeps the last engine's table in
 * memory until that thread's next call or exit. */
authz_status authz_evaluate_json(const authz_engine* engine, const char* request_json, size_t size,
                                 const authz_entities* entities, char** out_json, size_t* out_size,
                                 authz_error** out_error);
void authz_string_free(char* text); /* NULL is a no-op */

/* ---- row filters: partial evaluation with unknown arguments -------------------- */
/* The request JSON as above plus "unknown": ["account"] (names of unknown
 * parameters; "arguments" then holds the known ones) or "unknown": "all".
 * authz_residual_json: what remains of the decision, as runtime/partial_eval.h's
 * render_residual_json: {"kind": "always_allowed"|"never_allowed"|"conditional",
 * "condition": {...}, "obligations": [...], ...}.
 * authz_residual_sql: the same as a parameterised SQL WHERE fragment:
 * {"kind", "sql": "\"owner\" = ?", "parameters": [{"type": "text"|"integer"|"real",
 * "value": ...}]}, one parameter per `?` in order; never data spliced into
 * the SQL. `columns_json` maps unknown paths to columns:
 * {"account": "id", "account.owner": "owner", "account.team": {"table": "a", "column": "team"}}.
 * A condition SQL cannot express (or an unmapped unknown) is
 * AUTHZ_ERR_UNTRANSLATABLE: the host must then deny. */
authz_status authz_residual_json(const authz_engine* engine, const char* request_json, size_t size,
                                 const authz_entities* entities, char** out_json, size_t* out_size,
                                 authz_error** out_error);
authz_status authz_residual_sql(const authz_engine* engine, const char* request_json, size_t size,
                                const authz_entities* entities, const char* columns_json, size_t columns_size,
                                char** out_json, size_t* out_size, authz_error** out_error);

/* ---- reading a decision (NULL decision: deny / "" ) -------------------------------- */
int authz_decision_allowed(const authz_decision* decision); /* 1 allow, 0 deny */
/* "allowed", "forbidden", "not_permitted", "unknown_target",
 * "invalid_arguments", "expired", "error". */
const char* authz_decision_reason(const authz_decision* decision);
/* The whole decision as JSON; the trace part (if the request asked for one)
 * rendered for `audience`. */
const char* authz_decision_json(authz_decision* decision, authz_audience audience);
/* The obligations array alone: [{"rule", "name", "arguments": {...}}, ...]. */
const char* authz_decision_obligations_json(authz_decision* decision);
/* The explanation as text ("DENY get_account user=u-bob ..."), for logs
 * (OPERATOR) or for the person who made the call (END_USER). */
const char* authz_decision_explanation(authz_decision* decision, authz_audience audience);
void authz_decision_free(authz_decision* decision); /* NULL is a no-op */

#if defined(__GNUC__)
#pragma GCC visibility pop
#endif

#ifdef __cplusplus
}
#endif

#endif /* AUTHZ_AUTHZ_H */
