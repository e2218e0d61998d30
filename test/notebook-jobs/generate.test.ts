import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { readSnapshotText } from '../../src/account/read-snapshot.js';
import { check } from '../../src/notebook-jobs/check.js';
import { engineEvaluator } from '../../src/notebook-jobs/evaluate.js';
import {
  generatePolicies,
  GenerateOptionsError,
  proofSetups,
  proveGenerated,
  proveOnSnapshot,
  snapshotFromPolicies,
  validateGenerateOptions,
} from '../../src/notebook-jobs/generate.js';
import type { GeneratedPolicy, GenerateOptions } from '../../src/notebook-jobs/generate.js';

const A = '111122223333';
const STUDIO = `arn:aws:iam::${A}:role/service-role/StudioExecutionRole`;
const JOB = `arn:aws:iam::${A}:role/NotebookJobRole`;
const OUT_KEY = `arn:aws:kms:us-east-1:${A}:key/5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d`;
const VOL_KEY = `arn:aws:kms:us-east-1:${A}:key/0f0e0d0c-0b0a-4909-8807-060504030201`;
const VPCE = 'vpce-0a1b2c3d4e5f60719';

/** Setups that exercise every branch of the derivation. */
const CONFIGS: Record<string, GenerateOptions> = {
  'run-now, the Studio role is the job role, public internet': { accountId: A, region: 'us-east-1', studioRoleArn: STUDIO, jobRoleArn: STUDIO, variant: 'run-now' },
  'schedule, two roles, both keys, VpcOnly with an S3 endpoint': {
    accountId: A,
    region: 'us-east-1',
    studioRoleArn: STUDIO,
    jobRoleArn: JOB,
    variant: 'schedule',
    outputKmsKeyArn: OUT_KEY,
    volumeKmsKeyArn: VOL_KEY,
    vpcOnly: true,
    vpcEndpointId: VPCE,
  },
  'all variants, one key for both uses, own buckets, one domain': {
    accountId: A,
    region: 'us-east-1',
    studioRoleArn: STUDIO,
    jobRoleArn: JOB,
    variant: ['run-now', 'schedule', 'local'],
    outputKmsKeyArn: OUT_KEY,
    volumeKmsKeyArn: OUT_KEY,
    inputBucket: 'team-notebook-inputs',
    outputBucket: 'team-notebook-outputs',
    domainId: 'd-exampledomain1',
  },
  'default variants in aws-cn': { accountId: A, region: 'cn-north-1', studioRoleArn: `arn:aws-cn:iam::${A}:role/Studio`, jobRoleArn: `arn:aws-cn:iam::${A}:role/Job` },
};

type Statement = { Sid: string; Effect: string; Action: string | string[]; Resource?: string | string[]; Principal?: unknown; Condition?: Record<string, Record<string, unknown>> };

function statements(p: GeneratedPolicy): Statement[] {
  return p.document['Statement'] as Statement[];
}

function list(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** The policies with one statement changed (undefined: removed). */
function edit(policies: readonly GeneratedPolicy[], pi: number, si: number, change: (s: Statement) => Statement | undefined): GeneratedPolicy[] {
  return policies.map((p, i) => {
    if (i !== pi) return p;
    const sts = statements(p).flatMap((s, j) => (j === si ? [change(s)].filter((x): x is Statement => x !== undefined) : [s]));
    return { ...p, document: { ...p.document, Statement: sts } };
  });
}

describe('generate: options', () => {
  it('accepts a complete setup', () => {
    for (const o of Object.values(CONFIGS)) expect(validateGenerateOptions(o)).toEqual([]);
  });

  it('names every problem at once', () => {
    const problems = validateGenerateOptions({
      accountId: '1234',
      region: 'Virginia',
      studioRoleArn: 'StudioExecutionRole',
      jobRoleArn: `arn:aws:iam::999988887777:role/Job`,
      outputKmsKeyArn: `arn:aws:kms:us-east-1:${A}:alias/notebooks`,
      vpcOnly: true,
      inputBucket: 's3://bucket/prefix',
      variant: ['schedule', 'nightly' as 'schedule'],
    });
    expect(problems.join('\n')).toMatch(/--account/);
    expect(problems.join('\n')).toMatch(/--region/);
    expect(problems.join('\n')).toMatch(/--studio-role must be an IAM role ARN/);
    expect(problems.join('\n')).toMatch(/--job-role is in account 999988887777/);
    expect(problems.join('\n')).toMatch(/--output-kms-key must be a KMS key ARN .*not an alias/);
    expect(problems.join('\n')).toMatch(/--vpc-only needs --vpc-endpoint/);
    expect(problems.join('\n')).toMatch(/--input-bucket must be a bucket name/);
    expect(problems.join('\n')).toMatch(/--variant must be one of run-now, schedule, local, got "nightly"/);
  });

  it('refuses a key in another region or account, and an endpoint without --vpc-only', () => {
    const base = CONFIGS['run-now, the Studio role is the job role, public internet']!;
    expect(validateGenerateOptions({ ...base, volumeKmsKeyArn: VOL_KEY.replace('us-east-1', 'eu-west-1') })).toEqual([expect.stringMatching(/region eu-west-1/)]);
    expect(validateGenerateOptions({ ...base, volumeKmsKeyArn: VOL_KEY.replace(A, '999988887777') })).toEqual([expect.stringMatching(/another account/)]);
    expect(validateGenerateOptions({ ...base, vpcEndpointId: VPCE })).toEqual([expect.stringMatching(/only with --vpc-only/)]);
  });

  it('generatePolicies throws GenerateOptionsError with the problems', () => {
    expect(() => generatePolicies({ ...CONFIGS['default variants in aws-cn']!, accountId: 'x' })).toThrow(GenerateOptionsError);
  });
});

describe('generate: the generated set is enough (check passes every step of every variant)', () => {
  for (const [name, options] of Object.entries(CONFIGS)) {
    it(name, () => {
      const { policies } = generatePolicies(options);
      const proof = proveGenerated(options, policies);
      expect(proof.notPassing).toEqual([]);
      expect(proof.runs.length).toBe(proofSetups(options).length * (Array.isArray(options.variant) ? options.variant.length : options.variant ? 1 : 2));
      for (const run of proof.runs) expect(run.result.summary.ok).toBe(true);
    });
  }

  it('an empty set fails: the proof can fail', () => {
    const options = CONFIGS['schedule, two roles, both keys, VpcOnly with an S3 endpoint']!;
    const proof = proveGenerated(options, []);
    expect(proof.ok).toBe(false);
    expect(proof.notPassing).toContain('schedule / user profile, SageMaker Distribution image: run.events-assume-job-role (fail)');
  });
});

describe('generate: nothing superfluous (removing any statement, action or resource makes a named step fail)', () => {
  const options = CONFIGS['schedule, two roles, both keys, VpcOnly with an S3 endpoint']!;
  const all: GenerateOptions = { ...options, variant: ['run-now', 'schedule', 'local'] };
  const { policies, origins } = generatePolicies(all);
  const evaluate = engineEvaluator();
  const failingSteps = (changed: readonly GeneratedPolicy[]): string[] => {
    const proof = proveOnSnapshot(all, snapshotFromPolicies(all, changed), evaluate);
    return [...new Set(proof.runs.flatMap((r) => r.result.steps.filter((s) => s.decision !== 'Allow').map((s) => s.step.id)))];
  };

  it('the test can fail: an action no step needs is found superfluous', () => {
    const pi = policies.findIndex((p) => p.attachTo === STUDIO);
    const padded = edit(policies, pi, 0, (s) => ({ ...s, Action: [...list(s.Action), 's3:DeleteObject'] }));
    const si = 0;
    const st = statements(padded[pi]!)[si]!;
    expect(failingSteps(edit(padded, pi, si, (s) => ({ ...s, Action: list(st.Action).filter((a) => a !== 's3:DeleteObject') })))).toEqual([]);
  });

  it('every statement says which steps it serves', () => {
    const total = policies.reduce((n, p) => n + statements(p).length, 0);
    expect(origins.length).toBe(total);
    for (const o of origins) expect(o.steps.length).toBeGreaterThan(0);
  });

  policies.forEach((policy, pi) => {
    statements(policy).forEach((st, si) => {
      const origin = origins.find((o) => o.policy === policy.name && o.sid === st.Sid)!;
      it(`${policy.name} / ${st.Sid}: removing the statement fails ${origin.steps.join(', ')}`, () => {
        const failed = failingSteps(edit(policies, pi, si, () => undefined));
        expect(failed.length).toBeGreaterThan(0);
        expect(failed.every((id) => origin.steps.includes(id))).toBe(true);
      });
      const actions = list(st.Action);
      if (actions.length > 1) {
        for (const action of actions) {
          it(`${policy.name} / ${st.Sid}: removing ${action} fails a step`, () => {
            const failed = failingSteps(edit(policies, pi, si, (s) => ({ ...s, Action: actions.filter((a) => a !== action) })));
            expect(failed.length).toBeGreaterThan(0);
            expect(failed.every((id) => origin.steps.includes(id))).toBe(true);
          });
        }
      }
      const resources = list(st.Resource);
      if (resources.length > 1) {
        for (const resource of resources) {
          it(`${policy.name} / ${st.Sid}: removing resource ${resource} fails a step`, () => {
            expect(failingSteps(edit(policies, pi, si, (s) => ({ ...s, Resource: resources.filter((r) => r !== resource) }))).length).toBeGreaterThan(0);
          });
        }
      }
      const values = st.Condition?.['StringEquals']?.['iam:PassedToService'];
      if (Array.isArray(values)) {
        for (const v of values) {
          it(`${policy.name} / ${st.Sid}: removing iam:PassedToService ${String(v)} fails a step`, () => {
            const rest = values.filter((x) => x !== v);
            expect(failingSteps(edit(policies, pi, si, (s) => ({ ...s, Condition: { StringEquals: { 'iam:PassedToService': rest } } }))).length).toBeGreaterThan(0);
          });
        }
      }
    });
  });
});

describe('generate: scoped, not *', () => {
  const options = CONFIGS['all variants, one key for both uses, own buckets, one domain']!;
  const { policies, origins } = generatePolicies(options);
  const identity = policies.filter((p) => p.kind === 'inline-policy').flatMap(statements);
  const stepsOf = (s: Statement): readonly string[] => origins.find((o) => o.sid === s.Sid && policies.some((p) => p.name === o.policy && statements(p).includes(s)))?.steps ?? [];

  it('iam:PassRole names the job role and keeps iam:PassedToService', () => {
    const pass = identity.filter((s) => list(s.Action).includes('iam:PassRole'));
    expect(pass.length).toBe(2);
    for (const s of pass) {
      expect(list(s.Action)).toEqual(['iam:PassRole']);
      expect(s.Resource).toBe(JOB);
      expect(s.Condition?.['StringEquals']?.['iam:PassedToService']).toBeDefined();
    }
    const studio = policies.find((p) => p.attachTo === STUDIO)!;
    expect(statements(studio).find((s) => s.Sid === 'PassJobRoleToEventsSagemaker')?.Condition).toEqual({ StringEquals: { 'iam:PassedToService': ['events.amazonaws.com', 'sagemaker.amazonaws.com'] } });
  });

  it('a * resource only where the action takes none, and then limited to the region (IAM is global)', () => {
    for (const s of identity.filter((x) => x.Resource === '*')) {
      if (list(s.Action).every((a) => a === 'iam:ListRoles')) expect(s.Condition).toBeUndefined();
      else expect(s.Condition).toEqual({ StringEquals: { 'aws:RequestedRegion': 'us-east-1' } });
      for (const a of list(s.Action)) expect(a).toMatch(/^(ec2:Describe|ec2:(Create|Delete)NetworkInterface|ecr:GetAuthorizationToken$|sagemaker:(Search|ListDomains)$|iam:ListRoles$)/);
    }
  });

  it('ARNs name the account, region, buckets and domain', () => {
    for (const s of identity) {
      for (const r of list(s.Resource)) {
        if (r === '*') continue;
        if (r.startsWith('arn:aws:s3:::')) expect(r).toMatch(/^arn:aws:s3:::(team-notebook-inputs|team-notebook-outputs|sagemakerheadlessexecution-\*)(\/.*)?$/);
        else if (r.startsWith('arn:aws:ecr:')) expect(r).toBe('arn:aws:ecr:us-east-1:*:repository/*');
        else if (r.startsWith('arn:aws:iam::')) expect(r).toBe(JOB);
        else expect(r).toMatch(new RegExp(`^arn:aws:(sagemaker|events|logs):us-east-1:${A}:`));
        if (r.includes(':user-profile/') || r.includes(':space/')) expect(r).toMatch(/\/d-exampledomain1\/\*$/);
        if (r.includes(':domain/')) expect(r).toBe(`arn:aws:sagemaker:us-east-1:${A}:domain/d-exampledomain1`);
      }
    }
    // Without --domain, any domain of the account: never the proof setups' made-up domain id.
    const anyDomain = generatePolicies(CONFIGS['run-now, the Studio role is the job role, public internet']!).policies.flatMap(statements);
    expect(anyDomain.filter((s) => list(s.Action).includes('sagemaker:DescribeDomain')).map((s) => s.Resource)).toEqual([`arn:aws:sagemaker:us-east-1:${A}:domain/*`]);
    const objects = identity.flatMap((s) => list(s.Resource)).filter((r) => r.startsWith('arn:aws:s3:::team-notebook') && r.includes('/'));
    expect(objects.sort()).toEqual(['arn:aws:s3:::team-notebook-inputs/*/input/*', 'arn:aws:s3:::team-notebook-inputs/*/input/*', 'arn:aws:s3:::team-notebook-outputs/*/output/*', 'arn:aws:s3:::team-notebook-outputs/*/output/*']);
  });

  it('creates are keyed on the notebook-job request tag, calls on rules and pipelines on the resource tag', () => {
    const requestTag = { StringEquals: { 'aws:RequestTag/sagemaker:is-scheduling-notebook-job': 'true' } };
    const resourceTag = { StringEquals: { 'aws:ResourceTag/sagemaker:is-scheduling-notebook-job': 'true' } };
    const create = identity.filter((s) => list(s.Action).some((a) => /:(CreateTrainingJob|CreatePipeline|TagResource)$/.test(a)));
    expect(create.length).toBeGreaterThan(0);
    for (const s of create) expect(s.Condition).toEqual(requestTag);
    const manage = identity.filter((s) => list(s.Action).some((a) => /^events:(PutTargets|DeleteRule)$|:(StartPipelineExecution|DescribePipeline)$/.test(a)));
    expect(manage.length).toBeGreaterThan(0);
    for (const s of manage) expect(s.Condition).toEqual(resourceTag);
    // events:PutRule twice: creating the rule (#21, request tag) and editing the existing, tagged rule (#45, resource tag).
    const putRule = identity.filter((s) => list(s.Action).includes('events:PutRule'));
    expect(putRule.map((s) => s.Condition)).toEqual([requestTag, resourceTag]);
    expect(stepsOf(putRule[0]!)).toContain('schedule.put-rule');
    expect(stepsOf(putRule[0]!)).not.toContain('manage.edit-rule');
    expect(stepsOf(putRule[1]!)).toContain('manage.edit-rule');
    expect(stepsOf(putRule[1]!)).not.toContain('schedule.put-rule');
  });

  it('archiving a job (#44, a plain AddTags): only on notebook-job training jobs, only sagemaker:is-studio-archived = true', () => {
    const archive = identity.filter((s) => stepsOf(s).includes('manage.archive-job'));
    expect(archive).toEqual([
      {
        Sid: 'SagemakerAddTagsToArchiveNotebookJobs',
        Effect: 'Allow',
        Action: 'sagemaker:AddTags',
        Resource: `arn:aws:sagemaker:us-east-1:${A}:training-job/*`,
        Condition: {
          StringEquals: { 'aws:ResourceTag/sagemaker:is-scheduling-notebook-job': 'true', 'aws:RequestTag/sagemaker:is-studio-archived': 'true' },
          'ForAllValues:StringEquals': { 'aws:TagKeys': ['sagemaker:is-studio-archived'] },
        },
      },
    ]);
    expect(stepsOf(archive[0]!)).toEqual(['manage.archive-job']);
    // The tag-on-create statements do not serve the archive call, and it does not widen them.
    for (const s of identity.filter((x) => list(x.Action).includes('sagemaker:AddTags') && x !== archive[0])) {
      expect(s.Condition).toEqual({ StringEquals: { 'aws:RequestTag/sagemaker:is-scheduling-notebook-job': 'true' } });
      expect(stepsOf(s)).not.toContain('manage.archive-job');
    }
  });

  it('the job log: the log group for CreateLogGroup/DescribeLogStreams, its streams for CreateLogStream/PutLogEvents', () => {
    const logs = identity.filter((s) => list(s.Action).some((a) => a.startsWith('logs:')));
    expect(logs.map((s) => [s.Action, s.Resource])).toEqual([
      [['logs:CreateLogGroup', 'logs:DescribeLogStreams'], `arn:aws:logs:us-east-1:${A}:log-group:/aws/sagemaker/TrainingJobs:*`],
      [['logs:CreateLogStream', 'logs:PutLogEvents'], `arn:aws:logs:us-east-1:${A}:log-group:/aws/sagemaker/TrainingJobs:log-stream:*`],
    ]);
  });

  it('trust: EventBridge guarded by aws:SourceAccount and the rule ARNs of the account; SageMaker unguarded (keys not known to be sent)', () => {
    const trust = policies.find((p) => p.kind === 'trust-policy-statements')!;
    expect(trust.attachTo).toBe(JOB);
    expect(statements(trust)).toEqual([
      { Sid: 'TrustSagemaker', Effect: 'Allow', Principal: { Service: 'sagemaker.amazonaws.com' }, Action: 'sts:AssumeRole' },
      {
        Sid: 'TrustEvents',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'aws:SourceAccount': A }, ArnLike: { 'aws:SourceArn': `arn:aws:events:us-east-1:${A}:rule/*` } },
      },
    ]);
  });

  it('a guard on a key SageMaker does not send would break the job: the check reports it conditional, not pass', () => {
    const trustIndex = policies.findIndex((p) => p.kind === 'trust-policy-statements');
    const guarded = edit(policies, trustIndex, 0, (s) => ({ ...s, Condition: { StringEquals: { 'aws:SourceAccount': A } } }));
    const proof = proveGenerated(options, guarded);
    expect(proof.notPassing.some((l) => /run\.training-assume-job-role \(conditional\)/.test(l))).toBe(true);
  });

  it('key policy: the roles by ARN, through S3 or SageMaker only, nothing in the identity policies', () => {
    const key = policies.find((p) => p.kind === 'key-policy-statements')!;
    expect(key.attachTo).toBe(OUT_KEY);
    const who = (s: Record<string, unknown>): string => String((s.Principal as { AWS?: string }).AWS);
    const byAction = Object.fromEntries(statements(key).map((s) => [`${who(s) === JOB ? 'job' : 'studio'} ${list(s.Action as string | string[]).join(',')}`, s]));
    // The output key (CreateTrainingJob OutputDataConfig.KmsKeyId): kms:Encrypt as documented, and
    // kms:Decrypt with kms:GenerateDataKey through S3 (multipart uploads of SSE-KMS objects).
    expect(Object.keys(byAction).sort()).toEqual(['job kms:CreateGrant', 'job kms:Decrypt,kms:GenerateDataKey', 'job kms:Encrypt', 'studio kms:Decrypt']);
    expect(byAction['job kms:CreateGrant']).toMatchObject({ Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' }, StringEquals: { 'kms:ViaService': 'sagemaker.us-east-1.amazonaws.com' } } });
    expect(byAction['job kms:Decrypt,kms:GenerateDataKey']).toMatchObject({ Condition: { StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com', 'kms:CallerAccount': A } } });
    // Which service calls kms:Encrypt is not documented: no kms:ViaService guard that could break it.
    expect(byAction['job kms:Encrypt']).toMatchObject({ Condition: { StringEquals: { 'kms:CallerAccount': A } } });
    expect(JSON.stringify(byAction['job kms:Encrypt'])).not.toContain('kms:ViaService');
    expect(byAction['studio kms:Decrypt']).toMatchObject({ Principal: { AWS: STUDIO } });
    expect(identity.flatMap((s) => list(s.Action)).filter((a) => a.startsWith('kms:'))).toEqual([]);
  });

  it('VPC endpoint: the job buckets and the driver bucket, for our two roles only', () => {
    const o = CONFIGS['schedule, two roles, both keys, VpcOnly with an S3 endpoint']!;
    const endpoint = generatePolicies(o).policies.find((p) => p.kind === 'vpc-endpoint-policy-statements')!;
    expect(endpoint.attachTo).toBe(VPCE);
    const resources = new Set(statements(endpoint).flatMap((s) => list(s.Resource)));
    expect(resources).toContain('arn:aws:s3:::sagemakerheadlessexecution-*');
    expect(resources).toContain('arn:aws:s3:::sagemakerheadlessexecution-*/*');
    for (const s of statements(endpoint)) {
      expect(s.Principal).toBe('*');
      expect([STUDIO, JOB]).toContain(s.Condition?.['ArnEquals']?.['aws:PrincipalArn']);
    }
  });

  it('one role for Studio and the job: one inline policy', () => {
    const { policies: same } = generatePolicies(CONFIGS['run-now, the Studio role is the job role, public internet']!);
    expect(same.filter((p) => p.kind === 'inline-policy').map((p) => [p.name, p.attachTo])).toEqual([['nbjob-iam-notebook-jobs', STUDIO]]);
  });

  it('added to the example account, the generated set leaves only the SCP failure (which no policy of the account can fix)', () => {
    const text = readFileSync(new URL('../../examples/account.json', import.meta.url), 'utf8');
    const example = readSnapshotText(text, 'examples/account.json').snapshot!;
    const KEY = 'arn:aws:kms:us-east-1:111122223333:key/5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
    const o: GenerateOptions = { accountId: A, region: 'us-east-1', studioRoleArn: STUDIO, jobRoleArn: JOB, outputKmsKeyArn: KEY, volumeKmsKeyArn: KEY, vpcOnly: true, vpcEndpointId: VPCE, domainId: 'd-exampledomain1' };
    const generated = generatePolicies(o).policies;
    const add = (doc: Record<string, unknown> | undefined, kind: GeneratedPolicy['kind'], target: string): Record<string, unknown> => {
      const extra = generated.filter((p) => p.kind === kind && p.attachTo === target).flatMap(statements);
      const existing = doc?.['Statement'];
      return { Version: '2012-10-17', ...doc, Statement: [...(Array.isArray(existing) ? existing : existing ? [existing] : []), ...extra] };
    };
    const fixed = {
      ...example,
      roles: example.roles.map((r) => ({
        ...r,
        trustPolicy: add(r.trustPolicy, 'trust-policy-statements', r.arn),
        inlinePolicies: [...r.inlinePolicies, ...generated.filter((p) => p.kind === 'inline-policy' && p.attachTo === r.arn).map((p) => ({ name: p.name, document: p.document }))],
      })),
      kmsKeys: example.kmsKeys.map((k) => ({ ...k, policy: add(k.policy, 'key-policy-statements', k.arn) })),
      vpcEndpoints: example.vpcEndpoints.map((e) => (e.policy ? { ...e, policy: add(e.policy, 'vpc-endpoint-policy-statements', e.id) } : e)),
    };
    for (const variant of ['run-now', 'schedule'] as const) {
      const out = check(fixed, { jobRoleArn: JOB, outputKmsKeyArn: KEY, volumeKmsKeyArn: KEY }, { variant, evaluate: engineEvaluator() });
      if (!out.ok) throw new Error(out.message);
      const failing = out.result.steps.filter((x) => x.status === 'fail');
      expect(failing.map((x) => [x.step.id, x.decidedBy?.layer])).toEqual(variant === 'schedule' ? [['run.create-training-job', 'scp']] : [['run-now.create-training-job', 'scp']]);
    }
  });
});
