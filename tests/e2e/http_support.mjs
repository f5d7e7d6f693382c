// http_support.mjs — setup for the HTTP front's e2e tests (http_*.test.mjs):
// oauth2-mock-server as the authorization server, server-everything in
// Streamable HTTP mode behind a recording proxy (what the upstream received,
// headers included), and `authz-gateway serve` in front, each on a free
// port of 127.0.0.1.
//
// Contract: every process and server started here is registered and ended by
// stopAll(), which each test file calls in `after`. Waits have timeouts and
// fail with what the process printed.
import { spawn } from 'node:child_process';
import { createServer, request as httpRequest } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { OAuth2Server } from 'oauth2-mock-server';

import { E2E_DIR, gatewayBinary, REQUEST_TIMEOUT_MS } from './harness.mjs';

const started = [];

export async function freePort() {
  const server = createNetServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// Resolves when `pattern` appears in the process's stderr (or stdout).
function waitForOutput(child, pattern, what) {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`${what} did not start: ${seen}`)), 20000);
    const look = (chunk) => {
      seen += chunk.toString('utf8');
      if (pattern.test(seen)) {
        clearTimeout(timer);
        resolve(seen);
      }
    };
    child.stderr.on('data', look);
    child.stdout.on('data', look);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code}: ${seen}`));
    });
  });
}

// The mock authorization server; `claims(payload, header)` edits each token it signs.
export async function startIssuer(alg = 'RS256') {
  const server = new OAuth2Server();
  await server.issuer.keys.generate(alg);
  await server.start(0, '127.0.0.1');
  started.push({ stop: () => server.stop() });
  const state = { claims: {} };
  server.service.on('beforeTokenSigning', (token) => Object.assign(token.payload, state.claims));
  return { server, url: server.issuer.url, state };
}

export async function tokenFrom(issuer, resource, claims, scope = 'mcp:tools') {
  issuer.state.claims = claims;
  const response = await fetch(`${issuer.url}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope, aud: resource }),
  });
  if (response.status !== 200) throw new Error(`the mock's /token answered ${response.status}`);
  return (await response.json()).access_token;
}

// server-everything in streamableHttp mode behind a recording proxy (HTTPS
// with `tls` = { key, cert }). Returns { url, requests }: every request the
// server received, with headers and body.
export async function startEverythingHttp(tls) {
  const port = await freePort();
  const child = spawn(process.execPath, [join(E2E_DIR, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js'), 'streamableHttp'], {
    env: { ...process.env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push({ stop: () => child.kill('SIGKILL') });
  await waitForOutput(child, /listening on port/, 'server-everything');
  const requests = [];
  const proxy = (tls ? (handler) => createHttpsServer(tls, handler) : createServer)((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      requests.push({ method: req.method, url: req.url, headers: req.headers, body: body.toString('utf8') });
      const upstream = httpRequest({ host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode, answer.headers);
        res.flushHeaders();  // an SSE stream starts now, not at its first event
        answer.pipe(res);
      });
      upstream.on('error', () => res.destroy());
      upstream.end(body);
    });
  });
  await new Promise((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  started.push({ stop: () => new Promise((resolve) => { proxy.closeAllConnections(); proxy.close(resolve); }) });
  return { url: `${tls ? 'https' : 'http'}://127.0.0.1:${proxy.address().port}/mcp`, requests };
}

// Writes gateway.toml in `dir` and starts `authz-gateway serve`. `extra` adds
// TOML lines to the sections; `jwksUri` replaces the issuer's /jwks. Returns
// { url, base, child, stderr, audit, config }.
export async function startGateway({ dir, table, issuerUrl, resource, upstream, extra = {}, name = 'gateway', jwksUri }) {
  const port = await freePort();
  const audit = join(dir, `${name}.audit.jsonl`);
  const upstreamLines = upstream.url ? `url = "${upstream.url}"` : `command = ${JSON.stringify(upstream.command)}`;
  const config = join(dir, `${name}.toml`);
  writeFileSync(config, [
    '[http]',
    `listen = "127.0.0.1:${port}"`,
    `policy = "${table}"`,
    `audit = "${audit}"`,
    'allowed_origins = ["http://localhost:6274"]',
    'header_timeout_ms = 2000',
    ...(extra.http ?? []),
    '',
    '[upstream]',
    upstreamLines,
    ...(extra.upstream ?? []),
    '',
    '[oauth]',
    `issuer = "${issuerUrl}"`,
    `jwks_uri = "${jwksUri ?? `${issuerUrl}/jwks`}"`,
    `resource = "${resource}"`,
    'required_scopes = ["mcp:tools"]',
    ...(extra.oauth ?? []),
    '',
    ...(extra.tail ?? []),
  ].join('\n'));
  const child = spawn(gatewayBinary(), ['serve', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr = [];
  child.stderr.on('data', (chunk) => stderr.push(chunk.toString('utf8')));
  started.push({ stop: () => new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.on('exit', resolve);
    child.kill('SIGTERM');
    setTimeout(() => { child.kill('SIGKILL'); }, 3000);
  }) });
  await waitForOutput(child, /"event":"listening"/, 'authz-gateway serve');
  return { url: `http://127.0.0.1:${port}/mcp`, base: `http://127.0.0.1:${port}`, port, child, stderr, audit, config };
}

// An MCP SDK client over Streamable HTTP with a bearer token.
export async function connectHttp(url, token) {
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers: { Authorization: `Bearer ${token}` } },
  });
  const client = new Client({ name: 'authz-e2e-http', version: '1.0.0' });
  await client.connect(transport, { timeout: REQUEST_TIMEOUT_MS });
  started.push({ stop: () => client.close().catch(() => {}) });
  return { client, transport };
}

export async function stopAll() {
  const entries = started.splice(0).reverse();
  for (const entry of entries) {
    try {
      await entry.stop();
    } catch {}
  }
}

// A raw initialize POST (for the refusal cases): returns the fetch Response.
export function initializeBody(id = 1) {
  return JSON.stringify({
    jsonrpc: '2.0', id, method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
  });
}

export async function rawPost(url, { token, body = initializeBody(), headers = {} } = {}) {
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body,
  });
}
