/**
 * diagnose on the bundled example account: every bundled error is matched to the step
 * check fails, with check's own fix; disagreements with AWS are flagged with their causes;
 * what cannot be matched says why. JSON output is validated against its schema.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import type { AccountSnapshot } from '../../src/account/snapshot.js';
import { diagnose } from '../../src/diagnose/match.js';
import type { Diagnosis } from '../../src/diagnose/match.js';
import { parseInput } from '../../src/diagnose/parse.js';
import { diagnosisToJson, renderDiagnoseMarkdown, renderDiagnoseText } from '../../src/diagnose/render.js';
import { check } from '../../src/notebook-jobs/check.js';
import { engineEvaluator } from '../../src/notebook-jobs/evaluate.js';
import type { Selection } from '../../src/notebook-jobs/setup.js';

const ROOT = path.resolve(__dirname, '..', '..');
const manifest = JSON.parse(readFileSync(path.join(ROOT, 'examples', 'example.json'), 'utf8')) as { selection: Selection };
const example = JSON.parse(readFileSync(path.join(ROOT, 'examples', 'account.json'), 'utf8')) as AccountSnapshot;
const evaluate = engineEvaluator();
const schema = JSON.parse(readFileSync(path.join(ROOT, 'schemas', 'diagnose-result.schema.json'), 'utf8')) as object;
const validate = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true }).compile(schema);

const STUDIO = 'arn:aws:sts::111122223333:assumed-role/StudioExecutionRole/SageMaker';
const JOB = 'arn:aws:sts::111122223333:assumed-role/NotebookJobRole/SageMaker';
const RULE = 'arn:aws:events:us-east-1:111122223333:rule/nightly-report-notebook-5e6f7a8b';

function run(texts: Record<string, string>, snapshot: AccountSnapshot = example, selection: Selection = manifest.selection): Diagnosis {
  const parsed = Object.entries(texts).map(([name, text]) => parseInput(name, text));
  return diagnose(
    snapshot,
    parsed.flatMap((p) => p.denials),
    parsed.flatMap((p) => p.unreadable),
    parsed.reduce((n, p) => n + p.skipped, 0),
    { selection, explicit: new Set(), variant: 'schedule', evaluate, snapshotName: 'examples/account.json' },
  );
}

function json(d: Diagnosis) {
  const j = diagnosisToJson(d, { snapshot: 'examples/account.json', accountId: '111122223333' });
  expect(validate(j), JSON.stringify(validate.errors)).toBe(true);
  return j as { matches: Array<Record<string, unknown>>; unmatched: Array<Record<string, unknown>>; summary: Record<string, number> };
}

const checked = check(example, manifest.selection, { variant: 'schedule', evaluate });
if (!checked.ok) throw new Error(checked.message);
const checkStep = (id: string) => checked.result.steps.find((s) => s.step.id === id);

describe('the bundled example errors (examples/errors/)', () => {
  const dir = path.join(ROOT, 'examples', 'errors');
  const texts = Object.fromEntries(readdirSync(dir).filter((n) => n !== 'README.md').map((n) => [n, readFileSync(path.join(dir, n), 'utf8')]));
  const d = run(texts);

  it('names the failing step of each one, and check fails that step too', () => {
    const ids = d.matches.map((m) => m.outcome.step.id).sort();
    expect(ids).toEqual(['run.create-training-job', 'run.driver-get-object', 'run.output-key-generate', 'run.volume-key-grant', 'schedule.put-rule']);
    for (const id of ids) expect(checkStep(id)?.status).toBe('fail');
    expect(d.unmatched).toEqual([]);
    expect(d.skipped).toBe(1);
  });

  it('gives the same proven fix and owner change as check', () => {
    for (const m of d.matches) {
      const c = checkStep(m.outcome.step.id);
      expect(m.outcome.fix, m.outcome.step.id).toEqual(c?.fix);
      expect(m.outcome.ownerChange).toEqual(c?.ownerChange);
      expect(m.outcome.decidedBy).toEqual(c?.decidedBy);
      expect(m.outcome.fix, m.outcome.step.id).toBeDefined();
    }
  });

  it('agrees with AWS on every one, and shows where the deciding statement is', () => {
    expect(d.matches.map((m) => m.agrees)).toEqual([true, true, true, true, true]);
    const scp = d.matches.find((m) => m.outcome.step.id === 'run.create-training-job')!;
    expect(scp.deciding).toMatchObject({ layer: 'scp', sid: 'DenyUntaggedTraining', pointer: '/organization/path/1/scps/2/document/Statement/0' });
    expect(scp.deciding?.statement).toMatchObject({ Sid: 'DenyUntaggedTraining', Effect: 'Deny' });
  });

  it('PutRule fits creating and editing the rule; the snapshot allows editing, so the create is what AWS denied', () => {
    const m = d.matches.find((x) => x.denial.input === 'studio-schedule.txt')!;
    expect(m.outcome.step.id).toBe('schedule.put-rule');
    expect(m.notes.join('\n')).toMatch(/also fits #45a manage.edit-rule, which the snapshot allows/);
  });

  it('JSON follows the schema', () => {
    const j = json(d);
    expect(j.summary).toMatchObject({ denials: 5, matched: 5, agree: 5, disagree: 0, unmatched: 0, skipped: 1 });
    expect(j.matches.find((m) => m['stepId'] === 'run.volume-key-grant')).toMatchObject({ number: '#35', principal: JOB, action: 'kms:CreateGrant', decision: 'ImplicitDeny', agrees: true });
  });
});

describe('disagreements are flagged, never hidden', () => {
  it('AWS names an explicit SCP deny; the snapshot finds only a missing Allow in the identity policy', () => {
    const d = run({
      'e.txt': `User: ${STUDIO} is not authorized to perform: events:PutRule on resource: ${RULE} with an explicit deny in a service control policy: arn:aws:organizations::111122223333:policy/o-a1b2c3d4e5/service_control_policy/p-0000000x`,
    });
    const m = d.matches.find((x) => x.outcome.step.id === 'schedule.put-rule')!;
    expect(m.agrees).toBe(false);
    expect(m.disagreements.join('\n')).toMatch(/explicit deny in a service control policy; in the snapshot no Deny statement matches/);
    expect(m.disagreements.join('\n')).toMatch(/AWS names a service control policy; the snapshot decides it in an identity-based policy/);
    expect(m.causes.join('\n')).toMatch(/stale snapshot: it was taken at 2026-11-01T09:00:00Z/);
    // The fix is still check's: the snapshot's own finding stands next to the disagreement.
    expect(m.outcome.fix).toEqual(checkStep('schedule.put-rule')?.fix);
  });

  it('AWS names another SCP than the snapshot decides with: the named policy and the keys it tests', () => {
    const ARN = (id: string) => `arn:aws:organizations::999988887777:policy/o-example/service_control_policy/${id}`;
    const withArns: AccountSnapshot = {
      ...example,
      organization: {
        ...example.organization!,
        path: example.organization!.path.map((l) => ({ ...l, scps: l.scps.map((p, i) => ({ ...p, arn: p.arn ?? ARN(`p-${l.id}-${i}`) })) })),
      },
    };
    const ou = withArns.organization!.path[1]!;
    const region = ou.scps.find((p) => p.name === 'DenyOutsideApprovedRegions')!;
    const d = run(
      { 'e.txt': `User: ${JOB} is not authorized to perform: sagemaker:CreateTrainingJob on resource: arn:aws:sagemaker:us-east-1:111122223333:training-job/nightly-9 with an explicit deny in a service control policy: ${region.arn}` },
      withArns,
    );
    const m = d.matches[0]!;
    expect(m.outcome.decidedBy?.sid).toBe('DenyUntaggedTraining');
    expect(m.agrees).toBe(false);
    expect(m.disagreements).toContain(`AWS names policy ${region.arn}; the snapshot's deciding policy is ${ou.scps.find((p) => p.name === 'RequireCostCenterOnTraining')!.arn}`);
    expect(m.causes[0]).toMatch(/the policy AWS names is DenyOutsideApprovedRegions in the snapshot; its Deny statements test aws:RequestedRegion, and the flow assumed aws:RequestedRegion = us-east-1/);
    const same = run({ 'e.txt': `User: ${JOB} is not authorized to perform: sagemaker:CreateTrainingJob on resource: arn:aws:sagemaker:us-east-1:111122223333:training-job/nightly-9 with an explicit deny in a service control policy: ${ou.scps.find((p) => p.name === 'RequireCostCenterOnTraining')!.arn}` }, withArns);
    expect(same.matches[0]?.agrees).toBe(true);
  });

  it('AWS denied a request the snapshot allows', () => {
    const d = run({
      'e.txt': `User: ${STUDIO} is not authorized to perform: sagemaker:CreatePipeline on resource: arn:aws:sagemaker:us-east-1:111122223333:pipeline/nightly-report-notebook-5e6f7a8b because no identity-based policy allows the sagemaker:CreatePipeline action`,
    });
    expect(d.matches).toHaveLength(1);
    const m = d.matches[0]!;
    expect(m.outcome.step.id).toBe('schedule.create-pipeline');
    expect(m.outcome.decision).toBe('Allow');
    expect(m.agrees).toBe(false);
    expect(m.disagreements[0]).toMatch(/AWS denied this request .*; the snapshot allows it/);
    expect(m.causes.join('\n')).toMatch(/a context key the flow assumed: .*aws:RequestTag/);
  });

  it('a session policy: a layer no snapshot holds', () => {
    const d = run({ 'e.txt': `User: ${STUDIO} is not authorized to perform: sagemaker:CreatePipeline on resource: arn:aws:sagemaker:us-east-1:111122223333:pipeline/p1 because no session policy allows the sagemaker:CreatePipeline action` });
    expect(d.matches[0]?.causes.join('\n')).toMatch(/layer not read: session policies are passed when the role is assumed/);
  });

  it('SCPs named by AWS, but the snapshot of a member account could not read them', () => {
    const { organization: _org, ...noOrg } = example;
    const d = run(
      { 'e.txt': `User: ${JOB} is not authorized to perform: sagemaker:CreateTrainingJob on resource: arn:aws:sagemaker:us-east-1:111122223333:training-job/nightly-1 with an explicit deny in a service control policy` },
      noOrg as AccountSnapshot,
    );
    const m = d.matches[0]!;
    expect(m.outcome.step.id).toBe('run.create-training-job');
    expect(m.outcome.decision).toBe('Allow');
    expect(m.agrees).toBe(false);
    expect(m.causes[0]).toMatch(/layer not read: the snapshot has no organization, so no SCPs: a member account cannot list them/);
  });

  it('a decoded authorization message: context keys the flow did not assume are causes', () => {
    const decoded = {
      allowed: false,
      explicitDeny: false,
      matchedStatements: { items: [] },
      failures: { items: [] },
      context: {
        principal: { arn: JOB },
        action: 'sagemaker:CreateTrainingJob',
        resource: 'arn:aws:sagemaker:us-east-1:111122223333:training-job/nightly-2',
        conditions: { items: [{ key: 'aws:RequestTag/cost-center', values: { items: [{ value: 'ml-42' }] } }] },
      },
    };
    const d = run({ 'd.json': JSON.stringify({ DecodedMessage: JSON.stringify(decoded) }) });
    const m = d.matches[0]!;
    expect(m.outcome.decision).toBe('ExplicitDeny');
    expect(m.agrees).toBe(false);
    expect(m.disagreements[0]).toMatch(/AWS says nothing allows it; in the snapshot a Deny statement matches/);
    expect(m.causes.join('\n')).toMatch(/a context key the flow does not set: AWS's request had aws:RequestTag\/cost-center=ml-42/);
  });
});

describe('the operation and the decoded statements narrow and check the match', () => {
  const passRole = (operation: string) =>
    `An error occurred (AccessDeniedException) when calling the ${operation} operation: User: ${STUDIO} is not authorized to perform: iam:PassRole on resource: arn:aws:iam::111122223333:role/NotebookJobRole because no identity-based policy allows the iam:PassRole action`;
  it('iam:PassRole from PutTargets is the pass to EventBridge (#24), which the snapshot denies', () => {
    const d = run({ 'e.txt': passRole('PutTargets') });
    expect(d.matches.map((m) => m.outcome.step.id)).toEqual(['schedule.pass-job-role-events']);
    expect(d.matches[0]?.agrees).toBe(true);
    expect(d.matches[0]?.outcome.fix).toEqual(checkStep('schedule.pass-job-role-events')?.fix);
  });
  it('iam:PassRole from CreatePipeline is the pass to SageMaker (#19), which the snapshot allows: a disagreement', () => {
    const d = run({ 'e.txt': passRole('CreatePipeline') });
    expect(d.matches.map((m) => m.outcome.step.id)).toEqual(['schedule.pass-job-role-sagemaker']);
    expect(d.matches[0]?.agrees).toBe(false);
  });
  it('iam:PassRole from UpdatePipeline is the pass when a job definition is edited (#45), not the one at scheduling', () => {
    const d = run({ 'e.txt': passRole('UpdatePipeline') });
    expect(d.matches.map((m) => m.outcome.step.id)).toEqual(['manage.pass-job-role-update']);
  });
  it("a decoded message naming another statement than the snapshot's deciding one", () => {
    const decoded = {
      allowed: false,
      explicitDeny: true,
      matchedStatements: { items: [{ statementId: 'DenyGpuInstances', effect: 'DENY' }] },
      failures: { items: [] },
      context: { principal: { arn: JOB }, action: 'sagemaker:CreateTrainingJob', resource: 'arn:aws:sagemaker:us-east-1:111122223333:training-job/nightly-3', conditions: { items: [] } },
    };
    const m = run({ 'd.json': JSON.stringify(decoded) }).matches[0]!;
    expect(m.outcome.decidedBy?.sid).toBe('DenyUntaggedTraining');
    expect(m.agrees).toBe(false);
    expect(m.disagreements).toContain("AWS's decoded message names statement DenyGpuInstances; the snapshot's deciding statement is DenyUntaggedTraining");
  });
  it('a CloudTrail event without an error message: the rule ARN from its request parameters', () => {
    const ev = { eventSource: 'events.amazonaws.com', eventName: 'PutRule', awsRegion: 'us-east-1', recipientAccountId: '111122223333', userIdentity: { type: 'AssumedRole', arn: STUDIO }, errorCode: 'AccessDeniedException', requestParameters: { name: 'nightly-report-notebook-5e6f7a8b' } };
    const d = run({ 'ev.json': JSON.stringify(ev) });
    expect(d.matches.map((m) => m.outcome.step.id)).toEqual(['schedule.put-rule']);
    expect(d.matches[0]?.denial.resource).toBe(RULE);
  });
});

describe('the object AWS names, not the flow\'s representative one, is decided', () => {
  it('a bucket policy denying a prefix: the flow\'s input object passes, the object AWS names does not', () => {
    const bucket = 'sagemaker-automated-execution-111122223333-us-east-1';
    const withPolicy: AccountSnapshot = {
      ...example,
      s3Buckets: example.s3Buckets.map((b) => ({
        ...b,
        policy: { Version: '2012-10-17', Statement: [{ Sid: 'NoArchive', Effect: 'Deny', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/archive/*` }] },
      })),
    };
    const d = run(
      { 'e.txt': `User: ${JOB} is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::${bucket}/archive/old.ipynb" with an explicit deny in a resource-based policy` },
      withPolicy,
    );
    const m = d.matches.find((x) => x.outcome.step.id === 'run.get-input')!;
    expect(m.outcome.decision).toBe('ExplicitDeny');
    expect(m.outcome.decidedBy?.sid).toBe('NoArchive');
    expect(m.agrees).toBe(true);
    expect(m.notes.join('\n')).toMatch(/decided on arn:aws:s3:::.*\/archive\/old.ipynb as AWS names it \(ExplicitDeny\); check decides the flow's request on .* \(Allow\)/);
    expect(m.deciding?.pointer).toBe('/s3Buckets/0/policy/Statement/0');
  });
});

describe('what the flow does not make, and what cannot be matched', () => {
  it('a request outside the flow is decided as explain would, with a proven fix', () => {
    const d = run({ 'e.txt': `User: ${STUDIO} is not authorized to perform: sagemaker:CreateEndpoint on resource: arn:aws:sagemaker:us-east-1:111122223333:endpoint/e1 because no identity-based policy allows the sagemaker:CreateEndpoint action` });
    const m = d.matches[0]!;
    expect(m.inFlow).toBe(false);
    expect(m.outcome.decision).toBe('ImplicitDeny');
    expect(m.agrees).toBe(true);
    expect(m.outcome.fix?.statement).toMatchObject({ Action: 'sagemaker:CreateEndpoint' });
    expect(json(d).matches[0]).toMatchObject({ stepId: null, number: null, inFlow: false });
  });

  it('a role no service can assume and no profile uses is the caller of local JupyterLab', () => {
    const dev = {
      arn: 'arn:aws:iam::111122223333:role/LocalDeveloper',
      name: 'LocalDeveloper',
      path: '/',
      trustPolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'sts:AssumeRole' }] },
      inlinePolicies: [{ name: 'Dev', document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] } }],
      attachedPolicies: [],
      tags: {},
      serviceLinked: false,
    };
    const d = run(
      {
        'e.txt':
          'User: arn:aws:sts::111122223333:assumed-role/LocalDeveloper/alice is not authorized to perform: sagemaker:CreateTrainingJob on resource: arn:aws:sagemaker:us-east-1:111122223333:training-job/local-1 with an explicit deny in a service control policy',
      },
      { ...example, roles: [...example.roles, dev] },
    );
    const m = d.matches[0]!;
    expect(m.variant).toBe('local');
    expect(m.outcome.step.id).toBe('run-now.create-training-job');
    expect(m.agrees).toBe(true);
    expect(m.notes.join('\n')).toMatch(/taken as the caller of local JupyterLab/);
    expect(m.outcome.decidedBy?.sid).toBe('DenyUntaggedTraining');
    // No fix of ours is proven for the local variant: the SCP owner must act.
    expect(m.outcome.fix).toBeUndefined();
    expect(m.outcome.ownerChange?.owner).toBe('organization');
  });

  it('EventBridge cannot assume the job role (CloudTrail): #25, fixed in the trust policy', () => {
    const d = run({
      'trail.json': JSON.stringify({
        Records: [{ eventSource: 'sts.amazonaws.com', eventName: 'AssumeRole', userIdentity: { type: 'AWSService', invokedBy: 'events.amazonaws.com' }, errorCode: 'AccessDenied', resources: [{ ARN: 'arn:aws:iam::111122223333:role/NotebookJobRole' }] }],
      }),
    });
    expect(d.matches[0]?.outcome.step.id).toBe('run.events-assume-job-role');
    expect(d.matches[0]?.outcome.fix).toEqual(checkStep('run.events-assume-job-role')?.fix);
  });

  it.each([
    [`User: arn:aws:sts::444455556666:assumed-role/StudioExecutionRole/SageMaker is not authorized to perform: events:PutRule on resource: ${RULE}`, /account 444455556666; the snapshot is of account 111122223333/],
    ['User: arn:aws:iam::111122223333:user/alice is not authorized to perform: events:PutRule on resource: *', /IAM user alice; notebook jobs run as roles/],
    [`User: arn:aws:sts::111122223333:assumed-role/SomeOtherRole/s is not authorized to perform: events:PutRule on resource: ${RULE}`, /role SomeOtherRole is not in the snapshot/],
    ['Access Denied', /names no action or operation/],
  ])('unmatched with the reason: %s', (text, reason) => {
    const d = run({ 'e.txt': text });
    expect(d.matches).toEqual([]);
    expect(d.unmatched[0]?.reason).toMatch(reason);
    json(d);
  });

  it('S3 "Access Denied" naming only the operation: of the steps that fit, the one the snapshot denies, saying which were set aside', () => {
    const d = run({ 'e.txt': 'An error occurred (AccessDenied) when calling the GetObject operation: Access Denied' });
    expect(d.matches.map((m) => m.outcome.step.id)).toEqual(['run.driver-get-object']);
    expect(d.matches[0]?.notes.join('\n')).toMatch(/also fits #34b run.get-input, .*#43a manage.download-output, which the snapshot allows: so AWS denied this step/);
  });

  it('S3 "Access Denied" naming only the operation and the object: every step that fits, each said to be one of several', () => {
    const d = run({ 'e.txt': 'download failed: s3://sagemaker-automated-execution-111122223333-us-east-1/nightly-report-notebook-5e6f7a8b/input/notebook.ipynb to ./nb An error occurred (AccessDenied) when calling the GetObject operation: Access Denied' });
    const ids = d.matches.map((m) => m.outcome.step.id).sort();
    expect(ids).toEqual(['manage.download-output', 'run.get-input']);
    for (const m of d.matches) expect(m.notes.join('\n')).toMatch(/one of 2 steps that fit this message \(it does not name the caller\)/);
  });

  it('a hundred denials of one step make one finding in text and Markdown', () => {
    const records = Array.from({ length: 100 }, () => ({
      eventSource: 'kms.amazonaws.com',
      eventName: 'GenerateDataKey',
      userIdentity: { type: 'AssumedRole', arn: JOB },
      errorCode: 'AccessDenied',
      errorMessage: `User: ${JOB} is not authorized to perform: kms:GenerateDataKey on resource: arn:aws:kms:us-east-1:111122223333:key/5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d because no resource-based policy allows the kms:GenerateDataKey action`,
    }));
    const d = run({ 'trail.json': JSON.stringify({ Records: records }) });
    expect(d.matches).toHaveLength(100);
    const text = renderDiagnoseText(d, { snapshot: 'examples/account.json', accountId: '111122223333' });
    expect(text.match(/\[run\.output-key-generate\]/g)).toHaveLength(1);
    expect(text).toMatch(/and 97 more/);
    const md = renderDiagnoseMarkdown(d, { snapshot: 'examples/account.json', accountId: '111122223333' });
    expect(md.match(/### .*run\.output-key-generate/g)).toHaveLength(1);
  });

  it('control characters in an unreadable input are escaped in text output', () => {
    const d = run({ 'x.txt': 'boom \u001b[2J cleared' });
    const text = renderDiagnoseText(d, { snapshot: 's.json', accountId: '111122223333' });
    expect(text).not.toContain('\u001b');
    expect(text).toContain('\\u001b');
    expect(text).toMatch(/could not read an access error/);
  });
});
