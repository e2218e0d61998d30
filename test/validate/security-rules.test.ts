/**
 * Security rules (src/policy/rules/security-rules.ts): valid policies that grant more, or
 * protect less, than intended. Each test names the AWS page or spec gotcha it pins.
 */
import { describe, expect, it } from 'vitest';
import { SECURITY_RULE_CODES } from '../../src/policy/rules/security-rules.js';
import { expectFinding, expectNoFinding, policyText } from './helpers.js';

const passRole = (resource: unknown, extra: Record<string, unknown> = {}): string =>
  policyText([{ Effect: 'Allow', Action: 'iam:PassRole', Resource: resource, ...extra }]);
const passedTo = { Condition: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } } };

describe('iam:PassRole (Granting a user permissions to pass a role to an AWS service)', () => {
  it('passrole-wildcard-without-passedtoservice: PassRole on "*" without iam:PassedToService', () => {
    expectFinding(passRole('*'), 'identity', 'passrole-wildcard-without-passedtoservice', 'warning', '"iam:PassRole"');
  });
  it('passrole-wildcard-without-passedtoservice: PassRole on arn:aws:iam::*:role/*', () => {
    expectFinding(passRole('arn:aws:iam::*:role/*'), 'identity', 'passrole-wildcard-without-passedtoservice', 'warning', '"iam:PassRole"');
  });
  it('passrole-wildcard-without-passedtoservice: reached through iam:* and through *', () => {
    const t = policyText([{ Effect: 'Allow', Action: ['s3:GetObject', 'iam:*'], Resource: '*' }]);
    expectFinding(t, 'identity', 'passrole-wildcard-without-passedtoservice', 'warning', '"iam:*"');
    const admin = policyText([{ Effect: 'Allow', Action: '*', Resource: '*' }]);
    expectFinding(admin, 'identity', 'passrole-wildcard-without-passedtoservice', 'warning', '"*"');
  });
  it('passrole-wildcard-without-passedtoservice: reached through NotAction', () => {
    const t = policyText([{ Effect: 'Allow', NotAction: 's3:*', Resource: '*' }]);
    expectFinding(t, 'identity', 'passrole-wildcard-without-passedtoservice', 'warning', '"s3:*"');
  });
  it('passrole-wildcard-without-passedtoservice: quiet with the condition, for one named role, or for a Deny', () => {
    expectNoFinding(passRole('*', passedTo), 'identity', 'passrole-wildcard-without-passedtoservice');
    expectNoFinding(passRole('arn:aws:iam::111122223333:role/SageMakerExec'), 'identity', 'passrole-wildcard-without-passedtoservice');
    expectNoFinding(policyText([{ Effect: 'Deny', Action: 'iam:PassRole', Resource: '*' }]), 'identity', 'passrole-wildcard-without-passedtoservice');
    expectNoFinding(policyText([{ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }]), 'identity', 'passrole-wildcard-without-passedtoservice');
  });
  it('passrole-any-role: a suggestion when PassRole covers every role even with iam:PassedToService', () => {
    expectFinding(passRole('arn:aws:iam::*:role/*', passedTo), 'identity', 'passrole-any-role', 'suggestion', '"arn:aws:iam::*:role/*"');
  });
  it('passrole-any-role: every role of one account counts too', () => {
    expectFinding(passRole('arn:aws:iam::111122223333:role/*', passedTo), 'identity', 'passrole-any-role', 'suggestion', '"arn:aws:iam::111122223333:role/*"');
  });
  it('passrole-any-role: quiet for a scoped role', () => {
    expectNoFinding(passRole('arn:aws:iam::111122223333:role/SageMakerExec*', passedTo), 'identity', 'passrole-any-role');
  });
});

describe('broad grants (Security best practices in IAM; NotAction; NotResource)', () => {
  it('full-admin: Action "*" on Resource "*"', () => {
    expectFinding(policyText([{ Effect: 'Allow', Action: '*', Resource: '*' }]), 'identity', 'full-admin', 'warning', '"*"');
  });
  it('full-admin: quiet for a Deny, for one service, and in a boundary or an SCP', () => {
    expectNoFinding(policyText([{ Effect: 'Deny', Action: '*', Resource: '*' }]), 'identity', 'full-admin');
    expectNoFinding(policyText([{ Effect: 'Allow', Action: 's3:*', Resource: '*' }]), 'identity', 'full-admin');
    expectNoFinding(policyText([{ Effect: 'Allow', Action: '*', Resource: '*' }]), 'permissions-boundary', 'full-admin');
    expectNoFinding(policyText([{ Effect: 'Allow', Action: '*', Resource: '*' }]), 'scp', 'full-admin');
  });
  it('notaction-with-allow: Allow with NotAction (G2)', () => {
    expectFinding(policyText([{ Effect: 'Allow', NotAction: ['iam:*', 'organizations:*'], Resource: '*' }]), 'identity', 'notaction-with-allow', 'warning', '"iam:*"');
  });
  it('notaction-with-allow: quiet for Deny with NotAction (G4)', () => {
    expectNoFinding(policyText([{ Effect: 'Deny', NotAction: 'iam:*', Resource: '*' }]), 'identity', 'notaction-with-allow');
  });
  it('notresource-with-allow: Allow with NotResource (G3)', () => {
    expectFinding(policyText([{ Effect: 'Allow', Action: '*', NotResource: 'arn:aws:s3:::hr' }]), 'identity', 'notresource-with-allow', 'warning', '"arn:aws:s3:::hr"');
  });
  it('notresource-with-allow: quiet for Deny', () => {
    expectNoFinding(policyText([{ Effect: 'Deny', Action: 's3:*', NotResource: 'arn:aws:s3:::b/*' }]), 'identity', 'notresource-with-allow');
  });
  it('s3-object-access-all-buckets: object writes on Resource "*"', () => {
    const t = policyText([{ Effect: 'Allow', Action: ['s3:ListBucket', 's3:PutObject'], Resource: '*' }]);
    expectFinding(t, 'identity', 's3-object-access-all-buckets', 'warning', '"*"');
  });
  it('s3-object-access-all-buckets: quiet for named buckets and for bucket-level actions', () => {
    expectNoFinding(policyText([{ Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::jobs-*/*' }]), 'identity', 's3-object-access-all-buckets');
    expectNoFinding(policyText([{ Effect: 'Allow', Action: 's3:ListBucket', Resource: '*' }]), 'identity', 's3-object-access-all-buckets');
  });
});

describe('wildcard-principal-without-condition (AWS JSON policy elements: Principal)', () => {
  const st = { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' };
  it('warns on Principal "*" with no condition in a bucket policy', () => {
    expectFinding(policyText([{ ...st, Principal: '*' }]), 'bucket', 'wildcard-principal-without-condition', 'warning', '"*"');
  });
  it('warns on {"AWS": "*"} too', () => {
    expectFinding(policyText([{ ...st, Principal: { AWS: '*' } }]), 'bucket', 'wildcard-principal-without-condition', 'warning', '"*"');
  });
  it('is quiet with a condition, in endpoint policies (filters), and for a Deny', () => {
    expectNoFinding(policyText([{ ...st, Principal: '*', Condition: { StringEquals: { 'aws:PrincipalAccount': '111122223333' } } }]), 'bucket', 'wildcard-principal-without-condition');
    expectNoFinding(policyText([{ ...st, Principal: '*' }]), 'vpc-endpoint', 'wildcard-principal-without-condition');
    expectNoFinding(policyText([{ ...st, Effect: 'Deny', Principal: '*' }]), 'bucket', 'wildcard-principal-without-condition');
  });
});

describe('string operators (IAM JSON policy elements: Condition operators)', () => {
  const cond = (c: Record<string, unknown>): string => policyText([{ Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::b', Condition: c }]);
  it('stringlike-without-wildcard: suggests StringEquals', () => {
    const f = expectFinding(cond({ StringLike: { 's3:prefix': ['home/', 'shared/'] } }), 'identity', 'stringlike-without-wildcard', 'suggestion', '"s3:prefix"');
    expect(f.message).toContain('"StringEquals"');
  });
  it('stringlike-without-wildcard: quiet when a value has a wildcard; a ${*} escape is not one', () => {
    expectNoFinding(cond({ StringLike: { 's3:prefix': ['home/*', 'shared/'] } }), 'identity', 'stringlike-without-wildcard');
    expectFinding(cond({ StringLike: { 's3:prefix': 'home/${*}' } }), 'identity', 'stringlike-without-wildcard', 'suggestion', '"s3:prefix"');
  });
  it('stringequals-with-wildcard: "*" is literal under StringEquals (G18)', () => {
    const f = expectFinding(cond({ StringEquals: { 's3:prefix': 'home/*' } }), 'identity', 'stringequals-with-wildcard', 'warning', '"home/*"');
    expect(f.message).toContain('StringLike');
  });
  it('stringequals-with-wildcard: quiet for StringLike and for the ${*} escape', () => {
    expectNoFinding(cond({ StringLike: { 's3:prefix': 'home/*' } }), 'identity', 'stringequals-with-wildcard');
    expectNoFinding(cond({ StringEquals: { 's3:prefix': 'literal-${*}' } }), 'identity', 'stringequals-with-wildcard');
  });
});

describe('condition pitfalls (AWS global condition context keys; multivalued keys)', () => {
  it('bool-mfa-without-ifexists: a Deny on Bool MultiFactorAuthPresent false (G23)', () => {
    const t = policyText([{ Effect: 'Deny', Action: '*', Resource: '*', Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'false' } } }]);
    expectFinding(t, 'identity', 'bool-mfa-without-ifexists', 'warning', '"aws:MultiFactorAuthPresent"');
  });
  it('bool-mfa-without-ifexists: quiet with BoolIfExists, or for an Allow requiring MFA', () => {
    expectNoFinding(policyText([{ Effect: 'Deny', Action: '*', Resource: '*', Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': false } } }]), 'identity', 'bool-mfa-without-ifexists');
    expectNoFinding(policyText([{ Effect: 'Allow', Action: '*', Resource: '*', Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } }]), 'identity', 'bool-mfa-without-ifexists');
  });
  it('forallvalues-without-null-check: ForAllValues alone passes with no tags (G14)', () => {
    const t = policyText([{ Effect: 'Allow', Action: 'ec2:RunInstances', Resource: '*', Condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['env', 'team'] } } }]);
    expectFinding(t, 'identity', 'forallvalues-without-null-check', 'suggestion', '"aws:TagKeys"');
  });
  it('forallvalues-without-null-check: quiet with a Null check on the key', () => {
    const t = policyText([
      {
        Effect: 'Allow',
        Action: 'ec2:RunInstances',
        Resource: '*',
        Condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['env', 'team'] }, Null: { 'aws:TagKeys': 'false' } },
      },
    ]);
    expectNoFinding(t, 'identity', 'forallvalues-without-null-check');
  });
});

describe('trust and NotPrincipal (The confused deputy problem; NotPrincipal)', () => {
  const svc = { Effect: 'Allow', Principal: { Service: 'sagemaker.amazonaws.com' }, Action: 'sts:AssumeRole' };
  it('trust-service-without-source-condition: a service principal with no aws:SourceAccount/SourceArn', () => {
    expectFinding(policyText([svc]), 'trust', 'trust-service-without-source-condition', 'suggestion', '"sagemaker.amazonaws.com"');
  });
  it('trust-service-without-source-condition: quiet with aws:SourceArn (any case), or for an account principal', () => {
    expectNoFinding(policyText([{ ...svc, Condition: { ArnLike: { 'AWS:sourcearn': 'arn:aws:sagemaker:us-east-1:111122223333:*' } } }]), 'trust', 'trust-service-without-source-condition');
    expectNoFinding(policyText([{ ...svc, Principal: { AWS: '111122223333' } }]), 'trust', 'trust-service-without-source-condition');
  });
  it('deny-notprincipal: warns on Deny with NotPrincipal (G28)', () => {
    const t = policyText([{ Effect: 'Deny', NotPrincipal: { AWS: 'arn:aws:sts::111122223333:assumed-role/App/s1' }, Action: 's3:*', Resource: 'arn:aws:s3:::b/*' }]);
    expectFinding(t, 'bucket', 'deny-notprincipal', 'warning', '"NotPrincipal": ', { shift: '"NotPrincipal": '.length });
  });
  it('deny-notprincipal: quiet for Deny with Principal "*" and a condition', () => {
    const t = policyText([
      {
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: 'arn:aws:s3:::b/*',
        Condition: { ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/App' } },
      },
    ]);
    expectNoFinding(t, 'bucket', 'deny-notprincipal');
  });
});

describe('SECURITY_RULE_CODES', () => {
  it('are warnings or suggestions only, each with a source', () => {
    for (const c of SECURITY_RULE_CODES) {
      expect(['warning', 'suggestion']).toContain(c.severity);
      expect(c.source.length).toBeGreaterThan(5);
    }
  });
});
