/**
 * Fixes: the smallest change that makes a failing step pass, and where it goes. A fix is
 * data that can be applied to a snapshot, so every fix we print has been proven by
 * re-evaluating the step on the fixed snapshot (see check.ts).
 */
import type { AccountSnapshot, PolicyJson, Role } from '../account/snapshot.js';
import { rolePositions, shareRoleIndex } from './setup.js';
import type { FlowSetup, FlowStep } from './flow.js';

export type FixTarget =
  | { readonly kind: 'role-policy'; readonly roleArn: string; readonly policyName: string }
  | { readonly kind: 'trust-policy'; readonly roleArn: string }
  | { readonly kind: 'key-policy'; readonly keyArn: string }
  | { readonly kind: 'vpc-endpoint-policy'; readonly endpointId: string }
  | { readonly kind: 'bucket-policy'; readonly bucket: string }
  | { readonly kind: 'profile-tags'; readonly domainId: string; readonly userProfileName?: string; readonly spaceName?: string };

/** Who can make the change: the account's own IAM admins, or another team. */
export type FixOwner = 'account' | 'organization' | 'key-owner' | 'network' | 'bucket-owner';

export interface Fix {
  readonly target: FixTarget;
  /** The statement to add (policy targets). */
  readonly statement?: PolicyJson;
  /** The tags to add (profile-tags target). */
  readonly tags?: Readonly<Record<string, string>>;
  readonly owner: FixOwner;
  /** One line for people. */
  readonly summary: string;
}

/** A change we cannot make for the user: the blocking statement and what its owner must do. */
export interface OwnerChange {
  readonly owner: FixOwner;
  readonly summary: string;
}

/** Inline policy nbjob-iam adds missing statements to, one per role. */
export const FIX_POLICY_NAME = 'nbjob-iam-notebook-jobs';

function pascal(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
}

/**
 * The resource a fix statement grants: wide enough for every job (job names change each
 * run), no wider. Job-specific names become `*` at the end of their type.
 */
export function fixResource(step: FlowStep): string {
  const r = step.resource;
  if (r === '*') return r;
  const parts = r.split(':');
  const service = parts[2];
  if (service === 'sagemaker') return r.replace(/:(training-job|pipeline)\/.*$/, ':$1/*');
  if (service === 'events') return r.replace(/:rule\/.*$/, ':rule/*');
  if (service === 's3') {
    const path = r.split(':::')[1] ?? '';
    const [bucket = '', ...key] = path.split('/');
    const name = bucket.startsWith('sagemakerheadlessexecution-') ? 'sagemakerheadlessexecution-*' : bucket;
    return key.length ? `arn:${parts[1]}:s3:::${name}/*` : `arn:${parts[1]}:s3:::${name}`;
  }
  if (service === 'logs') return r.replace(/:log-stream:.*$/, ':log-stream:*');
  return r;
}

/** Conditions a fix statement keeps so that it grants no more than the step needs. */
function fixConditions(step: FlowStep): Record<string, Record<string, string>> | undefined {
  const ctx = step.context;
  if (step.action === 'iam:PassRole' && typeof ctx['iam:PassedToService'] === 'string') {
    return { StringEquals: { 'iam:PassedToService': ctx['iam:PassedToService'] } };
  }
  // Creating notebook-job resources: key on the tag the extension always sets, as a request
  // tag (a resource being created has no resource tags: docs/notebook-job-flow.md §6.1).
  const flag = 'aws:RequestTag/sagemaker:is-scheduling-notebook-job';
  if (typeof ctx[flag] === 'string' && /:(PutRule|TagResource|CreatePipeline)$/.test(step.action)) {
    return { StringEquals: { [flag]: 'true' } };
  }
  if (step.action === 'kms:CreateGrant') return { Bool: { 'kms:GrantIsForAWSResource': 'true' } };
  return undefined;
}

export function identityFix(step: FlowStep, roleArn: string): Fix {
  const condition = fixConditions(step);
  return {
    target: { kind: 'role-policy', roleArn, policyName: FIX_POLICY_NAME },
    statement: { Sid: `NbjobIam${pascal(step.id)}`, Effect: 'Allow', Action: step.action, Resource: fixResource(step), ...(condition ? { Condition: condition } : {}) },
    owner: 'account',
    summary: `allow ${step.action} on ${fixResource(step)} in inline policy ${FIX_POLICY_NAME} of role ${roleArn.split('/').pop()}`,
  };
}

export function trustFix(step: FlowStep, servicePrincipal: string): Fix {
  return {
    target: { kind: 'trust-policy', roleArn: step.resource },
    statement: { Sid: `Trust${pascal(servicePrincipal.split('.')[0] ?? 'service')}`, Effect: 'Allow', Principal: { Service: servicePrincipal }, Action: 'sts:AssumeRole' },
    owner: 'account',
    summary: `let ${servicePrincipal} assume role ${step.resource.split('/').pop()} (add to its trust policy; never replace it)`,
  };
}

export function keyPolicyFix(step: FlowStep, roleArn: string): Fix {
  const condition = step.action === 'kms:CreateGrant' ? { Bool: { 'kms:GrantIsForAWSResource': 'true' } } : undefined;
  return {
    target: { kind: 'key-policy', keyArn: step.kmsKeyArn ?? step.resource },
    statement: {
      Sid: `NbjobIam${pascal(step.id)}`,
      Effect: 'Allow',
      Principal: { AWS: roleArn },
      Action: step.action,
      Resource: '*',
      ...(condition ? { Condition: condition } : {}),
    },
    owner: 'key-owner',
    summary: `the key policy must let role ${roleArn.split('/').pop()} call ${step.action}`,
  };
}

/** Keys of a data perimeter on the principal side ("Data perimeters on AWS"): a fix keeps them. */
const PRINCIPAL_PERIMETER_KEYS = ['aws:principalorgid', 'aws:principalorgpaths', 'aws:principalaccount'];
/** Resource-side perimeter keys: kept too, except for AWS-owned resources, which no organization holds. */
const RESOURCE_PERIMETER_KEYS = ['aws:resourceorgid', 'aws:resourceorgpaths', 'aws:resourceaccount'];

/**
 * The perimeter conditions of an endpoint policy's Allow statements (the first statement that
 * has any), so that a statement we add grants nothing outside the perimeter the policy draws.
 */
export function perimeterConditions(policy: unknown, awsOwnedResource: boolean): Record<string, Record<string, unknown>> | undefined {
  const doc = policy as { Statement?: unknown } | undefined;
  const statements = Array.isArray(doc?.Statement) ? doc.Statement : doc?.Statement ? [doc.Statement] : [];
  const keys = awsOwnedResource ? PRINCIPAL_PERIMETER_KEYS : [...PRINCIPAL_PERIMETER_KEYS, ...RESOURCE_PERIMETER_KEYS];
  for (const st of statements as { Effect?: unknown; Condition?: Record<string, Record<string, unknown>> }[]) {
    if (st?.Effect !== 'Allow' || typeof st.Condition !== 'object' || st.Condition === null) continue;
    const out: Record<string, Record<string, unknown>> = {};
    for (const [op, block] of Object.entries(st.Condition)) {
      if (typeof block !== 'object' || block === null) continue;
      for (const [key, value] of Object.entries(block)) {
        if (!keys.includes(key.toLowerCase())) continue;
        (out[op] ??= {})[key] = value;
      }
    }
    if (Object.keys(out).length) return out;
  }
  return undefined;
}

export function endpointFix(step: FlowStep, currentPolicy?: unknown): Fix {
  const resource = fixResource(step);
  const bucketArn = resource.replace(/\/\*$/, '');
  const condition = perimeterConditions(currentPolicy, step.awsOwnedResource === true);
  return {
    target: { kind: 'vpc-endpoint-policy', endpointId: step.viaVpcEndpoint ?? '' },
    statement: {
      Sid: `NbjobIam${pascal(step.id)}`,
      Effect: 'Allow',
      Principal: '*',
      Action: step.action,
      Resource: [...new Set([bucketArn, `${bucketArn}/*`])],
      ...(condition ? { Condition: condition } : {}),
    },
    owner: 'network',
    summary: `the S3 endpoint ${step.viaVpcEndpoint} must allow ${step.action} on ${bucketArn}`,
  };
}

export function profileTagFix(setup: FlowSetup, tags: Record<string, string>): Fix {
  return {
    target: { kind: 'profile-tags', domainId: setup.domainId, userProfileName: setup.userProfileName, spaceName: setup.spaceName },
    tags,
    owner: 'account',
    summary: `tag ${setup.spaceName ? `space ${setup.spaceName}` : `user profile ${setup.userProfileName ?? ''}`} with ${Object.entries(tags)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')}: Studio copies profile tags onto every notebook job`,
  };
}

function withStatement(doc: PolicyJson | undefined, statement: PolicyJson): PolicyJson {
  const base = doc ?? { Version: '2012-10-17', Statement: [] };
  const existing = base.Statement;
  const list = Array.isArray(existing) ? existing : existing === undefined ? [] : [existing];
  return { ...base, Statement: [...list, statement] };
}

/**
 * The snapshot with each role of ARN `arn` replaced by `change(role)`: the list is copied
 * (positions kept) and shares the old one's index (findRole), so a fix costs the same in a
 * 10,000-role account as in a small one.
 */
function withRole(snapshot: AccountSnapshot, arn: string, change: (r: Role) => Role): AccountSnapshot {
  const replaced = new Map<Role, Role>();
  let roles: Role[] | undefined;
  for (const i of rolePositions(snapshot.roles, arn)) {
    const r = snapshot.roles[i] as Role;
    const to = change(r);
    if (to === r) continue;
    roles ??= snapshot.roles.slice();
    roles[i] = to;
    replaced.set(r, to);
  }
  if (!roles) return { ...snapshot };
  shareRoleIndex(roles, snapshot.roles, replaced);
  return { ...snapshot, roles };
}

/** Applies a fix to a snapshot, returning a new snapshot (the input is not changed). */
export function applyFix(snapshot: AccountSnapshot, fix: Fix): AccountSnapshot {
  const t = fix.target;
  const st = fix.statement;
  switch (t.kind) {
    case 'role-policy':
      return withRole(snapshot, t.roleArn, (r) => {
        if (!st) return r;
        const existing = r.inlinePolicies.find((p) => p.name === t.policyName);
        const inlinePolicies = existing
          ? r.inlinePolicies.map((p) => (p.name === t.policyName ? { ...p, document: withStatement(p.document, st) } : p))
          : [...r.inlinePolicies, { name: t.policyName, document: withStatement(undefined, st) }];
        return { ...r, inlinePolicies };
      });
    case 'trust-policy':
      return withRole(snapshot, t.roleArn, (r) => (st ? { ...r, trustPolicy: withStatement(r.trustPolicy, st) } : r));
    case 'key-policy':
      return { ...snapshot, kmsKeys: snapshot.kmsKeys.map((k) => (k.arn === t.keyArn && st ? { ...k, policy: withStatement(k.policy, st) } : k)) };
    case 'vpc-endpoint-policy':
      return {
        ...snapshot,
        vpcEndpoints: snapshot.vpcEndpoints.map((e) => (e.id === t.endpointId && st && e.policy ? { ...e, policy: withStatement(e.policy, st) } : e)),
      };
    case 'bucket-policy':
      return { ...snapshot, s3Buckets: snapshot.s3Buckets.map((b) => (b.name === t.bucket && st ? { ...b, policy: withStatement(b.policy, st) } : b)) };
    case 'profile-tags': {
      const tags = fix.tags ?? {};
      const sm = snapshot.sagemaker;
      return {
        ...snapshot,
        sagemaker: {
          ...sm,
          userProfiles: sm.userProfiles.map((p) => (!t.spaceName && p.domainId === t.domainId && p.name === t.userProfileName ? { ...p, tags: { ...p.tags, ...tags } } : p)),
          spaces: sm.spaces.map((s) => (t.spaceName && s.domainId === t.domainId && s.name === t.spaceName ? { ...s, tags: { ...s.tags, ...tags } } : s)),
        },
      };
    }
  }
}

/** Where a change goes, for people. */
export function describeTarget(t: FixTarget): string {
  switch (t.kind) {
    case 'role-policy':
      return `inline policy ${t.policyName} of role ${t.roleArn.split('/').pop()}`;
    case 'trust-policy':
      return `trust policy of role ${t.roleArn.split('/').pop()}`;
    case 'key-policy':
      return `key policy of ${t.keyArn}`;
    case 'vpc-endpoint-policy':
      return `policy of VPC endpoint ${t.endpointId}`;
    case 'bucket-policy':
      return `bucket policy of ${t.bucket}`;
    case 'profile-tags':
      return t.spaceName ? `tags of space ${t.spaceName} (domain ${t.domainId})` : `tags of user profile ${t.userProfileName ?? ''} (domain ${t.domainId})`;
  }
}

function targetKey(t: FixTarget): string {
  return JSON.stringify(t);
}

/**
 * Merges per-step fixes into one change per target: statements that differ only in
 * their actions become one statement with an action list.
 */
export function mergeFixes(fixes: readonly Fix[]): Fix[] {
  const byTarget = new Map<string, Fix[]>();
  for (const f of fixes) {
    const k = targetKey(f.target);
    byTarget.set(k, [...(byTarget.get(k) ?? []), f]);
  }
  const out: Fix[] = [];
  for (const group of byTarget.values()) {
    const first = group[0]!;
    if (first.target.kind === 'profile-tags') {
      out.push({ ...first, tags: Object.assign({}, ...group.map((g) => g.tags ?? {})) as Record<string, string> });
      continue;
    }
    const statements = new Map<string, { st: PolicyJson; actions: string[] }>();
    for (const g of group) {
      if (!g.statement) continue;
      const { Action, Sid: _sid, ...rest } = g.statement;
      const key = JSON.stringify(rest);
      const entry = statements.get(key) ?? { st: g.statement, actions: [] };
      for (const a of Array.isArray(Action) ? Action : [Action]) if (typeof a === 'string' && !entry.actions.includes(a)) entry.actions.push(a);
      statements.set(key, entry);
    }
    for (const { st, actions } of statements.values()) {
      const statement = { ...st, Action: actions.length === 1 ? actions[0] : actions.sort() };
      const fromThis = group.filter((g) => g.statement && JSON.stringify({ ...g.statement, Action: undefined, Sid: undefined }) === JSON.stringify({ ...st, Action: undefined, Sid: undefined }));
      out.push({ ...first, statement, summary: fromThis.length > 1 ? `${describeTarget(first.target)}: allow ${actions.join(', ')}` : (fromThis[0] ?? first).summary });
    }
  }
  return out;
}
