/**
 * Classifies generated scenarios by what decided them, using the reference model's own
 * explanation (referenceExplain). Shared by the coverage test and by anyone who wants to
 * see the distribution.
 */
import * as fc from 'fast-check';
import { referenceExplain, type ReferenceExplanation } from '../../src/engine/reference.js';
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
  counts: Map<string, number>;
  reasons: Map<string, number>;
}

export function measureCoverage(n: number, seed: number): CoverageResult {
  const scenarios: Scenario[] = fc.sample(scenarioArb, { numRuns: n, seed });
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
