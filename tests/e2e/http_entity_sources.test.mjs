// http_entity_sources.test.mjs — the HTTP front (`authz-gateway serve`) with
// `[entities.*]` sources and `/metrics`: examples/sales behind the gateway,
// accounts and users in an SQLite file, tokens from a mock authorization
// server, and tests/entity_sources/fake_mcp_server.py as the stdio upstream.
// An account inserted while the gateway runs is decided on the next call; a
// manager's teams come from the `[entities.User]` row under the token's
// claims; a principal source that fails refuses the session (503), never
// serves it. `/metrics` is off unless `[http].metrics = true`; when on, its
// counters follow the calls, read with a real Prometheus parser
// (python3-prometheus-client).
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { auditRecords, authzcBinary, callTool, closeAll, E2E_DIR, scratchDir } from './harness.mjs';
import { connectHttp, rawPost, startGateway, startIssuer, stopAll, tokenFrom } from './http_support.mjs';

const TEST_TIMEOUT = { timeout: 60000 };
const RESOURCE = 'https://gateway.example/mcp';
const FAKE_SERVER = join(E2E_DIR, '..', 'entity_sources', 'fake_mcp_server.py');

// Runs SQL against the SQLite file with python3's sqlite3 (a separate writer, as an operator would be).
function sql(db, statements) {
  execFileSync('python3', ['-c', 'import sqlite3,sys\nc=sqlite3.connect(sys.argv[1])\nc.executescript(sys.argv[2])\nc.commit()', db, statements]);
}

// The exposition parsed by prometheus_client: [{name, labels, value}] of every sample.
function scrape(text) {
  const script = [
    'import json,sys',
    'from prometheus_client.parser import text_string_to_metric_families',
    'out=[{"name":s.name,"labels":s.labels,"value":s.value} for f in text_string_to_metric_families(sys.stdin.read()) for s in f.samples]',
    'print(json.dumps(out))',
  ].join('\n');
  const run = spawnSync('/usr/bin/python3', ['-c', script], { input: text, encoding: 'utf8' });
  assert.equal(run.status, 0, `prometheus_client could not parse /metrics: ${run.stderr}`);
  return JSON.parse(run.stdout);
}
// A denied call: the gateway answers with a JSON-RPC error or a tool error, never the server's text.
async function denied(call) {
  const result = await call.then((r) => r, (error) => ({ error }));
  assert.ok(result.error || result.isError, `denied: ${JSON.stringify(result)}`);
  assert.doesNotMatch(JSON.stringify(result.content ?? []), /served/);
}
const sample = (samples, name, labels = {}) =>
  samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value ?? 0;

describe('entity sources and /metrics in authz-gateway serve', () => {
  let dir, issuer, table, db, gateway;

  before(async () => {
    dir = scratchDir('authz-e2e-http-entities-');
    table = join(dir, 'sales.authzt');
    execFileSync(authzcBinary(), ['build', join(E2E_DIR, '..', '..', 'examples', 'sales', 'sales.authz'), '-o', table],
      { stdio: ['ignore', 'pipe', 'pipe'], timeout: 30000 });
    db = join(dir, 'crm.db');
    sql(db, `CREATE TABLE accounts (id TEXT PRIMARY KEY, owner TEXT, team TEXT, region TEXT);
             INSERT INTO accounts VALUES ('acc-1','u-bob','east','north-america'), ('acc-7','u-carol','east','europe');
             CREATE TABLE users (id TEXT PRIMARY KEY, manages TEXT);
             INSERT INTO users VALUES ('u-bob','[]'), ('u-dana','["east"]');`);
    issuer = await startIssuer('RS256');
    gateway = await startGateway({
      dir, table, issuerUrl: issuer.url, resource: RESOURCE, upstream: { command: ['python3', FAKE_SERVER] },
      extra: {
        http: ['metrics = true'],
        tail: [
          '[entities.Account]', 'sqlite = "crm.db"', 'query = "SELECT owner, team, region FROM accounts WHERE id = ?"', '',
          '[entities.User]', 'sqlite = "crm.db"', 'query = "SELECT manages FROM users WHERE id = ?"', '',
        ],
      },
    });
  });
  after(async () => {
    await stopAll();
    await closeAll();
  });

  test('an account inserted while the gateway runs is decided on the next call', TEST_TIMEOUT, async () => {
    const token = await tokenFrom(issuer, RESOURCE, { sub: 'u-bob', roles: ['rep'] });
    const { client } = await connectHttp(gateway.url, token);
    const own = await callTool(client, 'get_account', { account: 'acc-1' });
    assert.ok(!own.isError);
    assert.match(own.content[0].text, /^served .*acc-1/);
    await denied(callTool(client, 'get_account', { account: 'acc-new' }));  // not in the database
    await denied(callTool(client, 'get_account', { account: "' OR 1=1 --" }));  // an id is never SQL
    sql(db, "INSERT INTO accounts VALUES ('acc-new','u-bob','west','europe')");
    const inserted = await callTool(client, 'get_account', { account: 'acc-new' });
    assert.ok(!inserted.isError);
    assert.match(inserted.content[0].text, /^served .*acc-new/);  // the upstream's answer, not a denial naming the id
    const calls = auditRecords(gateway.audit).filter((r) => r.method === 'tools/call' && r.user === 'u-bob');
    assert.deepEqual(calls.map((r) => r.effect), ['allow', 'deny', 'deny', 'allow']);
    assert.deepEqual(calls[3].rules, ['owners_read_own']);
  });

  test("a manager's teams come from the users table, under the token's claims", TEST_TIMEOUT, async () => {
    const token = await tokenFrom(issuer, RESOURCE, { sub: 'u-dana', roles: ['manager'] });
    const { client } = await connectHttp(gateway.url, token);
    const team = await callTool(client, 'get_account', { account: 'acc-7' });
    assert.ok(!team.isError);
    assert.match(team.content[0].text, /^served .*acc-7/);
    const record = auditRecords(gateway.audit).filter((r) => r.user === 'u-dana' && r.method === 'tools/call').pop();
    assert.deepEqual(record.rules, ['managers_team_accounts']);
  });

  test('/metrics counts the decisions, sessions and refused tokens, in the Prometheus format', TEST_TIMEOUT, async () => {
    const refused = await rawPost(gateway.url, { token: 'not-a-jwt' });
    assert.equal(refused.status, 401);
    const response = await fetch(`${gateway.base}/metrics`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    const samples = scrape(text);
    assert.equal(sample(samples, 'authz_decisions_total', { method: 'tools/call', effect: 'allow' }), 3);
    assert.equal(sample(samples, 'authz_decisions_total', { method: 'tools/call', effect: 'deny', reason: 'error' }), 2);
    assert.equal(sample(samples, 'authz_rule_decisions_total', { rule: 'no_cross_user_accounts', effect: 'deny' }), 2);
    assert.equal(sample(samples, 'authz_rule_decisions_total', { rule: 'owners_read_own', effect: 'allow' }), 2);
    assert.equal(sample(samples, 'authz_sessions_total', { front: 'http' }), 2);
    assert.equal(sample(samples, 'authz_sessions_active', { front: 'http' }), 2);
    assert.equal(sample(samples, 'authz_token_validation_failures_total', { cause: 'invalid_token' }), 1);
    assert.ok(sample(samples, 'authz_decision_duration_seconds_count', { method: 'tools/call' }) >= 5);
    // Every relayed request (initialize, the lists, the three allowed calls) observes what the gateway added.
    const relayed = sample(samples, 'authz_gateway_added_latency_seconds_count', { front: 'http' });
    assert.ok(relayed >= 3, `added latency observed ${relayed} times`);
    const added = sample(samples, 'authz_gateway_added_latency_seconds_sum', { front: 'http' });
    assert.ok(added > 0 && added / relayed < 0.5, `mean added latency ${added / relayed} s`);
    const post = await fetch(`${gateway.base}/metrics`, { method: 'POST' });
    assert.equal(post.status, 405);
  });

  test('SIGHUP reloads the sources with the table, for open sessions too', TEST_TIMEOUT, async () => {
    const token = await tokenFrom(issuer, RESOURCE, { sub: 'u-bob', roles: ['rep'] });
    const { client } = await connectHttp(gateway.url, token);
    sql(db, `CREATE TABLE accounts_v2 (id TEXT PRIMARY KEY, owner TEXT, team TEXT, region TEXT);
             INSERT INTO accounts_v2 VALUES ('acc-9','u-bob','west','europe');`);
    await denied(callTool(client, 'get_account', { account: 'acc-9' }));  // not in `accounts`
    writeFileSync(gateway.config, readFileSync(gateway.config, 'utf8').replace('FROM accounts WHERE', 'FROM accounts_v2 WHERE'));
    const reloads = () => gateway.stderr.join('').split('"event":"reloaded"').length - 1;
    const before = reloads();
    gateway.child.kill('SIGHUP');
    for (let i = 0; i < 100 && reloads() === before; ++i) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(reloads(), before + 1, gateway.stderr.join(''));
    const moved = await callTool(client, 'get_account', { account: 'acc-9' });  // the same session
    assert.ok(!moved.isError);
    assert.match(moved.content[0].text, /^served .*acc-9/);
    const samples = scrape(await (await fetch(`${gateway.base}/metrics`)).text());
    assert.equal(sample(samples, 'authz_policy_reloads_total', { table: 'policy', result: 'ok' }), 1);
  });

  test('a principal source that fails refuses the session (503), allows nothing', TEST_TIMEOUT, async () => {
    sql(db, 'DROP TABLE users');
    const token = await tokenFrom(issuer, RESOURCE, { sub: 'u-dana', roles: ['manager'] });
    const response = await rawPost(gateway.url, { token });
    assert.equal(response.status, 503);
    const body = await response.text();
    assert.match(body, /the user's attributes cannot be read/);
    assert.doesNotMatch(body, /crm\.db|users/, 'the database and its message stay in the log');
    for (let i = 0; i < 50 && !/principal_source_failed/.test(gateway.stderr.join('')); ++i) {
      await new Promise((resolve) => setTimeout(resolve, 40));  // stderr arrives on its own pipe
    }
    assert.match(gateway.stderr.join(''), /"event":"principal_source_failed","detail":"entity source `User`/);
  });

  test('/metrics is off unless [http].metrics = true', TEST_TIMEOUT, async () => {
    const plain = await startGateway({
      dir, table, issuerUrl: issuer.url, resource: RESOURCE, upstream: { command: ['python3', FAKE_SERVER] }, name: 'plain',
    });
    const response = await fetch(`${plain.base}/metrics`);
    assert.equal(response.status, 404);
  });

  test('a source that does not fit the policy stops the start', TEST_TIMEOUT, async () => {
    await assert.rejects(startGateway({
      dir, table, issuerUrl: issuer.url, resource: RESOURCE, upstream: { command: ['python3', FAKE_SERVER] }, name: 'bad',
      extra: { tail: ['[entities.Account]', 'sqlite = "crm.db"', 'query = "SELECT owner, team FROM accounts WHERE id = ?"'] },
    }), /region/);
  });
});
