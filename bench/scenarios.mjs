/**
 * The fixed request mix for bench/run.mjs, as scenario files (format 1) so the same
 * inputs go to our engine and, through tools/adapter.ts, to iam-simulate.
 * Every item must evaluate to Allow in both engines (the bench checks this first, so a
 * ratio is never computed on a short-circuited denial).
 */

const A = '111122223333';
const B = '444455556666';
const V = '2012-10-17';

const fullAccess = { Version: V, Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

/** 1. One identity policy allows. */
export const simpleIdentityAllow = {
  name: 'simple identity allow',
  request: {
    principal: `arn:aws:iam::${A}:user/alice`,
    action: 's3:GetObject',
    resource: 'arn:aws:s3:::amzn-s3-demo-bucket/reports/q1.csv',
  },
  policies: {
    identity: [
      {
        Version: V,
        Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::amzn-s3-demo-bucket/*' }],
      },
    ],
  },
  expect: 'Allow',
};

/** 2. Many conditions of every operator family, variables, set operators; a few policies with non-matching statements. */
export const conditionHeavy = {
  name: 'condition-heavy',
  request: {
    principal: `arn:aws:sts::${A}:assumed-role/StudioRole/SageMaker`,
    principalRoleArn: `arn:aws:iam::${A}:role/service-role/StudioRole`,
    action: 's3:PutObject',
    resource: 'arn:aws:s3:::amzn-s3-demo-bucket/projects/ml/run-42/output.parquet',
    context: {
      'aws:PrincipalTag/team': 'ml',
      'aws:PrincipalTag/project': 'run-42',
      'aws:SourceIp': '10.20.30.40',
      'aws:SecureTransport': true,
      'aws:CurrentTime': '2026-11-28T03:00:00Z',
      'aws:MultiFactorAuthAge': 120,
      'aws:RequestedRegion': 'us-east-1',
      'aws:TagKeys': ['env', 'owner'],
      'aws:PrincipalOrgID': 'o-abc123',
      'aws:PrincipalOrgPaths': ['o-abc123/r-ab12/ou-ab12-11111111/'],
      'aws:CalledVia': ['sagemaker.amazonaws.com'],
      'aws:ViaAWSService': true,
      's3:x-amz-server-side-encryption': 'aws:kms',
    },
  },
  policies: {
    identity: [
      {
        Version: V,
        Statement: [
          { Sid: 'Ec2', Effect: 'Allow', Action: ['ec2:Describe*', 'ec2:Get*'], Resource: '*' },
          {
            Sid: 'Logs',
            Effect: 'Allow',
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Resource: `arn:aws:logs:*:${A}:log-group:/aws/sagemaker/*`,
          },
          {
            Sid: 'DenyUnencrypted',
            Effect: 'Deny',
            Action: 's3:PutObject',
            Resource: '*',
            Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' } },
          },
        ],
      },
      {
        Version: V,
        Statement: [
          {
            Sid: 'TeamProjectWrite',
            Effect: 'Allow',
            Action: ['s3:PutObject', 's3:GetObject'],
            Resource: 'arn:aws:s3:::amzn-s3-demo-bucket/projects/${aws:PrincipalTag/team}/${aws:PrincipalTag/project}/*',
            Condition: {
              StringEquals: { 'aws:PrincipalTag/team': ['ml', 'data'], 'aws:RequestedRegion': ['us-east-1', 'us-west-2'] },
              StringLike: { 'aws:PrincipalArn': `arn:aws:iam::${A}:role/*Studio*` },
              ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${A}:role/service-role/*` },
              IpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '172.16.0.0/12'] },
              Bool: { 'aws:SecureTransport': 'true' },
              DateGreaterThan: { 'aws:CurrentTime': '2026-01-01T00:00:00Z' },
              DateLessThan: { 'aws:CurrentTime': '2027-01-01T00:00:00Z' },
              NumericLessThanEquals: { 'aws:MultiFactorAuthAge': '3600' },
              'ForAllValues:StringEquals': { 'aws:TagKeys': ['env', 'owner', 'cost-center'] },
              'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': 'o-abc123/r-ab12/ou-ab12-*' },
              StringEqualsIgnoreCase: { 'aws:PrincipalOrgID': 'O-ABC123' },
              Null: { 'aws:PrincipalTag/team': 'false' },
            },
          },
        ],
      },
    ],
  },
  expect: 'Allow',
};

/** 3. Three SCP levels (root, OU, account), a boundary, and a same-account bucket policy. */
export const scpBoundaryResource = {
  name: 'three SCP levels + boundary + resource policy',
  request: {
    principal: `arn:aws:sts::${A}:assumed-role/StudioRole/SageMaker`,
    principalRoleArn: `arn:aws:iam::${A}:role/StudioRole`,
    action: 's3:GetObject',
    resource: 'arn:aws:s3:::amzn-s3-demo-bucket/datasets/train.csv',
    context: { 'aws:RequestedRegion': 'us-east-1', 'aws:PrincipalOrgID': 'o-abc123', 'aws:SecureTransport': true },
  },
  policies: {
    identity: [
      {
        Version: V,
        Statement: [{ Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket'], Resource: ['arn:aws:s3:::amzn-s3-demo-bucket', 'arn:aws:s3:::amzn-s3-demo-bucket/*'] }],
      },
    ],
    permissionsBoundary: {
      Version: V,
      Statement: [
        { Effect: 'Allow', Action: ['s3:*', 'sagemaker:*', 'logs:*'], Resource: '*' },
        { Effect: 'Deny', Action: 'iam:*', Resource: '*' },
      ],
    },
    resource: {
      Version: V,
      Statement: [
        {
          Sid: 'DenyInsecure',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: ['arn:aws:s3:::amzn-s3-demo-bucket', 'arn:aws:s3:::amzn-s3-demo-bucket/*'],
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
        {
          Sid: 'OrgRead',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${A}:role/StudioRole` },
          Action: 's3:GetObject',
          Resource: 'arn:aws:s3:::amzn-s3-demo-bucket/*',
          Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc123' } },
        },
      ],
    },
    scp: [
      [fullAccess],
      [
        fullAccess,
        {
          Version: V,
          Statement: [
            {
              Sid: 'RegionLock',
              Effect: 'Deny',
              NotAction: ['iam:*', 'sts:*', 'organizations:*', 'support:*'],
              Resource: '*',
              Condition: { StringNotEquals: { 'aws:RequestedRegion': ['us-east-1', 'eu-west-1'] } },
            },
          ],
        },
      ],
      [
        {
          Version: V,
          Statement: [
            { Effect: 'Allow', Action: ['s3:*', 'sagemaker:*', 'logs:*', 'kms:*', 'sts:*'], Resource: '*' },
            { Effect: 'Deny', Action: 's3:DeleteBucket', Resource: '*' },
          ],
        },
      ],
    ],
  },
  expect: 'Allow',
};

/** 4. KMS: key policy (default account statement + a grant to the role with kms:ViaService), identity policy. */
export const kmsKeyPolicy = {
  name: 'KMS key policy',
  request: {
    principal: `arn:aws:sts::${A}:assumed-role/NotebookJobRole/job-1`,
    principalRoleArn: `arn:aws:iam::${A}:role/NotebookJobRole`,
    action: 'kms:Decrypt',
    resource: `arn:aws:kms:us-east-1:${A}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
    context: { 'kms:ViaService': 's3.us-east-1.amazonaws.com', 'kms:CallerAccount': A },
  },
  policies: {
    identity: [
      {
        Version: V,
        Statement: [
          {
            Effect: 'Allow',
            Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
            Resource: `arn:aws:kms:us-east-1:${A}:key/*`,
            Condition: { StringLike: { 'kms:ViaService': 's3.*.amazonaws.com' } },
          },
        ],
      },
    ],
    resource: {
      Version: V,
      Id: 'key-default-1',
      Statement: [
        { Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:root` }, Action: 'kms:*', Resource: '*' },
        {
          Sid: 'Allow use of the key via S3',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${A}:role/NotebookJobRole` },
          Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
          Resource: '*',
          Condition: { StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com', 'kms:CallerAccount': A } },
        },
      ],
    },
  },
  expect: 'Allow',
};

/** 5. Cross-account: a user of account B sends to a queue in account A whose policy trusts account B. */
export const crossAccount = {
  name: 'cross-account',
  request: {
    principal: `arn:aws:iam::${B}:user/bob`,
    action: 'sqs:SendMessage',
    resource: `arn:aws:sqs:us-east-1:${A}:notebook-jobs`,
    context: { 'aws:PrincipalOrgID': 'o-abc123', 'aws:SecureTransport': true },
  },
  policies: {
    identity: [
      { Version: V, Statement: [{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: `arn:aws:sqs:*:${A}:notebook-*` }] },
    ],
    resource: {
      Version: V,
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: B },
          Action: 'sqs:SendMessage',
          Resource: `arn:aws:sqs:us-east-1:${A}:notebook-jobs`,
          Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc123' } },
        },
      ],
    },
    scp: [[fullAccess]],
    rcp: [
      [
        {
          Version: V,
          Statement: [
            {
              Effect: 'Deny',
              Principal: '*',
              Action: ['sqs:*', 's3:*', 'kms:*', 'sts:*'],
              Resource: '*',
              Condition: { StringNotEqualsIfExists: { 'aws:PrincipalOrgID': 'o-abc123' }, BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' } },
            },
          ],
        },
      ],
    ],
  },
  expect: 'Allow',
};

export const MIX = [simpleIdentityAllow, conditionHeavy, scpBoundaryResource, kmsKeyPolicy, crossAccount];

/** The pathological wildcard: `*a*a…*b` with 50 stars against a 64 KB resource (no match: the worst case). */
export function pathologicalWildcard(stars = 50, size = 64 * 1024, variant = 'all-a') {
  const pattern = '*a'.repeat(stars - 1) + '*b';
  const prefix = 'arn:aws:s3:::amzn-s3-demo-bucket/';
  // 'all-a': the classic backtracking killer (no 'b' anywhere).
  // 'c-then-b': ends in 'b', so a suffix check cannot reject it; no 'a' at all: every
  // middle segment must be searched for across the whole 64 KB.
  const n = size - prefix.length;
  const key = variant === 'all-a' ? 'a'.repeat(n) : 'c'.repeat(n - 1) + 'b';
  const resource = prefix + key;
  return {
    pattern,
    resource,
    scenario: {
      name: 'pathological wildcard',
      request: { principal: `arn:aws:iam::${A}:user/alice`, action: 's3:GetObject', resource },
      policies: {
        identity: [{ Version: V, Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::amzn-s3-demo-bucket/${pattern}` }] }],
      },
      expect: 'ImplicitDeny',
    },
  };
}
