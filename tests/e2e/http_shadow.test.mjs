// http_shadow.test.mjs — the shadow policy and signed tables in the HTTP
// front (`authz-gateway serve`), which runs the stdio gateway's enforcement
// core: [http].shadow decides alongside in every session and is recorded
// (with the caller's fields), never enforced; [http].trusted_keys refuses an
// unsigned table at start-up. Keys come from the openssl command.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { auditRecords, authzcBinary, callTool, closeAll, E2E_DIR, gatewayBinary, scratchDir, verifyAudit } from './harness.mjs';
import { connectHttp, startEverythingHttp, startGateway, startIssuer, stopAll, tokenFrom } from './http_support.mjs';

const TEST_TIMEOUT = { timeout: 60000 };
const RESOURCE = 'https://gateway.example/mcp';

function build(name, dir, key) {
  const table = join(dir, `${name}${key ? '.signed' : ''}.authzt`);
  const args = ['build', join(E2E_DIR, 'policies', `${name}.authz`), '-o', table];
  if (key) args.push('--sign', key);
  execFileSync(authzcBinary(), args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 30000 });
  return table;
}

describe('shadow policy and signed tables in authz-gateway serve', () => {
  let dir, issuer, everything, key, pub;

  before(async () => {
    dir = scratchDir('authz-e2e-http-shadow-');
    key = join(dir, 'release.pem');
    pub = join(dir, 'release.pub.pem');
    execFileSync('openssl', ['genpkey', '-algorithm', 'ed25519', '-out', key]);
    execFileSync('openssl', ['pkey', '-in', key, '-pubout', '-out', pub]);
    issuer = await startIssuer('RS256');
    everything = await startEverythingHttp();
  });
  after(async () => {
    await stopAll();
    await closeAll();
  });

  test('every decision is also made by the shadow and recorded; enforcement follows the policy', TEST_TIMEOUT, async () => {
    const table = build('everything', dir, key);
    const candidate = build('everything_strict', dir, key);
    const gateway = await startGateway({
      dir, table, issuerUrl: issuer.url, resource: RESOURCE, upstream: { url: everything.url }, name: 'shadowed',
      extra: { http: [`shadow = "${candidate}"`, `trusted_keys = ["${pub}"]`] },
    });
    const token = await tokenFrom(issuer, RESOURCE, { sub: 'u-alice', roles: ['tester'] });
    const { client } = await connectHttp(gateway.url, token);
    const secret = await callTool(client, 'echo', { message: 'secret' });
    assert.ok(!secret.isError, 'the enforced policy allows it');
    await assert.rejects(callTool(client, 'get-env', {}));
    const records = auditRecords(gateway.audit).filter((r) => r.method === 'tools/call');
    assert.equal(records.length, 2);
    assert.equal(records[0].effect, 'allow');
    assert.equal(records[0].shadow.effect, 'deny');
    assert.equal(records[0].shadow.reason, 'not_permitted');
    assert.equal(records[1].shadow.effect, 'deny');
    assert.deepEqual(records[1].shadow.rules, ['no_env']);
    assert.ok(records[0].session_id, 'the caller fields are there too');
    assert.equal(verifyAudit(gateway.audit).exitCode, 0);
    const report = JSON.parse(execFileSync(authzcBinary(), ['audit', 'report', gateway.audit, '--format', 'json'],
      { encoding: 'utf8' }));
    assert.equal(report.shadow.newly_denied, 1);
    assert.equal(report.shadow.newly_allowed, 0);
  });

  test('with trusted keys an unsigned table does not start', TEST_TIMEOUT, () => {
    const unsigned = build('everything', dir);
    const config = join(dir, 'unsigned.toml');
    writeFileSync(config, [
      '[http]', 'listen = "127.0.0.1:0"', `policy = "${unsigned}"`, `audit = "${join(dir, 'unsigned.jsonl')}"`,
      `trusted_keys = ["${pub}"]`, '', '[upstream]', `url = "${everything.url}"`, '', '[oauth]',
      `issuer = "${issuer.url}"`, `jwks_uri = "${issuer.url}/jwks"`, `resource = "${RESOURCE}"`, '',
    ].join('\n'));
    const run = spawnSync(gatewayBinary(), ['serve', '--config', config], { encoding: 'utf8', timeout: 30000 });
    assert.notEqual(run.status, 0);
    assert.match(run.stderr + run.stdout, /the table is not signed/);
  });
});
