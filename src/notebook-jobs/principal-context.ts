/**
 * The context keys AWS derives from who makes a request and what it is made on, filled from
 * the snapshot ("AWS global condition context keys"):
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
 *
 * - `aws:PrincipalTag/*`: the tags of the role behind the session (plus session tags, which
 *   the sessions of a notebook job do not carry: SageMaker and EventBridge assume the roles
 *   without passing tags). Where the role's tags were not read, every `aws:PrincipalTag/*`
 *   key a policy of the request tests is unknown, and a decision that depends on it is
 *   undecided.
 * - `aws:PrincipalOrgID`, `aws:PrincipalOrgPaths`: the organization of the caller's account
 *   and its path `o-id/r-root/ou-1/.../` (the account itself is not part of the path).
 * - `aws:ResourceAccount`, `aws:ResourceOrgID`, `aws:ResourceOrgPaths`: for resources in the
 *   account (or a bucket whose owner is known), the same facts for the resource's account.
 * - `aws:userid`: `role-id:session-name` for a role session (table "aws:userid" on the
 *   global keys page); the role id comes from the snapshot, the session name from who
 *   assumed the role (SageMaker names its sessions `SageMaker`; EventBridge and Pipelines
 *   session names are not documented, so there the key is unknown).
 *
 * Nothing here guesses: a key whose value the snapshot cannot give is reported as unknown
 * with what is missing, so `check` says undecided where the key matters.
 */
import type { AccountSnapshot, Organization, Role } from '../account/snapshot.js';
import type { PolicyDocument } from '../engine/types.js';
import type { Caller } from './flow.js';

/** What the snapshot says about the account's organization. */
export interface OrgFacts {
  /** `none`: not in an organization; `unknown`: could not be read. */
  readonly membership: 'none' | 'member' | 'unknown';
  readonly id?: string;
  /** `o-id/r-root/ou-.../` for the account, when the whole path is known. */
  readonly path?: string;
  /** Why the organization id or path is unknown. */
  readonly unknownReason?: string;
  /** SCPs were not (all) read: steps an SCP could deny are undecided. */
  readonly scpsUnread?: string;
  /** RCPs were not (all) read. */
  readonly rcpsUnread?: string;
}

const ORG_GAPS = new Set(['organization', 'organization path', 'organization scps', 'organization rcps', 'organization root']);

function gapMessage(snapshot: AccountSnapshot, ...whats: string[]): string | undefined {
  const g = (snapshot.gaps ?? []).find((x) => whats.includes(x.what.toLowerCase()));
  return g ? `${g.what}${g.file ? ` (${g.file})` : ''}: ${g.message}` : undefined;
}

function orgPath(org: Organization): string | undefined {
  const levels = org.path;
  if (!org.id || levels.length < 1 || levels[0]?.type !== 'ROOT') return undefined;
  const upToAccount = levels[levels.length - 1]?.type === 'ACCOUNT' ? levels.slice(0, -1) : undefined;
  if (!upToAccount) return undefined;
  return `${org.id}/${upToAccount.map((l) => l.id).join('/')}/`;
}

/** The organization facts of a snapshot, including what could not be read. */
export function orgFacts(snapshot: AccountSnapshot): OrgFacts {
  const org = snapshot.organization;
  if (!org) {
    // DescribeOrganization itself failed (denied): whether the account is in an
    // organization is unknown, so SCPs and RCPs may apply.
    const why = gapMessage(snapshot, 'organization');
    if (!why && !(snapshot.gaps ?? []).some((g) => ORG_GAPS.has(g.what.toLowerCase()))) return { membership: 'none' };
    const reason = why ?? gapMessage(snapshot, 'organization path', 'organization scps') ?? 'the organization could not be read';
    return { membership: 'unknown', unknownReason: reason, scpsUnread: reason, rcpsUnread: reason };
  }
  const path = orgPath(org);
  const pathGap = gapMessage(snapshot, 'organization path');
  const scpsUnread = org.isManagementAccount ? undefined : (org.scpsUnread ?? gapMessage(snapshot, 'organization scps') ?? (pathGap && org.scpsEnabled === false ? pathGap : undefined));
  const rcpsUnread = org.isManagementAccount ? undefined : (org.rcpsUnread ?? gapMessage(snapshot, 'organization rcps'));
  const unknownReason = !org.id ? 'the organization id (organizations describe-organization)' : !path ? `the organization path of account ${snapshot.accountId}${pathGap ? ` (${pathGap})` : ''}` : undefined;
  return {
    membership: 'member',
    ...(org.id ? { id: org.id } : {}),
    ...(path ? { path } : {}),
    ...(unknownReason ? { unknownReason } : {}),
    ...(scpsUnread ? { scpsUnread } : {}),
    ...(rcpsUnread ? { rcpsUnread } : {}),
  };
}

/** Keys the request carries, and keys whose value is unknown with the reason. */
export interface DerivedContext {
  readonly context: Record<string, string | string[]>;
  readonly unknown: Record<string, string>;
}

/** Every `aws:PrincipalTag/KEY` a policy of the request mentions (as a condition key or a variable). */
export function principalTagKeysIn(policies: readonly PolicyDocument[]): string[] {
  const out = new Set<string>();
  for (const p of policies) {
    const text = JSON.stringify(p ?? null);
    for (const m of text.matchAll(/aws:PrincipalTag\/([^"}$\s]+)/gi)) out.add(`aws:PrincipalTag/${m[1]}`);
  }
  return [...out];
}

/**
 * The session name AWS gives a notebook job's sessions: `SageMaker` when SageMaker assumes the
 * role for Studio or a training job (the ARN in their AccessDenied messages reads
 * `assumed-role/ROLE/SageMaker`); not documented for EventBridge and Pipelines.
 */
export function sessionNameOf(caller: Caller): string | undefined {
  return caller === 'studio' || caller === 'job-training' || caller === 'job-container' ? 'SageMaker' : undefined;
}

/** Principal keys of a role session of the account (the engine derives aws:PrincipalArn/Account/Type itself). */
export function principalContext(
  org: OrgFacts,
  role: Role,
  caller: Caller,
  policies: readonly PolicyDocument[],
): DerivedContext & { readonly uniqueId?: string } {
  const context: Record<string, string | string[]> = {};
  const unknown: Record<string, string> = {};
  const tags = (role as { tags?: Readonly<Record<string, string>> }).tags;
  if (tags) {
    for (const [k, v] of Object.entries(tags)) context[`aws:PrincipalTag/${k}`] = v;
  } else {
    for (const key of principalTagKeysIn(policies)) unknown[key] = `the tags of role ${role.name} were not read (iam get-account-authorization-details: RoleDetailList[].Tags)`;
  }
  if (org.membership === 'member') {
    if (org.id) context['aws:PrincipalOrgID'] = org.id;
    else unknown['aws:PrincipalOrgID'] = org.unknownReason ?? 'the organization id';
    if (org.path) context['aws:PrincipalOrgPaths'] = [org.path];
    else unknown['aws:PrincipalOrgPaths'] = org.unknownReason ?? 'the organization path';
  } else if (org.membership === 'unknown') {
    unknown['aws:PrincipalOrgID'] = org.unknownReason ?? 'the organization';
    unknown['aws:PrincipalOrgPaths'] = org.unknownReason ?? 'the organization';
  }
  const session = sessionNameOf(caller);
  let uniqueId: string | undefined;
  if (role.roleId && session) uniqueId = role.roleId;
  else if (!role.roleId) unknown['aws:userid'] = `the unique id (RoleId) of role ${role.name}`;
  else unknown['aws:userid'] = `the session name ${caller === 'job-events' ? 'EventBridge' : 'SageMaker Pipelines'} gives role ${role.name} (not documented)`;
  return { context, unknown, ...(uniqueId ? { uniqueId } : {}) };
}

/** Resource keys for a resource in `resourceAccount` (undefined: not known). */
export function resourceContext(snapshot: AccountSnapshot, org: OrgFacts, resourceAccount: string | undefined, what: string): DerivedContext {
  const context: Record<string, string | string[]> = {};
  const unknown: Record<string, string> = {};
  if (!resourceAccount) {
    unknown['aws:ResourceAccount'] = `the account that owns ${what}`;
    unknown['aws:ResourceOrgID'] = `the account that owns ${what}`;
    unknown['aws:ResourceOrgPaths'] = `the account that owns ${what}`;
    return { context, unknown };
  }
  context['aws:ResourceAccount'] = resourceAccount;
  if (resourceAccount !== snapshot.accountId) {
    unknown['aws:ResourceOrgID'] = `the organization of account ${resourceAccount}, which owns ${what}`;
    unknown['aws:ResourceOrgPaths'] = `the organization path of account ${resourceAccount}, which owns ${what}`;
    return { context, unknown };
  }
  if (org.membership === 'member') {
    if (org.id) context['aws:ResourceOrgID'] = org.id;
    else unknown['aws:ResourceOrgID'] = org.unknownReason ?? 'the organization id';
    if (org.path) context['aws:ResourceOrgPaths'] = [org.path];
    else unknown['aws:ResourceOrgPaths'] = org.unknownReason ?? 'the organization path';
  } else if (org.membership === 'unknown') {
    unknown['aws:ResourceOrgID'] = org.unknownReason ?? 'the organization';
    unknown['aws:ResourceOrgPaths'] = org.unknownReason ?? 'the organization';
  }
  return { context, unknown };
}
