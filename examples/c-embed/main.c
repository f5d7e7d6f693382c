/* main.c — embedding authz from C: load a decision table, decide two calls
 * of the sales example, print the decisions, free everything.
 *
 * Usage: c_embed TABLE.authzt
 * Build it against the installed package with pkg-config:
 *   cc main.c $(pkg-config --cflags --libs authz-c) -o c_embed
 * or with CMake (find_package(authz) and link authz::c), as CMakeLists.txt
 * beside this file does. Exit status 0 when both decisions are what the
 * sales policy says (bob may open acc-1, not acc-7), 1 otherwise. */
#include <authz/authz.h>

#include <stdio.h>
#include <string.h>

/* Entity data the host would normally read from its database. */
static const char kAccounts[] =
    "{\"Account\": {"
    "\"acc-1\": {\"owner\": \"u-bob\", \"team\": \"east\", \"region\": \"europe\"},"
    "\"acc-7\": {\"owner\": \"u-carol\", \"team\": \"east\", \"region\": \"europe\"}}}";

/* Decides one get_account call by u-bob; returns 1 allow, 0 deny, -1 error. */
static int decide(const authz_engine* engine, const authz_entities* accounts, const char* account) {
  char request[512];
  snprintf(request, sizeof request,
           "{\"principal\": {\"id\": \"u-bob\", \"roles\": [\"rep\"], \"attributes\": {\"manages\": []}},"
           " \"method\": \"tools/call\", \"target\": \"get_account\","
           " \"arguments\": {\"account\": \"%s\"}, \"now\": \"2026-12-01T00:00:00Z\", \"trace\": true}",
           account);
  authz_decision* decision = NULL;
  authz_error* error = NULL;
  if (authz_evaluate(engine, request, strlen(request), accounts, &decision, &error) != AUTHZ_OK) {
    fprintf(stderr, "evaluate failed (%s): %s\n", authz_status_name(authz_error_code(error)),
            authz_error_message(error));
    authz_error_free(error);
    return -1;
  }
  int allowed = authz_decision_allowed(decision);
  printf("get_account %s: %s (%s)\n", account, allowed ? "allow" : "deny", authz_decision_reason(decision));
  printf("%s", authz_decision_explanation(decision, AUTHZ_AUDIENCE_END_USER));
  printf("json: %s\n", authz_decision_json(decision, AUTHZ_AUDIENCE_END_USER));
  authz_decision_free(decision);
  return allowed;
}

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s TABLE.authzt\n", argv[0]);
    return 2;
  }
  authz_engine* engine = NULL;
  authz_error* error = NULL;
  if (authz_engine_load_file(argv[1], &engine, &error) != AUTHZ_OK) {
    fprintf(stderr, "cannot load %s: %s\n", argv[1], authz_error_message(error));
    authz_error_free(error);
    return 2;
  }
  printf("authz %s, policy %s\n", authz_version(), authz_engine_policy_hash(engine));

  authz_entities* accounts = NULL;
  if (authz_entities_load_json(kAccounts, strlen(kAccounts), &accounts, &error) != AUTHZ_OK) {
    fprintf(stderr, "cannot load entities: %s\n", authz_error_message(error));
    authz_error_free(error);
    authz_engine_free(engine);
    return 2;
  }

  int own = decide(engine, accounts, "acc-1");
  int other = decide(engine, accounts, "acc-7");

  authz_entities_free(accounts);
  authz_engine_free(engine);
  return own == 1 && other == 0 ? 0 : 1;
}
