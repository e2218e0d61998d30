/**
 * Scenario (format 1, docs/scenario-format.md) → @cloud-copilot/iam-simulate input,
 * and iam-simulate's result → our three-valued decision.
 *
 * This file lives in tools/ on purpose: iam-simulate is AGPL-3.0 and must never become a
 * dependency of the product. We only *call* it from here; nothing from it is copied.
 *
 * Faithfulness rules (each one is a place where the two input models differ; every
 * adjustment is recorded in `notes` so a disagreement can be traced back to it):
 *  - RCPs: our format implies RCPFullAWSAccess at each level; iam-simulate adds it itself
 *    at every level it is given. So levels are passed through unchanged.
 *  - SCPs/RCPs have no "management account" / "service-linked role" / "AWS managed key"
 *    input in iam-simulate: the adapter drops the layer where the AWS docs say it does not
 *    apply ("Service control policies (SCPs)", "Resource control policies (RCPs)").
 *  - Anonymous callers: iam-simulate rejects principal-side policies for them, and AWS
 *    never evaluates them for unsigned requests, so they are dropped.
 *  - Session policies: our format allows a list (inline + managed policy ARNs); iam-simulate
 *    takes one document, so the statements are concatenated into one policy.
 *  - Context: iam-simulate takes strings or string arrays; numbers and booleans become
 *    strings. It derives no keys itself, so the keys our format says the engine derives
 *    (aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalType, aws:username, aws:userid
 *    where knowable, aws:PrincipalIsAWSService, aws:PrincipalServiceName) are added here
 *    unless the scenario gives them ("a key given in context wins").
 */
import {
  anonymousPrincipal,
  runSimulation,
  runUnsafeSimulation,
  type Simulation,
  type EvaluationResult,
} from '@cloud-copilot/iam-simulate';
import { createValidatedPolicy, validateResourcePolicy } from '@cloud-copilot/iam-policy';

export type Decision = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

/** The scenario shape we rely on (a structural subset of src/engine/types.ts `Scenario`). */
export interface ScenarioLike {
  name: string;
  doc?: string;
  request: {
    principal: string;
    principalRoleArn?: string;
    action: string;
    resource: string;
    resourceAccount?: string;
    context?: Record<string, unknown>;
    principalIsManagementAccount?: boolean;
    resourceIsManagementAccount?: boolean;
    principalIsServiceLinkedRole?: boolean;
    resourceIsAwsManagedKey?: boolean;
    unknownContextKeys?: string[];
  };
  policies: {
    identity?: unknown[];
    permissionsBoundary?: unknown;
    session?: unknown[];
    resource?: unknown;
    scp?: unknown[][];
    rcp?: unknown[][];
    vpcEndpoint?: unknown;
  };
  expect?: Decision;
  options?: Record<string, unknown>;
}

export type PrincipalKind =
  | 'user'
  | 'roleSession'
  | 'federatedUser'
  | 'root'
  | 'role'
  | 'service'
  | 'anonymous'
  | 'other';

export interface ParsedPrincipal {
  kind: PrincipalKind;
  account?: string;
  /** user name / role name / federated name */
  name?: string;
  sessionName?: string;
}

export function parsePrincipal(p: string): ParsedPrincipal {
  if (p === 'anonymous') return { kind: 'anonymous' };
  if (/^[a-z0-9.-]+\.amazonaws\.com(\.cn)?$/i.test(p) || /^[a-z0-9.-]+\.amazon\.com$/i.test(p)) {
    return { kind: 'service' };
  }
  const m = /^arn:([^:]+):(iam|sts)::(\d{12}):(.*)$/.exec(p);
  if (!m) return { kind: 'other' };
  const [, , svc, account, rest] = m as unknown as [string, string, string, string, string];
  if (svc === 'iam' && rest === 'root') return { kind: 'root', account };
  if (svc === 'iam' && rest.startsWith('user/')) {
    const parts = rest.split('/');
    return { kind: 'user', account, name: parts[parts.length - 1] };
  }
  if (svc === 'iam' && rest.startsWith('role/')) {
    const parts = rest.split('/');
    return { kind: 'role', account, name: parts[parts.length - 1] };
  }
  if (svc === 'sts' && rest.startsWith('assumed-role/')) {
    const parts = rest.split('/');
    return { kind: 'roleSession', account, name: parts[1], sessionName: parts.slice(2).join('/') };
  }
  if (svc === 'sts' && rest.startsWith('federated-user/')) {
    return { kind: 'federatedUser', account, name: rest.slice('federated-user/'.length) };
  }
  return { kind: 'other', account };
}

function parseDoc(doc: unknown): unknown {
  if (typeof doc === 'string') {
    try {
      return JSON.parse(doc);
    } catch {
      return doc;
    }
  }
  return doc;
}

function statementsOf(doc: unknown): unknown[] {
  const d = parseDoc(doc) as { Statement?: unknown } | undefined;
  if (!d || typeof d !== 'object') return [];
  const s = d.Statement;
  if (Array.isArray(s)) return s;
  return s === undefined ? [] : [s];
}

function arnAccount(arn: string): string | undefined {
  const parts = arn.split(':');
  if (parts.length >= 6 && parts[0] === 'arn' && /^\d{12}$/.test(parts[4] ?? '')) return parts[4];
  return undefined;
}

function toContextValue(v: unknown): string | string[] {
  if (Array.isArray(v)) return v.map((x) => String(x));
  return String(v);
}

function hasKeyCI(ctx: Record<string, unknown>, key: string): boolean {
  const k = key.toLowerCase();
  return Object.keys(ctx).some((x) => x.toLowerCase() === k);
}

/** The keys our format says the engine derives from the principal (spec §3 and Appendix A). */
export function derivedContext(s: ScenarioLike): Record<string, string> {
  const out: Record<string, string> = {};
  const p = parsePrincipal(s.request.principal);
  switch (p.kind) {
    case 'user':
      out['aws:PrincipalArn'] = s.request.principal;
      out['aws:PrincipalAccount'] = p.account!;
      out['aws:PrincipalType'] = 'User';
      out['aws:username'] = p.name!;
      out['aws:PrincipalIsAWSService'] = 'false';
      break;
    case 'roleSession':
      out['aws:PrincipalArn'] =
        s.request.principalRoleArn ?? `arn:aws:iam::${p.account!}:role/${p.name!}`;
      out['aws:PrincipalAccount'] = p.account!;
      out['aws:PrincipalType'] = 'AssumedRole';
      out['aws:PrincipalIsAWSService'] = 'false';
      break;
    case 'federatedUser':
      out['aws:PrincipalArn'] = s.request.principal;
      out['aws:PrincipalAccount'] = p.account!;
      out['aws:PrincipalType'] = 'FederatedUser';
      out['aws:userid'] = `${p.account!}:${p.name!}`;
      out['aws:PrincipalIsAWSService'] = 'false';
      break;
    case 'root':
      out['aws:PrincipalArn'] = s.request.principal;
      out['aws:PrincipalAccount'] = p.account!;
      out['aws:PrincipalType'] = 'Account';
      out['aws:userid'] = p.account!;
      out['aws:PrincipalIsAWSService'] = 'false';
      break;
    case 'role':
      out['aws:PrincipalArn'] = s.request.principal;
      out['aws:PrincipalAccount'] = p.account!;
      out['aws:PrincipalType'] = 'AssumedRole';
      out['aws:PrincipalIsAWSService'] = 'false';
      break;
    case 'service':
      out['aws:PrincipalIsAWSService'] = 'true';
      out['aws:PrincipalServiceName'] = s.request.principal;
      break;
    case 'anonymous':
      out['aws:PrincipalType'] = 'Anonymous';
      break;
    default:
      break;
  }
  return out;
}

export interface AdaptedSimulation {
  simulation: Simulation;
  /** Every place where the adapter had to reshape or drop something. */
  notes: string[];
  /** True if the simulation holds a session or endpoint policy (runUnsafeSimulation ignores both). */
  usesSessionOrEndpoint: boolean;
}

/** RCPFullAWSAccess, as AWS attaches it (RCP docs); runSimulation adds it itself, runUnsafeSimulation does not. */
const RCP_FULL_AWS_ACCESS = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }],
};

/**
 * `forUnsafe`: shape the input for runUnsafeSimulation, which (in 0.1.173) neither adds
 * RCPFullAWSAccess to RCP levels nor copes with a raw resource policy (it reads the
 * policy's name from metadata it never sets, and throws). So RCPFullAWSAccess is listed
 * explicitly and the resource policy is passed pre-validated with a name.
 */
export function toSimulation(s: ScenarioLike, { forUnsafe = false }: { forUnsafe?: boolean } = {}): AdaptedSimulation {
  const notes: string[] = [];
  const req = s.request;
  const pol = s.policies ?? {};
  const p = parsePrincipal(req.principal);
  const anonymous = p.kind === 'anonymous';

  const resourceAccount =
    req.resourceAccount ?? arnAccount(req.resource) ?? p.account ?? '000000000000';

  const context: Record<string, string | string[]> = {};
  const given = req.context ?? {};
  for (const [k, v] of Object.entries(given)) context[k] = toContextValue(v);
  for (const [k, v] of Object.entries(derivedContext(s))) {
    if (!hasKeyCI(given, k)) context[k] = v;
  }
  if (req.unknownContextKeys?.length) {
    notes.push('unknownContextKeys: iam-simulate Strict mode has no residuals; keys treated as absent');
  }

  const identityPolicies = anonymous
    ? []
    : (pol.identity ?? []).map((doc, i) => ({ name: `identity-${i}`, policy: parseDoc(doc) }));
  if (anonymous && (pol.identity?.length ?? 0) > 0) notes.push('anonymous: identity policies dropped');

  let scpLevels = pol.scp ?? [];
  if (scpLevels.length > 0) {
    if (anonymous) {
      notes.push('anonymous: SCPs dropped');
      scpLevels = [];
    } else if (req.principalIsManagementAccount) {
      notes.push('principalIsManagementAccount: SCPs dropped');
      scpLevels = [];
    } else if (req.principalIsServiceLinkedRole) {
      notes.push('principalIsServiceLinkedRole: SCPs dropped');
      scpLevels = [];
    }
  }
  const serviceControlPolicies = scpLevels.map((level, i) => ({
    orgIdentifier: i === 0 ? 'r-root' : i === scpLevels.length - 1 ? resourceAccount : `ou-${i}`,
    policies: level.map((doc, j) => ({ name: `scp-${i}-${j}`, policy: parseDoc(doc) })),
  }));

  let rcpLevels = pol.rcp ?? [];
  if (rcpLevels.length > 0) {
    if (req.resourceIsManagementAccount) {
      notes.push('resourceIsManagementAccount: RCPs dropped');
      rcpLevels = [];
    } else if (req.resourceIsAwsManagedKey) {
      notes.push('resourceIsAwsManagedKey: RCPs dropped');
      rcpLevels = [];
    } else if (req.principalIsServiceLinkedRole && s.options?.['rcpExemptServiceLinkedRoles'] === true) {
      notes.push('rcpExemptServiceLinkedRoles: RCPs dropped');
      rcpLevels = [];
    }
  }
  const resourceControlPolicies = rcpLevels.map((level, i) => ({
    orgIdentifier: i === 0 ? 'r-root' : `ou-${i}`,
    policies: [
      ...(forUnsafe ? [{ name: 'RCPFullAWSAccess', policy: RCP_FULL_AWS_ACCESS }] : []),
      ...level.map((doc, j) => ({ name: `rcp-${i}-${j}`, policy: parseDoc(doc) })),
    ],
  }));

  const simulation: Simulation = {
    request: {
      principal: anonymous ? anonymousPrincipal : req.principal,
      action: req.action,
      resource: { resource: req.resource, accountId: resourceAccount },
      contextVariables: context,
    },
    identityPolicies,
    serviceControlPolicies,
    resourceControlPolicies,
  };
  if (pol.resource !== undefined) {
    simulation.resourcePolicy = forUnsafe
      ? createValidatedPolicy(parseDoc(pol.resource), validateResourcePolicy, { name: 'resource' })
      : parseDoc(pol.resource);
  }
  if (pol.permissionsBoundary !== undefined && !anonymous) {
    simulation.permissionBoundaryPolicies = [
      { name: 'permissionsBoundary', policy: parseDoc(pol.permissionsBoundary) },
    ];
  }
  if (pol.session && pol.session.length > 0 && !anonymous) {
    if (pol.session.length === 1) {
      simulation.sessionPolicy = parseDoc(pol.session[0]);
    } else {
      notes.push(`session: ${pol.session.length} session policies merged into one document`);
      const first = parseDoc(pol.session[0]) as { Version?: string } | undefined;
      simulation.sessionPolicy = {
        Version: first?.Version ?? '2012-10-17',
        Statement: pol.session.flatMap((d) => statementsOf(d)),
      };
    }
  }
  if (pol.vpcEndpoint !== undefined) {
    simulation.vpcEndpointPolicies = [{ name: 'vpcEndpoint', policy: parseDoc(pol.vpcEndpoint) }];
  }
  const usesSessionOrEndpoint =
    simulation.sessionPolicy !== undefined || simulation.vpcEndpointPolicies !== undefined;
  return { simulation, notes, usesSessionOrEndpoint };
}

export function fromEvaluationResult(r: EvaluationResult): Decision {
  switch (r) {
    case 'Allowed':
      return 'Allow';
    case 'ExplicitlyDenied':
      return 'ExplicitDeny';
    default:
      return 'ImplicitDeny';
  }
}

export interface TheirResult {
  decision?: Decision;
  /** iam-simulate refused the input (validation); `decision` then comes from runUnsafeSimulation if possible. */
  error?: string;
  errorDetail?: unknown;
  /** Context keys runSimulation dropped because iam-data says they do not apply to the action. */
  ignoredContextKeys: string[];
  notes: string[];
  engine: 'runSimulation' | 'runUnsafeSimulation' | 'none';
  resultType?: string;
}

/** Runs one scenario through iam-simulate (runSimulation; runUnsafeSimulation as a fallback after a validation error). */
export async function runTheirs(s: ScenarioLike): Promise<TheirResult> {
  const { simulation, notes, usesSessionOrEndpoint } = toSimulation(s);
  let res;
  try {
    res = await runSimulation(simulation, { simulationMode: 'Strict' });
  } catch (e) {
    return { error: `runSimulation threw: ${(e as Error).message}`, ignoredContextKeys: [], notes, engine: 'none' };
  }
  if (res.resultType === 'error') {
    const out: TheirResult = {
      error: res.errors.message,
      errorDetail: res.errors,
      ignoredContextKeys: [],
      notes,
      engine: 'none',
    };
    if (!usesSessionOrEndpoint && !simulation.request.resource.resource.includes('*')) {
      try {
        out.decision = fromEvaluationResult(runUnsafeSimulation(toSimulation(s, { forUnsafe: true }).simulation, {}));
        out.engine = 'runUnsafeSimulation';
      } catch (e) {
        out.notes.push(`runUnsafeSimulation threw: ${(e as Error).message}`);
      }
    }
    return out;
  }
  const ignored =
    res.resultType === 'single'
      ? (res.result.ignoredContextKeys ?? [])
      : [...new Set(res.results.flatMap((r) => r.ignoredContextKeys ?? []))];
  return {
    decision: fromEvaluationResult(res.overallResult),
    ignoredContextKeys: ignored,
    notes,
    engine: 'runSimulation',
    resultType: res.resultType,
  };
}
