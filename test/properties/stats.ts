/**
 * Classifies generated scenarios by what decided them, using the reference model's own
 * explanation (referenceExplain). Shared by the coverage test and by anyone who wants to
 * see the distribution.
 */
import * as fc from 'fast-check';
import { referenceDecide, referenceExplain, type ReferenceExplanation } from '../../src/engine/reference.js';
import type { Scenario } from '../../src/engine/types.js';
import { scenarioArb } from './generators.js';

/** A coverage class, its minimum share (fraction of all scenarios), and how to recognise it. */
export interface CoverageClass {
  name: string;
  min: number;
  test: (e: ReferenceExplanation) => boolean;
}

const deny = (layer: string) => (e: ReferenceExplanation) => e.decision === 'ExplicitDeny' && e.layer === layer;
const reason = (r: ReferenceExplanation['reason']) => (e: ReferenceExplanation) => e.reason === r;

export const COVERAGE_CLASSES: CoverageClass[] = [
  { name: 'decision: Allow', min: 0.1, test: (e) => e.decision === 'Allow' },
  { name: 'decision: ExplicitDeny', min: 0.1, test: (e) => e.decision === 'ExplicitDeny' },
  { name: 'decision: ImplicitDeny', min: 0.1, test: (e) => e.decision === 'ImplicitDeny' },
  { name: 'explicit deny in identity policy', min: 0.01, test: deny('identity') },
  { name: 'explicit deny in permissions boundary', min: 0.01, test: deny('permissionsBoundary') },
  { name: 'explicit deny in session policy', min: 0.01, test: deny('session') },
  { name: 'explicit deny in resource policy', min: 0.01, test: deny('resource') },
  { name: 'explicit deny in SCP', min: 0.01, test: deny('scp') },
  { name: 'explicit deny in RCP', min: 0.01, test: deny('rcp') },
  { name: 'explicit deny in VPC endpoint policy', min: 0.01, test: deny('vpcEndpoint') },
  { name: 'SCP gate (a level without Allow)', min: 0.01, test: reason('scpGate') },
  { name: 'VPC endpoint gate', min: 0.01, test: reason('vpcEndpointGate') },
  { name: 'trust/key policy required, none matched', min: 0.01, test: reason('resourcePolicyRequired') },
  { name: 'Allow by resource policy, DIRECT', min: 0.01, test: reason('resourceDirectAllow') },
  { name: 'Allow by resource policy, ENTITY', min: 0.01, test: reason('resourceEntityAllow') },
  { name: 'ENTITY grant limited by boundary or session policy', min: 0.002, test: (e) => e.reason === 'entityLimitedByBoundary' || e.reason === 'entityLimitedBySession' },
  { name: 'Allow by identity side (resource class ACCOUNT)', min: 0.01, test: (e) => e.reason === 'identityAllow' && e.resourceMatch === 'ACCOUNT' },
  { name: 'Allow by identity side (no resource grant)', min: 0.01, test: (e) => e.reason === 'identityAllow' && e.resourceMatch === 'NONE' },
  { name: 'ImplicitDeny: no identity Allow', min: 0.01, test: reason('noIdentityAllow') },
  { name: 'ImplicitDeny: boundary does not allow', min: 0.005, test: reason('boundaryImplicitDeny') },
  { name: 'ImplicitDeny: session policy does not allow', min: 0.005, test: reason('sessionImplicitDeny') },
  { name: 'cross-account Allow', min: 0.01, test: reason('crossAccountAllow') },
  { name: 'cross-account: no resource-side grant', min: 0.005, test: reason('crossAccountNoResourceGrant') },
  { name: 'sts:GetCallerIdentity', min: 0.005, test: reason('getCallerIdentity') },
  { name: 'root cannot AssumeRole', min: 0.002, test: reason('rootCannotAssumeRole') },
  { name: 'decided by a condition that held', min: 0.05, test: (e) => e.decidedByTrueCondition },
  { name: 'decided by a condition that failed', min: 0.05, test: (e) => e.decidedByFalseCondition },
  { name: 'caller: anonymous', min: 0.02, test: (e) => e.principalKind === 'anonymous' },
  { name: 'caller: service principal', min: 0.02, test: (e) => e.principalKind === 'service' },
  { name: 'Allow for a service principal', min: 0.005, test: (e) => e.principalKind === 'service' && e.decision === 'Allow' },
  { name: 'Allow for an anonymous caller', min: 0.002, test: (e) => e.principalKind === 'anonymous' && e.decision === 'Allow' },
];

export interface CoverageResult {
  total: number;
  /** Shape counts (SHAPE_CLASSES), when measured. */
  shapes?: Map<string, number>;
  counts: Map<string, number>;
  reasons: Map<string, number>;
}

/**
 * Shapes the generator must produce, recognised on the scenario itself (not on how it was
 * decided): NotPrincipal with Allow and with Deny in resource and endpoint policies, and the
 * lists that tell a correct NotPrincipal from a slip (the session's role listed but not the
 * session; session and role without the account; the account alone).
 */
export interface ShapeClass {
  name: string;
  test: (s: Scenario) => boolean;
}

type Json = unknown;
interface NotPrincipalUse {
  readonly layer: 'resource' | 'vpcEndpoint';
  readonly effect: string;
  readonly listed: readonly string[];
}

function statementsOf(doc: Json): Record<string, Json>[] {
  const st = (doc as { Statement?: Json } | undefined)?.Statement;
  const list = Array.isArray(st) ? st : st !== undefined ? [st] : [];
  return list.filter((x): x is Record<string, Json> => x !== null && typeof x === 'object');
}

/** Every NotPrincipal of the scenario's resource and endpoint policies, with what it lists. */
export function notPrincipalUses(s: Scenario): NotPrincipalUse[] {
  const out: NotPrincipalUse[] = [];
  for (const layer of ['resource', 'vpcEndpoint'] as const) {
    for (const st of statementsOf(s.policies[layer])) {
      const np = st.NotPrincipal;
      if (np === undefined || np === null || typeof np !== 'object') continue;
      const listed = Object.values(np as Record<string, Json>).flatMap((v) => (Array.isArray(v) ? v : [v])).map(String);
      out.push({ layer, effect: String(st.Effect), listed });
    }
  }
  return out;
}

function callerIds(s: Scenario): { session?: string; role?: string; account?: string } {
  const p = s.request.principal;
  if (!p.includes(':assumed-role/')) return {};
  const account = p.split(':')[4];
  const role = s.request.principalRoleArn ?? `arn:aws:iam::${account}:role/${p.split('/')[1] ?? ''}`;
  return { session: p, role, account };
}

const isAccount = (x: string, account: string | undefined): boolean => account !== undefined && (x === account || x === `arn:aws:iam::${account}:root`);

function npShape(pred: (u: NotPrincipalUse, ids: ReturnType<typeof callerIds>) => boolean): (s: Scenario) => boolean {
  return (s) => {
    const ids = callerIds(s);
    return notPrincipalUses(s).some((u) => pred(u, ids));
  };
}

/** The scenario without its NotPrincipal + Allow statements is decided otherwise by the reference. */
function notPrincipalAllowDecides(s: Scenario): boolean {
  if (!notPrincipalUses(s).some((u) => u.effect === 'Allow')) return false;
  const strip = (doc: Json): Json => {
    if (doc === undefined) return undefined;
    const kept = statementsOf(doc).filter((st) => !(st.NotPrincipal !== undefined && st.Effect === 'Allow'));
    return { ...(doc as Record<string, Json>), Statement: kept };
  };
  const without: Scenario = { ...s, policies: { ...s.policies } };
  if (s.policies.resource !== undefined) without.policies.resource = strip(s.policies.resource);
  if (s.policies.vpcEndpoint !== undefined) without.policies.vpcEndpoint = strip(s.policies.vpcEndpoint);
  try {
    return referenceDecide(s) !== referenceDecide(without);
  } catch {
    return false;
  }
}

export const SHAPE_CLASSES: ShapeClass[] = [
  { name: 'NotPrincipal + Allow in a resource policy', test: npShape((u) => u.layer === 'resource' && u.effect === 'Allow') },
  { name: 'NotPrincipal + Allow in a VPC endpoint policy', test: npShape((u) => u.layer === 'vpcEndpoint' && u.effect === 'Allow') },
  { name: 'NotPrincipal + Deny in a resource policy', test: npShape((u) => u.layer === 'resource' && u.effect === 'Deny') },
  { name: 'NotPrincipal + Deny in a VPC endpoint policy', test: npShape((u) => u.layer === 'vpcEndpoint' && u.effect === 'Deny') },
  { name: 'NotPrincipal + Allow listing the caller\'s session ARN', test: npShape((u, c) => u.effect === 'Allow' && c.session !== undefined && u.listed.includes(c.session)) },
  {
    name: 'NotPrincipal + Allow listing the session\'s role ARN, not the session',
    test: npShape((u, c) => u.effect === 'Allow' && c.role !== undefined && u.listed.includes(c.role) && !u.listed.includes(c.session ?? '')),
  },
  {
    name: 'NotPrincipal + Allow listing session and role ARN, not the account',
    test: npShape((u, c) => u.effect === 'Allow' && u.listed.includes(c.session ?? '-') && u.listed.includes(c.role ?? '-') && !u.listed.some((x) => isAccount(x, c.account))),
  },
  { name: 'NotPrincipal + Allow listing only the caller\'s account', test: npShape((u, c) => u.effect === 'Allow' && u.listed.length === 1 && isAccount(u.listed[0] ?? '', c.account)) },
  { name: 'NotPrincipal + Allow decides (the reference decides otherwise without it)', test: notPrincipalAllowDecides },
  {
    name: 'NotPrincipal + Deny listing session and role ARN, not the account',
    test: npShape((u, c) => u.effect === 'Deny' && u.listed.includes(c.session ?? '-') && u.listed.includes(c.role ?? '-') && !u.listed.some((x) => isAccount(x, c.account))),
  },
];

/**
 * The real count of each shape in the fixed sample of coverage.test.ts (20,000 scenarios,
 * seed 20261128). The test requires at least these counts: a change of the generator that
 * makes a shape rarer fails it and must update the figure here, on purpose.
 */
export const SHAPE_MINIMUMS: Readonly<Record<string, number>> = {
  'NotPrincipal + Allow in a resource policy': 1987,
  'NotPrincipal + Allow in a VPC endpoint policy': 141,
  'NotPrincipal + Deny in a resource policy': 680,
  'NotPrincipal + Deny in a VPC endpoint policy': 187,
  "NotPrincipal + Allow listing the caller's session ARN": 354,
  "NotPrincipal + Allow listing the session's role ARN, not the session": 152,
  'NotPrincipal + Allow listing session and role ARN, not the account': 145,
  "NotPrincipal + Allow listing only the caller's account": 97,
  'NotPrincipal + Allow decides (the reference decides otherwise without it)': 120,
  'NotPrincipal + Deny listing session and role ARN, not the account': 56,
};

export function measureShapes(scenarios: readonly Scenario[]): Map<string, number> {
  const counts = new Map<string, number>(SHAPE_CLASSES.map((c) => [c.name, 0]));
  for (const s of scenarios) for (const c of SHAPE_CLASSES) if (c.test(s)) counts.set(c.name, (counts.get(c.name) ?? 0) + 1);
  return counts;
}

export function sampleScenarios(n: number, seed: number): Scenario[] {
  return fc.sample(scenarioArb, { numRuns: n, seed });
}

export function measureCoverage(n: number, seed: number, sample?: readonly Scenario[]): CoverageResult {
  const scenarios: readonly Scenario[] = sample ?? sampleScenarios(n, seed);
  const counts = new Map<string, number>(COVERAGE_CLASSES.map((c) => [c.name, 0]));
  const reasons = new Map<string, number>();
  for (const s of scenarios) {
    let e: ReferenceExplanation;
    try {
      e = referenceExplain(s);
    } catch {
      // A scenario the reference rejects (e.g. a short ARN in an SCP, spec §1.5).
      reasons.set('rejected scenario', (reasons.get('rejected scenario') ?? 0) + 1);
      continue;
    }
    for (const c of COVERAGE_CLASSES) if (c.test(e)) counts.set(c.name, (counts.get(c.name) ?? 0) + 1);
    const key = e.layer === undefined ? e.reason : `${e.reason} (${e.layer})`;
    reasons.set(key, (reasons.get(key) ?? 0) + 1);
  }
  return { total: scenarios.length, counts, reasons };
}

function pct(count: number, total: number): string {
  return `${((100 * count) / total).toFixed(2)}%`;
}

export function renderStats(result: CoverageResult, seed: number): string {
  const lines: string[] = [];
  lines.push('# Property-test coverage statistics');
  lines.push('');
  lines.push('Generated by `WRITE_STATS=1 npx vitest run test/properties/coverage.test.ts`; do not edit by hand.');
  lines.push(`Sample: ${result.total} scenarios from \`test/properties/generators.ts\` (seed ${seed}),`);
  lines.push('classified by the reference model (`referenceExplain` in `src/engine/reference.ts`).');
  lines.push('"Decided by a condition" means the decision changes when every condition block is');
  lines.push('forced to false (a condition that held mattered) or to true (a condition that failed mattered).');
  lines.push('');
  lines.push('## Coverage classes (asserted minimum share)');
  lines.push('');
  lines.push('| class | share | minimum |');
  lines.push('| --- | ---: | ---: |');
  for (const c of COVERAGE_CLASSES) {
    lines.push(`| ${c.name} | ${pct(result.counts.get(c.name) ?? 0, result.total)} | ${(c.min * 100).toFixed(1)}% |`);
  }
  lines.push('');
  if (result.shapes) {
    lines.push('## Shapes (asserted minimum count: the real count of this sample)');
    lines.push('');
    lines.push('| shape | count | minimum |');
    lines.push('| --- | ---: | ---: |');
    for (const c of SHAPE_CLASSES) lines.push(`| ${c.name} | ${result.shapes.get(c.name) ?? 0} | ${SHAPE_MINIMUMS[c.name] ?? '-'} |`);
    lines.push('');
  }
  lines.push('## Deciding reason (mutually exclusive)');
  lines.push('');
  lines.push('| reason (layer) | share |');
  lines.push('| --- | ---: |');
  const sorted = [...result.reasons.entries()].sort((a, b) => b[1] - a[1]);
  for (const [k, v] of sorted) lines.push(`| ${k} | ${pct(v, result.total)} |`);
  lines.push('');
  lines.push('The RCP gate cannot decide a scenario: every RCP level implicitly holds');
  lines.push('`RCPFullAWSAccess` (scenario-format.md), so RCPs act only through explicit denies.');
  lines.push('');
  return lines.join('\n');
}
