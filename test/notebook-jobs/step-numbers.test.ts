/**
 * A step number names one step: unique in every flow, and the same for a step id in
 * every variant, setup and option (so a report's "#36c" means the same thing everywhere).
 */
import { describe, expect, it } from 'vitest';
import { buildFlow } from '../../src/notebook-jobs/flow.js';
import type { FlowOptions, FlowSetup, Variant } from '../../src/notebook-jobs/flow.js';
import { SUB_NUMBERS } from '../../src/notebook-jobs/step-numbers.js';

const BASE: FlowSetup = {
  accountId: '111122223333',
  region: 'us-east-1',
  studioRoleArn: 'arn:aws:iam::111122223333:role/Studio',
  jobRoleArn: 'arn:aws:iam::111122223333:role/Job',
  domainId: 'd-abc',
  userProfileName: 'alice',
  vpcOnly: false,
  inputBucket: 'in',
  outputBucket: 'out',
  profileTags: {},
  imageAccountId: '885854791233',
  imageRepository: 'sagemaker-distribution-prod',
  jobName: 'job-1',
  definitionId: 'def-1',
};
const KEY = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const SETUPS: FlowSetup[] = [
  BASE,
  { ...BASE, vpcOnly: true, s3VpcEndpointId: 'vpce-1', vpcId: 'vpc-1' },
  { ...BASE, outputKmsKeyArn: KEY, volumeKmsKeyArn: KEY },
  { ...BASE, vpcOnly: true, s3VpcEndpointId: 'vpce-1', outputKmsKeyArn: KEY, volumeKmsKeyArn: `${KEY}2`, inputBucket: 'out' },
  { ...BASE, userProfileName: undefined, spaceName: 'shared' },
  { ...BASE, jobRoleArn: BASE.studioRoleArn },
];
const OPTIONS: FlowOptions[] = [
  { createTimeResourceTags: 'absent', kmsValidationAtSubmit: false },
  { createTimeResourceTags: 'fromRequestTags', kmsValidationAtSubmit: true },
];
const VARIANTS: Variant[] = ['schedule', 'run-now', 'local'];

describe('step numbers', () => {
  const flows = VARIANTS.flatMap((v) => SETUPS.flatMap((s) => OPTIONS.map((o) => ({ v, steps: buildFlow(s, v, o) }))));

  it('are unique in every flow (a row with several requests lists them in SUB_NUMBERS)', () => {
    const missing = new Set<string>();
    for (const { steps } of flows) {
      const count = new Map<string, number>();
      for (const s of steps) count.set(s.number, (count.get(s.number) ?? 0) + 1);
      for (const s of steps) if ((count.get(s.number) ?? 0) > 1) missing.add(`${s.id} (${s.number})`);
    }
    expect([...missing], 'add these ids to src/notebook-jobs/step-numbers.ts').toEqual([]);
  });

  it('are the same for a step id everywhere, and keep the row of the flow table', () => {
    const byId = new Map<string, Set<string>>();
    for (const { steps } of flows) for (const s of steps) byId.set(s.id, (byId.get(s.id) ?? new Set()).add(s.number));
    expect([...byId].filter(([, n]) => n.size > 1)).toEqual([]);
    expect(byId.get('run.create-log-group')).toEqual(new Set(['#36a']));
    expect(byId.get('run.put-log-events')).toEqual(new Set(['#36d']));
    expect(byId.get('run.put-output')).toEqual(new Set(['#39a']));
    for (const [id, n] of Object.entries(SUB_NUMBERS)) expect(n, id).toMatch(/^#\d+[a-z]$/);
    expect(new Set(Object.values(SUB_NUMBERS)).size).toBe(Object.keys(SUB_NUMBERS).length);
  });

  it('ids are unique in every flow', () => {
    for (const { steps } of flows) expect(new Set(steps.map((s) => s.id)).size).toBe(steps.length);
  });
});
