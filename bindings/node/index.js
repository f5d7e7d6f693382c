// index.js — `@authz/node`: the authz runtime in process for Node.js (the
// Node-API addon authz_node.node, built by CMake from src/), behind the API
// that index.d.ts documents.
//
// Contract: Authz.load / Authz.loadFile read and validate a decision table
// (optionally requiring a policy hash); authz.reload swaps it atomically (a
// bad table throws and leaves the old one in place); authz.decide turns a
// plain request object into a plain decision object, never an allow for a
// request it cannot decide (those are denies with a reason); rowFilter gives
// partial evaluation as a parameterised SQL WHERE. Every error thrown is an
// Error with a stable `code` (AUTHZ_*, index.d.ts). No module state but the
// addon, which keeps its data per Node-API environment: each worker thread
// loads its own tables and may use them freely.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

// The addon: $AUTHZ_NODE_ADDON, else beside this file (an installed package),
// else the repository's build tree.
function loadAddon() {
  const candidates = [process.env.AUTHZ_NODE_ADDON, join(here, 'authz_node.node'),
    join(here, '..', '..', 'build', 'bindings', 'node', 'authz_node.node')].filter(Boolean);
  const failures = [];
  for (const path of candidates) {
    try {
      return require(path);
    } catch (error) {
      failures.push(`${path}: ${error.message.split('\n')[0]}`);
    }
  }
  const error = new Error(`cannot load the authz addon (authz_node.node):\n  ${failures.join('\n  ')}\n` +
    'help: build it with `cmake --build build --target authz_node`, or set AUTHZ_NODE_ADDON to its path');
  error.code = 'AUTHZ_ADDON_MISSING';
  throw error;
}
const addon = loadAddon();

export const version = addon.version;

// runtime::Reason's order (bindings/node/src/engine_wrap.cpp encodes its index).
const REASONS = ['allowed', 'forbidden', 'not_permitted', 'unknown_target', 'invalid_arguments', 'expired', 'error'];
const METHODS = { 'tools/call': 0, 'resources/read': 1, 'prompts/get': 2 };
const EMPTY = Object.freeze([]);

function fail(code, message) {
  const error = new Error(message);
  error.code = code;
  return error;
}

function methodIndex(method) {
  if (method === undefined) return 0;
  const index = METHODS[method];
  if (index === undefined) {
    throw fail('AUTHZ_INVALID_REQUEST', `unknown method \`${method}\`\nhelp: use tools/call, resources/read or prompts/get`);
  }
  return index;
}

// Principal attributes as JSON. An object that may still change is converted
// on every call; plain data frozen all the way down (Object.freeze on it and
// on every object and array inside; no getters, no toJSON, plain prototypes)
// cannot change, so its text is kept (a WeakMap, collected with the object).
// The runtime then reuses its own conversion while the text stays the same.
const frozenAttributes = new WeakMap();
function immutableData(value) {
  if (value === null || typeof value !== 'object') return typeof value !== 'function';
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== Array.prototype) return false;
  if (!Object.isFrozen(value)) return false;
  const descriptors = Object.getOwnPropertyDescriptors(value);
  if ('toJSON' in descriptors) return false;
  for (const key of Object.keys(descriptors)) {
    if (!('value' in descriptors[key]) || !immutableData(descriptors[key].value)) return false;
  }
  return true;
}
function attributesJson(attributes) {
  if (attributes === undefined || attributes === null) return '';
  if (typeof attributes !== 'object' || Array.isArray(attributes)) {
    throw fail('AUTHZ_INVALID_REQUEST', '`principal.attributes` must be an object');
  }
  let text = frozenAttributes.get(attributes);
  if (text !== undefined) return text;
  text = JSON.stringify(attributes);
  if (immutableData(attributes)) frozenAttributes.set(attributes, text);
  return text;
}

// Obligations as the policy writes them are constants: each distinct JSON
// text is parsed once and its (frozen) objects are shared by every decision.
const obligationCache = new Map();
function obligationsOf(text) {
  let parsed = obligationCache.get(text);
  if (parsed === undefined) {
    parsed = deepFreeze(JSON.parse(text));
    if (obligationCache.size < 4096) obligationCache.set(text, parsed);
  }
  return parsed;
}
function deepFreeze(value) {
  if (value !== null && typeof value === 'object') {
    for (const key of Object.keys(value)) deepFreeze(value[key]);
    Object.freeze(value);
  }
  return value;
}

function checkPrincipal(principal) {
  if (principal === null || typeof principal !== 'object' || typeof principal.id !== 'string' || principal.id === '') {
    throw fail('AUTHZ_INVALID_REQUEST', '`principal.id` must be a non-empty string\nhelp: { principal: { id: "u-bob", roles: ["rep"] }, target: "get_account", arguments: {...} }');
  }
  const roles = principal.roles ?? EMPTY;
  if (!Array.isArray(roles)) throw fail('AUTHZ_INVALID_REQUEST', '`principal.roles` must be an array of strings');
  return roles;
}

function argumentsJson(args) {
  if (args === undefined || args === null) return '';
  if (typeof args !== 'object' || Array.isArray(args)) {
    throw fail('AUTHZ_INVALID_REQUEST', '`arguments` must be an object');
  }
  return JSON.stringify(args);
}

// Whether the request can travel as one NUL-separated string: no NUL in the
// id, the target or a role (JSON text never holds one), and roles are strings.
function packable(id, target, roles) {
  if (id.includes('\0') || target.includes('\0')) return false;
  for (let i = 0; i < roles.length; i += 1) {
    const role = roles[i];
    if (typeof role !== 'string' || role.includes('\0')) return false;
  }
  return true;
}

// options.applies: the obligation names the caller applies, NUL-separated for the addon.
function appliesText(applies) {
  if (!Array.isArray(applies) || applies.some((name) => typeof name !== 'string' || name === '' || name.includes('\0'))) {
    throw fail('AUTHZ_INVALID_REQUEST', '`applies` must be an array of obligation names');
  }
  return applies.join('\0');
}

/** Whether a deny is the refusal of an obligation the caller does not apply (decide's `applies`). */
export function isObligationRefusal(decision) {
  return decision.reason === 'error' && decision.message.startsWith('the call comes with obligation ');
}

function nowOf(now) {
  return now instanceof Date ? now.getTime() : now;
}

function entitiesOf(entities) {
  if (entities === undefined || entities === null || typeof entities === 'function') return entities;
  if (entities instanceof Entities) return entities.native;
  throw fail('AUTHZ_INVALID_REQUEST', '`entities` must be a function (type, id) => attributes or an Entities');
}

/** Entity data loaded once ({"Account": {"acc-1": {...}}}), for many decisions. */
export class Entities {
  constructor(data) {
    this.native = new addon.NativeEntities(typeof data === 'string' ? data : JSON.stringify(data));
  }
  get size() { return this.native.size(); }
}

/** The runtime's hash-chained audit log (docs/audit.md); one writer per file. */
export class AuditLog {
  constructor(path, options = {}) {
    this.native = new addon.NativeAuditLog(path, Boolean(options.sync));
    this.path = path;
  }
  get head() { return this.native.head(); }
  get records() { return this.native.records(); }
  close() { this.native.close(); }
}

function loadNative(bytes, options) {
  if (!(bytes instanceof Uint8Array)) throw fail('AUTHZ_INVALID_REQUEST', 'a table must be a Buffer or Uint8Array');
  const native = new addon.NativeEngine(bytes);
  const expected = options?.expectedPolicyHash;
  if (expected !== undefined && native.policyHash() !== String(expected).toLowerCase()) {
    throw fail('AUTHZ_POLICY_MISMATCH', `the table's policy hash is \`${native.policyHash()}\`, not the expected \`${expected}\`\n` +
      'help: deploy the table built from the reviewed policy, or update the expected hash');
  }
  return native;
}

function readTable(path) {
  try {
    return readFileSync(path);
  } catch (error) {
    throw fail('AUTHZ_IO', `cannot read the table \`${path}\`: ${error.message}`);
  }
}

export class Authz {
  #native;
  #audit;

  constructor(native, options) {
    if (options?.audit !== undefined && !(options.audit instanceof AuditLog)) {
      throw fail('AUTHZ_INVALID_REQUEST', '`audit` must be an AuditLog');
    }
    this.#native = native;
    this.#audit = options?.audit;
  }

  /** A table from bytes (`authzc build` output). */
  static load(bytes, options = {}) {
    return new Authz(loadNative(bytes, options), options);
  }

  /** A table from a file. */
  static loadFile(path, options = {}) {
    return new Authz(loadNative(readTable(path), options), options);
  }

  /** Replaces the table (bytes or a path); on any error the old one stays. */
  reload(source, options = {}) {
    const bytes = typeof source === 'string' ? readTable(source) : source;
    this.#native = loadNative(bytes, options);
  }

  get policyHash() { return this.#native.policyHash(); }

  /** The policy's tools, resources and prompts: {kind, name, action, uri?}. */
  targets() { return this.#native.targets(); }

  /** Decides one request. */
  decide(request, options) {
    if (request === null || typeof request !== 'object') throw fail('AUTHZ_INVALID_REQUEST', 'a request must be an object');
    const principal = request.principal;
    const roles = checkPrincipal(principal);
    const method = methodIndex(request.method);
    const target = request.target;
    if (typeof target !== 'string') throw fail('AUTHZ_INVALID_REQUEST', '`target` must be a string');
    const explain = options !== undefined && options.explain === true;
    const audit = options !== undefined && options.audit !== undefined ? options.audit : this.#audit;
    if (audit && !(audit instanceof AuditLog)) throw fail('AUTHZ_INVALID_REQUEST', '`audit` must be an AuditLog');
    const entities = options === undefined ? undefined : entitiesOf(options.entities);
    const applies = options === undefined || options.applies === undefined ? undefined : appliesText(options.applies);
    const now = nowOf(request.now);
    const attributes = attributesJson(principal.attributes);
    const args = argumentsJson(request.arguments);
    const id = principal.id;
    let answer;
    if (packable(id, target, roles)) {
      // One string for the request (see engine_wrap.cpp, decidePacked); trailing
      // arguments only when given: every Node-API call counts at this size.
      let packed = `${id}\0${target}\0${attributes}\0${args}`;
      for (let i = 0; i < roles.length; i += 1) packed += `\0${roles[i]}`;
      const flags = method | (explain ? 4 : 0);
      answer = applies !== undefined ? this.#native.decidePacked(packed, now, flags, entities, audit?.native, applies)
        : audit ? this.#native.decidePacked(packed, now, flags, entities, audit.native)
          : entities !== undefined ? this.#native.decidePacked(packed, now, flags, entities)
            : this.#native.decidePacked(packed, now, flags);
    } else {
      answer = this.#native.decide(id, roles, attributes, method, target, args, now, explain, entities, audit?.native,
        applies);
    }
    const text = explain ? answer[0] : answer;
    const first = text.indexOf('\x1f');
    const second = text.indexOf('\x1f', first + 1);
    const third = text.indexOf('\x1f', second + 1);
    const allowed = text.charCodeAt(0) === 97;  // 'a'
    const decision = {
      effect: allowed ? 'allow' : 'deny',
      allowed,
      reason: REASONS[text.charCodeAt(1) - 48],
      rules: second === first + 1 ? EMPTY : text.slice(first + 1, second).split('\x1e'),
      obligations: third === second + 1 ? EMPTY : obligationsOf(text.slice(second + 1, third)),
      message: text.slice(third + 1),
      decisionId: text.slice(2, first),
      target,
    };
    if (explain) decision.explanation = { user: answer[1], operator: answer[2], summary: answer[3] };
    return decision;
  }

  /** The end-user or operator explanation of a request's decision (traced). */
  explain(request, audience = 'user', options = {}) {
    const decision = this.decide(request, { ...options, explain: true, audit: null });
    return audience === 'operator' ? decision.explanation.operator : decision.explanation.user;
  }

  /** Could this principal call / read / get the target at all (arguments unknown)? */
  mayUse(principal, target, options = {}) {
    const roles = checkPrincipal(principal);
    return this.#native.mayCall(principal.id, roles, attributesJson(principal.attributes), methodIndex(options.method),
      target, nowOf(options.now), entitiesOf(options.entities));
  }

  /** Partial evaluation: what remains of the decision with some arguments unknown. */
  residual(request, options = {}) {
    const { principal, roles, method, unknown } = this.#partial(request);
    return JSON.parse(this.#native.residual(principal.id, roles, attributesJson(principal.attributes), method,
      request.target, argumentsJson(request.arguments), unknown, nowOf(request.now), undefined,
      entitiesOf(options.entities)));
  }

  /** Partial evaluation as a parameterised SQL WHERE fragment. */
  rowFilter(request, columns, options = {}) {
    if (columns === null || typeof columns !== 'object') {
      throw fail('AUTHZ_INVALID_REQUEST', '`columns` must map unknown paths to columns: {"account.owner": "owner"}');
    }
    const { principal, roles, method, unknown } = this.#partial(request);
    const [kind, sql, parameters, residual] = this.#native.residual(principal.id, roles,
      attributesJson(principal.attributes), method, request.target, argumentsJson(request.arguments), unknown,
      nowOf(request.now), columns, entitiesOf(options.entities));
    return { kind, sql, parameters, residual: JSON.parse(residual) };
  }

  #partial(request) {
    const principal = request.principal;
    const roles = checkPrincipal(principal);
    const method = methodIndex(request.method);
    if (typeof request.target !== 'string') throw fail('AUTHZ_INVALID_REQUEST', '`target` must be a string');
    const unknown = request.unknown === 'all' ? true : request.unknown;
    if (unknown !== true && !Array.isArray(unknown)) {
      throw fail('AUTHZ_INVALID_REQUEST', '`unknown` must be "all" or an array of parameter names');
    }
    return { principal, roles, method, unknown };
  }
}

