// mcp.test.mjs — authorize() in front of a real SDK McpServer, driven by the
// real SDK Client over the SDK's in-memory transport (bearer authInfo added
// to each request as the HTTP transport does): lists filtered per user,
// refusals in the gateway's shapes, obligations handed to handlers and
// enforced, the stdio principal from the environment, fail-closed audit.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';

import { AuditLog, Authz } from '../index.js';
import { authorize, authzOf, principalFromEnvironment } from '../mcp.js';
import { accounts, now, salesData, salesTable, scratch } from './helpers.mjs';

const clock = () => new Date(now);

// A server with the sales tools; `calls` records what reached the handlers.
function salesServer(authz, options = {}) {
  const server = new McpServer({ name: 'sales-test', version: '1.0.0' });
  authorize(server, authz, { now: clock, entities: (type, id) => accounts[id] ?? null,
    handles: { list_accounts: ['rows_owned_by_caller', 'rows_in_caller_set', 'max_results'], sales_summary: ['aggregate_only'] },
    log: () => {}, environment: false, ...options });
  const calls = [];
  const text = (value) => ({ content: [{ type: 'text', text: JSON.stringify(value) }] });
  server.registerTool('get_account', { inputSchema: { account: z.string() } }, async ({ account }) => {
    calls.push(['get_account', account]);
    return text(accounts[account]);
  });
  server.registerTool('list_accounts', { inputSchema: { region: z.string().optional() } }, async (args, extra) => {
    const context = authzOf(extra);
    calls.push(['list_accounts', context.obligations.map((o) => o.name)]);
    for (const obligation of context.obligations) {
      if (!options.forget?.includes(obligation.name)) context.acknowledge(obligation.name);
    }
    const filter = context.rowFilter({ target: 'get_account', unknown: ['account'] },
      { account: 'id', 'account.owner': 'owner', 'account.team': 'team', 'account.region': 'region' });
    return text(filter);
  });
  server.registerTool('delete_records', { inputSchema: { account: z.string(), ids: z.array(z.string()) } }, async (args) => {
    calls.push(['delete_records', args.account]);
    return text('deleted');
  });
  server.registerTool('sales_summary', { inputSchema: { region: z.string(), group_by: z.string().optional() } }, async (args, extra) => {
    calls.push(['sales_summary', args.region]);
    authzOf(extra).acknowledge('aggregate_only');
    return text({ total: 10 });
  });
  server.registerTool('undeclared_tool', { inputSchema: {} }, async () => { calls.push(['undeclared_tool']); return text('x'); });
  server.registerPrompt('undeclared_prompt', { argsSchema: {} }, async () => ({ messages: [] }));
  return { server, calls };
}

async function connect(server, userId) {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  if (userId) {
    const { roles, manages } = salesData.users[userId];
    const authInfo = { token: `token-${userId}`, clientId: 'test', scopes: [], extra: { sub: userId, roles, attributes: { manages } } };
    const send = clientSide.send.bind(clientSide);
    clientSide.send = (message, options) => send(message, { ...options, authInfo });
  }
  await server.connect(serverSide);
  const client = new Client({ name: 'test', version: '1.0.0' });
  await client.connect(clientSide);
  return client;
}

const authz = Authz.loadFile(salesTable);

test('tools/list shows each user what they may use, and nothing the policy does not declare', async () => {
  const names = async (user) => (await (await connect(salesServer(authz).server, user)).listTools()).tools.map((t) => t.name).sort();
  assert.deepEqual(await names('u-bob'), ['get_account', 'list_accounts']);
  assert.deepEqual(await names('u-erin'), ['sales_summary']);
  assert.deepEqual(await names('u-frank'), ['delete_records', 'get_account', 'list_accounts']);
  const client = await connect(salesServer(authz).server, 'u-frank');
  assert.deepEqual((await client.listPrompts()).prompts, []);
});

test('allowed: the handler runs; cross-user: an isError result with the end-user explanation, handler not run', async () => {
  const { server, calls } = salesServer(authz);
  const client = await connect(server, 'u-bob');
  const mine = await client.callTool({ name: 'get_account', arguments: { account: 'acc-1' } });
  assert.equal(mine.isError, undefined);
  const theirs = await client.callTool({ name: 'get_account', arguments: { account: 'acc-7' } });
  assert.equal(theirs.isError, true);
  const text = theirs.content[0].text;
  assert.match(text, /^access denied by policy: tool `get_account` is forbidden by `no_cross_user_accounts`\n\n/);
  assert.doesNotMatch(text, /u-carol/, 'no values from entity data');
  assert.match(text, /\(decision [0-9a-f]{32}\)$/);
  assert.equal(theirs._meta['authz/reason'], 'forbidden');
  assert.deepEqual(calls, [['get_account', 'acc-1']]);
});

test('a tool the user cannot call at all: JSON-RPC -32602 with reason, tool and decision id', async () => {
  const { server, calls } = salesServer(authz);
  const client = await connect(server, 'u-bob');
  await assert.rejects(client.callTool({ name: 'delete_records', arguments: { account: 'acc-1', ids: ['n-1'] } }), (error) => {
    assert.equal(error.code, -32602);
    assert.match(error.message, /access denied by policy: tool `delete_records` is forbidden by `delete_admin_only`/);
    assert.equal(error.data.reason, 'forbidden');
    assert.equal(error.data.tool, 'delete_records');
    assert.match(error.data.decision_id, /^[0-9a-f]{32}$/);
    return true;
  });
  await assert.rejects(client.callTool({ name: 'undeclared_tool', arguments: {} }),
    (error) => error.code === -32602 && error.data.reason === 'unknown_target');
  await assert.rejects(client.getPrompt({ name: 'undeclared_prompt' }),
    (error) => error.code === -32602 && error.data.prompt === 'undeclared_prompt');
  assert.deepEqual(calls, []);
});

test('obligations: handed to the handler, which must acknowledge them; undeclared ones refuse the call first', async () => {
  const { server, calls } = salesServer(authz);
  const client = await connect(server, 'u-bob');
  const listed = await client.callTool({ name: 'list_accounts', arguments: {} });
  assert.equal(listed.isError, undefined);
  const filter = JSON.parse(listed.content[0].text);
  assert.equal(filter.sql, '"owner" = ?');
  assert.deepEqual(filter.parameters, ['u-bob']);
  assert.deepEqual(calls, [['list_accounts', ['rows_owned_by_caller', 'max_results']]]);

  const forgetful = salesServer(authz, { forget: ['max_results'] });
  const withheld = await (await connect(forgetful.server, 'u-bob')).callTool({ name: 'list_accounts', arguments: {} });
  assert.equal(withheld.isError, true);
  assert.match(withheld.content[0].text, /did not apply obligation `max_results`.*result is withheld/);
  assert.doesNotMatch(withheld.content[0].text, /sql|u-bob/, 'the handler\'s result is not in the refusal');

  const audit = new AuditLog(`${scratch}/mcp-obligations.jsonl`);
  const undeclared = salesServer(authz, { handles: {}, audit });
  const refused = await (await connect(undeclared.server, 'u-erin')).callTool({ name: 'sales_summary', arguments: { region: 'europe' } });
  assert.equal(refused.isError, true);
  assert.match(refused.content[0].text, /^access denied by policy: the call comes with obligation `aggregate_only` \(rule `analysts_totals`\), which the server does not apply, so it is refused\n\(decision [0-9a-f]{32}\)$/);
  assert.equal(refused._meta['authz/reason'], 'error');
  assert.deepEqual(undeclared.calls, [], 'the handler never ran');
  assert.equal(audit.records, 1);
  audit.close();
  const [record] = readFileSync(`${scratch}/mcp-obligations.jsonl`, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
  assert.deepEqual([record.effect, record.reason], ['deny', 'error'], 'the audit record says what the caller got');
});

test('no authenticated user: everything refused, lists empty; stdio takes the principal from the environment', async () => {
  const { server, calls } = salesServer(authz);
  const anonymous = await connect(server, null);
  assert.deepEqual((await anonymous.listTools()).tools, []);
  await assert.rejects(anonymous.callTool({ name: 'get_account', arguments: { account: 'acc-1' } }), { code: -32602 });
  assert.deepEqual(calls, []);

  assert.deepEqual(principalFromEnvironment({ AUTHZ_USER: 'u-dana', AUTHZ_ROLES: 'manager, rep', AUTHZ_ATTRIBUTES: '{"manages":["east"]}' }),
    { id: 'u-dana', roles: ['manager', 'rep'], attributes: { manages: ['east'] } });
  assert.equal(principalFromEnvironment({}), undefined);
  assert.throws(() => principalFromEnvironment({ AUTHZ_USER: 'u', AUTHZ_ATTRIBUTES: '[1]' }));
  process.env.AUTHZ_USER = 'u-dana';
  process.env.AUTHZ_ROLES = 'manager';
  process.env.AUTHZ_ATTRIBUTES = '{"manages":["east"]}';
  try {
    const stdio = salesServer(authz, { environment: true });
    const client = await connect(stdio.server, null);
    const result = await client.callTool({ name: 'get_account', arguments: { account: 'acc-7' } });
    assert.equal(result.isError, undefined);
  } finally {
    delete process.env.AUTHZ_USER;
    delete process.env.AUTHZ_ROLES;
    delete process.env.AUTHZ_ATTRIBUTES;
  }
});

test('an audit log that cannot be written refuses the call with -32603 before the handler runs', async () => {
  const audit = new AuditLog(`${scratch}/mcp-audit.jsonl`);
  const { server, calls } = salesServer(authz, { audit });
  const client = await connect(server, 'u-bob');
  await client.callTool({ name: 'get_account', arguments: { account: 'acc-1' } });
  assert.equal(audit.records, 1);
  audit.close();
  await assert.rejects(client.callTool({ name: 'get_account', arguments: { account: 'acc-1' } }), (error) =>
    // The SDK client prefixes the wire message with `MCP error -32603: `.
    error.code === -32603 && error.message === 'MCP error -32603: access denied: the audit log cannot be written' &&
    error.data.reason === 'audit_unavailable');
  assert.equal(calls.length, 1);
});
