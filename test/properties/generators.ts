/**
 * fast-check arbitraries for random but meaningful scenarios (scenario-format.md), drawn
 * from a small vocabulary so that actions, resources, principals and condition values
 * collide often: most statements nearly match the request, and conditions, layers and
 * explicit denies decide a real share of the cases (see docs/property-stats.md).
 *
 * Built procedurally from a list of random integers so later draws can depend on earlier
 * ones (policies are aimed at the request). Every choice is an integer draw whose zero is
 * the simplest option, so shrinking moves towards fewer layers, fewer statements and no
 * conditions.
 */
import * as fc from 'fast-check';
import type { EvaluationOptions, Scenario } from '../../src/engine/types.js';

/**
 * The random source: a cursor over a pre-drawn list of integers. Drawing one fixed-size
 * integer array is far cheaper than `fc.gen()` with hundreds of small draws, and fast-check
 * still shrinks it element by element towards 0, i.e. towards the first (simplest) choice.
 */
class Draws {
  private at = 0;
  constructor(private readonly values: readonly number[]) {}
  next(span: number): number {
    const raw = this.values[this.at++] ?? 0;
    return raw % span;
  }
  get used(): number {
    return this.at;
  }
}
type G = Draws;
type Json = string | number | boolean | Json[] | { [k: string]: Json };
type Doc = { [k: string]: Json };

// ---------------------------------------------------------------------------------------
// Draw helpers
// ---------------------------------------------------------------------------------------

function int(g: G, min: number, max: number): number {
  return min + g.next(max - min + 1);
}

function pick<T>(g: G, items: readonly T[]): T {
  const item = items[int(g, 0, items.length - 1)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

/** Weighted choice; the first entry is what shrinking moves towards. */
function weighted<T>(g: G, items: ReadonlyArray<readonly [number, T]>): T {
  const total = items.reduce((s, [w]) => s + w, 0);
  let r = int(g, 0, total - 1);
  for (const [w, v] of items) {
    if (r < w) return v;
    r -= w;
  }
  throw new Error('unreachable');
}

/** True with `pct` percent probability; shrinks towards false. */
function chance(g: G, pct: number): boolean {
  return int(g, 0, 99) >= 100 - pct;
}

/** A list as AWS allows it: a bare string when it has one element, sometimes. */
function listOrString(g: G, values: string[]): Json {
  if (values.length === 1 && chance(g, 60)) return values[0] ?? '';
  return values;
}

function mangleCase(g: G, s: string): string {
  return pick(g, [s.toUpperCase(), s.toLowerCase(), s.charAt(0).toUpperCase() + s.slice(1)]);
}

// ---------------------------------------------------------------------------------------
// Vocabulary
// ---------------------------------------------------------------------------------------

export const ACCOUNTS = ['111111111111', '222222222222', '333333333333'] as const;

interface CallerChoice {
  kind: 'user' | 'userPath' | 'session' | 'sessionPath' | 'root' | 'sagemaker' | 'events' | 'anonymous' | 'federated';
}

interface Caller {
  principal: string;
  account?: string;
  roleArn?: string;
  kind: CallerChoice['kind'];
  /** Federated-user sessions: the IAM user that called GetFederationToken. */
  sourceUserArn?: string;
  /** AIDA… / AROA… unique ID of the user or of the role behind the session. */
  uniqueId?: string;
}

function makeCaller(g: G): Caller {
  const kind = weighted<CallerChoice['kind']>(g, [
    [18, 'user'],
    [7, 'userPath'],
    [18, 'session'],
    [10, 'sessionPath'],
    [8, 'root'],
    [8, 'sagemaker'],
    [3, 'events'],
    [6, 'anonymous'],
    [6, 'federated'],
  ]);
  const account = weighted<string>(g, [
    [6, ACCOUNTS[0]],
    [3, ACCOUNTS[1]],
    [1, ACCOUNTS[2]],
  ]);
  switch (kind) {
    case 'user':
      return { kind, principal: `arn:aws:iam::${account}:user/alice`, account };
    case 'userPath':
      return { kind, principal: `arn:aws:iam::${account}:user/dev/bob`, account };
    case 'session':
      return { kind, principal: `arn:aws:sts::${account}:assumed-role/App/s1`, account, roleArn: `arn:aws:iam::${account}:role/App` };
    case 'sessionPath':
      return {
        kind,
        principal: `arn:aws:sts::${account}:assumed-role/Exec/job`,
        account,
        roleArn: `arn:aws:iam::${account}:role/service-role/Exec`,
      };
    case 'root':
      return { kind, principal: `arn:aws:iam::${account}:root`, account };
    case 'sagemaker':
      return { kind, principal: 'sagemaker.amazonaws.com' };
    case 'events':
      return { kind, principal: 'events.amazonaws.com' };
    case 'anonymous':
      return { kind, principal: 'anonymous' };
    case 'federated':
      return { kind, principal: `arn:aws:sts::${account}:federated-user/carol`, account, sourceUserArn: `arn:aws:iam::${account}:user/alice` };
  }
}

interface ActionChoice {
  action: string;
  resources: (acct: string) => string[];
}

const ACTIONS: ReadonlyArray<readonly [number, ActionChoice]> = [
  [20, { action: 's3:GetObject', resources: () => ['arn:aws:s3:::bucket-a/reports/q1.csv', 'arn:aws:s3:::bucket-a/home/alice/notes.txt', 'arn:aws:s3:::bucket-b/blue/data.csv', 'arn:aws:s3:::bucket-a/home/${aws:username}/x'] }],
  [5, { action: 's3:PutObject', resources: () => ['arn:aws:s3:::bucket-a/home/bob/out.csv', 'arn:aws:s3:::bucket-b/red/data.csv'] }],
  [5, { action: 's3:ListBucket', resources: () => ['arn:aws:s3:::bucket-a', 'arn:aws:s3:::bucket-b'] }],
  [2, { action: 's3:ListAllMyBuckets', resources: () => ['*'] }],
  [10, { action: 'kms:Decrypt', resources: (a) => [`arn:aws:kms:us-east-1:${a}:key/k1`, `arn:aws:kms:eu-west-1:${a}:key/k2`] }],
  [4, { action: 'kms:GenerateDataKey', resources: (a) => [`arn:aws:kms:us-east-1:${a}:key/k1`] }],
  [2, { action: 'kms:ListKeys', resources: () => ['*'] }],
  [1, { action: 'kms:RetireGrant', resources: (a) => [`arn:aws:kms:us-east-1:${a}:key/k1`] }],
  [12, { action: 'sts:AssumeRole', resources: (a) => [`arn:aws:iam::${a}:role/App`, `arn:aws:iam::${a}:role/service-role/Exec`] }],
  [3, { action: 'sts:TagSession', resources: (a) => [`arn:aws:iam::${a}:role/App`] }],
  [3, { action: 'sts:GetCallerIdentity', resources: () => ['*'] }],
  [8, { action: 'iam:PassRole', resources: (a) => [`arn:aws:iam::${a}:role/service-role/Exec`, `arn:aws:iam::${a}:role/App`] }],
  [3, { action: 'iam:CreateRole', resources: (a) => [`arn:aws:iam::${a}:role/New`] }],
  [6, { action: 'sagemaker:CreateTrainingJob', resources: (a) => [`arn:aws:sagemaker:us-east-1:${a}:training-job/job1`] }],
  [4, { action: 'events:PutRule', resources: (a) => [`arn:aws:events:us-east-1:${a}:rule/r1`] }],
];

const ALL_ACTIONS = ACTIONS.map(([, a]) => a.action);

function actionPattern(g: G, action: string): string {
  const [svc = '', name = ''] = action.split(':');
  return weighted<() => string>(g, [
    [30, () => action],
    [8, () => mangleCase(g, action)],
    [12, () => `${svc}:*`],
    [8, () => '*'],
    [6, () => `${svc}:${name.slice(0, 3)}*`],
    [4, () => `${svc}:${name.slice(0, 1)}?${name.slice(2)}`],
    [12, () => pick(g, ALL_ACTIONS)],
    [3, () => 'iam:*'],
    [2, () => `${svc}:${name}X`],
  ])();
}

function actionElement(g: G, action: string): Doc {
  const n = weighted(g, [
    [8, 1],
    [2, 2],
  ]);
  const patterns = Array.from({ length: n }, () => actionPattern(g, action));
  if (chance(g, 12)) return { NotAction: listOrString(g, patterns) };
  return { Action: listOrString(g, patterns) };
}

function resourcePattern(g: G, resource: string, acct: string, otherAcct: string): string {
  const variants: Array<readonly [number, () => string]> = [
    [25, () => resource],
    [15, () => '*'],
  ];
  if (resource !== '*') {
    const slash = resource.lastIndexOf('/');
    const colon = resource.lastIndexOf(':');
    const cut = Math.max(slash, colon);
    variants.push([10, () => `${resource.slice(0, cut + 1)}*`]);
    variants.push([4, () => resource.replace(/[0-9a-z](?=[^/:]*$)/, '?')]);
    variants.push([3, () => resource.replace(/:::|:[^:]*:([0-9]{12}):/, (m) => m.toUpperCase())]);
    variants.push([3, () => resource.slice(0, cut + 1) + resource.slice(cut + 1).toUpperCase()]);
  }
  if (resource.startsWith('arn:aws:s3')) {
    variants.push(
      [5, () => 'arn:aws:s3:::bucket-a/*'],
      [3, () => 'arn:aws:s3:::bucket-?/*'],
      [2, () => 'arn:aws:s3:::bucket-a'],
      [4, () => 'arn:aws:s3:::bucket-a/home/${aws:username}/*'],
      [3, () => "arn:aws:s3:::bucket-a/home/${aws:username, 'alice'}/*"],
      [4, () => 'arn:aws:s3:::bucket-b/${aws:PrincipalTag/team}/*'],
      [2, () => 'arn:aws:s3:::bucket-a/Reports/*'],
      [2, () => 'arn:aws:s3:::bucket-a/home/${$}{aws:username}/*'],
      [2, () => 'arn:aws:s3:::bucket-a/reports/q${?}.csv'],
      [2, () => 'arn:aws:s3:::bucket-a/*/q1.csv'],
      [1, () => 'arn:aws:s3:*:*:bucket-a/*'],
      [1, () => 'arn:aws:s3'],
    );
  } else if (resource.startsWith('arn:aws:kms')) {
    variants.push(
      [5, () => `arn:aws:kms:*:${acct}:key/*`],
      [3, () => `arn:aws:kms:us-east-1:*:key/k?`],
      [2, () => `arn:aws:kms:us-east-1:${otherAcct}:key/k1`],
    );
  } else if (resource.startsWith('arn:aws:iam')) {
    variants.push(
      [5, () => `arn:aws:iam::${acct}:role/*`],
      [3, () => 'arn:aws:iam::*:role/service-role/*'],
      [2, () => `arn:aws:iam::${acct}:role/\${aws:PrincipalTag/team}*`],
      [2, () => `arn:aws:iam::${otherAcct}:role/App`],
    );
  } else if (resource.startsWith('arn:aws:sagemaker')) {
    variants.push([5, () => `arn:aws:sagemaker:us-east-1:${acct}:training-job/*`], [3, () => 'arn:aws:sagemaker:*:*:*']);
  }
  return weighted(g, variants)();
}

function resourceElement(g: G, resource: string, acct: string, otherAcct: string, optional: boolean): Doc {
  if (optional && chance(g, 40)) return {};
  const n = weighted(g, [
    [8, 1],
    [2, 2],
  ]);
  const patterns = Array.from({ length: n }, () => resourcePattern(g, resource, acct, otherAcct));
  if (chance(g, 10)) return { NotResource: listOrString(g, patterns) };
  return { Resource: listOrString(g, patterns) };
}

// ---------------------------------------------------------------------------------------
// Condition keys, values and operators
// ---------------------------------------------------------------------------------------

type Family = 'string' | 'arn' | 'ip' | 'date' | 'numeric' | 'bool' | 'binary';

interface KeySpec {
  key: string;
  family: Family;
  /** Values a policy may test. */
  policyValues: Json[];
  /** Values a request context may hold (absent when the key is derived from the principal only). */
  contextValues?: Array<string | string[]>;
  multi?: boolean;
  /** Spelled in two cases in the context sometimes (A16). */
  caseVariants?: boolean;
}

const KEYS: KeySpec[] = [
  {
    key: 'aws:PrincipalTag/team',
    family: 'string',
    policyValues: ['blue', 'red', 'Blue', 'b*', '${aws:username}', "${aws:PrincipalTag/team, 'blue'}"],
    contextValues: ['blue', 'red', 'Blue', ''],
  },
  {
    key: 'aws:ResourceTag/Project',
    family: 'string',
    policyValues: ['alpha', 'Alpha', 'al*', '${aws:PrincipalTag/team}'],
    contextValues: ['alpha', 'Alpha', 'beta'],
    caseVariants: true,
  },
  {
    key: 'aws:TagKeys',
    family: 'string',
    multi: true,
    policyValues: ['env', 'team', 'admin', 'own*'],
    contextValues: [['env'], ['env', 'team'], ['env', 'owner'], ['admin', 'x'], []],
  },
  {
    key: 'aws:CalledVia',
    family: 'string',
    multi: true,
    policyValues: ['sagemaker.amazonaws.com', 'athena.amazonaws.com'],
    contextValues: [['sagemaker.amazonaws.com'], ['athena.amazonaws.com', 'sagemaker.amazonaws.com']],
  },
  { key: 'aws:SourceVpce', family: 'string', policyValues: ['vpce-1a2b', 'vpce-9z9z'], contextValues: ['vpce-1a2b', 'vpce-9z9z'] },
  { key: 'aws:PrincipalAccount', family: 'string', policyValues: [...ACCOUNTS, '${aws:SourceAccount}'] },
  { key: 'aws:SourceAccount', family: 'string', policyValues: [...ACCOUNTS, '${aws:PrincipalAccount}'], contextValues: [...ACCOUNTS] },
  { key: 'aws:username', family: 'string', policyValues: ['alice', 'bob', 'Alice', '${aws:PrincipalTag/team}'] },
  { key: 'aws:PrincipalType', family: 'string', policyValues: ['User', 'AssumedRole', 'Account', 'FederatedUser', 'Anonymous'] },
  { key: 's3:prefix', family: 'string', policyValues: ['home/', 'home/*', 'home/alice', 'home/${aws:username}'], contextValues: ['home/alice', 'home/', 'other'] },
  {
    key: 'iam:PassedToService',
    family: 'string',
    policyValues: ['sagemaker.amazonaws.com', 'events.amazonaws.com'],
    contextValues: ['sagemaker.amazonaws.com', 'events.amazonaws.com'],
  },
  { key: 'kms:ViaService', family: 'string', policyValues: ['s3.us-east-1.amazonaws.com', 's3.*.amazonaws.com'], contextValues: ['s3.us-east-1.amazonaws.com'] },
  {
    key: 'aws:PrincipalArn',
    family: 'arn',
    policyValues: [
      'arn:aws:iam::111111111111:role/*',
      'arn:aws:iam::*:user/*',
      'arn:aws:iam::111111111111:root',
      'arn:aws:iam::111111111111:role/service-role/Exec',
      'arn:aws:iam::111111111111:user/alice',
    ],
  },
  {
    key: 'aws:SourceArn',
    family: 'arn',
    policyValues: ['arn:aws:sagemaker:*:111111111111:*', 'arn:aws:sagemaker:us-east-1:222222222222:training-job/*'],
    contextValues: ['arn:aws:sagemaker:us-east-1:111111111111:training-job/job1', 'arn:aws:sagemaker:us-east-1:222222222222:training-job/j', 'not-an-arn'],
  },
  {
    key: 'aws:SourceIp',
    family: 'ip',
    policyValues: ['203.0.113.0/24', '198.51.100.1', '2001:db8::/32', '2001:DB8:0:0::/64'],
    contextValues: ['203.0.113.7', '198.51.100.1', '2001:db8::1', 'bogus'],
  },
  {
    key: 'aws:CurrentTime',
    family: 'date',
    policyValues: ['1767225600', '2026-01-01', '2026-01-01T00:00:00Z', '2025-12-31T23:30:00-01:00', '2026'],
    contextValues: ['2025-06-01T00:00:00Z', '2026-03-01T12:00:00Z', '2026-01-01T00:00:00Z', 'yesterday'],
  },
  { key: 'aws:EpochTime', family: 'numeric', policyValues: ['1767225600', 1767225600, '1767225600.0'], contextValues: ['1767225600', '1700000000'] },
  { key: 'aws:MultiFactorAuthAge', family: 'numeric', policyValues: ['3600', 100, '10.0'], contextValues: ['10', '7200', 'abc'] },
  { key: 'aws:MultiFactorAuthPresent', family: 'bool', policyValues: ['true', 'false', true, false, 'TRUE'], contextValues: ['true', 'false', 'TRUE', 'maybe'] },
  { key: 'aws:SecureTransport', family: 'bool', policyValues: ['true', false], contextValues: ['true', 'false'] },
  { key: 'aws:PrincipalIsAWSService', family: 'bool', policyValues: ['true', 'false'] },
  { key: 'ex:blob', family: 'binary', policyValues: ['aGVsbG8=', 'd29ybGQ='], contextValues: ['aGVsbG8=', 'd29ybGQ='] },
];

const OPERATORS: Record<Family, string[]> = {
  string: ['StringEquals', 'StringNotEquals', 'StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase', 'StringLike', 'StringNotLike'],
  arn: ['ArnEquals', 'ArnLike', 'ArnNotEquals', 'ArnNotLike', 'StringLike'],
  ip: ['IpAddress', 'NotIpAddress'],
  date: ['DateEquals', 'DateNotEquals', 'DateLessThan', 'DateLessThanEquals', 'DateGreaterThan', 'DateGreaterThanEquals'],
  numeric: [
    'NumericEquals',
    'NumericNotEquals',
    'NumericLessThan',
    'NumericLessThanEquals',
    'NumericGreaterThan',
    'NumericGreaterThanEquals',
    'DateLessThan',
  ],
  bool: ['Bool'],
  binary: ['BinaryEquals'],
};

function conditionBlock(g: G): Doc {
  const n = weighted(g, [
    [10, 1],
    [3, 2],
  ]);
  const block: { [op: string]: { [key: string]: Json } } = {};
  for (let i = 0; i < n; i++) {
    const spec = pick(g, KEYS);
    const keyName = chance(g, 10) ? mangleCase(g, spec.key) : spec.key;
    let op: string;
    let values: Json;
    if (chance(g, 10)) {
      op = 'Null';
      values = pick<Json>(g, ['true', 'false', true, false]);
    } else {
      op = pick(g, OPERATORS[spec.family]);
      if (chance(g, 20)) op += 'IfExists';
      const setPct = spec.multi ? 85 : 12;
      if (chance(g, setPct)) op = `${pick(g, ['ForAllValues', 'ForAnyValue'])}:${op}`;
      const count = weighted(g, [
        [7, 1],
        [3, 2],
      ]);
      const vals = Array.from({ length: count }, () => pick(g, spec.policyValues));
      values = vals.length === 1 && chance(g, 60) ? (vals[0] ?? '') : vals;
    }
    const body = block[op] ?? {};
    body[keyName] = values;
    block[op] = body;
  }
  return block;
}

function maybeCondition(g: G, pct: number): Doc {
  return chance(g, pct) ? { Condition: conditionBlock(g) } : {};
}

// ---------------------------------------------------------------------------------------
// Principals in resource-based policies
// ---------------------------------------------------------------------------------------

/** The identities a NotPrincipal may list for this caller, and some it may list instead. */
function notPrincipalBlock(g: G, caller: Caller, acct: string, otherAcct: string): { [k: string]: Json } {
  const chain: string[] = [];
  if (caller.principal.startsWith('arn:') || caller.kind === 'sagemaker' || caller.kind === 'events') chain.push(caller.principal);
  if (caller.roleArn !== undefined) chain.push(caller.roleArn);
  if (caller.sourceUserArn !== undefined) chain.push(caller.sourceUserArn);
  chain.push(chance(g, 70) ? acct : `arn:aws:iam::${acct}:root`);
  const listed = weighted<() => string[]>(g, [
    [40, () => chain.filter(() => chance(g, 60))],
    // One identity only: the session's role alone, the account alone, the caller alone.
    [25, () => [pick(g, chain)]],
    // Everything but the account (the chain of A15 without its last element).
    [15, () => chain.slice(0, -1)],
    [10, () => [`arn:aws:iam::${otherAcct}:user/zed`]],
    [10, () => [...chain.filter(() => chance(g, 50)), `arn:aws:iam::${acct}:role/Other`]],
  ])();
  if (listed.length === 0) listed.push(`arn:aws:iam::${otherAcct}:user/zed`);
  const aws = listed.filter((x) => !x.endsWith('amazonaws.com'));
  const svc = listed.filter((x) => x.endsWith('amazonaws.com'));
  const np: { [k: string]: Json } = {};
  if (aws.length > 0) np.AWS = listOrString(g, aws);
  if (svc.length > 0) np.Service = listOrString(g, svc);
  return np;
}

function principalElement(g: G, caller: Caller, resourceAcct: string, otherAcct: string, effect: 'Allow' | 'Deny', kind: 'resource' | 'rcp' | 'vpcEndpoint'): Doc {
  if (kind === 'rcp') return { Principal: '*' };
  const acct = caller.account ?? resourceAcct;
  const options: Array<readonly [number, () => Json]> = [
    [12, () => '*'],
    [5, () => ({ AWS: '*' })],
    [16, () => ({ AWS: acct })],
    [6, () => ({ AWS: `arn:aws:iam::${acct}:root` })],
    [14, () => ({ AWS: listOrString(g, [caller.principal.startsWith('arn:') ? caller.principal : `arn:aws:iam::${acct}:user/alice`]) })],
    [6, () => ({ AWS: [caller.principal.startsWith('arn:') ? caller.principal : `arn:aws:iam::${acct}:user/alice`, `arn:aws:iam::${otherAcct}:user/zed`] })],
    [8, () => ({ Service: listOrString(g, ['sagemaker.amazonaws.com']) })],
    [5, () => ({ AWS: otherAcct })],
    [4, () => ({ AWS: `arn:aws:iam::${acct}:user/alice` })],
    [2, () => ({ Federated: 'accounts.google.com' })],
    [2, () => ({ AWS: `arn:aws:sts::${acct}:assumed-role/App/other` })],
    [3, () => ({ AWS: pick(g, ['AIDAEXAMPLEALICE', 'AROAEXAMPLEAPP', 'AROAEXAMPLEOLD']) })],
  ];
  if (caller.sourceUserArn !== undefined) options.push([14, () => ({ AWS: caller.sourceUserArn ?? '' })]);
  if (caller.roleArn !== undefined) options.push([42, () => ({ AWS: caller.roleArn ?? '' })]);
  if (caller.kind === 'sessionPath') options.push([3, () => ({ AWS: `arn:aws:iam::${acct}:role/Exec` })]);
  // NotPrincipal (G28) with Deny and with Allow, in resource and endpoint policies: list
  // some of the caller's identities (its own ARN, the role behind a session, the IAM user
  // behind a federated session, its account as 12 digits or as the root ARN) or someone
  // else, so that "role listed, session not" and "session + role, no account" both occur.
  if ((kind === 'resource' || kind === 'vpcEndpoint') && chance(g, effect === 'Deny' ? 15 : 12)) return { NotPrincipal: notPrincipalBlock(g, caller, acct, otherAcct) };
  return { Principal: weighted(g, options)() };
}

// ---------------------------------------------------------------------------------------
// Statements and policies
// ---------------------------------------------------------------------------------------

interface Aim {
  caller: Caller;
  action: string;
  resource: string;
  resourceAcct: string;
  otherAcct: string;
}

type Kind = 'identity' | 'permissionsBoundary' | 'session' | 'resource' | 'scp' | 'rcp' | 'vpcEndpoint';

function statement(g: G, aim: Aim, kind: Kind, effect: 'Allow' | 'Deny', condPct: number): Doc {
  const st: Doc = { Effect: effect };
  if (chance(g, 15)) st.Sid = `S${int(g, 0, 99)}`;
  Object.assign(st, actionElement(g, aim.action));
  const hasPrincipal = kind === 'resource' || kind === 'rcp' || kind === 'vpcEndpoint';
  Object.assign(st, resourceElement(g, aim.resource, aim.resourceAcct, aim.otherAcct, hasPrincipal));
  if (hasPrincipal) Object.assign(st, principalElement(g, aim.caller, aim.resourceAcct, aim.otherAcct, effect, kind));
  Object.assign(st, maybeCondition(g, condPct));
  return st;
}

function policy(g: G, aim: Aim, kind: Kind, allowPct: number, condPct: number, maxStatements = 3): Doc {
  const n = int(g, 1, maxStatements);
  const statements = Array.from({ length: n }, () => statement(g, aim, kind, chance(g, 100 - allowPct) ? 'Deny' : 'Allow', condPct));
  const version = weighted<string | undefined>(g, [
    [18, '2012-10-17'],
    [1, '2008-10-17'],
    [1, undefined],
  ]);
  const doc: Doc = {};
  if (version !== undefined && !(kind === 'scp' || kind === 'rcp')) doc.Version = version;
  else if (kind === 'scp' || kind === 'rcp') doc.Version = '2012-10-17';
  doc.Statement = statements.length === 1 && chance(g, 40) ? (statements[0] ?? {}) : statements;
  return doc;
}

const FULL_ACCESS: Doc = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

function scpLevel(g: G, aim: Aim): Doc[] {
  return weighted<() => Doc[]>(g, [
    [60, () => [FULL_ACCESS]],
    [12, () => [policy(g, aim, 'scp', 100, 20, 2)]],
    [15, () => [FULL_ACCESS, policy(g, aim, 'scp', 0, 60, 1)]],
    [6, () => []],
    [7, () => [policy(g, aim, 'scp', 60, 30, 2)]],
  ])();
}

function rcpLevel(g: G, aim: Aim): Doc[] {
  return weighted<() => Doc[]>(g, [
    [50, () => []],
    [50, () => [policy(g, aim, 'rcp', 0, 75, 2)]],
  ])();
}

function endpointPolicy(g: G, aim: Aim): Doc {
  return weighted<() => Doc>(g, [
    [40, () => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }] })],
    [45, () => policy(g, aim, 'vpcEndpoint', 45, 35, 2)],
    [15, () => ({ Statement: [{ Effect: 'Allow', Principal: { AWS: aim.caller.account ?? aim.resourceAcct }, Action: '*', Resource: '*' }] })],
  ])();
}

// ---------------------------------------------------------------------------------------
// Context
// ---------------------------------------------------------------------------------------

type CtxValue = string | number | boolean | Array<string | number | boolean>;

function context(g: G, caller: Caller): Record<string, CtxValue> {
  const ctx: Record<string, CtxValue> = {};
  for (const spec of KEYS) {
    if (spec.contextValues === undefined || !chance(g, 50)) continue;
    const value = pick(g, spec.contextValues);
    if (spec.caseVariants && chance(g, 20)) {
      ctx[spec.key] = value;
      ctx[spec.key.toLowerCase()] = pick(g, spec.contextValues);
      continue;
    }
    ctx[chance(g, 8) ? mangleCase(g, spec.key) : spec.key] = value;
  }
  // Explicit values for keys the engine also derives: the explicit value wins.
  if (chance(g, 6)) ctx['aws:PrincipalAccount'] = pick(g, ACCOUNTS);
  if (chance(g, 4)) ctx['aws:username'] = pick(g, ['alice', 'bob']);
  if (chance(g, 3)) ctx['aws:PrincipalArn'] = `arn:aws:iam::${caller.account ?? ACCOUNTS[0]}:role/service-role/Exec`;
  if (chance(g, 3)) ctx['aws:MultiFactorAuthAge'] = 100;
  return ctx;
}

// ---------------------------------------------------------------------------------------
// Scenarios
// ---------------------------------------------------------------------------------------

function buildScenario(g: G): Scenario {
  const caller = makeCaller(g);
  const choice = weighted(g, ACTIONS);
  const callerAcct = caller.account ?? ACCOUNTS[0];
  const crossAccount = chance(g, 25);
  const resourceAcct = crossAccount ? pick(g, ACCOUNTS.filter((a) => a !== callerAcct)) : callerAcct;
  const otherAcct = ACCOUNTS.find((a) => a !== callerAcct && a !== resourceAcct) ?? ACCOUNTS[2];
  const resource = pick(g, choice.resources(resourceAcct));
  const action = chance(g, 5) ? mangleCase(g, choice.action) : choice.action;

  const request: Scenario['request'] = { principal: caller.principal, action, resource };
  if (caller.kind === 'sessionPath' || (caller.kind === 'session' && chance(g, 30))) request.principalRoleArn = caller.roleArn;
  if (caller.kind === 'federated' && caller.sourceUserArn !== undefined && chance(g, 60)) request.principalSourceUserArn = caller.sourceUserArn;
  if ((caller.kind === 'user' || caller.kind === 'session') && chance(g, 20)) {
    request.principalUniqueId = caller.kind === 'user' ? 'AIDAEXAMPLEALICE' : 'AROAEXAMPLEAPP';
  }
  // S3 ARNs carry no account: say so when the bucket belongs elsewhere (or sometimes anyway).
  if ((resource.startsWith('arn:aws:s3') && (crossAccount || chance(g, 20))) || chance(g, 5)) request.resourceAccount = resourceAcct;
  const ctx = context(g, caller);
  if (Object.keys(ctx).length > 0) request.context = ctx;
  if (chance(g, 8)) request.principalIsManagementAccount = true;
  if (chance(g, 6)) request.resourceIsManagementAccount = true;
  if ((caller.kind === 'session' || caller.kind === 'sessionPath') && chance(g, 6)) request.principalIsServiceLinkedRole = true;
  if (action.toLowerCase().startsWith('kms:') && chance(g, 8)) request.resourceIsAwsManagedKey = true;

  const aim: Aim = { caller, action: choice.action, resource, resourceAcct, otherAcct };
  const policies: Scenario['policies'] = {};
  const idCount = weighted(g, [
    [20, 0],
    [45, 1],
    [25, 2],
    [10, 3],
  ]);
  if (idCount > 0) policies.identity = Array.from({ length: idCount }, () => policy(g, aim, 'identity', 84, 30));
  if (chance(g, 25)) policies.permissionsBoundary = policy(g, aim, 'permissionsBoundary', 85, 20, 2);
  const isSession = caller.kind === 'session' || caller.kind === 'sessionPath' || caller.kind === 'federated';
  if (chance(g, isSession ? 35 : 5)) {
    policies.session = Array.from({ length: weighted(g, [[4, 1], [1, 2]]) }, () => policy(g, aim, 'session', 85, 20, 2));
  }
  const lc = choice.action.toLowerCase();
  const resourcePct = lc.startsWith('sts:assume') || lc === 'sts:tagsession' || (lc.startsWith('kms:') && resource !== '*') ? 85 : lc.startsWith('s3:') ? 55 : 25;
  if (chance(g, resourcePct)) policies.resource = policy(g, aim, 'resource', 80, 30);
  if (chance(g, 35)) policies.scp = Array.from({ length: int(g, 1, 3) }, () => scpLevel(g, aim));
  if (chance(g, 25)) policies.rcp = Array.from({ length: int(g, 1, 2) }, () => rcpLevel(g, aim));
  if (chance(g, 18)) {
    policies.vpcEndpoint = endpointPolicy(g, aim);
    if (chance(g, 30)) request.vpcEndpointType = pick(g, ['gateway', 'interface'] as const);
  }

  return { name: 'fuzz', request, policies };
}

/** Random scenarios from the vocabulary above. */
export const DRAWS = 400;
export const scenarioArb: fc.Arbitrary<Scenario> = fc
  .noBias(fc.array(fc.nat({ max: 0xffff }), { minLength: DRAWS, maxLength: DRAWS }))
  .map((values) => buildScenario(new Draws(values)));

/** How many draws a scenario used (to check that DRAWS is large enough). */
export function drawsUsed(values: readonly number[]): number {
  const d = new Draws(values);
  buildScenario(d);
  return d.used;
}

/** Every EvaluationOptions field, drawn independently. */
export const optionsArb: fc.Arbitrary<EvaluationOptions> = fc.record({
  sessionArnGrantBypassesSessionPolicy: fc.boolean(),
  plainOperatorOnMultivaluedKey: fc.constantFrom('false' as const, 'anyValue' as const),
  negatedOperatorOnUnresolvedVariable: fc.boolean(),
  expandVariablesInBool: fc.boolean(),
  resourceArnCaseSensitive: fc.boolean(),
  wildcardPrincipalMatchesServices: fc.boolean(),
  emptyStringIsPresent: fc.boolean(),
  rcpExemptServiceLinkedRoles: fc.boolean(),
  notPrincipalDenyChain: fc.constantFrom('strict' as const, 'sessionOnly' as const),
  notPrincipalDenyAlwaysDeniesBoundedCallers: fc.boolean(),
  caseVariantTagKeys: fc.constantFrom('all' as const, 'any' as const),
  allDigitDates: fc.constantFrom('epochSeconds' as const, 'epochMilliseconds' as const),
  setOperatorIfExistsOnAbsentKey: fc.constantFrom('setRule' as const, 'ifExistsRule' as const),
});

/** Number of runs for the property tests: env FUZZ_RUNS, default 10,000. */
export function fuzzRuns(defaultRuns = 10_000): number {
  const raw = process.env.FUZZ_RUNS;
  const n = raw === undefined ? NaN : Number(raw);
  return Number.isInteger(n) && n > 0 ? n : defaultRuns;
}

/** The seed of normal test runs: they are deterministic, so a failure is reproducible. */
export const DEFAULT_FUZZ_SEED = 20261128;

/**
 * The seed: env FUZZ_SEED to replay a run; a fresh random seed when FUZZ_RUNS is set
 * (`npm run fuzz` explores); otherwise DEFAULT_FUZZ_SEED.
 */
export function fuzzSeed(): number | undefined {
  const raw = process.env.FUZZ_SEED;
  const n = raw === undefined ? NaN : Number(raw);
  if (Number.isInteger(n)) return n;
  return process.env.FUZZ_RUNS !== undefined ? undefined : DEFAULT_FUZZ_SEED;
}

/** A scenario as it would be written to a conformance file. */
export function scenarioJson(scenario: Scenario, extra?: Record<string, unknown>): string {
  return JSON.stringify({ ...scenario, ...(extra ?? {}) }, null, 2);
}

// ---------------------------------------------------------------------------------------
// Extra statements aimed at an existing scenario (for metamorphic relations)
// ---------------------------------------------------------------------------------------

export type LayerKind = Kind;

function callerFromRequest(req: Scenario['request']): Caller {
  const p = req.principal;
  if (p === 'anonymous') return { kind: 'anonymous', principal: p };
  if (!p.startsWith('arn:')) return { kind: p.startsWith('events') ? 'events' : 'sagemaker', principal: p };
  const account = p.split(':')[4] ?? ACCOUNTS[0];
  if (p.endsWith(':root')) return { kind: 'root', principal: p, account };
  if (p.includes(':federated-user/')) {
    return { kind: 'federated', principal: p, account, ...(req.principalSourceUserArn !== undefined ? { sourceUserArn: req.principalSourceUserArn } : {}) };
  }
  if (p.includes(':assumed-role/')) {
    const role = p.split('/')[1] ?? 'App';
    return { kind: 'session', principal: p, account, roleArn: req.principalRoleArn ?? `arn:aws:iam::${account}:role/${role}` };
  }
  return { kind: 'user', principal: p, account };
}

/** One statement of the given effect for a policy of `kind`, aimed at the scenario's request. */
export function statementFor(values: readonly number[], scenario: Scenario, kind: LayerKind, effect: 'Allow' | 'Deny'): Doc {
  const g = new Draws(values);
  const caller = callerFromRequest(scenario.request);
  const callerAcct = caller.account ?? ACCOUNTS[0];
  const arnAcct = scenario.request.resource.split(':')[4];
  const resourceAcct = scenario.request.resourceAccount ?? (arnAcct !== undefined && arnAcct !== '' ? arnAcct : callerAcct);
  const otherAcct = ACCOUNTS.find((a) => a !== callerAcct && a !== resourceAcct) ?? ACCOUNTS[2];
  const aim: Aim = { caller, action: scenario.request.action, resource: scenario.request.resource, resourceAcct, otherAcct };
  return statement(g, aim, kind, effect, 35);
}

/** Integer draws for `statementFor`. */
export const drawsArb: fc.Arbitrary<number[]> = fc.noBias(fc.array(fc.nat({ max: 0xffff }), { minLength: 64, maxLength: 64 }));
