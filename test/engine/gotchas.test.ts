/** Spec §7: the 47 gotchas, one test each (G1–G47), each naming the AWS page it rests on. */
import { describe, expect, it } from 'vitest';
import { simulateScenarioText } from '../../src/engine/simulate.js';
import { A, ALICE, B, ROLE, SESSION, allow, decision, deny, doc, run } from './helpers.js';

const BOB = `arn:aws:iam::${A}:user/bob`;
const bp = (statement: Record<string, unknown>): Record<string, unknown> => doc(statement);
const sess = { principal: SESSION, principalRoleArn: ROLE };

describe('spec §7 gotchas', () => {
  it('G1 "Policy evaluation logic": an explicit Deny beats every Allow, including a direct resource-policy grant', () => {
    const r = run(
      { action: 's3:DeleteObject', resource: 'arn:aws:s3:::b/k' },
      {
        identity: [doc(allow('s3:*'), deny('s3:DeleteObject', 'arn:aws:s3:::b/*'))],
        resource: bp({ Effect: 'Allow', Principal: { AWS: ALICE }, Action: 's3:*', Resource: 'arn:aws:s3:::b/*' }),
      },
    );
    expect(r.decision).toBe('ExplicitDeny');
    expect(r.decidedBy).toMatchObject({ layer: 'identity', statementIndex: 1 });
  });

  it('G2 "NotAction": NotAction with Allow grants every other service', () => {
    const id = [doc({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' })];
    expect(decision({ action: 's3:DeleteBucket', resource: 'arn:aws:s3:::x' }, { identity: id })).toBe('Allow');
    expect(decision({ action: 'iam:CreateUser', resource: `arn:aws:iam::${A}:user/x` }, { identity: id })).toBe('ImplicitDeny');
  });

  it('G3 "NotResource": NotResource with Allow grants everything else, in every service', () => {
    const id = [doc({ Effect: 'Allow', Action: '*', NotResource: 'arn:aws:s3:::hr' })];
    expect(decision({ action: 'iam:PutUserPolicy', resource: ALICE }, { identity: id })).toBe('Allow');
    expect(decision({ action: 's3:GetObject', resource: 'arn:aws:s3:::hr' }, { identity: id })).toBe('ImplicitDeny');
    expect(decision({ action: 's3:GetObject', resource: 'arn:aws:s3:::hr/x' }, { identity: id })).toBe('Allow');
  });

  it('G4 "NotAction": NotAction with Deny grants nothing', () => {
    const id = [doc({ Effect: 'Deny', NotAction: 'iam:*', Resource: '*', Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } } })];
    expect(decision({ action: 'iam:ListUsers', resource: '*', context: { 'aws:MultiFactorAuthPresent': 'true' } }, { identity: id })).toBe('ImplicitDeny');
    expect(decision({ action: 's3:ListBucket', resource: 'arn:aws:s3:::b' }, { identity: id })).toBe('ExplicitDeny');
  });

  it('G5 "Action": actions are case-insensitive', () => {
    expect(decision({ action: 's3:GetObject', resource: 'arn:aws:s3:::b/x' }, { identity: [doc(allow('S3:getobject', 'arn:aws:s3:::b/*'))] })).toBe('Allow');
  });

  it('G6 "Resource": the resource part of an ARN is case-sensitive', () => {
    expect(decision({ action: 's3:GetObject', resource: 'arn:aws:s3:::b/reports/q1.csv' }, { identity: [doc(allow('s3:GetObject', 'arn:aws:s3:::b/Reports/*'))] })).toBe('ImplicitDeny');
  });

  it('G7 "Resource": `*` crosses `/`; `?` is exactly one character', () => {
    const id = [doc(allow('s3:GetObject', ['arn:aws:s3:::b/*/test/*', 'arn:aws:s3:::b/file?.txt']))];
    expect(decision({ action: 's3:GetObject', resource: 'arn:aws:s3:::b/1/2/test/x.jpg' }, { identity: id })).toBe('Allow');
    expect(decision({ action: 's3:GetObject', resource: 'arn:aws:s3:::b/test/x.jpg' }, { identity: id })).toBe('ImplicitDeny');
    expect(decision({ action: 's3:GetObject', resource: 'arn:aws:s3:::b/file.txt' }, { identity: id })).toBe('ImplicitDeny');
  });

  it('G8 "Amazon S3 resources": a bucket ARN is not matched by b/*', () => {
    const id = [doc(allow(['s3:ListBucket', 's3:GetObject'], 'arn:aws:s3:::b/*'))];
    expect(decision({ action: 's3:ListBucket', resource: 'arn:aws:s3:::b' }, { identity: id })).toBe('ImplicitDeny');
    expect(decision({ action: 's3:GetObject', resource: 'arn:aws:s3:::b/k' }, { identity: id })).toBe('Allow');
  });

  it('G9 "Resource": actions with no resource type need "*"', () => {
    expect(decision({ action: 's3:ListAllMyBuckets', resource: '*' }, { identity: [doc(allow('s3:ListAllMyBuckets', 'arn:aws:s3:::*'))] })).toBe('ImplicitDeny');
    expect(decision({ action: 's3:ListAllMyBuckets', resource: '*' }, { identity: [doc(allow('s3:ListAllMyBuckets', '*'))] })).toBe('Allow');
  });

  it('G10 "Condition operators": a missing key makes a positive operator false', () => {
    const id = [doc(allow('s3:*', '*', { Condition: { StringEquals: { 'aws:PrincipalTag/team': 'blue' } } }))];
    expect(decision({ action: 's3:GetObject', resource: 'arn:aws:s3:::b/k' }, { identity: id })).toBe('ImplicitDeny');
  });

  it('G11 "Condition operators": a missing key makes a negated operator true, so the Deny fires', () => {
    const id = [doc(allow('s3:*'), deny('s3:*', '*', { Condition: { StringNotEquals: { 'aws:PrincipalTag/team': 'blue' } } }))];
    expect(decision({ action: 's3:GetObject', resource: 'arn:aws:s3:::b/k' }, { identity: id })).toBe('ExplicitDeny');
  });

  it('G12 "Condition operators" (IfExists): IfExists does not rescue a Deny with a negated operator', () => {
    const res = ['arn:aws:s3:::b', 'arn:aws:s3:::b/*'];
    const denyBp = bp({ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: res, Condition: { StringNotEqualsIfExists: { 'aws:SourceVpce': 'vpce-1' } } });
    expect(decision({ action: 's3:GetObject', resource: 'arn:aws:s3:::b/k' }, { identity: [doc(allow('s3:*'))], resource: denyBp })).toBe('ExplicitDeny');
    const id = [doc(allow('s3:*', '*', { Condition: { StringEqualsIfExists: { 'aws:SourceVpce': 'vpce-1' } } }))];
    expect(decision({ action: 's3:GetObject', resource: 'arn:aws:s3:::b/k' }, { identity: id })).toBe('Allow');
  });

  it('G13 "Conditions with multiple context keys or values": OR under positive, NOR under negated operators', () => {
    const id = [doc(allow('*'), deny('*', '*', { Condition: { StringNotEquals: { 'aws:PrincipalAccount': [A, B] } } }))];
    expect(decision({ action: 's3:GetObject', resource: 'arn:aws:s3:::b/k' }, { identity: id })).toBe('Allow');
    expect(decision({ principal: 'arn:aws:iam::333333333333:user/c', action: 's3:GetObject', resource: 'arn:aws:s3:::b/k' }, { identity: id })).toBe('ExplicitDeny');
  });

  it('G14 "Single-valued vs. multivalued context keys": ForAllValues is vacuously true when the key is missing', () => {
    const id = [doc(allow('ec2:RunInstances', '*', { Condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['env', 'team'] } } }))];
    const req = { action: 'ec2:RunInstances', resource: '*' };
    expect(decision(req, { identity: id })).toBe('Allow');
    expect(decision({ ...req, context: { 'aws:TagKeys': ['env', 'owner'] } }, { identity: id })).toBe('ImplicitDeny');
    expect(decision({ ...req, context: { 'aws:TagKeys': ['env'] } }, { identity: id })).toBe('Allow');
  });

  it('G15 "Single-valued vs. multivalued context keys": ForAnyValue with a missing key is false', () => {
    const id = [doc(allow('*'), deny('*', '*', { Condition: { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['admin'] } } }))];
    const req = { action: 'ec2:CreateTags', resource: '*' };
    expect(decision(req, { identity: id })).toBe('Allow');
    expect(decision({ ...req, context: { 'aws:TagKeys': ['admin', 'x'] } }, { identity: id })).toBe('ExplicitDeny');
  });

  it('G16 "Single-valued vs. multivalued context keys": a set operator on a single-valued key is too permissive', () => {
    const req = { action: 'ec2:CreateTags', resource: '*' };
    expect(decision(req, { identity: [doc(allow('ec2:CreateTags', '*', { Condition: { 'ForAllValues:StringEquals': { 'aws:RequestTag/env': ['dev'] } } }))] })).toBe('Allow');
    expect(decision(req, { identity: [doc(allow('ec2:CreateTags', '*', { Condition: { StringEquals: { 'aws:RequestTag/env': ['dev'] } } }))] })).toBe('ImplicitDeny');
  });

  it('G17 "Single-valued vs. multivalued context keys" [OBS]: a plain operator on a multivalued key is false', () => {
    const id = [doc(allow('ec2:CreateTags', '*', { Condition: { StringEquals: { 'aws:TagKeys': 'env' } } }))];
    expect(decision({ action: 'ec2:CreateTags', resource: '*', context: { 'aws:TagKeys': ['env'] } }, { identity: id })).toBe('ImplicitDeny');
  });

  it('G18 "Condition operators" (string): StringEquals treats `*` literally', () => {
    const req = { action: 's3:ListBucket', resource: 'arn:aws:s3:::b', context: { 's3:prefix': 'home/alice' } };
    expect(decision(req, { identity: [doc(allow('s3:ListBucket', 'arn:aws:s3:::b', { Condition: { StringEquals: { 's3:prefix': 'home/*' } } }))] })).toBe('ImplicitDeny');
    expect(decision(req, { identity: [doc(allow('s3:ListBucket', 'arn:aws:s3:::b', { Condition: { StringLike: { 's3:prefix': 'home/*' } } }))] })).toBe('Allow');
  });

  it('G19 "Policy variables": ${aws:username} is absent for role sessions', () => {
    const id = [doc(allow('s3:*', 'arn:aws:s3:::b/${aws:username}/*'))];
    expect(decision({ ...sess, action: 's3:GetObject', resource: 'arn:aws:s3:::b/s1/x' }, { identity: id })).toBe('ImplicitDeny');
  });

  it('G20 "IAM JSON policy elements: Version": with 2008-10-17 or no Version, variables are literal text', () => {
    for (const version of ['2008-10-17', undefined]) {
      const p = { ...(version ? { Version: version } : {}), Statement: [allow('s3:GetObject', 'arn:aws:s3:::b/${aws:username}/*')] };
      expect(decision({ action: 's3:GetObject', resource: 'arn:aws:s3:::b/alice/x' }, { identity: [p] })).toBe('ImplicitDeny');
      expect(decision({ action: 's3:GetObject', resource: 'arn:aws:s3:::b/${aws:username}/x' }, { identity: [p] })).toBe('Allow');
    }
  });

  it('G21 "Policy variables" (no value): a negated operator against an unresolvable variable is true', () => {
    const r = run(
      { action: 's3:GetObject', resource: 'arn:aws:s3:::b/k', context: { 's3:ExistingObjectTag/Team': 'red' } },
      {
        identity: [doc(allow('s3:*'))],
        resource: bp({ Effect: 'Deny', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*', Condition: { StringNotEquals: { 's3:ExistingObjectTag/Team': '${aws:PrincipalTag/Team}' } } }),
      },
    );
    expect(r.decision).toBe('ExplicitDeny');
    expect(r.decidedBy?.layer).toBe('resource');
  });

  it('G22 "Condition operators" (ARN): ARN operators work part by part; ArnEquals accepts wildcards', () => {
    const req = { action: 'sns:Publish', resource: '*', context: { 'aws:SourceArn': `arn:aws:sns:us-east-1:${A}:topic-a` } };
    expect(decision(req, { identity: [doc(allow('sns:Publish', '*', { Condition: { ArnEquals: { 'aws:SourceArn': `arn:aws:sns:*:${A}:topic-*` } } }))] })).toBe('Allow');
    const req2 = { action: 'sns:Publish', resource: '*', context: { 'aws:SourceArn': `arn:aws:svc:us-east-2:999999999999:store/abc:${A}:finance/doc` } };
    expect(decision(req2, { identity: [doc(allow('sns:Publish', '*', { Condition: { ArnLike: { 'aws:SourceArn': `arn:aws:svc:*:${A}:finance/*` } } }))] })).toBe('ImplicitDeny');
    expect(decision(req2, { identity: [doc(allow('sns:Publish', '*', { Condition: { StringLike: { 'aws:SourceArn': `arn:aws:svc:*:${A}:finance/*` } } }))] })).toBe('Allow');
  });

  it('G23 "AWS global condition context keys" (aws:MultiFactorAuthPresent): Bool "false" misses long-term keys', () => {
    const req = { action: 's3:GetObject', resource: 'arn:aws:s3:::b/k' };
    expect(decision(req, { identity: [doc(allow('*'), deny('*', '*', { Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'false' } } }))] })).toBe('Allow');
    expect(decision(req, { identity: [doc(allow('*'), deny('*', '*', { Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } } }))] })).toBe('ExplicitDeny');
  });

  it('G24 "Condition operators" (date): epoch values are seconds', () => {
    const id = [doc(allow('*', '*', { Condition: { DateLessThan: { 'aws:CurrentTime': '1767225600' } } }))];
    expect(decision({ action: 's3:GetObject', resource: '*', context: { 'aws:CurrentTime': '2025-06-01T00:00:00Z' } }, { identity: id })).toBe('Allow');
    expect(decision({ action: 's3:GetObject', resource: '*', context: { 'aws:CurrentTime': '2026-06-01T00:00:00Z' } }, { identity: id })).toBe('ImplicitDeny');
  });

  it('G25 "AWS global condition context keys" (aws:SourceIp): absent through VPC endpoints, so NotIpAddress denies', () => {
    const r = run(
      { action: 's3:GetObject', resource: 'arn:aws:s3:::b/k', context: { 'aws:SourceVpce': 'vpce-1', 'aws:VpcSourceIp': '10.0.0.5' } },
      {
        identity: [doc(allow('s3:*'))],
        resource: bp({ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: ['arn:aws:s3:::b', 'arn:aws:s3:::b/*'], Condition: { NotIpAddress: { 'aws:SourceIp': '203.0.113.0/24' } } }),
        vpcEndpoint: doc({ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }),
      },
    );
    expect(r.decision).toBe('ExplicitDeny');
  });

  it('G26 "Condition operators" (IP address): IP families do not mix', () => {
    const req = { action: 's3:GetObject', resource: '*', context: { 'aws:SourceIp': '2001:db8::1' } };
    expect(decision(req, { identity: [doc(allow('*', '*', { Condition: { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } } }))] })).toBe('ImplicitDeny');
    expect(decision(req, { identity: [doc(allow('*', '*', { Condition: { NotIpAddress: { 'aws:SourceIp': '203.0.113.0/24' } } }))] })).toBe('Allow');
    expect(decision({ ...req, context: { 'aws:SourceIp': '203.0.113.7' } }, { identity: [doc(allow('*', '*', { Condition: { IpAddress: { 'aws:SourceIp': '203.0.113.7' } } }))] })).toBe('Allow');
  });

  it('G27 "Policy evaluation logic" (same account): an account principal does not grant by itself', () => {
    const req = { action: 's3:GetObject', resource: 'arn:aws:s3:::b/k' };
    expect(decision(req, { resource: bp({ Effect: 'Allow', Principal: { AWS: A }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }) })).toBe('ImplicitDeny');
    expect(decision(req, { resource: bp({ Effect: 'Allow', Principal: { AWS: ALICE }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }) })).toBe('Allow');
  });

  it('G28 "NotPrincipal": with Deny, listing only the session ARN does not exempt the session (A15 strict)', () => {
    const res = ['arn:aws:s3:::b', 'arn:aws:s3:::b/*'];
    const req = { ...sess, action: 's3:GetObject', resource: 'arn:aws:s3:::b/k' };
    const id = [doc(allow('s3:*'))];
    expect(decision(req, { identity: id, resource: bp({ Effect: 'Deny', NotPrincipal: { AWS: SESSION }, Action: 's3:*', Resource: res }) })).toBe('ExplicitDeny');
    const all = bp({ Effect: 'Deny', NotPrincipal: { AWS: [SESSION, ROLE, `arn:aws:iam::${A}:root`] }, Action: 's3:*', Resource: res });
    expect(decision(req, { identity: id, resource: all })).toBe('Allow');
    // "Permissions boundaries": NotPrincipal with Deny always denies callers that have a boundary.
    expect(decision(req, { identity: id, permissionsBoundary: doc(allow('*')), resource: all })).toBe('ExplicitDeny');
  });

  it('G29 "Policy evaluation logic" (same account): a role-ARN grant is limited by the boundary, a session-ARN grant is not', () => {
    const req = { ...sess, action: 's3:GetObject', resource: 'arn:aws:s3:::b/k' };
    const pb = doc(allow('ec2:*'));
    const g = (principal: unknown): Record<string, unknown> => bp({ Effect: 'Allow', Principal: principal, Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' });
    expect(decision(req, { permissionsBoundary: pb, resource: g({ AWS: ROLE }) })).toBe('ImplicitDeny');
    expect(decision(req, { permissionsBoundary: pb, resource: g({ AWS: SESSION }) })).toBe('Allow');
    expect(decision(req, { permissionsBoundary: pb, resource: g('*') })).toBe('Allow');
  });

  it('G30 "IAM identifiers": role paths do not appear in session ARNs; the real role ARN is used', () => {
    const roleWithPath = `arn:aws:iam::${A}:role/svc/App`;
    const res = bp({ Effect: 'Allow', Principal: { AWS: roleWithPath }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' });
    expect(decision({ principal: SESSION, principalRoleArn: roleWithPath, action: 's3:GetObject', resource: 'arn:aws:s3:::b/k' }, { resource: res })).toBe('Allow');
    const id = [doc(allow('s3:GetObject', '*', { Condition: { ArnEquals: { 'aws:PrincipalArn': roleWithPath } } }))];
    expect(decision({ principal: SESSION, principalRoleArn: roleWithPath, action: 's3:GetObject', resource: 'arn:aws:s3:::b/k' }, { identity: id })).toBe('Allow');
  });

  it('G31 "Session policies": a session policy limits role-ARN grants, not session-ARN grants; its Deny beats both', () => {
    const req = { ...sess, action: 's3:GetObject', resource: 'arn:aws:s3:::b/k' };
    const g = (p: string): Record<string, unknown> => bp({ Effect: 'Allow', Principal: { AWS: p }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' });
    const session = [doc(allow('ec2:*'))];
    expect(decision(req, { session, resource: g(ROLE) })).toBe('ImplicitDeny');
    expect(decision(req, { session, resource: g(SESSION) })).toBe('Allow');
    const denying = [doc(allow('*'), deny('s3:*'))];
    expect(decision(req, { session: denying, resource: g(ROLE) })).toBe('ExplicitDeny');
    expect(decision(req, { session: denying, resource: g(SESSION) })).toBe('ExplicitDeny');
  });

  it('G32 "Cross-account policy evaluation logic": a direct cross-account grant still needs the caller\'s identity policy', () => {
    const req = { action: 's3:GetObject', resource: 'arn:aws:s3:::b/k', resourceAccount: B };
    const res = bp({ Effect: 'Allow', Principal: { AWS: ALICE }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' });
    const r = run(req, { resource: res });
    expect(r.decision).toBe('ImplicitDeny');
    expect(r.decidedBy?.layer).toBe('identity');
    expect(decision(req, { resource: res, identity: [doc(allow('s3:GetObject', 'arn:aws:s3:::b/*'))] })).toBe('Allow');
  });

  it('G33 "Grammar of the IAM JSON policy language": duplicate keys make the scenario invalid', () => {
    const text = `{"name":"g33","request":{"principal":"${ALICE}","action":"s3:GetObject","resource":"*"},
"policies":{"identity":[{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*",
"Condition":{"StringEquals":{"aws:PrincipalTag/team":"blue"},"StringEquals":{"aws:RequestedRegion":"eu-west-1"}}}]}]}}`;
    const r = simulateScenarioText(text, 'g33.json');
    expect(r.decision).toBeUndefined();
    expect(r.error).toMatch(/^g33\.json:3:\d+: duplicate key "StringEquals"/);
  });

  it('G34 "Inheritance for service control policies": SCP Allows are needed at every level', () => {
    const full = doc(allow('*'));
    const r = run({ action: 's3:GetObject', resource: 'arn:aws:s3:::b/k' }, { identity: [doc(allow('s3:*'))], scp: [[full], [doc(allow('ec2:*'))], [full]] });
    expect(r.decision).toBe('ImplicitDeny');
    expect(r.decidedBy).toMatchObject({ layer: 'scp', level: 1 });
  });

  it('G35 "Service control policies (SCPs)": SCPs never grant; the management account and service-linked roles are exempt', () => {
    const req = { action: 's3:GetObject', resource: 'arn:aws:s3:::b/k' };
    expect(decision(req, { scp: [[doc(allow('*'))]] })).toBe('ImplicitDeny');
    const scp = [[doc(allow('*'), deny('s3:*'))]];
    expect(decision({ ...req, ...sess, principalIsManagementAccount: true }, { identity: [doc(allow('s3:*'))], scp })).toBe('Allow');
    const slr = `arn:aws:iam::${A}:role/aws-service-role/svc.amazonaws.com/AWSServiceRoleForX`;
    expect(decision({ ...req, principal: `arn:aws:sts::${A}:assumed-role/AWSServiceRoleForX/s`, principalRoleArn: slr, principalIsServiceLinkedRole: true }, { identity: [doc(allow('s3:*'))], scp })).toBe('Allow');
    expect(decision({ ...req, ...sess }, { identity: [doc(allow('s3:*'))], scp })).toBe('ExplicitDeny');
  });

  const KEY = `arn:aws:kms:us-east-1:${A}:key/k1`;
  const rootDelegation = { Sid: 'EnableIAM', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:root` }, Action: 'kms:*', Resource: '*' };

  it('G36 KMS "Key policies": an IAM policy alone is not enough', () => {
    const req = { ...sess, action: 'kms:Decrypt', resource: KEY };
    const id = [doc(allow('kms:Decrypt', KEY))];
    const admin = { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:role/KeyAdmin` }, Action: 'kms:*', Resource: '*' };
    const r = run(req, { identity: id, resource: doc(admin) });
    expect(r.decision).toBe('ImplicitDeny');
    expect(r.decidedBy?.layer).toBe('resource');
    expect(decision(req, { identity: id, resource: doc(admin, rootDelegation) })).toBe('Allow');
  });

  it('G37 KMS "Key policies": delegation conditions restrict IAM grants (kms:ViaService)', () => {
    const key = doc({ ...rootDelegation, Condition: { StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' } } });
    const id = [doc(allow('kms:Decrypt', '*'))];
    expect(decision({ ...sess, action: 'kms:Decrypt', resource: KEY }, { identity: id, resource: key })).toBe('ImplicitDeny');
    expect(decision({ ...sess, action: 'kms:Decrypt', resource: KEY, context: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' } }, { identity: id, resource: key })).toBe('Allow');
  });

  it('G38 "How IAM roles differ from resource-based policies": trust policies must allow explicitly', () => {
    const target = `arn:aws:iam::${A}:role/Target`;
    const trust = (p: unknown): Record<string, unknown> => doc({ Effect: 'Allow', Principal: { AWS: p }, Action: 'sts:AssumeRole' });
    const req = { action: 'sts:AssumeRole', resource: target };
    expect(decision(req, { identity: [doc(allow('sts:AssumeRole', target))], resource: trust(BOB) })).toBe('ImplicitDeny');
    expect(decision(req, { resource: trust(A) })).toBe('ImplicitDeny');
    expect(decision(req, { resource: trust(A), identity: [doc(allow('sts:AssumeRole', target))] })).toBe('Allow');
    expect(decision(req, { resource: trust(ALICE) })).toBe('Allow');
    const aliceB = `arn:aws:iam::${B}:user/alice`;
    expect(decision({ ...req, principal: aliceB }, { resource: trust(aliceB) })).toBe('ImplicitDeny');
    expect(decision({ ...req, principal: aliceB }, { resource: trust(aliceB), identity: [doc(allow('sts:AssumeRole', target))] })).toBe('Allow');
    expect(decision(req, { identity: [doc(allow('sts:AssumeRole', target))] })).toBe('ImplicitDeny');
  });

  it('G39 "The confused deputy problem": service principals and aws:SourceAccount', () => {
    const target = `arn:aws:iam::${A}:role/Exec`;
    const trust = doc({ Effect: 'Allow', Principal: { Service: 'sagemaker.amazonaws.com' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:SourceAccount': A } } });
    const req = { principal: 'sagemaker.amazonaws.com', action: 'sts:AssumeRole', resource: target };
    expect(decision({ ...req, context: { 'aws:SourceAccount': A } }, { resource: trust, scp: [[doc(deny('*'))]] })).toBe('Allow');
    expect(decision({ ...req, context: { 'aws:SourceAccount': '999999999999' } }, { resource: trust })).toBe('ImplicitDeny');
    expect(decision(req, { resource: trust })).toBe('ImplicitDeny');
    expect(decision({ ...req, principal: 'events.amazonaws.com', context: { 'aws:SourceAccount': A } }, { resource: trust })).toBe('ImplicitDeny');
  });

  it('G40 "Granting a user permissions to pass a role": PassRole is checked against the role ARN and iam:PassedToService', () => {
    const exec = `arn:aws:iam::${A}:role/SageMakerExec`;
    const id = [doc(allow('iam:PassRole', exec, { Condition: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } } }), allow('sagemaker:*'))];
    expect(decision({ ...sess, action: 'iam:PassRole', resource: exec, context: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } }, { identity: id })).toBe('Allow');
    expect(decision({ ...sess, action: 'iam:PassRole', resource: exec, context: { 'iam:PassedToService': 'events.amazonaws.com' } }, { identity: id })).toBe('ImplicitDeny');
    expect(decision({ ...sess, action: 'iam:PassRole', resource: `arn:aws:iam::${A}:role/Other`, context: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } }, { identity: id })).toBe('ImplicitDeny');
  });

  it('G41 "Control access to VPC endpoints using endpoint policies": in a gateway endpoint policy an account principal means root only', () => {
    const req = { action: 's3:GetObject', resource: 'arn:aws:s3:::b/k', context: { 'aws:SourceVpce': 'vpce-1' } };
    const id = [doc(allow('*'))];
    const r = run(req, { identity: id, vpcEndpoint: doc({ Effect: 'Allow', Principal: { AWS: A }, Action: 's3:*', Resource: '*' }) });
    expect(r.decision).toBe('ImplicitDeny');
    expect(r.decidedBy?.layer).toBe('vpcEndpoint');
    expect(decision(req, { identity: id, vpcEndpoint: doc({ Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalAccount': A } } }) })).toBe('Allow');
    expect(decision({ ...req, principal: `arn:aws:iam::${A}:root` }, { vpcEndpoint: doc({ Effect: 'Allow', Principal: { AWS: A }, Action: 's3:*', Resource: '*' }) })).toBe('Allow');
  });

  it('G42 "AWS global condition context keys" (aws:RequestedRegion): global services resolve to us-east-1', () => {
    const scp = [[doc(allow('*'), deny('*', '*', { Condition: { StringNotEquals: { 'aws:RequestedRegion': 'eu-west-1' } } }))]];
    expect(decision({ action: 'iam:CreateRole', resource: `arn:aws:iam::${A}:role/x`, context: { 'aws:RequestedRegion': 'us-east-1' } }, { identity: [doc(allow('*'))], scp })).toBe('ExplicitDeny');
  });

  it('G43 "Condition" (tag keys): tag key names are case-insensitive; values compare by the operator', () => {
    const id = [doc(allow('ec2:StartInstances', '*', { Condition: { StringEquals: { 'aws:ResourceTag/Project': 'alpha' } } }))];
    expect(decision({ action: 'ec2:StartInstances', resource: '*', context: { 'aws:ResourceTag/project': 'alpha' } }, { identity: id })).toBe('Allow');
    expect(decision({ action: 'ec2:StartInstances', resource: '*', context: { 'aws:ResourceTag/Project': 'Alpha' } }, { identity: id })).toBe('ImplicitDeny');
  });

  it('G44 STS "GetCallerIdentity": always allowed, even with an explicit deny', () => {
    const r = run({ action: 'sts:GetCallerIdentity', resource: '*' }, { identity: [doc(deny('sts:*'))] });
    expect(r.decision).toBe('Allow');
    expect(r.decidedBy?.layer).toBe('request');
  });

  it('G45 "Principal" vs "aws:PrincipalArn": the root ARN means the account in Principal, the root user in aws:PrincipalArn', () => {
    const req = { principal: BOB, action: 's3:GetObject', resource: 'arn:aws:s3:::b/k', resourceAccount: B };
    const id = [doc(allow('s3:GetObject'))];
    expect(decision(req, { identity: id, resource: bp({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:root` }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }) })).toBe('Allow');
    expect(
      decision(req, { identity: id, resource: bp({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*', Condition: { ArnEquals: { 'aws:PrincipalArn': `arn:aws:iam::${A}:root` } } }) }),
    ).toBe('ImplicitDeny');
  });

  it('G46 "Policy evaluation logic" (anonymous): only a wildcard principal lets anonymous callers in; SCPs do not apply, RCPs do', () => {
    const req = { principal: 'anonymous', action: 's3:GetObject', resource: 'arn:aws:s3:::b/k', resourceAccount: A };
    expect(decision(req, { resource: bp({ Effect: 'Allow', Principal: { AWS: A }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }) })).toBe('ImplicitDeny');
    const open = bp({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' });
    expect(decision(req, { resource: open })).toBe('Allow');
    expect(decision(req, { resource: open, scp: [[doc(deny('*'))]] })).toBe('Allow');
    expect(decision(req, { resource: open, rcp: [[doc({ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: '*' })]] })).toBe('ExplicitDeny');
  });

  it('G47 "NotAction"/"NotResource": an empty list is rejected, never evaluated as "everything"', () => {
    const text = JSON.stringify({ name: 'g47', request: { principal: ALICE, action: 's3:GetObject', resource: '*' }, policies: { identity: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', NotAction: [], Resource: '*' }] }] } }, null, 2);
    const r = simulateScenarioText(text, 'g47.json');
    expect(r.decision).toBeUndefined();
    expect(r.error).toMatch(/^g47\.json:\d+:\d+: policies\.identity\[0\]: NotAction is an empty list/);
  });
});
