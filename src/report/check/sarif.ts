/**
 * A check result as SARIF 2.1.0: one result per failing (error) or warning (warning) step,
 * ruleId = the step id. A decision comes from a policy in the account, not from a line of a
 * file, so results are located by logical locations (the deciding policy and statement, and
 * the calling role); when the caller names the snapshot file (`artifactUri`), a physical
 * location pointing at it is added too, because some code-scanning services drop results
 * without one. test/report/check/sarif.test.ts validates against the official schema.
 */
import type { CheckResult, StepOutcome } from '../../notebook-jobs/check.js';
import type { ToolInfo } from '../types.js';
import { fileToUri, SARIF_SCHEMA_URI } from '../sarif.js';
import { profileKey, profileRef } from './domain.js';
import { callerLabel, decidedByText, decisionText, nearestMissText, OWNER_LABEL, phaseTitle, targetText, timingOf, whenItFails } from './model.js';

export interface CheckSarifOptions {
  readonly tool?: ToolInfo;
  /** The snapshot file the result was computed from, relative to `artifactBase` (or absolute). */
  readonly artifactUri?: string;
  /**
   * The directory `artifactUri` is relative to, as an absolute `file:` URI ending in `/`
   * (the working directory): becomes `originalUriBaseIds[SRCROOT]`, so the artifact's
   * URI is relative to something a consumer can resolve.
   */
  readonly artifactBase?: string;
}

/** The base id of relative artifact URIs (the name GitHub code scanning and SARIF viewers know). */
export const SRCROOT = '%SRCROOT%';

export const DEFAULT_TOOL: ToolInfo = { name: 'nbjob-iam', version: '0.0.0', informationUri: 'https://www.npmjs.com/package/nbjob-iam' };

export interface CheckSarifLogicalLocation {
  name: string;
  fullyQualifiedName: string;
  kind: string;
}
export interface CheckSarifResult {
  ruleId: string;
  ruleIndex: number;
  level: 'error' | 'warning';
  message: { text: string };
  locations: Array<{
    physicalLocation?: { artifactLocation: { uri: string; uriBaseId?: string; index: number } };
    logicalLocations: CheckSarifLogicalLocation[];
  }>;
  partialFingerprints: Record<string, string>;
  properties: Record<string, unknown>;
}
export interface CheckSarifRule {
  id: string;
  name: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  defaultConfiguration: { level: 'error' | 'warning' };
  properties: { tags: string[] };
}
export interface CheckSarifLog {
  $schema: string;
  version: '2.1.0';
  runs: Array<{
    tool: { driver: { name: string; version: string; semanticVersion?: string; informationUri: string; rules: CheckSarifRule[] } };
    artifacts?: Array<{ location: { uri: string; uriBaseId?: string } }>;
    originalUriBaseIds?: Record<string, { uri: string }>;
    results: CheckSarifResult[];
    properties: Record<string, unknown>;
  }>;
}

function ruleName(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
}

function message(o: StepOutcome, result: CheckResult): string {
  const parts = [`${o.step.number} ${o.step.title}: ${callerLabel(o, result)} calls ${o.step.action} on ${o.step.resource}.`];
  parts.push(`${decisionText(o)}${o.decidedBy ? `, decided by the ${decidedByText(o)}` : ''}.`);
  const miss = nearestMissText(o);
  if (miss) parts.push(`Nearest miss: ${miss}.`);
  parts.push(o.status === 'fail' ? `Fails ${whenItFails(o.step.phase, result.variant)}.` : 'Optional step: notebook jobs still work.');
  if (o.dependsOn?.length) parts.push(`Depends on an open question: ${o.dependsOn.map((d) => `${d.option}=${d.value} gives ${d.decision}`).join('; ')}.`);
  if (o.fix) {
    const where = o.fix.target.kind === 'profile-tags' ? o.fix.summary : `add to the ${targetText(o.fix.target)}`;
    parts.push(`Fix (${OWNER_LABEL[o.fix.owner]}): ${where}: ${JSON.stringify(o.fix.statement ?? o.fix.tags ?? {})}`);
  }
  if (o.ownerChange) parts.push(`${o.fix ? 'Also' : 'Owner change'} (${OWNER_LABEL[o.ownerChange.owner]}): ${o.ownerChange.summary}.`);
  return parts.join(' ');
}

function logicalLocations(o: StepOutcome, result: CheckResult): CheckSarifLogicalLocation[] {
  const out: CheckSarifLogicalLocation[] = [];
  const by = o.decidedBy;
  if (by) {
    const statement = by.sid ?? (by.statementIndex !== undefined ? `Statement[${by.statementIndex}]` : undefined);
    out.push({ name: by.policy, fullyQualifiedName: `${result.setup.accountId}/${by.layer}/${by.policy}${statement ? `/${statement}` : ''}`, kind: 'resource' });
  }
  const role = o.step.caller === 'studio' ? result.setup.studioRoleArn : o.step.caller.startsWith('service:') ? o.step.resource : result.setup.jobRoleArn;
  out.push({ name: role.split('/').pop() ?? role, fullyQualifiedName: role, kind: 'resource' });
  const ref = profileRef(result.setup);
  out.push({ name: ref.name, fullyQualifiedName: `${result.setup.accountId}/${profileKey(result.setup)}`, kind: 'namespace' });
  return out;
}

/** The artifact of a run: a relative URI with its base, or an absolute `file:` URI. */
export interface SarifArtifact {
  readonly location: { uri: string; uriBaseId?: string };
  readonly originalUriBaseIds?: Record<string, { uri: string }>;
}

export function sarifArtifact(options: CheckSarifOptions): SarifArtifact | undefined {
  const file = options.artifactUri;
  if (file === undefined) return undefined;
  if (/^[A-Za-z]:[\\/]/.test(file) || file.startsWith('/')) return { location: { uri: `file://${fileToUri(file)}` } };
  const uri = fileToUri(file);
  if (options.artifactBase === undefined) return { location: { uri, uriBaseId: SRCROOT } };
  const base = options.artifactBase.endsWith('/') ? options.artifactBase : `${options.artifactBase}/`;
  return { location: { uri, uriBaseId: SRCROOT }, originalUriBaseIds: { [SRCROOT]: { uri: base } } };
}

/** Rules met so far in a run, in the order met (ruleIndex = position). */
export class SarifRules {
  readonly rules: CheckSarifRule[] = [];
  private readonly index = new Map<string, number>();

  indexOf(o: StepOutcome, variant: CheckResult['variant']): number {
    let i = this.index.get(o.step.id);
    if (i === undefined) {
      i = this.rules.length;
      this.index.set(o.step.id, i);
      this.rules.push({
        id: o.step.id,
        name: ruleName(o.step.id),
        shortDescription: { text: `${o.step.number} ${o.step.title}` },
        fullDescription: { text: `${o.step.why} Phase: ${phaseTitle(o.step.phase, variant)}.` },
        defaultConfiguration: { level: o.step.required ? 'error' : 'warning' },
        properties: { tags: ['notebook-jobs', 'iam', o.step.phase] },
      });
    }
    return i;
  }
}

/**
 * The results of one profile's check: one per failing or warning step. The fingerprint
 * names the account, the profile or space, the variant and the step, so the same failure
 * of two profiles are two results and a rerun matches each to itself.
 */
export function checkSarifResults(result: CheckResult, rules: SarifRules, artifact: SarifArtifact | undefined): CheckSarifResult[] {
  const results: CheckSarifResult[] = [];
  for (const o of result.steps) {
    if (o.status !== 'fail' && o.status !== 'warn') continue;
    results.push({
      ruleId: o.step.id,
      ruleIndex: rules.indexOf(o, result.variant),
      level: o.status === 'fail' ? 'error' : 'warning',
      message: { text: message(o, result) },
      locations: [{ ...(artifact ? { physicalLocation: { artifactLocation: { ...artifact.location, index: 0 } } } : {}), logicalLocations: logicalLocations(o, result) }],
      partialFingerprints: { 'nbjobIamStep/v2': `${result.setup.accountId}/${profileKey(result.setup)}/${result.variant}/${o.step.id}` },
      properties: {
        profile: profileRef(result.setup),
        phase: o.step.phase,
        timing: timingOf(o.step.phase),
        principal: o.principal,
        action: o.step.action,
        resource: o.step.resource,
        decision: o.decision,
        decidedBy: o.decidedBy ?? null,
        fix: o.fix ?? null,
        ownerChange: o.ownerChange ?? null,
        dependsOn: o.dependsOn ?? null,
      },
    });
  }
  return results;
}

export function sarifDriver(tool: ToolInfo, rules: readonly CheckSarifRule[]): CheckSarifLog['runs'][number]['tool'] {
  const semver = /^\d+\.\d+\.\d+(?:[-+].*)?$/.test(tool.version);
  return { driver: { name: tool.name, version: tool.version, ...(semver ? { semanticVersion: tool.version } : {}), informationUri: tool.informationUri, rules: [...rules] } };
}

export function checkResultToSarif(result: CheckResult, options: CheckSarifOptions = {}): CheckSarifLog {
  const tool = options.tool ?? DEFAULT_TOOL;
  const rules = new SarifRules();
  const artifact = sarifArtifact(options);
  const results = checkSarifResults(result, rules, artifact);
  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: sarifDriver(tool, rules.rules),
        ...(artifact ? { artifacts: [{ location: artifact.location }] } : {}),
        ...(artifact?.originalUriBaseIds ? { originalUriBaseIds: artifact.originalUriBaseIds } : {}),
        results,
        properties: { variant: result.variant, accountId: result.setup.accountId, region: result.setup.region, profile: profileRef(result.setup), summary: result.summary, fixes: result.fixes },
      },
    ],
  };
}

export function renderCheckSarif(result: CheckResult, options: CheckSarifOptions = {}): string {
  return JSON.stringify(checkResultToSarif(result, options), null, 2) + '\n';
}
