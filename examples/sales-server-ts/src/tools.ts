// tools.ts — the sales tools on an McpServer, with the policy in front
// (authorize from @authz/node/mcp): every call is decided before its handler
// runs, and each handler applies the obligations of its decision and
// acknowledges them (or the middleware withholds its result):
//   list_accounts  the caller's row filter (partial evaluation of get_account
//                  with the account unknown, as a SQL WHERE), AND the rule's
//                  rows_owned_by_caller / rows_in_caller_set, LIMIT max_results;
//   sales_summary  aggregate_only(min_group): groups with fewer sales lines
//                  are withheld, and the call refused when none is left;
//   delete_records require_confirmation: an elicitation the client must accept.
import type { Authz, AuditLog, JsonValue, Principal } from '@authz/node';
import { authorize, authzOf, type AuthzContext } from '@authz/node/mcp';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { SqlValue } from 'sql.js';
import { z } from 'zod';

import type { SalesDb } from './db.js';

export interface SalesServerOptions {
  authz: Authz;
  db: SalesDb;
  audit?: AuditLog;
  /** The decisions' clock. */
  now: () => Date;
  /** Bearer claims -> principal (HTTP); undefined for stdio, where the environment says who. */
  principal?: (extra: Record<string, unknown> | undefined) => Principal | undefined;
}

// Unknown paths of get_account's residual -> columns of `accounts`.
const COLUMNS = { account: 'id', 'account.owner': 'owner', 'account.team': 'team', 'account.region': 'region' };
const OBLIGATION_COLUMNS = new Set(['owner', 'team', 'region']);

const json = (value: unknown) => ({ content: [{ type: 'text' as const, text: JSON.stringify(value) }] });
const refused = (text: string) => ({ content: [{ type: 'text' as const, text: `refused: ${text}` }], isError: true });

function argumentOf(context: AuthzContext, name: string, argument: string): JsonValue | undefined {
  return context.obligations.find((obligation) => obligation.name === name)?.arguments[argument];
}

export function salesServer(options: SalesServerOptions): McpServer {
  const { authz, db } = options;
  const server = new McpServer({ name: 'authz-sales-server-ts', version: '0.1.0' });
  authorize(server, authz, {
    now: options.now,
    audit: options.audit,
    entities: (type, id) => {
      if (type !== 'Account') return null;
      const account = db.account(id);
      return account ? { owner: account.owner, team: account.team, region: account.region } : null;
    },
    principal: options.principal ? (authInfo) => options.principal?.(authInfo.extra) : undefined,
    // Over HTTP every request carries a verified token; only stdio reads AUTHZ_USER.
    environment: options.principal === undefined,
    handles: {
      list_accounts: ['rows_owned_by_caller', 'rows_in_caller_set', 'max_results'],
      sales_summary: ['aggregate_only'],
      delete_records: ['require_confirmation'],
    },
  });

  server.registerTool('get_account', {
    description: 'Reads one account: owner, team, region and pipeline.',
    inputSchema: { account: z.string() },
  }, async ({ account }) => {
    const row = db.account(account);
    return row ? json(row) : refused(`no account \`${account}\``);
  });

  server.registerTool('list_accounts', {
    description: 'Lists the accounts the caller may open, newest first.',
    inputSchema: { region: z.string().optional(), limit: z.number().int().optional() },
  }, async ({ region, limit }, extra) => {
    const context = authzOf(extra);
    // The rows the caller could open one by one: get_account with the account unknown.
    const filter = context.rowFilter({ target: 'get_account', unknown: ['account'] }, COLUMNS);
    const clauses: Array<{ sql: string; parameters: SqlValue[] }> = [];
    let max = 1000;
    for (const obligation of context.obligations) {
      const field = String(obligation.arguments.field ?? '');
      if (obligation.name === 'rows_owned_by_caller') {
        if (!OBLIGATION_COLUMNS.has(field)) return refused(`unknown row-filter field \`${field}\``);
        clauses.push({ sql: `"${field}" = ?`, parameters: [context.principal.id] });
      } else if (obligation.name === 'rows_in_caller_set') {
        const values = context.principal.attributes?.[String(obligation.arguments.attribute)];
        if (!OBLIGATION_COLUMNS.has(field) || !Array.isArray(values)) return refused(`cannot apply ${obligation.name}`);
        clauses.push({ sql: values.length ? `"${field}" IN (${values.map(() => '?').join(', ')})` : '0',
          parameters: values.map(String) });
      } else if (obligation.name === 'max_results') {
        max = Math.min(max, Number(obligation.arguments.limit));
      }
      context.acknowledge(obligation.name);
    }
    if (region !== undefined) clauses.push({ sql: '"region" = ?', parameters: [region] });
    const rows = db.listAccounts(filter.sql, filter.parameters as SqlValue[], clauses, Math.max(0, Math.min(max, limit ?? max)));
    return json({ accounts: rows });
  });

  server.registerTool('update_account', {
    description: 'Changes fields (name, region, pipeline) of one account.',
    inputSchema: { account: z.string(), fields: z.record(z.string(), z.string()) },
  }, async ({ account, fields }) => {
    try {
      return json({ updated: db.updateAccount(account, fields) });
    } catch (error) {
      return refused((error as Error).message);
    }
  });

  server.registerTool('delete_records', {
    description: 'Permanently deletes records of one account (admins, after confirmation).',
    inputSchema: { account: z.string(), ids: z.array(z.string()) },
  }, async ({ account, ids }, extra) => {
    const context = authzOf(extra);
    const message = argumentOf(context, 'require_confirmation', 'message');
    if (message !== undefined) {
      context.acknowledge('require_confirmation');
      let answer;
      try {
        answer = await server.server.elicitInput({ message: String(message), requestedSchema: { type: 'object', properties: {} } });
      } catch {
        return refused('require_confirmation: this client cannot confirm (no elicitation support)');
      }
      if (answer.action !== 'accept') return refused('require_confirmation: not confirmed');
    }
    return json({ deleted: db.deleteRecords(account, ids) });
  });

  server.registerTool('sales_summary', {
    description: 'Sales totals for one region, optionally by team, month or product.',
    inputSchema: { region: z.string(), group_by: z.string().optional() },
  }, async ({ region, group_by }, extra) => {
    const context = authzOf(extra);
    const minGroup = Number(argumentOf(context, 'aggregate_only', 'min_group') ?? 1);
    if (context.obligations.some((obligation) => obligation.name === 'aggregate_only')) context.acknowledge('aggregate_only');
    let groups;
    try {
      groups = db.salesSummary(region, group_by);
    } catch (error) {
      return refused((error as Error).message);
    }
    const kept = groups.filter((group) => group.records >= minGroup);
    if (kept.length === 0) {
      return refused(`aggregate_only(min_group: ${minGroup}): every group of \`${region}\` has fewer than ${minGroup} records`);
    }
    return json({ groups: kept, withheld_groups: groups.length - kept.length, min_group: minGroup });
  });
  return server;
}
