/**
 * The catalog rules (src/policy/rules/catalog-rules.ts). Each code has a test where it
 * fires, at an exact line and column, and one where it does not. AWS pages: see
 * CATALOG_RULE_CODES (Service Authorization Reference; "IAM JSON policy elements: Action /
 * Resource / Condition operators"; "Single-valued vs. multivalued context keys"; "RCPs").
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/policy/findings.js';
import type { PolicyKind } from '../../src/policy/model.js';
import { readPolicyText } from '../../src/policy/read.js';
import { CATALOG_RULE_CODES, CATALOG_RULES } from '../../src/policy/rules/catalog-rules.js';

/**
 * One statement; body line k sits on line 5 + k and starts at column 7:
 *
 *   1 {
 *   2   "Version": "2012-10-17",
 *   3   "Statement": [
 *   4     {
 *   5       <body[0]>
 */
function doc(body: readonly string[]): string {
  return ['{', '  "Version": "2012-10-17",', '  "Statement": [', '    {', ...body.map((l) => `      ${l}`), '    }', '  ]', '}'].join('\n');
}

function check(text: string, kind: PolicyKind = 'identity'): Finding[] {
  const read = readPolicyText(text, { kind });
  if (!read.policy) throw new Error(`test policy did not read: ${JSON.stringify(read.findings)}`);
  const policy = read.policy;
  return CATALOG_RULES.flatMap((r) => r.check({ policy, kind, text }));
}

function run(body: readonly string[], kind: PolicyKind = 'identity'): Finding[] {
  return check(doc(body), kind);
}

function only(findings: readonly Finding[], code: string): Finding[] {
  return findings.filter((f) => f.code === code);
}

describe('codes table', () => {
  it('lists every code once, each with a severity, a description and an AWS page', () => {
    const codes = CATALOG_RULE_CODES.map((c) => c.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const c of CATALOG_RULE_CODES) {
      expect(c.code).toMatch(/^[a-z]+(-[a-z0-9]+)+$/);
      expect(['error', 'warning', 'suggestion']).toContain(c.severity);
      expect(c.description.length).toBeGreaterThan(20);
      expect(c.source).toMatch(/^https:\/\/docs\.aws\.amazon\.com\//);
    }
    expect(CATALOG_RULES.flatMap((r) => r.codes).sort()).toEqual([...codes].sort());
  });
});

describe('unknown-service', () => {
  it('fires on a misspelt prefix, with a did-you-mean', () => {
    const f = only(run(['"Effect": "Allow",', '"Action": "sagemker:CreateTrainingJob",', '"Resource": "*"']), 'unknown-service');
    expect(f).toEqual([
      expect.objectContaining({ severity: 'error', code: 'unknown-service', path: '$.Statement[0].Action', line: 6, column: 17 }),
    ]);
    expect(f[0]?.message).toContain('did you mean "sagemaker:CreateTrainingJob"?');
  });

  it('fires in NotAction too, and explains untrimmed spaces', () => {
    const f = only(run(['"Effect": "Deny",', '"NotAction": [" s3:GetObject"],', '"Resource": "*"']), 'unknown-service');
    expect(f).toEqual([expect.objectContaining({ path: '$.Statement[0].NotAction[0]', line: 6, column: 21 })]);
    expect(f[0]?.message).toContain('IAM does not trim them');
  });

  it('does not fire on a known prefix in any case', () => {
    expect(only(run(['"Effect": "Allow",', '"Action": ["SageMaker:CreateTrainingJob", "s3:*", "*"],', '"Resource": "*"']), 'unknown-service')).toEqual([]);
  });
});

describe('unknown-action', () => {
  it('fires on s3:GetObjcet and suggests s3:GetObject', () => {
    const f = only(run(['"Effect": "Allow",', '"Action": ["s3:ListBucket", "s3:GetObjcet"],', '"Resource": "*"']), 'unknown-action');
    expect(f).toEqual([expect.objectContaining({ severity: 'error', path: '$.Statement[0].Action[1]', line: 6, column: 35 })]);
    expect(f[0]?.message).toContain('did you mean "s3:GetObject"?');
  });

  it('does not fire on an existing action written in another case', () => {
    expect(only(run(['"Effect": "Allow",', '"Action": ["S3:getobject", "iam:passrole"],', '"Resource": "*"']), 'unknown-action')).toEqual([]);
  });
});

describe('action-wildcard-matches-nothing', () => {
  it('fires on a pattern that matches no action of its service', () => {
    const f = only(run(['"Effect": "Allow",', '"Action": "s3:Gett*",', '"Resource": "*"']), 'action-wildcard-matches-nothing');
    expect(f).toEqual([expect.objectContaining({ severity: 'warning', path: '$.Statement[0].Action', line: 6, column: 17 })]);
  });

  it('does not fire on patterns that match', () => {
    expect(only(run(['"Effect": "Allow",', '"Action": ["s3:Get*", "s3:*Object", "kms:ReEncrypt*", "s3:GetObjec?"],', '"Resource": "*"']), 'action-wildcard-matches-nothing')).toEqual([]);
  });
});

describe('resource-matches-no-resource-type', () => {
  it('fires (error) on a bucket ARN for an object action', () => {
    const f = only(run(['"Effect": "Allow",', '"Action": "s3:GetObject",', '"Resource": "arn:aws:s3:::my-bucket"']), 'resource-matches-no-resource-type');
    expect(f).toEqual([expect.objectContaining({ severity: 'error', path: '$.Statement[0].Resource', line: 7, column: 19 })]);
    expect(f[0]?.message).toContain('arn:${Partition}:s3:::${BucketName}/${ObjectName}');
  });

  it('fires on an object ARN for s3:ListBucket (bucket names hold no "/"); a warning when the ARN has a wildcard', () => {
    const f = only(
      run(['"Effect": "Allow",', '"Action": "s3:ListBucket",', '"Resource": ["arn:aws:s3:::my-bucket", "arn:aws:s3:::my-bucket/*", "arn:aws:s3:::b/k"]']),
      'resource-matches-no-resource-type',
    );
    expect(f).toEqual([
      expect.objectContaining({ severity: 'warning', path: '$.Statement[0].Resource[1]', line: 7, column: 46 }),
      expect.objectContaining({ severity: 'error', path: '$.Statement[0].Resource[2]', line: 7, column: 74 }),
    ]);
  });

  it('fires on a user ARN for iam:PassRole', () => {
    const f = only(run(['"Effect": "Allow",', '"Action": "iam:PassRole",', '"Resource": "arn:aws:iam::111122223333:user/alice"']), 'resource-matches-no-resource-type');
    expect(f).toEqual([expect.objectContaining({ severity: 'error', line: 7, column: 19 })]);
  });

  it('only warns when the ARN fits once letter case is ignored (spec A10), and says so', () => {
    const f = only(
      run(['"Effect": "Allow",', '"Action": "states:StartExecution",', '"Resource": "arn:aws:states:us-east-1:111122223333:statemachine:pipeline"']),
      'resource-matches-no-resource-type',
    );
    expect(f).toEqual([expect.objectContaining({ severity: 'warning', path: '$.Statement[0].Resource', line: 7, column: 19 })]);
    expect(f[0]?.message).toContain('only if letter case is ignored');
  });

  it('only warns when the actions are wildcards', () => {
    const f = only(run(['"Effect": "Allow",', '"Action": "s3:Get*",', '"Resource": "arn:aws:kms:us-east-1:111122223333:key/k"']), 'resource-matches-no-resource-type');
    expect(f).toEqual([expect.objectContaining({ severity: 'warning', line: 7, column: 19 })]);
  });

  it('does not fire where an ARN fits, nor on *, wildcards, variables, NotResource or unknown actions', () => {
    const cases: string[][] = [
      ['"Effect": "Allow",', '"Action": ["s3:CreateBucket", "s3:PutBucketVersioning"],', '"Resource": "arn:aws:s3:::sagemaker-automated-execution-*"'],
      ['"Effect": "Allow",', '"Action": ["s3:GetObject", "s3:ListBucket"],', '"Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"]'],
      ['"Effect": "Allow",', '"Action": "s3:GetObject",', '"Resource": "arn:aws:s3:::b/${aws:username}/*"'],
      ['"Effect": "Allow",', '"Action": "s3:GetObject",', '"Resource": "*"'],
      ['"Effect": "Deny",', '"Action": "s3:GetObject",', '"NotResource": "arn:aws:s3:::b"'],
      ['"Effect": "Allow",', '"Action": "*",', '"Resource": "arn:aws:s3:::b"'],
      ['"Effect": "Allow",', '"NotAction": "s3:GetObject",', '"Resource": "arn:aws:s3:::b"'],
      ['"Effect": "Allow",', '"Action": "iam:PassRole",', '"Resource": "arn:aws:iam::*:role/*"'],
      ['"Effect": "Allow",', '"Action": "sagemaker:ListTags",', '"Resource": "arn:aws:sagemaker:*:*:user-profile/*"'],
      ['"Effect": "Allow",', '"Action": "s3:GetObjcet",', '"Resource": "arn:aws:s3:::b"'],
      ['"Effect": "Allow",', '"Action": "s3:GetObject",', '"Resource": "your_KMS_key_ARN"'],
    ];
    for (const body of cases) expect(only(run(body), 'resource-matches-no-resource-type'), body.join(' ')).toEqual([]);
  });
});

describe('action-requires-wildcard-resource', () => {
  it('fires on s3:ListAllMyBuckets with a specific ARN', () => {
    const f = only(run(['"Effect": "Allow",', '"Action": ["s3:GetObject", "s3:ListAllMyBuckets"],', '"Resource": "arn:aws:s3:::*"']), 'action-requires-wildcard-resource');
    expect(f).toEqual([expect.objectContaining({ severity: 'warning', path: '$.Statement[0].Action[1]', line: 6, column: 34 })]);
  });

  it('does not fire with "Resource": "*" nor for a wildcard action', () => {
    expect(only(run(['"Effect": "Allow",', '"Action": ["s3:ListAllMyBuckets", "ecr:GetAuthorizationToken"],', '"Resource": "*"']), 'action-requires-wildcard-resource')).toEqual([]);
    expect(only(run(['"Effect": "Allow",', '"Action": "s3:List*",', '"Resource": "arn:aws:s3:::b"']), 'action-requires-wildcard-resource')).toEqual([]);
  });
});

function conditionDoc(operator: string, key: string, value: string, action = '"s3:GetObject"'): string[] {
  return ['"Effect": "Allow",', `"Action": ${action},`, '"Resource": "*",', `"Condition": {"${operator}": {"${key}": ${value}}}`];
}

/** Column of the key in conditionDoc's line 8. */
function keyColumn(operator: string): number {
  return 7 + '"Condition": {"'.length + operator.length + '": {'.length;
}

describe('unknown-condition-key', () => {
  it('fires on a misspelt global key with a did-you-mean', () => {
    const f = only(run(conditionDoc('IpAddress', 'aws:SourceIpp', '"203.0.113.0/24"')), 'unknown-condition-key');
    expect(f).toEqual([
      expect.objectContaining({ severity: 'error', path: '$.Statement[0].Condition.IpAddress["aws:SourceIpp"]', line: 8, column: keyColumn('IpAddress') }),
    ]);
    expect(f[0]?.line).toBe(8);
    expect(f[0]?.column).toBe(35);
    expect(f[0]?.message).toContain('did you mean "aws:SourceIp"?');
  });

  it('fires on a tag template with the tag missing, and on a misspelt service key', () => {
    const tag = only(run(conditionDoc('StringEquals', 'aws:RequestTag/', '"x"')), 'unknown-condition-key');
    expect(tag).toEqual([expect.objectContaining({ line: 8, column: keyColumn('StringEquals') })]);
    expect(tag[0]?.message).toContain('needs a tag or context key after it');
    const svc = only(run(conditionDoc('StringEquals', 's3:prefixx', '"home/"', '"s3:ListBucket"')), 'unknown-condition-key');
    expect(svc[0]?.message).toContain('did you mean "s3:prefix"?');
  });

  it('does not fire on global, templated, service or identity-provider keys', () => {
    for (const key of [
      'aws:ResourceTag/sagemaker:is-scheduling-notebook-job',
      'AWS:SourceIP',
      'kms:EncryptionContext:aws:sagemaker:job',
      's3:ExistingObjectTag/classification',
      'oidc.eks.us-east-1.amazonaws.com/id/ABC:sub',
      'saml:aud',
      'ec2:osuser',
      'secretsmanager:ResourceTag/SageMaker',
    ]) {
      expect(only(run(conditionDoc('StringEquals', key, '"x"')), 'unknown-condition-key'), key).toEqual([]);
    }
  });
});

describe('condition-key-not-applicable', () => {
  it('fires on s3:prefix for s3:GetObject, and names an action it applies to', () => {
    const f = only(run(conditionDoc('StringLike', 's3:prefix', '"home/*"')), 'condition-key-not-applicable');
    expect(f).toEqual([expect.objectContaining({ severity: 'warning', line: 8, column: keyColumn('StringLike') })]);
    expect(f[0]?.message).toMatch(/applies to, e\.g\., s3:/);
  });

  it('fires on a key no action lists any more, and points at the one they support', () => {
    const f = only(run(conditionDoc('ArnLike', 'sagemaker:VolumeKmsKey', '"arn:aws:kms:*:111122223333:key/*"', '"sagemaker:CreateTrainingJob"')), 'condition-key-not-applicable');
    expect(f).toEqual([expect.objectContaining({ severity: 'warning', line: 8, column: keyColumn('ArnLike') })]);
    expect(f[0]?.message).toContain('did you mean "sagemaker:VolumeKmsKeyArn"');
  });

  it('does not fire where an action supports the key, for global keys, NotAction or "*"', () => {
    expect(only(run(conditionDoc('StringLike', 's3:prefix', '"home/*"', '["s3:GetObject", "s3:ListBucket"]')), 'condition-key-not-applicable')).toEqual([]);
    expect(only(run(conditionDoc('StringLike', 'iam:PassedToService', '"sagemaker.amazonaws.com"', '"iam:PassRole"')), 'condition-key-not-applicable')).toEqual([]);
    expect(only(run(conditionDoc('StringEquals', 'aws:ResourceTag/team', '"ml"')), 'condition-key-not-applicable')).toEqual([]);
    expect(only(run(conditionDoc('StringLike', 's3:prefix', '"home/*"', '"*"')), 'condition-key-not-applicable')).toEqual([]);
    const notAction = ['"Effect": "Deny",', '"NotAction": "s3:GetObject",', '"Resource": "*",', '"Condition": {"StringLike": {"s3:prefix": "home/*"}}'];
    expect(only(run(notAction), 'condition-key-not-applicable')).toEqual([]);
  });
});

describe('operator-type-mismatch', () => {
  it('fires (error) when two typed families differ: Date on Bool, Numeric on IP, IpAddress on ARN', () => {
    for (const [op, key, value] of [
      ['DateGreaterThan', 'aws:SecureTransport', '"2024-01-01T00:00:00Z"'],
      ['NumericLessThan', 'aws:SourceIp', '10'],
      ['IpAddress', 'aws:PrincipalArn', '"10.0.0.0/8"'],
    ] as const) {
      const f = only(run(conditionDoc(op, key, value)), 'operator-type-mismatch');
      expect(f, op).toEqual([expect.objectContaining({ severity: 'error', line: 8, column: keyColumn(op) })]);
    }
  });

  it('warns when one side is a String, and only suggests ARN operators for ARN keys', () => {
    const bool = only(run(conditionDoc('Bool', 'aws:PrincipalType', '"true"')), 'operator-type-mismatch');
    expect(bool).toEqual([expect.objectContaining({ severity: 'warning', line: 8, column: keyColumn('Bool') })]);
    const str = only(run(conditionDoc('StringEquals', 'aws:MultiFactorAuthAge', '"3600"')), 'operator-type-mismatch');
    expect(str).toEqual([expect.objectContaining({ severity: 'warning' })]);
    const arn = only(run(conditionDoc('StringLike', 'aws:SourceArn', '"arn:aws:sagemaker:*:*:training-job/*"')), 'operator-type-mismatch');
    expect(arn).toEqual([expect.objectContaining({ severity: 'suggestion', line: 8, column: keyColumn('StringLike') })]);
  });

  it('does not fire when operator and key agree (and Numeric on aws:EpochTime, Null on anything)', () => {
    for (const [op, key, value] of [
      ['IpAddress', 'aws:SourceIp', '"10.0.0.0/8"'],
      ['ArnLike', 'aws:SourceArn', '"arn:aws:sagemaker:*:*:training-job/*"'],
      ['DateGreaterThan', 'aws:CurrentTime', '"2024-01-01T00:00:00Z"'],
      ['NumericLessThan', 'aws:EpochTime', '1700000000'],
      ['BoolIfExists', 'aws:MultiFactorAuthPresent', 'true'],
      ['Null', 'aws:SourceIp', 'true'],
      ['StringEquals', 'aws:PrincipalType', '"AssumedRole"'],
    ] as const) {
      expect(only(run(conditionDoc(op, key, value)), 'operator-type-mismatch'), op).toEqual([]);
    }
  });
});

describe('set-operator-on-single-valued-key (G16)', () => {
  it('fires on ForAllValues over a tag key', () => {
    const op = 'ForAllValues:StringEquals';
    const f = only(run(conditionDoc(op, 'aws:RequestTag/team', '"ml"')), 'set-operator-on-single-valued-key');
    expect(f).toEqual([expect.objectContaining({ severity: 'warning', path: '$.Statement[0].Condition["ForAllValues:StringEquals"]["aws:RequestTag/team"]', line: 8, column: keyColumn(op) })]);
  });

  it('does not fire on multivalued keys (aws:TagKeys, an identity provider amr)', () => {
    expect(only(run(conditionDoc('ForAnyValue:StringEquals', 'aws:TagKeys', '"team"')), 'set-operator-on-single-valued-key')).toEqual([]);
    expect(only(run(conditionDoc('ForAnyValue:StringLike', 'cognito-identity.amazonaws.com:amr', '"authenticated"')), 'set-operator-on-single-valued-key')).toEqual([]);
  });
});

describe('plain-operator-on-multivalued-key (G17)', () => {
  it('fires on StringEquals over aws:TagKeys', () => {
    const f = only(run(conditionDoc('StringEquals', 'aws:TagKeys', '"team"')), 'plain-operator-on-multivalued-key');
    expect(f).toEqual([expect.objectContaining({ severity: 'warning', line: 8, column: keyColumn('StringEquals') })]);
    expect(f[0]?.message).toContain('ForAnyValue:StringEquals');
  });

  it('does not fire with a set operator or Null', () => {
    expect(only(run(conditionDoc('ForAllValues:StringEquals', 'aws:TagKeys', '"team"')), 'plain-operator-on-multivalued-key')).toEqual([]);
    expect(only(run(conditionDoc('Null', 'aws:TagKeys', 'false')), 'plain-operator-on-multivalued-key')).toEqual([]);
  });
});

describe('rcp-unsupported-service', () => {
  const rcp = (action: string): string[] => ['"Effect": "Deny",', '"Principal": "*",', `"Action": ${action},`, '"Resource": "*"'];

  it('fires on an RCP action of a service RCPs do not cover', () => {
    const f = only(run(rcp('["s3:GetObject", "sagemaker:CreateTrainingJob"]'), 'rcp'), 'rcp-unsupported-service');
    expect(f).toEqual([expect.objectContaining({ severity: 'warning', path: '$.Statement[0].Action[1]', line: 7, column: 34 })]);
  });

  it('does not fire for covered services, or outside RCPs', () => {
    expect(only(run(rcp('["s3:GetObject", "kms:*", "sts:AssumeRole"]'), 'rcp'), 'rcp-unsupported-service')).toEqual([]);
    expect(only(run(['"Effect": "Allow",', '"Action": "sagemaker:CreateTrainingJob",', '"Resource": "*"']), 'rcp-unsupported-service')).toEqual([]);
  });
});

describe('a larger policy', () => {
  it('reports each bad entry once among hundreds of statements', () => {
    const statements: string[] = [];
    for (let i = 0; i < 300; i++) {
      statements.push(
        JSON.stringify({
          Effect: 'Allow',
          Action: ['s3:GetObject', 'kms:Decrypt', i % 100 === 0 ? 's3:GetObjcet' : 'sagemaker:DescribeTrainingJob'],
          Resource: ['arn:aws:s3:::b/*', `arn:aws:kms:us-east-1:111122223333:key/k${i}`, 'arn:aws:sagemaker:*:*:training-job/*'],
          Condition: { StringEquals: { 'aws:ResourceTag/team': 'ml' } },
        }),
      );
    }
    const text = `{"Version":"2012-10-17","Statement":[${statements.join(',')}]}`;
    const f = check(text);
    expect(f.map((x) => x.code)).toEqual(['unknown-action', 'unknown-action', 'unknown-action']);
  });
});

describe('the reference policies (SageMaker AI Developer Guide, "Set up policies and permissions for Studio")', () => {
  const dir = new URL('./fixtures/reference/', import.meta.url);
  const fixtures: [string, PolicyKind][] = [
    ['job-role-trust.json', 'trust'],
    ['notebook-job-permissions.json', 'identity'],
    ['s3-vpc-endpoint-statement.json', 'vpc-endpoint'],
    ['custom-kms-key.json', 'identity'],
  ];
  for (const [file, kind] of fixtures) {
    it(`${file} (${kind}) has no error-level catalog finding`, () => {
      const text = readFileSync(new URL(file, dir), 'utf8');
      const f = check(text, kind);
      expect(f.filter((x) => x.severity === 'error')).toEqual([]);
    });
  }

  it('the KMS fixture carries a real key ARN instead of the placeholder', () => {
    const text = readFileSync(new URL('custom-kms-key.json', dir), 'utf8');
    expect(text).not.toContain('your_KMS_key_ARN');
    expect(text).toMatch(/arn:aws:kms:[a-z0-9-]+:\d{12}:key\//);
  });
});
