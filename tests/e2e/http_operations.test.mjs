// http_operations.test.mjs — operating `authz-gateway serve`: a key rotated
// at the authorization server is fetched on the first token with its kid;
// SIGHUP reloads the table (open sessions decide with the new one) and
// refuses an invalid configuration (the old state keeps serving); SIGTERM
// drains and exits 0; /healthz reports the table in force; a key set
// refetch that hangs holds no I/O thread (other callers are answered).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';

import { authzcBinary, buildPolicy, callTool, closeAll, E2E_DIR, scratchDir, verifyAudit } from './harness.mjs';
import { connectHttp, rawPost, startEverythingHttp, startGateway, startIssuer, stopAll, tokenFrom } from './http_support.mjs';

const TEST_TIMEOUT = { timeout: 60000 };
const RESOURCE = 'https://gateway.example/mcp';
const waitFor = async (condition, what) => {
  const deadline = Date.now() + 15000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

describe('operating authz-gateway serve', () => {
  let dir, table, issuer, everything, gateway;

  before(async () => {
    dir = scratchDir('authz-e2e-http-ops-');
    table = buildPolicy('everything', dir);
    issuer = await startIssuer('RS256');
    everything = await startEverythingHttp();
    gateway = await startGateway({ dir, table, issuerUrl: issuer.url, resource: RESOURCE, upstream: { url: everything.url } });
  });
  after(async () => {
    await stopAll();
    await closeAll();
  });

  const alice = () => tokenFrom(issuer, RESOURCE, { sub: 'u-alice', roles: ['tester'] });

  test('a rotated signing key is fetched on the first token that uses it', TEST_TIMEOUT, async () => {
    const before = await alice();
    const oldKid = JSON.parse(Buffer.from(before.split('.')[0], 'base64url')).kid;
    await issuer.server.issuer.keys.generate('ES256');
    // The mock signs with its keys in turn: find a token made with the new one.
    let rotated;
    for (let i = 0; i < 4 && !rotated; ++i) {
      const token = await alice();
      if (JSON.parse(Buffer.from(token.split('.')[0], 'base64url')).kid !== oldKid) rotated = token;
    }
    assert.ok(rotated, 'a token signed with the new key');
    const client = await connectHttp(gateway.url, rotated);
    const sum = await callTool(client.client, 'get-sum', { a: 1, b: 2 });
    assert.ok(!sum.isError);
  });

  test('SIGHUP reloads the table for open sessions; an invalid configuration is refused', TEST_TIMEOUT, async () => {
    const client = await connectHttp(gateway.url, await alice());
    let listChanged = 0;
    client.client.setNotificationHandler(ToolListChangedNotificationSchema, () => { listChanged += 1; });
    assert.ok(!(await callTool(client.client, 'get-sum', { a: 1, b: 2 })).isError);
    const hashBefore = (await (await fetch(`${gateway.base}/healthz`)).json()).policy_hash;

    // An invalid configuration: refused, the old state keeps serving.
    const good = readFileSync(gateway.config, 'utf8');
    writeFileSync(gateway.config, `${good}\n[http.nonsense]\n`);
    gateway.child.kill('SIGHUP');
    await waitFor(() => gateway.stderr.join('').includes('reload_refused'), 'the refusal');
    assert.ok(!(await callTool(client.client, 'get-sum', { a: 1, b: 2 })).isError);
    writeFileSync(gateway.config, good);

    // A new table without the testers' get-sum rule, in place of the old one.
    const source = readFileSync(join(E2E_DIR, 'policies', 'everything.authz'), 'utf8')
      .replace(/allow testers_sum_small:[^;]*;/, '');
    const policy = join(dir, 'everything-v2.authz');
    writeFileSync(policy, source);
    execFileSync(authzcBinary(), ['build', policy, '-o', table], { stdio: 'pipe' });
    gateway.child.kill('SIGHUP');
    await waitFor(() => gateway.stderr.join('').includes('"event":"reloaded"'), 'the reload');
    const hashAfter = (await (await fetch(`${gateway.base}/healthz`)).json()).policy_hash;
    assert.notEqual(hashAfter, hashBefore, gateway.stderr.join(""));
    await assert.rejects(callTool(client.client, 'get-sum', { a: 1, b: 2 }), /access denied by policy/);
    // The client hears that its list changed, on its GET stream.
    await waitFor(() => listChanged > 0, 'notifications/tools/list_changed');
    assert.equal(verifyAudit(gateway.audit).exitCode, 0);
  });

  test('SIGTERM drains and exits 0', TEST_TIMEOUT, async () => {
    const exited = new Promise((resolve) => gateway.child.on('exit', (code) => resolve(code)));
    gateway.child.kill('SIGTERM');
    assert.equal(await exited, 0);
    const stderr = gateway.stderr.join('');
    assert.match(stderr, /"event":"draining"/);
    assert.match(stderr, /"event":"stopped"/);
    assert.equal(verifyAudit(gateway.audit).exitCode, 0);
  });
});

describe('authz-gateway serve over TLS', () => {
  let dir, gateway, verifying, cert, issuer, upstream;
  before(async () => {
    dir = scratchDir('authz-e2e-http-tls-');
    const table = buildPolicy('everything', dir);
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'pipe' });
    cert = readFileSync(join(dir, 'cert.pem'));
    issuer = await startIssuer('RS256');
    // An HTTPS upstream whose certificate no public CA signed.
    upstream = await startEverythingHttp({ key: readFileSync(join(dir, 'key.pem')), cert });
    gateway = await startGateway({
      dir, table, issuerUrl: issuer.url, resource: RESOURCE, upstream: { url: upstream.url },
      extra: { http: ['tls_cert = "cert.pem"', 'tls_key = "key.pem"'], upstream: ['verify_tls = false'] },
    });
    verifying = await startGateway({
      dir, table, issuerUrl: issuer.url, resource: RESOURCE, upstream: { url: upstream.url }, name: 'verifying',
    });
  });
  after(async () => {
    await stopAll();
    await closeAll();
  });

  test('HTTPS with the configured certificate; plain HTTP gets nothing', TEST_TIMEOUT, async () => {
    const url = gateway.base.replace('http:', 'https:');
    const { status, body } = await new Promise((resolve, reject) => {
      const request = httpsRequest(`${url}/healthz`, { ca: cert }, (response) => {
        let text = '';
        response.on('data', (chunk) => { text += chunk; });
        response.on('end', () => resolve({ status: response.statusCode, body: text }));
      });
      request.on('error', reject);
      request.end();
    });
    assert.equal(status, 200);
    assert.match(body, /"status":"ok"/);
    assert.match(gateway.stderr.join(''), /\(https\)/);
    await assert.rejects(fetch(`${gateway.base}/healthz`));
  });

  test('an https upstream: the peer is verified unless verify_tls is false', TEST_TIMEOUT, async () => {
    const token = await tokenFrom(issuer, RESOURCE, { sub: 'u-alice', roles: ['tester'] });
    // The verifying gateway refuses the self-signed upstream: nothing reaches it.
    const before = upstream.requests.length;
    const refused = await rawPost(verifying.url, { token });
    assert.equal(refused.status, 502, await refused.text());
    assert.equal(upstream.requests.length, before);
    // verify_tls = false (a test upstream): the session works over TLS.
    const url = gateway.base.replace('http:', 'https:') + '/mcp';
    const response = await new Promise((resolve, reject) => {
      const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'tls', version: '1' } } });
      const request = httpsRequest(url, {
        method: 'POST', ca: cert,
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${token}` },
      }, (answer) => {
        let text = '';
        answer.on('data', (chunk) => { text += chunk; });
        answer.on('end', () => resolve({ status: answer.statusCode, text }));
      });
      request.on('error', reject);
      request.end(body);
    });
    assert.equal(response.status, 200, response.text);
    assert.match(response.text, /"serverInfo"/);
    assert.equal(upstream.requests.at(-1).headers.authorization, undefined);
  });
});

describe('authz-gateway serve session limits', () => {
  let dir, gateway, issuer;
  before(async () => {
    dir = scratchDir('authz-e2e-http-limits-');
    const table = buildPolicy('everything', dir);
    issuer = await startIssuer('RS256');
    const everything = await startEverythingHttp();
    gateway = await startGateway({
      dir, table, issuerUrl: issuer.url, resource: RESOURCE, upstream: { url: everything.url },
      extra: { http: ['max_sessions_per_user = 1', 'session_idle_timeout = 1'] },
    });
  });
  after(async () => {
    await stopAll();
    await closeAll();
  });

  test('one session per user here: the second is 429 until the first expires idle', TEST_TIMEOUT, async () => {
    const token = await tokenFrom(issuer, RESOURCE, { sub: 'u-alice', roles: ['tester'] });
    const first = await rawPost(gateway.url, { token });
    assert.equal(first.status, 200);
    const firstId = first.headers.get('mcp-session-id');
    await first.text();
    const second = await rawPost(gateway.url, { token });
    assert.equal(second.status, 429);
    // Another user is not limited by alice's sessions.
    assert.equal((await rawPost(gateway.url, { token: await tokenFrom(issuer, RESOURCE, { sub: 'u-bob' }) })).status, 200);
    await waitFor(() => gateway.stderr.join('').includes(`session ${firstId} was idle`), 'the idle expiry');
    const again = await rawPost(gateway.url, {
      token, headers: { 'mcp-session-id': firstId }, body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
    });
    assert.equal(again.status, 404);
    assert.equal((await rawPost(gateway.url, { token })).status, 200);
  });
});

describe('authz-gateway serve while a key set refetch hangs', () => {
  let dir, table, issuer, everything, gateway, jwks;
  const HANG_MS = 4000;

  before(async () => {
    dir = scratchDir('authz-e2e-http-jwks-');
    table = buildPolicy('everything', dir);
    issuer = await startIssuer('RS256');
    everything = await startEverythingHttp();
    // The identity provider's key set, served by a test server that can be told to answer slowly.
    jwks = { hang: false, fetches: 0, server: null };
    jwks.server = createServer(async (req, res) => {
      jwks.fetches += 1;
      const body = await (await fetch(`${issuer.url}/jwks`)).text();
      if (jwks.hang) await new Promise((resolve) => setTimeout(resolve, HANG_MS));
      if (!res.destroyed) res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    });
    await new Promise((resolve) => jwks.server.listen(0, '127.0.0.1', resolve));
    // One I/O thread: a fetch that held it would stall every other request.
    gateway = await startGateway({
      dir, table, issuerUrl: issuer.url, resource: RESOURCE, upstream: { url: everything.url },
      jwksUri: `http://127.0.0.1:${jwks.server.address().port}/jwks`, extra: { http: ['threads = 1'] },
    });
  });
  after(async () => {
    await stopAll();
    jwks.server.closeAllConnections();
    await new Promise((resolve) => jwks.server.close(resolve));
    await closeAll();
  });

  test('another caller is answered while an unknown kid waits for the key set', TEST_TIMEOUT, async () => {
    const alice = await tokenFrom(issuer, RESOURCE, { sub: 'u-alice', roles: ['tester'] });
    const client = await connectHttp(gateway.url, alice);
    const other = await startIssuer('RS256');
    const unknownKid = await tokenFrom(other, RESOURCE, { sub: 'u-mallory', iss: issuer.url });
    jwks.hang = true;
    const fetchesBefore = jwks.fetches;
    const started = Date.now();
    const refused = rawPost(gateway.url, { token: unknownKid });
    await waitFor(() => jwks.fetches > fetchesBefore, 'the refetch');
    // While the refetch hangs: a health check and an open session's tool call are answered.
    const health = await fetch(`${gateway.base}/healthz`);
    assert.equal(health.status, 200);
    assert.ok(!(await callTool(client.client, 'get-sum', { a: 1, b: 2 })).isError);
    const servedAfter = Date.now() - started;
    assert.ok(servedAfter < HANG_MS - 500, `served after ${servedAfter} ms, not while the fetch hung`);
    // The unknown kid stays refused (fail closed) once the fetched set lacks it too.
    const answer = await refused;
    assert.equal(answer.status, 401);
    assert.ok(Date.now() - started >= HANG_MS - 100, 'the refusal waited for the fetch');
    // Rate-limited: a second unknown kid at once does not fetch again.
    const fetchesAfter = jwks.fetches;
    assert.equal((await rawPost(gateway.url, { token: unknownKid })).status, 401);
    assert.equal(jwks.fetches, fetchesAfter);
  });
});
