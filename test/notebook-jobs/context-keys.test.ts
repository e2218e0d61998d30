/**
 * Probes built from the bundled example: the context keys AWS derives from the principal and
 * the resource ("AWS global condition context keys",
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html),
 * filled from the snapshot. Each probe is judged as AWS documents it; where the snapshot
 * cannot give a key, the step is undecided and names what is missing.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readSnapshotText } from '../../src/account/read-snapshot.js';
import type { AccountSnapshot, PolicyJson } from '../../src/account/snapshot.js';
import { check } from '../../src/notebook-jobs/check.js';
import type { CheckResult, StepOutcome } from '../../src/notebook-jobs/check.js';
import { engineEvaluator } from '../../src/notebook-jobs/evaluate.js';
import type { Variant } from '../../src/notebook-jobs/flow.js';

const text = readFileSync(new URL('../../examples/account.json', import.meta.url), 'utf8');
const example = readSnapshotText(text, 'examples/account.json').snapshot!;
const JOB_ROLE = 'arn:aws:iam::111122223333:role/NotebookJobRole';
const ORG = 'o-a1b2c3d4e5';

type Mutable<T> = T extends readonly (infer U)[] ? Mutable<U>[] : T extends object ? { -readonly [K in keyof T]: Mutable<T[K]> } : T;
function clone(): Mutable<AccountSnapshot> {
  return JSON.parse(JSON.stringify(example)) as Mutable<AccountSnapshot>;
}
function run(snapshot: AccountSnapshot, variant: Variant = 'schedule'): CheckResult {
  const out = check(snapshot, { jobRoleArn: JOB_ROLE }, { variant, evaluate: engineEvaluator() });
  if (!out.ok) throw new Error(out.message);
  return out.result;
}
const step = (r: CheckResult, id: string): StepOutcome => {
  const s = r.steps.find((o) => o.step.id === id);
  if (!s) throw new Error(`no step ${id}`);
  return s;
};
/** Adds an SCP at the account level of the example's organization path. */
function withScp(s: Mutable<AccountSnapshot>, name: string, statement: PolicyJson): Mutable<AccountSnapshot> {
  const path = s.organization!.path;
  path[path.length - 1]!.scps.push({ name, document: { Version: '2012-10-17', Statement: [statement] } });
  return s;
}
function tagRoles(s: Mutable<AccountSnapshot>, tags: Record<string, string>): Mutable<AccountSnapshot> {
  for (const r of s.roles) r.tags = { ...(r.tags ?? {}), ...tags };
  return s;
}
// The example's own SCP denies CreateTrainingJob without cost-center; give the profile one so
// the probes below are decided by the principal tags alone.
function base(): Mutable<AccountSnapshot> {
  const s = clone();
  s.sagemaker.userProfiles[0]!.tags = { ...s.sagemaker.userProfiles[0]!.tags, 'cost-center': 'cc-1' };
  return s;
}

describe('aws:PrincipalTag/* from the role tags (IAM: "Controlling access for IAM principals" with aws:PrincipalTag)', () => {
  const denyBlocked = {
    Sid: 'DenyBlockedPrincipals',
    Effect: 'Deny',
    Action: 'sagemaker:CreateTrainingJob',
    Resource: '*',
    Condition: { StringEquals: { 'aws:PrincipalTag/blocker': 'blocked' } },
  };

  it('an SCP denying CreateTrainingJob on a tag both roles carry denies it, at submit (Studio role) and at every run (job role)', () => {
    const r = run(withScp(tagRoles(base(), { blocker: 'blocked' }), 'DenyBlocked', denyBlocked));
    expect(step(r, 'run.create-training-job')).toMatchObject({ status: 'fail', decision: 'ExplicitDeny', decidedBy: { layer: 'scp', sid: 'DenyBlockedPrincipals' } });
    const rn = run(withScp(tagRoles(base(), { blocker: 'blocked' }), 'DenyBlocked', denyBlocked), 'run-now');
    expect(step(rn, 'run-now.create-training-job')).toMatchObject({ status: 'fail', decision: 'ExplicitDeny' });
  });

  it('the same SCP with the tag on the Studio role only: submit is denied, the job role (untagged) still creates the training job', () => {
    const s = withScp(base(), 'DenyBlocked', denyBlocked);
    s.roles.find((x) => x.name === 'StudioExecutionRole')!.tags = { team: 'data-science', blocker: 'blocked' };
    const rn = run(s, 'run-now');
    expect(step(rn, 'run-now.create-training-job').decision).toBe('ExplicitDeny');
    expect(step(run(s), 'run.create-training-job').decision).toBe('Allow');
  });

  it('an SCP requiring a tag the roles carry allows: no false ExplicitDeny, no fix asking the organization to exempt it', () => {
    const requireTeam = {
      Sid: 'RequireTeamTag',
      Effect: 'Deny',
      Action: 'sagemaker:CreateTrainingJob',
      Resource: '*',
      Condition: { StringNotEquals: { 'aws:PrincipalTag/team': 'data-science' } },
    };
    const r = run(withScp(tagRoles(base(), { team: 'data-science' }), 'RequireTeam', requireTeam));
    const s = step(r, 'run.create-training-job');
    expect(s).toMatchObject({ status: 'pass', decision: 'Allow' });
    expect(s.ownerChange).toBeUndefined();
    // Both directions: the job role without the tag is denied by the same SCP.
    const untaggedJobRole = withScp(base(), 'RequireTeam', requireTeam);
    expect(step(run(untaggedJobRole), 'run.create-training-job')).toMatchObject({ status: 'fail', decision: 'ExplicitDeny' });
    expect(step(run(untaggedJobRole, 'run-now'), 'run-now.create-training-job')).toMatchObject({ status: 'pass' });
  });

  it('role tags not read: a step whose decision depends on aws:PrincipalTag is undecided, naming the role whose tags are missing', () => {
    const s = withScp(base(), 'DenyBlocked', denyBlocked);
    for (const role of s.roles) delete role.tags;
    const r = run(s);
    const o = step(r, 'run.create-training-job');
    expect(o.status).toBe('undecided');
    expect(o.missing?.join('\n')).toMatch(/aws:PrincipalTag\/blocker: the tags of role NotebookJobRole were not read/);
    // A step no policy decides by a principal tag is still decided.
    expect(step(r, 'form.describe-domain').status).toBe('pass');
    expect(r.summary.ok).toBe(false);
  });
});

describe('organization keys from the snapshot (aws:PrincipalOrgID, aws:PrincipalOrgPaths, aws:ResourceOrgID, aws:ResourceAccount)', () => {
  it('a data-perimeter S3 endpoint policy (aws:PrincipalOrgID, "Data perimeters on AWS") gives no false failure', () => {
    const s = clone();
    s.vpcEndpoints[0]!.policy = {
      Version: '2012-10-17',
      Statement: [{ Sid: 'OrgPrincipalsOnly', Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG } } }],
    };
    const r = run(s);
    const viaEndpoint = r.steps.filter((o) => o.step.viaVpcEndpoint);
    expect(viaEndpoint.length).toBeGreaterThanOrEqual(10);
    for (const o of viaEndpoint) expect({ id: o.step.id, layer: o.decidedBy?.layer, status: o.status }).not.toMatchObject({ layer: 'vpcEndpoint' });
    expect(viaEndpoint.filter((o) => o.status === 'fail' && o.decidedBy?.layer === 'vpcEndpoint')).toEqual([]);
    expect(step(r, 'run.driver-get-object').status).toBe('pass');
  });

  it('an endpoint perimeter that does not list the AWS driver bucket: the fix keeps aws:PrincipalOrgID (never weakens the perimeter)', () => {
    const s = clone();
    s.vpcEndpoints[0]!.policy = {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'OrgPrincipalsOnOrgBuckets',
          Effect: 'Allow',
          Principal: '*',
          Action: 's3:*',
          Resource: '*',
          Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG, 'aws:ResourceOrgID': ORG } },
        },
      ],
    };
    const r = run(s);
    // The job bucket is the account's, in the organization: allowed.
    expect(step(r, 'run.get-input').status).toBe('pass');
    const driver = step(r, 'run.driver-get-object');
    expect(driver.status).not.toBe('pass');
    for (const o of r.steps.filter((x) => x.fix?.target.kind === 'vpc-endpoint-policy')) {
      expect(o.fix?.statement?.Condition).toMatchObject({ StringEquals: { 'aws:PrincipalOrgID': ORG } });
    }
  });

  it('aws:PrincipalOrgPaths is o-id/r-root/ou/ for the account ("aws:PrincipalOrgPaths")', () => {
    const s = withScp(base(), 'OnlyMlOu', {
      Sid: 'DenyOutsideMlOu',
      Effect: 'Deny',
      Action: 'sagemaker:CreateTrainingJob',
      Resource: '*',
      Condition: { 'ForAnyValue:StringNotLike': { 'aws:PrincipalOrgPaths': `${ORG}/r-a1b2/ou-a1b2-ml000001/*` } },
    });
    expect(step(run(s), 'run.create-training-job').status).toBe('pass');
    const other = withScp(base(), 'OnlyOtherOu', {
      Sid: 'DenyOutsideOtherOu',
      Effect: 'Deny',
      Action: 'sagemaker:CreateTrainingJob',
      Resource: '*',
      Condition: { 'ForAnyValue:StringNotLike': { 'aws:PrincipalOrgPaths': `${ORG}/r-a1b2/ou-a1b2-other001/*` } },
    });
    expect(step(run(other), 'run.create-training-job').decision).toBe('ExplicitDeny');
  });

  it('an SCP limiting S3 to the organization\'s resources (aws:ResourceOrgID) lets the account\'s own job bucket through', () => {
    const s = withScp(base(), 'OrgResourcesOnly', {
      Sid: 'DenyForeignS3',
      Effect: 'Deny',
      Action: 's3:*',
      Resource: '*',
      Condition: { StringNotEquals: { 'aws:ResourceOrgID': ORG } },
    });
    const r = run(s);
    for (const id of ['submit.upload-input', 'run.get-input', 'run.put-output', 'manage.download-output']) expect(step(r, id).status).toBe('pass');
  });

  it('aws:userid is role-id:SageMaker for the Studio session; unknown for EventBridge\'s session (undecided, not pass)', () => {
    const s = withScp(base(), 'OnlyStudioSessions', {
      Sid: 'DenyOtherSessions',
      Effect: 'Deny',
      Action: ['sagemaker:CreateTrainingJob', 'sagemaker:StartPipelineExecution'],
      Resource: '*',
      Condition: { StringNotLike: { 'aws:userid': ['AROAEXAMPLESTUDIO0001:SageMaker', 'AROAEXAMPLEJOBROLE001:SageMaker'] } },
    });
    const rn = run(s, 'run-now');
    expect(step(rn, 'run-now.create-training-job').status).toBe('pass');
    const r = run(s);
    const start = step(r, 'run.start-pipeline');
    expect(start.status).toBe('undecided');
    expect(start.missing?.join('\n')).toMatch(/aws:userid: the session name EventBridge gives role NotebookJobRole/);
  });
});
