import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runSetup, SetupError, withMissing } from '../../src/account/setup-plan.js';
import type { PlannedChange, SetupOptions } from '../../src/account/setup-plan.js';
import type { AccountSnapshot, PolicyJson } from '../../src/account/snapshot.js';
import { fakeAws, roleDocs } from './live-mock-account.js';
import type { FakeOptions } from './live-mock-account.js';

const example = JSON.parse(readFileSync(new URL('../../examples/account.json', import.meta.url), 'utf8')) as AccountSnapshot;
const KEY = 'arn:aws:kms:us-east-1:111122223333:key/5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const ACCOUNT = '111122223333';
const options: SetupOptions = { jobRoleArn: 'NotebookJobRole', outputKmsKeyArn: KEY, volumeKmsKeyArn: 'alias/notebook-jobs', sleep: () => Promise.resolve() };
const WRITES = /^(PutRolePolicy|UpdateAssumeRolePolicy|CreatePolicy|CreatePolicyVersion|DeletePolicyVersion|AttachRolePolicy|AddTags)Command$/;

const statementsOf = (doc: PolicyJson | undefined): PolicyJson[] => (Array.isArray(doc?.Statement) ? (doc.Statement as PolicyJson[]) : []);
const kinds = (changes: readonly PlannedChange[]): string[] => changes.map((c) => `${c.kind}:${'roleName' in c ? c.roleName : c.target}`);

function fake(s: AccountSnapshot = example, o: FakeOptions = {}) {
  return fakeAws(s, { pageSize: 2, ...o });
}

describe('setup --plan: the changes that make the example account pass', () => {
  it('plans from check’s proven fixes, reads only, and shows each change as a diff', async () => {
    const aws = fake();
    const r = await runSetup(options, aws.clients);
    expect(r.mode).toBe('plan');
    expect(kinds(r.plan.changes)).toEqual(['trust-policy:NotebookJobRole', 'inline-policy:StudioExecutionRole', 'inline-policy:NotebookJobRole']);
    // Read-only: no write was sent.
    for (const name of aws.commandNames()) expect(name).toMatch(/^(Get|List|Describe)/);
    // The trust policy keeps its statement; the events principal is appended.
    const trust = r.plan.changes[0]!;
    if (trust.kind !== 'trust-policy') throw new Error('expected a trust change');
    expect(statementsOf(trust.after)).toEqual([...statementsOf(trust.before), expect.objectContaining({ Principal: { Service: 'events.amazonaws.com' }, Action: 'sts:AssumeRole' })]);
    // Added lines are marked "+", kept ones are not.
    expect(r.text).toMatch(/^ {7}\+ +"Service": "events\.amazonaws\.com"$/m);
    expect(r.text).toMatch(/^ {9} +"Service": "sagemaker\.amazonaws\.com"$/m);
    expect(r.text).not.toMatch(/^ *[-+] +"Service": "sagemaker\.amazonaws\.com"$/m);
    // PassRole to EventBridge, only for the job role.
    const studio = r.plan.changes[1]!;
    expect(statementsOf('after' in studio ? studio.after : undefined)).toContainEqual(
      expect.objectContaining({ Action: 'iam:PassRole', Resource: `arn:aws:iam::${ACCOUNT}:role/NotebookJobRole`, Condition: { StringEquals: { 'iam:PassedToService': 'events.amazonaws.com' } } }),
    );
    expect(r.text).toContain('Plan only: run again with --apply');
    aws.reset();
  });

  it('never changes key or endpoint policies: it prints the statements their owners must add', async () => {
    const aws = fake();
    const r = await runSetup(options, aws.clients);
    aws.reset();
    const owners = r.plan.ownerRequests.map((o) => [o.owner, o.target?.kind]);
    expect(owners).toEqual([
      ['key-owner', 'key-policy'],
      ['network', 'vpc-endpoint-policy'],
    ]);
    const key = r.plan.ownerRequests[0]!;
    expect(key.statements).toContainEqual(expect.objectContaining({ Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/NotebookJobRole` }, Action: 'kms:CreateGrant' }));
    expect(r.text).toContain('Changes their owners must make (nbjob-iam never changes these):');
    expect(r.text).toContain('"Sid": "NbjobIamRunVolumeKeyGrant"');
    // The SCP needs a cost-center tag whose value only the user knows.
    expect(r.plan.missingTagValues).toEqual([expect.objectContaining({ key: 'cost-center', target: 'tags of user profile alice (domain d-exampledomain1)' })]);
    expect(r.text).toContain('pass --tag KEY=VALUE');
  });

  it('an SCP denial no statement can fix is for the organization to lift; it is never changed', async () => {
    const deny = { name: 'NoEventBridgeTargets', document: { Version: '2012-10-17', Statement: [{ Sid: 'DenyPutTargets', Effect: 'Deny', Action: 'events:PutTargets', Resource: '*' }] } };
    const org = example.organization!;
    const s: AccountSnapshot = { ...example, organization: { ...org, path: org.path.map((l, i) => (i === 1 ? { ...l, scps: [...l.scps, deny] } : l)) } };
    const aws = fake(s);
    const r = await runSetup({ ...options, apply: true }, aws.clients);
    aws.reset();
    const request = r.plan.ownerRequests.find((o) => o.owner === 'organization');
    expect(request).toMatchObject({ statements: [] });
    expect(request?.what).toMatch(/NoEventBridgeTargets/);
    expect(request?.summary).toMatch(/DenyPutTargets.*events:PutTargets/);
    expect(r.plan.stillFailing.some((f) => f.startsWith('schedule.put-targets'))).toBe(true);
    expect(aws.sent.some((op) => op.startsWith('organizations:') && !/:(Describe|List)/.test(op))).toBe(false);
  });

  it('says which denied read left the roles out when it cannot plan', async () => {
    const aws = fake(example, { deny: ['iam:GetAccountAuthorizationDetails'] });
    await expect(runSetup(options, aws.clients)).rejects.toThrow(/not in the snapshot's roles \(not read, denied: iam:GetAccountAuthorizationDetails\)/);
    aws.reset();
  });

  it('takes --vpc-only and --vpc-endpoint over what the domain says', async () => {
    const publicDomain = { ...example, sagemaker: { ...example.sagemaker, domains: example.sagemaker.domains.map((d) => ({ ...d, appNetworkAccessType: 'PublicInternetOnly' as const })) } };
    const aws = fake(publicDomain);
    const r = await runSetup({ ...options, vpcOnly: true, vpcEndpointId: 'vpce-0a1b2c3d4e5f60719' }, aws.clients);
    aws.reset();
    expect(r.plan.setup).toMatchObject({ vpcOnly: true, s3VpcEndpointId: 'vpce-0a1b2c3d4e5f60719' });
    expect(r.plan.notes.some((n) => n.includes('--vpc-only given'))).toBe(true);
    expect(r.plan.ownerRequests.map((o) => o.target?.kind)).toContain('vpc-endpoint-policy');
  });

  it('refuses to plan for another account than --account', async () => {
    const aws = fake();
    await expect(runSetup({ ...options, accountId: '999999999999' }, aws.clients)).rejects.toBeInstanceOf(SetupError);
    expect(aws.commandNames().some((n) => WRITES.test(n))).toBe(false);
    aws.reset();
  });
});

describe('setup --apply', () => {
  it('merges (never replaces), writes one inline policy per role, and a second --apply changes nothing', async () => {
    const aws = fake();
    const before = roleDocs(aws, 'NotebookJobRole');
    const first = await runSetup({ ...options, apply: true, tags: { 'cost-center': 'cc-1234' } }, aws.clients);
    expect(first.applied.every((a) => a.ok)).toBe(true);
    expect(first.applied.flatMap((a) => a.operations)).toEqual(['iam:UpdateAssumeRolePolicy', 'iam:PutRolePolicy', 'iam:PutRolePolicy', 'sagemaker:AddTags']);
    const after = roleDocs(aws, 'NotebookJobRole');
    // The trust policy still has its statement, plus the new one.
    expect(statementsOf(after.trust).slice(0, statementsOf(before.trust).length)).toEqual(statementsOf(before.trust));
    expect(statementsOf(after.trust)).toHaveLength(statementsOf(before.trust).length + 1);
    // The role's own inline policies are untouched; ours is added.
    expect(Object.keys(after.inline)).toEqual([...Object.keys(before.inline), 'nbjob-iam-notebook-jobs']);
    for (const name of Object.keys(before.inline)) expect(after.inline[name]).toEqual(before.inline[name]);
    expect(aws.tags.get(`arn:aws:sagemaker:us-east-1:${ACCOUNT}:user-profile/d-exampledomain1/alice`)).toEqual({ team: 'data-science', 'cost-center': 'cc-1234' });

    const writesAfterFirst = aws.commandNames().filter((n) => WRITES.test(n)).length;
    const second = await runSetup({ ...options, apply: true, tags: { 'cost-center': 'cc-1234' } }, aws.clients);
    expect(second.plan.changes).toEqual([]);
    expect(second.applied).toEqual([]);
    expect(aws.commandNames().filter((n) => WRITES.test(n)).length).toBe(writesAfterFirst);
    expect(roleDocs(aws, 'NotebookJobRole')).toEqual(after);
    expect(second.done).toBe(true);
    // The owners' changes are still listed: nbjob-iam cannot make them.
    expect(second.plan.ownerRequests.length).toBe(2);
    expect(second.text).toContain('Applied: nothing to change.');
    aws.reset();
  });

  it('adds only the missing statements to an existing nbjob-iam-notebook-jobs policy', async () => {
    const passRole = {
      Sid: 'NbjobIamSchedulePassJobRoleEvents',
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: `arn:aws:iam::${ACCOUNT}:role/NotebookJobRole`,
      Condition: { StringEquals: { 'iam:PassedToService': 'events.amazonaws.com' } },
    };
    const other = { Sid: 'KeepMe', Effect: 'Allow', Action: 'sagemaker:ListTags', Resource: '*' };
    const s: AccountSnapshot = {
      ...example,
      roles: example.roles.map((r) =>
        r.name === 'StudioExecutionRole' ? { ...r, inlinePolicies: [...r.inlinePolicies, { name: 'nbjob-iam-notebook-jobs', document: { Version: '2012-10-17', Statement: [other, passRole] } }] } : r,
      ),
    };
    const aws = fake(s);
    const r = await runSetup({ ...options, apply: true }, aws.clients);
    const change = r.plan.changes.find((c) => c.kind === 'inline-policy' && c.roleName === 'StudioExecutionRole');
    if (!change || change.kind !== 'inline-policy') throw new Error('expected an inline change');
    // PassRole to EventBridge is there already; the create-time PutRule and the calls the reference page forgets are added.
    const added = ['NbjobIamFormListDomains', 'NbjobIamSchedulePutRule', 'NbjobIamManageListPipelineExecutions', 'NbjobIamManageListRuleTags'];
    expect(change.added.map((x) => x.Sid)).toEqual(added);
    const doc = roleDocs(aws, 'StudioExecutionRole').inline['nbjob-iam-notebook-jobs'];
    expect(statementsOf(doc).map((x) => x.Sid)).toEqual(['KeepMe', 'NbjobIamSchedulePassJobRoleEvents', ...added]);
    aws.reset();
  });

  it('falls back to a customer managed policy when the inline quota would be exceeded, then is idempotent', async () => {
    const bulky = { name: 'Bulky', document: { Version: '2012-10-17', Statement: [{ Sid: 'Padding', Effect: 'Allow', Action: 'sagemaker:ListTags', Resource: Array.from({ length: 200 }, (_, i) => `arn:aws:sagemaker:us-east-1:${ACCOUNT}:space/d-x/space-${i}`) }] } };
    const s: AccountSnapshot = { ...example, roles: example.roles.map((r) => (r.name === 'StudioExecutionRole' ? { ...r, inlinePolicies: [...r.inlinePolicies, bulky] } : r)) };
    expect(JSON.stringify(bulky.document).length).toBeGreaterThan(9_000);
    const aws = fake(s);
    const first = await runSetup({ ...options, apply: true }, aws.clients);
    const change = first.plan.changes.find((c) => c.kind === 'managed-policy');
    expect(change).toMatchObject({ kind: 'managed-policy', roleName: 'StudioExecutionRole', policyName: 'nbjob-iam-notebook-jobs-StudioExecutionRole', exists: false, attached: false });
    const arn = `arn:aws:iam::${ACCOUNT}:policy/nbjob-iam-notebook-jobs-StudioExecutionRole`;
    expect(first.applied.find((a) => a.change === change)?.operations).toEqual(['iam:CreatePolicy', 'iam:AttachRolePolicy']);
    expect(roleDocs(aws, 'StudioExecutionRole').attached).toContain(arn);
    expect(roleDocs(aws, 'StudioExecutionRole').inline['nbjob-iam-notebook-jobs']).toBeUndefined();
    const second = await runSetup({ ...options, apply: true }, aws.clients);
    expect(second.plan.changes).toEqual([]);
    aws.reset();
  });

  it('respects the five-version limit: deletes the oldest non-default version before CreatePolicyVersion', async () => {
    const arn = `arn:aws:iam::${ACCOUNT}:policy/nbjob-iam-notebook-jobs-StudioExecutionRole`;
    const bulky = { name: 'Bulky', document: { Version: '2012-10-17', Statement: [{ Sid: 'Padding', Effect: 'Allow', Action: 'sagemaker:ListTags', Resource: Array.from({ length: 200 }, (_, i) => `arn:aws:sagemaker:us-east-1:${ACCOUNT}:space/d-x/space-${i}`) }] } };
    const placeholder = { Version: '2012-10-17', Statement: [{ Sid: 'Old', Effect: 'Allow', Action: 'sagemaker:ListTags', Resource: '*' }] };
    const s: AccountSnapshot = {
      ...example,
      roles: example.roles.map((r) =>
        r.name === 'StudioExecutionRole' ? { ...r, inlinePolicies: [...r.inlinePolicies, bulky], attachedPolicies: [{ name: 'nbjob-iam-notebook-jobs-StudioExecutionRole', arn, document: placeholder }] } : r,
      ),
    };
    const aws = fake(s);
    const p = aws.managed.get(arn)!;
    // Five versions; v3 is the default, v2 the oldest non-default (v1 was created later here).
    p.versions = ['v1', 'v2', 'v3', 'v4', 'v5'].map((VersionId, i) => ({
      VersionId,
      document: placeholder,
      IsDefaultVersion: VersionId === 'v3',
      CreateDate: new Date(Date.UTC(2026, 0, VersionId === 'v1' ? 20 : i + 1)),
    }));
    p.next = 6;
    const r = await runSetup({ ...options, apply: true }, aws.clients);
    const change = r.plan.changes.find((c) => c.kind === 'managed-policy');
    expect(change).toMatchObject({ exists: true, attached: true, deleteVersionId: 'v2' });
    expect(r.applied.find((a) => a.change === change)?.operations).toEqual(['iam:DeletePolicyVersion', 'iam:CreatePolicyVersion']);
    expect(p.versions.map((v) => [v.VersionId, v.IsDefaultVersion])).toEqual([
      ['v1', false],
      ['v3', false],
      ['v4', false],
      ['v5', false],
      ['v6', true],
    ]);
    // The new default keeps the old statement and adds the missing ones.
    expect(statementsOf(p.versions[4]!.document)[0]).toEqual(placeholder.Statement[0]);
    expect(statementsOf(p.versions[4]!.document).length).toBeGreaterThan(1);
    aws.reset();
  });

  it('a denied write is reported with the permission it needs; the other changes are still made', async () => {
    const aws = fake(example, { deny: ['iam:UpdateAssumeRolePolicy'], throttleOnce: ['iam:PutRolePolicy'] });
    const r = await runSetup({ ...options, apply: true }, aws.clients);
    expect(r.applied.map((a) => [a.change.kind, a.ok, a.permission])).toEqual([
      ['trust-policy', false, 'iam:UpdateAssumeRolePolicy'],
      ['inline-policy', true, undefined],
      ['inline-policy', true, undefined],
    ]);
    expect(r.done).toBe(false);
    expect(r.text).toMatch(/FAILED: role NotebookJobRole: add 1 statement\(s\) to its trust policy .*needs iam:UpdateAssumeRolePolicy/);
    aws.reset();
  });
});

describe('withMissing: merging statements into a policy', () => {
  const doc = { Version: '2012-10-17', Statement: [{ Sid: 'A', Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: 'arn:aws:s3:::b/*' }] };
  it('does not add a statement that is there already (Sid and list order aside)', () => {
    expect(withMissing(doc, [{ Sid: 'Other', Effect: 'Allow', Action: ['s3:PutObject', 's3:GetObject'], Resource: ['arn:aws:s3:::b/*'] }])).toBeUndefined();
  });
  it('appends what is missing, keeps what is there, and makes Sids unique', () => {
    const out = withMissing(doc, [{ Sid: 'A', Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::b' }]);
    expect(out?.after.Statement).toEqual([doc.Statement[0], { Sid: 'A2', Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::b' }]);
    expect(out?.added).toHaveLength(1);
  });
  it('creates a document when there is none', () => {
    expect(withMissing(undefined, [{ Effect: 'Allow', Action: 'x:Y', Resource: '*' }])?.after).toEqual({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'x:Y', Resource: '*' }] });
  });
});

describe('setup plans every variant the domain allows', () => {
  it('by default run-now and schedule: the fixes of both are united (a run-now-only plan misses the schedule)', async () => {
    const aws = fake();
    const both = await runSetup(options, aws.clients);
    const runNow = await runSetup({ ...options, variant: 'run-now' }, aws.clients);
    aws.reset();
    expect(both.plan.variants).toEqual(['run-now', 'schedule']);
    expect(runNow.plan.variants).toEqual(['run-now']);
    expect(both.text).toContain('variants run-now, schedule');
    // Only the schedule needs EventBridge: the trust statement and PassRole to events.
    expect(kinds(runNow.plan.changes)).not.toContain('trust-policy:NotebookJobRole');
    expect(kinds(both.plan.changes)).toContain('trust-policy:NotebookJobRole');
    const sids = (r: typeof both): string[] => r.plan.changes.flatMap((c) => ('added' in c ? c.added.map((x) => String(x.Sid)) : []));
    expect(sids(both)).toContain('NbjobIamSchedulePassJobRoleEvents');
    expect(sids(runNow)).not.toContain('NbjobIamSchedulePassJobRoleEvents');
    // Run-now's own create call: the SCP on CreateTrainingJob is named for both variants' steps.
    expect(both.plan.ownerRequests.length).toBeGreaterThanOrEqual(runNow.plan.ownerRequests.length);
    // Applying the plan of both variants leaves nothing for a run-now plan to add.
    const aws2 = fake();
    await runSetup({ ...options, apply: true, tags: { 'cost-center': 'cc-1234' } }, aws2.clients);
    for (const variant of ['run-now', 'schedule'] as const) expect((await runSetup({ ...options, variant, tags: { 'cost-center': 'cc-1234' } }, aws2.clients)).plan.changes).toEqual([]);
    aws2.reset();
  });
});

describe('setup checks the managed-policies-per-role quota before the managed fallback', () => {
  const bulky = { name: 'Bulky', document: { Version: '2012-10-17', Statement: [{ Sid: 'Padding', Effect: 'Allow', Action: 'sagemaker:ListTags', Resource: Array.from({ length: 200 }, (_, i) => `arn:aws:sagemaker:us-east-1:${ACCOUNT}:space/d-x/space-${i}`) }] } };
  const withAttached = (n: number): AccountSnapshot => ({
    ...example,
    roles: example.roles.map((r) =>
      r.name === 'StudioExecutionRole'
        ? { ...r, inlinePolicies: [...r.inlinePolicies, bulky], attachedPolicies: Array.from({ length: n }, (_, i) => ({ name: `Team${i}`, arn: `arn:aws:iam::${ACCOUNT}:policy/Team${i}`, document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:GetCallerIdentity', Resource: '*' }] } })) }
        : r,
    ),
  });

  it('a role at the quota read from the account (iam:GetAccountSummary) gets no managed policy: a problem, nothing attached', async () => {
    const aws = fake(withAttached(10));
    const r = await runSetup({ ...options, apply: true }, aws.clients);
    expect(aws.sent).toContain('iam:GetAccountSummary');
    expect(r.plan.changes.some((c) => c.kind === 'managed-policy')).toBe(false);
    expect(r.plan.problems).toEqual([expect.stringMatching(/role StudioExecutionRole: .*already has 10 managed policies attached, the most the account allows per role \(10\)/)]);
    expect(aws.sent).not.toContain('iam:AttachRolePolicy');
    expect(r.done).toBe(false);
    aws.reset();
  });

  it("the account's raised quota is used: with 25 allowed, the 11th managed policy is created and attached", async () => {
    const aws = fake(withAttached(10), { attachedPoliciesPerRoleQuota: 25 });
    const r = await runSetup({ ...options, apply: true }, aws.clients);
    expect(r.plan.problems).toEqual([]);
    const change = r.applied.find((a) => a.change.kind === 'managed-policy');
    expect(change).toMatchObject({ ok: true, operations: ['iam:CreatePolicy', 'iam:AttachRolePolicy'] });
    expect(roleDocs(aws, 'StudioExecutionRole').attached).toHaveLength(11);
    aws.reset();
  });

  it('the quota cannot be read (denied): the default of 10 is assumed, and the plan says so', async () => {
    const aws = fake(withAttached(9), { deny: ['iam:GetAccountSummary'] });
    const r = await runSetup(options, aws.clients);
    aws.reset();
    expect(r.plan.changes.some((c) => c.kind === 'managed-policy')).toBe(true);
    expect(r.plan.notes).toContainEqual(expect.stringMatching(/could not read the account's quota \(iam:GetAccountSummary denied, AccessDenied\): assumed the default quota of 10 managed policies per role/));
    const full = fake(withAttached(10), { deny: ['iam:GetAccountSummary'] });
    const r2 = await runSetup(options, full.clients);
    full.reset();
    expect(r2.plan.problems.join('\n')).toMatch(/the most the account allows per role \(10\)/);
  });

  it('no quota read when no managed fallback is needed', async () => {
    const aws = fake();
    await runSetup(options, aws.clients);
    expect(aws.sent).not.toContain('iam:GetAccountSummary');
    aws.reset();
  });
});

describe('setup --apply when the credentials expire midway', () => {
  it('stops, says exactly what it made and what remains, and fails; a new --apply makes only what remains', async () => {
    // Three changes: the trust policy, then the two roles' inline policies. The token expires at the second write.
    const aws = fake(example, { expireAt: { op: 'iam:PutRolePolicy' } });
    const r = await runSetup({ ...options, apply: true }, aws.clients);
    expect(r.done).toBe(false);
    expect(r.applied.map((a) => [a.change.kind, a.ok])).toEqual([['trust-policy', true]]);
    expect(r.interrupted?.remaining.map((c) => `${c.kind}:${'roleName' in c ? c.roleName : ''}`)).toEqual(['inline-policy:StudioExecutionRole', 'inline-policy:NotebookJobRole']);
    expect(r.interrupted?.reason).toMatch(/ExpiredToken/);
    expect(r.text).toMatch(/done: role NotebookJobRole: add 1 statement\(s\) to its trust policy/);
    expect(r.text).toMatch(/Stopped: AWS credentials do not work \(ExpiredToken\)/);
    expect(r.text).toMatch(/Made 1 of 3 change\(s\).*not made \(2\):/);
    expect(r.text).toMatch(/not done: role StudioExecutionRole: create inline policy nbjob-iam-notebook-jobs/);
    expect(r.text).toMatch(/not done: role NotebookJobRole: create inline policy nbjob-iam-notebook-jobs/);
    expect(r.text).toContain('run setup --apply again');
    // Nothing was written after the expiry.
    expect(aws.sent.filter((op) => op === 'iam:PutRolePolicy')).toHaveLength(1);
    // Fresh credentials: the next --apply re-reads, and makes only the two that remain.
    aws.renewCredentials();
    const again = await runSetup({ ...options, apply: true }, aws.clients);
    expect(again.interrupted).toBeUndefined();
    expect(again.applied.map((a) => [a.change.kind, 'roleName' in a.change ? a.change.roleName : '', a.ok])).toEqual([
      ['inline-policy', 'StudioExecutionRole', true],
      ['inline-policy', 'NotebookJobRole', true],
    ]);
    aws.reset();
  });

  it('a managed-policy change interrupted between its calls says which of its calls were made', async () => {
    const bulky = { name: 'Bulky', document: { Version: '2012-10-17', Statement: [{ Sid: 'Padding', Effect: 'Allow', Action: 'sagemaker:ListTags', Resource: Array.from({ length: 200 }, (_, i) => `arn:aws:sagemaker:us-east-1:${ACCOUNT}:space/d-x/space-${i}`) }] } };
    const s: AccountSnapshot = { ...example, roles: example.roles.map((r) => (r.name === 'StudioExecutionRole' ? { ...r, inlinePolicies: [...r.inlinePolicies, bulky] } : r)) };
    const aws = fake(s, { expireAt: { op: 'iam:AttachRolePolicy' } });
    const r = await runSetup({ ...options, apply: true }, aws.clients);
    aws.reset();
    expect(r.interrupted?.partial).toEqual(['iam:CreatePolicy']);
    expect(r.interrupted?.remaining[0]?.kind).toBe('managed-policy');
    expect(r.text).toMatch(/not done: role StudioExecutionRole: create managed policy .* \(interrupted: iam:CreatePolicy already made\)/);
  });

  it('credentials that expire while reading stop the run before any write', async () => {
    const reading = fake(example, { expireAt: { op: 'iam:GetAccountAuthorizationDetails' } });
    await expect(runSetup({ ...options, apply: true }, reading.clients)).rejects.toThrow(/ExpiredToken/);
    expect(reading.commandNames().some((n) => WRITES.test(n))).toBe(false);
    reading.reset();
  });
});
