/**
 * A policy that `validate` calls an error is never evaluated by `check`: every step it
 * takes part in is undecided, naming the policy, where it is attached, and the line and
 * column of the error; never a pass. Before, the reader kept what it could read and the
 * engine dropped the rest, so an SCP Deny with a typo in a condition value or a look-alike
 * letter in its action silently dropped and the step passed. Sources: "Grammar of the IAM
 * JSON policy language", "IAM JSON policy elements: Condition operators" (Bool, Numeric and
 * Null values), "Service control policies (SCPs)".
 */
import { describe, expect, it } from 'vitest';
import type { AccountSnapshot, NamedPolicy } from '../../src/account/snapshot.js';
import { applyFixes } from '../../src/notebook-jobs/check.js';
import type { CheckResult } from '../../src/notebook-jobs/check.js';
import { renderCheckJson } from '../../src/report/check/json.js';
import { renderCheckText } from '../../src/report/check/text.js';
import { checkExample, exampleSnapshot } from '../report/check/fixture.js';

const example = exampleSnapshot();

function run(snapshot: AccountSnapshot): CheckResult {
  return checkExample('schedule', snapshot);
}

/** The example with every proven fix applied: every required step passes. */
const fixed = applyFixes(example, run(example).fixes);

/** `fixed` with one more SCP attached to the OU (the second level of the path). */
function withScp(statement: Record<string, unknown>): AccountSnapshot {
  const org = fixed.organization!;
  const scp: NamedPolicy = { name: 'DenyTrainingOutsideBusinessHours', document: { Version: '2012-10-17', Statement: [statement] } } as NamedPolicy;
  const path = org.path.map((l, i) => (i === 1 ? { ...l, scps: [...l.scps, scp] } : l));
  return { ...fixed, organization: { ...org, path } };
}

const DENY = { Sid: 'DenyTraining', Effect: 'Deny', Resource: '*' };
const BAD: ReadonlyArray<readonly [string, Record<string, unknown>, string]> = [
  ['a Null value "tru"', { ...DENY, Action: 'sagemaker:CreateTrainingJob', Condition: { Null: { 'aws:RequestTag/cost-center': 'tru' } } }, 'null-operator-value'],
  ['a Bool value "flase"', { ...DENY, Action: 'sagemaker:CreateTrainingJob', Condition: { Bool: { 'aws:SecureTransport': 'flase' } } }, 'invalid-bool-value'],
  ['a Numeric value "1O0" (letter O)', { ...DENY, Action: 'sagemaker:CreateTrainingJob', Condition: { NumericLessThan: { 'aws:MultiFactorAuthAge': '1O0' } } }, 'invalid-numeric-value'],
  ['a Cyrillic о in the action', { ...DENY, Action: 'sagemaker:CreateTrainingJ\u043eb' }, 'unknown-action'],
  ['a zero-width space in the action', { ...DENY, Action: 'sagemaker:CreateTraining\u200bJob' }, 'unknown-action'],
];

describe('check: an invalid SCP makes the steps it takes part in undecided, never a pass', () => {
  it('the fixed example passes every required step (the baseline)', () => {
    const r = run(fixed);
    expect(r.summary.ok).toBe(true);
    expect(r.steps.find((o) => o.step.id === 'run.create-training-job')?.status).toBe('pass');
  });

  for (const [what, statement, code] of BAD) {
    it(`an SCP Deny with ${what}: run.create-training-job is undecided, naming the SCP, its OU, line and column`, () => {
      const r = run(withScp(statement));
      const s = r.steps.find((o) => o.step.id === 'run.create-training-job')!;
      expect(s.status).toBe('undecided');
      expect(s.decision).toBe('Undecided');
      expect(s.invalidPolicy).toMatchObject({ layer: 'scp', code });
      expect(s.invalidPolicy?.policy).toMatch(/^SCP DenyTrainingOutsideBusinessHours \(attached to OU /);
      // Line and column in the document as JSON with two-space indentation.
      expect(s.invalidPolicy?.line).toBeGreaterThan(1);
      expect(s.invalidPolicy?.column).toBeGreaterThan(1);
      expect(s.missing?.[0]).toContain(`line ${s.invalidPolicy?.line}, column ${s.invalidPolicy?.column}`);
      // No step that the SCP governs passes; the verdict is not "will work".
      for (const o of r.steps) if (o.principal.includes(':assumed-role/')) expect(o.status, o.step.id).toBe('undecided');
      expect(r.summary.ok).toBe(false);
      expect(r.fixes).toEqual([]);
      const txt = renderCheckText(r, { color: false, width: 200 });
      expect(txt).toContain('DenyTrainingOutsideBusinessHours');
      expect(txt).not.toMatch(/Notebook jobs will work/);
      const json = JSON.parse(renderCheckJson(r)) as { ok: boolean; steps: { id: string; status: string; missing: string[] | null }[] };
      expect(json.ok).toBe(false);
      expect(json.steps.find((x) => x.id === 'run.create-training-job')?.missing?.[0]).toContain('DenyTrainingOutsideBusinessHours');
    });
  }

  it('the line and column point at the bad value in the document as printed', () => {
    const r = run(withScp(BAD[0]![1]));
    const ref = r.steps.find((o) => o.step.id === 'run.create-training-job')!.invalidPolicy!;
    const printed = JSON.stringify({ Version: '2012-10-17', Statement: [BAD[0]![1]] }, null, 2).split('\n');
    expect(printed[ref.line - 1]?.slice(ref.column - 1)).toMatch(/^"tru"|^"aws:RequestTag|^\{/);
  });

  it('an invalid identity policy of the job role: its steps are undecided, naming the role policy', () => {
    const role = fixed.roles.find((x) => x.name === 'NotebookJobRole')!;
    const bad: NamedPolicy = { name: 'Typo', document: { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 's3:GetObjеct', Resource: '*' }] } } as NamedPolicy;
    const snapshot: AccountSnapshot = { ...fixed, roles: fixed.roles.map((x) => (x === role ? { ...x, inlinePolicies: [...x.inlinePolicies, bad] } : x)) };
    const r = run(snapshot);
    const s = r.steps.find((o) => o.step.id === 'run.get-input')!;
    expect(s.status).toBe('undecided');
    expect(s.invalidPolicy?.policy).toBe('Typo (inline policy of role NotebookJobRole)');
    // Steps of the Studio role do not involve the job role's policies.
    expect(r.steps.find((o) => o.step.id === 'submit.upload-input')?.status).toBe('pass');
  });
});

/**
 * An Action entry naming a service or action AWS does not have, in plain ASCII, is stored by
 * AWS and never matches a request of another action ("Troubleshoot IAM policies": policy
 * summaries list unrecognized services and actions). The engine compares action text, so the
 * decision is AWS's own: such an SCP leaves no step undecided (an organization whose SCPs still
 * name retired services, e.g. `deepracer:*`, gets an answer), and its other entries still count.
 */
describe('check: an SCP naming a service or action AWS does not have is evaluated as written', () => {
  const DECIDED: ReadonlyArray<readonly [string, Record<string, unknown>]> = [
    ['an unknown service (deepracer:*)', { ...DENY, Action: 'deepracer:*' }],
    ['an ASCII typo in the action (CreateTrainingJb)', { ...DENY, Action: 'sagemaker:CreateTrainingJb' }],
    ['an unknown service in NotAction of an Allow-list SCP', { Sid: 'AllowAll', Effect: 'Allow', NotAction: 'sumerian:*', Resource: '*' }],
  ];
  for (const [what, statement] of DECIDED) {
    it(`${what}: every required step still passes, none undecided`, () => {
      const r = run(withScp(statement));
      expect(r.steps.filter((o) => o.status === 'undecided').map((o) => o.step.id)).toEqual([]);
      expect(r.steps.find((o) => o.step.id === 'run.create-training-job')?.status).toBe('pass');
      expect(r.summary.ok).toBe(true);
    });
  }

  it('an unknown service beside a real action: the Deny still applies to the real one', () => {
    const r = run(withScp({ ...DENY, Action: ['deepracer:*', 'sagemaker:CreateTrainingJob'] }));
    const s = r.steps.find((o) => o.step.id === 'run.create-training-job')!;
    expect(s.status).toBe('fail');
    expect(s.decision).toBe('ExplicitDeny');
    expect(s.invalidPolicy).toBeUndefined();
  });

  it('a look-alike letter next to an unknown service still leaves the steps undecided', () => {
    const r = run(withScp({ ...DENY, Action: ['deepracer:*', 'sagemaker:CreateTrainingJ\u043eb'] }));
    const s = r.steps.find((o) => o.step.id === 'run.create-training-job')!;
    expect(s.status).toBe('undecided');
    expect(s.invalidPolicy).toMatchObject({ layer: 'scp', code: 'unknown-action' });
  });
});
