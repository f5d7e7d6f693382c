// http_stdio_upstream.test.mjs — `authz-gateway serve` turning a stdio MCP
// server into a multi-user remote one: server-filesystem started per session
// ([upstream].command), each user confined to the home directory their token
// names (the `home` claim -> the principal's `home` attribute), the per-user
// process limit, and a session's process ending with DELETE.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { auditRecords, buildPolicy, callTool, closeAll, listAllTools, scratchDir, servers, verifyAudit } from './harness.mjs';
import { connectHttp, rawPost, startGateway, startIssuer, stopAll, tokenFrom } from './http_support.mjs';

const TEST_TIMEOUT = { timeout: 60000 };
const RESOURCE = 'https://gateway.example/mcp';

describe('authz-gateway serve with server-filesystem as a stdio server per session', () => {
  let dir, root, issuer, gateway;
  const home = (user) => join(root, 'home', user);

  before(async () => {
    dir = scratchDir('authz-e2e-http-stdio-');
    root = join(dir, 'srv');
    for (const user of ['u-alice', 'u-bob']) {
      mkdirSync(home(user), { recursive: true });
      writeFileSync(join(home(user), 'notes.txt'), `${user}'s notes\n`);
    }
    const table = buildPolicy('filesystem', dir);
    issuer = await startIssuer('ES256');
    gateway = await startGateway({
      dir, table, issuerUrl: issuer.url, resource: RESOURCE, upstream: { command: servers.filesystem(root) },
      extra: { upstream: ['max_children_per_user = 2'], oauth: ['[oauth.principal.attributes]', 'home = "home"'] },
    });
  });
  after(async () => {
    await stopAll();
    await closeAll();
  });

  const token = (user) => tokenFrom(issuer, RESOURCE, { sub: user, home: home(user), jti: `${user}-${Math.random()}` });

  test('each user reads their own home only, in their own server process', TEST_TIMEOUT, async () => {
    const alice = await connectHttp(gateway.url, await token('u-alice'));
    const bob = await connectHttp(gateway.url, await token('u-bob'));
    const mine = await callTool(alice.client, 'read_text_file', { path: join(home('u-alice'), 'notes.txt') });
    assert.match(JSON.stringify(mine.content), /u-alice's notes/);
    const theirs = await callTool(bob.client, 'read_text_file', { path: join(home('u-alice'), 'notes.txt') });
    assert.equal(theirs.isError, true, JSON.stringify(theirs));
    assert.doesNotMatch(JSON.stringify(theirs.content), /u-alice's notes/);
    const own = await callTool(bob.client, 'read_text_file', { path: join(home('u-bob'), 'notes.txt') });
    assert.match(JSON.stringify(own.content), /u-bob's notes/);
    // Moves are allowed to nobody: not even listed.
    const tools = (await listAllTools(alice.client)).map((tool) => tool.name);
    assert.ok(tools.includes('read_text_file'));
    assert.ok(!tools.includes('move_file'), tools.join(','));

    const records = auditRecords(gateway.audit);
    const denied = records.find((r) => r.user === 'u-bob' && r.effect === 'deny');
    assert.ok(denied, 'bob\'s refusal is audited');
    assert.equal(denied.session_id, bob.transport.sessionId);
    assert.equal(verifyAudit(gateway.audit).exitCode, 0);
  });

  test('a user gets at most max_children_per_user server processes', TEST_TIMEOUT, async () => {
    const first = await connectHttp(gateway.url, await token('u-carol'));
    const second = await connectHttp(gateway.url, await token('u-carol'));
    const third = await rawPost(gateway.url, { token: await token('u-carol') });
    assert.equal(third.status, 503);
    // Ending a session frees its process.
    await first.transport.terminateSession();
    const again = await rawPost(gateway.url, { token: await token('u-carol') });
    assert.equal(again.status, 200, await again.text());
    assert.ok(second.transport.sessionId);
  });
});
