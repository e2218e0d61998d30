/**
 * `nbjob-iam setup [--plan | --apply]`: the changes that make notebook jobs pass in a live
 * account, computed from `check`'s proven fixes and shown as a diff; `--apply` makes the
 * account's own changes and nothing else.
 *
 * - The account is read with the live reader (live.ts), then `check` runs on it. Its fixes
 *   are proven (each makes its step pass on the fixed snapshot). Fixes are applied to the
 *   snapshot and the check runs again until no new fix appears, so a fix hidden behind
 *   another (a pair: the role's policy and the key policy) is found too.
 * - Merges, never replaces: a trust policy gets the missing statements appended; each
 *   role gets ONE inline policy `nbjob-iam-notebook-jobs`, created or extended with the
 *   missing statements (statements already there are kept, duplicates are not added).
 *   When the role's inline policies would exceed IAM's aggregate quota (10,240 characters),
 *   a customer managed policy `nbjob-iam-notebook-jobs-<role>` is used instead, respecting
 *   its five-version limit (the oldest non-default version is deleted first).
 * - SCPs, RCPs, key policies, endpoint policies and bucket policies belong to others: the
 *   plan prints the statements their owners must add (or the denial they must lift) and
 *   nbjob-iam never changes them.
 * - `--plan` (the default) only reads. `--apply` writes with iam:UpdateAssumeRolePolicy,
 *   iam:PutRolePolicy, iam:CreatePolicy, iam:CreatePolicyVersion, iam:DeletePolicyVersion,
 *   iam:AttachRolePolicy and sagemaker:AddTags. A second `--apply` changes nothing.
 *
 * - Every variant the domain allows is planned by default: Studio's form offers "Run now"
 *   and "Run on a schedule" in every domain, so the fixes of both are united (`--variant`
 *   plans one).
 * - Before falling back to a managed policy, the role's managed-policy quota is checked (10
 *   per role by default; the account's value is read with iam:GetAccountSummary,
 *   `AttachedPoliciesPerRoleQuota`, and when that read is denied the default is assumed and
 *   the plan says so).
 * - When the credentials stop working half-way through `--apply` (ExpiredToken and the
 *   like), the run stops and says exactly which changes were made and which remain; a new
 *   `--apply` with fresh credentials re-reads the account and makes only what remains.
 *
 * Quotas: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
 * (role inline policies 10,240 characters in aggregate, managed policy 6,144, trust policy
 * 2,048 by default, five versions per managed policy, 10 managed policies per role by
 * default; whitespace is not counted).
 */
import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  DeletePolicyVersionCommand,
  GetAccountSummaryCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  ListPolicyVersionsCommand,
  PutRolePolicyCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import type { PolicyVersion } from '@aws-sdk/client-iam';
import { AddTagsCommand } from '@aws-sdk/client-sagemaker';
import { applyFixes, checkSetup } from '../notebook-jobs/check.js';
import type { CheckResult } from '../notebook-jobs/check.js';
import { engineEvaluator } from '../notebook-jobs/evaluate.js';
import { DEFAULT_VARIANTS } from '../notebook-jobs/generate.js';
import { describeTarget, FIX_POLICY_NAME, mergeFixes } from '../notebook-jobs/fixes.js';
import type { Fix, FixOwner, FixTarget } from '../notebook-jobs/fixes.js';
import type { FlowSetup, Variant } from '../notebook-jobs/flow.js';
import { findRole, resolveSetup } from '../notebook-jobs/setup.js';
import type { Selection } from '../notebook-jobs/setup.js';
import { allPages, AwsCaller, CredentialsError, DeniedError, errorCode, errorMessage } from './aws-call.js';
import type { ProgressFn } from './aws-call.js';
import { jsonText, lineDiff } from './aws-diff.js';
import { decodePolicyDocument } from './from-cli.js';
import { createClients, readLiveSnapshot } from './live.js';
import type { ClientOptions, Clients, LiveGap } from './live.js';
import type { AccountSnapshot, PolicyJson, Role } from './snapshot.js';

export const INLINE_AGGREGATE_QUOTA = 10_240;
export const MANAGED_POLICY_QUOTA = 6_144;
export const TRUST_POLICY_DEFAULT_QUOTA = 2_048;
export const MANAGED_POLICY_VERSION_LIMIT = 5;
/** "Managed policies attached to an IAM role": 10 by default (adjustable up to 25). */
export const MANAGED_POLICIES_PER_ROLE_DEFAULT_QUOTA = 10;

/** Value `check` puts in a tag fix when the SCP accepts any value: the user must choose one. */
const PLACEHOLDER_TAG_VALUE = 'REPLACE-ME';

export interface SetupOptions extends ClientOptions {
  /** The account the user means (--account); the command stops when the credentials are for another. */
  readonly accountId?: string;
  readonly domainId?: string;
  readonly userProfileName?: string;
  readonly spaceName?: string;
  /** Role ARN or name (--studio-role); default: the profile's, else the domain's. */
  readonly studioRoleArn?: string;
  /** Role ARN or name (--job-role); default: the Studio role. */
  readonly jobRoleArn?: string;
  /** One variant (--variant); default: every variant the domain allows (run-now and schedule). */
  readonly variant?: Variant;
  /** Key id, key ARN, alias name or alias ARN (--output-kms-key / --volume-kms-key). */
  readonly outputKmsKeyArn?: string;
  readonly volumeKmsKeyArn?: string;
  /** Override the domain's network mode / S3 endpoint as read from the account. */
  readonly vpcOnly?: boolean;
  readonly vpcEndpointId?: string;
  readonly inputBucket?: string;
  readonly outputBucket?: string;
  /** Values for tags an SCP requires (`--tag KEY=VALUE`). */
  readonly tags?: Readonly<Record<string, string>>;
  /** Make the changes (--apply); default: plan only. */
  readonly apply?: boolean;
  readonly onProgress?: ProgressFn;
  /** For tests: waits between retries of throttled calls. */
  readonly sleep?: (ms: number) => Promise<void>;
}

interface PolicyEdit {
  readonly roleArn: string;
  readonly roleName: string;
  readonly before?: PolicyJson;
  readonly after: PolicyJson;
  /** The statements added (Sids made unique). */
  readonly added: readonly PolicyJson[];
}

export type PlannedChange =
  | ({ readonly kind: 'trust-policy' } & PolicyEdit)
  | ({ readonly kind: 'inline-policy'; readonly policyName: string } & PolicyEdit)
  | ({
      readonly kind: 'managed-policy';
      readonly policyName: string;
      readonly policyArn: string;
      readonly exists: boolean;
      readonly attached: boolean;
      /** A version to delete first: the policy has five. */
      readonly deleteVersionId?: string;
    } & PolicyEdit)
  | { readonly kind: 'profile-tags'; readonly resourceArn: string; readonly target: string; readonly tags: Readonly<Record<string, string>> };

/** A change only another team can make. */
export interface OwnerRequest {
  readonly owner: FixOwner;
  /** Absent for a denial (an SCP or RCP statement) rather than a missing statement. */
  readonly target?: FixTarget;
  /** e.g. "key policy of arn:aws:kms:...". */
  readonly what: string;
  /** Statements to add (empty for a denial that must be lifted). */
  readonly statements: readonly PolicyJson[];
  readonly summary: string;
}

export interface MissingTagValue {
  readonly key: string;
  readonly target: string;
  readonly summary: string;
}

export interface SetupPlan {
  readonly accountId: string;
  readonly region: string;
  /** The variants planned: their fixes are united. */
  readonly variants: readonly Variant[];
  readonly setup: FlowSetup;
  /** What `--apply` changes, in order. */
  readonly changes: readonly PlannedChange[];
  readonly ownerRequests: readonly OwnerRequest[];
  /** Tags an SCP requires whose value only the user knows (pass --tag KEY=VALUE). */
  readonly missingTagValues: readonly MissingTagValue[];
  /** Required steps that still fail once every change above (ours and the owners') is made. */
  readonly stillFailing: readonly string[];
  /** Required steps the snapshot cannot decide. */
  readonly undecided: readonly string[];
  /** Problems that stop a change (a policy too large even as a managed policy). */
  readonly problems: readonly string[];
  readonly notes: readonly string[];
  readonly gaps: readonly LiveGap[];
}

export interface AppliedChange {
  readonly change: PlannedChange;
  readonly ok: boolean;
  /** The operations made for it, `service:Operation`. */
  readonly operations: readonly string[];
  readonly error?: string;
  /** When denied: the permission it needs. */
  readonly permission?: string;
}

/** `--apply` stopped because the credentials stopped working (ExpiredToken and the like). */
export interface ApplyInterruption {
  /** Why, as AWS said it. */
  readonly reason: string;
  /** The changes not made (the one in progress first), in plan order. */
  readonly remaining: readonly PlannedChange[];
  /** Operations of the change in progress that did succeed before the credentials failed. */
  readonly partial: readonly string[];
}

export interface ApplyOutcome {
  readonly applied: readonly AppliedChange[];
  readonly interrupted?: ApplyInterruption;
}

export interface SetupRunResult {
  readonly mode: 'plan' | 'apply';
  readonly plan: SetupPlan;
  readonly applied: readonly AppliedChange[];
  readonly interrupted?: ApplyInterruption;
  /** Every AWS operation called (reads and writes), sorted. */
  readonly operations: readonly string[];
  /** The plan (and, with --apply, what was done) for people. */
  readonly text: string;
  /** True when nothing is left for the account to change (owners' changes may remain). */
  readonly done: boolean;
}

export class SetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SetupError';
  }
}

// ------------------------------------------------------------------------------ helpers

function statementsOf(doc: PolicyJson | undefined): PolicyJson[] {
  const s = doc?.Statement;
  if (Array.isArray(s)) return s.filter((x): x is PolicyJson => typeof x === 'object' && x !== null);
  return typeof s === 'object' && s !== null ? [s as PolicyJson] : [];
}

/** A statement's meaning for comparison: keys sorted, Sid ignored, one-element lists as scalars. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(canonical);
    if (items.length === 1) return items[0];
    return items.map((v) => JSON.stringify(v)).sort();
  }
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) if (k !== 'Sid') out[k] = canonical((value as Record<string, unknown>)[k]);
    return out;
  }
  return value;
}

function sameStatement(a: PolicyJson, b: PolicyJson): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

/**
 * `doc` with the statements it lacks appended (Sids made unique); undefined when it lacks
 * none. A statement equal to one there (Sid aside, list order aside) is not added again.
 */
export function withMissing(doc: PolicyJson | undefined, statements: readonly PolicyJson[]): { after: PolicyJson; added: PolicyJson[] } | undefined {
  const existing = statementsOf(doc);
  const sids = new Set(existing.map((s) => s.Sid).filter((s): s is string => typeof s === 'string'));
  const added: PolicyJson[] = [];
  for (const st of statements) {
    if ([...existing, ...added].some((e) => sameStatement(e, st))) continue;
    let statement = st;
    if (typeof st.Sid === 'string') {
      let sid = st.Sid;
      for (let n = 2; sids.has(sid); n++) sid = `${st.Sid}${n}`;
      sids.add(sid);
      statement = { ...st, Sid: sid };
    }
    added.push(statement);
  }
  if (!added.length) return undefined;
  const base = doc ?? { Version: '2012-10-17', Statement: [] };
  return { after: { ...base, Version: base.Version ?? '2012-10-17', Statement: [...existing, ...added] }, added };
}

/** Size as IAM counts it: without whitespace outside strings. */
export function policySize(doc: PolicyJson): number {
  return JSON.stringify(doc).length;
}

function managedPolicyName(roleName: string): string {
  return `${FIX_POLICY_NAME}-${roleName}`.slice(0, 128);
}

const targetLabel: (t: FixTarget) => string = describeTarget;

function fixKey(f: Fix): string {
  return JSON.stringify([f.target, f.statement ?? null, f.tags ?? null]);
}

// ------------------------------------------------------------------------------ the plan

interface ManagedState {
  readonly exists: boolean;
  readonly document?: PolicyJson;
  readonly versions: readonly PolicyVersion[];
}

async function readManaged(aws: AwsCaller, clients: Clients, arn: string): Promise<ManagedState> {
  let defaultVersion: string | undefined;
  try {
    const p = await aws.call('iam:GetPolicy', () => clients.iam.send(new GetPolicyCommand({ PolicyArn: arn })));
    defaultVersion = p.Policy?.DefaultVersionId;
  } catch (e) {
    if (/NoSuchEntity/.test(errorCode(e))) return { exists: false, versions: [] };
    throw e;
  }
  const versions = await allPages(
    (Marker) => aws.call('iam:ListPolicyVersions', () => clients.iam.send(new ListPolicyVersionsCommand({ PolicyArn: arn, ...(Marker ? { Marker } : {}) }))),
    (p) => (p.IsTruncated ? p.Marker : undefined),
    (p) => p.Versions,
  );
  const def = versions.find((v) => v.IsDefaultVersion)?.VersionId ?? defaultVersion;
  let document: PolicyJson | undefined;
  if (def) {
    const v = await aws.call('iam:GetPolicyVersion', () => clients.iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: def })));
    document = decodePolicyDocument(v.PolicyVersion?.Document);
  }
  return { exists: true, document, versions };
}

function oldestNonDefault(versions: readonly PolicyVersion[]): string | undefined {
  const candidates = versions.filter((v) => !v.IsDefaultVersion && v.VersionId);
  candidates.sort((a, b) => (a.CreateDate?.getTime() ?? 0) - (b.CreateDate?.getTime() ?? 0) || String(a.VersionId).localeCompare(String(b.VersionId), undefined, { numeric: true }));
  return candidates[0]?.VersionId;
}

function requiredStepIds(result: CheckResult, status: 'fail' | 'undecided'): string[] {
  return result.steps.filter((s) => s.status === status && s.step.required).map((s) => `${s.step.id}${s.ownerChange ? `: ${s.ownerChange.summary}` : s.missing?.length ? `: missing ${s.missing.join(', ')}` : ''}`);
}

/** Computes the plan on a snapshot that has been read already (the live reader, or a test). */
export async function planFromSnapshot(
  snapshot: AccountSnapshot,
  options: SetupOptions,
  context: { readonly aws: AwsCaller; readonly clients?: Clients; readonly gaps?: readonly LiveGap[]; readonly notes?: readonly string[]; readonly keyArns?: Readonly<Record<string, string>> },
): Promise<SetupPlan> {
  const variants: readonly Variant[] = options.variant ? [options.variant] : DEFAULT_VARIANTS;
  const key = (k: string | undefined): string | undefined => (k ? (context.keyArns?.[k] ?? k) : undefined);
  const selection: Selection = {
    ...(options.domainId ? { domainId: options.domainId } : {}),
    ...(options.userProfileName ? { userProfileName: options.userProfileName } : {}),
    ...(options.spaceName ? { spaceName: options.spaceName } : {}),
    ...(options.studioRoleArn ? { studioRoleArn: options.studioRoleArn } : {}),
    ...(options.jobRoleArn ? { jobRoleArn: options.jobRoleArn } : {}),
    ...(options.outputKmsKeyArn ? { outputKmsKeyArn: key(options.outputKmsKeyArn) } : {}),
    ...(options.volumeKmsKeyArn ? { volumeKmsKeyArn: key(options.volumeKmsKeyArn) } : {}),
    ...(options.inputBucket ? { inputBucket: options.inputBucket } : {}),
    ...(options.outputBucket ? { outputBucket: options.outputBucket } : {}),
  };
  const resolved = resolveSetup(snapshot, selection);
  if (!resolved.ok) {
    const unread = (context.gaps ?? []).filter((g) => g.permission).map((g) => g.permission);
    throw new SetupError(`${resolved.message}${unread.length ? ` (not read, denied: ${[...new Set(unread)].join(', ')})` : ''}`);
  }
  const notes = [...(context.notes ?? []), ...resolved.notes];
  let setup: FlowSetup = resolved.setup;
  if (options.vpcOnly !== undefined && options.vpcOnly !== setup.vpcOnly) {
    notes.push(`--vpc-only ${options.vpcOnly ? 'given' : 'not given'}, but domain ${setup.domainId} is ${setup.vpcOnly ? 'VpcOnly' : 'PublicInternetOnly'}: planning for ${options.vpcOnly ? 'VpcOnly' : 'the domain as read'}`);
    if (options.vpcOnly) setup = { ...setup, vpcOnly: true };
  }
  if (options.vpcEndpointId) setup = { ...setup, s3VpcEndpointId: options.vpcEndpointId };

  // Check every variant, apply every fix to the snapshot, check again: until no new fix appears.
  const evaluate = engineEvaluator();
  const checkAll = (snap: AccountSnapshot, s: FlowSetup): CheckResult[] => variants.map((variant) => checkSetup(snap, s, notes, { variant, evaluate }));
  const fixes: Fix[] = [];
  const seen = new Set<string>();
  let current = snapshot;
  let currentSetup = setup;
  let last = checkAll(current, currentSetup);
  const firstResults = last;
  for (let round = 0; round < 6; round++) {
    const fresh: Fix[] = [];
    for (const f of last.flatMap((r) => r.fixes)) {
      const fix = f.target.kind === 'profile-tags' && f.tags ? { ...f, tags: Object.fromEntries(Object.entries(f.tags).map(([k, v]) => [k, options.tags?.[k] ?? v])) } : f;
      if (seen.has(fixKey(fix))) continue;
      seen.add(fixKey(fix));
      fresh.push(fix);
    }
    if (!fresh.length) break;
    fixes.push(...fresh);
    current = applyFixes(current, fresh);
    const tags = Object.assign({}, ...fresh.map((f) => f.tags ?? {})) as Record<string, string>;
    if (Object.keys(tags).length) currentSetup = { ...currentSetup, profileTags: { ...currentSetup.profileTags, ...tags } };
    last = checkAll(current, currentSetup);
  }
  const merged = mergeFixes(fixes);

  const changes: PlannedChange[] = [];
  const ownerRequests: OwnerRequest[] = [];
  const missingTagValues: MissingTagValue[] = [];
  const problems: string[] = [];
  const byTarget = new Map<string, { target: FixTarget; fixes: Fix[] }>();
  for (const f of merged) {
    const k = JSON.stringify(f.target);
    const entry = byTarget.get(k) ?? { target: f.target, fixes: [] };
    entry.fixes.push(f);
    byTarget.set(k, entry);
  }
  const roleOf = (arn: string): Role | undefined => findRole(snapshot, arn);
  let quota: number | undefined;
  const managedQuota = async (): Promise<number> => {
    if (quota !== undefined) return quota;
    quota = await readManagedPoliciesQuota(context.aws, context.clients, notes);
    return quota;
  };
  const statements = (fs: readonly Fix[]): PolicyJson[] => fs.flatMap((f) => (f.statement ? [f.statement] : []));

  // Trust policies first (a role must be assumable before its policies matter), then identity policies, then tags.
  const ordered = [...byTarget.values()].sort((a, b) => order(a.target) - order(b.target));
  for (const { target: t, fixes: fs } of ordered) {
    if (t.kind === 'trust-policy') {
      const role = roleOf(t.roleArn);
      if (!role) {
        problems.push(`role ${t.roleArn} is not in the account: cannot add to its trust policy`);
        continue;
      }
      const edit = withMissing(role.trustPolicy, statements(fs));
      if (!edit) continue;
      if (policySize(edit.after) > TRUST_POLICY_DEFAULT_QUOTA) {
        notes.push(`the trust policy of role ${role.name} would be ${policySize(edit.after)} characters, over the default quota of ${TRUST_POLICY_DEFAULT_QUOTA}: ask for a quota increase (up to 4,096) if --apply fails`);
      }
      changes.push({ kind: 'trust-policy', roleArn: role.arn, roleName: role.name, before: role.trustPolicy, ...edit });
    } else if (t.kind === 'role-policy') {
      const role = roleOf(t.roleArn);
      if (!role) {
        problems.push(`role ${t.roleArn} is not in the account`);
        continue;
      }
      const existing = role.inlinePolicies.find((p) => p.name === t.policyName);
      const edit = withMissing(existing?.document, statements(fs));
      if (!edit) continue;
      const others = role.inlinePolicies.filter((p) => p.name !== t.policyName).reduce((n, p) => n + policySize(p.document), 0);
      if (others + policySize(edit.after) <= INLINE_AGGREGATE_QUOTA) {
        changes.push({ kind: 'inline-policy', policyName: t.policyName, roleArn: role.arn, roleName: role.name, ...(existing ? { before: existing.document } : {}), ...edit });
        continue;
      }
      // Over the inline quota: one customer managed policy per role.
      const policyName = managedPolicyName(role.name);
      const policyArn = `arn:${snapshot.partition ?? 'aws'}:iam::${snapshot.accountId}:policy/${policyName}`;
      const attached = role.attachedPolicies.some((p) => p.arn === policyArn);
      if (!attached) {
        // Attaching one more managed policy must fit the role's quota (IAM quotas: managed policies per role).
        const max = await managedQuota();
        if (role.attachedPolicies.length + 1 > max) {
          problems.push(
            `role ${role.name}: its inline policies would exceed ${INLINE_AGGREGATE_QUOTA} characters, and it already has ${role.attachedPolicies.length} managed policies attached, the most the account allows per role (${max}): detach one, merge some, or ask for a higher quota ("Managed policies per role", up to 25), then run setup again`,
          );
          continue;
        }
      }
      const state: ManagedState = context.clients ? await readManaged(context.aws, context.clients, policyArn) : { exists: false, versions: [] };
      const medit = withMissing(state.document, statements(fs));
      if (!medit) continue;
      if (policySize(medit.after) > MANAGED_POLICY_QUOTA) {
        problems.push(
          `role ${role.name}: the statements to add (${policySize(medit.after)} characters) exceed both the inline quota (${INLINE_AGGREGATE_QUOTA} in aggregate) and the managed policy quota (${MANAGED_POLICY_QUOTA}): add them by hand in several managed policies`,
        );
        continue;
      }
      const deleteVersionId = state.versions.length >= MANAGED_POLICY_VERSION_LIMIT ? oldestNonDefault(state.versions) : undefined;
      notes.push(`role ${role.name}: its inline policies would exceed ${INLINE_AGGREGATE_QUOTA} characters, so the statements go to the customer managed policy ${policyName}`);
      changes.push({
        kind: 'managed-policy',
        policyName,
        policyArn,
        exists: state.exists,
        attached,
        ...(deleteVersionId ? { deleteVersionId } : {}),
        roleArn: role.arn,
        roleName: role.name,
        ...(state.document ? { before: state.document } : {}),
        ...medit,
      });
    } else if (t.kind === 'profile-tags') {
      const label = targetLabel(t);
      const resource = t.spaceName
        ? snapshot.sagemaker.spaces.find((s) => s.domainId === t.domainId && s.name === t.spaceName)
        : snapshot.sagemaker.userProfiles.find((p) => p.domainId === t.domainId && p.name === t.userProfileName);
      const tags: Record<string, string> = {};
      for (const f of fs) {
        for (const [k, v] of Object.entries(f.tags ?? {})) {
          if (v === PLACEHOLDER_TAG_VALUE) missingTagValues.push({ key: k, target: label, summary: `an SCP requires the tag on every job; Studio copies it from the ${t.spaceName ? 'space' : 'user profile'}` });
          else if (resource?.tags[k] !== v) tags[k] = v;
        }
      }
      if (!Object.keys(tags).length) continue;
      if (!resource?.arn) {
        problems.push(`${label} has no ARN in the snapshot: cannot tag it`);
        continue;
      }
      changes.push({ kind: 'profile-tags', resourceArn: resource.arn, target: label, tags });
    } else {
      const sts = statements(fs);
      const actions = [...new Set(sts.flatMap((st) => (Array.isArray(st.Action) ? st.Action : [st.Action]).filter((a): a is string => typeof a === 'string')))].sort();
      ownerRequests.push({ owner: fs[0]!.owner, target: t, what: targetLabel(t), statements: sts, summary: `add ${sts.length} statement(s) allowing ${actions.join(', ')}` });
    }
  }
  // Denials no statement can fix (an SCP, an RCP): their owners must lift them.
  for (const s of firstResults.flatMap((r) => r.steps)) {
    if (s.status !== 'fail' || s.fix || !s.ownerChange) continue;
    if (ownerRequests.some((o) => o.summary === s.ownerChange!.summary)) continue;
    ownerRequests.push({ owner: s.ownerChange.owner, what: s.decidedBy?.policy ?? s.step.id, statements: [], summary: s.ownerChange.summary });
  }
  return {
    accountId: snapshot.accountId,
    region: snapshot.region,
    variants,
    setup,
    changes,
    ownerRequests,
    missingTagValues,
    stillFailing: [...new Set(last.flatMap((r) => requiredStepIds(r, 'fail')))],
    undecided: [...new Set(last.flatMap((r) => requiredStepIds(r, 'undecided')))],
    problems,
    notes: [...new Set(notes)],
    gaps: context.gaps ?? [],
  };
}

/**
 * The account's quota of managed policies per role: iam:GetAccountSummary's
 * AttachedPoliciesPerRoleQuota, else the default (10), with a note saying it was assumed.
 */
async function readManagedPoliciesQuota(aws: AwsCaller, clients: Clients | undefined, notes: string[]): Promise<number> {
  const assumed = (why: string): number => {
    notes.push(`${why}: assumed the default quota of ${MANAGED_POLICIES_PER_ROLE_DEFAULT_QUOTA} managed policies per role`);
    return MANAGED_POLICIES_PER_ROLE_DEFAULT_QUOTA;
  };
  if (!clients) return assumed('the account was not read live');
  try {
    const summary = await aws.call('iam:GetAccountSummary', () => clients.iam.send(new GetAccountSummaryCommand({})));
    const value = summary.SummaryMap?.['AttachedPoliciesPerRoleQuota'];
    return typeof value === 'number' && value > 0 ? value : assumed('iam:GetAccountSummary did not give AttachedPoliciesPerRoleQuota');
  } catch (e) {
    if (e instanceof DeniedError) return assumed(`could not read the account's quota (iam:GetAccountSummary denied, ${e.code})`);
    throw e;
  }
}

function order(t: FixTarget): number {
  return ['trust-policy', 'role-policy', 'profile-tags', 'key-policy', 'vpc-endpoint-policy', 'bucket-policy'].indexOf(t.kind);
}

async function readAndPlan(clients: Clients, options: SetupOptions, aws: AwsCaller): Promise<{ plan: SetupPlan; readOperations: readonly string[] }> {
  const live = await readLiveSnapshot(clients, {
    region: options.region,
    ...(options.domainId ? { domainIds: [options.domainId] } : {}),
    kmsKeys: [options.outputKmsKeyArn, options.volumeKmsKeyArn].filter((k): k is string => Boolean(k)),
    buckets: [options.inputBucket, options.outputBucket].filter((b): b is string => Boolean(b)),
    onProgress: options.onProgress,
    maxAttempts: options.maxAttempts,
    sleep: options.sleep,
  });
  if (options.accountId && options.accountId !== live.snapshot.accountId) {
    throw new SetupError(`--account ${options.accountId} given, but the credentials are for account ${live.snapshot.accountId}: nothing was planned`);
  }
  const plan = await planFromSnapshot(live.snapshot, options, { aws, clients, gaps: live.gaps, notes: live.notes, keyArns: live.keyArns });
  return { plan, readOperations: live.operations };
}

/** Reads the live account and computes the plan. Reads only. */
export async function planSetup(clients: Clients, options: SetupOptions): Promise<SetupPlan> {
  const aws = new AwsCaller({ maxAttempts: options.maxAttempts, sleep: options.sleep, onProgress: options.onProgress });
  return (await readAndPlan(clients, options, aws)).plan;
}

// ----------------------------------------------------------------------------- applying

/**
 * Makes the account's own changes of a plan, in order. A failed change does not stop the
 * others; credentials that stop working do (every later call would fail the same way): the
 * outcome then says which changes remain.
 */
export async function applySetup(clients: Clients, plan: SetupPlan, aws: AwsCaller): Promise<ApplyOutcome> {
  const out: AppliedChange[] = [];
  aws.plan(plan.changes.length);
  for (const [index, change] of plan.changes.entries()) {
    const ops: string[] = [];
    const call = <T>(op: string, fn: () => Promise<T>): Promise<T> => {
      ops.push(op);
      return aws.call(op, fn);
    };
    try {
      switch (change.kind) {
        case 'trust-policy':
          await call('iam:UpdateAssumeRolePolicy', () => clients.iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: change.roleName, PolicyDocument: JSON.stringify(change.after) })));
          break;
        case 'inline-policy':
          await call('iam:PutRolePolicy', () =>
            clients.iam.send(new PutRolePolicyCommand({ RoleName: change.roleName, PolicyName: change.policyName, PolicyDocument: JSON.stringify(change.after) })),
          );
          break;
        case 'managed-policy': {
          const doc = JSON.stringify(change.after);
          if (change.exists) {
            const del = change.deleteVersionId;
            if (del) await call('iam:DeletePolicyVersion', () => clients.iam.send(new DeletePolicyVersionCommand({ PolicyArn: change.policyArn, VersionId: del })));
            await call('iam:CreatePolicyVersion', () => clients.iam.send(new CreatePolicyVersionCommand({ PolicyArn: change.policyArn, PolicyDocument: doc, SetAsDefault: true })));
          } else {
            await call('iam:CreatePolicy', () =>
              clients.iam.send(new CreatePolicyCommand({ PolicyName: change.policyName, PolicyDocument: doc, Description: 'Notebook-job permissions added by nbjob-iam setup' })),
            );
          }
          if (!change.attached) await call('iam:AttachRolePolicy', () => clients.iam.send(new AttachRolePolicyCommand({ RoleName: change.roleName, PolicyArn: change.policyArn })));
          break;
        }
        case 'profile-tags':
          await call('sagemaker:AddTags', () =>
            clients.sagemaker.send(new AddTagsCommand({ ResourceArn: change.resourceArn, Tags: Object.entries(change.tags).map(([Key, Value]) => ({ Key, Value })) })),
          );
          break;
      }
      out.push({ change, ok: true, operations: ops });
    } catch (e) {
      if (e instanceof CredentialsError) {
        return { applied: out, interrupted: { reason: e.message, remaining: plan.changes.slice(index), partial: ops.slice(0, -1) } };
      }
      out.push({
        change,
        ok: false,
        operations: ops,
        error: e instanceof DeniedError ? `needs ${e.permission} (${e.code})` : `${errorCode(e)}: ${errorMessage(e)}`,
        ...(e instanceof DeniedError ? { permission: e.permission } : {}),
      });
    }
    aws.tick(`setup: ${describeChange(change)}`);
  }
  return { applied: out };
}

// ------------------------------------------------------------------------------- output

export function describeChange(c: PlannedChange): string {
  switch (c.kind) {
    case 'trust-policy':
      return `role ${c.roleName}: add ${c.added.length} statement(s) to its trust policy (iam:UpdateAssumeRolePolicy)`;
    case 'inline-policy':
      return c.before
        ? `role ${c.roleName}: add ${c.added.length} statement(s) to inline policy ${c.policyName} (iam:PutRolePolicy)`
        : `role ${c.roleName}: create inline policy ${c.policyName} with ${c.added.length} statement(s) (iam:PutRolePolicy)`;
    case 'managed-policy':
      return `role ${c.roleName}: ${c.exists ? `new default version of managed policy ${c.policyName}${c.deleteVersionId ? ` (deletes the oldest version ${c.deleteVersionId} first)` : ''}` : `create managed policy ${c.policyName}`}${c.attached ? '' : ' and attach it'}, ${c.added.length} statement(s) added`;
    case 'profile-tags':
      return `${c.target}: add tags ${Object.entries(c.tags)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')} (sagemaker:AddTags)`;
  }
}

const OWNER_NAMES: Readonly<Record<FixOwner, string>> = {
  account: 'the account',
  organization: 'the organization administrators',
  'key-owner': 'the key owner',
  network: 'the network team',
  'bucket-owner': 'the bucket owner',
};

function indent(lines: readonly string[], by: string): string[] {
  return lines.map((l) => `${by}${l}`);
}

export function renderPlan(plan: SetupPlan): string {
  const out: string[] = [`nbjob-iam setup: account ${plan.accountId}, ${plan.region}, ${plan.variants.length > 1 ? 'variants' : 'variant'} ${plan.variants.join(', ')}`, ''];
  if (plan.changes.length) {
    out.push(`Changes nbjob-iam makes with --apply (${plan.changes.length}):`);
    plan.changes.forEach((c, i) => {
      out.push(`  ${i + 1}. ${describeChange(c)}`);
      if (c.kind !== 'profile-tags') out.push(...indent(lineDiff(c.before ? jsonText(c.before) : undefined, jsonText(c.after)), '       '));
    });
  } else out.push('Nothing for nbjob-iam to change in the account.');
  if (plan.missingTagValues.length) {
    out.push('', 'Tags that need a value (pass --tag KEY=VALUE):');
    for (const m of plan.missingTagValues) out.push(`  - ${m.key} on ${m.target}: ${m.summary}`);
  }
  if (plan.ownerRequests.length) {
    out.push('', 'Changes their owners must make (nbjob-iam never changes these):');
    for (const o of plan.ownerRequests) {
      out.push(`  - ${o.what} (${OWNER_NAMES[o.owner]}): ${o.summary}`);
      if (o.statements.length) {
        out.push('      add these statements:');
        out.push(...indent(jsonText(o.statements).split('\n'), '        '));
      }
    }
  }
  if (plan.problems.length) out.push('', 'Problems:', ...plan.problems.map((p) => `  - ${p}`));
  if (plan.stillFailing.length) out.push('', 'Still failing once all of the above is done:', ...plan.stillFailing.map((s) => `  - ${s}`));
  if (plan.undecided.length) out.push('', 'Undecided (the account could not be read fully):', ...plan.undecided.map((s) => `  - ${s}`));
  if (plan.gaps.length) out.push('', 'Not read:', ...plan.gaps.map((g) => `  - ${g.what}: ${g.message}`));
  if (plan.notes.length) out.push('', 'Notes:', ...plan.notes.map((n) => `  - ${n}`));
  return out.join('\n') + '\n';
}

function renderApplied(applied: readonly AppliedChange[], interrupted?: ApplyInterruption): string {
  if (!applied.length && !interrupted) return 'Applied: nothing to change.\n';
  const lines = ['Applied:'];
  for (const a of applied) lines.push(`  ${a.ok ? 'done' : 'FAILED'}: ${describeChange(a.change)}${a.error ? `: ${a.error}` : ''}`);
  if (!applied.length) lines.push('  nothing');
  if (interrupted) {
    const done = applied.filter((a) => a.ok).length;
    lines.push(
      '',
      `Stopped: ${interrupted.reason}`,
      `Made ${done} of ${done + interrupted.remaining.length + applied.filter((a) => !a.ok).length} change(s) (listed above as done); not made (${interrupted.remaining.length}):`,
    );
    interrupted.remaining.forEach((c, i) => {
      const partial = i === 0 && interrupted.partial.length ? ` (interrupted: ${interrupted.partial.join(', ')} already made)` : '';
      lines.push(`  not done: ${describeChange(c)}${partial}`);
    });
    lines.push('Refresh the credentials and run setup --apply again: it reads the account again and makes only what is left.');
  }
  return lines.join('\n') + '\n';
}

/**
 * `nbjob-iam setup [--plan | --apply] ...`. Plans always; writes only with `apply: true`.
 * Throws SetupError (bad selection, wrong account), LiveReadError or CredentialsError.
 */
export async function runSetup(options: SetupOptions, clients?: Clients): Promise<SetupRunResult> {
  const c = clients ?? createClients(options);
  const aws = new AwsCaller({ maxAttempts: options.maxAttempts, sleep: options.sleep, onProgress: options.onProgress });
  const { plan, readOperations } = await readAndPlan(c, options, aws);
  const outcome: ApplyOutcome = options.apply ? await applySetup(c, plan, aws) : { applied: [] };
  const { applied, interrupted } = outcome;
  const text = renderPlan(plan) + (options.apply ? '\n' + renderApplied(applied, interrupted) : '\nPlan only: run again with --apply to make the changes above.\n');
  return {
    mode: options.apply ? 'apply' : 'plan',
    plan,
    applied,
    ...(interrupted ? { interrupted } : {}),
    operations: [...new Set([...readOperations, ...aws.operations()])].sort(),
    text,
    done: options.apply ? !interrupted && applied.every((a) => a.ok) && plan.problems.length === 0 : plan.changes.length === 0,
  };
}
