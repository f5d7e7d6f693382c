// mcp.js — `@authz/node/mcp`: one call puts a policy in front of every tool,
// resource and prompt of a TypeScript SDK `McpServer` (or a low-level
// `Server`), the way authz-gateway does in front of a stdio server, but in
// process and with obligations handed to the handlers.
//
// Contract (docs/node.md, mcp.d.ts):
//   - authorize(server, authz, options) governs every request handler the
//     server has or gets later (tools/call, resources/read,
//     resources/subscribe, prompts/get, completion/complete and the four
//     lists) by wrapping the SDK Protocol's handler table; the SDK's own
//     handlers then run unchanged, after the decision.
//   - The principal comes from the request's `authInfo` (bearer auth:
//     options.principal(authInfo, extra), by default the token's `sub`,
//     `roles` and `attributes` claims in authInfo.extra) or, when a request
//     has no authInfo (stdio), from the environment: AUTHZ_USER,
//     AUTHZ_ROLES (comma-separated), AUTHZ_ATTRIBUTES (a JSON object). No
//     principal: everything is refused and every list is empty.
//   - Refusals have the gateway's shapes (tools/gateway/enforcer.h): a tool
//     the user could call with other arguments (or at another time) answers
//     a result with isError: true, "access denied by policy: <summary>", the
//     end-user explanation (no values from entity data) and the decision id,
//     _meta {authz/decision_id, authz/reason}; a tool they cannot call at
//     all, and any refused resource or prompt, is JSON-RPC error -32602
//     "access denied by policy: <summary>" with data {reason,
//     tool|resource|prompt, decision_id}; an audit record that cannot be
//     written is -32603 "access denied: the audit log cannot be written".
//   - Lists keep only what the caller may use (tools and prompts: could be
//     called with some arguments; resources: reading that URI is allowed;
//     templates: could be read for some values).
//   - Obligations: an allowed call whose decision carries an obligation the
//     handler has not declared in options.handles[name] is refused before the
//     handler runs (decided with `applies`, so the audit record says deny,
//     reason error, as the gateway's does); otherwise the handler gets `extra.authz` ({decision,
//     principal, obligations, acknowledge(name), rowFilter(...)}) and must
//     acknowledge every obligation before it returns, or its result is
//     withheld and the call refused.
//   - Fail closed: any error while deciding refuses the request.
import { Authz, isObligationRefusal } from './index.js';

const INVALID_PARAMS = -32602;
const INTERNAL_ERROR = -32603;

// method -> what is decided (null: a list, filtered after the SDK answers).
const GOVERNED = {
  'tools/call': { method: 'tools/call', what: 'tool', key: 'name' },
  'resources/read': { method: 'resources/read', what: 'resource', key: 'uri' },
  'resources/subscribe': { method: 'resources/read', what: 'resource', key: 'uri' },
  'prompts/get': { method: 'prompts/get', what: 'prompt', key: 'name' },
};

function jsonRpcError(code, message, data) {
  const error = new Error(message);
  error.code = code;
  if (data !== undefined) error.data = data;
  return error;
}

function splitRoles(text) {
  return (text ?? '').split(',').map((role) => role.trim()).filter(Boolean);
}

/** The stdio principal: AUTHZ_USER, AUTHZ_ROLES, AUTHZ_ATTRIBUTES. */
export function principalFromEnvironment(env = process.env) {
  if (!env.AUTHZ_USER) return undefined;
  let attributes = {};
  if (env.AUTHZ_ATTRIBUTES) {
    attributes = JSON.parse(env.AUTHZ_ATTRIBUTES);
    if (attributes === null || typeof attributes !== 'object' || Array.isArray(attributes)) {
      throw new Error('AUTHZ_ATTRIBUTES must be a JSON object');
    }
  }
  return { id: env.AUTHZ_USER, roles: splitRoles(env.AUTHZ_ROLES), attributes };
}

/** The default bearer mapping: authInfo.extra's `sub`, `roles` and `attributes` claims. */
export function principalFromAuthInfo(authInfo) {
  const claims = authInfo?.extra ?? {};
  const id = typeof claims.sub === 'string' && claims.sub ? claims.sub : undefined;
  if (!id) return undefined;
  const roles = Array.isArray(claims.roles) ? claims.roles.filter((role) => typeof role === 'string') : [];
  const attributes = claims.attributes && typeof claims.attributes === 'object' && !Array.isArray(claims.attributes)
    ? claims.attributes : {};
  return { id, roles, attributes };
}

/** The handler's AuthzContext (extra.authz); throws when authorize() did not govern this request. */
export function authzOf(extra) {
  if (!extra?.authz) {
    throw new Error('this request was not authorized: no `extra.authz`\nhelp: call authorize(server, authz) before connecting the server');
  }
  return extra.authz;
}

export function authorize(server, authz, options = {}) {
  if (!(authz instanceof Authz)) throw new TypeError('authorize(server, authz): `authz` must be an Authz');
  const protocol = server.server ?? server;  // McpServer or Server
  const handlers = protocol._requestHandlers;
  if (!(handlers instanceof Map)) {
    throw new TypeError('authorize(server, authz): not an MCP SDK Server or McpServer (no request handler table)');
  }
  const handles = options.handles ?? {};
  const clock = options.now ?? (() => Date.now());
  const log = options.log ?? ((line) => process.stderr.write(`authz: ${line}\n`));
  const environmentPrincipal = options.environment === false ? undefined : principalFromEnvironment();

  function principalOf(extra) {
    if (extra?.authInfo) {
      return (options.principal ?? principalFromAuthInfo)(extra.authInfo, extra);
    }
    return environmentPrincipal;
  }

  function decideOrRefuse(shape, target, args, principal) {
    const request = { principal, method: shape.method, target, arguments: args, now: clock() };
    const entities = options.entities;
    let decision;
    try {
      // An allow with an obligation the handler does not declare is refused
      // by the runtime, so that the audit record says deny.
      decision = authz.decide(request, { entities, audit: options.audit, applies: handles[target] ?? [] });
    } catch (error) {
      if (error.code === 'AUTHZ_AUDIT_UNAVAILABLE') {
        log(`audit log write failed, ${shape.method} \`${target}\` refused (fail closed): ${error.message}`);
        throw jsonRpcError(INTERNAL_ERROR, 'access denied: the audit log cannot be written',
          { reason: 'audit_unavailable', [shape.what]: target });
      }
      log(`${shape.method} \`${target}\` refused (fail closed): ${error.message}`);
      throw jsonRpcError(INVALID_PARAMS, `access denied: ${error.message.split('\n')[0]}`,
        { reason: 'error', [shape.what]: target });
    }
    return { request, decision };
  }

  // The refusal for a denied decision, as the gateway answers it.
  function refusal(shape, request, decision, principal, obligationText) {
    const explained = authz.decide(request, { entities: options.entities, explain: true, audit: null });
    const summary = obligationText ?? explained.explanation.summary;
    let argumentLevel = false;
    if (shape.what === 'tool') {
      if (decision.reason === 'expired' || obligationText) argumentLevel = true;
      else if (decision.reason !== 'unknown_target') {
        argumentLevel = authz.mayUse(principal, request.target, { now: request.now, entities: options.entities });
      }
    }
    if (!argumentLevel) {
      throw jsonRpcError(INVALID_PARAMS, `access denied by policy: ${summary}`,
        { reason: decision.reason, [shape.what]: request.target, decision_id: decision.decisionId });
    }
    let text = `access denied by policy: ${summary}`;
    if (!obligationText) text += `\n\n${explained.explanation.user}`;
    text += `\n(decision ${decision.decisionId})`;
    return {
      content: [{ type: 'text', text }],
      isError: true,
      _meta: { 'authz/decision_id': decision.decisionId, 'authz/reason': obligationText ? 'error' : decision.reason },
    };
  }

  function governCall(shape, original) {
    return async (request, extra) => {
      const params = request.params;
      const target = params?.[shape.key];
      if (params === null || typeof params !== 'object' || typeof target !== 'string' || target === '') {
        throw jsonRpcError(INVALID_PARAMS, `invalid params: \`${shape.key}\` must be a non-empty string`);
      }
      const args = shape.what === 'resource' ? undefined : (params.arguments ?? {});
      if (args !== undefined && (args === null || typeof args !== 'object' || Array.isArray(args))) {
        throw jsonRpcError(INVALID_PARAMS, 'invalid params: `arguments` must be an object');
      }
      const principal = principalOf(extra);
      if (!principal) {
        throw jsonRpcError(INVALID_PARAMS, 'access denied by policy: the request has no authenticated user',
          { reason: 'not_permitted', [shape.what]: target });
      }
      const { request: decided, decision } = decideOrRefuse(shape, target, args, principal);
      if (!decision.allowed) {
        return refusal(shape, decided, decision, principal, isObligationRefusal(decision) ? decision.message : undefined);
      }
      const acknowledged = new Set();
      extra.authz = {
        decision,
        principal,
        obligations: decision.obligations,
        acknowledge(name) {
          if (!decision.obligations.some((obligation) => obligation.name === name)) {
            throw new Error(`obligation \`${name}\` is not part of this decision`);
          }
          acknowledged.add(name);
        },
        rowFilter(partial, columns) {
          return authz.rowFilter({ now: decided.now, ...partial, principal }, columns, { entities: options.entities });
        },
      };
      const result = await original(request, extra);
      const missing = decision.obligations.find((obligation) => !acknowledged.has(obligation.name));
      if (missing) {
        log(`${shape.method} \`${target}\`: the handler did not acknowledge obligation \`${missing.name}\`; result withheld`);
        const text = `access denied by policy: the handler of \`${target}\` did not apply obligation \`${missing.name}\` (rule \`${missing.rule}\`), so its result is withheld`;
        if (shape.what !== 'tool') {
          throw jsonRpcError(INVALID_PARAMS, text, { reason: 'error', [shape.what]: target, decision_id: decision.decisionId });
        }
        return { content: [{ type: 'text', text: `${text}\n(decision ${decision.decisionId})` }], isError: true,
          _meta: { 'authz/decision_id': decision.decisionId, 'authz/reason': 'error' } };
      }
      return result;
    };
  }

  function mayUse(principal, method, target) {
    if (!principal) return false;
    try {
      return authz.mayUse(principal, target, { method, now: clock(), entities: options.entities });
    } catch (error) {
      log(`list entry \`${target}\` hidden (fail closed): ${error.message}`);
      return false;
    }
  }

  function mayRead(principal, uri) {
    if (!principal) return false;
    try {
      return authz.decide({ principal, method: 'resources/read', target: uri, now: clock() },
        { entities: options.entities, audit: null }).allowed;
    } catch (error) {
      log(`resource \`${uri}\` hidden (fail closed): ${error.message}`);
      return false;
    }
  }

  function governList(key, keep) {
    return (original) => async (request, extra) => {
      const result = await original(request, extra);
      const principal = principalOf(extra);
      return { ...result, [key]: (result[key] ?? []).filter((entry) => keep(principal, entry)) };
    };
  }

  function governCompletion(original) {
    return async (request, extra) => {
      const ref = request.params?.ref;
      const principal = principalOf(extra);
      let shape;
      let allowed = false;
      if (ref?.type === 'ref/prompt' && typeof ref.name === 'string') {
        shape = { what: 'prompt', target: ref.name };
        allowed = mayUse(principal, 'prompts/get', ref.name);
      } else if (ref?.type === 'ref/resource' && typeof ref.uri === 'string') {
        shape = { what: 'resource', target: ref.uri };
        allowed = mayUse(principal, 'resources/read', ref.uri);
      } else {
        throw jsonRpcError(INVALID_PARAMS, 'invalid params: `ref` must be a ref/prompt or ref/resource');
      }
      if (!allowed) {
        throw jsonRpcError(INVALID_PARAMS, `access denied by policy: no rule allows user \`${principal?.id ?? ''}\` to use ${shape.what} \`${shape.target}\``,
          { reason: 'not_permitted', [shape.what]: shape.target });
      }
      return original(request, extra);
    };
  }

  const wrappers = {
    'tools/call': (original) => governCall(GOVERNED['tools/call'], original),
    'resources/read': (original) => governCall(GOVERNED['resources/read'], original),
    'resources/subscribe': (original) => governCall(GOVERNED['resources/subscribe'], original),
    'prompts/get': (original) => governCall(GOVERNED['prompts/get'], original),
    'completion/complete': governCompletion,
    'tools/list': governList('tools', (principal, tool) => mayUse(principal, 'tools/call', tool.name)),
    'prompts/list': governList('prompts', (principal, prompt) => mayUse(principal, 'prompts/get', prompt.name)),
    'resources/list': governList('resources', (principal, resource) => mayRead(principal, resource.uri)),
    'resources/templates/list': governList('resourceTemplates',
      (principal, template) => mayUse(principal, 'resources/read', template.uriTemplate)),
  };
  const governed = new WeakSet();
  const set = handlers.set.bind(handlers);
  const wrap = (method, handler) => {
    const wrapper = wrappers[method];
    if (!wrapper || governed.has(handler)) return handler;
    const result = wrapper(handler);
    governed.add(result);
    return result;
  };
  for (const [method, handler] of handlers) set(method, wrap(method, handler));
  handlers.set = (method, handler) => set(method, wrap(method, handler));
  return { authz, principalOf };
}
