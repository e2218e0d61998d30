/**
 * Grammar rules per policy kind (src/policy/rules/grammar-rules.ts), spec §1.1, §1.2,
 * §1.7–§1.9. Each code fires at the right place with the right severity, and stays quiet
 * where AWS accepts the construct.
 */
import { describe, expect, it } from 'vitest';
import { GRAMMAR_RULE_CODES, countIamChars, countUtf8Bytes } from '../../src/policy/rules/grammar-rules.js';
import { validatePolicyValue } from '../../src/policy/validate.js';
import { expectFinding, expectNoFinding, policyText, validate, withCode } from './helpers.js';

const allow = { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' };
const trustStmt = {
  Effect: 'Allow',
  Principal: { Service: 'sagemaker.amazonaws.com' },
  Action: 'sts:AssumeRole',
  Condition: { StringEquals: { 'aws:SourceAccount': '111122223333' } },
};
const scpDeny = { Effect: 'Deny', Action: 'ec2:RunInstances', Resource: '*' };
const fullAwsAccess = { Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' };

describe('version-missing / legacy-version (IAM JSON policy elements: Version; SCP/RCP syntax)', () => {
  it('version-missing: a warning for an identity policy, at the policy object', () => {
    expectFinding(policyText([allow], {}), 'identity', 'version-missing', 'warning', '{');
  });
  it('version-missing: an error for SCPs and RCPs, which require 2012-10-17', () => {
    expectFinding(policyText([scpDeny], {}), 'scp', 'version-missing', 'error', '{');
    expectFinding(policyText([fullAwsAccess], {}), 'rcp', 'version-missing', 'error', '{');
  });
  it('version-missing: quiet when Version is given', () => {
    expectNoFinding(policyText([allow]), 'identity', 'version-missing');
    expectNoFinding(policyText([allow], { Version: '2008-10-17' }), 'identity', 'version-missing');
  });
  it('legacy-version: a warning for 2008-10-17, at the Version value', () => {
    expectFinding(policyText([allow], { Version: '2008-10-17' }), 'identity', 'legacy-version', 'warning', '"2008-10-17"');
  });
  it('legacy-version: an error in an SCP', () => {
    expectFinding(policyText([scpDeny], { Version: '2008-10-17' }), 'scp', 'legacy-version', 'error', '"2008-10-17"');
  });
  it('legacy-version: quiet for 2012-10-17', () => {
    expectNoFinding(policyText([allow]), 'identity', 'legacy-version');
  });
});

describe('id-in-identity-policy (Grammar of the IAM JSON policy language, notes; A9)', () => {
  it('warns on Id in an identity policy', () => {
    expectFinding(policyText([allow], { Version: '2012-10-17', Id: 'MyPolicyId' }), 'identity', 'id-in-identity-policy', 'warning', '"MyPolicyId"');
  });
  it('accepts Id in a bucket policy', () => {
    expectNoFinding(policyText([{ ...allow, Principal: { AWS: '111122223333' } }], { Version: '2012-10-17', Id: 'MyPolicyId' }), 'bucket', 'id-in-identity-policy');
  });
});

describe('sid-invalid-characters (IAM JSON policy elements: Sid)', () => {
  it('rejects a Sid with spaces in an identity policy', () => {
    expectFinding(policyText([{ Sid: 'Allow S3 read', ...allow }]), 'identity', 'sid-invalid-characters', 'error', '"Allow S3 read"');
  });
  it('rejects a Sid with a hyphen in a trust policy', () => {
    expectFinding(policyText([{ Sid: 'Trust-SageMaker', ...trustStmt }]), 'trust', 'sid-invalid-characters', 'error', '"Trust-SageMaker"');
  });
  it('accepts the same Sid in a KMS key policy (other services allow more characters)', () => {
    expectNoFinding(policyText([{ Sid: 'Enable IAM User Permissions', ...allow, Principal: { AWS: 'arn:aws:iam::111122223333:root' } }]), 'key', 'sid-invalid-characters');
  });
  it('accepts an alphanumeric Sid', () => {
    expectNoFinding(policyText([{ Sid: 'AllowS3Read1', ...allow }]), 'identity', 'sid-invalid-characters');
  });
});

describe('duplicate-sid (IAM JSON policy elements: Sid)', () => {
  it('is an error in an IAM policy, reported at the second Sid', () => {
    const t = policyText([{ Sid: 'S1', ...allow }, { Sid: 'S1', ...allow, Action: 's3:PutObject' }]);
    const f = expectFinding(t, 'identity', 'duplicate-sid', 'error', '"S1"', { nth: 1 });
    expect(f.message).toContain('line 5');
  });
  it('is a warning in a bucket policy', () => {
    const st = { ...allow, Principal: { AWS: '111122223333' } };
    expectFinding(policyText([{ Sid: 'S1', ...st }, { Sid: 'S1', ...st }]), 'bucket', 'duplicate-sid', 'warning', '"S1"', { nth: 1 });
  });
  it('is quiet for distinct Sids', () => {
    expectNoFinding(policyText([{ Sid: 'S1', ...allow }, { Sid: 'S2', ...allow }]), 'identity', 'duplicate-sid');
  });
});

describe('NotPrincipal restrictions (AWS JSON policy elements: NotPrincipal)', () => {
  it('notprincipal-in-trust: an error at the NotPrincipal value', () => {
    const t = policyText([{ Effect: 'Deny', NotPrincipal: { AWS: '111122223333' }, Action: 'sts:AssumeRole' }, trustStmt]);
    expectFinding(t, 'trust', 'notprincipal-in-trust', 'error', '"NotPrincipal": ', { shift: '"NotPrincipal": '.length });
  });
  it('notprincipal-in-trust: quiet for Principal', () => {
    expectNoFinding(policyText([trustStmt]), 'trust', 'notprincipal-in-trust');
  });
  it('notprincipal-with-allow: an error in a bucket policy', () => {
    const t = policyText([{ ...allow, NotPrincipal: { AWS: '111122223333' } }]);
    expectFinding(t, 'bucket', 'notprincipal-with-allow', 'error', '"NotPrincipal": ', { shift: '"NotPrincipal": '.length });
  });
  it('notprincipal-with-allow: quiet for Deny', () => {
    expectNoFinding(policyText([{ ...allow, Effect: 'Deny', NotPrincipal: { AWS: '111122223333' } }]), 'bucket', 'notprincipal-with-allow');
  });
});

describe('trust-action-not-sts (How IAM roles differ from resource-based policies)', () => {
  it('rejects a non-STS action in a trust policy', () => {
    const t = policyText([{ ...trustStmt, Action: ['sts:AssumeRole', 's3:GetObject'] }]);
    expectFinding(t, 'trust', 'trust-action-not-sts', 'error', '"s3:GetObject"');
  });
  it('rejects NotAction in a trust policy', () => {
    const { Action: _a, ...rest } = trustStmt;
    expectFinding(policyText([{ ...rest, NotAction: 'iam:*' }]), 'trust', 'trust-action-not-sts', 'error', '"iam:*"');
  });
  it('rejects "*"', () => {
    expectFinding(policyText([{ ...trustStmt, Action: '*' }]), 'trust', 'trust-action-not-sts', 'error', '"*"');
  });
  it('accepts every STS trust action (any case) and sts:AssumeRole*', () => {
    const t = policyText([
      {
        ...trustStmt,
        Action: ['sts:AssumeRole', 'STS:assumerolewithsaml', 'sts:AssumeRoleWithWebIdentity', 'sts:TagSession', 'sts:SetSourceIdentity', 'sts:SetContext', 'sts:AssumeRole*'],
      },
    ]);
    expectNoFinding(t, 'trust', 'trust-action-not-sts');
  });
});

describe('SCP legacy syntax (SCP syntax, 2023 version; A7)', () => {
  it('scp-trailing-wildcard: warns on a wildcard before the end', () => {
    expectFinding(policyText([{ ...scpDeny, Action: ['ec2:Describe*', 'ec2:*Instances'] }]), 'scp', 'scp-trailing-wildcard', 'warning', '"ec2:*Instances"');
  });
  it('scp-trailing-wildcard: quiet for trailing wildcards and in identity policies', () => {
    expectNoFinding(policyText([{ ...scpDeny, Action: ['ec2:Describe*', '*'] }]), 'scp', 'scp-trailing-wildcard');
    expectNoFinding(policyText([{ ...allow, Action: 'ec2:*Instances' }]), 'identity', 'scp-trailing-wildcard');
  });
  it('scp-legacy-allow-element: warns on Condition in an SCP Allow', () => {
    const t = policyText([{ Effect: 'Allow', Action: 's3:*', Resource: '*', Condition: { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } } }]);
    expectFinding(t, 'scp', 'scp-legacy-allow-element', 'warning', '"StringEquals"');
  });
  it('scp-legacy-allow-element: quiet for a Deny with Condition and for FullAWSAccess', () => {
    const t = policyText([
      { Effect: 'Allow', Action: '*', Resource: '*' },
      { ...scpDeny, Condition: { StringNotEquals: { 'aws:RequestedRegion': 'eu-west-1' } } },
    ]);
    expectNoFinding(t, 'scp', 'scp-legacy-allow-element');
  });
});

describe('RCP syntax (Organizations "RCP syntax")', () => {
  const rcpDeny = {
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: '*',
    Condition: { BoolIfExists: { 'aws:SecureTransport': 'false' } },
  };
  it('rcp-forbidden-element: NotAction', () => {
    const { Action: _a, ...rest } = rcpDeny;
    expectFinding(policyText([{ ...rest, NotAction: 's3:GetObject' }]), 'rcp', 'rcp-forbidden-element', 'error', '"s3:GetObject"');
  });
  it('rcp-forbidden-element: an Allow other than RCPFullAWSAccess, at its Effect', () => {
    expectFinding(policyText([{ ...rcpDeny, Effect: 'Allow' }]), 'rcp', 'rcp-forbidden-element', 'error', '"Allow"');
  });
  it('rcp-forbidden-element: NotPrincipal', () => {
    const { Principal: _p, ...rest } = rcpDeny;
    const t = policyText([{ ...rest, NotPrincipal: { AWS: '111122223333' } }]);
    expectFinding(t, 'rcp', 'rcp-forbidden-element', 'error', '"NotPrincipal": ', { shift: '"NotPrincipal": '.length });
  });
  it('rcp-forbidden-element: quiet for RCPFullAWSAccess and Deny statements', () => {
    expectNoFinding(policyText([fullAwsAccess, rcpDeny]), 'rcp', 'rcp-forbidden-element');
  });
  it('rcp-principal-not-wildcard: an account principal', () => {
    const t = policyText([{ ...rcpDeny, Principal: { AWS: '111122223333' } }]);
    expectFinding(t, 'rcp', 'rcp-principal-not-wildcard', 'error', '"Principal": ', { shift: '"Principal": '.length });
  });
  it('rcp-principal-not-wildcard: quiet for "*"', () => {
    expectNoFinding(policyText([rcpDeny]), 'rcp', 'rcp-principal-not-wildcard');
  });
});

describe('gateway-endpoint-principal-not-wildcard (VPC endpoint policies; G41)', () => {
  const ep = { Effect: 'Allow', Action: 's3:*', Resource: '*' };
  it('warns on an account principal in an endpoint policy', () => {
    const t = policyText([{ ...ep, Principal: { AWS: '111122223333' } }]);
    const f = expectFinding(t, 'vpc-endpoint', 'gateway-endpoint-principal-not-wildcard', 'warning', '"Principal": ', { shift: '"Principal": '.length });
    expect(f.message).toContain('root user');
  });
  it('is quiet for "*" and {"AWS": "*"}', () => {
    expectNoFinding(policyText([{ ...ep, Principal: '*' }, { ...ep, Principal: { AWS: '*' } }]), 'vpc-endpoint', 'gateway-endpoint-principal-not-wildcard');
  });
});

describe('policy-too-large (IAM and AWS STS quotas; Organizations quotas; endpoint policies)', () => {
  const manyActions = (n: number): string[] => Array.from({ length: n }, (_, i) => `s3:GetObjectVersion${i}`);
  /** Indents every line by `n` more spaces (JSON.stringify caps indentation at 10). */
  const padded = (text: string, n: number): string => text.replace(/\n/g, `\n${' '.repeat(n)}`);

  it('fires for an identity policy over 6,144 non-whitespace characters, at line 1 column 1', () => {
    const t = policyText([{ ...allow, Action: manyActions(300) }]);
    expect(countIamChars(t)).toBeGreaterThan(6144);
    const f = expectFinding(t, 'identity', 'policy-too-large', 'error', '{');
    expect(f.message).toContain('6144');
  });

  it('does not count whitespace for IAM policies', () => {
    const t = padded(policyText([{ ...allow, Action: manyActions(50) }]), 200);
    expect(t.length).toBeGreaterThan(6144);
    expect(countIamChars(t)).toBeLessThan(6144);
    expectNoFinding(t, 'identity', 'policy-too-large');
  });

  it('counts whitespace for VPC endpoint policies (20,480 characters)', () => {
    const st = { Effect: 'Allow', Principal: '*', Action: manyActions(50), Resource: '*' };
    const t = padded(policyText([st]), 500);
    expect(t.length).toBeGreaterThan(20480);
    expect(countIamChars(t)).toBeLessThan(20480);
    expectFinding(t, 'vpc-endpoint', 'policy-too-large', 'error', '{');
  });

  it('counts UTF-8 bytes for SCPs (5,120 bytes)', () => {
    const st = { ...scpDeny, Condition: { StringNotEquals: { 'aws:PrincipalTag/team': 'é'.repeat(2600) } } };
    const t = JSON.stringify({ Version: '2012-10-17', Statement: [st] });
    expect(t.length).toBeLessThan(5120);
    expect(countUtf8Bytes(t)).toBeGreaterThan(5120);
    expectFinding(t, 'scp', 'policy-too-large', 'error', '{');
  });

  it('uses 2,048 for trust policies by default, and the configured quota when given (A6)', () => {
    const t = policyText([{ ...trustStmt, Condition: { StringEquals: { 'aws:SourceAccount': Array.from({ length: 150 }, (_, i) => String(100000000000 + i)) } } }]);
    expect(countIamChars(t)).toBeGreaterThan(2048);
    expect(countIamChars(t)).toBeLessThan(4096);
    expectFinding(t, 'trust', 'policy-too-large', 'error', '{');
    expectNoFinding(t, 'trust', 'policy-too-large', { sizeLimits: { trust: 4096 } });
  });

  it('is quiet for a small policy', () => {
    expectNoFinding(policyText([allow]), 'identity', 'policy-too-large');
  });
});

describe('invalid-characters (IAM and AWS STS quotas: allowed characters)', () => {
  it('flags a typographic apostrophe (U+2019) at its own line and column', () => {
    const t = policyText([{ ...allow, Condition: { StringEquals: { 'aws:PrincipalTag/team': 'data’s team' } } }]);
    const f = expectFinding(t, 'identity', 'invalid-characters', 'error', '’');
    expect(f.message).toContain('U+2019');
    expect(f.path).toBe('$.Statement[0].Condition.StringEquals["aws:PrincipalTag/team"]');
  });
  it('accepts Latin-1 characters such as é', () => {
    expectNoFinding(policyText([{ ...allow, Condition: { StringEquals: { 'aws:PrincipalTag/team': 'équipe' } } }]), 'identity', 'invalid-characters');
  });
  it('does not apply to bucket policies', () => {
    const t = policyText([{ ...allow, Principal: '*', Condition: { StringEquals: { 'aws:PrincipalTag/team': 'data’s team' } } }]);
    expectNoFinding(t, 'bucket', 'invalid-characters');
  });
  it('checks the strings of an in-memory policy too', () => {
    const r = validatePolicyValue({ Version: '2012-10-17', Statement: [{ ...allow, Sid: 'S😀' }] }, { kind: 'identity' });
    expect(withCode(r.findings, 'invalid-characters')).toHaveLength(1);
  });
  it('lists at most ten characters, and says how many more there are', () => {
    const t = policyText([{ ...allow, Condition: { StringEquals: { 'aws:PrincipalTag/team': '’'.repeat(25) } } }]);
    const hits = withCode(validate(t, 'identity'), 'invalid-characters');
    expect(hits).toHaveLength(10);
    expect(hits[9]?.message).toContain('15 more');
  });
});

describe('GRAMMAR_RULE_CODES', () => {
  it('names a severity, a description and an AWS source for every code', () => {
    for (const c of GRAMMAR_RULE_CODES) {
      expect(c.code).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(c.description.length).toBeGreaterThan(10);
      expect(c.source.length).toBeGreaterThan(5);
    }
  });
});
