/**
 * The reference model against the worked gotchas of docs/iam-evaluation.md §7
 * (each expectation is the spec's, with the AWS page it cites). An oracle that is wrong
 * here would make every differential run meaningless.
 */
import { describe, expect, it } from 'vitest';
import { referenceDecide } from '../../src/engine/reference.js';
import type { DecisionResult, EvaluationOptions, Scenario, ScenarioPolicies, ScenarioRequest } from '../../src/engine/types.js';

const A = '111111111111';
const B = '222222222222';
const ALICE = `arn:aws:iam::${A}:user/alice`;
const SESSION = `arn:aws:sts::${A}:assumed-role/App/s1`;
const ROLE = `arn:aws:iam::${A}:role/App`;

type Stmt = Record<string, unknown>;
const doc = (...statements: Stmt[]): Record<string, unknown> => ({ Version: '2012-10-17', Statement: statements });
const allow = (action: unknown, resource: unknown, extra: Stmt = {}): Stmt => ({ Effect: 'Allow', Action: action, Resource: resource, ...extra });
const deny = (action: unknown, resource: unknown, extra: Stmt = {}): Stmt => ({ Effect: 'Deny', Action: action, Resource: resource, ...extra });

function scenario(request: Partial<ScenarioRequest> & { action: string; resource: string }, policies: ScenarioPolicies): Scenario {
  return { name: 'gotcha', request: { principal: ALICE, ...request }, policies };
}

const cases: Array<[string, Scenario, DecisionResult, Partial<EvaluationOptions>?]> = [
  [
    'G1 explicit Deny beats a DIRECT bucket-policy grant (Policy evaluation logic)',
    scenario(
      { action: 's3:DeleteObject', resource: 'arn:aws:s3:::b/k' },
      {
        identity: [doc(allow('s3:*', '*'), deny('s3:DeleteObject', 'arn:aws:s3:::b/*'))],
        resource: doc(allow('s3:*', '*', { Principal: { AWS: ALICE } })),
      },
    ),
    'ExplicitDeny',
  ],
  ['G2 NotAction Allow grants other services (NotAction)', scenario({ action: 's3:DeleteBucket', resource: 'arn:aws:s3:::x' }, { identity: [doc({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' })] }), 'Allow'],
  ['G2 NotAction Allow excludes the listed service', scenario({ action: 'iam:CreateUser', resource: `arn:aws:iam::${A}:user/x` }, { identity: [doc({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' })] }), 'ImplicitDeny'],
  ['G3 NotResource: object ARN is not the bucket ARN (NotResource)', scenario({ action: 's3:GetObject', resource: 'arn:aws:s3:::hr/x' }, { identity: [doc({ Effect: 'Allow', Action: '*', NotResource: 'arn:aws:s3:::hr' })] }), 'Allow'],
  ['G4 NotAction Deny with BoolIfExists on a missing MFA key (Condition operators)', scenario({ action: 's3:ListBucket', resource: 'arn:aws:s3:::b' }, { identity: [doc({ Effect: 'Deny', NotAction: 'iam:*', Resource: '*', Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } } })] }), 'ExplicitDeny'],
  ['G5 actions are case-insensitive (Action)', scenario({ action: 's3:GetObject', resource: 'arn:aws:s3:::b/x' }, { identity: [doc(allow('S3:getobject', 'arn:aws:s3:::b/*'))] }), 'Allow'],
  ['G6 resource part is case-sensitive (ARNs)', scenario({ action: 's3:GetObject', resource: 'arn:aws:s3:::b/reports/q1.csv' }, { identity: [doc(allow('s3:GetObject', 'arn:aws:s3:::b/Reports/*'))] }), 'ImplicitDeny'],
  ['G7 * spans slashes (Resource)', scenario({ action: 's3:GetObject', resource: 'arn:aws:s3:::b/1/2/test/x.jpg' }, { identity: [doc(allow('s3:GetObject', 'arn:aws:s3:::b/*/test/*'))] }), 'Allow'],
  ['G7 ? is exactly one character', scenario({ action: 's3:GetObject', resource: 'arn:aws:s3:::b/file.txt' }, { identity: [doc(allow('s3:GetObject', 'arn:aws:s3:::b/file?.txt'))] }), 'ImplicitDeny'],
  ['G9 wildcard-only actions need Resource "*"', scenario({ action: 's3:ListAllMyBuckets', resource: '*' }, { identity: [doc(allow('s3:ListAllMyBuckets', 'arn:aws:s3:::*'))] }), 'ImplicitDeny'],
  ['G11 missing key makes a negated operator true', scenario({ action: 's3:GetObject', resource: 'arn:aws:s3:::b/x' }, { identity: [doc(allow('s3:*', '*'), deny('s3:*', '*', { Condition: { StringNotEquals: { 'aws:PrincipalTag/team': 'blue' } } }))] }), 'ExplicitDeny'],
  ['G13 negated operator values are NOR (Conditions with multiple values)', scenario({ action: 's3:GetObject', resource: 'arn:aws:s3:::b/x' }, { identity: [doc(allow('*', '*'), deny('*', '*', { Condition: { StringNotEquals: { 'aws:PrincipalAccount': [A, B] } } }))] }), 'Allow'],
  ['G14 ForAllValues is vacuously true', scenario({ action: 'ec2:RunInstances', resource: '*' }, { identity: [doc(allow('ec2:RunInstances', '*', { Condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['env', 'team'] } } }))] }), 'Allow'],
  ['G14 ForAllValues rejects an outside value', scenario({ action: 'ec2:RunInstances', resource: '*', context: { 'aws:TagKeys': ['env', 'owner'] } }, { identity: [doc(allow('ec2:RunInstances', '*', { Condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['env', 'team'] } } }))] }), 'ImplicitDeny'],
  ['G15 ForAnyValue on a missing key is false', scenario({ action: 's3:GetObject', resource: 'arn:aws:s3:::b/x' }, { identity: [doc(allow('*', '*'), deny('*', '*', { Condition: { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['admin'] } } }))] }), 'Allow'],
  ['G17 plain operator on a multivalued key is false (A2)', scenario({ action: 'ec2:CreateTags', resource: '*', context: { 'aws:TagKeys': ['env'] } }, { identity: [doc(allow('ec2:CreateTags', '*', { Condition: { StringEquals: { 'aws:TagKeys': 'env' } } }))] }), 'ImplicitDeny'],
  ['A2 anyValue: plain operator on a multivalued key acts as ForAnyValue', scenario({ action: 'ec2:CreateTags', resource: '*', context: { 'aws:TagKeys': ['env'] } }, { identity: [doc(allow('ec2:CreateTags', '*', { Condition: { StringEquals: { 'aws:TagKeys': 'env' } } }))] }), 'Allow', { plainOperatorOnMultivaluedKey: 'anyValue' }],
  ['G18 StringEquals treats * literally', scenario({ action: 's3:ListBucket', resource: 'arn:aws:s3:::b', context: { 's3:prefix': 'home/alice' } }, { identity: [doc(allow('s3:ListBucket', 'arn:aws:s3:::b', { Condition: { StringEquals: { 's3:prefix': 'home/*' } } }))] }), 'ImplicitDeny'],
  ['G19 ${aws:username} is absent for role sessions', scenario({ principal: SESSION, action: 's3:GetObject', resource: 'arn:aws:s3:::b/s1/x' }, { identity: [doc(allow('s3:*', 'arn:aws:s3:::b/${aws:username}/*'))] }), 'ImplicitDeny'],
  ['§3 ${aws:username} resolves for users', scenario({ action: 's3:GetObject', resource: 'arn:aws:s3:::b/alice/x' }, { identity: [doc(allow('s3:*', 'arn:aws:s3:::b/${aws:username}/*'))] }), 'Allow'],
  ['G20 2008-10-17: variables are literal', scenario({ action: 's3:GetObject', resource: 'arn:aws:s3:::b/${aws:username}/x' }, { identity: [{ Version: '2008-10-17', Statement: allow('s3:GetObject', 'arn:aws:s3:::b/${aws:username}/*') }] }), 'Allow'],
  ['G21 negated operator vs unresolvable variable is true (A3)', scenario({ action: 's3:GetObject', resource: 'arn:aws:s3:::b/x', context: { 's3:ExistingObjectTag/Team': 'red' } }, { identity: [doc(allow('s3:*', '*'))], resource: doc(deny('s3:GetObject', 'arn:aws:s3:::b/*', { Principal: '*', Condition: { StringNotEquals: { 's3:ExistingObjectTag/Team': '${aws:PrincipalTag/Team}' } } })) }), 'ExplicitDeny'],
  ['A3 off: negated operator vs unresolvable variable is false', scenario({ action: 's3:GetObject', resource: 'arn:aws:s3:::b/x', context: { 's3:ExistingObjectTag/Team': 'red' } }, { identity: [doc(allow('s3:*', '*'))], resource: doc(deny('s3:GetObject', 'arn:aws:s3:::b/*', { Principal: '*', Condition: { StringNotEquals: { 's3:ExistingObjectTag/Team': '${aws:PrincipalTag/Team}' } } })) }), 'Allow', { negatedOperatorOnUnresolvedVariable: false }],
  ['G22 ArnLike works part by part', scenario({ action: 's3:GetObject', resource: 'arn:aws:s3:::b/x', context: { 'aws:SourceArn': 'arn:aws:svc:us-east-2:999999999999:store/abc:111111111111:finance/doc' } }, { identity: [doc(allow('*', '*', { Condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:svc:*:111111111111:finance/*' } } }))] }), 'ImplicitDeny'],
  ['G22 StringLike lets * swallow colons', scenario({ action: 's3:GetObject', resource: 'arn:aws:s3:::b/x', context: { 'aws:SourceArn': 'arn:aws:svc:us-east-2:999999999999:store/abc:111111111111:finance/doc' } }, { identity: [doc(allow('*', '*', { Condition: { StringLike: { 'aws:SourceArn': 'arn:aws:svc:*:111111111111:finance/*' } } }))] }), 'Allow'],
  ['G23 Bool on a missing MFA key does not fire', scenario({ action: 's3:GetObject', resource: 'arn:aws:s3:::b/x' }, { identity: [doc(allow('*', '*'), deny('*', '*', { Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'false' } } }))] }), 'Allow'],
  ['G24 all-digit dates are epoch seconds (A18)', scenario({ action: 's3:GetObject', resource: 'arn:aws:s3:::b/x', context: { 'aws:CurrentTime': '2025-06-01T00:00:00Z' } }, { identity: [doc(allow('*', '*', { Condition: { DateLessThan: { 'aws:CurrentTime': '1767225600' } } }))] }), 'Allow'],
  ['G24 milliseconds option reads the same digits as 1970', scenario({ action: 's3:GetObject', resource: 'arn:aws:s3:::b/x', context: { 'aws:CurrentTime': '2025-06-01T00:00:00Z' } }, { identity: [doc(allow('*', '*', { Condition: { DateLessThan: { 'aws:CurrentTime': '1767225600' } } }))] }), 'ImplicitDeny', { allDigitDates: 'epochMilliseconds' }],
  ['G26 IP families do not mix: IpAddress false', scenario({ action: 's3:GetObject', resource: 'arn:aws:s3:::b/x', context: { 'aws:SourceIp': '2001:db8::1' } }, { identity: [doc(allow('*', '*', { Condition: { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } } }))] }), 'ImplicitDeny'],
  ['G26 IP families do not mix: NotIpAddress true', scenario({ action: 's3:GetObject', resource: 'arn:aws:s3:::b/x', context: { 'aws:SourceIp': '2001:db8::1' } }, { identity: [doc(allow('*', '*', { Condition: { NotIpAddress: { 'aws:SourceIp': '203.0.113.0/24' } } }))] }), 'Allow'],
  ['§2.8 IPv6 CIDR with compression and upper case', scenario({ action: 's3:GetObject', resource: 'arn:aws:s3:::b/x', context: { 'aws:SourceIp': '2001:db8::1' } }, { identity: [doc(allow('*', '*', { Condition: { IpAddress: { 'aws:SourceIp': '2001:DB8::/32' } } }))] }), 'Allow'],
  ['G27 account principal in a same-account bucket policy does not grant alone', scenario({ action: 's3:GetObject', resource: 'arn:aws:s3:::b/x' }, { resource: doc(allow('s3:GetObject', 'arn:aws:s3:::b/*', { Principal: { AWS: A } })) }), 'ImplicitDeny'],
  ['G27 user principal grants directly', scenario({ action: 's3:GetObject', resource: 'arn:aws:s3:::b/x' }, { resource: doc(allow('s3:GetObject', 'arn:aws:s3:::b/*', { Principal: { AWS: ALICE } })) }), 'Allow'],
  ['G28 NotPrincipal Deny listing only the session still denies it (A15 strict)', scenario({ principal: SESSION, action: 's3:GetObject', resource: 'arn:aws:s3:::b/x' }, { identity: [doc(allow('s3:*', '*'))], resource: doc({ Effect: 'Deny', NotPrincipal: { AWS: SESSION }, Action: 's3:*', Resource: ['arn:aws:s3:::b', 'arn:aws:s3:::b/*'] }) }), 'ExplicitDeny'],
  ['G28 NotPrincipal Deny listing session, role and account exempts it', scenario({ principal: SESSION, action: 's3:GetObject', resource: 'arn:aws:s3:::b/x' }, { identity: [doc(allow('s3:*', '*'))], resource: doc({ Effect: 'Deny', NotPrincipal: { AWS: [SESSION, ROLE, `arn:aws:iam::${A}:root`] }, Action: 's3:*', Resource: ['arn:aws:s3:::b', 'arn:aws:s3:::b/*'] }) }), 'Allow'],
  ['A15 sessionOnly: listing the session is enough', scenario({ principal: SESSION, action: 's3:GetObject', resource: 'arn:aws:s3:::b/x' }, { identity: [doc(allow('s3:*', '*'))], resource: doc({ Effect: 'Deny', NotPrincipal: { AWS: SESSION }, Action: 's3:*', Resource: ['arn:aws:s3:::b', 'arn:aws:s3:::b/*'] }) }), 'Allow', { notPrincipalDenyChain: 'sessionOnly' }],
  ['G29 role ARN (ENTITY) grant is limited by the boundary', scenario({ principal: SESSION, action: 's3:GetObject', resource: 'arn:aws:s3:::b/x' }, { permissionsBoundary: doc(allow('ec2:*', '*')), resource: doc(allow('s3:GetObject', 'arn:aws:s3:::b/*', { Principal: { AWS: ROLE } })) }), 'ImplicitDeny'],
  ['G29 session ARN (DIRECT) grant is not limited by the boundary', scenario({ principal: SESSION, action: 's3:GetObject', resource: 'arn:aws:s3:::b/x' }, { permissionsBoundary: doc(allow('ec2:*', '*')), resource: doc(allow('s3:GetObject', 'arn:aws:s3:::b/*', { Principal: { AWS: SESSION } })) }), 'Allow'],
  ['G30 role path: the given role ARN matches the session (ENTITY)', scenario({ principal: SESSION, principalRoleArn: `arn:aws:iam::${A}:role/svc/App`, action: 's3:GetObject', resource: 'arn:aws:s3:::b/x' }, { resource: doc(allow('s3:GetObject', 'arn:aws:s3:::b/*', { Principal: { AWS: `arn:aws:iam::${A}:role/svc/App` } })) }), 'Allow'],
  ['G31 session policy limits a role-ARN grant', scenario({ principal: SESSION, action: 's3:GetObject', resource: 'arn:aws:s3:::b/x' }, { session: [doc(allow('ec2:*', '*'))], resource: doc(allow('s3:GetObject', 'arn:aws:s3:::b/*', { Principal: { AWS: ROLE } })) }), 'ImplicitDeny'],
  ['G31 session-ARN grant bypasses the session policy (A1)', scenario({ principal: SESSION, action: 's3:GetObject', resource: 'arn:aws:s3:::b/x' }, { session: [doc(allow('ec2:*', '*'))], resource: doc(allow('s3:GetObject', 'arn:aws:s3:::b/*', { Principal: { AWS: SESSION } })) }), 'Allow'],
  ['A1 off: session-ARN grant limited by the session policy', scenario({ principal: SESSION, action: 's3:GetObject', resource: 'arn:aws:s3:::b/x' }, { session: [doc(allow('ec2:*', '*'))], resource: doc(allow('s3:GetObject', 'arn:aws:s3:::b/*', { Principal: { AWS: SESSION } })) }), 'ImplicitDeny', { sessionArnGrantBypassesSessionPolicy: false }],
  ['G32 cross-account DIRECT grant still needs the identity policy', scenario({ action: 's3:GetObject', resource: 'arn:aws:s3:::b/x', resourceAccount: B }, { resource: doc(allow('s3:GetObject', 'arn:aws:s3:::b/*', { Principal: { AWS: ALICE } })) }), 'ImplicitDeny'],
  ['G32 cross-account with both sides', scenario({ action: 's3:GetObject', resource: 'arn:aws:s3:::b/x', resourceAccount: B }, { identity: [doc(allow('s3:GetObject', 'arn:aws:s3:::b/*'))], resource: doc(allow('s3:GetObject', 'arn:aws:s3:::b/*', { Principal: { AWS: ALICE } })) }), 'Allow'],
  ['G34 SCP Allows are needed at every level', scenario({ action: 's3:GetObject', resource: 'arn:aws:s3:::b/x' }, { identity: [doc(allow('s3:*', '*'))], scp: [[doc(allow('*', '*'))], [doc(allow('ec2:*', '*'))], [doc(allow('*', '*'))]] }), 'ImplicitDeny'],
  ['G35 SCPs never grant', scenario({ action: 's3:GetObject', resource: 'arn:aws:s3:::b/x' }, { scp: [[doc(allow('*', '*'))]] }), 'ImplicitDeny'],
  ['G35 management account is exempt from SCPs', scenario({ principal: SESSION, action: 's3:GetObject', resource: 'arn:aws:s3:::b/x', principalIsManagementAccount: true }, { identity: [doc(allow('s3:*', '*'))], scp: [[doc(allow('*', '*'), deny('s3:*', '*'))]] }), 'Allow'],
  ['G35 service-linked roles are exempt from SCPs', scenario({ principal: SESSION, action: 's3:GetObject', resource: 'arn:aws:s3:::b/x', principalIsServiceLinkedRole: true }, { identity: [doc(allow('s3:*', '*'))], scp: [[doc(allow('*', '*'), deny('s3:*', '*'))]] }), 'Allow'],
  ['G36 KMS: an IAM policy alone is not enough', scenario({ principal: SESSION, action: 'kms:Decrypt', resource: `arn:aws:kms:us-east-1:${A}:key/k1` }, { identity: [doc(allow('kms:Decrypt', `arn:aws:kms:us-east-1:${A}:key/k1`))], resource: doc(allow('kms:*', '*', { Principal: { AWS: `arn:aws:iam::${A}:role/KeyAdmin` } })) }), 'ImplicitDeny'],
  ['G36 KMS: root delegation lets IAM allow', scenario({ principal: SESSION, action: 'kms:Decrypt', resource: `arn:aws:kms:us-east-1:${A}:key/k1` }, { identity: [doc(allow('kms:Decrypt', `arn:aws:kms:us-east-1:${A}:key/k1`))], resource: doc(allow('kms:*', '*', { Principal: { AWS: `arn:aws:iam::${A}:root` } })) }), 'Allow'],
  ['G37 KMS delegation conditions restrict IAM grants', scenario({ principal: SESSION, action: 'kms:Decrypt', resource: `arn:aws:kms:us-east-1:${A}:key/k1` }, { identity: [doc(allow('kms:Decrypt', '*'))], resource: doc(allow('kms:*', '*', { Principal: { AWS: `arn:aws:iam::${A}:root` }, Condition: { StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' } } })) }), 'ImplicitDeny'],
  ['G38a trust names another user', scenario({ action: 'sts:AssumeRole', resource: ROLE }, { identity: [doc(allow('sts:AssumeRole', ROLE))], resource: doc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:user/bob` }, Action: 'sts:AssumeRole' }) }), 'ImplicitDeny'],
  ['G38b trust names the account, no identity policy', scenario({ action: 'sts:AssumeRole', resource: ROLE }, { resource: doc({ Effect: 'Allow', Principal: { AWS: A }, Action: 'sts:AssumeRole' }) }), 'ImplicitDeny'],
  ['G38c trust names alice directly', scenario({ action: 'sts:AssumeRole', resource: ROLE }, { resource: doc({ Effect: 'Allow', Principal: { AWS: ALICE }, Action: 'sts:AssumeRole' }) }), 'Allow'],
  ['G38d cross-account alice named directly, no identity policy', scenario({ principal: `arn:aws:iam::${B}:user/alice`, action: 'sts:AssumeRole', resource: ROLE }, { resource: doc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${B}:user/alice` }, Action: 'sts:AssumeRole' }) }), 'ImplicitDeny'],
  ['G39 service principal with SourceAccount', scenario({ principal: 'sagemaker.amazonaws.com', action: 'sts:AssumeRole', resource: ROLE, context: { 'aws:SourceAccount': A } }, { resource: doc({ Effect: 'Allow', Principal: { Service: 'sagemaker.amazonaws.com' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:SourceAccount': A } } }) }), 'Allow'],
  ['G39 service principal without SourceAccount', scenario({ principal: 'sagemaker.amazonaws.com', action: 'sts:AssumeRole', resource: ROLE }, { resource: doc({ Effect: 'Allow', Principal: { Service: 'sagemaker.amazonaws.com' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:SourceAccount': A } } }) }), 'ImplicitDeny'],
  ['G39 another service is not listed', scenario({ principal: 'events.amazonaws.com', action: 'sts:AssumeRole', resource: ROLE }, { resource: doc({ Effect: 'Allow', Principal: { Service: 'sagemaker.amazonaws.com' }, Action: 'sts:AssumeRole' }) }), 'ImplicitDeny'],
  ['G40 PassRole to a service not in PassedToService', scenario({ principal: SESSION, action: 'iam:PassRole', resource: `arn:aws:iam::${A}:role/SageMakerExec`, context: { 'iam:PassedToService': 'events.amazonaws.com' } }, { identity: [doc(allow('iam:PassRole', `arn:aws:iam::${A}:role/SageMakerExec`, { Condition: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } } }))] }), 'ImplicitDeny'],
  ['G41 gateway endpoint: an account principal is the root user only', scenario({ action: 's3:GetObject', resource: 'arn:aws:s3:::b/x' }, { identity: [doc(allow('s3:*', '*'))], vpcEndpoint: doc({ Effect: 'Allow', Principal: { AWS: A }, Action: 's3:*', Resource: '*' }) }), 'ImplicitDeny'],
  ['G41 gateway endpoint: "*" with PrincipalAccount', scenario({ action: 's3:GetObject', resource: 'arn:aws:s3:::b/x' }, { identity: [doc(allow('s3:*', '*'))], vpcEndpoint: doc({ Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalAccount': A } } }) }), 'Allow'],
  ['G43 tag key names are case-insensitive', scenario({ principal: SESSION, action: 'ec2:StartInstances', resource: '*', context: { 'aws:ResourceTag/project': 'alpha' } }, { identity: [doc(allow('ec2:StartInstances', '*', { Condition: { StringEquals: { 'aws:ResourceTag/Project': 'alpha' } } }))] }), 'Allow'],
  ['G44 GetCallerIdentity ignores an explicit deny', scenario({ action: 'sts:GetCallerIdentity', resource: '*' }, { identity: [doc(deny('sts:*', '*'))] }), 'Allow'],
  ['G45 root ARN principal means the account', scenario({ principal: `arn:aws:iam::${A}:user/bob`, action: 's3:GetObject', resource: 'arn:aws:s3:::b/x', resourceAccount: B }, { identity: [doc(allow('s3:GetObject', '*'))], resource: doc(allow('s3:GetObject', 'arn:aws:s3:::b/*', { Principal: { AWS: `arn:aws:iam::${A}:root` } })) }), 'Allow'],
  ['G45 root ARN in aws:PrincipalArn means the root user', scenario({ principal: `arn:aws:iam::${A}:user/bob`, action: 's3:GetObject', resource: 'arn:aws:s3:::b/x', resourceAccount: B }, { identity: [doc(allow('s3:GetObject', '*'))], resource: doc(allow('s3:GetObject', 'arn:aws:s3:::b/*', { Principal: '*', Condition: { ArnEquals: { 'aws:PrincipalArn': `arn:aws:iam::${A}:root` } } })) }), 'ImplicitDeny'],
  ['G46 anonymous callers do not match account principals', scenario({ principal: 'anonymous', action: 's3:GetObject', resource: 'arn:aws:s3:::b/x', resourceAccount: A }, { resource: doc(allow('s3:GetObject', 'arn:aws:s3:::b/*', { Principal: { AWS: A } })) }), 'ImplicitDeny'],
  ['G46 anonymous callers match "*"', scenario({ principal: 'anonymous', action: 's3:GetObject', resource: 'arn:aws:s3:::b/x' }, { resource: doc(allow('s3:GetObject', 'arn:aws:s3:::b/*', { Principal: '*' })) }), 'Allow'],
  ['G46 an RCP Deny applies to anonymous callers', scenario({ principal: 'anonymous', action: 's3:GetObject', resource: 'arn:aws:s3:::b/x' }, { resource: doc(allow('s3:GetObject', 'arn:aws:s3:::b/*', { Principal: '*' })), rcp: [[doc(deny('s3:*', '*', { Principal: '*' }))]] }), 'ExplicitDeny'],
  ['G46 an SCP Deny does not affect anonymous callers', scenario({ principal: 'anonymous', action: 's3:GetObject', resource: 'arn:aws:s3:::b/x' }, { resource: doc(allow('s3:GetObject', 'arn:aws:s3:::b/*', { Principal: '*' })), scp: [[doc(deny('s3:*', '*'))]] }), 'Allow'],
  ['§4.7 root cannot call sts:AssumeRole', scenario({ principal: `arn:aws:iam::${A}:root`, action: 'sts:AssumeRole', resource: ROLE }, { resource: doc({ Effect: 'Allow', Principal: { AWS: A }, Action: 'sts:AssumeRole' }) }), 'ImplicitDeny'],
  ['§4.7 root needs no identity policy', scenario({ principal: `arn:aws:iam::${A}:root`, action: 's3:GetObject', resource: 'arn:aws:s3:::b/x' }, {}), 'Allow'],
  ['§4.2 federated-user session without a session policy has no permissions', scenario({ principal: `arn:aws:sts::${A}:federated-user/carol`, action: 's3:GetObject', resource: 'arn:aws:s3:::b/x' }, { identity: [doc(allow('s3:*', '*'))] }), 'ImplicitDeny'],
  ['A12 off: an empty string is absent for Null', scenario({ action: 's3:GetObject', resource: 'arn:aws:s3:::b/x', context: { 'aws:PrincipalTag/team': '' } }, { identity: [doc(allow('s3:*', '*', { Condition: { Null: { 'aws:PrincipalTag/team': 'true' } } }))] }), 'Allow', { emptyStringIsPresent: false }],
  ['A12 default: an empty string is present for Null', scenario({ action: 's3:GetObject', resource: 'arn:aws:s3:::b/x', context: { 'aws:PrincipalTag/team': '' } }, { identity: [doc(allow('s3:*', '*', { Condition: { Null: { 'aws:PrincipalTag/team': 'true' } } }))] }), 'ImplicitDeny'],
  ['A16 all: every case variant of a tag key must satisfy', scenario({ action: 's3:GetObject', resource: 'arn:aws:s3:::b/x', context: { 'aws:ResourceTag/Project': 'alpha', 'aws:resourcetag/project': 'beta' } }, { identity: [doc(allow('s3:*', '*', { Condition: { StringEquals: { 'aws:ResourceTag/Project': 'alpha' } } }))] }), 'ImplicitDeny'],
  ['A16 any: one case variant is enough', scenario({ action: 's3:GetObject', resource: 'arn:aws:s3:::b/x', context: { 'aws:ResourceTag/Project': 'alpha', 'aws:resourcetag/project': 'beta' } }, { identity: [doc(allow('s3:*', '*', { Condition: { StringEquals: { 'aws:ResourceTag/Project': 'alpha' } } }))] }), 'Allow', { caseVariantTagKeys: 'any' }],
  ['A11 off: "*" does not match a service principal', scenario({ principal: 'sagemaker.amazonaws.com', action: 'sts:AssumeRole', resource: ROLE }, { resource: doc({ Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' }) }), 'ImplicitDeny', { wildcardPrincipalMatchesServices: false }],
  ['explicit context wins over a derived key (scenario-format.md)', scenario({ action: 's3:GetObject', resource: 'arn:aws:s3:::b/x', context: { 'aws:PrincipalAccount': B } }, { identity: [doc(allow('s3:*', '*', { Condition: { StringEquals: { 'aws:PrincipalAccount': B } } }))] }), 'Allow'],
  ['§3 default value of a missing variable', scenario({ principal: SESSION, action: 's3:GetObject', resource: 'arn:aws:s3:::b/nobody/x' }, { identity: [doc(allow('s3:*', "arn:aws:s3:::b/${aws:username, 'nobody'}/*"))] }), 'Allow'],
  ['§3 escapes: ${*} is a literal star', scenario({ action: 's3:GetObject', resource: 'arn:aws:s3:::b/x' }, { identity: [doc(allow('s3:*', 'arn:aws:s3:::b/${*}'))] }), 'ImplicitDeny'],
  ['§3 substituted values are literal (a * in a tag is no wildcard)', scenario({ action: 's3:GetObject', resource: 'arn:aws:s3:::b/x', context: { 'aws:PrincipalTag/team': '*' } }, { identity: [doc(allow('s3:*', 'arn:aws:s3:::b/${aws:PrincipalTag/team}'))] }), 'ImplicitDeny'],
];

describe('reference model vs the spec gotchas (iam-evaluation.md §7, §8)', () => {
  it.each(cases)('%s', (_name, s, expected, options) => {
    expect(referenceDecide(s, options)).toBe(expected);
  });
});

describe('A19: set operator with IfExists on an absent key', () => {
  const s = scenario(
    { action: 'sqs:ListQueues', resource: '*' },
    { identity: [doc(allow('sqs:*', '*', { Condition: { 'ForAnyValue:StringEqualsIfExists': { 'aws:TagKeys': ['team'] } } }))] },
  );
  it('setRule (default, §2.5; re:Post "ForAnyValue:StringEqualsIfExists behaving unexpectedly"): ForAnyValue over nothing is false', () => {
    expect(referenceDecide(s)).toBe('ImplicitDeny');
  });
  it('ifExistsRule (§2.3): IfExists makes the absent key true', () => {
    expect(referenceDecide(s, { setOperatorIfExistsOnAbsentKey: 'ifExistsRule' })).toBe('Allow');
  });
});

describe('readings settled by the differential runs', () => {
  const cases2: Array<[string, Scenario, DecisionResult | 'throws', Partial<EvaluationOptions>?]> = [
    [
      '§5.2 a role of another account cannot be passed (step-0 special case)',
      scenario({ action: 'iam:PassRole', resource: `arn:aws:iam::${B}:role/Exec` }, { identity: [doc(allow('iam:PassRole', '*'))], resource: doc(allow('iam:PassRole', '*', { Principal: '*' })) }),
      'ImplicitDeny',
    ],
    [
      '§4.2 a service-linked role cannot have a permissions boundary (a given one is ignored)',
      scenario({ principal: SESSION, principalIsServiceLinkedRole: true, action: 's3:GetObject', resource: 'arn:aws:s3:::b/x' }, { identity: [doc(allow('s3:*', '*'))], permissionsBoundary: doc(allow('ec2:*', '*')) }),
      'Allow',
    ],
    [
      'A1 off: a "*" grant is still not limited by the session policy (§4.4 note)',
      scenario({ principal: SESSION, action: 's3:GetObject', resource: 'arn:aws:s3:::b/x' }, { session: [doc(allow('ec2:*', '*'))], resource: doc(allow('s3:GetObject', '*', { Principal: '*' })) }),
      'Allow',
      { sessionArnGrantBypassesSessionPolicy: false },
    ],
    [
      '§4.4 the IAM user behind a federated session is its ENTITY (limited by the session policy)',
      scenario({ principal: `arn:aws:sts::${A}:federated-user/bob`, principalSourceUserArn: `arn:aws:iam::${A}:user/bob`, action: 's3:GetObject', resource: 'arn:aws:s3:::b/x' }, { session: [doc(allow('s3:*', '*'))], resource: doc(allow('s3:GetObject', '*', { Principal: { AWS: `arn:aws:iam::${A}:user/bob` } })) }),
      'Allow',
    ],
    [
      '§1.6 a stored role unique ID matches sessions of that role (principalUniqueId)',
      scenario({ principal: SESSION, principalUniqueId: 'AROAEXAMPLEAPP', action: 'sts:AssumeRole', resource: `arn:aws:iam::${A}:role/Target` }, { resource: doc({ Effect: 'Allow', Principal: { AWS: 'AROAEXAMPLEAPP' }, Action: 'sts:AssumeRole' }) }),
      'Allow',
    ],
    [
      '§5.4 an interface endpoint: an account principal is the whole account',
      scenario({ action: 's3:GetObject', resource: 'arn:aws:s3:::b/x', vpcEndpointType: 'interface' }, { identity: [doc(allow('s3:*', '*'))], vpcEndpoint: doc({ Effect: 'Allow', Principal: { AWS: A }, Action: 's3:*', Resource: '*' }) }),
      'Allow',
    ],
    [
      'A12 off: an empty value is absent for variables too, so the default applies (§3)',
      scenario({ action: 's3:GetObject', resource: 'arn:aws:s3:::b/dx', context: { 'aws:PrincipalTag/team': '' } }, { identity: [doc(allow('s3:GetObject', "arn:aws:s3:::b/${aws:PrincipalTag/team, 'd'}x"))] }),
      'Allow',
      { emptyStringIsPresent: false },
    ],
    [
      '§1.7 a Date value that is neither ISO 8601 nor an integer is rejected',
      scenario({ action: 's3:GetObject', resource: 'arn:aws:s3:::b/x' }, { identity: [doc(allow('*', '*', { Condition: { DateLessThan: { 'aws:EpochTime': '1767225600.0' } } }))] }),
      'throws',
    ],
    [
      '§1.5 / A17 an ARN with fewer than six segments is rejected in an SCP, even one that does not apply',
      scenario({ principal: 'sagemaker.amazonaws.com', action: 's3:GetObject', resource: 'arn:aws:s3:::b/x' }, { scp: [[doc(allow('s3:*', 'arn:aws:s3'))]] }),
      'throws',
    ],
    [
      '§1.7 an unknown condition operator is rejected',
      scenario({ action: 'sts:GetCallerIdentity', resource: '*' }, { identity: [doc(deny('*', '*', { Condition: { StringEqualz: { 'aws:username': 'x' } } }))] }),
      'throws',
    ],
  ];
  it.each(cases2)('%s', (_name, s, expected, options) => {
    if (expected === 'throws') expect(() => referenceDecide(s, options)).toThrow();
    else expect(referenceDecide(s, options)).toBe(expected);
  });
});
