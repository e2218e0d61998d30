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
import type { CompiledStatement } from './compile.js';
import { actionMatches, CompiledPolicy, compilePolicy, matchingAction, PolicyCompileError, resourceEntryMatches } from './compile.js';
import type { ConditionEnv, ConditionTrace } from './conditions.js';
import { evalCondition } from './conditions.js';
import type { MatchClass, PrincipalMatchEnv } from './principal.js';
import { matchPrincipal, notPrincipalApplies } from './principal.js';
import type { AuthorizationRequest, PreparedRequest } from './request.js';
import { isPreparedRequest, prepareRequest } from './request.js';
import type { ResidualNode, Tri } from './residual.js';
import { and, not, or, renderResidual } from './residual.js';
import type { AuthorizationResult, DecidedBy, LayerTrace, PolicyTrace, StatementRef, StatementTrace, Trace } from './result.js';
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

interface Env {
  readonly req: PreparedRequest;
  readonly opts: EvaluationOptions;
  readonly tracing: boolean;
  readonly cond: ConditionEnv;
  readonly lookup: VariableLookup;
  readonly hasBoundary: boolean;
}

interface Hit {
  readonly st: CompiledStatement;
  readonly m: Tri;
  readonly cls: MatchClass;
  readonly sessionArnGrant: boolean;
  readonly cp: CompiledPolicy;
  readonly layer: LayerName;
  readonly level: number | undefined;
}

interface PolicyEval {
  allow: Tri;
  deny: Tri;
  /** The first Deny statement that matched, when any. */
  firstDeny?: Hit;
  trace?: PolicyTrace;
}

function refOf(h: Hit): StatementRef {
  const st = h.st;
  return {
    layer: h.layer,
    ...(h.level !== undefined ? { level: h.level } : {}),
    policy: h.cp.name,
    ...(st.sid !== undefined ? { sid: st.sid } : {}),
    statementIndex: st.index,
    effect: st.effect,
    line: st.line,
    column: st.column,
  };
}

function resourceResidual(keys: readonly string[], raw: string): ResidualNode {
  return { kind: 'clause', key: keys.join(', '), operator: 'Resource variable', values: [raw] };
}

/** Evaluates one statement: does it apply to this request, and with which principal class? */
function evalStatement(
  cp: CompiledPolicy,
  st: CompiledStatement,
  env: Env,
  pm: PrincipalMatchEnv | null,
  isDeny: boolean,
  reasons: string[] | null,
  out: { trace?: StatementTrace; cls: MatchClass; sessionArnGrant: boolean },
): Tri {
  const req = env.req;
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
  if (st.resources) {
    let any: Tri = false;
    for (const e of st.resources) {
      const r = resourceEntryMatches(e, req.resource, req.resourceParts, env.opts.resourceArnCaseSensitive, env.cond.variables, env.lookup);
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
    if (st.principal) {
      const m = matchPrincipal(st.principal, req.principal, pm);
      cls = m.cls;
      entry = m.entry ? m.entry.value : st.principal.wildcard ? '*' : undefined;
      out.sessionArnGrant = m.entry?.kind === 'session' || m.entry?.kind === 'federatedUser';
    } else if (st.notPrincipal) {
      const applies = notPrincipalApplies(st.notPrincipal, req.principal, {
        ...pm,
        chain: env.opts.notPrincipalDenyChain,
        alwaysApplies: isDeny && env.hasBoundary && env.opts.notPrincipalDenyAlwaysDeniesBoundedCallers,
      });
      cls = applies ? 'WILDCARD' : 'NONE';
    } else cls = 'NONE';
    if (reasons) {
      reasons.push(
        st.notPrincipal
          ? cls === 'NONE'
            ? 'the caller is listed in NotPrincipal'
            : isDeny && env.hasBoundary && env.opts.notPrincipalDenyAlwaysDeniesBoundedCallers
              ? 'NotPrincipal with Deny applies to every caller with a permissions boundary'
              : 'the caller is not listed in NotPrincipal'
          : cls === 'NONE'
            ? 'the principal does not name the caller'
            : `the principal names the caller (${cls}${entry ? ` via ${entry}` : ''})`,
      );
    } else if (cls === 'NONE') return false;
  }
  out.cls = cls;
  // Condition block: AND over clauses.
  let condOk: Tri = true;
  const ctrace: ConditionTrace[] | null = tracing ? [] : null;
  for (const c of st.conditions) {
    condOk = and(condOk, evalCondition(c, env.cond, ctrace));
    if (condOk === false && !tracing) return false;
  }
  if (reasons && st.conditions.length > 0) {
    reasons.push(condOk === true ? 'every condition holds' : condOk === false ? 'a condition does not hold' : 'conditions depend on unknown keys');
  }
  const m = and(and(actionOk, resourceOk), and(cls !== 'NONE', condOk));
  if (tracing) {
    out.trace = {
      statementIndex: st.index,
      ...(st.sid !== undefined ? { sid: st.sid } : {}),
      effect: st.effect,
      line: st.line,
      column: st.column,
      outcome: m === true ? 'match' : m === false ? 'no-match' : 'unknown',
      reasons: reasons as string[],
      action: actionPattern !== undefined ? { matched: actionOk, pattern: actionPattern } : { matched: actionOk },
      ...(st.resources
        ? { resource: { matched: typeof resourceOk === 'boolean' ? resourceOk : ('unknown' as const), ...(resourcePattern !== undefined ? { pattern: resourcePattern } : {}) } }
        : {}),
      ...(pm ? { principal: { matchClass: cls, ...(entry !== undefined ? { entry } : {}), notPrincipal: st.notPrincipal !== undefined } } : {}),
      conditions: ctrace as ConditionTrace[],
    };
  }
  return m;
}

function evalPolicy(cp: CompiledPolicy, layer: LayerName, level: number | undefined, env: Env, pm: PrincipalMatchEnv | null, hits: Hit[]): PolicyEval {
  const res: PolicyEval = { allow: false, deny: false };
  const variables = cp.variables;
  env.cond.variables = variables;
  const tracing = env.tracing;
  const stTraces: StatementTrace[] | null = tracing ? [] : null;
  const positions = tracing ? null : cp.statementsForAction(env.req.actionLower);
  const count = positions ? positions.length : cp.statements.length;
  const out: { trace?: StatementTrace; cls: MatchClass; sessionArnGrant: boolean } = { cls: 'NONE', sessionArnGrant: false };
  for (let k = 0; k < count; k++) {
    const st = cp.statements[positions ? (positions[k] as number) : k] as CompiledStatement;
    const isDeny = st.effect === 'Deny';
    out.trace = undefined;
    out.sessionArnGrant = false;
    out.cls = 'NONE';
    const m = evalStatement(cp, st, env, pm, isDeny, tracing ? [] : null, out);
    if (stTraces && out.trace) stTraces.push(out.trace);
    if (m === false) continue;
    const hit: Hit = { st, m, cls: out.cls, sessionArnGrant: out.sessionArnGrant, cp, layer, level };
    hits.push(hit);
    if (isDeny) {
      if (m === true && !res.firstDeny) res.firstDeny = hit;
      res.deny = or(res.deny, m);
      if (res.deny === true && !tracing) break;
    } else res.allow = or(res.allow, m);
  }
  if (stTraces) res.trace = { policy: cp.name, statements: stTraces };
  return res;
}

function firstTrue(hits: readonly Hit[], effect: 'Allow' | 'Deny'): StatementRef | undefined {
  for (const h of hits) if (h.m === true && h.st.effect === effect) return refOf(h);
  return undefined;
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

/**
 * Authorizes one request against its policies. Synchronous and I/O-free (the RCP service
 * list is loaded once on first use). Throws PolicyCompileError for an invalid policy and
 * RequestError for an unreadable request.
 */
export function authorize(request: AuthorizationRequest | PreparedRequest, policies: PolicySet, options?: AuthorizeOptions): AuthorizationResult {
  const req = isPreparedRequest(request) ? request : prepareRequest(request);
  const opts: EvaluationOptions = mergeOptions(options);
  const tracing = options?.trace !== false;
  const p = req.principal;
  const ctx = req.context;
  const lookup: VariableLookup = (k) => (ctx.isUnknown(k) ? UNKNOWN : ctx.get(k));
  const notes: string[] = [];
  const layers: LayerTrace[] = [];

  const isIamPrincipal = p.kind === 'iamUser' || p.kind === 'roleSession' || p.kind === 'federatedUserSession' || p.kind === 'root';
  const crossAccount = isIamPrincipal && req.resourceAccount !== undefined && p.accountId !== req.resourceAccount;
  const makeTrace = (): Trace => ({
    principal: { kind: p.kind, ...(p.arn ? { arn: p.arn } : {}), ...(p.accountId ? { accountId: p.accountId } : {}), ...(p.roleArn ? { roleArn: p.roleArn } : {}) },
    action: req.action,
    resource: req.resource,
    ...(req.resourceAccount !== undefined ? { resourceAccount: req.resourceAccount } : {}),
    crossAccount,
    context: contextForTrace(req),
    layers,
    notes,
  });
  const finish = (decision: DecisionResult, reason: string, decidedBy?: DecidedBy, allowedBy?: StatementRef[], residual?: AuthorizationResult['residual']): AuthorizationResult => ({
    decision,
    reason,
    ...(decidedBy ? { decidedBy } : {}),
    ...(allowedBy && allowedBy.length ? { allowedBy } : {}),
    ...(tracing ? { trace: makeTrace() } : {}),
    ...(residual ? { residual } : {}),
  });

  // §5: built-in rules that no policy changes.
  if (req.actionLower === 'sts:getcalleridentity' && p.kind !== 'anonymous') {
    // STS API reference, GetCallerIdentity: "No permissions are required … even if an explicit deny".
    notes.push('sts:GetCallerIdentity needs no permission; explicit denies do not apply (G44)');
    return finish('Allow', 'sts:GetCallerIdentity is always allowed for a signed request', { layer: 'request', reason: 'sts:GetCallerIdentity is always allowed' });
  }
  if (p.kind === 'root' && req.actionLower === 'sts:assumerole') {
    notes.push('STS AssumeRole API: root user credentials cannot assume roles');
    return finish('ImplicitDeny', 'the root user cannot call sts:AssumeRole', { layer: 'request', reason: 'root credentials cannot assume roles' });
  }
  if (req.actionLower === 'iam:passrole' && crossAccount) {
    notes.push('"Granting a user permissions to pass a role": a role of another account cannot be passed');
    return finish('ImplicitDeny', 'a role in another account cannot be passed', { layer: 'request', reason: 'cross-account iam:PassRole is never allowed' });
  }

  // Which sets apply (spec §4.2).
  const slr = p.isServiceLinkedRole === true;
  const identityApplies = p.kind === 'iamUser' || p.kind === 'roleSession' || p.kind === 'federatedUserSession';
  const boundaryApplies = identityApplies && policies.permissionsBoundary !== undefined && !slr;
  const sessionApplies = (p.kind === 'roleSession' || p.kind === 'federatedUserSession') && policies.session !== undefined;
  const scpApplies = policies.scp !== undefined && isIamPrincipal && !req.principalIsManagementAccount && !slr;
  const rcpServiceSupported = policies.rcp !== undefined && rcpSupportedServices().has(req.service);
  const rcpApplies =
    policies.rcp !== undefined &&
    rcpServiceSupported &&
    !req.resourceIsManagementAccount &&
    !req.resourceIsAwsManagedKey &&
    req.actionLower !== 'kms:retiregrant' &&
    !(opts.rcpExemptServiceLinkedRoles && slr);
  const env: Env = {
    req,
    opts,
    tracing,
    lookup,
    hasBoundary: boundaryApplies,
    cond: { context: ctx, options: opts, variables: true, lookup },
  };
  const pmResource: PrincipalMatchEnv = { wildcardMatchesServices: opts.wildcardPrincipalMatchesServices, gatewayEndpoint: false };
  const pmEndpoint: PrincipalMatchEnv = { wildcardMatchesServices: opts.wildcardPrincipalMatchesServices, gatewayEndpoint: req.vpcEndpointType === 'gateway' };

  let deny = false as Tri;
  let denyRef: StatementRef | undefined;
  const recordDeny = (e: PolicyEval): boolean => {
    deny = or(deny, e.deny);
    if (!denyRef && e.firstDeny) denyRef = refOf(e.firstDeny);
    return deny === true && !tracing;
  };
  const explicitDeny = (): AuthorizationResult => {
    const ref = denyRef as StatementRef;
    const where = `${ref.layer}${ref.level !== undefined ? ` level ${ref.level}` : ''}`;
    return finish('ExplicitDeny', `explicitly denied by ${ref.policy}${ref.sid ? ` (${ref.sid})` : ''} in the ${where} layer`, decidedByStatement(ref, `a Deny statement in the ${where} layer matches`));
  };
  const pushLayer = (layer: LayerName, applies: boolean, evals: PolicyEval[], note?: string, level?: number): void => {
    if (!tracing) return;
    layers.push({ layer, ...(level !== undefined ? { level } : {}), applies, ...(note ? { note } : {}), policies: evals.flatMap((e) => (e.trace ? [e.trace] : [])) });
  };
  const evalAll = (list: readonly PolicyInput[] | undefined, layer: LayerName, level: number | undefined, pm: PrincipalMatchEnv | null, hits: Hit[]): PolicyEval[] => {
    const out: PolicyEval[] = [];
    if (list) {
      for (const pi of list) {
        const cp = compiled(pi);
        out.push(evalPolicy(cp, layer, level, env, pm && kindHasPrincipal(cp.kind) ? pm : null, hits));
      }
    }
    return out;
  };
  const anyAllow = (evals: readonly PolicyEval[]): Tri => {
    let a: Tri = false;
    for (const e of evals) a = or(a, e.allow);
    return a;
  };

  // 1. Identity side.
  let idAllow: Tri = false;
  const idHits: Hit[] = [];
  if (identityApplies) {
    const evals = evalAll(policies.identity, 'identity', undefined, null, idHits);
    idAllow = anyAllow(evals);
    pushLayer('identity', true, evals);
    for (const e of evals) if (recordDeny(e)) return explicitDeny();
  } else {
    if (p.kind === 'root') idAllow = true;
    if (policies.identity?.length) {
      if (tracing) notes.push(p.kind === 'root' ? 'the root user has no identity policies; it is implicitly allowed on the identity side' : `a ${p.kind} caller has no identity policies`);
    }
    pushLayer('identity', false, [], p.kind === 'root' ? 'root user: implicitly allowed on the identity side' : `no identity policies for a ${p.kind} caller`);
  }
  let pbAllow: Tri = true;
  const pbHits: Hit[] = [];
  if (boundaryApplies) {
    const evals = evalAll([policies.permissionsBoundary as PolicyInput], 'permissionsBoundary', undefined, null, pbHits);
    pbAllow = anyAllow(evals);
    pushLayer('permissionsBoundary', true, evals);
    for (const e of evals) if (recordDeny(e)) return explicitDeny();
  } else if (policies.permissionsBoundary !== undefined) {
    pushLayer('permissionsBoundary', false, [], slr ? 'a service-linked role cannot have a permissions boundary' : `a ${p.kind} caller has no permissions boundary`);
  }
  let sessAllow: Tri = p.kind === 'federatedUserSession' ? false : true;
  const sessHits: Hit[] = [];
  if (sessionApplies) {
    const evals = evalAll(policies.session, 'session', undefined, null, sessHits);
    sessAllow = anyAllow(evals);
    pushLayer('session', true, evals);
    for (const e of evals) if (recordDeny(e)) return explicitDeny();
  } else {
    if (tracing && p.kind === 'federatedUserSession') notes.push('GetFederationToken: a federated-user session without a session policy has no permissions');
    if (policies.session !== undefined) pushLayer('session', false, [], `a ${p.kind} caller has no session policy`);
  }

  // 2. Resource-based policy.
  const resHits: Hit[] = [];
  if (policies.resource !== undefined) {
    const evals = evalAll([policies.resource], 'resource', undefined, pmResource, resHits);
    pushLayer('resource', true, evals);
    for (const e of evals) if (recordDeny(e)) return explicitDeny();
  }

  // 3. SCPs of the caller's organization, level by level.
  const scpLevels: { allow: Tri; level: number }[] = [];
  const scratch: Hit[] = [];
  if (policies.scp !== undefined) {
    if (scpApplies) {
      for (let lv = 0; lv < policies.scp.length; lv++) {
        scratch.length = 0;
        const evals = evalAll(policies.scp[lv], 'scp', lv, null, scratch);
        scpLevels.push({ allow: anyAllow(evals), level: lv });
        pushLayer('scp', true, evals, (policies.scp[lv] ?? []).length === 0 ? 'no SCP attached at this level: nothing is allowed' : undefined, lv);
        for (const e of evals) if (recordDeny(e)) return explicitDeny();
      }
    } else {
      const why = !isIamPrincipal
        ? `SCPs do not apply to ${p.kind === 'service' ? 'service principals' : 'anonymous callers'}`
        : req.principalIsManagementAccount
          ? 'SCPs do not apply to the management account'
          : 'SCPs do not apply to service-linked roles';
      notes.push(why);
      pushLayer('scp', false, [], why);
    }
  }

  // 4. RCPs of the resource's organization, level by level.
  const rcpLevels: { allow: Tri; level: number }[] = [];
  const rcpImplied = policies.rcpFullAccessImplied !== false;
  if (policies.rcp !== undefined) {
    if (rcpApplies) {
      for (let lv = 0; lv < policies.rcp.length; lv++) {
        scratch.length = 0;
        const evals = evalAll(policies.rcp[lv], 'rcp', lv, pmResource, scratch);
        rcpLevels.push({ allow: rcpImplied ? true : anyAllow(evals), level: lv });
        pushLayer('rcp', true, evals, rcpImplied ? 'RCPFullAWSAccess is implied at this level' : undefined, lv);
        for (const e of evals) if (recordDeny(e)) return explicitDeny();
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
      notes.push(why);
      pushLayer('rcp', false, [], why);
    }
  }

  // 5. VPC endpoint policy (a filter: never grants).
  let vpceAllow: Tri = true;
  if (policies.vpcEndpoint !== undefined) {
    scratch.length = 0;
    const evals = evalAll([policies.vpcEndpoint], 'vpcEndpoint', undefined, pmEndpoint, scratch);
    vpceAllow = anyAllow(evals);
    pushLayer('vpcEndpoint', true, evals, req.vpcEndpointType === 'gateway' ? 'gateway endpoint: an account principal means its root user only (G41)' : undefined);
    for (const e of evals) if (recordDeny(e)) return explicitDeny();
  }

  // 6. Grants (spec §4.3 step 5–7, §4.4, §4.5).
  const rp = req.resourceParts;
  const isRoleResource = rp !== undefined && rp.service.toLowerCase() === 'iam' && rp.resource.startsWith('role/');
  const requiresTrust = TRUST_ACTIONS.has(req.actionLower) && isRoleResource;
  const requiresKeyPolicy = req.service === 'kms' && rp !== undefined && rp.service.toLowerCase() === 'kms' && rp.resource.startsWith('key/');
  const requiresResourceGrant = requiresTrust || requiresKeyPolicy;
  if (tracing && requiresTrust) notes.push('the role trust policy must allow this action explicitly ("How IAM roles differ from resource-based policies")');
  if (tracing && requiresKeyPolicy) notes.push('the KMS key policy must allow the caller, directly or by delegating to the account ("Key policies in AWS KMS")');
  if (tracing && crossAccount) notes.push(`cross-account request (caller ${p.accountId}, resource ${req.resourceAccount}): both the identity side and the resource policy must allow`);

  const identitySide: Tri = isIamPrincipal ? and(idAllow, and(pbAllow, sessAllow)) : false;
  let grant: Tri = false;
  let grantHit: Hit | undefined;
  let resourceGrantSeen: Tri = false;
  for (const h of resHits) {
    if (h.st.effect !== 'Allow') continue;
    resourceGrantSeen = or(resourceGrantSeen, h.m);
    let g: Tri;
    if (crossAccount) g = and(h.m, identitySide);
    else if (h.cls === 'WILDCARD') g = h.m;
    else if (h.cls === 'DIRECT') {
      // A1 (docs/decisions/a01-session-arn-grant.md).
      g = h.sessionArnGrant && !opts.sessionArnGrantBypassesSessionPolicy ? and(h.m, sessAllow) : h.m;
    } else if (h.cls === 'ENTITY') g = and(h.m, and(pbAllow, sessAllow));
    else g = and(h.m, identitySide);
    if (g === true && !grantHit) grantHit = h;
    grant = or(grant, g);
  }
  if (isIamPrincipal && !crossAccount && !requiresResourceGrant) grant = or(grant, identitySide);

  let gates: Tri = vpceAllow;
  for (const l of scpLevels) gates = and(gates, l.allow);
  for (const l of rcpLevels) gates = and(gates, l.allow);
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
  if (deny === true) return explicitDeny();
  if (allow === true) {
    const allowedBy: StatementRef[] = [];
    const idRef = firstTrue(idHits, 'Allow');
    const grantRef = grantHit ? refOf(grantHit) : undefined;
    const grantCls = grantHit?.cls;
    const identityUsed = !grantRef || crossAccount || grantCls === 'ACCOUNT';
    if (grantRef) allowedBy.push(grantRef);
    if (identityUsed && idRef) allowedBy.push(idRef);
    if (identityUsed || grantCls === 'ENTITY') {
      const pbRef = firstTrue(pbHits, 'Allow');
      const sessRef = firstTrue(sessHits, 'Allow');
      if (pbRef) allowedBy.push(pbRef);
      if (sessRef) allowedBy.push(sessRef);
    }
    const by = grantRef ?? idRef;
    const reason = by
      ? `allowed by ${by.policy}${by.sid ? ` (${by.sid})` : ''} in the ${by.layer} layer`
      : p.kind === 'root'
        ? 'allowed: the root user is implicitly allowed on the identity side'
        : 'allowed';
    return finish('Allow', reason, by ? decidedByStatement(by, `an Allow statement in the ${by.layer} layer grants it`) : { layer: 'request', reason }, allowedBy);
  }

  // ImplicitDeny (or undecided): name the layer that blocked.
  let blocked: DecidedBy;
  const firstFalseScp = scpLevels.find((l) => l.allow === false);
  const firstFalseRcp = rcpLevels.find((l) => l.allow === false);
  if (firstFalseScp) blocked = { layer: 'scp', level: firstFalseScp.level, reason: `no SCP at level ${firstFalseScp.level} allows the action (every level from the root down needs an Allow)` };
  else if (firstFalseRcp) blocked = { layer: 'rcp', level: firstFalseRcp.level, reason: `no RCP at level ${firstFalseRcp.level} allows the action` };
  else if (vpceAllow === false) blocked = { layer: 'vpcEndpoint', reason: 'the VPC endpoint policy does not allow the request' };
  else if (requiresResourceGrant && resourceGrantSeen === false) {
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
  return finish('ImplicitDeny', residual ? `not allowed unless: ${renderResidual(allow)}` : `implicitly denied: ${blocked.reason}`, blocked, undefined, residual);
}

const OPTION_KEYS = Object.keys(DEFAULT_EVALUATION_OPTIONS) as (keyof EvaluationOptions)[];

/** Defaults plus the caller's options (undefined values ignored); no allocation when nothing differs. */
function mergeOptions(o: AuthorizeOptions | undefined): EvaluationOptions {
  if (!o) return DEFAULT_EVALUATION_OPTIONS;
  let out: Record<string, unknown> | undefined;
  for (const k of OPTION_KEYS) {
    const v = o[k];
    if (v !== undefined && v !== DEFAULT_EVALUATION_OPTIONS[k]) {
      out ??= { ...DEFAULT_EVALUATION_OPTIONS };
      out[k] = v;
    }
  }
  return (out as EvaluationOptions | undefined) ?? DEFAULT_EVALUATION_OPTIONS;
}
