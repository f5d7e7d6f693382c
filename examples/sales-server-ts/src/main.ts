// main.ts — authz-sales-server-ts: the sales MCP server over Streamable HTTP
// with bearer tokens (JWTs verified against the authorization server's key
// set), or over stdio for one user named by the environment.
//
//   node dist/main.js --table sales.authzt --db sales.sqlite [--audit audit.jsonl]
//        [--http PORT --issuer URL --audience URI [--jwks URL]] [--now RFC3339]
//
// HTTP: POST/GET/DELETE /mcp, one MCP session per initialize (the SDK's
// StreamableHTTPServerTransport); every request must carry
// `Authorization: Bearer <JWT>` signed by the issuer for the audience, else
// 401 with a WWW-Authenticate challenge. The token's `sub`, `roles` and
// `manages` claims are the principal, decided afresh on every request. On
// start it prints `listening http://127.0.0.1:PORT/mcp` on stdout.
// stdio: AUTHZ_USER, AUTHZ_ROLES, AUTHZ_ATTRIBUTES say who the user is.
// --now (or AUTHZ_NOW) fixes the decisions' clock, for tests.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { parseArgs } from 'node:util';

import { AuditLog, Authz, type Principal } from '@authz/node';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { createRemoteJWKSet, jwtVerify } from 'jose';

import { SalesDb } from './db.js';
import { salesServer } from './tools.js';

const { values } = parseArgs({
  options: {
    table: { type: 'string' }, db: { type: 'string' }, audit: { type: 'string' }, http: { type: 'string' },
    issuer: { type: 'string' }, audience: { type: 'string' }, jwks: { type: 'string' }, now: { type: 'string' },
  },
});

function usage(message: string): never {
  process.stderr.write(`error: ${message}\nusage: main.js --table TABLE --db FILE [--audit FILE] [--http PORT --issuer URL --audience URI [--jwks URL]] [--now TIME]\n`);
  process.exit(2);
}

if (!values.table || !values.db) usage('--table and --db are required');
const authz = Authz.loadFile(values.table);
const db = await SalesDb.open(values.db);
const audit = values.audit ? new AuditLog(values.audit) : undefined;
const fixed = values.now ?? process.env.AUTHZ_NOW;
if (fixed !== undefined && Number.isNaN(Date.parse(fixed))) usage(`--now \`${fixed}\` is not an RFC 3339 time`);
const now = () => (fixed === undefined ? new Date() : new Date(fixed));

// The principal from a verified token's claims.
function principalOf(claims: Record<string, unknown> | undefined): Principal | undefined {
  if (!claims || typeof claims.sub !== 'string') return undefined;
  const strings = (value: unknown) => (Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : []);
  return { id: claims.sub, roles: strings(claims.roles), attributes: { manages: strings(claims.manages) } };
}

if (values.http === undefined) {
  await salesServer({ authz, db, audit, now }).connect(new StdioServerTransport());
} else {
  if (!values.issuer || !values.audience) usage('--http needs --issuer and --audience');
  const issuer = values.issuer;
  const audience = values.audience;
  const jwks = createRemoteJWKSet(new URL(values.jwks ?? `${issuer}/jwks`));
  const transports = new Map<string, StreamableHTTPServerTransport>();

  const deny = (res: ServerResponse, status: number, error: string, description: string) => {
    res.writeHead(status, {
      'content-type': 'application/json',
      'www-authenticate': `Bearer error="${error}", error_description="${description}"`,
    });
    res.end(JSON.stringify({ error, error_description: description }));
  };

  async function authenticate(req: IncomingMessage): Promise<AuthInfo | string> {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(header);
    if (!match) return 'missing bearer token';
    try {
      const { payload } = await jwtVerify(match[1], jwks, { issuer, audience });
      const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [];
      return { token: match[1], clientId: String(payload.azp ?? payload.client_id ?? ''), scopes, expiresAt: payload.exp,
        extra: payload as Record<string, unknown> };
    } catch (error) {
      return (error as Error).message;
    }
  }

  async function body(req: IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    return text ? JSON.parse(text) : undefined;
  }

  const http = createServer(async (req, res) => {
    try {
      if (new URL(req.url ?? '/', 'http://localhost').pathname !== '/mcp') {
        res.writeHead(404).end();
        return;
      }
      const auth = await authenticate(req);
      if (typeof auth === 'string') return deny(res, 401, 'invalid_token', auth.replaceAll('"', "'"));
      (req as IncomingMessage & { auth?: AuthInfo }).auth = auth;
      const parsed = req.method === 'POST' ? await body(req) : undefined;
      const sessionId = req.headers['mcp-session-id'];
      let transport = typeof sessionId === 'string' ? transports.get(sessionId) : undefined;
      if (!transport) {
        if (sessionId !== undefined || req.method !== 'POST' || !isInitializeRequest(parsed)) {
          res.writeHead(400, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message: 'no valid session: initialize first' }, id: null }));
          return;
        }
        const created = new StreamableHTTPServerTransport({
          sessionIdGenerator: () => randomUUID(),
          onsessioninitialized: (id) => { transports.set(id, created); },
        });
        created.onclose = () => { if (created.sessionId) transports.delete(created.sessionId); };
        await salesServer({ authz, db, audit, now, principal: principalOf }).connect(created);
        transport = created;
      }
      await transport.handleRequest(req, res, parsed);
    } catch (error) {
      process.stderr.write(`sales-server-ts: ${(error as Error).stack ?? error}\n`);
      if (!res.headersSent) res.writeHead(500).end();
    }
  });
  http.listen(Number(values.http), '127.0.0.1', () => {
    const address = http.address();
    const port = typeof address === 'object' && address ? address.port : values.http;
    process.stdout.write(`listening http://127.0.0.1:${port}/mcp\n`);
  });
}
