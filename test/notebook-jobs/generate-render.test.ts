import { describe, expect, it } from 'vitest';
import { GenerateOptionsError } from '../../src/notebook-jobs/generate.js';
import type { GenerateOptions } from '../../src/notebook-jobs/generate.js';
import { hclValue, MERGE_FILTER, runGenerate, shellQuote } from '../../src/report/generate/index.js';

const A = '111122223333';
const OPTIONS: GenerateOptions = {
  accountId: A,
  region: 'us-east-1',
  studioRoleArn: `arn:aws:iam::${A}:role/service-role/StudioExecutionRole`,
  jobRoleArn: `arn:aws:iam::${A}:role/NotebookJobRole`,
  variant: ['run-now', 'schedule'],
  outputKmsKeyArn: `arn:aws:kms:us-east-1:${A}:key/5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d`,
  volumeKmsKeyArn: `arn:aws:kms:us-east-1:${A}:key/5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d`,
  vpcOnly: true,
  vpcEndpointId: 'vpce-0a1b2c3d4e5f60719',
};

describe('runGenerate', () => {
  it('returns the policies, their proof and the rendering', () => {
    const r = runGenerate({ ...OPTIONS, format: 'json' });
    expect(r.proof.ok).toBe(true);
    expect(r.policies.map((p) => p.kind)).toEqual(['inline-policy', 'inline-policy', 'trust-policy-statements', 'key-policy-statements', 'vpc-endpoint-policy-statements']);
    expect(r.notes.join('\n')).toMatch(/never replace/);
  });

  it('throws GenerateOptionsError for unusable options (a usage error for the CLI)', () => {
    expect(() => runGenerate({ ...OPTIONS, region: 'moon-1' })).toThrow(GenerateOptionsError);
    let problems: readonly string[] = [];
    try {
      runGenerate({ ...OPTIONS, inputBucket: 's3://bucket', accountId: '1' });
    } catch (e) {
      problems = (e as GenerateOptionsError).problems;
    }
    // Every problem, not the first: the account, and each ARN that is not in it, and the bucket.
    expect(problems.map((p) => p.split(' ')[0])).toEqual(['--account', '--studio-role', '--job-role', '--output-kms-key', '--volume-kms-key', '--input-bucket']);
  });
});

describe('--format json', () => {
  it('prints { policies: [ { name, kind, attachTo, document } ] }', () => {
    const out = JSON.parse(runGenerate({ ...OPTIONS, format: 'json' }).rendered) as { policies: Record<string, unknown>[] };
    expect(Object.keys(out)).toEqual(['policies']);
    for (const p of out.policies) expect(Object.keys(p)).toEqual(['name', 'kind', 'attachTo', 'document']);
    expect(out.policies[0]).toMatchObject({ name: 'nbjob-iam-notebook-jobs', kind: 'inline-policy', attachTo: OPTIONS.studioRoleArn });
    // The name check's fixes and setup use, on each role: applying both never duplicates a policy.
    expect(out.policies.filter((p) => p['kind'] === 'inline-policy').map((p) => [p['name'], p['attachTo']])).toEqual([
      ['nbjob-iam-notebook-jobs', OPTIONS.studioRoleArn],
      ['nbjob-iam-notebook-jobs', OPTIONS.jobRoleArn],
    ]);
  });
});

describe('--format cloudformation', () => {
  const r = runGenerate({ ...OPTIONS, format: 'cloudformation' });
  const t = JSON.parse(r.rendered) as {
    AWSTemplateFormatVersion: string;
    Description: string;
    Resources: Record<string, { Type: string; Properties: { RoleName: string; PolicyName: string; PolicyDocument: unknown } }>;
    Metadata: { 'nbjob-iam': { notDeployedByThisTemplate: { kind: string; attachTo: string; statements: unknown[]; whyNotAResource: string }[] } };
  };

  it('deploys each inline policy as AWS::IAM::RolePolicy on the existing role (name without path)', () => {
    expect(t.AWSTemplateFormatVersion).toBe('2010-09-09');
    expect(t.Description.length).toBeLessThanOrEqual(1024);
    const res = Object.values(t.Resources);
    expect(res.map((x) => x.Type)).toEqual(['AWS::IAM::RolePolicy', 'AWS::IAM::RolePolicy']);
    expect(res.map((x) => x.Properties.RoleName)).toEqual(['StudioExecutionRole', 'NotebookJobRole']);
    expect(res[0]!.Properties.PolicyDocument).toEqual(r.policies[0]!.document);
    for (const id of Object.keys(t.Resources)) expect(id).toMatch(/^[A-Za-z0-9]{1,255}$/);
  });

  it('trust, key and endpoint statements are documented in Metadata, not deployed', () => {
    const nd = t.Metadata['nbjob-iam'].notDeployedByThisTemplate;
    expect(nd.map((x) => x.kind)).toEqual(['trust-policy-statements', 'key-policy-statements', 'vpc-endpoint-policy-statements']);
    for (const x of nd) {
      expect(x.statements.length).toBeGreaterThan(0);
      expect(x.whyNotAResource).toMatch(/replace|whole/);
    }
    expect(r.rendered).not.toMatch(/AWS::IAM::Role"|AWS::KMS::Key|AWS::EC2::VPCEndpoint|AssumeRolePolicyDocument/);
  });
});

describe('--format terraform', () => {
  const tf = runGenerate({ ...OPTIONS, format: 'terraform' }).rendered;

  it('reads the roles with data sources and attaches aws_iam_role_policy with jsonencode', () => {
    expect(tf).toMatch(/data "aws_iam_role" "studioexecutionrole" \{\n {2}name = "StudioExecutionRole"\n\}/);
    expect(tf).toMatch(/resource "aws_iam_role_policy" "studioexecutionrole_nbjob_iam_notebook_jobs" \{\n {2}name {3}= "nbjob-iam-notebook-jobs"\n {2}role {3}= data\.aws_iam_role\.studioexecutionrole\.name\n {2}policy = jsonencode\(\{/);
    expect(tf.match(/resource "/g)?.length).toBe(2);
    expect(tf).not.toMatch(/resource "aws_(iam_role"|kms_key_policy|vpc_endpoint_policy)/);
  });

  it('merges the trust policy with the current one instead of replacing it', () => {
    expect(tf).toMatch(/source_policy_documents {3}= \[data\.aws_iam_role\.notebookjobrole\.assume_role_policy\]/);
    expect(tf).toMatch(/override_policy_documents = \[jsonencode\(\{ Version = "2012-10-17", Statement = local\.notebookjobrole_trust_policy_additions \}\)\]/);
  });

  it('brackets balance outside strings', () => {
    const code = tf
      .split('\n')
      .filter((l) => !l.startsWith('#'))
      .join('\n')
      .replace(/"(?:[^"\\]|\\.)*"/g, '""');
    for (const [open, close] of [
      ['{', '}'],
      ['[', ']'],
      ['(', ')'],
    ] as const) {
      expect(code.split(open).length).toBe(code.split(close).length);
    }
  });

  it('HCL values: keys that are not identifiers are quoted, template sequences escaped', () => {
    expect(hclValue({ 'aws:SourceArn': 'a${b}%{c}"d' })).toBe('{\n  "aws:SourceArn" = "a$${b}%%{c}\\"d"\n}');
    expect(hclValue(['x', true, 1, null, [], {}])).toBe('[\n  "x",\n  true,\n  1,\n  null,\n  [],\n  {},\n]');
  });
});

describe('--format cli', () => {
  const sh = runGenerate({ ...OPTIONS, format: 'cli' }).rendered;

  it('puts the inline policies with put-role-policy; the JSON is the policy', () => {
    const m = /aws iam put-role-policy --role-name 'StudioExecutionRole' --policy-name 'nbjob-iam-notebook-jobs' --policy-document '(.*)'$/m.exec(sh);
    expect(m).not.toBeNull();
    expect((JSON.parse(m![1]!) as { Statement: unknown[] }).Statement.length).toBeGreaterThan(5);
  });

  it('never replaces the trust policy blindly: read, merge by Sid, review, then write the merged file', () => {
    const lines = sh.split('\n');
    const get = lines.findIndex((l) => l.startsWith("aws iam get-role --role-name 'NotebookJobRole'"));
    const merge = lines.findIndex((l, i) => i > get && l.startsWith('jq --argjson add'));
    const update = lines.findIndex((l) => l.startsWith('aws iam update-assume-role-policy'));
    expect(get).toBeGreaterThan(0);
    expect(merge).toBeGreaterThan(get);
    expect(update).toBeGreaterThan(merge);
    expect(lines[update]).toMatch(/--policy-document file:\/\/NotebookJobRole-trust-policy-additions\.merged\.json$/);
    expect(sh).toMatch(/Merge, never replace/);
  });

  it('key and endpoint writes are left to their owners (commented out, after a merge)', () => {
    expect(sh).toMatch(/^# aws kms put-key-policy .*--policy file:\/\/.*\.merged\.json$/m);
    expect(sh).toMatch(/^# aws ec2 modify-vpc-endpoint .*--policy-document file:\/\/.*\.merged\.json$/m);
    expect(sh).not.toMatch(/^aws kms put-key-policy/m);
  });

  it('shell quoting and the merge program', () => {
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    // Statements with one of our Sids are dropped before ours are appended; Sid-less ones are kept.
    expect(MERGE_FILTER).toContain('(.Sid // "")');
    expect(MERGE_FILTER).toContain('+ $add');
  });
});
