// types_check.ts — compiled (never run) by types.test.mjs with `tsc --noEmit`:
// the declarations in index.d.ts and mcp.d.ts describe how the API is used,
// and misuse is a type error.
import { AuditLog, Authz, Entities, type AuthzError, type Decision } from '../index.js';
import { authorize, authzOf, principalFromEnvironment } from '../mcp.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';

const authz: Authz = Authz.loadFile('sales.authzt', { expectedPolicyHash: 'abc', audit: new AuditLog('audit.jsonl') });
const decision: Decision = authz.decide(
  { principal: { id: 'u-bob', roles: ['rep'], attributes: { manages: [] } }, target: 'get_account', arguments: { account: 'acc-1' } },
  { entities: (type, id) => (type === 'Account' ? { owner: 'u-bob', team: 'east', region: id } : null), explain: true });
const effect: 'allow' | 'deny' = decision.effect;
const user: string | undefined = decision.explanation?.user;
const filter = authz.rowFilter({ principal: { id: 'u-bob' }, target: 'get_account', unknown: ['account'] }, { 'account.owner': 'owner' });
const sql: string = filter.sql;
authz.reload(new Uint8Array(0));
new Entities({ Account: { 'acc-1': { owner: 'u-bob' } } });
try { authz.decide({ principal: { id: 'x' }, target: 't' }); } catch (error) { const code: string = (error as AuthzError).code; void code; }

const server = new McpServer({ name: 'x', version: '1.0.0' });
authorize(server, authz, { handles: { list_accounts: ['max_results'] }, principal: (info) => ({ id: String(info.extra?.sub) }) });
server.registerTool('get_account', { inputSchema: { account: z.string() } }, async ({ account }, extra) => {
  authzOf(extra).acknowledge('max_results');
  return { content: [{ type: 'text', text: account }] };
});
void principalFromEnvironment({ AUTHZ_USER: 'u-bob' });
void effect; void user; void sql;

// @ts-expect-error: a request needs a principal
authz.decide({ target: 'get_account' });
// @ts-expect-error: the method is one of three
authz.decide({ principal: { id: 'u' }, target: 't', method: 'tools/list' });
