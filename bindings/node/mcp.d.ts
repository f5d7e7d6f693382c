// mcp.d.ts — the types of `@authz/node/mcp` (mcp.js): authorization in front
// of every handler of an MCP TypeScript SDK server.
import type { AuditLog, Authz, ColumnMap, Decision, EntityCallback, Entities, Obligation, PartialRequest, Principal, RowFilter } from './index.js';

/** What an authorized handler finds in `extra.authz`. */
export interface AuthzContext {
  decision: Decision;
  principal: Principal;
  obligations: readonly Obligation[];
  /** Say that the handler applied this obligation; every one must be, or the result is withheld. */
  acknowledge(name: string): void;
  /** The caller's row filter for a per-record target (principal and clock filled in). */
  rowFilter(request: Omit<PartialRequest, 'principal'>, columns: ColumnMap): RowFilter;
}

/** The bearer-token part of a request the SDK passes to handlers (its AuthInfo). */
export interface AuthInfoLike {
  token: string;
  clientId: string;
  scopes: string[];
  expiresAt?: number;
  extra?: Record<string, unknown>;
}

export interface AuthorizeOptions {
  /** Maps a request's bearer authInfo to the principal; default: principalFromAuthInfo. undefined: refuse. */
  principal?: (authInfo: AuthInfoLike, extra: unknown) => Principal | undefined;
  /** false: never take the principal from the environment for requests without authInfo. */
  environment?: boolean;
  entities?: EntityCallback | Entities;
  audit?: AuditLog;
  /** The obligations each tool / resource / prompt handler applies, by name. */
  handles?: Record<string, string[]>;
  /** The decisions' clock (tests). */
  now?: () => Date | number;
  /** Where refusals the caller does not see are reported; default stderr. */
  log?: (line: string) => void;
}

/** Governs every tool, resource and prompt handler of `server` (an McpServer or a Server). */
export function authorize(server: object, authz: Authz, options?: AuthorizeOptions): {
  authz: Authz;
  principalOf(extra: { authInfo?: AuthInfoLike }): Principal | undefined;
};

/** AUTHZ_USER, AUTHZ_ROLES (comma-separated), AUTHZ_ATTRIBUTES (JSON object); undefined without AUTHZ_USER. */
export function principalFromEnvironment(env?: Record<string, string | undefined>): Principal | undefined;
/** authInfo.extra.sub / .roles / .attributes; undefined without a `sub`. */
export function principalFromAuthInfo(authInfo: AuthInfoLike): Principal | undefined;

/** The handler's AuthzContext (extra.authz); throws when the request was not authorized by authorize(). */
export function authzOf(extra: object): AuthzContext;
