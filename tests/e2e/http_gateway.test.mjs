// http_gateway.test.mjs — `authz-gateway serve`, the Streamable HTTP front,
// with the real MCP SDK client (StreamableHTTPClientTransport and a bearer
// token from oauth2-mock-server) in front of server-everything in
// streamableHttp mode (which answers with SSE streams). Covers: two users at
// once get different lists and decisions; every bad token is a 401 with the
// right challenge; a missing scope is 403; another user's session id is 404
// and audited; the upstream never sees the client's token; a bad Origin is
// 403; the stdio suite's smuggling cases over HTTP; the audit chain holds
// the caller's issuer, client, token id, session and address.
import assert from 'node:assert/strict';
import { createHmac, createPublicKey } from 'node:crypto';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';

import { auditRecords, buildPolicy, callTool, closeAll, listAllTools, scratchDir, verifyAudit } from './harness.mjs';
import {
  connectHttp, rawPost, startEverythingHttp, startGateway, startIssuer, stopAll, tokenFrom,
} from './http_support.mjs';

const TEST_TIMEOUT = { timeout: 60000 };
// Sends raw bytes (in pieces `delayMs` apart when given) and returns what
// came back before the gateway closed the connection.
function rawExchange(port, pieces, delayMs = 0) {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    const started = Date.now();
    socket.on('data', (chunk) => { received += chunk.toString('latin1'); });
    socket.on('close', () => resolve({ received, ms: Date.now() - started }));
    socket.on('error', () => resolve({ received, ms: Date.now() - started }));
    setTimeout(() => { socket.destroy(); reject(new Error(`no close after 15 s; got ${received}`)); }, 15000);
    (async () => {
      for (const piece of pieces) {
        if (socket.destroyed) return;
        socket.write(piece);
        if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
      }
    })();
  });
}

const b64 = (value) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

describe('authz-gateway serve in front of server-everything (streamable HTTP)', () => {
  let dir, issuer, other, everything, gateway, resource;

  before(async () => {
    dir = scratchDir('authz-e2e-http-');
    const table = buildPolicy('everything', dir);
    issuer = await startIssuer('RS256');
    other = await startIssuer('ES256');
    everything = await startEverythingHttp();
    // The resource URI is the gateway's own URL: known only once its port is.
    gateway = await startGateway({
      dir, table, issuerUrl: issuer.url, resource: 'http://127.0.0.1:0/mcp', upstream: { url: everything.url },
      extra: { oauth: ['[oauth.principal]', 'roles_claim = "roles"'] },
    });
    resource = 'http://127.0.0.1:0/mcp';
  });
  after(async () => {
    await stopAll();
    await closeAll();
  });

  const alice = () => tokenFrom(issuer, resource, { sub: 'u-alice', roles: ['tester'], azp: 'e2e-client', jti: `a-${Math.random()}` });
  const bob = () => tokenFrom(issuer, resource, { sub: 'u-bob', roles: [], azp: 'e2e-client', jti: `b-${Math.random()}` });

  test('two users at once get different lists and decisions', TEST_TIMEOUT, async () => {
    const a = await connectHttp(gateway.url, await alice());
    const b = await connectHttp(gateway.url, await bob());
    const [aliceTools, bobTools] = await Promise.all([listAllTools(a.client), listAllTools(b.client)]);
    const names = (tools) => tools.map((tool) => tool.name).sort();
    assert.ok(names(aliceTools).includes('get-sum'), `alice sees get-sum: ${names(aliceTools)}`);
    assert.ok(!names(bobTools).includes('get-sum'), `bob does not: ${names(bobTools)}`);
    assert.ok(names(bobTools).includes('echo'));
    assert.ok(!names(aliceTools).includes('get-env'));

    const sum = await callTool(a.client, 'get-sum', { a: 2, b: 3 });
    assert.ok(!sum.isError, JSON.stringify(sum));
    assert.match(JSON.stringify(sum.content), /5/);
    await assert.rejects(callTool(b.client, 'get-sum', { a: 2, b: 3 }), /access denied by policy/);
    const echo = await callTool(b.client, 'echo', { message: 'hi' });
    assert.match(JSON.stringify(echo.content), /hi/);
    // Arguments the policy refuses: a tool-level error result.
    const big = await callTool(a.client, 'get-sum', { a: 200, b: 3 });
    assert.equal(big.isError, true);

    // Nothing refused reached the upstream; lists came back as SSE streams.
    const calls = everything.requests.filter((r) => r.body.includes('"tools/call"')).map((r) => JSON.parse(r.body));
    assert.ok(calls.every((call) => call.params.name !== 'get-sum' || call.params.arguments.a < 100));
    assert.equal(calls.filter((call) => call.params.name === 'get-sum').length, 1);

    const records = auditRecords(gateway.audit);
    const bobDenied = records.find((r) => r.user === 'u-bob' && r.target === 'get-sum');
    assert.equal(bobDenied.effect, 'deny');
    assert.equal(bobDenied.issuer, issuer.url);
    assert.equal(bobDenied.client_id, 'e2e-client');
    assert.match(bobDenied.token_id, /^b-/);
    assert.match(bobDenied.session_id, /^[0-9a-f]{32}$/);
    assert.match(bobDenied.remote_address, /^127\.0\.0\.1:\d+$/);
    const aliceAllowed = records.find((r) => r.user === 'u-alice' && r.target === 'get-sum' && r.effect === 'allow');
    assert.ok(aliceAllowed);
    assert.notEqual(aliceAllowed.session_id, bobDenied.session_id);
    const verified = verifyAudit(gateway.audit);
    assert.equal(verified.exitCode, 0, JSON.stringify(verified.report));
  });

  test('the upstream never sees the client token, and sessions are not shared', TEST_TIMEOUT, async () => {
    const token = await alice();
    const a = await connectHttp(gateway.url, token);
    await callTool(a.client, 'echo', { message: 'x' });
    assert.ok(everything.requests.length > 0);
    for (const request of everything.requests) {
      assert.equal(request.headers.authorization, undefined, JSON.stringify(request.headers));
      assert.ok(!JSON.stringify(request).includes(token.slice(-20)));
    }
    // The upstream session ids are the upstream's, not the gateway's.
    const upstreamIds = new Set(everything.requests.map((r) => r.headers['mcp-session-id']).filter(Boolean));
    assert.ok(!upstreamIds.has(a.transport.sessionId));
  });

  test('each bad token is a 401 with the right challenge; no token too', TEST_TIMEOUT, async () => {
    const now = Math.floor(Date.now() / 1000);
    const good = await alice();
    const [header, payload] = good.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url'));
    const jwks = await (await fetch(`${issuer.url}/jwks`)).json();
    const publicPem = createPublicKey({ key: jwks.keys[0], format: 'jwk' }).export({ type: 'spki', format: 'pem' });
    const hs256Header = b64({ alg: 'HS256', typ: 'JWT', kid: jwks.keys[0].kid });
    const hs256Body = b64(claims);
    const hs256 = `${hs256Header}.${hs256Body}.${createHmac('sha256', publicPem).update(`${hs256Header}.${hs256Body}`).digest('base64url')}`;
    const cases = {
      expired: await tokenFrom(issuer, resource, { sub: 'u-alice', exp: now - 3600, iat: now - 7200 }),
      'not yet valid': await tokenFrom(issuer, resource, { sub: 'u-alice', nbf: now + 3600 }),
      'wrong aud': await tokenFrom(issuer, resource, { sub: 'u-alice', aud: 'https://other.example/mcp' }),
      'wrong iss': await tokenFrom(issuer, resource, { sub: 'u-alice', iss: 'https://evil.example' }),
      'alg none': `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`,
      'HS256 with the public key': hs256,
      'unknown kid': await tokenFrom(other, resource, { sub: 'u-alice', iss: issuer.url }),
      'tampered payload': `${header}.${b64({ ...claims, sub: 'u-bob' })}.${good.split('.')[2]}`,
    };
    for (const [name, token] of Object.entries(cases)) {
      const response = await rawPost(gateway.url, { token });
      assert.equal(response.status, 401, `${name}: ${response.status}`);
      const challenge = response.headers.get('www-authenticate');
      assert.match(challenge, /^Bearer /, name);
      assert.match(challenge, /error="invalid_token"/, `${name}: ${challenge}`);
      assert.match(challenge, /resource_metadata="http:\/\/127\.0\.0\.1:0\/\.well-known\/oauth-protected-resource\/mcp"/, name);
    }
    const missing = await rawPost(gateway.url, {});
    assert.equal(missing.status, 401);
    const challenge = missing.headers.get('www-authenticate');
    assert.match(challenge, /^Bearer resource_metadata="/);
    assert.doesNotMatch(challenge, /error=/);
    const twoSchemes = await rawPost(gateway.url, { headers: { authorization: 'Bearer a b' } });
    assert.equal(twoSchemes.status, 400);
    assert.match(twoSchemes.headers.get('www-authenticate'), /error="invalid_request"/);
  });

  test('a token without the required scope is 403 insufficient_scope', TEST_TIMEOUT, async () => {
    const token = await tokenFrom(issuer, resource, { sub: 'u-alice', roles: ['tester'] }, 'profile');
    const response = await rawPost(gateway.url, { token });
    assert.equal(response.status, 403);
    const challenge = response.headers.get('www-authenticate');
    assert.match(challenge, /error="insufficient_scope"/);
    assert.match(challenge, /scope="mcp:tools"/);
  });

  test('the protected resource metadata names the authorization server', TEST_TIMEOUT, async () => {
    const response = await fetch(`${gateway.base}/.well-known/oauth-protected-resource/mcp`);
    assert.equal(response.status, 200);
    const metadata = await response.json();
    assert.equal(metadata.resource, resource);
    assert.deepEqual(metadata.authorization_servers, [issuer.url]);
    assert.deepEqual(metadata.scopes_supported, ['mcp:tools']);
    const health = await fetch(`${gateway.base}/healthz`);
    assert.equal(health.status, 200);
  });

  test('user B presenting user A\'s session id gets 404, and the audit log says so', TEST_TIMEOUT, async () => {
    const a = await connectHttp(gateway.url, await alice());
    const sessionId = a.transport.sessionId;
    assert.match(sessionId, /^[0-9a-f]{32}$/);
    const response = await rawPost(gateway.url, {
      token: await bob(),
      headers: { 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-06-18' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'echo', arguments: { message: 'stolen' } } }),
    });
    assert.equal(response.status, 404);
    assert.ok(!everything.requests.some((r) => r.body.includes('stolen')), 'nothing reached the upstream');
    const record = auditRecords(gateway.audit).find((r) => r.target === 'mcp-session' && r.session_id === sessionId);
    assert.ok(record, 'an audit record of the refusal');
    assert.equal(record.user, 'u-bob');
    assert.equal(record.effect, 'deny');
    // Alice's session still works.
    const echo = await callTool(a.client, 'echo', { message: 'still mine' });
    assert.match(JSON.stringify(echo.content), /still mine/);
  });

  test('a bad Origin is 403; wrong Accept, content type and protocol version are refused', TEST_TIMEOUT, async () => {
    const token = await alice();
    assert.equal((await rawPost(gateway.url, { token, headers: { origin: 'http://evil.example' } })).status, 403);
    assert.equal((await rawPost(gateway.url, { token, headers: { origin: 'http://localhost:6274' } })).status, 200);
    assert.equal((await rawPost(gateway.url, { token, headers: { accept: 'application/json' } })).status, 406);
    assert.equal((await rawPost(gateway.url, { token, headers: { 'content-type': 'text/plain' } })).status, 415);
    assert.equal((await rawPost(gateway.url, { token, headers: { 'mcp-protocol-version': '1999-01-01' } })).status, 400);
    assert.equal((await rawPost(`${gateway.url}?access_token=x`, { token })).status, 400);
  });

  test('the stdio suite\'s smuggling cases are refused over HTTP too', TEST_TIMEOUT, async () => {
    const b = await connectHttp(gateway.url, await bob());
    const sessionId = b.transport.sessionId;
    const token = await bob();
    const send = (body) => rawPost(gateway.url, { token, body, headers: { 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-06-18' } });
    const before = everything.requests.length;
    const smuggled = [
      // An escaped method name is still tools/call.
      '{"jsonrpc":"2.0","id":101,"method":"tools/\\u0063all","params":{"name":"get-env","arguments":{}}}',
      // A duplicate key: which name would the server read?
      '{"jsonrpc":"2.0","id":102,"method":"tools/call","params":{"name":"echo","name":"get-env","arguments":{}}}',
      // A batch.
      '[{"jsonrpc":"2.0","id":103,"method":"tools/call","params":{"name":"get-env","arguments":{}}}]',
      // An escaped tool name.
      '{"jsonrpc":"2.0","id":104,"method":"tools/call","params":{"name":"get-\\u0065nv","arguments":{}}}',
      // A decided method as a notification (nobody could be told about a refusal).
      '{"jsonrpc":"2.0","method":"tools/call","params":{"name":"get-env","arguments":{}}}',
    ];
    for (const body of smuggled) {
      const response = await send(body);
      assert.ok([200, 202].includes(response.status), `${body}: ${response.status}`);
      const text = await response.text();
      if (response.status === 200) assert.match(text, /"error"/, body);
    }
    const forwarded = everything.requests.slice(before);
    assert.ok(!forwarded.some((r) => r.body.includes('get-env') || r.body.includes('get-\\u0065nv')), JSON.stringify(forwarded));
  });

  test('DELETE ends a session', TEST_TIMEOUT, async () => {
    const token = await alice();
    const a = await connectHttp(gateway.url, token);
    const sessionId = a.transport.sessionId;
    const response = await fetch(gateway.url, { method: 'DELETE', headers: { authorization: `Bearer ${token}`, 'mcp-session-id': sessionId } });
    assert.equal(response.status, 200);
    const again = await rawPost(gateway.url, {
      token, headers: { 'mcp-session-id': sessionId },
      body: JSON.stringify({ jsonrpc: '2.0', id: 5, method: 'tools/list' }),
    });
    assert.equal(again.status, 404);
  });

  test('HTTP request smuggling is refused, nothing is forwarded, the gateway stays up', TEST_TIMEOUT, async () => {
    const token = await alice();
    const message = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'SMUGGLED', version: '1' } } });
    const head = (extra) => `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nAuthorization: Bearer ${token}\r\n${extra}\r\n`;
    const second = `${head(`Content-Length: ${message.length}\r\n`)}${message}`;
    const cases = {
      'content-length and transfer-encoding': [`${head(`Content-Length: 5\r\nTransfer-Encoding: chunked\r\n`)}0\r\n\r\n${second}`],
      'two content-lengths': [`${head(`Content-Length: ${message.length}\r\nContent-Length: 3\r\n`)}${message}${second}`],
      'two equal content-lengths': [`${head(`Content-Length: ${message.length}\r\nContent-Length: ${message.length}\r\n`)}${message}`],
      'a bad chunk size': [`${head('Transfer-Encoding: chunked\r\n')}zz\r\n${message}\r\n0\r\n\r\n`],
      'a chunk size overflowing 64 bits': [`${head('Transfer-Encoding: chunked\r\n')}10000000000000001\r\n${message}\r\n0\r\n\r\n`],
      'transfer-encoding other than chunked': [`${head('Transfer-Encoding: gzip, chunked\r\n')}${message.length.toString(16)}\r\n${message}\r\n0\r\n\r\n`],
      'a bare CR in a header value': [`${head(`X-Smuggle: a\rContent-Length: 0\r\nContent-Length: ${message.length}\r\n`)}${message}`],
      'a bare LF in a header value': [`${head(`X-Smuggle: a\nContent-Length: 0\r\nContent-Length: ${message.length}\r\n`)}${message}`],
      'an obsolete line folding': [`${head(`X-Smuggle: a\r\n Content-Length: 0\r\nContent-Length: ${message.length}\r\n`)}${message}`],
      'a space before the colon': [`${head(`Content-Length : 0\r\nContent-Length: ${message.length}\r\n`)}${message}`],
      'an oversized header': [`${head(`X-Big: ${'a'.repeat(40000)}\r\nContent-Length: ${message.length}\r\n`)}${message}`],
    };
    for (const [name, pieces] of Object.entries(cases)) {
      const { received } = await rawExchange(gateway.port, pieces);
      const status = Number(received.slice(9, 12));
      assert.ok(status >= 400 && status < 500, `${name}: ${received.slice(0, 200)}`);
      assert.equal((received.match(/HTTP\/1\.1 /g) ?? []).length, 1, `${name}: one answer only`);
    }
    // Headers sent a byte at a time: cut off at header_timeout_ms (2 s), unanswered.
    const slow = head(`Content-Length: ${message.length}\r\n`).split('');
    const { received, ms } = await rawExchange(gateway.port, slow, 100);
    assert.equal(received, '');
    assert.ok(ms < 5000, `closed after ${ms} ms`);
    assert.ok(!everything.requests.some((r) => r.body.includes('SMUGGLED')), 'nothing smuggled reached the upstream');
    assert.equal((await fetch(`${gateway.base}/healthz`)).status, 200);
  });

  test('prompts, resources and completion/complete are decided per user over HTTP', TEST_TIMEOUT, async () => {
    const a = await connectHttp(gateway.url, await alice());
    const b = await connectHttp(gateway.url, await bob());
    const prompt = { type: 'ref/prompt', name: 'completable-prompt' };
    const params = { ref: prompt, argument: { name: 'department', value: 'E' } };
    const allowed = await a.client.complete(params, { timeout: 15000 });
    assert.deepEqual(allowed.completion.values, ['Engineering']);
    await assert.rejects(b.client.complete(params, { timeout: 15000 }), /access denied by policy/);
    const prompts = async (client) => (await client.listPrompts({}, { timeout: 15000 })).prompts.map((p) => p.name);
    assert.ok((await prompts(a.client)).includes('completable-prompt'));
    assert.ok(!(await prompts(b.client)).includes('completable-prompt'));
    await assert.rejects(
      b.client.getPrompt({ name: 'completable-prompt', arguments: { department: 'Sales', name: 'Eve' } }, { timeout: 15000 }),
      /access denied by policy/);
    const completions = everything.requests.filter((r) => r.body.includes('"completion/complete"'));
    assert.equal(completions.length, 1, 'only alice\'s completion reached the upstream');
  });
});
