// index.d.ts — the types of `@authz/node` (index.js): the authz runtime in
// process. Every error it throws is an `AuthzError` (an `Error` with a stable
// `code`).

/** The library's version, e.g. "0.1.0". */
export const version: string;

export type AuthzErrorCode =
  | 'AUTHZ_INVALID_TABLE'      // not a table, corrupt, or another format version
  | 'AUTHZ_IO'                 // a table or audit log file could not be read / opened
  | 'AUTHZ_POLICY_MISMATCH'    // the table's policy hash is not the expected one
  | 'AUTHZ_INVALID_REQUEST'    // a request (or option) of the wrong shape
  | 'AUTHZ_ENTITY_LOOKUP'      // the entity callback threw or answered something that is not an entity
  | 'AUTHZ_UNTRANSLATABLE'     // a row filter SQL cannot express: deny the call
  | 'AUTHZ_AUDIT_UNAVAILABLE'  // the audit record could not be written: deny the call
  | 'AUTHZ_ADDON_MISSING';     // authz_node.node could not be loaded

export interface AuthzError extends Error {
  code: AuthzErrorCode;
  /** AUTHZ_ENTITY_LOOKUP: what the callback threw. */
  cause?: unknown;
  /** AUTHZ_UNTRANSLATABLE: the residual as JSON text. */
  residual?: string;
}

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface Principal {
  /** The user's id, e.g. "u-bob". */
  id: string;
  /** Role names; names the policy does not declare are ignored. */
  roles?: string[];
  /** The principal's declared attributes, e.g. { manages: ["east"] }. */
  attributes?: Record<string, JsonValue>;
}

export type Method = 'tools/call' | 'resources/read' | 'prompts/get';

export interface Request {
  principal: Principal;
  /** Default: tools/call. */
  method?: Method;
  /** The tool or prompt name, or the resource URI. */
  target: string;
  arguments?: Record<string, JsonValue>;
  /** The decision's clock: a Date, ms since the epoch, or RFC 3339 text; default: now. */
  now?: Date | number | string;
}

export type Effect = 'allow' | 'deny';
export type Reason = 'allowed' | 'forbidden' | 'not_permitted' | 'unknown_target' | 'invalid_arguments' | 'expired' | 'error';

export interface Obligation {
  /** The allow rule that carries it. */
  rule: string;
  /** e.g. "aggregate_only". */
  name: string;
  /** Its arguments as the policy wrote them, e.g. { min_group: 5 }. */
  arguments: Record<string, JsonValue>;
}

export interface Explanation {
  /** For the person who made the call: rules and failed conditions, no values from entity data. */
  user: string;
  /** For operators and logs: everything, with the values on each side of each condition. */
  operator: string;
  /** One line, for a refusal message ("" when allowed): "tool `x` is forbidden by `rule`". */
  summary: string;
}

export interface Decision {
  effect: Effect;
  allowed: boolean;
  reason: Reason;
  /** Allowed: the allows and grants that apply; forbidden: the denies that apply; expired / error: the rules concerned. */
  rules: readonly string[];
  /** From every applying allow; apply each or refuse the call. */
  obligations: readonly Obligation[];
  /** Why, for invalid_arguments / unknown_target / error; safe to show the caller. */
  message: string;
  /** 32 hex digits, unique per decision; the audit record's id. */
  decisionId: string;
  target: string;
  /** With { explain: true }. */
  explanation?: Explanation;
}

/** Answers entity look-ups synchronously: the entity's attributes, or null / undefined when there is none. */
export type EntityCallback = (type: string, id: string) => Record<string, JsonValue> | null | undefined;

/** Entity data loaded once: { Account: { "acc-1": { owner: "u-bob", ... } } }. */
export class Entities {
  constructor(data: Record<string, Record<string, Record<string, JsonValue>>> | string);
  readonly size: number;
}

/** The runtime's hash-chained audit log (docs/audit.md). One writer per file. */
export class AuditLog {
  constructor(path: string, options?: { sync?: boolean });
  readonly path: string;
  /** The hash of the last record (64 zeros when empty). */
  readonly head: string;
  readonly records: number;
  /** Releases the file; later appends fail with AUTHZ_AUDIT_UNAVAILABLE. */
  close(): void;
}

export interface LoadOptions {
  /** Refuse the table unless its policy hash is this (AUTHZ_POLICY_MISMATCH). */
  expectedPolicyHash?: string;
  /** Append one record per decision to this log (decide() throws AUTHZ_AUDIT_UNAVAILABLE when it cannot). */
  audit?: AuditLog;
}

export interface DecideOptions {
  entities?: EntityCallback | Entities;
  /** Fill `explanation` (evaluates with a trace: slower). */
  explain?: boolean;
  /** Overrides the Authz's audit log for this call; null: no record. */
  audit?: AuditLog | null;
  /**
   * The obligations the caller applies: an allow carrying any other one becomes a deny (reason
   * `error`, see isObligationRefusal) in the decision and its audit record.
   */
  applies?: string[];
}

/** Whether a deny is the refusal of an obligation the caller does not apply (DecideOptions.applies). */
export function isObligationRefusal(decision: Decision): boolean;

export interface PartialRequest extends Omit<Request, 'arguments'> {
  /** The known arguments. */
  arguments?: Record<string, JsonValue>;
  /** The parameters whose values are unknown (e.g. the record a list tool returns), or "all". */
  unknown: string[] | 'all';
}

/** Unknown path ("account.owner") -> column name, or a qualified column. */
export type ColumnMap = Record<string, string | { table?: string; column: string }>;

export interface RowFilter {
  kind: 'always_allowed' | 'never_allowed' | 'conditional';
  /** A WHERE fragment: `"owner" = ? OR "team" IN (?)`; `1` / `0` for the constant cases. */
  sql: string;
  /** One per `?`, in order. Integers beyond 2^53 are BigInts. */
  parameters: Array<string | number | bigint>;
  /** The residual the SQL was translated from (runtime/partial_eval.h's JSON). */
  residual: Record<string, JsonValue>;
}

export class Authz {
  private constructor();
  /** A table built by `authzc build`, from memory. */
  static load(bytes: Uint8Array, options?: LoadOptions): Authz;
  static loadFile(path: string, options?: LoadOptions): Authz;
  /** Swaps in another table (bytes or a path); on any error the old one stays. */
  reload(source: Uint8Array | string, options?: { expectedPolicyHash?: string }): void;
  /** Lowercase hex SHA-256 of the table body. */
  readonly policyHash: string;
  targets(): Array<{ kind: 'tool' | 'resource' | 'prompt'; name: string; action: 'read' | 'write'; uri?: string }>;
  decide(request: Request, options?: DecideOptions): Decision;
  /** The explanation of a request's decision for one audience. */
  explain(request: Request, audience?: 'user' | 'operator', options?: { entities?: EntityCallback | Entities }): string;
  /** Could this principal use the target with some arguments (what list filtering asks)? */
  mayUse(principal: Principal, target: string,
    options?: { method?: Method; now?: Date | number | string; entities?: EntityCallback | Entities }): boolean;
  /** What remains of the decision with some arguments unknown. */
  residual(request: PartialRequest, options?: { entities?: EntityCallback | Entities }): Record<string, JsonValue>;
  /** The residual as a parameterised SQL WHERE; AUTHZ_UNTRANSLATABLE when SQL cannot express it (deny). */
  rowFilter(request: PartialRequest, columns: ColumnMap, options?: { entities?: EntityCallback | Entities }): RowFilter;
}
