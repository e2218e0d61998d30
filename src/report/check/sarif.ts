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
import { callerLabel, decidedByText, decisionText, OWNER_LABEL, phaseTitle, targetText, timingOf, whenItFails } from './model.js';

export interface CheckSarifOptions {
  readonly tool?: ToolInfo;
  /** The snapshot file the result was computed from, relative to the working directory. */
  readonly artifactUri?: string;
}

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
    physicalLocation?: { artifactLocation: { uri: string; index: number } };
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
    artifacts?: Array<{ location: { uri: string } }>;
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
  return out;
}

export function checkResultToSarif(result: CheckResult, options: CheckSarifOptions = {}): CheckSarifLog {
  const tool = options.tool ?? DEFAULT_TOOL;
  const rules: CheckSarifRule[] = [];
  const ruleIndex = new Map<string, number>();
  const uri = options.artifactUri !== undefined ? fileToUri(options.artifactUri) : undefined;
  const results: CheckSarifResult[] = [];
  for (const o of result.steps) {
    if (o.status !== 'fail' && o.status !== 'warn') continue;
    const level = o.status === 'fail' ? 'error' : 'warning';
    let index = ruleIndex.get(o.step.id);
    if (index === undefined) {
      index = rules.length;
      ruleIndex.set(o.step.id, index);
      rules.push({
        id: o.step.id,
        name: ruleName(o.step.id),
        shortDescription: { text: `${o.step.number} ${o.step.title}` },
        fullDescription: { text: `${o.step.why} Phase: ${phaseTitle(o.step.phase, result.variant)}.` },
        defaultConfiguration: { level: o.step.required ? 'error' : 'warning' },
        properties: { tags: ['notebook-jobs', 'iam', o.step.phase] },
      });
    }
    results.push({
      ruleId: o.step.id,
      ruleIndex: index,
      level,
      message: { text: message(o, result) },
      locations: [{ ...(uri !== undefined ? { physicalLocation: { artifactLocation: { uri, index: 0 } } } : {}), logicalLocations: logicalLocations(o, result) }],
      partialFingerprints: { 'nbjobIamStep/v1': `${result.setup.accountId}/${result.setup.domainId}/${result.variant}/${o.step.id}` },
      properties: {
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
  const semver = /^\d+\.\d+\.\d+(?:[-+].*)?$/.test(tool.version);
  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: tool.name, version: tool.version, ...(semver ? { semanticVersion: tool.version } : {}), informationUri: tool.informationUri, rules } },
        ...(uri !== undefined ? { artifacts: [{ location: { uri } }] } : {}),
        results,
        properties: { variant: result.variant, accountId: result.setup.accountId, region: result.setup.region, summary: result.summary, fixes: result.fixes },
      },
    ],
  };
}

export function renderCheckSarif(result: CheckResult, options: CheckSarifOptions = {}): string {
  return JSON.stringify(checkResultToSarif(result, options), null, 2) + '\n';
}
