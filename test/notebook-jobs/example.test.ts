import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readSnapshotText } from '../../src/account/read-snapshot.js';
import { applyFixes, check } from '../../src/notebook-jobs/check.js';
import type { CheckResult } from '../../src/notebook-jobs/check.js';
import { engineEvaluator } from '../../src/notebook-jobs/evaluate.js';
import type { AccountSnapshot } from '../../src/account/snapshot.js';
import type { Variant } from '../../src/notebook-jobs/flow.js';

const text = readFileSync(new URL('../../examples/account.json', import.meta.url), 'utf8');
const example = readSnapshotText(text, 'examples/account.json').snapshot!;
const KEY = 'arn:aws:kms:us-east-1:111122223333:key/5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const selection = { jobRoleArn: 'arn:aws:iam::111122223333:role/NotebookJobRole', outputKmsKeyArn: KEY, volumeKmsKeyArn: KEY };

function run(snapshot: AccountSnapshot, variant: Variant): CheckResult {
  const out = check(snapshot, selection, { variant, evaluate: engineEvaluator() });
  if (!out.ok) throw new Error(out.message);
  return out.result;
}
const failing = (r: CheckResult): string[] => r.steps.filter((s) => s.status === 'fail').map((s) => s.step.id);

describe('check on the bundled example account (the five mistakes of issue 4)', () => {
  const r = run(example, 'schedule');

  it('the job role does not trust events.amazonaws.com: the schedule never starts a run', () => {
    const s = r.steps.find((o) => o.step.id === 'run.events-assume-job-role')!;
    expect(s).toMatchObject({ status: 'fail', decision: 'ImplicitDeny', principal: 'events.amazonaws.com' });
    expect(s.fix?.target).toEqual({ kind: 'trust-policy', roleArn: 'arn:aws:iam::111122223333:role/NotebookJobRole' });
    expect(s.fix?.statement).toMatchObject({ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sts:AssumeRole' });
  });

  it('iam:PassRole only to SageMaker: passing the job role to EventBridge fails at scheduling', () => {
    const s = r.steps.find((o) => o.step.id === 'schedule.pass-job-role-events')!;
    expect(s).toMatchObject({ status: 'fail', decision: 'ImplicitDeny' });
    expect(s.fix?.statement).toMatchObject({ Action: 'iam:PassRole', Condition: { StringEquals: { 'iam:PassedToService': 'events.amazonaws.com' } } });
    expect(s.fix?.statement?.Resource).toBe('arn:aws:iam::111122223333:role/NotebookJobRole');
  });

  it('the endpoint policy lacks sagemakerheadlessexecution-*: the runner cannot fetch its dependencies', () => {
    const steps = r.steps.filter((o) => o.step.id.startsWith('run.driver-'));
    expect(steps.map((s) => s.status)).toEqual(['fail', 'fail', 'fail']);
    expect(steps[0]!.decidedBy?.layer).toBe('vpcEndpoint');
    expect(steps[0]!.fix).toMatchObject({ owner: 'network', target: { kind: 'vpc-endpoint-policy', endpointId: 'vpce-0a1b2c3d4e5f60719' } });
  });

  it('the key policy forgets the job role: output encryption and the volume grant fail at run time', () => {
    for (const id of ['run.output-key-generate', 'run.volume-key-grant']) {
      const s = r.steps.find((o) => o.step.id === id)!;
      expect(s).toMatchObject({ status: 'fail', decidedBy: { layer: 'resource' } });
      expect(s.fix).toMatchObject({ owner: 'key-owner', target: { kind: 'key-policy', keyArn: KEY }, statement: { Principal: { AWS: 'arn:aws:iam::111122223333:role/NotebookJobRole' } } });
    }
  });

  it('an SCP requires a cost-center tag the job does not carry: every run fails, scheduling succeeds', () => {
    const s = r.steps.find((o) => o.step.id === 'run.create-training-job')!;
    expect(s).toMatchObject({ status: 'fail', decision: 'ExplicitDeny', decidedBy: { layer: 'scp', sid: 'DenyUntaggedTraining' } });
    expect(s.decidedBy?.policy).toMatch(/RequireCostCenterOnTraining/);
    expect(s.fix).toMatchObject({ target: { kind: 'profile-tags', userProfileName: 'alice' }, tags: { 'cost-center': 'REPLACE-ME' } });
    expect(r.summary.failuresAtRunTime).toBe(9);
  });

  it("P2's aws:ResourceTag condition does not cover creating the rule (open question §6.1, both answers shown)", () => {
    const s = r.steps.find((o) => o.step.id === 'schedule.put-rule')!;
    expect(s.status).toBe('fail');
    expect(s.dependsOn).toEqual([
      { option: 'createTimeResourceTags', value: 'absent', decision: 'ImplicitDeny' },
      { option: 'createTimeResourceTags', value: 'fromRequestTags', decision: 'Allow' },
    ]);
    expect(s.fix?.statement?.Condition).toEqual({ StringEquals: { 'aws:RequestTag/sagemaker:is-scheduling-notebook-job': 'true' } });
  });

  it('lists exactly the expected failures', () => {
    expect(failing(r).sort()).toEqual(
      [
        'schedule.put-rule',
        'schedule.tag-rule',
        'schedule.pass-job-role-events',
        'run.events-assume-job-role',
        'run.create-training-job',
        'run.volume-key-grant',
        'run.driver-get-bucket-location',
        'run.driver-list-bucket',
        'run.driver-get-object',
        'run.output-key-generate',
        // The reference page (which the example follows) has no sagemaker:UpdatePipeline or
        // sagemaker:ListPipelineExecutions: editing or deleting a job definition fails.
        'manage.update-pipeline',
        'manage.list-pipeline-executions',
        // OutputDataConfig.KmsKeyId: kms:Encrypt, and kms:Decrypt for multipart uploads, on the same key.
        'run.output-key-encrypt',
        'run.output-key-decrypt-multipart',
      ].sort(),
    );
    expect(r.summary.ok).toBe(false);
  });

  for (const variant of ['schedule', 'run-now'] as const) {
    it(`every suggested fix applied, the ${variant} flow passes`, () => {
      const before = run(example, variant);
      expect(before.fixes.length).toBeGreaterThan(0);
      const after = run(applyFixes(example, before.fixes), variant);
      expect(failing(after)).toEqual([]);
      expect(after.summary.ok).toBe(true);
      // Fixing the required steps does not make the optional ones worse.
      expect(after.summary.warn).toBeLessThanOrEqual(before.summary.warn);
    });
  }

  it('a fix never replaces a trust policy: the SageMaker statement stays', () => {
    const fixed = applyFixes(example, r.fixes);
    const trust = fixed.roles.find((x) => x.name === 'NotebookJobRole')!.trustPolicy as { Statement: { Principal: { Service: string } }[] };
    expect(trust.Statement.map((s) => s.Principal.Service)).toEqual(['sagemaker.amazonaws.com', 'events.amazonaws.com']);
  });
});
