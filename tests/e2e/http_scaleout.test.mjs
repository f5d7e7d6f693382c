// http_scaleout.test.mjs — scale-out (issue #15, docs/http-gateway.md,
// "Scale-out"): two `authz-gateway serve` replicas with the same table and
// the same upstream (server-everything, streamable HTTP) behind HAProxy,
// which keeps each MCP session on one replica with a stick table that stores
// the `Mcp-Session-Id` of a response and matches it on later requests. Real
// SDK clients (StreamableHTTPClientTransport, oauth2-mock-server tokens) open
// sessions of two users through HAProxy: every call succeeds (a request
// that reached the other replica would be a 404: it does not know the
// session), the sessions are spread over both replicas, each session's audit
// records are in one replica's log only, and both logs verify. Control: the
// same replicas behind a frontend without the stick table break sessions,
// so the test fails when affinity is missing. Needs `haproxy` on PATH.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { auditRecords, buildPolicy, callTool, closeAll, listAllTools, scratchDir, verifyAudit } from './harness.mjs';
import { connectHttp, freePort, startEverythingHttp, startGateway, startIssuer, stopAll, tokenFrom } from './http_support.mjs';

const TEST_TIMEOUT = { timeout: 60000 };
const RESOURCE = 'http://127.0.0.1:0/mcp';

// The HAProxy configuration docs/http-gateway.md shows, with the ports filled in.
function haproxyConfig({ port, controlPort, replicas }) {
  const servers = replicas.map((r, i) => `  server replica-${i + 1} 127.0.0.1:${r.port}`);
  return [
    'global',
    '  maxconn 1000',
    'defaults',
    '  mode http',
    '  timeout connect 5s',
    '  timeout client 60s',
    '  timeout server 60s',
    'frontend mcp',
    `  bind 127.0.0.1:${port}`,
    '  default_backend gateways',
    'backend gateways',
    '  balance roundrobin',
    '  stick-table type string len 64 size 1m expire 30m',
    '  stick store-response res.hdr(mcp-session-id)',
    '  stick match req.hdr(mcp-session-id)',
    ...servers,
    // The control: the same replicas, no affinity.
    'frontend control',
    `  bind 127.0.0.1:${controlPort}`,
    '  default_backend no_affinity',
    'backend no_affinity',
    '  balance roundrobin',
    ...servers,
    '',
  ].join('\n');
}

function waitPort(port) {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + 10000;
    const attempt = () => {
      const socket = connect(port, '127.0.0.1');
      socket.on('connect', () => { socket.destroy(); resolve(); });
      socket.on('error', () => {
        if (Date.now() > deadline) return reject(new Error(`nothing listens on 127.0.0.1:${port}`));
        setTimeout(attempt, 100);
      });
    };
    attempt();
  });
}

describe('two gateway replicas behind HAProxy with affinity on Mcp-Session-Id', () => {
  let dir, issuer, everything, replicas, haproxy, url, controlUrl;

  before(async () => {
    if (spawnSync('haproxy', ['-v']).status !== 0) throw new Error('haproxy is not installed (scripts/bootstrap.sh installs it)');
    dir = scratchDir('authz-e2e-scaleout-');
    const table = buildPolicy('everything', dir);
    issuer = await startIssuer('RS256');
    everything = await startEverythingHttp();
    const replica = (name) => startGateway({
      dir, table, issuerUrl: issuer.url, resource: RESOURCE, upstream: { url: everything.url }, name,
      extra: { oauth: ['[oauth.principal]', 'roles_claim = "roles"'] },
    });
    replicas = [await replica('replica-1'), await replica('replica-2')];
    const port = await freePort();
    const controlPort = await freePort();
    const config = join(dir, 'haproxy.cfg');
    writeFileSync(config, haproxyConfig({ port, controlPort, replicas }));
    const check = spawnSync('haproxy', ['-c', '-q', '-f', config], { encoding: 'utf8' });
    assert.equal(check.status, 0, `haproxy -c: ${check.stdout}${check.stderr}`);
    haproxy = spawn('haproxy', ['-f', config, '-db'], { stdio: ['ignore', 'pipe', 'pipe'] });
    await waitPort(port);
    await waitPort(controlPort);
    url = `http://127.0.0.1:${port}/mcp`;
    controlUrl = `http://127.0.0.1:${controlPort}/mcp`;
  });
  after(async () => {
    haproxy?.kill('SIGKILL');
    await stopAll();
    await closeAll();
  });

  const token = (user, roles) => tokenFrom(issuer, RESOURCE, { sub: user, roles, azp: 'e2e-client', jti: `${user}-${Math.random()}` });

  test('sessions stick to one replica, and both audit logs verify', TEST_TIMEOUT, async () => {
    const sessions = [];
    for (let i = 0; i < 3; ++i) {
      sessions.push({ user: 'u-alice', ...(await connectHttp(url, await token('u-alice', ['tester']))) });
      sessions.push({ user: 'u-bob', ...(await connectHttp(url, await token('u-bob', []))) });
    }
    for (const s of sessions) {
      const names = (await listAllTools(s.client)).map((tool) => tool.name);
      assert.equal(names.includes('get-sum'), s.user === 'u-alice', `${s.user} sees ${names}`);
      for (let call = 0; call < 3; ++call) {
        const echo = await callTool(s.client, 'echo', { message: `${s.user} ${call}` });
        assert.match(JSON.stringify(echo.content), new RegExp(`${s.user} ${call}`));
      }
      if (s.user === 'u-alice') {
        assert.match(JSON.stringify((await callTool(s.client, 'get-sum', { a: 1, b: 2 })).content), /3/);
      } else {
        await assert.rejects(callTool(s.client, 'get-sum', { a: 1, b: 2 }), /access denied by policy/);
      }
    }

    // Where each session's decisions were recorded: one replica each, both used.
    const logs = replicas.map((r) => auditRecords(r.audit).filter((record) => record.session_id));
    const home = new Map();
    logs.forEach((records, replica) => {
      for (const record of records) {
        const seen = home.get(record.session_id);
        assert.ok(seen === undefined || seen === replica, `session ${record.session_id} has records in both replicas' logs`);
        home.set(record.session_id, replica);
      }
    });
    for (const s of sessions) assert.ok(home.has(s.transport.sessionId), `no audit record for session ${s.transport.sessionId}`);
    const perReplica = [0, 1].map((replica) => sessions.filter((s) => home.get(s.transport.sessionId) === replica).length);
    assert.ok(perReplica[0] > 0 && perReplica[1] > 0, `sessions per replica: ${perReplica}`);
    // Every call of every session was decided and recorded once: 3 echoes + get-sum each.
    const calls = logs.flat().filter((record) => record.target === 'echo' || record.target === 'get-sum');
    assert.equal(calls.length, sessions.length * 4, JSON.stringify(calls.map((r) => [r.session_id, r.target])));

    for (const r of replicas) {
      const verified = verifyAudit(r.audit);
      assert.equal(verified.exitCode, 0, `${r.audit}: ${JSON.stringify(verified.report)}`);
    }
  });

  test('control: without the stick table a session breaks on the other replica', TEST_TIMEOUT, async () => {
    // Round robin over two replicas: of initialize, initialized and the
    // calls, some land on the replica that did not create the session.
    const attempt = async () => {
      const s = await connectHttp(controlUrl, await token('u-bob', []));
      for (let call = 0; call < 4; ++call) await callTool(s.client, 'echo', { message: 'x' });
    };
    await assert.rejects(attempt(), /404|session|not found/i);
  });
});
