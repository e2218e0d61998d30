/**
 * Format rules (src/policy/rules/format-rules.ts): actions, resources, principals,
 * condition operators, keys and values, policy variables. Spec §1.3–§3.
 */
import { describe, expect, it } from 'vitest';
import type { PolicyKind } from '../../src/policy/model.js';
import {
  FORMAT_RULE_CODES,
  isValidDateValue,
  isValidIpValue,
  isValidNumericValue,
} from '../../src/policy/rules/format-rules.js';
import { validatePolicyValue } from '../../src/policy/validate.js';
import { expectFinding, expectNoFinding, policyText, validate, withCode } from './helpers.js';

const allow = { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' };
const withCondition = (condition: Record<string, unknown>): string => policyText([{ ...allow, Condition: condition }]);
const bucketWith = (principal: unknown): string => policyText([{ ...allow, Principal: principal }]);

describe('action-format (IAM JSON policy elements: Action; moto "Vendor ... is not valid")', () => {
  const cases: [string, string][] = [
    ['no colon', 's3GetObject'],
    ['two colons', 's3:Get:Object'],
    ['wildcard in the vendor', 's*:GetObject'],
    ['leading whitespace', ' s3:GetObject'],
    ['inner whitespace', 's3: GetObject'],
    ['comma-joined actions', 's3:GetObject,s3:PutObject'],
    ['no action name', 's3:'],
  ];
  for (const [what, action] of cases) {
    it(`rejects ${what}: ${JSON.stringify(action)}`, () => {
      expectFinding(policyText([{ ...allow, Action: ['s3:ListBucket', action] }]), 'identity', 'action-format', 'error', JSON.stringify(action));
    });
  }
  it('tells the whitespace and comma cases apart in its message', () => {
    const ws = expectFinding(policyText([{ ...allow, Action: ' s3:GetObject' }]), 'identity', 'action-format', 'error', '" s3:GetObject"');
    expect(ws.message).toContain('whitespace');
    const comma = expectFinding(policyText([{ ...allow, Action: 's3:GetObject,s3:PutObject' }]), 'identity', 'action-format', 'error', '"s3:GetObject,s3:PutObject"');
    expect(comma.message).toContain('["s3:GetObject","s3:PutObject"]');
  });
  it('warns on a wildcard service prefix (*:Get*)', () => {
    expectFinding(policyText([{ ...allow, Action: '*:Get*' }]), 'identity', 'action-format', 'warning', '"*:Get*"');
  });
  it('checks NotAction too', () => {
    expectFinding(policyText([{ Effect: 'Deny', NotAction: 'iam', Resource: '*' }]), 'identity', 'action-format', 'error', '"iam"');
  });
  it('accepts well-formed actions in any case, with wildcards, and "*"', () => {
    expectNoFinding(policyText([{ ...allow, Action: ['s3:GetObject', 'S3:getobject', 'ec2:Describe*', 'iam:*', '*', 'execute-api:Invoke', 'kms:ReEncrypt*'] }]), 'identity', 'action-format');
  });
});

describe('policy variables (IAM policy elements: Variables and tags)', () => {
  it('variable-in-action: warns, since Action is never expanded', () => {
    expectFinding(policyText([{ ...allow, Action: 's3:${aws:username}' }]), 'identity', 'variable-in-action', 'warning', '"s3:${aws:username}"');
  });
  it('variable-in-action: quiet for a plain action', () => {
    expectNoFinding(policyText([allow]), 'identity', 'variable-in-action');
  });
  it('variable-in-principal: warns, since Principal is never expanded', () => {
    const v = 'arn:aws:iam::111122223333:user/${aws:username}';
    expectFinding(bucketWith({ AWS: v }), 'bucket', 'variable-in-principal', 'warning', JSON.stringify(v));
  });
  it('variable-in-principal: quiet for a fixed principal', () => {
    expectNoFinding(bucketWith({ AWS: 'arn:aws:iam::111122223333:user/alice' }), 'bucket', 'variable-in-principal');
  });
  it('variable-under-legacy-version: warns in Resource under 2008-10-17 (G20)', () => {
    const t = policyText([{ ...allow, Resource: 'arn:aws:s3:::b/${aws:username}/*' }], { Version: '2008-10-17' });
    expectFinding(t, 'identity', 'variable-under-legacy-version', 'warning', '"arn:aws:s3:::b/${aws:username}/*"');
  });
  it('variable-under-legacy-version: warns in a condition value with no Version', () => {
    const t = policyText([{ ...allow, Condition: { StringEquals: { 's3:prefix': '${aws:username}/' } } }], {});
    expectFinding(t, 'identity', 'variable-under-legacy-version', 'warning', '"${aws:username}/"');
  });
  it('variable-under-legacy-version: quiet under 2012-10-17', () => {
    expectNoFinding(policyText([{ ...allow, Resource: 'arn:aws:s3:::b/${aws:username}/*' }]), 'identity', 'variable-under-legacy-version');
  });
  it('malformed-variable: an unclosed ${', () => {
    const v = 'arn:aws:s3:::b/${aws:username/*';
    expectFinding(policyText([{ ...allow, Resource: v }]), 'identity', 'malformed-variable', 'warning', JSON.stringify(v));
  });
  it('malformed-variable: a default not in single quotes', () => {
    const t = withCondition({ StringEquals: { 'aws:PrincipalTag/team': '${aws:PrincipalTag/dept, none}' } });
    const f = expectFinding(t, 'identity', 'malformed-variable', 'warning', '"${aws:PrincipalTag/dept, none}"');
    expect(f.message).toContain("'value'");
  });
  it('malformed-variable: an empty variable', () => {
    expectFinding(policyText([{ ...allow, Resource: 'arn:aws:s3:::b/${}/x' }]), 'identity', 'malformed-variable', 'warning', '"arn:aws:s3:::b/${}/x"');
  });
  it('malformed-variable: quiet for ${key}, ${key, \'default\'} and the escapes ${*} ${?} ${$}', () => {
    const t = policyText([
      {
        ...allow,
        Resource: ['arn:aws:s3:::b/${aws:username}/*', "arn:aws:s3:::b/${aws:PrincipalTag/team, 'none'}/*", 'arn:aws:s3:::b/${*}${?}${$}'],
      },
    ]);
    expectNoFinding(t, 'identity', 'malformed-variable');
  });
  it('variable-in-non-string-operator: a variable in a Numeric value', () => {
    const t = withCondition({ NumericLessThanEquals: { 's3:max-keys': '${aws:PrincipalTag/limit}' } });
    expectFinding(t, 'identity', 'variable-in-non-string-operator', 'warning', '"${aws:PrincipalTag/limit}"');
    expectNoFinding(t, 'identity', 'invalid-numeric-value');
  });
  it('variable-in-non-string-operator: a variable in an IpAddress value', () => {
    const t = withCondition({ IpAddress: { 'aws:SourceIp': '${aws:PrincipalTag/cidr}' } });
    expectFinding(t, 'identity', 'variable-in-non-string-operator', 'warning', '"${aws:PrincipalTag/cidr}"');
  });
  it('variable-in-non-string-operator: quiet for String and Arn operators, which expand variables', () => {
    const t = withCondition({
      StringEquals: { 'aws:ResourceTag/owner': '${aws:username}' },
      ArnLike: { 'aws:SourceArn': 'arn:aws:sagemaker:*:${aws:PrincipalAccount}:*' },
    });
    expectNoFinding(t, 'identity', 'variable-in-non-string-operator');
  });
});

describe('resource-format (Amazon Resource Names (ARNs); IAM JSON policy elements: Resource)', () => {
  const bad: [string, string, string][] = [
    ['not an ARN', 'my-bucket', 'ARN'],
    ['several ARNs in one string', 'arn:aws:s3:::a,arn:aws:s3:::b', 'separate'],
    ['fewer than six parts (A17)', 'arn:aws:s3:b', 'six'],
    ['an unknown partition', 'arn:amazon:s3:::b', 'partition'],
    ['a wildcard in the service segment', 'arn:aws:s*:::b', 'service'],
    ['a region in an IAM ARN', 'arn:aws:iam:us-east-1:111122223333:role/x', 'IAM'],
    ['a region in an S3 bucket ARN', 'arn:aws:s3:us-east-1::b/*', 'S3'],
    ['leading whitespace', ' arn:aws:s3:::b', 'whitespace'],
    ['a variable before the resource part', 'arn:aws:s3:${aws:RequestedRegion}::b', 'fifth colon'],
    ['an empty resource part', 'arn:aws:sns:us-east-1:111122223333:', 'empty'],
  ];
  for (const [what, r, word] of bad) {
    it(`rejects ${what}: ${JSON.stringify(r)}`, () => {
      const f = expectFinding(policyText([{ ...allow, Resource: ['arn:aws:s3:::ok/*', r] }]), 'identity', 'resource-format', 'error', JSON.stringify(r));
      expect(f.message).toContain(word);
    });
  }
  it('checks NotResource too', () => {
    expectFinding(policyText([{ Effect: 'Deny', Action: 's3:*', NotResource: 'bucket' }]), 'identity', 'resource-format', 'error', '"bucket"');
  });
  it('accepts "*", S3, IAM, access point, wildcard-partition and variable ARNs', () => {
    const t = policyText([
      {
        ...allow,
        Resource: [
          '*',
          'arn:aws:s3:::b',
          'arn:aws:s3:::b/*/test/*',
          'arn:aws:iam::*:role/*',
          'arn:aws:iam::aws:policy/AdministratorAccess',
          'arn:aws:s3:us-west-2:111122223333:accesspoint/ap1',
          'arn:aws-cn:s3:::b',
          'arn:*:s3:::b',
          'arn:aws:s3:*:*:b',
          'arn:aws:s3:::b/${aws:username}/*',
          'arn:aws:sagemaker:*:*:training-job/*',
          'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
        ],
      },
    ]);
    expectNoFinding(t, 'identity', 'resource-format');
  });
});

describe('principal-format (AWS JSON policy elements: Principal)', () => {
  const bad: [string, Record<string, string>, string, string][] = [
    ['a partial wildcard', { AWS: 'arn:aws:iam::111122223333:role/*' }, 'arn:aws:iam::111122223333:role/*', 'aws:PrincipalArn'],
    ['a malformed account ID', { AWS: '12345' }, '12345', '12 digits'],
    ['an account ID with letters in an ARN', { AWS: 'arn:aws:iam::1111x2223333:root' }, 'arn:aws:iam::1111x2223333:root', 'account'],
    ['an IAM group', { AWS: 'arn:aws:iam::111122223333:group/admins' }, 'arn:aws:iam::111122223333:group/admins', 'group'],
    ['a non-IAM ARN', { AWS: 'arn:aws:s3:::b' }, 'arn:aws:s3:::b', 'IAM'],
    ['a wildcard service', { Service: '*.amazonaws.com' }, '*.amazonaws.com', 'wildcard'],
    ['a role-session wildcard', { AWS: 'arn:aws:sts::111122223333:assumed-role/App/*' }, 'arn:aws:sts::111122223333:assumed-role/App/*', 'wildcard'],
  ];
  for (const [what, principal, value, word] of bad) {
    it(`rejects ${what}`, () => {
      const f = expectFinding(bucketWith(principal), 'bucket', 'principal-format', 'error', JSON.stringify(value));
      expect(f.message).toContain(word);
    });
  }
  it('warns on a service principal that is not a service host name', () => {
    expectFinding(bucketWith({ Service: 'sagemaker' }), 'bucket', 'principal-format', 'warning', '"sagemaker"');
  });
  it('rejects CanonicalUser in a trust policy', () => {
    const t = policyText([{ Effect: 'Allow', Principal: { CanonicalUser: 'a'.repeat(64) }, Action: 'sts:AssumeRole' }]);
    expectFinding(t, 'trust', 'principal-format', 'error', JSON.stringify('a'.repeat(64)));
  });
  it('accepts every documented principal form', () => {
    const t = bucketWith({
      AWS: [
        '*',
        '111122223333',
        'arn:aws:iam::111122223333:root',
        'arn:aws:iam::111122223333:user/path/alice',
        'arn:aws:iam::111122223333:role/service-role/SageMakerExec',
        'arn:aws:sts::111122223333:assumed-role/App/s1',
        'arn:aws:sts::111122223333:federated-user/bob',
        'AROAEXAMPLEID1234567',
      ],
      Service: ['sagemaker.amazonaws.com', 'events.amazonaws.com', 'ec2.amazonaws.com.cn'],
      Federated: ['accounts.google.com', 'arn:aws:iam::111122223333:saml-provider/Okta'],
      CanonicalUser: '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be',
    });
    expectNoFinding(t, 'bucket', 'principal-format');
  });
});

describe('unknown-condition-operator (IAM JSON policy elements: Condition operators)', () => {
  it('rejects a misspelt operator, with a did-you-mean', () => {
    const f = expectFinding(withCondition({ StringEqual: { 'aws:PrincipalTag/team': 'blue' } }), 'identity', 'unknown-condition-operator', 'error', '"StringEqual"');
    expect(f.message).toContain('did you mean "StringEquals"');
  });
  it('keeps the set prefix and IfExists in the suggestion', () => {
    const f = expectFinding(withCondition({ 'ForAnyValue:StringLikee': { 'aws:TagKeys': 'a*' } }), 'identity', 'unknown-condition-operator', 'error', '"ForAnyValue:StringLikee"');
    expect(f.message).toContain('"ForAnyValue:StringLike"');
  });
  it('rejects NullIfExists', () => {
    expectFinding(withCondition({ NullIfExists: { 'aws:TagKeys': 'false' } }), 'identity', 'unknown-condition-operator', 'error', '"NullIfExists"');
  });
  it('rejects non-canonical case and names the canonical spelling', () => {
    const f = expectFinding(withCondition({ stringequals: { 'aws:PrincipalTag/team': 'blue' } }), 'identity', 'unknown-condition-operator', 'error', '"stringequals"');
    expect(f.message).toContain('"StringEquals"');
    const g = expectFinding(withCondition({ 'forallvalues:StringEqualsIfexists': { 'aws:TagKeys': 'a' } }), 'identity', 'unknown-condition-operator', 'error', '"forallvalues:StringEqualsIfexists"');
    expect(g.message).toContain('"ForAllValues:StringEqualsIfExists"');
  });
  it('reports an operator once, however many keys it holds', () => {
    expectFinding(withCondition({ StringEqual: { 'aws:PrincipalTag/a': 'x', 'aws:PrincipalTag/b': 'y' } }), 'identity', 'unknown-condition-operator', 'error', '"StringEqual"');
  });
  it('treats operators named like Object.prototype members as plain unknown names', () => {
    for (const op of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      expectFinding(withCondition({ [op]: { 'aws:PrincipalTag/team': 'blue' } }), 'identity', 'unknown-condition-operator', 'error', JSON.stringify(op));
    }
  });
  it('accepts every operator with its prefixes and suffix', () => {
    const t = withCondition({
      'ForAnyValue:StringLikeIfExists': { 'aws:TagKeys': 'team*' },
      'ForAllValues:StringEquals': { 'aws:TagKeys': ['team', 'env'] },
      Null: { 'aws:TagKeys': 'false' },
      BoolIfExists: { 'aws:MultiFactorAuthPresent': 'true' },
      ArnNotLikeIfExists: { 'aws:SourceArn': 'arn:aws:sns:*:111122223333:*' },
      NumericGreaterThanEquals: { 's3:max-keys': '10' },
      DateLessThan: { 'aws:CurrentTime': '2026-01-01T00:00:00Z' },
      NotIpAddress: { 'aws:SourceIp': '203.0.113.0/24' },
      BinaryEquals: { 'aws:SomeBinary': 'QmluYXJ5VmFsdWU=' },
      StringNotEqualsIgnoreCase: { 'aws:PrincipalTag/team': 'Red' },
    });
    expectNoFinding(t, 'identity', 'unknown-condition-operator');
  });
});

describe('condition values (IAM JSON policy elements: Condition operators, per data type)', () => {
  const valueCases: [string, string, string, string, string][] = [
    ['invalid-date-value', 'DateLessThan', 'aws:CurrentTime', '2026-13-01', 'error'],
    ['invalid-date-value', 'DateGreaterThan', 'aws:CurrentTime', 'next tuesday', 'error'],
    ['invalid-date-value', 'DateEquals', 'aws:CurrentTime', '2026-01-01 00:00:00', 'error'],
    ['invalid-numeric-value', 'NumericLessThan', 's3:max-keys', 'ten', 'error'],
    ['invalid-ip-value', 'IpAddress', 'aws:SourceIp', '203.0.113.0/33', 'error'],
    ['invalid-ip-value', 'NotIpAddress', 'aws:SourceIp', '300.1.1.1', 'error'],
    ['invalid-ip-value', 'IpAddress', 'aws:SourceIp', '2001:db8:::1', 'error'],
    ['invalid-bool-value', 'Bool', 'aws:SecureTransport', 'yes', 'error'],
    ['invalid-arn-value', 'ArnLike', 'aws:SourceArn', 'my-topic', 'warning'],
    ['invalid-binary-value', 'BinaryEquals', 'aws:SomeBinary', 'not base64!', 'error'],
    ['null-operator-value', 'Null', 'aws:TagKeys', 'yes', 'error'],
  ];
  for (const [code, op, key, value, severity] of valueCases) {
    it(`${code}: ${op} ${JSON.stringify(value)}`, () => {
      expectFinding(withCondition({ [op]: { [key]: value } }), 'identity', code, severity as 'error' | 'warning', JSON.stringify(value));
    });
  }
  const goodCases: [string, string, string, unknown][] = [
    ['invalid-date-value', 'DateLessThan', 'aws:CurrentTime', ['2026-01-01T00:00:00Z', '2026-01-01', '1767225600', '2026-02-28T10:00+02:00', '2024-02-29T00:00:00.123Z']],
    ['invalid-numeric-value', 'NumericLessThan', 's3:max-keys', ['10', '2.5', '-3', 10]],
    ['invalid-ip-value', 'IpAddress', 'aws:SourceIp', ['203.0.113.0/24', '203.0.113.7', '2001:DB8:1234:5678::/64', '::1', '::ffff:192.0.2.1', '2001:db8::/32']],
    ['invalid-bool-value', 'Bool', 'aws:SecureTransport', [true, 'False', '${aws:PrincipalTag/flag}']],
    ['invalid-arn-value', 'ArnLike', 'aws:SourceArn', ['arn:aws:sns:*:111122223333:topic-*', '*', 'arn:aws:sagemaker:us-east-1:111122223333:training-job/x']],
    ['invalid-binary-value', 'BinaryEquals', 'aws:SomeBinary', ['QmluYXJ5VmFsdWU=', 'QUJD']],
    ['null-operator-value', 'Null', 'aws:TagKeys', ['false', 'TRUE', true]],
  ];
  for (const [code, op, key, values] of goodCases) {
    it(`${code}: quiet for valid ${op} values`, () => {
      expectNoFinding(withCondition({ [op]: { [key]: values } }), 'identity', code);
    });
  }
  it('value checks apply under set operators and IfExists', () => {
    expectFinding(withCondition({ 'ForAnyValue:DateLessThanIfExists': { 'aws:CurrentTime': 'soon' } }), 'identity', 'invalid-date-value', 'error', '"soon"');
  });
  it('date, number and IP helpers', () => {
    expect(isValidDateValue('2026-02-29')).toBe(false);
    expect(isValidDateValue('2024-02-29')).toBe(true);
    expect(isValidNumericValue('1e3')).toBe(false);
    expect(isValidIpValue('1:2:3:4:5:6:7:8')).toBe(true);
    expect(isValidIpValue('1:2:3:4:5:6:7:8:9')).toBe(false);
    expect(isValidIpValue('1:2:3:4:5:6:7')).toBe(false);
    expect(isValidIpValue('fe80::1/200')).toBe(false);
  });
});

describe('condition keys (IAM JSON policy elements: Condition)', () => {
  const bad: [string, string][] = [
    ['no service prefix', 'SourceIp'],
    ['leading whitespace', ' aws:SourceIp'],
    ['whitespace in the key name', 'aws:Source Ip'],
    ['an invalid prefix', 'a ws:SourceIp'],
  ];
  for (const [what, key] of bad) {
    it(`condition-key-format: ${what}`, () => {
      expectFinding(withCondition({ IpAddress: { [key]: '203.0.113.0/24' } }), 'identity', 'condition-key-format', 'error', JSON.stringify(key));
    });
  }
  it('condition-key-format: accepts tag keys with spaces and colons, and federated provider keys', () => {
    const t = withCondition({
      StringEquals: {
        'aws:ResourceTag/Cost Center': 'ml',
        'aws:ResourceTag/sagemaker:is-scheduling-notebook-job': 'true',
        'accounts.google.com:aud': 'x',
        'oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE:sub': 'system:serviceaccount:a:b',
        'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::b',
      },
    });
    expectNoFinding(t, 'identity', 'condition-key-format');
  });
  it('empty-condition-key: an empty key', () => {
    const t = withCondition({ StringEquals: { '': 'x' } });
    expectFinding(t, 'identity', 'empty-condition-key', 'error', '"": ');
    expectNoFinding(t, 'identity', 'condition-key-format');
  });
  it('empty-condition-key: quiet for a named key', () => {
    expectNoFinding(withCondition({ StringEquals: { 'aws:PrincipalTag/team': 'x' } }), 'identity', 'empty-condition-key');
  });
});

describe('FORMAT_RULE_CODES', () => {
  it('names a severity, a description and an AWS source for every code', () => {
    for (const c of FORMAT_RULE_CODES) {
      expect(c.code).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(c.description.length).toBeGreaterThan(10);
      expect(c.source.length).toBeGreaterThan(5);
    }
  });
  it('an in-memory policy gets the same findings, at line 0', () => {
    const kind: PolicyKind = 'identity';
    const value = { Version: '2012-10-17', Statement: [{ ...allow, Action: 's3GetObject' }] };
    expect(withCode(validate(JSON.stringify(value), kind), 'action-format')).toHaveLength(1);
    const r = validatePolicyValue(value, { kind });
    expect(withCode(r.findings, 'action-format')).toEqual([expect.objectContaining({ path: '$.Statement[0].Action', line: 0, column: 0 })]);
  });
});
