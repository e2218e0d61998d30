/**
 * The reader's grammar codes (src/policy/read.ts): each one fires, at the right line and
 * column, and stays quiet on the corrected policy. Sources: "Grammar of the IAM JSON policy
 * language", "IAM JSON policy elements reference", moto policy_validation (spec §1.1–§1.7).
 */
import { describe, expect, it } from 'vitest';
import type { PolicyKind } from '../../src/policy/model.js';
import { readPolicyText, readPolicyValue } from '../../src/policy/read.js';
import { READER_CODES } from '../../src/policy/rules/reader-codes.js';
import { expectFinding, expectNoFinding, policyText } from './helpers.js';

interface Case {
  readonly code: string;
  readonly page: string;
  readonly kind: PolicyKind;
  readonly bad: string;
  /** Token the finding points at, and which occurrence of it. */
  readonly needle: string;
  readonly nth?: number;
  readonly good: string;
}

const allow = { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' };
const good = policyText([allow]);

const CASES: readonly Case[] = [
  {
    code: 'invalid-json',
    page: 'Grammar of the IAM JSON policy language',
    kind: 'identity',
    bad: '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",}\n  ]\n}',
    needle: '}',
    good,
  },
  {
    code: 'duplicate-key',
    page: 'Grammar of the IAM JSON policy language (no duplicate keys, G33)',
    kind: 'identity',
    bad: [
      '{',
      '  "Version": "2012-10-17",',
      '  "Statement": {',
      '    "Effect": "Allow", "Action": "s3:*", "Resource": "*",',
      '    "Condition": {',
      '      "StringEquals": {"aws:PrincipalTag/team": "blue"},',
      '      "StringEquals": {"aws:RequestedRegion": "eu-west-1"}',
      '    }',
      '  }',
      '}',
    ].join('\n'),
    needle: '"StringEquals"',
    nth: 1,
    good: policyText({ ...allow, Condition: { StringEquals: { 'aws:PrincipalTag/team': 'blue', 'aws:RequestedRegion': 'eu-west-1' } } }),
  },
  { code: 'policy-not-object', page: 'Grammar of the IAM JSON policy language', kind: 'identity', bad: '\n  ["not", "a", "policy"]', needle: '[', good },
  {
    code: 'value-too-long',
    page: 'AWS KMS quotas (key policy document size)',
    kind: 'key',
    bad: policyText([{ ...allow, Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Resource: `arn:aws:kms:us-east-1:111122223333:key/${'k'.repeat(32_769)}` }]),
    needle: '"arn:aws:kms',
    good: policyText([{ ...allow, Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Resource: `arn:aws:kms:us-east-1:111122223333:key/${'k'.repeat(100)}` }]),
  },
  {
    code: 'unknown-policy-element',
    page: 'IAM JSON policy elements reference',
    kind: 'identity',
    bad: policyText([allow], { version: '2012-10-17' }),
    needle: '"version"',
    good,
  },
  {
    code: 'invalid-version',
    page: 'IAM JSON policy elements: Version',
    kind: 'identity',
    bad: policyText([allow], { Version: '2012-10-18' }),
    needle: '"2012-10-18"',
    good,
  },
  { code: 'invalid-id', page: 'IAM JSON policy elements: Id', kind: 'bucket', bad: policyText([{ ...allow, Principal: '*' }], { Version: '2012-10-17', Id: 42 }), needle: '42', good: policyText([{ ...allow, Principal: '*' }], { Version: '2012-10-17', Id: 'BucketPolicy1' }) },
  { code: 'missing-statement', page: 'IAM JSON policy elements: Statement', kind: 'identity', bad: '{\n  "Version": "2012-10-17"\n}', needle: '{', good },
  { code: 'empty-statement', page: 'IAM JSON policy elements: Statement', kind: 'identity', bad: policyText([]), needle: '[]', good },
  { code: 'statement-not-object', page: 'IAM JSON policy elements: Statement', kind: 'identity', bad: policyText(['s3:GetObject']), needle: '"s3:GetObject"', good },
  {
    code: 'unknown-statement-element',
    page: 'IAM JSON policy elements reference',
    kind: 'identity',
    bad: policyText([{ Effect: 'Allow', Action: 's3:GetObject', Resources: '*' }]),
    needle: '"Resources"',
    good,
  },
  { code: 'invalid-sid', page: 'IAM JSON policy elements: Sid', kind: 'identity', bad: policyText([{ Sid: 707, ...allow }]), needle: '707', good: policyText([{ Sid: 'S7', ...allow }]) },
  { code: 'invalid-effect', page: 'IAM JSON policy elements: Effect', kind: 'identity', bad: policyText([{ ...allow, Effect: 'allow' }]), needle: '"allow"', good },
  {
    code: 'missing-effect',
    page: 'IAM JSON policy elements: Effect',
    kind: 'identity',
    bad: policyText([{ Action: 's3:GetObject', Resource: '*' }]),
    needle: '{',
    nth: 1,
    good,
  },
  {
    code: 'action-and-notaction',
    page: 'IAM JSON policy elements: NotAction',
    kind: 'identity',
    bad: policyText([{ ...allow, NotAction: 'iam:*' }]),
    needle: '{',
    nth: 1,
    good,
  },
  { code: 'missing-action', page: 'IAM JSON policy elements: Action', kind: 'identity', bad: policyText([{ Effect: 'Allow', Resource: '*' }]), needle: '{', nth: 1, good },
  {
    code: 'resource-and-notresource',
    page: 'IAM JSON policy elements: NotResource',
    kind: 'identity',
    bad: policyText([{ ...allow, NotResource: 'arn:aws:s3:::hr' }]),
    needle: '{',
    nth: 1,
    good,
  },
  { code: 'missing-resource', page: 'IAM JSON policy elements: Resource', kind: 'identity', bad: policyText([{ Effect: 'Allow', Action: 's3:GetObject' }]), needle: '{', nth: 1, good },
  {
    code: 'principal-and-notprincipal',
    page: 'AWS JSON policy elements: NotPrincipal',
    kind: 'bucket',
    bad: policyText([{ ...allow, Principal: '*', NotPrincipal: { AWS: '111122223333' } }]),
    needle: '{',
    nth: 1,
    good: policyText([{ ...allow, Principal: { AWS: '111122223333' } }]),
  },
  {
    code: 'missing-principal',
    page: 'AWS JSON policy elements: Principal',
    kind: 'bucket',
    bad: policyText([allow]),
    needle: '{',
    nth: 1,
    good: policyText([{ ...allow, Principal: { AWS: '111122223333' } }]),
  },
  {
    code: 'principal-not-allowed',
    page: 'AWS JSON policy elements: Principal (not in identity policies)',
    kind: 'identity',
    bad: policyText([{ ...allow, Principal: { AWS: '111122223333' } }]),
    needle: '"Principal"',
    good,
  },
  { code: 'empty-list', page: 'Grammar of the IAM JSON policy language; G47', kind: 'identity', bad: policyText([{ ...allow, Action: [] }]), needle: '[]', good },
  { code: 'not-a-string', page: 'Grammar of the IAM JSON policy language', kind: 'identity', bad: policyText([{ ...allow, Action: ['s3:GetObject', 4242] }]), needle: '4242', good },
  {
    code: 'invalid-principal',
    page: 'AWS JSON policy elements: Principal',
    kind: 'bucket',
    bad: policyText([{ ...allow, Principal: 'arn:aws:iam::111122223333:root' }]),
    needle: '"arn:aws:iam::111122223333:root"',
    good: policyText([{ ...allow, Principal: { AWS: 'arn:aws:iam::111122223333:root' } }]),
  },
  {
    code: 'unknown-principal-type',
    page: 'AWS JSON policy elements: Principal',
    kind: 'trust',
    bad: policyText([{ Effect: 'Allow', Principal: { service: 'sagemaker.amazonaws.com' }, Action: 'sts:AssumeRole' }]),
    needle: '"service"',
    good: policyText([
      {
        Effect: 'Allow',
        Principal: { Service: 'sagemaker.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'aws:SourceAccount': '111122223333' } },
      },
    ]),
  },
  { code: 'invalid-condition', page: 'IAM JSON policy elements: Condition', kind: 'identity', bad: policyText([{ ...allow, Condition: ['aws:SecureTransport'] }]), needle: '[\n        "aws:SecureTransport"', good },
  {
    code: 'invalid-condition-value',
    page: 'IAM JSON policy elements: Condition',
    kind: 'identity',
    bad: policyText([{ ...allow, Condition: { StringEquals: { 'aws:PrincipalTag/team': null } } }]),
    needle: 'null',
    good: policyText([{ ...allow, Condition: { StringEquals: { 'aws:PrincipalTag/team': 'blue' } } }]),
  },
];

describe('reader grammar codes (read.ts)', () => {
  it('covers every code of READER_CODES exactly once', () => {
    expect(CASES.map((c) => c.code).sort()).toEqual(READER_CODES.map((c) => c.code).sort());
  });

  for (const c of CASES) {
    it(`${c.code} fires at the offending token (${c.page})`, () => {
      expectFinding(c.bad, c.kind, c.code, 'error', c.needle, { nth: c.nth });
    });
    it(`${c.code} does not fire on the corrected policy`, () => {
      expectNoFinding(c.good, c.kind, c.code);
    });
  }
});

describe('reader details', () => {
  it('suggests the right case for a misspelt element name', () => {
    const r = readPolicyText(policyText([{ effect: 'Allow', Action: 's3:GetObject', Resource: '*' }]), { kind: 'identity' });
    expect(r.findings.find((f) => f.code === 'unknown-statement-element')?.message).toContain('did you mean "Effect"');
  });

  it('missing-resource does not apply to trust policies, which normally omit Resource (Policies and permissions in IAM)', () => {
    const text = policyText([{ Effect: 'Allow', Principal: { Service: 'sagemaker.amazonaws.com' }, Action: 'sts:AssumeRole' }]);
    expectNoFinding(text, 'trust', 'missing-resource');
  });

  it('an empty NotResource list is rejected, never read as "every resource" (G47)', () => {
    const text = policyText([{ Effect: 'Allow', Action: 's3:GetObject', NotResource: [] }]);
    expectFinding(text, 'identity', 'empty-list', 'error', '[]');
  });

  it('an empty condition value list is rejected', () => {
    const text = policyText([{ ...allow, Condition: { StringEquals: { 'aws:PrincipalTag/team': [] } } }]);
    expectFinding(text, 'identity', 'empty-list', 'error', '[]');
  });

  it('with duplicate top-level keys, the first Statement is the one read (the same rule as inside statements)', () => {
    const text = '{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}, "Statement": {"Effect": "Deny", "Action": "*", "Resource": "*"}}';
    const r = readPolicyText(text, { kind: 'identity' });
    expect(r.findings.map((f) => f.code)).toEqual(['duplicate-key']);
    expect(r.policy?.statements.map((s) => s.effect)).toEqual(['Allow']);
  });

  it('reads an in-memory object without positions (line 0)', () => {
    const r = readPolicyValue({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject' }] }, { kind: 'identity' });
    const f = r.findings.find((x) => x.code === 'missing-resource');
    expect(f).toMatchObject({ path: '$.Statement[0]', line: 0, column: 0 });
  });
});
