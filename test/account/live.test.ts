import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { afterAll, describe, expect, it } from 'vitest';
import { AwsCaller, CredentialsError, DeniedError } from '../../src/account/aws-call.js';
import { awsClientConfig, createClients, LIVE_OPERATIONS, readLiveSnapshot, runSnapshot } from '../../src/account/live.js';
import type { LiveReadOptions } from '../../src/account/live.js';
import { readSnapshotText } from '../../src/account/read-snapshot.js';
import type { AccountSnapshot } from '../../src/account/snapshot.js';
import { check } from '../../src/notebook-jobs/check.js';
import type { CheckResult } from '../../src/notebook-jobs/check.js';
import { engineEvaluator } from '../../src/notebook-jobs/evaluate.js';
import { fakeAws } from './live-mock-account.js';
import type { FakeOptions } from './live-mock-account.js';

const example = JSON.parse(readFileSync(new URL('../../examples/account.json', import.meta.url), 'utf8')) as AccountSnapshot;
const KEY = 'arn:aws:kms:us-east-1:111122223333:key/5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const selection = { jobRoleArn: 'arn:aws:iam::111122223333:role/NotebookJobRole', outputKmsKeyArn: KEY, volumeKmsKeyArn: KEY };
const noWait = (): Promise<void> => Promise.resolve();
const flags: LiveReadOptions = { kmsKeys: ['alias/notebook-jobs'], sleep: noWait };

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

async function read(s: AccountSnapshot, fake: FakeOptions = {}, options: LiveReadOptions = flags) {
  const aws = fakeAws(s, fake);
  const result = await readLiveSnapshot(aws.clients, { ...options, now: () => new Date('2026-11-01T09:00:00Z') });
  aws.reset();
  return { ...result, aws };
}

function runCheck(s: AccountSnapshot): CheckResult {
  const out = check(s, selection, { variant: 'schedule', evaluate: engineEvaluator() });
  if (!out.ok) throw new Error(out.message);
  return out.result;
}

const failing = (r: CheckResult): string[] =>
  r.steps
    .filter((s) => s.status === 'fail')
    .map((s) => s.step.id)
    .sort();

/** What the live reader must reproduce exactly (from-cli.test.ts compares the same). */
function essence(s: AccountSnapshot): unknown {
  return JSON.parse(
    JSON.stringify({
      accountId: s.accountId,
      region: s.region,
      org: s.organization && {
        isManagementAccount: s.organization.isManagementAccount,
        scpsEnabled: s.organization.scpsEnabled,
        rcpsEnabled: s.organization.rcpsEnabled,
        path: s.organization.path.map((l) => ({ id: l.id, type: l.type, name: l.name, scps: l.scps.map((p) => [p.name, p.document]), rcps: l.rcps.map((p) => p.document) })),
      },
      roles: s.roles.map((r) => ({ ...r, attachedPolicies: r.attachedPolicies.map((p) => [p.name, p.document]) })),
      sagemaker: s.sagemaker,
      vpcEndpoints: s.vpcEndpoints.map((e) => ({ ...e, policy: e.policy ?? { Version: '2008-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }] } })),
      kmsKeys: s.kmsKeys,
      s3Buckets: s.s3Buckets,
    }),
  );
}

describe('snapshot (live): the example account read through mocked AWS SDK v3 clients', () => {
  it('reproduces examples/account.json from AWS-shaped responses (URL-encoded IAM, paginated lists)', async () => {
    const { snapshot, gaps } = await read(example);
    expect(gaps).toEqual([]);
    expect(snapshot.source).toBe('live');
    expect(essence(snapshot)).toEqual(essence(example));
  });

  it('writes a snapshot readSnapshotText accepts, on which check finds the same failures as on the example', async () => {
    const { snapshot } = await read(example);
    const reread = readSnapshotText(JSON.stringify(snapshot), 'live.json');
    expect(reread.errors).toEqual([]);
    const live = runCheck(reread.snapshot!);
    expect(failing(live)).toEqual(failing(runCheck(example)));
    expect(failing(live)).toContain('run.create-training-job');
  });

  it('is read-only: every command sent is a Get*, List* or Describe* (sts:GetCallerIdentity included)', async () => {
    const { aws, operations } = await read({ ...example, ecrRepositories: [{ arn: 'arn:aws:ecr:us-east-1:111122223333:repository/custom', name: 'custom' }] }, {}, { ...flags, ecrRepositories: ['custom'] });
    const names = aws.commandNames();
    expect(names.length).toBe(34);
    for (const name of names) expect(name).toMatch(/^(Get|List|Describe)[A-Za-z]+Command$/);
    expect(names).toContain('GetCallerIdentityCommand');
    expect(operations).toEqual([
      'ec2:DescribeVpcEndpoints',
      'ecr:DescribeRepositories',
      'ecr:GetRepositoryPolicy',
      'iam:GetAccountAuthorizationDetails',
      'kms:DescribeKey',
      'kms:GetKeyPolicy',
      'kms:ListAliases',
      'organizations:DescribeAccount',
      'organizations:DescribeOrganization',
      'organizations:DescribeOrganizationalUnit',
      'organizations:DescribePolicy',
      'organizations:ListParents',
      'organizations:ListPoliciesForTarget',
      'organizations:ListRoots',
      's3:GetBucketEncryption',
      's3:GetBucketLocation',
      's3:GetBucketPolicy',
      'sagemaker:DescribeDomain',
      'sagemaker:DescribeUserProfile',
      'sagemaker:ListDomains',
      'sagemaker:ListSpaces',
      'sagemaker:ListTags',
      'sagemaker:ListUserProfiles',
      'sts:GetCallerIdentity',
    ]);
  });

  it('follows every page: IAM Marker/IsTruncated, Organizations and EC2 NextToken', async () => {
    const { aws, snapshot } = await read(example, { pageSize: 1 });
    const count = (op: string): number => aws.sent.filter((s) => s === op).length;
    // Two roles, one page each.
    expect(count('iam:GetAccountAuthorizationDetails')).toBe(2);
    expect(snapshot.roles.map((r) => r.name)).toEqual(['StudioExecutionRole', 'NotebookJobRole']);
    // The OU has three SCPs: three pages; the root and the account one each.
    expect(count('organizations:ListPoliciesForTarget')).toBe(5);
    expect(snapshot.organization?.path[1]?.scps.map((p) => p.name)).toEqual(['FullAWSAccess', 'DenyOutsideApprovedRegions', 'RequireCostCenterOnTraining']);
    // FullAWSAccess is attached three times but described once.
    expect(count('organizations:DescribePolicy')).toBe(3);
    expect(count('ec2:DescribeVpcEndpoints')).toBe(2);
    expect(snapshot.vpcEndpoints).toHaveLength(2);
    // alice's one tag fits a page; a second one needs another.
    const twoTags = { ...example, sagemaker: { ...example.sagemaker, userProfiles: example.sagemaker.userProfiles.map((u) => ({ ...u, tags: { ...u.tags, 'cost-center': 'cc-1' } })) } };
    const again = await read(twoTags, { pageSize: 1 });
    expect(again.snapshot.sagemaker.userProfiles[0]?.tags).toEqual({ team: 'data-science', 'cost-center': 'cc-1' });
    // The domain's tags: one (empty) page; alice's two tags: two pages.
    expect(again.aws.sent.filter((s) => s === 'sagemaker:ListTags').length).toBe(3);
  });

  it('retries a throttled call (ThrottlingException, EC2 RequestLimitExceeded) and still reads everything', async () => {
    const waits: number[] = [];
    const throttleOnce = ['iam:GetAccountAuthorizationDetails', 'organizations:ListPoliciesForTarget', 'ec2:DescribeVpcEndpoints', 'sagemaker:DescribeDomain'];
    const { snapshot, gaps, retries, aws } = await read(example, { throttleOnce }, { ...flags, sleep: (ms) => (waits.push(ms), Promise.resolve()) });
    expect(gaps).toEqual([]);
    expect(retries).toBe(4);
    expect(waits).toHaveLength(4);
    expect(aws.sent.filter((s) => s === 'ec2:DescribeVpcEndpoints').length).toBe(3);
    expect(essence(snapshot)).toEqual(essence(example));
  });

  it('records a denied read as a gap with the permission it needs, and keeps the rest', async () => {
    const deny = ['organizations:ListPoliciesForTarget', 'ec2:DescribeVpcEndpoints', 'kms:GetKeyPolicy', 's3:GetBucketEncryption'];
    const { snapshot, gaps } = await read(example, { deny });
    const permissions = gaps.map((g) => g.permission).filter(Boolean);
    expect(new Set(permissions)).toEqual(new Set(['organizations:ListPoliciesForTarget', 'ec2:DescribeVpcEndpoints', 'kms:GetKeyPolicy', 's3:GetEncryptionConfiguration']));
    expect(gaps.find((g) => g.permission === 'organizations:ListPoliciesForTarget')?.message).toMatch(/^needs organizations:ListPoliciesForTarget \(AccessDeniedException\)/);
    expect(gaps.find((g) => g.permission === 'ec2:DescribeVpcEndpoints')?.message).toMatch(/UnauthorizedOperation/);
    // An incomplete picture of SCPs is left out rather than read as "deny everything".
    expect(snapshot.organization).toMatchObject({ isManagementAccount: false, scpsEnabled: false });
    expect(gaps.map((g) => g.what)).toContain('organization SCPs');
    expect(snapshot.roles).toHaveLength(2);
    expect(snapshot.kmsKeys[0]?.policy).toBeUndefined();
    // The snapshot is still valid and check marks what it cannot decide.
    const reread = readSnapshotText(JSON.stringify(snapshot), 'live.json');
    expect(reread.errors).toEqual([]);
    expect(reread.snapshot?.gaps?.length).toBe(gaps.length);
    const r = runCheck(reread.snapshot!);
    expect(r.steps.find((s) => s.step.id === 'run.output-key-generate')?.status).toBe('undecided');
    expect(r.notes.some((n) => n.includes('organizations:ListPoliciesForTarget'))).toBe(true);
  });

  it('a member account that may read nothing of Organizations still gets a snapshot', async () => {
    const deny = ['organizations:ListRoots', 'organizations:ListParents', 'organizations:ListPoliciesForTarget', 'organizations:DescribeAccount'];
    const { snapshot, gaps } = await read(example, { deny });
    expect(snapshot.organization).toMatchObject({ isManagementAccount: false, scpsEnabled: false, rcpsEnabled: false });
    expect(snapshot.organization?.path.map((l) => l.type)).toEqual(['ACCOUNT']);
    expect(gaps.map((g) => g.permission)).toEqual(expect.arrayContaining(['organizations:ListRoots', 'organizations:ListParents', 'organizations:ListPoliciesForTarget']));
    // It says that SCPs and RCPs are left out, though whether they are enabled is unknown.
    expect(gaps.map((g) => g.what)).toEqual(expect.arrayContaining(['organization SCPs', 'organization RCPs']));
    expect(readSnapshotText(JSON.stringify(snapshot), 'live.json').errors).toEqual([]);
  });

  it('an account outside any organization has no organization and no gap', async () => {
    const { organization: _o, ...rest } = example;
    const { snapshot, gaps } = await read(rest as AccountSnapshot);
    expect(snapshot.organization).toBeUndefined();
    expect(gaps).toEqual([]);
  });

  it('recognises the management account (MasterAccountId is the caller account)', async () => {
    const { snapshot } = await read({ ...example, organization: { ...example.organization!, isManagementAccount: true } });
    expect(snapshot.organization?.isManagementAccount).toBe(true);
  });

  it('reads an attached AWS managed policy with iam:GetPolicy and iam:GetPolicyVersion (URL-encoded)', async () => {
    const awsManaged = { name: 'AmazonSageMakerFullAccess', arn: 'arn:aws:iam::aws:policy/AmazonSageMakerFullAccess', document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sagemaker:*', Resource: '*' }] } };
    const s = { ...example, roles: example.roles.map((r, i) => (i === 0 ? { ...r, attachedPolicies: [awsManaged] } : r)) };
    const { snapshot, aws } = await read(s);
    expect(snapshot.roles[0]?.attachedPolicies).toEqual([awsManaged]);
    expect(aws.sent).toEqual(expect.arrayContaining(['iam:GetPolicy', 'iam:GetPolicyVersion']));
  });

  it('reads only the KMS keys that matter: none without a domain key or a flag', async () => {
    const { snapshot, aws, keyArns } = await read(example, {}, { sleep: noWait });
    expect(snapshot.kmsKeys).toEqual([]);
    expect(aws.sent.some((s) => s.startsWith('kms:'))).toBe(false);
    expect(keyArns).toEqual({});
    const withFlag = await read(example);
    expect(withFlag.keyArns).toEqual({ 'alias/notebook-jobs': KEY });
    // The domain's own key is read without a flag.
    const domainKey = { ...example, sagemaker: { ...example.sagemaker, domains: example.sagemaker.domains.map((d) => ({ ...d, kmsKeyId: KEY })) } };
    expect((await read(domainKey, {}, { sleep: noWait })).snapshot.kmsKeys.map((k) => k.arn)).toEqual([KEY]);
  });

  it('buckets: the default job bucket always, flagged ones too; a missing bucket is a note, a foreign one a gap', async () => {
    const other = { name: 'shared-input', region: 'eu-west-1', ownerAccountId: '444455556666' };
    const s = { ...example, s3Buckets: [...example.s3Buckets, other] };
    const { snapshot, notes, gaps } = await read(s, { foreignBuckets: ['shared-input'] }, { ...flags, buckets: ['shared-input', 'not-there'] });
    expect(snapshot.s3Buckets.map((b) => [b.name, b.region, b.ownerAccountId])).toEqual([
      ['sagemaker-automated-execution-111122223333-us-east-1', 'us-east-1', '111122223333'],
      ['shared-input', 'eu-west-1', undefined],
    ]);
    expect(notes).toEqual(['bucket not-there does not exist yet (the extension creates the default job bucket on first use)']);
    expect(gaps.map((g) => g.what)).toEqual(['owner of bucket shared-input']);
  });

  it('stops with CredentialsError when the credentials do not work', async () => {
    const aws = fakeAws(example, { deny: [] });
    const { STSServiceException } = await import('@aws-sdk/client-sts');
    const sts = aws.clients.sts as unknown as { send: () => Promise<never> };
    sts.send = () => Promise.reject(new STSServiceException({ name: 'ExpiredTokenException', $fault: 'client', $metadata: {}, message: 'The security token included in the request is expired' }));
    await expect(readLiveSnapshot(aws.clients, flags)).rejects.toBeInstanceOf(CredentialsError);
    aws.reset();
  });
});

describe('runSnapshot: the command', () => {
  it('writes the file, reports progress, and never writes credentials', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nbjob-live-'));
    dirs.push(dir);
    const out = join(dir, 'snapshot.json');
    const progress: [number, number, string][] = [];
    const aws = fakeAws(example, { pageSize: 2 });
    const result = await runSnapshot({ out, kmsKeys: [KEY], onProgress: (d, t, l) => progress.push([d, t, l]), sleep: noWait }, aws.clients);
    aws.reset();
    const text = readFileSync(out, 'utf8');
    expect(text).toBe(result.text);
    expect(readSnapshotText(text, out).errors).toEqual([]);
    expect(text).not.toMatch(/AKIDEXAMPLE|not-a-secret|secretAccessKey|sessionToken/);
    expect(progress.length).toBeGreaterThan(5);
    for (const [done, total] of progress) expect(done).toBeLessThanOrEqual(total);
    expect(progress.map(([d]) => d)).toEqual(progress.map((_, i) => i + 1));
    const [lastDone, lastTotal] = progress[progress.length - 1]!;
    expect(lastDone).toBe(lastTotal);
  });
});

describe('retries: the SDK adaptive retry mode, and throttling reaching the caller', () => {
  it('createClients configures adaptive retries with maxAttempts on every client', async () => {
    const clients = createClients({ region: 'us-east-1', maxAttempts: 5 });
    for (const c of Object.values(clients)) {
      const config = c.config as { maxAttempts: () => Promise<number>; retryStrategy: () => Promise<{ mode?: string }> };
      expect(await config.maxAttempts()).toBe(5);
      expect((await config.retryStrategy()).mode).toBe('adaptive');
    }
  });

  it('a real client with that config retries an HTTP ThrottlingException (SDK middleware, no mock)', async () => {
    let requests = 0;
    const requestHandler = {
      handle: async () => {
        requests += 1;
        const throttled = requests === 1;
        const body = throttled
          ? { __type: 'ThrottlingException', message: 'Rate exceeded' }
          : { KeyMetadata: { KeyId: 'k-1', Arn: 'arn:aws:kms:us-east-1:111122223333:key/k-1', AWSAccountId: '111122223333', KeyManager: 'CUSTOMER' } };
        return {
          response: {
            statusCode: throttled ? 400 : 200,
            reason: throttled ? 'Bad Request' : 'OK',
            headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': `r-${requests}` },
            body: Readable.from([Buffer.from(JSON.stringify(body))]),
          },
        };
      },
      updateHttpClientConfig: () => undefined,
      httpHandlerConfigs: () => ({}),
    };
    const kms = new KMSClient({ ...awsClientConfig({ region: 'us-east-1', maxAttempts: 3 }), credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' }, requestHandler });
    const out = await kms.send(new DescribeKeyCommand({ KeyId: 'k-1' }));
    expect(out.KeyMetadata?.KeyId).toBe('k-1');
    expect(requests).toBe(2);
    expect(out.$metadata.attempts).toBe(2);
  });

  it('the caller retries throttling up to maxAttempts, and never what the SDK already retried', async () => {
    const throttle = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    let n = 0;
    const aws = new AwsCaller({ maxAttempts: 3, sleep: noWait });
    await expect(aws.call('kms:DescribeKey', () => (n++, Promise.reject(throttle)))).rejects.toBe(throttle);
    expect(n).toBe(3);
    const retried = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { attempts: 8 } });
    let m = 0;
    await expect(aws.call('kms:DescribeKey', () => (m++, Promise.reject(retried)))).rejects.toBe(retried);
    expect(m).toBe(1);
    const denied = Object.assign(new Error('no'), { name: 'AccessDeniedException' });
    await expect(aws.call('kms:GetKeyPolicy', () => Promise.reject(denied))).rejects.toBeInstanceOf(DeniedError);
  });
});

describe('docs/live-snapshot.md lists every operation the live reader calls', () => {
  const doc = readFileSync(new URL('../../docs/live-snapshot.md', import.meta.url), 'utf8');
  for (const o of LIVE_OPERATIONS) {
    it(o.op, () => {
      expect(o.op).toMatch(/^[a-z0-9]+:(Get|List|Describe)[A-Za-z]+$/);
      expect(doc).toContain(`| \`${o.op}\` | \`${o.permission}\` |`);
    });
  }
  it('and the reader calls nothing else', async () => {
    const s = { ...example, ecrRepositories: [{ arn: 'arn:aws:ecr:us-east-1:111122223333:repository/custom', name: 'custom' }] };
    const awsManaged = { name: 'ReadOnlyAccess', arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess', document: { Version: '2012-10-17', Statement: [] } };
    const space = { domainId: 'd-exampledomain1', name: 'shared', arn: 'arn:aws:sagemaker:us-east-1:111122223333:space/d-exampledomain1/shared', tags: {} };
    const withManaged = { ...s, sagemaker: { ...s.sagemaker, spaces: [space] }, roles: s.roles.map((r, i) => (i === 0 ? { ...r, attachedPolicies: [awsManaged] } : r)) };
    const { operations } = await read(withManaged, {}, { ...flags, ecrRepositories: ['custom'] });
    expect(operations).toEqual(LIVE_OPERATIONS.map((o) => o.op).sort());
  });
});
