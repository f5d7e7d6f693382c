// sales_server.test.mjs — the real MCP SDK client against authz-sales-server
// (examples/sales-server) on a fresh SQLite database: reps list only their
// accounts, managers their teams', cross-user reads are denied, analysts get
// totals but never rows, small groups are refused under aggregate_only,
// non-admin deletes are forbidden, a grant works until its expiry (clock
// injected with AUTHZ_NOW), SQL-looking values stay values, and the database
// is byte-for-byte unchanged by every denied call. Every audit log verifies.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ElicitRequestSchema, McpError } from '@modelcontextprotocol/sdk/types.js';

import { authzcBinary, closeAll, E2E_DIR, REQUEST_TIMEOUT_MS, scratchDir, verifyAudit } from './harness.mjs';

const TEST_TIMEOUT = { timeout: 60000 };
const BEFORE_FREEZE = '2026-12-01T00:00:00Z';
const IN_FREEZE = '2026-12-30T00:00:00Z';
const GRANT_END = '2027-01-31T00:00:00Z';

function serverBinary() {
  const path = process.env.AUTHZ_SALES_SERVER;
  if (!path) throw new Error('set AUTHZ_SALES_SERVER to the built authz-sales-server (ctest does; it needs SQLite)');
  return path;
}

const sessions = [];
let dir, table, db;

// One server process for one user; `elicit` answers confirmation requests.
async function connectAs(user, roles, { manages = [], now = BEFORE_FREEZE, elicit } = {}) {
  const audit = join(dir, `${user}-${sessions.length}.audit.jsonl`);
  const transport = new StdioClientTransport({
    command: serverBinary(),
    args: ['--table', table, '--db', db, '--audit', audit],
    env: {
      PATH: process.env.PATH ?? '',
      AUTHZ_USER: user,
      AUTHZ_ROLES: roles.join(','),
      AUTHZ_USER_ATTRIBUTES: JSON.stringify({ manages }),
      AUTHZ_NOW: now,
    },
    stderr: 'pipe',
  });
  const client = new Client({ name: 'authz-sales-e2e', version: '1.0.0' }, { capabilities: elicit ? { elicitation: {} } : {} });
  if (elicit) client.setRequestHandler(ElicitRequestSchema, async (request) => elicit(request));
  sessions.push({ client, transport, audit });
  await client.connect(transport, { timeout: REQUEST_TIMEOUT_MS });
  return { client, audit };
}

const call = (session, name, args) =>
  session.client.callTool({ name, arguments: args }, undefined, { timeout: REQUEST_TIMEOUT_MS });
const textOf = (result) => result.content.map((part) => part.text).join('');
const rowsOf = (result) => JSON.parse(textOf(result)).accounts;

// The database's full contents as SQL text: equal dumps mean nothing changed.
function dump() {
  const run = spawnSync('sqlite3', [db, '.dump'], { encoding: 'utf8', timeout: 10000 });
  assert.equal(run.status, 0, run.stderr);
  return run.stdout;
}

// Runs a call that must be denied (isError) and leave the database unchanged.
async function denied(session, name, args, ...mustMention) {
  const before = dump();
  const result = await call(session, name, args);
  assert.equal(result.isError, true, `expected a denial, got ${textOf(result)}`);
  for (const part of mustMention) assert.match(textOf(result), part);
  assert.equal(dump(), before, `${name} ${JSON.stringify(args)} changed the database`);
  return textOf(result);
}

describe('authz-sales-server with the real SDK client', TEST_TIMEOUT, () => {
  let bob, dana, erin;

  before(async () => {
    dir = scratchDir('authz-sales-e2e-');
    table = join(dir, 'sales.authzt');
    db = join(dir, 'sales.db');
    const build = spawnSync(authzcBinary(), ['build', join(E2E_DIR, '../../examples/sales'), '-o', table], {
      encoding: 'utf8',
      timeout: 30000,
    });
    assert.equal(build.status, 0, build.stderr);
    bob = await connectAs('u-bob', ['rep']);
    dana = await connectAs('u-dana', ['manager'], { manages: ['east'] });
    erin = await connectAs('u-erin', ['analyst']);
  });

  after(async () => {
    await Promise.allSettled(sessions.map((session) => session.client.close()));
    for (const session of sessions) {
      const pid = session.transport.pid;
      if (pid) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {}
      }
    }
    await closeAll();
  });

  test('tools/list: five tools, each with an object inputSchema', TEST_TIMEOUT, async () => {
    const { tools } = await bob.client.listTools({}, { timeout: REQUEST_TIMEOUT_MS });
    assert.deepEqual(tools.map((tool) => tool.name).sort(),
      ['delete_records', 'get_account', 'list_accounts', 'sales_summary', 'update_account']);
    for (const tool of tools) assert.equal(tool.inputSchema.type, 'object');
    assert.deepEqual(tools.find((tool) => tool.name === 'get_account').inputSchema.required, ['account']);
    assert.equal(await bob.client.ping({ timeout: REQUEST_TIMEOUT_MS }).then(() => 'pong'), 'pong');
  });

  test('a rep lists exactly their own accounts', TEST_TIMEOUT, async () => {
    const rows = rowsOf(await call(bob, 'list_accounts', {}));
    assert.deepEqual(rows.map((row) => row.id), ['acc-3', 'acc-2', 'acc-1']);
    assert.ok(rows.every((row) => row.owner === 'u-bob'));
    const europe = rowsOf(await call(bob, 'list_accounts', { region: 'europe' }));
    assert.deepEqual(europe.map((row) => row.id), ['acc-3', 'acc-2']);
  });

  test('a manager lists exactly their team\'s accounts', TEST_TIMEOUT, async () => {
    const rows = rowsOf(await call(dana, 'list_accounts', {}));
    assert.deepEqual(rows.map((row) => row.id).sort(),
      ['acc-1', 'acc-12', 'acc-13', 'acc-14', 'acc-2', 'acc-3', 'acc-7', 'acc-8']);
    assert.ok(rows.every((row) => row.team === 'east'));
    const limited = JSON.parse(textOf(await call(dana, 'list_accounts', { limit: 2 })));
    assert.equal(limited.accounts.length, 2);
    assert.equal(limited.truncated, true);
  });

  test('a rep reads their own account but not another rep\'s', TEST_TIMEOUT, async () => {
    const own = await call(bob, 'get_account', { account: 'acc-1' });
    assert.equal(own.isError, false);
    assert.equal(JSON.parse(textOf(own)).owner, 'u-bob');
    const text = await denied(bob, 'get_account', { account: 'acc-7' }, /forbidden/, /no_cross_user_accounts/);
    assert.doesNotMatch(text, /u-carol/, 'the denial must not show the other rep\'s data');
    await denied(bob, 'update_account', { account: 'acc-7', fields: { name: 'mine now' } }, /no_cross_user_accounts/);
  });

  test('an analyst gets totals but never rows', TEST_TIMEOUT, async () => {
    const result = await call(erin, 'sales_summary', { region: 'europe' });
    assert.equal(result.isError, false, textOf(result));
    const summary = JSON.parse(textOf(result));
    assert.equal(summary.groups.length, 1);
    assert.equal(summary.groups[0].records, 13);
    assert.doesNotMatch(textOf(result), /acc-\d+/);
    await denied(erin, 'list_accounts', {}, /analysts_no_records/);
    await denied(erin, 'get_account', { account: 'acc-2' }, /forbidden/);
    await denied(erin, 'sales_summary', { region: 'europe', group_by: 'owner' }, /no_individual_breakdowns/);
  });

  test('aggregate_only: groups under five records are withheld, a region under five is refused', TEST_TIMEOUT, async () => {
    const byProduct = JSON.parse(textOf(await call(erin, 'sales_summary', { region: 'europe', group_by: 'product' })));
    assert.deepEqual(byProduct.groups.map((group) => group.group), ['analytics', 'crm-suite']);
    assert.ok(byProduct.groups.every((group) => group.records >= 5));
    assert.equal(byProduct.withheld_groups, 1);  // training: 2 records
    await denied(erin, 'sales_summary', { region: 'apac' }, /aggregate_only\(min_group: 5\)/);
  });

  test('a non-admin delete is forbidden; an admin delete needs confirmation', TEST_TIMEOUT, async () => {
    await denied(bob, 'delete_records', { account: 'acc-1', ids: ['rec-1'] }, /delete_admin_only/);
    await denied(dana, 'delete_records', { account: 'acc-7', ids: ['rec-3'] }, /delete_admin_only/);
    const cannotAsk = await connectAs('u-frank', ['admin']);
    await denied(cannotAsk, 'delete_records', { account: 'acc-9', ids: ['rec-9'] }, /needs your confirmation/);
    const declines = await connectAs('u-frank', ['admin'], { elicit: async () => ({ action: 'decline' }) });
    await denied(declines, 'delete_records', { account: 'acc-9', ids: ['rec-9'] }, /needs your confirmation/);
    const messages = [];
    const confirms = await connectAs('u-frank', ['admin'], {
      elicit: async (request) => {
        messages.push(request.params.message);
        return { action: 'accept', content: {} };
      },
    });
    const result = await call(confirms, 'delete_records', { account: 'acc-9', ids: ['rec-9'] });
    assert.equal(result.isError, false, textOf(result));
    assert.deepEqual(JSON.parse(textOf(result)), { deleted: 1 });
    assert.deepEqual(messages, ['permanently delete these records?']);
  });

  test('a grant works until its expiry and not after (clock injected)', TEST_TIMEOUT, async () => {
    const during = await connectAs('u-alice', ['support'], { now: BEFORE_FREEZE });
    const open = await call(during, 'get_account', { account: 'acc-9' });
    assert.equal(open.isError, false, textOf(open));
    const frozen = await connectAs('u-alice', ['support'], { now: IN_FREEZE });
    await denied(frozen, 'update_account', { account: 'acc-9', fields: { region: 'europe' } }, /q4_close_freeze/);
    const expired = await connectAs('u-alice', ['support'], { now: GRANT_END });
    await denied(expired, 'get_account', { account: 'acc-9' }, /expired|not_permitted/);
    await denied(expired, 'update_account', { account: 'acc-9', fields: { region: 'europe' } });
  });

  test('SQL-looking values are plain values: denied or empty, never injected', TEST_TIMEOUT, async () => {
    await denied(bob, 'get_account', { account: "acc-1' OR 1=1 --" });
    await denied(bob, 'update_account', { account: "acc-1'; DROP TABLE accounts; --", fields: { name: 'x' } });
    const none = rowsOf(await call(bob, 'list_accounts', { region: "' OR 1=1 --" }));
    assert.deepEqual(none, []);
  });

  test('protocol errors are well-formed JSON-RPC errors', TEST_TIMEOUT, async () => {
    await assert.rejects(call(bob, 'drop_tables', {}), (error) => error instanceof McpError && error.code === -32602);
  });

  test('every session\'s audit log verifies', TEST_TIMEOUT, async () => {
    for (const session of sessions) {
      const { exitCode, report } = verifyAudit(session.audit);
      assert.equal(exitCode, 0, JSON.stringify(report));
    }
  });
});
