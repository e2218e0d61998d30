/**
 * A small, seeded random scenario generator for the differential run, used when
 * test/properties/generators.ts (owned by others) is not available or does not export a
 * scenario arbitrary. It only produces inputs both engines accept: real actions with ARNs
 * of a resource type the action takes (iam-simulate validates both against iam-data), and
 * policies that are syntactically valid for their policy type (iam-simulate validates
 * them with @cloud-copilot/iam-policy).
 *
 * The mix is weighted towards the places where engines differ: principal classes in
 * resource policies (session vs role vs account vs wildcard), boundaries and session
 * policies, SCP/RCP levels, negated operators, policy variables, multi-valued keys.
 */
import type { ScenarioLike } from './adapter.ts';

/** mulberry32: tiny deterministic PRNG. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const A = '111122223333';
const B = '444455556666';

type R = () => number;
const pick = <T>(r: R, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const chance = (r: R, p: number): boolean => r() < p;

interface Target {
  action: string;
  resource: (acct: string) => string;
  /** wildcard / alternative patterns for the action */
  actionPatterns: string[];
  /** resource patterns for the resource */
  resourcePatterns: (acct: string) => string[];
}

const TARGETS: Target[] = [
  {
    action: 's3:GetObject',
    resource: () => 'arn:aws:s3:::data-bucket/reports/alice/q1.csv',
    actionPatterns: ['s3:GetObject', 's3:Get*', 's3:*', '*', 's3:getobject', 's3:Put*'],
    resourcePatterns: () => [
      'arn:aws:s3:::data-bucket/*',
      'arn:aws:s3:::data-bucket/reports/${aws:username}/*',
      'arn:aws:s3:::data-bucket/reports/${aws:PrincipalTag/team}/*',
      'arn:aws:s3:::data-bucket/reports/alice/q?.csv',
      'arn:aws:s3:::other-bucket/*',
      'arn:aws:s3:::DATA-bucket/*',
      '*',
    ],
  },
  {
    action: 's3:ListBucket',
    resource: () => 'arn:aws:s3:::data-bucket',
    actionPatterns: ['s3:ListBucket', 's3:List*', 's3:*', '*'],
    resourcePatterns: () => ['arn:aws:s3:::data-bucket', 'arn:aws:s3:::data-*', 'arn:aws:s3:::data-bucket/*', '*'],
  },
  {
    action: 'sqs:SendMessage',
    resource: (acct) => `arn:aws:sqs:us-east-1:${acct}:jobs`,
    actionPatterns: ['sqs:SendMessage', 'sqs:Send*', 'sqs:*', '*'],
    resourcePatterns: (acct) => [
      `arn:aws:sqs:us-east-1:${acct}:jobs`,
      `arn:aws:sqs:*:${acct}:*`,
      'arn:aws:sqs:us-west-2:*:jobs',
      '*',
    ],
  },
  {
    action: 'kms:Decrypt',
    resource: (acct) => `arn:aws:kms:us-east-1:${acct}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
    actionPatterns: ['kms:Decrypt', 'kms:*', 'kms:Encrypt', '*'],
    resourcePatterns: (acct) => [`arn:aws:kms:us-east-1:${acct}:key/*`, `arn:aws:kms:*:${acct}:key/1234abcd-*`, '*'],
  },
  {
    action: 'sts:AssumeRole',
    resource: (acct) => `arn:aws:iam::${acct}:role/NotebookJobRole`,
    actionPatterns: ['sts:AssumeRole', 'sts:*', '*'],
    resourcePatterns: (acct) => [`arn:aws:iam::${acct}:role/NotebookJobRole`, `arn:aws:iam::${acct}:role/*`, '*'],
  },
  {
    action: 'iam:PassRole',
    resource: (acct) => `arn:aws:iam::${acct}:role/NotebookJobRole`,
    actionPatterns: ['iam:PassRole', 'iam:Pass*', 'iam:*', '*'],
    resourcePatterns: (acct) => [`arn:aws:iam::${acct}:role/NotebookJobRole`, `arn:aws:iam::${acct}:role/Notebook*`, '*'],
  },
  {
    action: 'sagemaker:CreateTrainingJob',
    resource: (acct) => `arn:aws:sagemaker:us-east-1:${acct}:training-job/nb-job-1`,
    actionPatterns: ['sagemaker:CreateTrainingJob', 'sagemaker:Create*', 'sagemaker:*', '*'],
    resourcePatterns: (acct) => [`arn:aws:sagemaker:us-east-1:${acct}:training-job/*`, '*'],
  },
  {
    action: 'ec2:DescribeInstances',
    resource: () => '*',
    actionPatterns: ['ec2:DescribeInstances', 'ec2:Describe*', 'ec2:*', '*'],
    resourcePatterns: () => ['*'],
  },
];

interface Caller {
  principal: string;
  principalRoleArn?: string;
  account: string;
  kind: 'user' | 'roleSession' | 'federatedUser' | 'root' | 'service' | 'anonymous';
  /** ARNs that name this caller in a resource policy, with the class our spec assigns. */
  names: string[];
}

function caller(r: R): Caller {
  const acct = chance(r, 0.75) ? A : B;
  const k = pick(r, ['user', 'user', 'roleSession', 'roleSession', 'roleSession', 'federatedUser', 'root', 'service', 'anonymous'] as const);
  switch (k) {
    case 'user':
      return { principal: `arn:aws:iam::${acct}:user/alice`, account: acct, kind: k, names: [`arn:aws:iam::${acct}:user/alice`] };
    case 'roleSession': {
      const withPath = chance(r, 0.3);
      const roleArn = withPath ? `arn:aws:iam::${acct}:role/service-role/StudioRole` : `arn:aws:iam::${acct}:role/StudioRole`;
      return {
        principal: `arn:aws:sts::${acct}:assumed-role/StudioRole/SageMaker`,
        ...(withPath || chance(r, 0.5) ? { principalRoleArn: roleArn } : {}),
        account: acct,
        kind: k,
        names: [`arn:aws:sts::${acct}:assumed-role/StudioRole/SageMaker`, roleArn],
      };
    }
    case 'federatedUser':
      return { principal: `arn:aws:sts::${acct}:federated-user/bob`, account: acct, kind: k, names: [`arn:aws:sts::${acct}:federated-user/bob`] };
    case 'root':
      return { principal: `arn:aws:iam::${acct}:root`, account: acct, kind: k, names: [] };
    case 'service':
      return { principal: 'sagemaker.amazonaws.com', account: acct, kind: k, names: [] };
    default:
      return { principal: 'anonymous', account: acct, kind: 'anonymous', names: [] };
  }
}

function condition(r: R): Record<string, Record<string, unknown>> | undefined {
  if (!chance(r, 0.45)) return undefined;
  const c = pick(r, [
    { StringEquals: { 'aws:PrincipalTag/team': pick(r, ['ml', 'data']) } },
    { StringNotEquals: { 'aws:PrincipalTag/team': 'ml' } },
    { StringEquals: { 'aws:PrincipalTag/team': '${aws:PrincipalTag/project}' } },
    { StringNotEquals: { 'aws:PrincipalTag/team': '${aws:PrincipalTag/missing}' } },
    { StringNotLike: { 'aws:PrincipalArn': '${aws:PrincipalTag/missing}*' } },
    { StringLike: { 'aws:PrincipalArn': `arn:aws:iam::${A}:*` } },
    { ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::*:role/*Studio*` } },
    { ArnNotEquals: { 'aws:PrincipalArn': `arn:aws:iam::${A}:role/StudioRole` } },
    { StringEquals: { 'aws:PrincipalAccount': A } },
    { StringEquals: { 'aws:PrincipalType': 'AssumedRole' } },
    { StringEqualsIgnoreCase: { 'aws:username': 'ALICE' } },
    { Bool: { 'aws:SecureTransport': 'true' } },
    { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'true' } },
    { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
    { NotIpAddress: { 'aws:SourceIp': ['192.0.2.0/24', '2001:db8::/32'] } },
    { NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' } },
    { DateGreaterThan: { 'aws:CurrentTime': '2026-01-01T00:00:00Z' } },
    { Null: { 'aws:PrincipalTag/team': pick(r, ['true', 'false']) } },
    { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['env', 'owner'] } },
    { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['env', 'owner'] } },
    { StringEquals: { 'aws:TagKeys': 'env' } },
    { StringNotEquals: { 'aws:TagKeys': 'env' } },
    { StringEquals: { 'aws:RequestedRegion': ['us-east-1', 'eu-west-1'] } },
    { StringNotEqualsIfExists: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } },
    { StringEquals: { 'aws:PrincipalOrgID': 'o-abc123' } },
    { 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': 'o-abc123/r-ab12/ou-*' } },
  ]);
  return c as unknown as Record<string, Record<string, unknown>>;
}

function one<T>(r: R, xs: T[]): T | T[] {
  return xs.length === 1 && chance(r, 0.5) ? xs[0]! : xs;
}

function actionEl(r: R, t: Target): Record<string, unknown> {
  const pats = [pick(r, t.actionPatterns)];
  if (chance(r, 0.2)) pats.push(pick(r, t.actionPatterns));
  return chance(r, 0.12) ? { NotAction: one(r, pats) } : { Action: one(r, pats) };
}

function resourceEl(r: R, t: Target, acct: string): Record<string, unknown> {
  const pats = [pick(r, t.resourcePatterns(acct))];
  if (chance(r, 0.2)) pats.push(pick(r, t.resourcePatterns(acct)));
  return chance(r, 0.1) ? { NotResource: one(r, pats) } : { Resource: one(r, pats) };
}

function idStatement(r: R, t: Target, acct: string, allowBias = 0.88): Record<string, unknown> {
  const st: Record<string, unknown> = {
    Effect: chance(r, allowBias) ? 'Allow' : 'Deny',
    ...actionEl(r, t),
    ...resourceEl(r, t, acct),
  };
  const c = condition(r);
  if (c) st['Condition'] = c;
  return st;
}

function doc(stmts: Record<string, unknown>[]): Record<string, unknown> {
  return { Version: '2012-10-17', Statement: stmts };
}

function idPolicy(r: R, t: Target, acct: string, allowBias = 0.88): Record<string, unknown> {
  const n = 1 + Math.floor(r() * 3);
  return doc(Array.from({ length: n }, () => idStatement(r, t, acct, allowBias)));
}

function principalEl(r: R, c: Caller): Record<string, unknown> {
  const choices: unknown[] = [
    '*',
    { AWS: '*' },
    { AWS: c.account },
    { AWS: `arn:aws:iam::${c.account}:root` },
    { AWS: `arn:aws:iam::${c.account === A ? B : A}:root` },
    { Service: 'sagemaker.amazonaws.com' },
    ...c.names.map((n) => ({ AWS: n })),
    ...c.names.map((n) => ({ AWS: n })),
  ];
  const p = pick(r, choices);
  return chance(r, 0.08) && typeof p === 'object' ? { NotPrincipal: p } : { Principal: p };
}

function resourcePolicy(r: R, t: Target, c: Caller, resAcct: string): Record<string, unknown> {
  const n = 1 + Math.floor(r() * 2);
  return doc(
    Array.from({ length: n }, () => {
      const st: Record<string, unknown> = {
        Effect: chance(r, 0.88) ? 'Allow' : 'Deny',
        ...principalEl(r, c),
        ...actionEl(r, t),
      };
      if (t.resource(resAcct) !== '*') st['Resource'] = chance(r, 0.7) ? t.resource(resAcct) : pick(r, t.resourcePatterns(resAcct));
      const cond = condition(r);
      if (cond) st['Condition'] = cond;
      if (st['NotPrincipal'] && st['Effect'] === 'Allow') st['Effect'] = 'Deny';
      return st;
    }),
  );
}

const FULL_ACCESS = doc([{ Effect: 'Allow', Action: '*', Resource: '*' }]);

function scpLevel(r: R, t: Target, acct: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  if (chance(r, 0.8)) out.push(FULL_ACCESS);
  if (chance(r, 0.25)) {
    const st = idStatement(r, t, acct, 0.3);
    out.push(doc([st]));
  }
  return out;
}

function rcpLevel(r: R, t: Target, acct: string): Record<string, unknown>[] {
  if (!chance(r, 0.35)) return [];
  const st: Record<string, unknown> = {
    Effect: 'Deny',
    Principal: '*',
    Action: pick(r, [t.action, `${t.action.split(':')[0]}:*`]),
    Resource: '*',
  };
  const cond = condition(r);
  if (cond) st['Condition'] = cond;
  return [doc([st])];
}

function context(r: R): Record<string, unknown> {
  const ctx: Record<string, unknown> = {};
  if (chance(r, 0.6)) ctx['aws:PrincipalTag/team'] = pick(r, ['ml', 'data', '']);
  if (chance(r, 0.3)) ctx['aws:PrincipalTag/project'] = pick(r, ['ml', 'x']);
  if (chance(r, 0.7)) ctx['aws:SecureTransport'] = pick(r, [true, false, 'true']);
  if (chance(r, 0.5)) ctx['aws:SourceIp'] = pick(r, ['10.1.2.3', '192.0.2.10', '2001:db8::1', '203.0.113.5']);
  if (chance(r, 0.3)) ctx['aws:MultiFactorAuthAge'] = pick(r, [60, '7200']);
  if (chance(r, 0.3)) ctx['aws:MultiFactorAuthPresent'] = pick(r, [true, false]);
  if (chance(r, 0.5)) ctx['aws:CurrentTime'] = pick(r, ['2026-11-28T03:00:00Z', '2025-06-01T00:00:00Z']);
  if (chance(r, 0.4)) ctx['aws:TagKeys'] = pick(r, [['env'], ['env', 'owner'], ['env', 'cost'], []]);
  if (chance(r, 0.5)) ctx['aws:RequestedRegion'] = pick(r, ['us-east-1', 'eu-west-1', 'ap-south-1']);
  if (chance(r, 0.2)) ctx['aws:SourceVpce'] = pick(r, ['vpce-1a2b3c4d', 'vpce-ffff']);
  if (chance(r, 0.4)) ctx['aws:PrincipalOrgID'] = pick(r, ['o-abc123', 'o-zzz']);
  if (chance(r, 0.3)) ctx['aws:PrincipalOrgPaths'] = pick(r, [['o-abc123/r-ab12/ou-1/'], ['o-zzz/r-1/']]);
  return ctx;
}

export function randomScenario(seed: number): ScenarioLike {
  const r = rng(seed);
  const t = pick(r, TARGETS);
  const c = caller(r);
  const resAcct = chance(r, 0.7) ? c.account : c.account === A ? B : A;
  const resource = t.resource(resAcct);
  const signed = c.kind !== 'anonymous';
  const principalSide = c.kind === 'user' || c.kind === 'roleSession' || c.kind === 'federatedUser';

  const policies: ScenarioLike['policies'] = {};
  if (principalSide) {
    policies.identity = Array.from({ length: Math.floor(r() * 3) }, () => idPolicy(r, t, resAcct));
    if (c.kind !== 'federatedUser' && chance(r, 0.3)) policies.permissionsBoundary = idPolicy(r, t, resAcct, 0.85);
    if ((c.kind === 'roleSession' || c.kind === 'federatedUser') && chance(r, 0.3)) {
      policies.session = [idPolicy(r, t, resAcct, 0.85)];
    }
  }
  const needsResourcePolicy = t.action.startsWith('sts:AssumeRole') || t.action.startsWith('kms:');
  // IAM roles have no resource policy other than the trust policy, which iam:PassRole never consults (spec §5.2).
  if (t.action !== 'iam:PassRole' && (needsResourcePolicy || chance(r, 0.55))) policies.resource = resourcePolicy(r, t, c, resAcct);
  if (signed && c.kind !== 'service' && chance(r, 0.5)) {
    const levels = 1 + Math.floor(r() * 3);
    policies.scp = Array.from({ length: levels }, () => scpLevel(r, t, resAcct));
  }
  if (chance(r, 0.35) && (t.action.startsWith('s3:') || t.action.startsWith('sqs:') || t.action.startsWith('kms:') || t.action.startsWith('sts:'))) {
    const levels = 1 + Math.floor(r() * 2);
    policies.rcp = Array.from({ length: levels }, () => rcpLevel(r, t, resAcct));
  }
  if (t.action.startsWith('s3:') && chance(r, 0.15)) {
    policies.vpcEndpoint = doc([
      { Effect: 'Allow', Principal: '*', Action: pick(r, ['s3:*', 's3:GetObject', 's3:PutObject']), Resource: '*' },
    ]);
  }
  return {
    name: `random #${seed}`,
    request: {
      principal: c.principal,
      ...(c.principalRoleArn ? { principalRoleArn: c.principalRoleArn } : {}),
      action: t.action,
      resource,
      ...(resource === '*' ? { resourceAccount: c.account } : t.action.startsWith('s3:') ? { resourceAccount: resAcct } : {}),
      context: context(r),
    },
    policies,
  };
}
