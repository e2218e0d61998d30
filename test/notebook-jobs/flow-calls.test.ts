/**
 * The calls real notebook jobs make that the flow used to miss (the AWS page "Set up
 * policies and permissions for Studio" and the JupyterLab scheduler extension's own AWS
 * client: DescribeSecurityGroups, the custom image, the lifecycle config, the rollback of a
 * failed submit, kms:DescribeKey at submit, DescribeApp, ListDomains, the calls that edit
 * and delete job definitions, iam:ListRoles for the role picker, the tags of a space and its
 * owner). Each: its resource ARN, context keys, phase, severity and evidence label; and
 * `check` decides it on an account.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readSnapshotText } from '../../src/account/read-snapshot.js';
import type { AccountSnapshot, PolicyJson } from '../../src/account/snapshot.js';
import { check } from '../../src/notebook-jobs/check.js';
import type { CheckResult } from '../../src/notebook-jobs/check.js';
import { engineEvaluator } from '../../src/notebook-jobs/evaluate.js';
import { buildFlow, DEFAULT_FLOW_OPTIONS } from '../../src/notebook-jobs/flow.js';
import type { FlowSetup, FlowStep, Variant } from '../../src/notebook-jobs/flow.js';
import { generatePolicies, proveGenerated } from '../../src/notebook-jobs/generate.js';
import type { Selection } from '../../src/notebook-jobs/setup.js';

const A = '111122223333';
const KEY = `arn:aws:kms:us-east-1:${A}:key/5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d`;
const VOL = `arn:aws:kms:us-east-1:${A}:key/0f0e0d0c-0b0a-4909-8807-060504030201`;
const SETUP: FlowSetup = {
  accountId: A,
  region: 'us-east-1',
  partition: 'aws',
  studioRoleArn: `arn:aws:iam::${A}:role/service-role/StudioExecutionRole`,
  jobRoleArn: `arn:aws:iam::${A}:role/NotebookJobRole`,
  domainId: 'd-exampledomain1',
  userProfileName: 'alice',
  vpcOnly: true,
  s3VpcEndpointId: 'vpce-0a1b2c3d4e5f60719',
  inputBucket: `sagemaker-automated-execution-${A}-us-east-1`,
  outputBucket: `sagemaker-automated-execution-${A}-us-east-1`,
  profileTags: { team: 'data-science' },
  imageAccountId: '542918446943',
  imageRepository: 'sagemaker-distribution-prod',
  jobName: 'nightly-report-notebook-1a2b3c4d-2026-11-01-09-00-00',
  definitionId: 'nightly-report-notebook-5e6f7a8b',
};
const SM = `arn:aws:sagemaker:us-east-1:${A}`;
const PIPELINE = `${SM}:pipeline/nightly-report-notebook-5e6f7a8b`;
const RULE = `arn:aws:events:us-east-1:${A}:rule/nightly-report-notebook-5e6f7a8b`;
const NOTEBOOK_JOB_TAG = { 'aws:ResourceTag/sagemaker:is-scheduling-notebook-job': 'true' };

function step(steps: readonly FlowStep[], id: string): FlowStep {
  const s = steps.find((x) => x.id === id);
  if (!s) throw new Error(`no step ${id} in ${steps.map((x) => x.id).join(', ')}`);
  return s;
}
const ids = (steps: readonly FlowStep[]): string[] => steps.map((s) => s.id);

describe('the form (#2, #3, #6)', () => {
  const flow = buildFlow(SETUP, 'run-now');

  it('ec2:DescribeSecurityGroups when no security group is configured: required in a VpcOnly domain, as the subnets', () => {
    expect(step(flow, 'form.describe-security-groups')).toMatchObject({ phase: 'form', caller: 'studio', action: 'ec2:DescribeSecurityGroups', resource: '*', number: '#3c', evidence: 'code', required: true, coveredBy: ['P7'] });
    expect(step(buildFlow({ ...SETUP, vpcOnly: false }, 'run-now'), 'form.describe-security-groups').required).toBe(false);
    // Configured on the domain or profile: the form does not list the VPC's groups.
    expect(ids(buildFlow({ ...SETUP, configuredSecurityGroupIds: ['sg-0a1b2c3d4e5f60003'] }, 'run-now'))).not.toContain('form.describe-security-groups');
  });

  it('sagemaker:DescribeApp on the app ARN of the space (or, without one, the profile): a warning', () => {
    expect(step(flow, 'form.describe-app')).toMatchObject({ action: 'sagemaker:DescribeApp', resource: `${SM}:app/d-exampledomain1/alice/jupyterserver/default`, required: false, evidence: 'code', coveredBy: ['P7'] });
    const space = buildFlow({ ...SETUP, userProfileName: undefined, spaceName: 'shared-analytics' }, 'run-now');
    expect(step(space, 'form.describe-app').resource).toBe(`${SM}:app/d-exampledomain1/shared-analytics/jupyterlab/default`);
  });

  it('sagemaker:ListDomains on *: not in the reference page, a warning', () => {
    expect(step(flow, 'form.list-domains')).toMatchObject({ action: 'sagemaker:ListDomains', resource: '*', context: { 'aws:RequestedRegion': 'us-east-1' }, required: false, coveredBy: ['none'] });
  });

  it('iam:ListRoles for the role picker in every variant, global (us-east-1), a warning', () => {
    for (const variant of ['run-now', 'schedule', 'local'] as const) {
      expect(step(buildFlow(SETUP, variant), 'form.list-roles')).toMatchObject({ action: 'iam:ListRoles', resource: '*', context: { 'aws:RequestedRegion': 'us-east-1' }, required: false });
    }
  });

  it("a space with its owner's profile: DescribeUserProfile and ListTags on the profile too (#2, #12), the space's own calls on the space ARN", () => {
    const owned = buildFlow({ ...SETUP, spaceName: 'alice-private' }, 'run-now');
    expect(step(owned, 'form.describe-profile')).toMatchObject({ action: 'sagemaker:DescribeSpace', resource: `${SM}:space/d-exampledomain1/alice-private` });
    expect(step(owned, 'submit.list-profile-tags')).toMatchObject({ action: 'sagemaker:ListTags', resource: `${SM}:space/d-exampledomain1/alice-private` });
    expect(step(owned, 'form.describe-owner-profile')).toMatchObject({ action: 'sagemaker:DescribeUserProfile', resource: `${SM}:user-profile/d-exampledomain1/alice` });
    expect(step(owned, 'submit.list-owner-profile-tags')).toMatchObject({ action: 'sagemaker:ListTags', resource: `${SM}:user-profile/d-exampledomain1/alice`, phase: 'submit', required: true, coveredBy: ['P5'] });
    expect(ids(flow)).not.toContain('submit.list-owner-profile-tags');
  });
});

describe('submitting (#7, #11, #13, #17)', () => {
  it('a custom image: DescribeImage, DescribeImageVersion, DescribeAppImageConfig on their ARNs, required', () => {
    const flow = buildFlow({ ...SETUP, customImage: { imageName: 'custom-notebook', appImageConfigName: 'custom-notebook-kernel', version: 3 } }, 'schedule');
    expect(step(flow, 'submit.describe-image')).toMatchObject({ action: 'sagemaker:DescribeImage', resource: `${SM}:image/custom-notebook`, number: '#7', required: true, coveredBy: ['none'] });
    expect(step(flow, 'submit.describe-image-version')).toMatchObject({ action: 'sagemaker:DescribeImageVersion', resource: `${SM}:image-version/custom-notebook/3`, required: true, coveredBy: ['P7'] });
    expect(step(flow, 'submit.describe-app-image-config')).toMatchObject({ action: 'sagemaker:DescribeAppImageConfig', resource: `${SM}:app-image-config/custom-notebook-kernel`, required: true });
    expect(ids(buildFlow(SETUP, 'schedule')).filter((i) => /describe-(image|app-image)/.test(i))).toEqual([]);
  });

  it('a lifecycle config: DescribeStudioLifecycleConfig on its ARN, required (its script is staged with the notebook)', () => {
    const flow = buildFlow({ ...SETUP, lifecycleConfigName: 'install-team-packages' }, 'run-now');
    expect(step(flow, 'submit.describe-lifecycle-config')).toMatchObject({ action: 'sagemaker:DescribeStudioLifecycleConfig', resource: `${SM}:studio-lifecycle-config/install-team-packages`, number: '#11', phase: 'submit', required: true });
    expect(ids(buildFlow(SETUP, 'run-now'))).not.toContain('submit.describe-lifecycle-config');
  });

  it('rollback: s3:DeleteObject of the staged input (through the endpoint in VpcOnly), a warning: it leaves debris, it fails no job', () => {
    const s = step(buildFlow(SETUP, 'run-now'), 'submit.rollback-delete-input');
    expect(s).toMatchObject({ action: 's3:DeleteObject', number: '#13a', phase: 'submit', required: false, viaVpcEndpoint: 'vpce-0a1b2c3d4e5f60719', context: { 'aws:SourceVpce': 'vpce-0a1b2c3d4e5f60719' } });
    expect(s.resource).toBe(`arn:aws:s3:::${SETUP.inputBucket}/nightly-report-notebook-1a2b3c4d-2026-11-01-09-00-00/input/notebook.ipynb`);
  });

  it('rollback of a schedule: DeletePipeline and events:DeleteRule on the tagged pipeline and rule, warnings', () => {
    const flow = buildFlow(SETUP, 'schedule');
    expect(step(flow, 'schedule.rollback-delete-pipeline')).toMatchObject({ action: 'sagemaker:DeletePipeline', resource: PIPELINE, phase: 'schedule', required: false, context: NOTEBOOK_JOB_TAG });
    expect(step(flow, 'schedule.rollback-delete-rule')).toMatchObject({ action: 'events:DeleteRule', resource: RULE, phase: 'schedule', required: false, context: NOTEBOOK_JOB_TAG, coveredBy: ['P2'] });
    expect(ids(buildFlow(SETUP, 'run-now')).filter((i) => i.startsWith('schedule.'))).toEqual([]);
  });

  it('kms:DescribeKey at submit only with the option kmsValidationAtSubmit: on each key, through SageMaker, decided by the key policy', () => {
    const keys = { ...SETUP, outputKmsKeyArn: KEY, volumeKmsKeyArn: VOL };
    expect(ids(buildFlow(keys, 'run-now')).filter((i) => i.startsWith('submit.describe-') && i.endsWith('-key'))).toEqual([]);
    const on = buildFlow(keys, 'run-now', { ...DEFAULT_FLOW_OPTIONS, kmsValidationAtSubmit: true });
    for (const [id, key] of [
      ['submit.describe-output-key', KEY],
      ['submit.describe-volume-key', VOL],
    ] as const) {
      expect(step(on, id)).toMatchObject({ action: 'kms:DescribeKey', resource: key, kmsKeyArn: key, caller: 'studio', evidence: 'inferred', dependsOn: ['kmsValidationAtSubmit'], context: { 'kms:ViaService': 'sagemaker.us-east-1.amazonaws.com', 'kms:CallerAccount': A } });
      expect(step(on, id).layers).toContain('key');
    }
    // One key for both uses: one request.
    const one = buildFlow({ ...SETUP, outputKmsKeyArn: KEY, volumeKmsKeyArn: KEY }, 'run-now', { ...DEFAULT_FLOW_OPTIONS, kmsValidationAtSubmit: true });
    expect(ids(one).filter((i) => /^submit\.describe-.*-key$/.test(i))).toEqual(['submit.describe-output-key']);
  });
});

describe('managing job definitions (#42, #45, #46)', () => {
  const flow = buildFlow(SETUP, 'schedule');

  it('editing: UpdatePipeline (required) with iam:PassRole again; DeleteTags, events:ListTagsForResource and UntagResource (warnings)', () => {
    expect(step(flow, 'manage.update-pipeline')).toMatchObject({ action: 'sagemaker:UpdatePipeline', resource: PIPELINE, phase: 'manage', required: true, context: NOTEBOOK_JOB_TAG });
    expect(step(flow, 'manage.pass-job-role-update')).toMatchObject({ action: 'iam:PassRole', resource: SETUP.jobRoleArn, context: { 'iam:PassedToService': 'sagemaker.amazonaws.com', 'iam:AssociatedResourceArn': PIPELINE } });
    expect(step(flow, 'manage.delete-pipeline-tags')).toMatchObject({ action: 'sagemaker:DeleteTags', resource: PIPELINE, required: false, unknownContextKeys: ['aws:TagKeys'] });
    expect(step(flow, 'manage.list-rule-tags')).toMatchObject({ action: 'events:ListTagsForResource', resource: RULE, required: false, context: NOTEBOOK_JOB_TAG });
    expect(step(flow, 'manage.untag-rule')).toMatchObject({ action: 'events:UntagResource', resource: RULE, required: false, unknownContextKeys: ['aws:TagKeys'] });
  });

  it('deleting: ListPipelineExecutions (required), StopPipelineExecution on the execution ARN (a warning: only while a run is in progress)', () => {
    expect(step(flow, 'manage.list-pipeline-executions')).toMatchObject({ action: 'sagemaker:ListPipelineExecutions', resource: PIPELINE, required: true });
    const stop = step(flow, 'manage.stop-pipeline-execution');
    expect(stop).toMatchObject({ action: 'sagemaker:StopPipelineExecution', required: false });
    expect(stop.resource).toMatch(new RegExp(`^${PIPELINE}/execution/[a-z0-9]+$`));
  });

  it('run-now has no job definition to manage', () => {
    expect(ids(buildFlow(SETUP, 'run-now')).filter((i) => /pipeline|rule/.test(i))).toEqual([]);
  });
});

describe('check decides the new calls on an account', () => {
  const text = readFileSync(new URL('../../examples/account.json', import.meta.url), 'utf8');
  const example = readSnapshotText(text, 'examples/account.json').snapshot!;
  const selection: Selection = { jobRoleArn: SETUP.jobRoleArn, customImage: { imageName: 'custom-notebook', appImageConfigName: 'custom-notebook-kernel' }, lifecycleConfigName: 'install-team-packages' };
  const run = (snapshot: AccountSnapshot, variant: Variant, sel: Selection = selection): CheckResult => {
    const out = check(snapshot, sel, { variant, evaluate: engineEvaluator() });
    if (!out.ok) throw new Error(out.message);
    return out.result;
  };
  const status = (r: CheckResult, id: string): string | undefined => r.steps.find((s) => s.step.id === id)?.status;

  it('the example follows the reference page: DescribeImage and the job-definition edits fail, the rollback and ListDomains only warn', () => {
    const r = run(example, 'schedule');
    expect(status(r, 'submit.describe-image')).toBe('fail');
    expect(status(r, 'submit.describe-image-version')).toBe('pass');
    expect(status(r, 'submit.describe-lifecycle-config')).toBe('pass');
    expect(status(r, 'manage.update-pipeline')).toBe('fail');
    expect(status(r, 'manage.list-pipeline-executions')).toBe('fail');
    expect(status(r, 'manage.stop-pipeline-execution')).toBe('warn');
    expect(status(r, 'form.list-domains')).toBe('warn');
    expect(status(r, 'form.list-roles')).toBe('warn');
    // P7 has s3:DeleteObject, DeletePipeline on *; P2 DeleteRule on tagged rules.
    for (const id of ['submit.rollback-delete-input', 'schedule.rollback-delete-pipeline', 'schedule.rollback-delete-rule', 'form.describe-app']) expect(status(r, id)).toBe('pass');
    // The domain configures a security group: the form does not list the VPC's.
    expect(r.steps.some((s) => s.step.id === 'form.describe-security-groups')).toBe(false);
  });

  it('a missing rollback permission is a warning, not a failure: the summary stays what the rest decides', () => {
    const denyDelete: PolicyJson = { Version: '2012-10-17', Statement: [{ Sid: 'NoDeletes', Effect: 'Deny', Action: ['s3:DeleteObject', 'events:DeleteRule'], Resource: '*' }] };
    const roles = example.roles.map((r) => (r.name === 'StudioExecutionRole' ? { ...r, inlinePolicies: [...r.inlinePolicies, { name: 'NoDeletes', document: denyDelete }] } : r));
    const r = run({ ...example, roles }, 'schedule');
    expect(status(r, 'submit.rollback-delete-input')).toBe('warn');
    expect(status(r, 'schedule.rollback-delete-rule')).toBe('warn');
    // manage.delete-rule is the same call when a user deletes a definition: that one fails.
    expect(status(r, 'manage.delete-rule')).toBe('fail');
  });

  it('kms:DescribeKey at submit: with the option, decided by the key policy for the Studio role', () => {
    const keys: Selection = { jobRoleArn: SETUP.jobRoleArn, outputKmsKeyArn: KEY };
    const off = run(example, 'run-now', keys);
    expect(off.steps.some((s) => s.step.id === 'submit.describe-output-key')).toBe(false);
    const withOption = (snapshot: AccountSnapshot): CheckResult => {
      const out = check(snapshot, keys, { variant: 'run-now', evaluate: engineEvaluator(), flowOptions: { kmsValidationAtSubmit: true } });
      if (!out.ok) throw new Error(out.message);
      return out.result;
    };
    // The example's key policy lets the Studio role use the key (statement StudioUsesTheKey).
    expect(status(withOption(example), 'submit.describe-output-key')).toBe('pass');
    // Without that statement the key policy names only its administrators: the submit fails.
    const kmsKeys = example.kmsKeys.map((k) => ({ ...k, policy: { ...k.policy, Statement: (k.policy?.['Statement'] as PolicyJson[]).filter((st) => st['Sid'] !== 'StudioUsesTheKey') } }));
    const s = withOption({ ...example, kmsKeys }).steps.find((x) => x.step.id === 'submit.describe-output-key')!;
    expect(s.status).toBe('fail');
    expect(s.decidedBy?.layer).toBe('resource');
    expect(s.fix).toMatchObject({ owner: 'key-owner', statement: { Action: 'kms:DescribeKey', Principal: { AWS: SETUP.studioRoleArn } } });
  });

  it('generate with kmsValidationAtSubmit grants kms:DescribeKey to the Studio role in the key policy, and the proof passes', () => {
    const options = { accountId: A, region: 'us-east-1', studioRoleArn: SETUP.studioRoleArn, jobRoleArn: SETUP.jobRoleArn, outputKmsKeyArn: KEY, flowOptions: { kmsValidationAtSubmit: true } };
    const { policies } = generatePolicies(options);
    const key = policies.find((p) => p.kind === 'key-policy-statements')!;
    expect(key.document['Statement']).toContainEqual(
      expect.objectContaining({ Principal: { AWS: SETUP.studioRoleArn }, Action: 'kms:DescribeKey', Condition: { StringEquals: { 'kms:ViaService': 'sagemaker.us-east-1.amazonaws.com', 'kms:CallerAccount': A } } }),
    );
    expect(proveGenerated(options, policies).notPassing).toEqual([]);
    // Without the option no DescribeKey is generated (nothing superfluous).
    expect(JSON.stringify(generatePolicies({ ...options, flowOptions: {} }).policies)).not.toContain('kms:DescribeKey');
  });

  it('generate covers every new call: images, lifecycle configs and apps by type, the rollback, the job-definition edits', () => {
    const options = { accountId: A, region: 'us-east-1', studioRoleArn: SETUP.studioRoleArn, jobRoleArn: SETUP.jobRoleArn, domainId: 'd-exampledomain1' };
    const { policies, origins } = generatePolicies(options);
    const statements = policies.filter((p) => p.attachTo === SETUP.studioRoleArn && p.kind === 'inline-policy').flatMap((p) => p.document['Statement'] as { Sid: string; Action: string | string[]; Resource: string | string[] }[]);
    const resourcesOf = (action: string): string[] => statements.filter((s) => [s.Action].flat().includes(action)).flatMap((s) => [s.Resource].flat());
    expect(resourcesOf('sagemaker:DescribeImage')).toEqual([`${SM}:image/*`]);
    expect(resourcesOf('sagemaker:DescribeImageVersion')).toEqual([`${SM}:image-version/*`]);
    expect(resourcesOf('sagemaker:DescribeAppImageConfig')).toEqual([`${SM}:app-image-config/*`]);
    expect(resourcesOf('sagemaker:DescribeStudioLifecycleConfig')).toEqual([`${SM}:studio-lifecycle-config/*`]);
    expect(resourcesOf('sagemaker:DescribeApp')).toEqual([`${SM}:app/d-exampledomain1/*`]);
    expect(resourcesOf('s3:DeleteObject')).toEqual([`arn:aws:s3:::sagemaker-automated-execution-${A}-us-east-1/*/input/*`]);
    for (const a of ['sagemaker:UpdatePipeline', 'sagemaker:ListPipelineExecutions', 'sagemaker:StopPipelineExecution', 'sagemaker:DeleteTags']) expect(resourcesOf(a)).toEqual([`${SM}:pipeline/*`]);
    for (const a of ['events:ListTagsForResource', 'events:UntagResource']) expect(resourcesOf(a)).toEqual([`arn:aws:events:us-east-1:${A}:rule/*`]);
    const served = new Set(origins.flatMap((o) => o.steps));
    for (const id of ['submit.rollback-delete-input', 'schedule.rollback-delete-pipeline', 'schedule.rollback-delete-rule', 'manage.pass-job-role-update', 'form.describe-security-groups', 'form.list-domains']) expect(served.has(id)).toBe(true);
  });
});
