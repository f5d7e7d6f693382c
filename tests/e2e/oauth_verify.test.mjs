// oauth_verify.test.mjs — bearer-token verification (tools/oauth) against a
// real authorization server: oauth2-mock-server issues tokens from its
// /token endpoint (client credentials, custom claims added by its
// beforeTokenSigning hook) and publishes its key set at /jwks;
// authz-verify-token verifies them against that saved key set and the
// compiled policy, and prints the principal. Also: a token signed by another
// server's key (unknown kid), an expired one, one for another audience, and
// one lacking a required scope (403 with a step-up challenge).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { OAuth2Server } from 'oauth2-mock-server';

import { buildPolicy, closeAll, scratchDir } from './harness.mjs';

const RESOURCE = 'https://gateway.example/mcp';
const TEST_TIMEOUT = { timeout: 60000 };

function verifyBinary() {
  const path = process.env.AUTHZ_VERIFY_TOKEN;
  if (!path) throw new Error('set AUTHZ_VERIFY_TOKEN to the built authz-verify-token (ctest does this; see tests/e2e/CMakeLists.txt)');
  if (!existsSync(path)) throw new Error(`AUTHZ_VERIFY_TOKEN=${path} does not exist: build it first`);
  return path;
}

// Starts a mock authorization server with one fresh key; `claims(payload)`
// edits every token it signs.
async function startIssuer(alg, claims) {
  const server = new OAuth2Server();
  await server.issuer.keys.generate(alg);
  await server.start(0, '127.0.0.1');
  server.service.on('beforeTokenSigning', (token) => claims(token.payload, token.header));
  return server;
}

async function tokenFrom(server, scope = 'mcp:tools') {
  const response = await fetch(`${server.issuer.url}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope, aud: RESOURCE }),
  });
  assert.equal(response.status, 200, `the mock's /token answered ${response.status}`);
  return (await response.json()).access_token;
}

describe('authz-verify-token with oauth2-mock-server tokens', () => {
  let dir, table, jwksPath, issuer, other, issuerUrl;
  let overrides = {};

  before(async () => {
    dir = scratchDir('authz-e2e-oauth-');
    table = buildPolicy('oauth', dir);
    issuer = await startIssuer('RS256', (payload) => {
      Object.assign(payload, {
        sub: 'alice', azp: 'e2e-client', jti: 'token-1', roles: ['testers', 'unrelated-group'],
        department: 'sales', ext: { clearance: 3 },
      }, overrides);
    });
    issuerUrl = issuer.issuer.url;
    // Another server: its key is not in the saved set; it claims the same issuer.
    other = await startIssuer('ES256', (payload) => Object.assign(payload, { iss: issuerUrl, sub: 'mallory', department: 'sales' }));
    const jwks = await (await fetch(`${issuerUrl}/jwks`)).text();
    jwksPath = join(dir, 'jwks.json');
    writeFileSync(jwksPath, jwks);
  });
  after(async () => {
    await issuer?.stop();
    await other?.stop();
    await closeAll();
  });

  function verify(token, ...extra) {
    const result = spawnSync(verifyBinary(), [
      '--jwks', jwksPath, '--issuer', issuerUrl, '--resource', RESOURCE, '--policy', table,
      '--role-map', 'testers=tester', '--attribute', 'department=department', '--attribute', 'clearance=ext.clearance',
      '--resource-metadata', 'https://gateway.example/.well-known/oauth-protected-resource',
      ...extra, token,
    ], { encoding: 'utf8', timeout: 20000 });
    assert.ok(result.status === 0 || result.status === 1, `exit ${result.status}, stderr: ${result.stderr}`);
    return { code: result.status, out: JSON.parse(result.stdout), stderr: result.stderr };
  }

  test('a token from /token verifies and maps to the principal', TEST_TIMEOUT, async () => {
    overrides = {};
    const { code, out } = verify(await tokenFrom(issuer));
    assert.equal(code, 0);
    assert.deepEqual(out.principal, { id: 'alice', roles: ['tester'], attributes: { department: 'sales', clearance: 3 } });
    assert.equal(out.issuer, issuerUrl);
    assert.equal(out.client_id, 'e2e-client');
    assert.equal(out.jti, 'token-1');
    assert.deepEqual(out.scopes, ['mcp:tools']);
    assert.equal(out.alg, 'RS256');
  });

  test('a token signed by a key outside the set is refused as an unknown kid', TEST_TIMEOUT, async () => {
    const { code, out } = verify(await tokenFrom(other));
    assert.equal(code, 1);
    assert.equal(out.status, 401);
    assert.equal(out.error, 'invalid_token');
    assert.equal(out.unknown_kid, true);
    assert.match(out.www_authenticate, /^Bearer error="invalid_token", error_description="no key `[0-9a-f]+` in the key set", resource_metadata="https:\/\/gateway.example\/.well-known\/oauth-protected-resource"$/);
  });

  test('an expired token is refused', TEST_TIMEOUT, async () => {
    const now = Math.floor(Date.now() / 1000);
    overrides = { iat: now - 7200, nbf: now - 7200, exp: now - 3600 };
    const { code, out } = verify(await tokenFrom(issuer));
    assert.equal(code, 1);
    assert.equal(out.description, 'the token expired');
  });

  test('a token for another audience is refused', TEST_TIMEOUT, async () => {
    overrides = { aud: 'https://other.example/mcp' };
    const { code, out } = verify(await tokenFrom(issuer));
    assert.equal(code, 1);
    assert.match(out.description, /not for this resource/);
  });

  test('a claim of the wrong type for its attribute is refused, not dropped', TEST_TIMEOUT, async () => {
    overrides = { ext: { clearance: 'top' } };
    const { code, out } = verify(await tokenFrom(issuer));
    assert.equal(code, 1);
    assert.match(out.description, /`ext.clearance` claim is a string, which cannot be the principal's `clearance`/);
  });

  test('a token without a required scope gets 403 insufficient_scope', TEST_TIMEOUT, async () => {
    overrides = {};
    const { code, out } = verify(await tokenFrom(issuer, 'mcp:read'), '--require-scope', 'mcp:tools');
    assert.equal(code, 1);
    assert.equal(out.status, 403);
    assert.equal(out.error, 'insufficient_scope');
    assert.match(out.www_authenticate, /error="insufficient_scope", .*scope="mcp:tools"/);
  });

  test('a mapping to an attribute the policy lacks is a start-up error', TEST_TIMEOUT, async () => {
    overrides = {};
    const token = await tokenFrom(issuer);
    const result = spawnSync(verifyBinary(), [
      '--jwks', jwksPath, '--issuer', issuerUrl, '--resource', RESOURCE, '--policy', table, '--attribute', 'team=department', token,
    ], { encoding: 'utf8', timeout: 20000 });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /has no attribute `team`/);
  });
});
