/**
 * Reading scenario files (docs/scenario-format.md, format 1) with positions. Policies
 * inside a scenario are read with readPolicyNode, so traces point at lines of the scenario
 * file; a policy with an error finding (or one that cannot be compiled) makes the scenario
 * invalid with that message. Errors say file, line, column and what was expected.
 */
import { nodeFromValue, parseJson } from '../policy/json.js';
import type { CachedSubtree, SubtreeCache } from '../policy/json-fast.js';
import { Generations } from './generations.js';
import type { JsonMember, JsonNode, JsonObjectNode } from '../policy/json.js';
import type { PolicyKind } from '../policy/model.js';
import { readPolicyNode } from '../policy/read.js';
import { refusingFinding, ruleFindings } from '../policy/validate.js';
import { DEFAULT_EVALUATION_OPTIONS } from './types.js';
import type { DecisionResult, EvaluationOptions } from './types.js';
import type { PolicyInput, PolicySet } from './authorize.js';
import { compilePolicy, CompiledPolicy } from './compile.js';
import type { ContextInputValue } from './context.js';
import { parsePrincipal } from './principal.js';
import type { AuthorizationRequest } from './request.js';

/** A scenario read and checked: ready for `authorize`. */
export interface LoadedScenario {
  readonly name: string;
  readonly doc?: string;
  readonly request: AuthorizationRequest;
  readonly policies: PolicySet;
  readonly expect?: DecisionResult;
  readonly options?: Partial<EvaluationOptions>;
}

/**
 * A policy of the scenario that is not evaluated: the reader could not read all of it, it
 * cannot be compiled, or (when the scenario is read with `validate`) `validate` calls it an
 * error. Positions are those of the scenario text (0 for a scenario given as a value).
 */
export interface InvalidPolicy {
  /** Where it sits in the scenario: `policies.scp[0][1]`, `policies.resource`, … */
  readonly slot: string;
  readonly kind: PolicyKind;
  /** The finding code (`null-operator-value`, `unknown-action`, …); absent for a compile error. */
  readonly code?: string;
  readonly message: string;
  readonly line: number;
  readonly column: number;
}

export type ScenarioReadResult =
  | { readonly ok: true; readonly scenario: LoadedScenario }
  | { readonly ok: false; readonly error: string; readonly name?: string; readonly invalidPolicy?: InvalidPolicy };

export interface ScenarioReadOptions {
  /**
   * Refuse a policy that `validate` calls an error (every rule, not only the grammar the
   * reader needs): the scenario is then invalid, with that policy's position. The commands
   * (check, explain, simulate) read with it; the engine's own semantics tests read without.
   */
  readonly validate?: boolean;
  /** Policies shared with other reads of the same run (text only; see ScenarioPolicyCache). */
  readonly policies?: ScenarioPolicyCache;
}

class ScenarioError extends Error {
  invalidPolicy?: InvalidPolicy;
}

const DECISIONS: ReadonlySet<string> = new Set(['Allow', 'ExplicitDeny', 'ImplicitDeny']);
const TOP_KEYS = ['name', 'doc', 'request', 'policies', 'expect', 'options'] as const;
const REQUEST_STRING_KEYS = ['principal', 'principalRoleArn', 'principalSourceUserArn', 'principalUniqueId', 'action', 'resource', 'resourceAccount'] as const;
const REQUEST_BOOL_KEYS = ['principalIsManagementAccount', 'resourceIsManagementAccount', 'principalIsServiceLinkedRole', 'resourceIsAwsManagedKey'] as const;
const REQUEST_KEYS: readonly string[] = [...REQUEST_STRING_KEYS, ...REQUEST_BOOL_KEYS, 'context', 'unknownContextKeys', 'vpcEndpointType'];
const POLICY_KEYS = ['identity', 'permissionsBoundary', 'session', 'resource', 'scp', 'rcp', 'vpcEndpoint'] as const;

/** The allowed values of each option (one place, also used by the JSON Schema test). */
export const OPTION_VALUES: Readonly<Record<keyof EvaluationOptions, readonly (string | boolean)[]>> = {
  sessionArnGrantBypassesSessionPolicy: [true, false],
  plainOperatorOnMultivaluedKey: ['false', 'anyValue'],
  negatedOperatorOnUnresolvedVariable: [true, false],
  expandVariablesInBool: [true, false],
  resourceArnCaseSensitive: [true, false],
  wildcardPrincipalMatchesServices: [true, false],
  emptyStringIsPresent: [true, false],
  rcpExemptServiceLinkedRoles: [true, false],
  notPrincipalDenyChain: ['strict', 'sessionOnly'],
  notPrincipalDenyAlwaysDeniesBoundedCallers: [true, false],
  caseVariantTagKeys: ['all', 'any'],
  allDigitDates: ['epochSeconds', 'epochMilliseconds'],
  setOperatorIfExistsOnAbsentKey: ['setRule', 'ifExistsRule'],
};

function describe(node: JsonNode): string {
  switch (node.type) {
    case 'object':
      return 'an object';
    case 'array':
      return 'a list';
    case 'string':
      return `the string ${JSON.stringify(node.value.length > 40 ? `${node.value.slice(0, 40)}…` : node.value)}`;
    default:
      return `${node.type === 'null' ? '' : 'the '}${node.type}${node.type === 'null' ? '' : ` ${String(node.value)}`}`;
  }
}

function suggest(key: string, known: readonly string[]): string {
  const lower = key.toLowerCase();
  const hit = known.find((k) => k.toLowerCase() === lower) ?? known.find((k) => k.toLowerCase().startsWith(lower.slice(0, 4)));
  return hit ? `; did you mean "${hit}"?` : `; expected one of ${known.join(', ')}`;
}

/** What reading a policy gave: the compiled policy, or the finding that refuses it. */
type PolicyVerdict = CompiledPolicy | { readonly refused: { readonly message: string; readonly line: number; readonly column: number; readonly code?: string } | undefined };

/** The JSON paths of a scenario's policies: `$.policies.identity[0]`, `$.policies.scp[1][0]`, `$.policies.resource`, … */
const POLICY_SLOT = /^\$\.policies\.(?:(?:identity|session)\[\d+\]|(?:scp|rcp)\[\d+\]\[\d+\]|permissionsBoundary|resource|vpcEndpoint)$/;

/**
 * Policies read, validated and compiled once for many scenario files (`simulate` on a folder,
 * where files often share their SCPs, boundaries and trust policies). The caller holds it for
 * one run and passes it to every read (ScenarioReadOptions.policies); nothing is module-level.
 *
 * A policy is found again only when it is the same text (character for character) in the
 * same slot (`policies.scp[0][1]`), starting at the same line and column: the JSON reader
 * then hands back the positioned tree it built the first time (json-fast.ts, SubtreeCache),
 * so every line and column a trace cites is what a fresh read gives, and the verdict on that
 * tree (compiled, or refused by a finding, per kind and validation mode) is reused. A refused
 * policy's message is worded afresh for each file. Bounded like PolicyCompiler
 * (generations.ts): by entries and by the characters of the policies held.
 */
export class ScenarioPolicyCache {
  private readonly trees: Generations<string, CachedSubtree>;
  /** Verdicts per tree (kept while the tree is): `kind\u0000name\u0000validate` → verdict. */
  private readonly verdicts = new WeakMap<JsonNode, Map<string, PolicyVerdict>>();
  /** Policies read afresh (misses) and found again (hits), for benchmarks and tests. */
  misses = 0;
  hits = 0;
  /** @internal What the JSON reader uses. */
  readonly subtrees: SubtreeCache;

  constructor(options: { readonly capacity?: number; readonly maxChars?: number } = {}) {
    const trees = (this.trees = new Generations(options.capacity ?? 16_384, options.maxChars ?? 1_048_576));
    this.subtrees = { wants: (path) => POLICY_SLOT.test(path), get: (key) => trees.get(key), set: (key, subtree, weight) => trees.set(key, subtree, weight) };
  }

  /** @internal The verdict on a policy node, computed once per node, kind, slot and mode. */
  verdict(node: JsonNode, key: string, read: () => PolicyVerdict): PolicyVerdict {
    let byKey = this.verdicts.get(node);
    const known = byKey?.get(key);
    if (known !== undefined) {
      this.hits++;
      return known;
    }
    this.misses++;
    const v = read();
    if (byKey === undefined) this.verdicts.set(node, (byKey = new Map()));
    byKey.set(key, v);
    return v;
  }

  /** Policy texts held (both generations). */
  get size(): number {
    return this.trees.size;
  }
}

class Reader {
  constructor(
    private readonly file: string,
    private readonly validate: boolean = false,
    /** The run's cache, when policies are shared between reads. */
    private readonly cache?: ScenarioPolicyCache,
  ) {}

  fail(node: { loc: { line: number; column: number } }, message: string): never {
    const where = node.loc.line > 0 ? `${this.file}:${node.loc.line}:${node.loc.column}` : this.file;
    throw new ScenarioError(`${where}: ${message}`);
  }

  object(node: JsonNode, what: string): JsonObjectNode {
    if (node.type !== 'object') this.fail(node, `${what} must be an object, found ${describe(node)}`);
    return node;
  }

  members(node: JsonObjectNode, known: readonly string[], what: string): Map<string, JsonMember> {
    const out = new Map<string, JsonMember>();
    for (const m of node.members) {
      if (!known.includes(m.key)) this.fail({ loc: m.keyLoc }, `unknown field "${m.key}" in ${what}${suggest(m.key, known)}`);
      out.set(m.key, m);
    }
    return out;
  }

  string(m: JsonMember | undefined, what: string, required: boolean, owner: JsonNode): string | undefined {
    if (!m) {
      if (required) this.fail(owner, `${what} is required (a string)`);
      return undefined;
    }
    if (m.value.type !== 'string') this.fail(m.value, `${what} must be a string, found ${describe(m.value)}`);
    return m.value.value;
  }

  bool(m: JsonMember | undefined, what: string): boolean | undefined {
    if (!m) return undefined;
    if (m.value.type !== 'boolean') this.fail(m.value, `${what} must be true or false, found ${describe(m.value)}`);
    return m.value.value;
  }

  context(m: JsonMember | undefined): Record<string, ContextInputValue> | undefined {
    if (!m) return undefined;
    const obj = this.object(m.value, 'request.context');
    const out = Object.create(null) as Record<string, ContextInputValue>;
    for (const kv of obj.members) {
      const v = kv.value;
      if (v.type === 'string' || v.type === 'number' || v.type === 'boolean') out[kv.key] = v.type === 'number' ? v.raw : v.value;
      else if (v.type === 'array') {
        out[kv.key] = v.elements.map((e) => {
          if (e.type === 'string' || e.type === 'boolean') return e.value;
          if (e.type === 'number') return e.raw;
          return this.fail(e, `context key ${kv.key}: each value must be a string, number or boolean, found ${describe(e)}`);
        });
      } else this.fail(v, `context key ${kv.key} must be a string, number, boolean or a list of them (multivalued), found ${describe(v)}`);
    }
    return out;
  }

  request(node: JsonNode): AuthorizationRequest {
    const obj = this.object(node, 'request');
    const ms = this.members(obj, REQUEST_KEYS, 'request');
    const s = (k: (typeof REQUEST_STRING_KEYS)[number], required = false): string | undefined => this.string(ms.get(k), `request.${k}`, required, obj);
    const principal = s('principal', true) as string;
    const principalRoleArn = s('principalRoleArn');
    const pr = parsePrincipal(principal, { roleArn: principalRoleArn });
    if (!pr.ok) this.fail((ms.get('principal') as JsonMember).value, pr.message);
    const action = s('action', true) as string;
    if (action.length === 0) this.fail((ms.get('action') as JsonMember).value, 'request.action must name an action such as "s3:GetObject"');
    const resource = s('resource', true) as string;
    let unknownContextKeys: string[] | undefined;
    const u = ms.get('unknownContextKeys');
    if (u) {
      if (u.value.type !== 'array') this.fail(u.value, `request.unknownContextKeys must be a list of key names, found ${describe(u.value)}`);
      unknownContextKeys = u.value.elements.map((e) => (e.type === 'string' ? e.value : this.fail(e, `each unknown context key must be a string, found ${describe(e)}`)));
    }
    let vpcEndpointType: 'gateway' | 'interface' | undefined;
    const vt = ms.get('vpcEndpointType');
    if (vt) {
      if (vt.value.type !== 'string' || (vt.value.value !== 'gateway' && vt.value.value !== 'interface')) {
        this.fail(vt.value, `request.vpcEndpointType must be "gateway" or "interface", found ${describe(vt.value)}`);
      }
      vpcEndpointType = vt.value.value;
    }
    // Only the fields given, in this order (a `delete` of the absent ones turned every request
    // object into a slow dictionary for the engine's look-ups).
    const fields: [string, unknown][] = [
      ['principal', principal],
      ['action', action],
      ['resource', resource],
      ['principalRoleArn', principalRoleArn],
      ['principalSourceUserArn', s('principalSourceUserArn')],
      ['principalUniqueId', s('principalUniqueId')],
      ['resourceAccount', s('resourceAccount')],
      ['context', this.context(ms.get('context'))],
      ['unknownContextKeys', unknownContextKeys],
      ['vpcEndpointType', vpcEndpointType],
    ];
    for (const k of REQUEST_BOOL_KEYS) fields.push([k, this.bool(ms.get(k), `request.${k}`)]);
    const out: Record<string, unknown> = {};
    for (const [k, v] of fields) if (v !== undefined) out[k] = v;
    return out as unknown as AuthorizationRequest;
  }

  policy(node: JsonNode, kind: PolicyKind, name: string): CompiledPolicy {
    const verdict = this.cache
      ? this.cache.verdict(node, `${kind}\u0000${name}\u0000${this.validate ? 'v' : '-'}`, () => this.readPolicy(node, kind, name))
      : this.readPolicy(node, kind, name);
    if (verdict instanceof CompiledPolicy) return verdict;
    // Refused: the message names this file (the finding is the same wherever the text is).
    const f = verdict.refused;
    const where = f && f.line > 0 ? `${this.file}:${f.line}:${f.column}` : this.file;
    const e = new ScenarioError(`${where}: ${name}: ${f ? f.message : 'not a policy'}${f?.code && this.validate ? ` (${f.code})` : ''}`);
    e.invalidPolicy = { slot: name, kind, ...(f?.code !== undefined ? { code: f.code } : {}), message: f ? f.message : 'not a policy', line: f?.line ?? 0, column: f?.column ?? 0 };
    throw e;
  }

  /** The compiled policy, or the finding that refuses it (undefined: not a policy at all). */
  private readPolicy(node: JsonNode, kind: PolicyKind, name: string): PolicyVerdict {
    const read = readPolicyNode(node, { kind, name });
    const err = read.findings.find((f) => f.severity === 'error');
    if (err || !read.policy) return { refused: err ?? read.findings[0] };
    const cp = compilePolicy(read.policy);
    const ce = cp.errors[0];
    if (ce) return { refused: ce };
    // Every rule of `validate` (a Null value "tru", a look-alike letter in an action, …):
    // a policy it calls an error is not evaluated, so its Deny cannot silently drop; except
    // an unknown service or action, which IAM stores and never matches (refusingFinding).
    const ve = this.validate ? refusingFinding(ruleFindings(read.policy, { kind, name }), read.policy) : undefined;
    return ve ? { refused: ve } : cp;
  }

  policyList(m: JsonMember | undefined, kind: PolicyKind, label: string): CompiledPolicy[] | undefined {
    if (!m) return undefined;
    if (m.value.type !== 'array') this.fail(m.value, `policies.${label} must be a list of policies, found ${describe(m.value)}`);
    return m.value.elements.map((e, i) => this.policy(e, kind, `policies.${label}[${i}]`));
  }

  levels(m: JsonMember | undefined, kind: PolicyKind, label: string): CompiledPolicy[][] | undefined {
    if (!m) return undefined;
    if (m.value.type !== 'array') this.fail(m.value, `policies.${label} must be a list of levels (organization root first), each a list of policies; found ${describe(m.value)}`);
    return m.value.elements.map((lv, i) => {
      if (lv.type !== 'array') this.fail(lv, `policies.${label}[${i}] must be a list of the policies attached at that level, found ${describe(lv)}`);
      return lv.elements.map((e, j) => this.policy(e, kind, `policies.${label}[${i}][${j}]`));
    });
  }

  policies(node: JsonNode, request: AuthorizationRequest): PolicySet {
    const obj = this.object(node, 'policies');
    const ms = this.members(obj, POLICY_KEYS, 'policies');
    const one = (k: string, kind: PolicyKind): CompiledPolicy | undefined => {
      const m = ms.get(k);
      return m ? this.policy(m.value, kind, `policies.${k}`) : undefined;
    };
    const set: { -readonly [K in keyof PolicySet]: PolicySet[K] } = {};
    const identity = this.policyList(ms.get('identity'), 'identity', 'identity');
    if (identity) set.identity = identity;
    const pb = one('permissionsBoundary', 'permissions-boundary');
    if (pb) set.permissionsBoundary = pb;
    const session = this.policyList(ms.get('session'), 'session', 'session');
    if (session) set.session = session;
    const resource = one('resource', resourceKind(request));
    if (resource) set.resource = resource;
    const scp = this.levels(ms.get('scp'), 'scp', 'scp');
    if (scp) set.scp = scp;
    const rcp = this.levels(ms.get('rcp'), 'rcp', 'rcp');
    if (rcp) set.rcp = rcp;
    const vpce = one('vpcEndpoint', 'vpc-endpoint');
    if (vpce) set.vpcEndpoint = vpce;
    return set;
  }

  options(m: JsonMember | undefined): Partial<EvaluationOptions> | undefined {
    if (!m) return undefined;
    const obj = this.object(m.value, 'options');
    const known = Object.keys(DEFAULT_EVALUATION_OPTIONS) as (keyof EvaluationOptions)[];
    const out: Record<string, unknown> = {};
    for (const kv of obj.members) {
      const key = known.find((k) => k === kv.key);
      if (!key) this.fail({ loc: kv.keyLoc }, `unknown option "${kv.key}"${suggest(kv.key, known)}`);
      const allowed = OPTION_VALUES[key];
      const v = kv.value;
      if ((v.type !== 'string' && v.type !== 'boolean') || !allowed.includes(v.value)) {
        this.fail(v, `option ${key} must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}, found ${describe(v)}`);
      }
      out[key] = v.value;
    }
    return out as Partial<EvaluationOptions>;
  }

  scenario(root: JsonNode): LoadedScenario {
    const obj = this.object(root, 'a scenario');
    const ms = this.members(obj, TOP_KEYS, 'the scenario');
    const name = this.string(ms.get('name'), 'name', true, obj) as string;
    try {
      const doc = this.string(ms.get('doc'), 'doc', false, obj);
      const reqM = ms.get('request');
      if (!reqM) this.fail(obj, 'request is required (principal, action, resource, …)');
      const request = this.request(reqM.value);
      const polM = ms.get('policies');
      if (!polM) this.fail(obj, 'policies is required (use {} when no policy applies)');
      const policies = this.policies(polM.value, request);
      let expect: DecisionResult | undefined;
      const e = ms.get('expect');
      if (e) {
        if (e.value.type !== 'string' || !DECISIONS.has(e.value.value)) this.fail(e.value, `expect must be "Allow", "ExplicitDeny" or "ImplicitDeny", found ${describe(e.value)}`);
        expect = e.value.value as DecisionResult;
      }
      const options = this.options(ms.get('options'));
      return { name, ...(doc !== undefined ? { doc } : {}), request, policies, ...(expect ? { expect } : {}), ...(options ? { options } : {}) };
    } catch (err) {
      if (err instanceof ScenarioError) (err as ScenarioError & { scenarioName?: string }).scenarioName = name;
      throw err;
    }
  }
}

/** The kind of the resource policy, from the request: trust, key, bucket or generic. */
export function resourceKind(request: AuthorizationRequest): PolicyKind {
  const a = request.action.toLowerCase();
  const r = request.resource;
  if (a.startsWith('sts:') && r.includes(':iam::') && r.includes(':role/')) return 'trust';
  if (a.startsWith('kms:')) return 'key';
  if (a.startsWith('s3:')) return 'bucket';
  return 'resource';
}

function wrap(fn: () => LoadedScenario): ScenarioReadResult {
  try {
    return { ok: true, scenario: fn() };
  } catch (e) {
    if (e instanceof ScenarioError) {
      const name = (e as ScenarioError & { scenarioName?: string }).scenarioName;
      return { ok: false, error: e.message, ...(name !== undefined ? { name } : {}), ...(e.invalidPolicy ? { invalidPolicy: e.invalidPolicy } : {}) };
    }
    throw e;
  }
}

/** Reads a scenario file's text. Never throws for bad input: the error names file, line and column. */
export function readScenarioText(text: string, file: string, options?: ScenarioReadOptions): ScenarioReadResult {
  const parsed = parseJson(text, options?.policies?.subtrees);
  if (!parsed.ok) return { ok: false, error: `${file}:${parsed.error.line}:${parsed.error.column}: ${parsed.error.message}` };
  const dup = parsed.duplicates[0];
  if (dup) {
    return {
      ok: false,
      error: `${file}:${dup.loc.line}:${dup.loc.column}: duplicate key "${dup.key}" at ${dup.path} (first at line ${dup.firstLoc.line}); IAM rejects duplicate keys, and a JSON reader would silently keep only the last one (G33)`,
    };
  }
  const reader = new Reader(file, options?.validate === true, options?.policies);
  return wrap(() => reader.scenario(parsed.root));
}

/**
 * Reads a scenario given as a value. Nothing is cached between calls: a caller that decides
 * many requests over the same policies holds a PolicyCompiler (policy-set.ts) instead.
 */
export function readScenarioValue(value: unknown, file = '(scenario)', options?: ScenarioReadOptions): ScenarioReadResult {
  const reader = new Reader(file, options?.validate === true);
  return wrap(() => reader.scenario(nodeFromValue(value)));
}

/** The policies of a loaded scenario as a flat list (for tools that list them). */
export function scenarioPolicies(s: LoadedScenario): PolicyInput[] {
  const p = s.policies;
  return [
    ...(p.identity ?? []),
    ...(p.permissionsBoundary ? [p.permissionsBoundary] : []),
    ...(p.session ?? []),
    ...(p.resource ? [p.resource] : []),
    ...(p.scp ?? []).flat(),
    ...(p.rcp ?? []).flat(),
    ...(p.vpcEndpoint ? [p.vpcEndpoint] : []),
  ];
}
