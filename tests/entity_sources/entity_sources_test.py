#!/usr/bin/env python3
"""entity_sources_test.py — entity attributes read from real databases, end to
end (issue 16): authz-gateway, `authzc eval`, `authzc check-entities` and
`authzc test` with [entities.TYPE] sources, in front of examples/sales.

SQLite part (always): a suite pointing at an SQLite fixture; check-entities
on a good and a disagreeing schema; eval against the fixture.

PostgreSQL part: a real PostgreSQL 15 started here (initdb into a temporary
directory, pg_ctl on a Unix socket in it; as the `postgres` user when run as
root, since postgres refuses root), stopped in a `finally`. Through the
gateway: a new account inserted while it runs is decided on the next call;
an account moved to another team changes a manager's access within the
cache age; a SQL-looking id matches nothing; the database stopped mid-run
denies every call that needs it with reason `error` (audited) and allows
nothing; a schema disagreeing with the policy is refused at start-up naming
the column; the connection string's password appears nowhere.

Usage: entity_sources_test.py AUTHZC AUTHZ_GATEWAY REPO_ROOT
Exit 77 (ctest: skipped) only when the PostgreSQL binaries are missing, after
the SQLite part passed."""
import json
import os
import pwd
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

AUTHZC, GATEWAY, ROOT = sys.argv[1:4]
PG_BIN = os.environ.get("AUTHZ_PG_BIN", "/usr/lib/postgresql/15/bin")
SALES = os.path.join(ROOT, "examples", "sales")
HERE = os.path.dirname(os.path.abspath(__file__))
NOW = "2026-12-01T00:00:00Z"
PASSWORD = "s3cret-pw-never-printed"
failures = []


def check(condition, what):
    print(("ok   " if condition else "FAIL ") + what, flush=True)
    if not condition:
        failures.append(what)


def run(*args, **kwargs):
    return subprocess.run(list(args), capture_output=True, text=True, timeout=60, **kwargs)


ACCOUNTS = [("acc-1", "u-bob", "east", "north-america"), ("acc-7", "u-carol", "east", "europe"),
            ("acc-9", "u-hank", "west", "north-america")]


def sqlite_part(work):
    db = os.path.join(work, "fixture.db")
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE accounts (id TEXT PRIMARY KEY, owner TEXT, team TEXT, region TEXT)")
    con.executemany("INSERT INTO accounts VALUES (?,?,?,?)", ACCOUNTS)
    con.execute("CREATE TABLE bad_accounts (id TEXT PRIMARY KEY, owner TEXT, team INTEGER, region TEXT)")
    con.commit()
    con.close()
    with open(os.path.join(work, "fixture.toml"), "w") as f:
        f.write('[entities.Account]\nsqlite = "fixture.db"\n'
                'query = "SELECT owner, team, region FROM accounts WHERE id = ?"\n')
    with open(os.path.join(work, "bad.toml"), "w") as f:
        f.write('[entities.Account]\nsqlite = "fixture.db"\n'
                'query = "SELECT owner, team, region FROM bad_accounts WHERE id = ?"\n')
    # A suite that reads its accounts from the fixture.
    with open(os.path.join(work, "db.authz.test"), "w") as f:
        f.write(f'policy "{SALES}"\nnow {NOW}\nentity_sources "fixture.toml"\n'
                'user u-bob roles rep {"manages": []}\nuser u-dana roles manager {"manages": ["east"]}\n\n'
                'test "rep opens own account from the database"\n  as u-bob\n'
                '  call get_account {"account": "acc-1"}\n  expect allow by owners_read_own\n\n'
                'test "rep cannot open another rep\'s account"\n  as u-bob\n'
                '  call get_account {"account": "acc-7"}\n  expect deny forbidden by no_cross_user_accounts\n\n'
                'test "manager opens a team account"\n  as u-dana\n'
                '  call get_account {"account": "acc-7"}\n  expect allow by managers_team_accounts\n\n'
                'test "an id that looks like SQL matches nothing"\n  as u-bob\n'
                '  call get_account {"account": "\' OR 1=1 --"}\n  expect deny\n')
    result = run(AUTHZC, "test", os.path.join(work, "db.authz.test"))
    check(result.returncode == 0 and "4 passed, 0 failed" in result.stdout + result.stderr,
          "authzc test runs a suite against an SQLite fixture: " + (result.stdout + result.stderr).strip()[-200:])
    result = run(AUTHZC, "check-entities", SALES, "--entities-config", os.path.join(work, "fixture.toml"))
    check(result.returncode == 0 and "1 entity source fits policy `sales`" in result.stderr,
          "check-entities accepts the fixture: " + result.stderr.strip())
    result = run(AUTHZC, "check-entities", SALES, "--entities-config", os.path.join(work, "bad.toml"))
    check(result.returncode == 1 and "column `team` is INTEGER" in result.stderr and "Account.team" in result.stderr,
          "check-entities refuses a column of the wrong type, naming it: " + result.stderr.strip())
    result = run(AUTHZC, "eval", SALES, "--entities-config", os.path.join(work, "fixture.toml"), "--now", NOW,
                 "--user", "u-bob", "--role", "rep", "--attributes", '{"manages": []}',
                 "--call", "get_account", '{"account": "acc-1"}')
    check(result.returncode == 0 and "ALLOW" in result.stdout, "authzc eval --entities-config reads SQLite")


# ---- PostgreSQL ---------------------------------------------------------------------

class Postgres:
    def __init__(self, work):
        self.dir = os.path.join(work, "pg")
        os.makedirs(self.dir)
        self.as_user = []
        if os.geteuid() == 0:  # postgres refuses to run as root
            user = pwd.getpwnam("postgres")
            os.chown(work, user.pw_uid, user.pw_gid)
            os.chown(self.dir, user.pw_uid, user.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self.data = os.path.join(self.dir, "data")
        self.port = "5499"
        self.conninfo = f"host={self.dir} port={self.port} dbname=sales user=authz password={PASSWORD}"
        self.running = False

    def command(self, *args):
        result = run(*self.as_user, *args)
        if result.returncode != 0:
            raise RuntimeError(f"{args[0]} failed: {result.stdout}{result.stderr}")
        return result

    def start(self):
        if not os.path.exists(self.data):
            self.command(f"{PG_BIN}/initdb", "-D", self.data, "-A", "trust", "-U", "postgres", "--no-sync")
        self.command(f"{PG_BIN}/pg_ctl", "-D", self.data, "-w", "-l", os.path.join(self.dir, "log"), "-o",
                     f"-k {self.dir} -p {self.port} -c listen_addresses='' -c fsync=off", "start")
        self.running = True

    def stop(self, mode="fast"):
        if self.running:
            run(*self.as_user, f"{PG_BIN}/pg_ctl", "-D", self.data, "-m", mode, "-w", "stop")
            self.running = False

    def sql(self, statements, db="sales", user="authz"):
        return self.command(f"{PG_BIN}/psql", "-v", "ON_ERROR_STOP=1", "-q", "-h", self.dir, "-p", self.port,
                            "-U", user, "-d", db, "-c", statements)


class Gateway:
    """authz-gateway in front of the fake server, driven line by line."""

    def __init__(self, table, config, audit, user, roles, attributes):
        args = [GATEWAY, "--policy", table, "--entities-config", config, "--audit", audit, "--now", NOW,
                "--user", user, "--attributes", attributes]
        for role in roles:
            args += ["--role", role]
        self.process = subprocess.Popen(args + ["--", sys.executable, os.path.join(HERE, "fake_mcp_server.py")],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        text=True)
        self.next_id = 1
        self.request("initialize", {"protocolVersion": "2025-06-18", "capabilities": {},
                                    "clientInfo": {"name": "test", "version": "1"}})
        self.send({"jsonrpc": "2.0", "method": "notifications/initialized"})

    def send(self, message):
        self.process.stdin.write(json.dumps(message) + "\n")
        self.process.stdin.flush()

    def request(self, method, params):
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})
        while True:
            line = self.process.stdout.readline()
            if not line:
                raise RuntimeError("the gateway closed its output: " + self.process.stderr.read())
            reply = json.loads(line)
            if reply.get("id") == self.next_id:
                return reply

    def call(self, tool, arguments):
        """'served', or the refusal text."""
        reply = self.request("tools/call", {"name": tool, "arguments": arguments})
        if "error" in reply:
            return "refused: " + json.dumps(reply["error"])
        text = reply["result"]["content"][0]["text"]
        return "served" if text.startswith("served") and not reply["result"].get("isError") else "refused: " + text

    def close(self):
        try:
            self.process.stdin.close()
        except Exception:
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        return self.process.stderr.read()


def last_audit(audit):
    with open(audit) as f:
        return json.loads(f.readlines()[-1])


def postgres_part(work, table):
    pg = Postgres(work)
    gateways = []
    try:
        pg.start()
        pg.sql("CREATE ROLE authz LOGIN", db="postgres", user="postgres")
        pg.sql("CREATE DATABASE sales OWNER authz", db="postgres", user="postgres")
        pg.sql("CREATE TABLE accounts (id text PRIMARY KEY, owner text NOT NULL, team text NOT NULL, region text NOT NULL);"
               "INSERT INTO accounts VALUES " + ",".join(f"('{a}','{o}','{t}','{r}')" for a, o, t, r in ACCOUNTS) + ";"
               "CREATE TABLE users (id text PRIMARY KEY, manages jsonb NOT NULL);"
               "INSERT INTO users VALUES ('u-dana', '[\"east\"]');"
               "CREATE TABLE accounts_v2 (id text PRIMARY KEY, owner text, team integer, region text);")
        query = "SELECT owner, team, region FROM accounts WHERE id = $1"

        def config(name, extra="", query=query):
            path = os.path.join(work, name)
            with open(path, "w") as f:
                f.write(f'[entities]\n{extra}\n[entities.Account]\npostgresql = "{pg.conninfo}"\n'
                        f'query = "{query}"\ntimeout_ms = 500\n'
                        f'[entities.User]\npostgresql = "{pg.conninfo}"\n'
                        'query = "SELECT manages FROM users WHERE id = $1"\n')
            return path

        plain = config("pg.toml")
        cached = config("pg-cached.toml", "cache_max_age_ms = 1500")

        # check-entities against the live server.
        result = run(AUTHZC, "check-entities", SALES, "--entities-config", plain)
        check(result.returncode == 0 and "2 entity sources fit policy `sales`" in result.stderr,
              "check-entities opens both postgresql sources: " + result.stderr.strip())

        # Rep: a new account is decided on the next call.
        audit = os.path.join(work, "bob.jsonl")
        bob = Gateway(table, plain, audit, "u-bob", ["rep"], '{"manages": []}')
        gateways.append(bob)
        check(bob.call("get_account", {"account": "acc-1"}) == "served", "rep opens own account from postgresql")
        check(bob.call("get_account", {"account": "acc-new"}).startswith("refused"), "an unknown account is refused")
        pg.sql("INSERT INTO accounts VALUES ('acc-new', 'u-bob', 'east', 'europe')")
        check(bob.call("get_account", {"account": "acc-new"}) == "served",
              "an account inserted while the gateway runs is decided on the next call")
        for sneaky in ("' OR 1=1 --", "acc-1' OR '1'='1", "acc-1; DROP TABLE accounts; --"):
            answer = bob.call("get_account", {"account": sneaky})
            check(answer.startswith("refused") and "not found" in answer, f"SQL-looking id {sneaky!r} matches nothing")
        check(pg.sql("SELECT count(*) FROM accounts").returncode == 0, "the accounts table is still there")

        # Manager, cached: moving an account to another team changes access within the cache age.
        dana = Gateway(table, cached, os.path.join(work, "dana.jsonl"), "u-dana", ["manager"], "{}")
        gateways.append(dana)
        check(dana.call("get_account", {"account": "acc-7"}) == "served",
              "manager (manages from postgresql) opens a team account")
        pg.sql("UPDATE accounts SET team = 'west' WHERE id = 'acc-7'")
        moved_at = time.monotonic()
        while dana.call("get_account", {"account": "acc-7"}) == "served" and time.monotonic() - moved_at < 5:
            time.sleep(0.1)
        waited = time.monotonic() - moved_at
        check(waited <= 1.5 + 0.5, f"the moved account is refused within the cache age (after {waited:.2f} s, age 1.5 s)")
        pg.sql("UPDATE accounts SET team = 'east' WHERE id = 'acc-7'")

        # The database stops mid-run: calls that need it are denied with reason error.
        pg.stop()
        for account in ("acc-1", "acc-new", "acc-7"):
            answer = bob.call("get_account", {"account": account})
            record = last_audit(audit)
            check(answer.startswith("refused") and record["effect"] == "deny" and record["reason"] == "error",
                  f"database down: {account} denied with reason error ({record['reason']})")
            check("entity source `Account` (postgresql) failed" in answer and PASSWORD not in answer,
                  "the refusal names the source, not the connection string")
        answer = bob.call("update_account", {"account": "acc-1", "fields": {"region": "x"}})
        check(answer.startswith("refused"), "database down: a write is refused too")
        # Back up: dana's pool still holds a connection from before the stop.
        pg.start()
        answer = dana.call("get_account", {"account": "acc-1"})  # not in her cache
        check(answer == "served",
              "database restarted: the next call is served (a stale pooled connection is replaced): " + answer[:300])
        check(bob.call("get_account", {"account": "acc-1"}) == "served", "database restarted: the rep is served again")
        pg.stop()
        stderr = bob.close()
        check(PASSWORD not in stderr and "entity source `Account` (postgresql) failed" in stderr,
              "the gateway logs the failure without the password")
        with open(audit) as f:
            check(PASSWORD not in f.read(), "the audit log never holds the password")
        dana.close()
        gateways.clear()
        verify = run(AUTHZC, "audit", "verify", audit)
        check(verify.returncode == 0, "the audit log verifies: " + verify.stdout.strip())

        # Start-up with the database down, and with a schema that disagrees.
        result = run(GATEWAY, "--policy", table, "--entities-config", plain, "--audit", os.path.join(work, "x.jsonl"),
                     "--user", "u-bob", "--", "true")
        check(result.returncode == 2 and "cannot connect to postgresql" in result.stderr and PASSWORD not in result.stderr,
              "database down at start-up: refused, without the password: " + result.stderr.strip()[:200])
        pg.start()
        bad = config("pg-bad.toml", query="SELECT owner, team, region FROM accounts_v2 WHERE id = $1")
        result = run(GATEWAY, "--policy", table, "--entities-config", bad, "--audit", os.path.join(work, "y.jsonl"),
                     "--user", "u-bob", "--", "true")
        check(result.returncode == 2 and "column `team` is integer" in result.stderr and "Account.team" in result.stderr
              and "accounts_v2" in result.stderr and PASSWORD not in result.stderr,
              "a schema disagreeing with the policy is refused at start-up naming the column: " +
              result.stderr.strip()[:300])
        result = run(AUTHZC, "eval", SALES, "--entities-config", plain, "--now", NOW, "--user", "u-dana",
                     "--role", "manager", "--call", "get_account", '{"account": "acc-7"}')
        check(result.returncode == 0 and "ALLOW" in result.stdout,
              "authzc eval reads accounts and the manager's teams from postgresql")
    finally:
        for gateway in gateways:
            gateway.process.kill()
        pg.stop("immediate")


def main():
    work = tempfile.mkdtemp(prefix="authz-entity-sources-")
    try:
        os.chmod(work, 0o755)
        sqlite_part(work)
        table = os.path.join(work, "sales.authzt")
        result = run(AUTHZC, "build", SALES, "-o", table)
        check(result.returncode == 0, "authzc build examples/sales")
        if not os.path.exists(os.path.join(PG_BIN, "initdb")):
            print(f"skipped: the PostgreSQL part needs PostgreSQL 15 ({PG_BIN}/initdb is missing; "
                  "scripts/bootstrap.sh installs postgresql-15)")
            return 1 if failures else 77
        postgres_part(work, table)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{len(failures)} failed" if failures else "all passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
