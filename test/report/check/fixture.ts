/** The bundled example account checked, as the CLI would (test helper). */
import { readFileSync } from 'node:fs';
import { readSnapshotText } from '../../../src/account/read-snapshot.js';
import type { AccountSnapshot } from '../../../src/account/snapshot.js';
import { check } from '../../../src/notebook-jobs/check.js';
import type { CheckResult } from '../../../src/notebook-jobs/check.js';
import { engineEvaluator } from '../../../src/notebook-jobs/evaluate.js';
import type { Variant } from '../../../src/notebook-jobs/flow.js';

export const KEY = 'arn:aws:kms:us-east-1:111122223333:key/5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
export const JOB_ROLE = 'arn:aws:iam::111122223333:role/NotebookJobRole';

export function exampleSnapshot(): AccountSnapshot {
  const text = readFileSync(new URL('../../../examples/account.json', import.meta.url), 'utf8');
  const snapshot = readSnapshotText(text, 'examples/account.json').snapshot;
  if (!snapshot) throw new Error('examples/account.json does not read');
  return snapshot;
}

export function checkExample(variant: Variant = 'schedule', snapshot: AccountSnapshot = exampleSnapshot()): CheckResult {
  const out = check(snapshot, { jobRoleArn: JOB_ROLE, outputKmsKeyArn: KEY, volumeKmsKeyArn: KEY }, { variant, evaluate: engineEvaluator() });
  if (!out.ok) throw new Error(out.message);
  return out.result;
}

export const RUN_FAILURES = [
  'run.events-assume-job-role',
  'run.create-training-job',
  'run.volume-key-grant',
  'run.driver-get-bucket-location',
  'run.driver-list-bucket',
  'run.driver-get-object',
  'run.output-key-generate',
];
export const SCHEDULE_FAILURES = ['schedule.put-rule', 'schedule.tag-rule', 'schedule.pass-job-role-events'];

/** A policy name no report may render as markup. */
export const EVIL = '<script>alert("x")</script> | `` ``` & <img src=x onerror=alert(1)>';

/**
 * The example with every status present: a conditional pass, an undecided step, an
 * owner-only change and an untrusted policy name, so renderers meet each case.
 */
export function variedExample(): CheckResult {
  const r = checkExample('schedule');
  const steps = r.steps.map((o) => {
    switch (o.step.id) {
      case 'manage.search':
        return { ...o, status: 'conditional' as const, allowWhen: 'aws:SourceIp is in 10.0.0.0/8' };
      case 'manage.delete-pipeline':
        return { ...o, status: 'undecided' as const, decision: 'Undecided' as const, decidedBy: undefined, missing: ['the SCPs of OU ml-workloads'] };
      case 'run.create-training-job':
        return {
          ...o,
          decidedBy: { layer: 'scp', policy: EVIL, sid: 'Deny"Sid\'<b>', statementIndex: 0 },
          fix: undefined,
          ownerChange: { owner: 'organization' as const, summary: `${EVIL} denies sagemaker:CreateTrainingJob: its owner must exempt this request` },
        };
      default:
        return o;
    }
  });
  const count = (s: string): number => steps.filter((o) => o.status === s).length;
  return {
    ...r,
    steps,
    notes: [...r.notes, `not read: ${EVIL}`],
    fixes: r.fixes.filter((f) => f.target.kind !== 'profile-tags'),
    summary: { ...r.summary, pass: count('pass'), conditional: count('conditional'), undecided: count('undecided') },
  };
}
