/** --kind auto: the file name speaks first, then the content. */
import { describe, expect, it } from 'vitest';
import { inferKind, kindFromContent, kindFromFileName } from '../../src/cli/kind.js';

const TRUST = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sagemaker.amazonaws.com"},"Action":"sts:AssumeRole"}]}';
const WEB_IDENTITY = '{"Statement":{"Effect":"Allow","Principal":{"Federated":"x"},"Action":["sts:AssumeRoleWithWebIdentity"]}}';
const BUCKET = '{"Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b/*"}]}';
const IDENTITY = '{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}';

describe('kind from the file name', () => {
  it.each([
    ['role-trust.json', 'trust'],
    ['trust-policy.json', 'trust'],
    ['org/scp-deny-regions.json', 'scp'],
    ['SCP.json', 'scp'],
    ['rcp_baseline.json', 'rcp'],
    ['s3-vpc-endpoint-policy.json', 'vpc-endpoint'],
    ['vpce.json', 'vpc-endpoint'],
    ['kms-key-policy.json', 'key'],
    ['output-bucket-policy.json', 'bucket'],
    ['permissions-boundary.json', 'permissions-boundary'],
    ['session-policy.json', 'session'],
  ])('%s → %s', (file, kind) => {
    expect(kindFromFileName(file)).toBe(kind);
  });
  it.each(['studio-role.json', 'scpx.json', 'describe.json', 'notebook-job-permissions-policy.json', 'custom-kms-key-permissions-policy.json'])(
    '%s gives no hint',
    (file) => {
      expect(kindFromFileName(file)).toBeUndefined();
    },
  );
});

describe('kind from the content', () => {
  it('a Principal with sts:AssumeRole* is a trust policy', () => {
    expect(kindFromContent(TRUST).kind).toBe('trust');
    expect(kindFromContent(WEB_IDENTITY).kind).toBe('trust');
  });
  it('another Principal is a resource policy', () => {
    expect(kindFromContent(BUCKET)).toEqual({ kind: 'resource', reason: 'content: a Principal without sts:AssumeRole*' });
  });
  it('no Principal is an identity policy', () => {
    expect(kindFromContent(IDENTITY)).toEqual({ kind: 'identity', reason: 'content: no Principal' });
  });
  it('unreadable JSON falls back to identity and says so', () => {
    expect(kindFromContent('{"Statement": [').reason).toMatch(/not readable JSON/);
  });
});

describe('inferKind', () => {
  it('prefers the file name and says so', () => {
    expect(inferKind('my-scp.json', IDENTITY)).toEqual({ kind: 'scp', reason: 'file name' });
    expect(inferKind('policy.json', TRUST).kind).toBe('trust');
  });
});
