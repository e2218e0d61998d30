import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodePolicyDocument, snapshotFromCliDir } from '../../src/account/from-cli.js';
import { readSnapshotText } from '../../src/account/read-snapshot.js';
import type { AccountSnapshot } from '../../src/account/snapshot.js';
import { writeCliDir } from './cli-writer.js';

const example = JSON.parse(readFileSync(new URL('../../examples/account.json', import.meta.url), 'utf8')) as AccountSnapshot;
const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'nbjob-cli-'));
  dirs.push(d);
  return d;
}
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const DEFAULT_ENDPOINT_POLICY = { Version: '2008-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }] };

/** The parts of a snapshot the importer must reproduce exactly. */
function essence(s: AccountSnapshot): unknown {
  return {
    accountId: s.accountId,
    region: s.region,
    org: s.organization && {
      isManagementAccount: s.organization.isManagementAccount,
      path: s.organization.path.map((l) => ({ id: l.id, type: l.type, scps: l.scps.map((p) => [p.name, p.document]), rcps: l.rcps.map((p) => p.document) })),
    },
    roles: s.roles.map((r) => ({ ...r, attachedPolicies: r.attachedPolicies.map((p) => [p.name, p.document]) })),
    sagemaker: s.sagemaker,
    // AWS shows an endpoint without a custom policy with the default full-access one.
    vpcEndpoints: s.vpcEndpoints.map((e) => (JSON.stringify(e.policy ?? DEFAULT_ENDPOINT_POLICY) === JSON.stringify(DEFAULT_ENDPOINT_POLICY) ? { ...e, policy: undefined } : e)),
    kmsKeys: s.kmsKeys,
    s3Buckets: s.s3Buckets.map((b) => ({ ...b, ownerAccountId: undefined })),
  };
}

describe('snapshot --from-cli: AWS CLI outputs to a snapshot', () => {
  for (const urlEncodeIam of [false, true]) {
    it(`reads IAM documents ${urlEncodeIam ? 'URL-encoded as the IAM API returns them' : 'decoded as the AWS CLI prints them'}`, () => {
      const dir = tempDir();
      writeCliDir(example, dir, { urlEncodeIam });
      const { snapshot, errors, gaps } = snapshotFromCliDir(dir);
      expect(errors).toEqual([]);
      expect(gaps).toEqual([]);
      expect(JSON.parse(JSON.stringify(essence(snapshot)))).toEqual(JSON.parse(JSON.stringify(essence(example))));
      // What the importer writes is a valid snapshot.
      const reread = readSnapshotText(JSON.stringify(snapshot), 'out.json');
      expect(reread.errors).toEqual([]);
    });
  }

  it('names the file, line and column of a malformed output and keeps the rest', () => {
    const dir = tempDir();
    writeCliDir(example, dir, { urlEncodeIam: false });
    writeFileSync(join(dir, 'ec2-describe-vpc-endpoints.json'), '{\n  "VpcEndpoints": [\n    {"VpcEndpointId": "vpce-1",}\n  ]\n}\n');
    const { snapshot, errors } = snapshotFromCliDir(dir);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ file: 'ec2-describe-vpc-endpoints.json', line: 3 });
    expect(snapshot.roles).toHaveLength(2);
  });

  it('reports a policy document that cannot be decoded, with its JSON path', () => {
    const dir = tempDir();
    writeCliDir(example, dir, { urlEncodeIam: false });
    const file = join(dir, 'kms-get-key-policy-5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d.json');
    writeFileSync(file, JSON.stringify({ Policy: '{not json', PolicyName: 'default' }));
    const { errors } = snapshotFromCliDir(dir);
    expect(errors).toEqual([expect.objectContaining({ file: 'kms-get-key-policy-5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d.json', path: '$.Policy' })]);
  });

  it('turns missing files into gaps that say what to save', () => {
    const dir = tempDir();
    writeCliDir(example, dir, { urlEncodeIam: false });
    rmSync(join(dir, 'organizations-list-parents-ou-a1b2-ml000001.json'));
    rmSync(join(dir, 'ec2-describe-vpc-endpoints.json'));
    const { gaps } = snapshotFromCliDir(dir);
    expect(gaps.map((g) => g.what)).toEqual(expect.arrayContaining(['VPC endpoints', 'organization path', 'organization SCPs']));
    expect(gaps.find((g) => g.what === 'VPC endpoints')?.message).toMatch(/ec2-describe-vpc-endpoints\.json is missing/);
  });

  it('an unreadable SCP level is left out, never read as a level that allows nothing', () => {
    const dir = tempDir();
    writeCliDir(example, dir, { urlEncodeIam: false });
    rmSync(join(dir, 'organizations-list-policies-for-target-ou-a1b2-ml000001-scp.json'));
    const { snapshot, gaps } = snapshotFromCliDir(dir);
    expect(snapshot.organization?.scpsEnabled).toBe(false);
    expect(gaps.find((g) => g.what === 'organization SCPs')?.message).toMatch(/SCPs are not checked/);
  });

  it('a management account is recognised from describe-organization', () => {
    const dir = tempDir();
    writeCliDir({ ...example, organization: { ...example.organization!, isManagementAccount: true } }, dir, { urlEncodeIam: false });
    expect(snapshotFromCliDir(dir).snapshot.organization?.isManagementAccount).toBe(true);
  });
});

describe('decodePolicyDocument: the three shapes AWS returns', () => {
  const doc = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/a b+c' }] };
  it('an object as it is', () => expect(decodePolicyDocument(doc)).toEqual(doc));
  it('JSON inside a string (Organizations, KMS, S3, EC2)', () => expect(decodePolicyDocument(JSON.stringify(doc))).toEqual(doc));
  it('URL-encoded JSON (the IAM API), keeping a literal plus sign', () => expect(decodePolicyDocument(encodeURIComponent(JSON.stringify(doc)))).toEqual(doc));
  it('refuses what is none of them', () => expect(decodePolicyDocument('%7Bnope')).toBeUndefined());
});

describe('examples/aws-cli: the example account saved as AWS CLI output', () => {
  const dir = new URL('../../examples/aws-cli/', import.meta.url).pathname;
  it('is the example snapshot, file for file (UPDATE_EXAMPLES=1 rewrites it)', () => {
    if (process.env.UPDATE_EXAMPLES === '1') {
      rmSync(dir, { recursive: true, force: true });
      writeCliDir(example, dir, { urlEncodeIam: false });
    }
    const { snapshot, errors, gaps } = snapshotFromCliDir(dir);
    expect(errors).toEqual([]);
    expect(gaps).toEqual([]);
    expect(JSON.parse(JSON.stringify(essence(snapshot)))).toEqual(JSON.parse(JSON.stringify(essence(example))));
  });
});
