// sales_server_ts.test.mjs — examples/sales-server-ts (the sales server in
// TypeScript: the SDK's McpServer behind @authz/node's middleware, data in
// sql.js) driven by the real SDK client over Streamable HTTP, each user with
// a bearer token from a real authorization server (oauth2-mock-server):
// per-user rows (the runtime's row filter as SQL), cross-user denial,
// aggregate-only access, a grant that expires, admin-only delete with
// confirmation, tokens that are missing or for another audience, and the
// database file byte-for-byte unchanged by every denied call. The audit log
// verifies.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { OAuth2Server } from 'oauth2-mock-server';

import { authzcBinary, E2E_DIR, REQUEST_TIMEOUT_MS, scratchDir, verifyAudit } from './harness.mjs';

const TEST_TIMEOUT = { timeout: 60000 };
const AUDIENCE = 'https://sales.example/mcp';
const BEFORE_FREEZE = '2026-12-01T00:00:00Z';
const AFTER_GRANT = '2027-02-01T00:00:00Z';
const EXAMPLE = join(E2E_DIR, '..', '..', 'examples', 'sales-server-ts');

const USERS = {
  'u-alice': { roles: ['support'], manages: [] },
  'u-bob': { roles: ['rep'], manages: [] },
  'u-dana': { roles: ['manager'], manages: ['east'] },
  'u-erin': { roles: ['analyst'], manages: [] },
  'u-frank': { roles: ['admin'], manages: [] },
};

function serverScript() {
  const path = process.env.AUTHZ_SALES_SERVER_TS ?? join(EXAMPLE, 'dist', 'main.js');
  return path;
}

let dir, table, issuer, nextClaims;
const processes = [];
const clients = [];

// Starts the example over HTTP with the decisions' clock at `now`.
async function startServer(now, name) {
  const db = join(dir, `${name}.sqlite`);
  const audit = join(dir, `${name}.audit.jsonl`);
  const child = spawn(process.execPath, [serverScript(), '--table', table, '--db', db, '--audit', audit, '--http', '0',
    '--issuer', issuer.issuer.url, '--audience', AUDIENCE, '--now', now], { stdio: ['ignore', 'pipe', 'inherit'] });
  processes.push(child);
  const line = await new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`sales-server-ts exited with ${code}`)));
    createInterface({ input: child.stdout }).once('line', resolve);
  });
  const url = /^listening (\S+)$/.exec(line)?.[1];
  assert.ok(url, `unexpected first line: ${line}`);
  return { url, db, audit };
}

async function tokenFor(user, claims = {}) {
  nextClaims = { sub: user, roles: USERS[user].roles, manages: USERS[user].manages, ...claims };
  const response = await fetch(`${issuer.issuer.url}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'mcp:tools', aud: AUDIENCE }),
  });
  assert.equal(response.status, 200);
  return (await response.json()).access_token;
}

async function connect(server, user, { elicit, claims } = {}) {
  const token = await tokenFor(user, claims);
  const transport = new StreamableHTTPClientTransport(new URL(server.url),
    { requestInit: { headers: { authorization: `Bearer ${token}` } } });
  const client = new Client({ name: 'sales-ts-e2e', version: '1.0.0' }, { capabilities: elicit ? { elicitation: {} } : {} });
  if (elicit) client.setRequestHandler(ElicitRequestSchema, async (request) => elicit(request));
  clients.push(client);
  await client.connect(transport, { timeout: REQUEST_TIMEOUT_MS });
  return { client, server };
}

const call = (session, name, args) => session.client.callTool({ name, arguments: args }, undefined, { timeout: REQUEST_TIMEOUT_MS });
const textOf = (result) => result.content.map((part) => part.text).join('');
const rowsOf = (result) => JSON.parse(textOf(result)).accounts;

// A call that must be refused, as an isError result or a JSON-RPC error, with
// the database file unchanged, byte for byte.
async function denied(session, name, args, expect) {
  const before = readFileSync(session.server.db);
  let outcome;
  try {
    const result = await call(session, name, args);
    assert.equal(result.isError, true, `expected a denial, got ${textOf(result)}`);
    outcome = { kind: 'isError', text: textOf(result) };
  } catch (error) {
    if (error.code === undefined) throw error;
    outcome = { kind: 'error', code: error.code, text: error.message, data: error.data };
  }
  if (expect.kind) assert.equal(outcome.kind, expect.kind, outcome.text);
  if (expect.code) assert.equal(outcome.code, expect.code);
  for (const part of expect.mention ?? []) assert.match(outcome.text, part);
  for (const part of expect.hide ?? []) assert.doesNotMatch(outcome.text, part);
  assert.deepEqual(readFileSync(session.server.db), before, `${name} ${JSON.stringify(args)} changed the database`);
  return outcome;
}

describe('examples/sales-server-ts over Streamable HTTP with bearer tokens', TEST_TIMEOUT, () => {
  let main, late;

  before(async () => {
    dir = scratchDir('authz-e2e-sales-ts-');
    table = join(dir, 'sales.authzt');
    const { execFileSync } = await import('node:child_process');
    execFileSync(authzcBinary(), ['build', '--color', 'never', join(E2E_DIR, '..', '..', 'examples', 'sales'), '-o', table]);
    issuer = new OAuth2Server();
    await issuer.issuer.keys.generate('RS256');
    await issuer.start(0, '127.0.0.1');
    issuer.service.on('beforeTokenSigning', (token) => Object.assign(token.payload, nextClaims));
    [main, late] = await Promise.all([startServer(BEFORE_FREEZE, 'main'), startServer(AFTER_GRANT, 'late')]);
  });

  after(async () => {
    for (const client of clients) await client.close().catch(() => {});
    for (const child of processes) child.kill();
    await issuer?.stop();
  });

  test('each user sees only their rows: the row filter is the policy, as SQL', async () => {
    const bob = await connect(main, 'u-bob');
    assert.deepEqual((await bob.client.listTools()).tools.map((t) => t.name).sort(), ['get_account', 'list_accounts', 'update_account']);
    const bobs = rowsOf(await call(bob, 'list_accounts', {}));
    assert.deepEqual(bobs.map((row) => row.id).sort(), ['acc-1', 'acc-2', 'acc-3']);
    assert.ok(bobs.every((row) => row.owner === 'u-bob'));
    const europe = rowsOf(await call(bob, 'list_accounts', { region: 'europe' }));
    assert.deepEqual(europe.map((row) => row.id).sort(), ['acc-2', 'acc-3']);
    const dana = await connect(main, 'u-dana');
    const danas = rowsOf(await call(dana, 'list_accounts', {}));
    assert.ok(danas.length > 3 && danas.every((row) => row.team === 'east'), JSON.stringify(danas));
    const frank = await connect(main, 'u-frank');
    assert.equal(rowsOf(await call(frank, 'list_accounts', {})).length, 12);
    // A value that looks like SQL is a value.
    await denied(bob, 'get_account', { account: "acc-1' OR 1=1 --" }, { kind: 'isError' });
  });

  test("cross-user access is denied with the end-user explanation, never the other user's data", async () => {
    const bob = await connect(main, 'u-bob');
    assert.equal(JSON.parse(textOf(await call(bob, 'get_account', { account: 'acc-1' }))).owner, 'u-bob');
    await denied(bob, 'get_account', { account: 'acc-7' }, { kind: 'isError',
      mention: [/^access denied by policy: tool `get_account` is forbidden by `no_cross_user_accounts`/, /\(decision [0-9a-f]{32}\)$/],
      hide: [/u-carol/, /Fabrikam/] });
    await denied(bob, 'update_account', { account: 'acc-7', fields: { region: 'x' } }, { kind: 'isError' });
  });

  test('analysts get totals of large enough groups, never rows', async () => {
    const erin = await connect(main, 'u-erin');
    assert.deepEqual((await erin.client.listTools()).tools.map((t) => t.name), ['sales_summary']);
    const byProduct = JSON.parse(textOf(await call(erin, 'sales_summary', { region: 'europe', group_by: 'product' })));
    assert.deepEqual(byProduct.groups.map((group) => group.group), ['analytics', 'crm-suite']);
    assert.equal(byProduct.withheld_groups, 1);
    assert.equal(byProduct.min_group, 5);
    await denied(erin, 'sales_summary', { region: 'apac' }, { kind: 'isError', mention: [/aggregate_only\(min_group: 5\)/] });
    await denied(erin, 'sales_summary', { region: 'europe', group_by: 'owner' }, { kind: 'isError', mention: [/no_individual_breakdowns/] });
    await denied(erin, 'get_account', { account: 'acc-1' }, { kind: 'error', code: -32602, mention: [/analysts_no_records/] });
    await denied(erin, 'list_accounts', {}, { kind: 'error', code: -32602 });
  });

  test('a time-bounded grant works until it expires', async () => {
    const alice = await connect(main, 'u-alice');
    const before = readFileSync(main.db);
    const updated = await call(alice, 'update_account', { account: 'acc-9', fields: { region: 'europe' } });
    assert.equal(updated.isError, undefined, textOf(updated));
    assert.notDeepEqual(readFileSync(main.db), before, 'the allowed update reached the database');
    const aliceLate = await connect(late, 'u-alice');
    const outcome = await denied(aliceLate, 'update_account', { account: 'acc-9', fields: { region: 'apac' } },
      { kind: 'isError', mention: [/has expired or is not yet in force \(`inc_4521`\)/] });
    assert.ok(outcome);
  });

  test('deleting records is for admins only, and only after confirmation', async () => {
    const bob = await connect(main, 'u-bob');
    await denied(bob, 'delete_records', { account: 'acc-1', ids: ['rec-1'] }, { kind: 'error', code: -32602, mention: [/delete_admin_only/] });
    const dana = await connect(main, 'u-dana');
    await denied(dana, 'delete_records', { account: 'acc-12', ids: ['rec-11'] }, { kind: 'error', code: -32602 });
    const declining = await connect(main, 'u-frank', { elicit: async () => ({ action: 'decline' }) });
    await denied(declining, 'delete_records', { account: 'acc-1', ids: ['rec-1'] }, { kind: 'isError', mention: [/not confirmed/] });
    const noElicitation = await connect(main, 'u-frank');
    await denied(noElicitation, 'delete_records', { account: 'acc-1', ids: ['rec-1'] }, { kind: 'isError', mention: [/cannot confirm/] });
    let asked;
    const frank = await connect(main, 'u-frank', { elicit: async (request) => { asked = request.params.message; return { action: 'accept', content: {} }; } });
    const deleted = await call(frank, 'delete_records', { account: 'acc-1', ids: ['rec-1'] });
    assert.deepEqual(JSON.parse(textOf(deleted)), { deleted: 1 });
    assert.equal(asked, 'permanently delete these records?');
  });

  test('requests without a valid token for this audience are refused at the door', async () => {
    const post = (headers) => fetch(main.url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }) });
    const none = await post({});
    assert.equal(none.status, 401);
    assert.match(none.headers.get('www-authenticate'), /^Bearer error="invalid_token"/);
    assert.equal((await post({ authorization: 'Bearer not.a.jwt' })).status, 401);
    const expired = await tokenFor('u-frank', { exp: Math.floor(Date.now() / 1000) - 60 });
    assert.equal((await post({ authorization: `Bearer ${expired}` })).status, 401);
    const otherAudience = await tokenFor('u-frank', { aud: 'https://elsewhere.example' });
    assert.equal((await post({ authorization: `Bearer ${otherAudience}` })).status, 401);
  });

  test('over stdio the user comes from the environment', async () => {
    const db = join(dir, 'stdio.sqlite');
    const transport = new StdioClientTransport({ command: process.execPath,
      args: [serverScript(), '--table', table, '--db', db, '--now', BEFORE_FREEZE],
      env: { PATH: process.env.PATH ?? '', AUTHZ_NODE_ADDON: process.env.AUTHZ_NODE_ADDON ?? '', AUTHZ_USER: 'u-dana',
        AUTHZ_ROLES: 'manager', AUTHZ_ATTRIBUTES: JSON.stringify({ manages: ['east'] }) } });
    const client = new Client({ name: 'sales-ts-stdio', version: '1.0.0' });
    clients.push(client);
    await client.connect(transport, { timeout: REQUEST_TIMEOUT_MS });
    const session = { client, server: { db } };
    const rows = rowsOf(await call(session, 'list_accounts', {}));
    assert.ok(rows.length > 3 && rows.every((row) => row.team === 'east'));
    await denied(session, 'get_account', { account: 'acc-9' }, { kind: 'isError', mention: [/no_cross_user_accounts/] });
  });

  test('every decision is in the audit log and the chain verifies', async () => {
    for (const child of processes) child.kill();
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(verifyAudit(main.audit).exitCode, 0, 'authzc audit verify');
    const records = readFileSync(main.audit, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    assert.ok(records.some((record) => record.user === 'u-bob' && record.effect === 'deny' && record.target === 'get_account'));
    assert.ok(records.some((record) => record.user === 'u-frank' && record.target === 'delete_records' && record.effect === 'allow'));
  });
});
