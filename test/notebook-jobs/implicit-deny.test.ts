/**
 * check names an implicit deny as AWS decides it: no statement of the role's policies
 * allows the request (all of them listed by name), and the nearest miss, never the role's
 * first policy as if it had decided ("Policy evaluation logic"; "Troubleshooting IAM
 * permissions"). On the bundled example: the Studio role may pass the job role only to
 * SageMaker, so passing it to EventBridge misses on the iam:PassedToService condition.
 */
import { describe, expect, it } from 'vitest';
import type { AccountSnapshot, NamedPolicy } from '../../src/account/snapshot.js';
import type { CheckResult } from '../../src/notebook-jobs/check.js';
import { renderCheckJson } from '../../src/report/check/json.js';
import { renderCheckMarkdown } from '../../src/report/check/markdown.js';
import { renderCheckText } from '../../src/report/check/text.js';
import { checkExample, exampleSnapshot } from '../report/check/fixture.js';

const example = exampleSnapshot();

function run(snapshot: AccountSnapshot): CheckResult {
  return checkExample('schedule', snapshot);
}

/** The example with a second, unrelated inline policy on the Studio role, listed first. */
function withFirstPolicy(): AccountSnapshot {
  const extra: NamedPolicy = { name: 'ReadLogs', document: { Version: '2012-10-17', Statement: [{ Sid: 'Logs', Effect: 'Allow', Action: 'logs:Get*', Resource: '*' }] } } as NamedPolicy;
  return { ...example, roles: example.roles.map((r) => (r.name === 'StudioExecutionRole' ? { ...r, inlinePolicies: [extra, ...r.inlinePolicies] } : r)) };
}

describe('check: an implicit deny lists the role\'s policies and the nearest miss', () => {
  const r = run(withFirstPolicy());
  const s = r.steps.find((o) => o.step.id === 'schedule.pass-job-role-events')!;

  it('does not name the first policy as the deciding one', () => {
    expect(s.decision).toBe('ImplicitDeny');
    expect(s.decidedBy?.noAllowIn).toEqual(['ReadLogs (inline policy of role StudioExecutionRole)', 'NotebookJobsStudio (inline policy of role StudioExecutionRole)']);
    expect(s.decidedBy?.policy).not.toBe('ReadLogs (inline policy of role StudioExecutionRole)');
    expect(s.decidedBy?.sid).toBeUndefined();
  });

  it('shows the nearest miss: policy, Sid, line and the condition that did not hold', () => {
    const m = s.decidedBy?.nearestMiss;
    expect(m).toMatchObject({ policy: 'NotebookJobsStudio (inline policy of role StudioExecutionRole)', sid: 'PassJobRole' });
    expect(m?.line).toBeGreaterThan(1);
    expect(m?.misses).toEqual(['condition StringEquals iam:PassedToService "sagemaker.amazonaws.com" is false (request value "events.amazonaws.com")']);
  });

  it('every format says it', () => {
    const txt = renderCheckText(r, { color: false, width: 300 });
    expect(txt).toContain('no statement of ReadLogs (inline policy of role StudioExecutionRole), NotebookJobsStudio (inline policy of role StudioExecutionRole) allows it');
    expect(txt).toMatch(/near miss +NotebookJobsStudio \(inline policy of role StudioExecutionRole\), statement PassJobRole, line \d+: condition StringEquals iam:PassedToService/);
    expect(renderCheckMarkdown(r)).toContain('**Nearest miss:** `NotebookJobsStudio (inline policy of role StudioExecutionRole)`, statement `PassJobRole`');
    const json = JSON.parse(renderCheckJson(r)) as { steps: { id: string; decidedBy: { noAllowIn: string[] | null; nearestMiss: { sid: string } | null } | null }[] };
    const js = json.steps.find((x) => x.id === 'schedule.pass-job-role-events')!;
    expect(js.decidedBy?.noAllowIn).toHaveLength(2);
    expect(js.decidedBy?.nearestMiss?.sid).toBe('PassJobRole');
  });

  it('the owner change does not blame one policy either', () => {
    if (s.ownerChange) expect(s.ownerChange.summary).toMatch(/^no statement of /);
    const explicit = r.steps.find((o) => o.step.id === 'run.create-training-job')!;
    expect(explicit.decidedBy?.noAllowIn).toBeUndefined();
    expect(explicit.decidedBy?.nearestMiss).toBeUndefined();
  });
});
