/**
 * `nbjob-iam snapshot` (live): reads the account with the AWS SDK v3 and writes the snapshot
 * `check` reads (src/account/snapshot.ts, schemas/snapshot.schema.json). It makes the
 * decisions of the CLI importer (from-cli.ts): IAM documents are URL-encoded and decoded
 * with `decodePolicyDocument`, the management account is the organization's
 * MasterAccountId, the organization path runs root → OUs → account with the SCPs and RCPs
 * attached at each level, and what cannot be read becomes a gap.
 *
 * Read-only: only Get*, List* and Describe* operations (sts:GetCallerIdentity included).
 * Every list is paginated. A denied read becomes a gap naming the permission it needs, and
 * the snapshot keeps what could be read. Credentials are never printed or stored.
 *
 * Only the KMS keys, buckets and ECR repositories that matter are read: the domains' KMS
 * keys and the keys named by flags; the default job bucket
 * `sagemaker-automated-execution-<account>-<region>` and the buckets named by flags; the
 * repositories named by flags (docs/live-snapshot.md).
 */
import { writeFileSync } from 'node:fs';
import { DescribeVpcEndpointsCommand, EC2Client } from '@aws-sdk/client-ec2';
import type { Filter as Ec2Filter, VpcEndpoint as Ec2VpcEndpoint } from '@aws-sdk/client-ec2';
import { DescribeRepositoriesCommand, ECRClient, GetRepositoryPolicyCommand } from '@aws-sdk/client-ecr';
import { GetAccountAuthorizationDetailsCommand, GetPolicyCommand, GetPolicyVersionCommand, IAMClient } from '@aws-sdk/client-iam';
import type { AttachedPermissionsBoundary, AttachedPolicy, GetAccountAuthorizationDetailsResponse, PolicyDetail, Tag as IamTag } from '@aws-sdk/client-iam';
import { DescribeKeyCommand, GetKeyPolicyCommand, KMSClient, ListAliasesCommand } from '@aws-sdk/client-kms';
import {
  DescribeAccountCommand,
  DescribeOrganizationalUnitCommand,
  DescribeOrganizationCommand,
  DescribePolicyCommand,
  ListParentsCommand,
  ListPoliciesForTargetCommand,
  ListRootsCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import type { PolicySummary, PolicyTypeSummary } from '@aws-sdk/client-organizations';
import { GetBucketEncryptionCommand, GetBucketLocationCommand, GetBucketPolicyCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeDomainCommand,
  DescribeSpaceCommand,
  DescribeUserProfileCommand,
  ListDomainsCommand,
  ListSpacesCommand,
  ListTagsCommand,
  ListUserProfilesCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { allPages, AwsCaller, CredentialsError, DEFAULT_MAX_ATTEMPTS, DeniedError, errorCode, errorMessage } from './aws-call.js';
import type { ProgressFn } from './aws-call.js';
import { decodePolicyDocument } from './from-cli.js';
import { readSnapshotText } from './read-snapshot.js';
import type {
  AccountSnapshot,
  EcrRepository,
  Group,
  KmsKey,
  NamedPolicy,
  OrgLevel,
  Organization,
  PolicyJson,
  Role,
  S3Bucket,
  SageMakerDomain,
  SageMakerSpace,
  SageMakerUserProfile,
  SnapshotGap,
  User,
  VpcEndpoint,
} from './snapshot.js';

export type { ProgressFn } from './aws-call.js';

/**
 * Every operation the live reader may call, the IAM permission it needs, and what for.
 * docs/live-snapshot.md lists the same (a test keeps them in step). All are reads.
 */
export const LIVE_OPERATIONS: readonly { readonly op: string; readonly permission: string; readonly what: string }[] = [
  { op: 'sts:GetCallerIdentity', permission: '(none)', what: 'the account id and partition' },
  { op: 'iam:GetAccountAuthorizationDetails', permission: 'iam:GetAccountAuthorizationDetails', what: 'roles, users, groups, their inline policies, customer managed policies' },
  { op: 'iam:GetPolicy', permission: 'iam:GetPolicy', what: 'an AWS managed policy attached to a role, user or group' },
  { op: 'iam:GetPolicyVersion', permission: 'iam:GetPolicyVersion', what: 'its default version (URL-encoded document)' },
  { op: 'organizations:DescribeOrganization', permission: 'organizations:DescribeOrganization', what: 'whether the account is in an organization, and the management account' },
  { op: 'organizations:ListRoots', permission: 'organizations:ListRoots', what: 'whether SCPs and RCPs are enabled' },
  { op: 'organizations:ListParents', permission: 'organizations:ListParents', what: 'the path account → OUs → root' },
  { op: 'organizations:DescribeOrganizationalUnit', permission: 'organizations:DescribeOrganizationalUnit', what: 'OU names (for reports; no gap when denied)' },
  { op: 'organizations:DescribeAccount', permission: 'organizations:DescribeAccount', what: 'the account name (for reports; no gap when denied)' },
  { op: 'organizations:ListPoliciesForTarget', permission: 'organizations:ListPoliciesForTarget', what: 'SCPs and RCPs attached at each level' },
  { op: 'organizations:DescribePolicy', permission: 'organizations:DescribePolicy', what: 'their content' },
  { op: 'sagemaker:ListDomains', permission: 'sagemaker:ListDomains', what: 'the domains of the region' },
  { op: 'sagemaker:DescribeDomain', permission: 'sagemaker:DescribeDomain', what: 'network mode, VPC, default roles, KMS key' },
  { op: 'sagemaker:ListUserProfiles', permission: 'sagemaker:ListUserProfiles', what: 'user profiles' },
  { op: 'sagemaker:DescribeUserProfile', permission: 'sagemaker:DescribeUserProfile', what: 'their execution role' },
  { op: 'sagemaker:ListSpaces', permission: 'sagemaker:ListSpaces', what: 'spaces' },
  { op: 'sagemaker:DescribeSpace', permission: 'sagemaker:DescribeSpace', what: 'their owner' },
  { op: 'sagemaker:ListTags', permission: 'sagemaker:ListTags', what: 'tags Studio copies onto jobs' },
  { op: 'ec2:DescribeVpcEndpoints', permission: 'ec2:DescribeVpcEndpoints', what: "endpoints of the domains' VPCs and their policies" },
  { op: 'kms:DescribeKey', permission: 'kms:DescribeKey', what: "the domain's key and the keys named by flags" },
  { op: 'kms:GetKeyPolicy', permission: 'kms:GetKeyPolicy', what: 'their key policies' },
  { op: 'kms:ListAliases', permission: 'kms:ListAliases', what: 'their aliases' },
  { op: 's3:GetBucketLocation', permission: 's3:GetBucketLocation', what: 'the default job bucket and flagged buckets: region and owner' },
  { op: 's3:GetBucketPolicy', permission: 's3:GetBucketPolicy', what: 'their bucket policies' },
  { op: 's3:GetBucketEncryption', permission: 's3:GetEncryptionConfiguration', what: 'their default encryption' },
  { op: 'ecr:DescribeRepositories', permission: 'ecr:DescribeRepositories', what: 'repositories named by flags (custom images)' },
  { op: 'ecr:GetRepositoryPolicy', permission: 'ecr:GetRepositoryPolicy', what: 'their repository policies' },
];

/** The AWS clients the live reader uses; injected so tests can mock them. */
export interface Clients {
  readonly sts: STSClient;
  readonly iam: IAMClient;
  readonly organizations: OrganizationsClient;
  readonly ec2: EC2Client;
  readonly kms: KMSClient;
  readonly s3: S3Client;
  readonly sagemaker: SageMakerClient;
  readonly ecr: ECRClient;
}

export interface ClientOptions {
  /** A named profile of ~/.aws/config (SSO profiles included); absent: the default chain. */
  readonly profile?: string;
  readonly region?: string;
  /** Attempts per call, the first included; default 8. */
  readonly maxAttempts?: number;
}

/**
 * The configuration every client shares: credentials from the default provider chain
 * (environment, SSO, shared config/credentials files, process, web identity, container,
 * instance metadata), or from the named profile, and the SDK's adaptive retry mode.
 */
export function awsClientConfig(o: ClientOptions = {}): {
  region?: string;
  profile?: string;
  credentials: ReturnType<typeof fromNodeProviderChain>;
  retryMode: 'adaptive';
  maxAttempts: number;
} {
  return {
    ...(o.region ? { region: o.region } : {}),
    ...(o.profile ? { profile: o.profile } : {}),
    credentials: fromNodeProviderChain(o.profile ? { profile: o.profile } : {}),
    retryMode: 'adaptive',
    maxAttempts: o.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
  };
}

export function createClients(o: ClientOptions = {}): Clients {
  const config = awsClientConfig(o);
  return {
    sts: new STSClient(config),
    iam: new IAMClient(config),
    organizations: new OrganizationsClient(config),
    ec2: new EC2Client(config),
    kms: new KMSClient(config),
    // A job bucket may live in another region than the Studio one.
    s3: new S3Client({ ...config, followRegionRedirects: true }),
    sagemaker: new SageMakerClient(config),
    ecr: new ECRClient(config),
  };
}

export interface LiveReadOptions {
  /** The Studio region; default: the clients' region. */
  readonly region?: string;
  /** Read only these domains; default: every domain of the region. */
  readonly domainIds?: readonly string[];
  /** KMS keys to read besides the domains' keys (key id, key ARN, alias name or alias ARN). */
  readonly kmsKeys?: readonly string[];
  /** Buckets to read besides the default job bucket. */
  readonly buckets?: readonly string[];
  /** ECR repositories to read (custom images only). */
  readonly ecrRepositories?: readonly string[];
  readonly onProgress?: ProgressFn;
  /**
   * The client Organizations is read with, when it is not the account's own: a member
   * account cannot list its SCPs, its management account (or a delegated administrator) can
   * (`snapshot --org-profile P`). The organization path is still the one of the account read.
   */
  readonly organizations?: OrganizationsClient;
  /** Attempts per throttled call when the client's own retries did not run (mocks). */
  readonly maxAttempts?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => Date;
}

/** A gap, with the IAM permission whose denial caused it. */
export interface LiveGap extends SnapshotGap {
  readonly permission?: string;
}

export interface LiveReadResult {
  readonly snapshot: AccountSnapshot;
  readonly gaps: readonly LiveGap[];
  /** Facts worth saying that are not gaps (a bucket that does not exist yet). */
  readonly notes: readonly string[];
  /** Every operation called, `service:Operation`, sorted. */
  readonly operations: readonly string[];
  /** Each KMS key identifier asked for (flag or domain), to the key's ARN. */
  readonly keyArns: Readonly<Record<string, string>>;
  readonly calls: number;
  readonly retries: number;
}

/** The command stops: no credentials, no region, or the account cannot be identified. */
export class LiveReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LiveReadError';
  }
}

export function defaultJobBucket(accountId: string, region: string): string {
  return `sagemaker-automated-execution-${accountId}-${region}`;
}

class Reader {
  readonly gaps: LiveGap[] = [];
  readonly notes: string[] = [];
  constructor(readonly aws: AwsCaller) {}

  /** Runs a read; a denial or an unexpected error becomes a gap and `undefined`. */
  async read<T>(what: string, consequence: string, fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (e) {
      this.failed(what, consequence, e);
      return undefined;
    }
  }

  failed(what: string, consequence: string, e: unknown): void {
    if (e instanceof CredentialsError) throw e;
    if (e instanceof DeniedError) {
      this.gaps.push({ what, permission: e.permission, message: `needs ${e.permission} (${e.code}): ${consequence}` });
    } else {
      this.gaps.push({ what, message: `${errorCode(e)}: ${errorMessage(e)}: ${consequence}` });
    }
  }
}

function tagsOf(tags: readonly { Key?: string; Value?: string }[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  // defineProperty: a tag keyed `__proto__` is data, kept as an own property (an assignment would drop it).
  for (const t of tags ?? []) if (typeof t.Key === 'string') Object.defineProperty(out, t.Key, { value: t.Value ?? '', enumerable: true, writable: true, configurable: true });
  return out;
}

// ---------------------------------------------------------------------------------- IAM

async function readIam(r: Reader, iam: IAMClient): Promise<{ roles: Role[]; users: User[]; groups: Group[] }> {
  const pages: GetAccountAuthorizationDetailsResponse[] = [];
  const ok = await r.read('IAM roles and policies', 'no role is in the snapshot, so no step can be decided', async () => {
    await allPages(
      (Marker) =>
        r.aws.call('iam:GetAccountAuthorizationDetails', () =>
          iam.send(new GetAccountAuthorizationDetailsCommand({ Filter: ['Role', 'User', 'Group', 'LocalManagedPolicy'], ...(Marker ? { Marker } : {}) })),
        ),
      (p) => (p.IsTruncated ? p.Marker : undefined),
      (p) => {
        pages.push(p);
        return [];
      },
    );
    return true;
  });
  if (!ok) return { roles: [], users: [], groups: [] };

  const managed = new Map<string, NamedPolicy | null>();
  const undecodable = (what: string): void => {
    r.gaps.push({ what, message: 'the policy document IAM returned could not be decoded (expected URL-encoded JSON)' });
  };
  const fromDetail = (p: PolicyDetail | undefined, name: string | undefined): PolicyJson | undefined => decodePolicyDocument(p?.PolicyDocument ?? undefined) ?? (undecodable(`policy ${name ?? '?'}`), undefined);
  for (const page of pages) {
    for (const p of page.Policies ?? []) {
      if (!p.Arn) continue;
      const def = (p.PolicyVersionList ?? []).find((v) => v.IsDefaultVersion === true || v.VersionId === p.DefaultVersionId);
      const document = decodePolicyDocument(def?.Document);
      if (document) managed.set(p.Arn, { name: p.PolicyName ?? p.Arn, arn: p.Arn, document });
      else undecodable(`managed policy ${p.Arn}`);
    }
  }
  // AWS managed policies (and any the listing missed) are read one by one, only when attached.
  const wanted = new Set<string>();
  const want = (arn: string | undefined): void => {
    if (arn && !managed.has(arn)) wanted.add(arn);
  };
  for (const page of pages) {
    for (const e of [...(page.RoleDetailList ?? []), ...(page.UserDetailList ?? []), ...(page.GroupDetailList ?? [])]) {
      for (const a of e.AttachedManagedPolicies ?? []) want(a.PolicyArn);
      if ('PermissionsBoundary' in e) want(e.PermissionsBoundary?.PermissionsBoundaryArn);
    }
  }
  r.aws.plan(wanted.size);
  for (const arn of wanted) {
    const consequence = 'the roles it is attached to are read without it';
    const policy = await r.read(`managed policy ${arn}`, consequence, () => r.aws.call('iam:GetPolicy', () => iam.send(new GetPolicyCommand({ PolicyArn: arn }))));
    const version = policy?.Policy?.DefaultVersionId;
    if (version) {
      const v = await r.read(`managed policy ${arn}`, consequence, () =>
        r.aws.call('iam:GetPolicyVersion', () => iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: version }))),
      );
      const document = decodePolicyDocument(v?.PolicyVersion?.Document);
      if (document) managed.set(arn, { name: policy.Policy?.PolicyName ?? arn, arn, document });
      else if (v) undecodable(`managed policy ${arn}`);
    }
    if (!managed.has(arn)) managed.set(arn, null);
    r.aws.tick(`iam: ${arn.split('/').pop() ?? arn}`);
  }
  const attached = (list: readonly AttachedPolicy[] | undefined): NamedPolicy[] =>
    (list ?? []).flatMap((a) => {
      const p = a.PolicyArn ? managed.get(a.PolicyArn) : undefined;
      return p ? [p] : [];
    });
  const boundary = (b: AttachedPermissionsBoundary | undefined): NamedPolicy | undefined => (b?.PermissionsBoundaryArn ? (managed.get(b.PermissionsBoundaryArn) ?? undefined) : undefined);
  const inline = (list: readonly PolicyDetail[] | undefined, owner: string): NamedPolicy[] =>
    (list ?? []).flatMap((p, i) => {
      const name = p.PolicyName ?? `inline-${i}`;
      const document = fromDetail(p, `${name} of ${owner}`);
      return document ? [{ name, document }] : [];
    });
  const tags = (t: readonly IamTag[] | undefined): Record<string, string> => tagsOf(t);
  const roles: Role[] = [];
  const users: User[] = [];
  const groups: Group[] = [];
  for (const page of pages) {
    for (const role of page.RoleDetailList ?? []) {
      if (!role.Arn || !role.RoleName) continue;
      const trust = decodePolicyDocument(role.AssumeRolePolicyDocument);
      if (!trust) undecodable(`trust policy of role ${role.RoleName}`);
      const path = role.Path ?? '/';
      roles.push({
        arn: role.Arn,
        name: role.RoleName,
        path,
        ...(role.RoleId ? { roleId: role.RoleId } : {}),
        trustPolicy: trust ?? { Version: '2012-10-17', Statement: [] },
        inlinePolicies: inline(role.RolePolicyList, `role ${role.RoleName}`),
        attachedPolicies: attached(role.AttachedManagedPolicies),
        ...(boundary(role.PermissionsBoundary) ? { permissionsBoundary: boundary(role.PermissionsBoundary) } : {}),
        tags: tags(role.Tags),
        serviceLinked: path.startsWith('/aws-service-role/'),
      });
    }
    for (const u of page.UserDetailList ?? []) {
      if (!u.Arn || !u.UserName) continue;
      users.push({
        arn: u.Arn,
        name: u.UserName,
        path: u.Path ?? '/',
        ...(u.UserId ? { userId: u.UserId } : {}),
        inlinePolicies: inline(u.UserPolicyList, `user ${u.UserName}`),
        attachedPolicies: attached(u.AttachedManagedPolicies),
        groups: [...(u.GroupList ?? [])],
        ...(boundary(u.PermissionsBoundary) ? { permissionsBoundary: boundary(u.PermissionsBoundary) } : {}),
        tags: tags(u.Tags),
      });
    }
    for (const g of page.GroupDetailList ?? []) {
      if (!g.Arn || !g.GroupName) continue;
      groups.push({ arn: g.Arn, name: g.GroupName, inlinePolicies: inline(g.GroupPolicyList, `group ${g.GroupName}`), attachedPolicies: attached(g.AttachedManagedPolicies) });
    }
  }
  return { roles, users, groups };
}

// ------------------------------------------------------------------------ Organizations

const RCP_FULL_ACCESS = 'RCPFullAWSAccess';

async function readOrganization(r: Reader, org: OrganizationsClient, accountId: string): Promise<Organization | undefined> {
  let described;
  try {
    described = await r.aws.call('organizations:DescribeOrganization', () => org.send(new DescribeOrganizationCommand({})));
  } catch (e) {
    if (errorCode(e) === 'AWSOrganizationsNotInUseException') return undefined;
    r.failed('organization', 'whether the account is in an organization is unknown: the snapshot has no SCPs or RCPs', e);
    return undefined;
  }
  const o = described.Organization;
  if (!o) return undefined;
  const isManagementAccount = o.MasterAccountId === accountId;

  const roots = await r.read('organization root', 'whether SCPs and RCPs are enabled is inferred from the policies found', () =>
    allPages(
      (NextToken) => r.aws.call('organizations:ListRoots', () => org.send(new ListRootsCommand({ ...(NextToken ? { NextToken } : {}) }))),
      (p) => p.NextToken,
      (p) => p.Roots,
    ),
  );
  const root = roots?.[0];
  const enabled = (type: string): boolean | undefined => (root ? (root.PolicyTypes ?? []).some((p: PolicyTypeSummary) => p.Type === type && p.Status === 'ENABLED') : undefined);

  // From the account up to the root.
  const chain: { id: string; type: OrgLevel['type']; name?: string }[] = [{ id: accountId, type: 'ACCOUNT' }];
  let reachedRoot = false;
  for (let guard = 0; guard < 10; guard++) {
    const child = chain[chain.length - 1]!;
    const parents = await r.read('organization path', 'the path from the account to the root is incomplete: SCPs and RCPs are left out of the snapshot', () =>
      allPages(
        (NextToken) => r.aws.call('organizations:ListParents', () => org.send(new ListParentsCommand({ ChildId: child.id, ...(NextToken ? { NextToken } : {}) }))),
        (p) => p.NextToken,
        (p) => p.Parents,
      ),
    );
    const parent = parents?.[0];
    if (!parent?.Id) break;
    if (parent.Type === 'ROOT') {
      chain.push({ id: parent.Id, type: 'ROOT', ...(root?.Id === parent.Id && root.Name ? { name: root.Name } : {}) });
      reachedRoot = true;
      break;
    }
    chain.push({ id: parent.Id, type: 'ORGANIZATIONAL_UNIT' });
  }
  r.aws.tick('organizations: path');
  // Names make reports readable; they are not worth a gap when they cannot be read.
  for (const level of chain) {
    if (level.type === 'ORGANIZATIONAL_UNIT') {
      const ou = await r.aws.call('organizations:DescribeOrganizationalUnit', () => org.send(new DescribeOrganizationalUnitCommand({ OrganizationalUnitId: level.id }))).catch(() => undefined);
      if (ou?.OrganizationalUnit?.Name) level.name = ou.OrganizationalUnit.Name;
    } else if (level.type === 'ACCOUNT') {
      const acct = await r.aws.call('organizations:DescribeAccount', () => org.send(new DescribeAccountCommand({ AccountId: level.id }))).catch(() => undefined);
      if (acct?.Account?.Name) level.name = acct.Account.Name;
    }
  }

  const contents = new Map<string, PolicyJson | null>();
  const policiesAt = async (target: string, filter: 'SERVICE_CONTROL_POLICY' | 'RESOURCE_CONTROL_POLICY'): Promise<NamedPolicy[] | undefined> => {
    const kind = filter === 'SERVICE_CONTROL_POLICY' ? 'SCPs' : 'RCPs';
    const listed = await r.read(`${kind} attached to ${target}`, `${kind} are left out of the snapshot: check cannot see a denial by one`, () =>
      allPages(
        (NextToken) =>
          r.aws.call('organizations:ListPoliciesForTarget', () => org.send(new ListPoliciesForTargetCommand({ TargetId: target, Filter: filter, ...(NextToken ? { NextToken } : {}) }))),
        (p) => p.NextToken,
        (p) => p.Policies,
      ),
    );
    if (!listed) return undefined;
    const out: NamedPolicy[] = [];
    for (const p of listed as PolicySummary[]) {
      if (!p.Id) continue;
      if (filter === 'RESOURCE_CONTROL_POLICY' && p.AwsManaged && p.Name === RCP_FULL_ACCESS) continue; // implied at every level
      if (!contents.has(p.Id)) {
        const id = p.Id;
        const d = await r.read(`the content of policy ${id}`, `${kind} are left out of the snapshot: check cannot see a denial by one`, () =>
          r.aws.call('organizations:DescribePolicy', () => org.send(new DescribePolicyCommand({ PolicyId: id }))),
        );
        const document = d ? decodePolicyDocument(d.Policy?.Content) : undefined;
        if (d && !document) r.gaps.push({ what: `the content of policy ${id}`, message: 'Organizations returned a policy that is not JSON' });
        contents.set(id, document ?? null);
      }
      const document = contents.get(p.Id);
      if (!document) return undefined;
      out.push({ name: p.Name ?? p.Id, ...(p.Arn ? { arn: p.Arn } : {}), document });
    }
    return out;
  };
  const levels = chain.slice().reverse();
  const readRcps = enabled('RESOURCE_CONTROL_POLICY') !== false;
  const scps: (NamedPolicy[] | undefined)[] = [];
  const rcps: (NamedPolicy[] | undefined)[] = [];
  for (const level of levels) {
    scps.push(await policiesAt(level.id, 'SERVICE_CONTROL_POLICY'));
    rcps.push(readRcps ? await policiesAt(level.id, 'RESOURCE_CONTROL_POLICY') : []);
  }
  r.aws.tick('organizations: policies');
  // A partial picture of SCPs is worse than none: an empty list at a level denies everything.
  const scpsKnown = reachedRoot && scps.every((s) => s !== undefined);
  const rcpsKnown = reachedRoot && rcps.every((s) => s !== undefined);
  const scpsEnabled = enabled('SERVICE_CONTROL_POLICY') ?? scps.some((s) => (s?.length ?? 0) > 0);
  const rcpsEnabled = enabled('RESOURCE_CONTROL_POLICY') ?? rcps.some((s) => (s?.length ?? 0) > 0);
  // Unknown whether enabled (ListRoots denied) counts as maybe enabled.
  if (!isManagementAccount && !scpsKnown && enabled('SERVICE_CONTROL_POLICY') !== false) {
    r.gaps.push({ what: 'organization SCPs', message: 'SCPs could not all be read, so the snapshot leaves them out (scpsEnabled: false): check cannot see a denial by an SCP' });
  }
  if (!isManagementAccount && !rcpsKnown && enabled('RESOURCE_CONTROL_POLICY') !== false) {
    r.gaps.push({ what: 'organization RCPs', message: 'RCPs could not all be read, so the snapshot leaves them out (rcpsEnabled: false): check cannot see a denial by an RCP' });
  }
  const merge = 'read the organization with snapshot --org-profile (the management account or a delegated administrator), or merge it with snapshot --merge-org';
  const scpsUnread = !isManagementAccount && !scpsKnown && enabled('SERVICE_CONTROL_POLICY') !== false;
  const rcpsUnread = !isManagementAccount && !rcpsKnown && enabled('RESOURCE_CONTROL_POLICY') !== false;
  return {
    ...(o.Id ? { id: o.Id } : {}),
    isManagementAccount,
    scpsEnabled: scpsEnabled && (scpsKnown || isManagementAccount),
    rcpsEnabled: rcpsEnabled && (rcpsKnown || isManagementAccount),
    ...(scpsUnread ? { scpsUnread: `the organization's SCPs could not all be read with these credentials (${merge})` } : {}),
    ...(rcpsUnread ? { rcpsUnread: `the organization's RCPs could not all be read with these credentials (${merge})` } : {}),
    path: levels.map((l, i) => ({ id: l.id, type: l.type, ...(l.name ? { name: l.name } : {}), scps: scps[i] ?? [], rcps: rcps[i] ?? [] })),
  };
}

// --------------------------------------------------------------------------- SageMaker

async function readTags(r: Reader, sm: SageMakerClient, arn: string | undefined, what: string): Promise<Record<string, string>> {
  if (!arn) return {};
  const tags = await r.read(`tags of ${what}`, 'tags Studio copies onto the jobs are unknown (an SCP may require some)', () =>
    allPages(
      (NextToken) => r.aws.call('sagemaker:ListTags', () => sm.send(new ListTagsCommand({ ResourceArn: arn, ...(NextToken ? { NextToken } : {}) }))),
      (p) => p.NextToken,
      (p) => p.Tags,
    ),
  );
  return tagsOf(tags);
}

async function readSageMaker(r: Reader, sm: SageMakerClient, only: readonly string[] | undefined): Promise<AccountSnapshot['sagemaker']> {
  const domains: SageMakerDomain[] = [];
  const userProfiles: SageMakerUserProfile[] = [];
  const spaces: SageMakerSpace[] = [];
  let ids: string[];
  if (only?.length) ids = [...only];
  else {
    const listed = await r.read('SageMaker domains', 'no domain is in the snapshot: check needs one', () =>
      allPages(
        (NextToken) => r.aws.call('sagemaker:ListDomains', () => sm.send(new ListDomainsCommand({ ...(NextToken ? { NextToken } : {}) }))),
        (p) => p.NextToken,
        (p) => p.Domains,
      ),
    );
    ids = (listed ?? []).flatMap((d) => (d.DomainId ? [d.DomainId] : []));
  }
  r.aws.plan(ids.length);
  for (const domainId of ids) {
    const d = await r.read(`SageMaker domain ${domainId}`, 'the domain is not in the snapshot', () =>
      r.aws.call('sagemaker:DescribeDomain', () => sm.send(new DescribeDomainCommand({ DomainId: domainId }))),
    );
    r.aws.tick(`sagemaker: domain ${domainId}`);
    if (!d?.DomainId) continue;
    domains.push({
      id: d.DomainId,
      ...(d.DomainName ? { name: d.DomainName } : {}),
      ...(d.DomainArn ? { arn: d.DomainArn } : {}),
      appNetworkAccessType: d.AppNetworkAccessType === 'VpcOnly' ? 'VpcOnly' : 'PublicInternetOnly',
      ...(d.VpcId ? { vpcId: d.VpcId } : {}),
      subnetIds: [...(d.SubnetIds ?? [])],
      securityGroupIds: [...(d.DefaultUserSettings?.SecurityGroups ?? [])],
      ...(d.DefaultUserSettings?.ExecutionRole ? { defaultExecutionRole: d.DefaultUserSettings.ExecutionRole } : {}),
      ...(d.DefaultSpaceSettings?.ExecutionRole ? { defaultSpaceExecutionRole: d.DefaultSpaceSettings.ExecutionRole } : {}),
      ...(d.KmsKeyId ? { kmsKeyId: d.KmsKeyId } : {}),
      tags: await readTags(r, sm, d.DomainArn, `domain ${d.DomainId}`),
    });
    const profiles = await r.read(`user profiles of ${domainId}`, 'no user profile of the domain is in the snapshot', () =>
      allPages(
        (NextToken) => r.aws.call('sagemaker:ListUserProfiles', () => sm.send(new ListUserProfilesCommand({ DomainIdEquals: domainId, ...(NextToken ? { NextToken } : {}) }))),
        (p) => p.NextToken,
        (p) => p.UserProfiles,
      ),
    );
    const spaceList = await r.read(`spaces of ${domainId}`, 'no space of the domain is in the snapshot', () =>
      allPages(
        (NextToken) => r.aws.call('sagemaker:ListSpaces', () => sm.send(new ListSpacesCommand({ DomainIdEquals: domainId, ...(NextToken ? { NextToken } : {}) }))),
        (p) => p.NextToken,
        (p) => p.Spaces,
      ),
    );
    r.aws.plan((profiles?.length ?? 0) + (spaceList?.length ?? 0));
    for (const p of profiles ?? []) {
      const name = p.UserProfileName;
      if (!name) continue;
      const u = await r.read(`user profile ${domainId}/${name}`, 'the profile is not in the snapshot', () =>
        r.aws.call('sagemaker:DescribeUserProfile', () => sm.send(new DescribeUserProfileCommand({ DomainId: domainId, UserProfileName: name }))),
      );
      if (u?.UserProfileName) {
        userProfiles.push({
          domainId,
          name: u.UserProfileName,
          ...(u.UserProfileArn ? { arn: u.UserProfileArn } : {}),
          ...(u.UserSettings?.ExecutionRole ? { executionRole: u.UserSettings.ExecutionRole } : {}),
          securityGroupIds: [...(u.UserSettings?.SecurityGroups ?? [])],
          tags: await readTags(r, sm, u.UserProfileArn, `user profile ${domainId}/${name}`),
        });
      }
      r.aws.tick(`sagemaker: user profile ${name}`);
    }
    for (const s of spaceList ?? []) {
      const name = s.SpaceName;
      if (!name) continue;
      const sp = await r.read(`space ${domainId}/${name}`, 'the space is not in the snapshot', () =>
        r.aws.call('sagemaker:DescribeSpace', () => sm.send(new DescribeSpaceCommand({ DomainId: domainId, SpaceName: name }))),
      );
      if (sp?.SpaceName) {
        spaces.push({
          domainId,
          name: sp.SpaceName,
          ...(sp.SpaceArn ? { arn: sp.SpaceArn } : {}),
          ...(sp.OwnershipSettings?.OwnerUserProfileName ? { ownerUserProfileName: sp.OwnershipSettings.OwnerUserProfileName } : {}),
          ...(sp.SpaceSharingSettings?.SharingType === 'Private' || sp.SpaceSharingSettings?.SharingType === 'Shared' ? { sharingType: sp.SpaceSharingSettings.SharingType } : {}),
          tags: await readTags(r, sm, sp.SpaceArn, `space ${domainId}/${name}`),
        });
      }
      r.aws.tick(`sagemaker: space ${name}`);
    }
  }
  return { domains, userProfiles, spaces };
}

// --------------------------------------------------------------------------------- EC2

async function readVpcEndpoints(r: Reader, ec2: EC2Client, vpcIds: readonly string[]): Promise<VpcEndpoint[]> {
  const Filters: Ec2Filter[] = vpcIds.length ? [{ Name: 'vpc-id', Values: [...vpcIds] }] : [];
  const listed = await r.read('VPC endpoints', 'endpoint policies cannot be checked (the default full-access policy is assumed)', () =>
    allPages(
      (NextToken) => r.aws.call('ec2:DescribeVpcEndpoints', () => ec2.send(new DescribeVpcEndpointsCommand({ ...(Filters.length ? { Filters } : {}), ...(NextToken ? { NextToken } : {}) }))),
      (p) => p.NextToken,
      (p) => p.VpcEndpoints,
    ),
  );
  r.aws.tick('ec2: VPC endpoints');
  return (listed ?? []).flatMap((e: Ec2VpcEndpoint) => {
    if (!e.VpcEndpointId || !e.ServiceName) return [];
    const type = e.VpcEndpointType === 'Gateway' ? 'Gateway' : e.VpcEndpointType === 'GatewayLoadBalancer' ? 'GatewayLoadBalancer' : 'Interface';
    const policy = e.PolicyDocument === undefined ? undefined : decodePolicyDocument(e.PolicyDocument);
    if (e.PolicyDocument !== undefined && !policy) r.gaps.push({ what: `policy of VPC endpoint ${e.VpcEndpointId}`, message: 'EC2 returned a policy that is not JSON' });
    return [{ id: e.VpcEndpointId, ...(e.VpcId ? { vpcId: e.VpcId } : {}), serviceName: e.ServiceName, type, ...(policy ? { policy } : {}) } satisfies VpcEndpoint];
  });
}

// --------------------------------------------------------------------------------- KMS

async function readKmsKeys(r: Reader, kms: KMSClient, ids: readonly string[], accountId: string): Promise<{ keys: KmsKey[]; arns: Record<string, string> }> {
  const keys = new Map<string, KmsKey>();
  const arns: Record<string, string> = {};
  r.aws.plan(ids.length);
  for (const id of ids) {
    const d = await r.read(`KMS key ${id}`, 'the key is not in the snapshot: the steps that use it are undecided', () =>
      r.aws.call('kms:DescribeKey', () => kms.send(new DescribeKeyCommand({ KeyId: id }))),
    );
    const meta = d?.KeyMetadata;
    if (meta?.Arn && meta.KeyId) {
      arns[id] = meta.Arn;
      if (!keys.has(meta.Arn)) {
        const keyId = meta.KeyId;
        const own = meta.AWSAccountId === undefined || meta.AWSAccountId === accountId;
        let policy: PolicyJson | undefined;
        let aliases: string[] = [];
        if (own) {
          const p = await r.read(`the key policy of ${keyId}`, 'the steps that use the key are undecided', () =>
            r.aws.call('kms:GetKeyPolicy', () => kms.send(new GetKeyPolicyCommand({ KeyId: keyId, PolicyName: 'default' }))),
          );
          policy = p ? decodePolicyDocument(p.Policy) : undefined;
          if (p && !policy) r.gaps.push({ what: `the key policy of ${keyId}`, message: 'KMS returned a policy that is not JSON' });
          const listed = await r.read(`aliases of ${keyId}`, 'the key is known by its ARN only', () =>
            allPages(
              (Marker) => r.aws.call('kms:ListAliases', () => kms.send(new ListAliasesCommand({ KeyId: keyId, ...(Marker ? { Marker } : {}) }))),
              (page) => (page.Truncated ? page.NextMarker : undefined),
              (page) => page.Aliases,
            ),
          );
          aliases = (listed ?? []).flatMap((a) => (a.AliasName ? [a.AliasName] : []));
        } else {
          r.gaps.push({ what: `the key policy of ${meta.Arn}`, message: `the key belongs to account ${meta.AWSAccountId}: only its owner can read its key policy, so the steps that use it are undecided` });
        }
        keys.set(meta.Arn, { arn: meta.Arn, keyId, aliases, keyManager: meta.KeyManager === 'AWS' ? 'AWS' : 'CUSTOMER', ...(policy ? { policy } : {}) });
      }
    }
    r.aws.tick(`kms: ${id}`);
  }
  return { keys: [...keys.values()], arns };
}

// ---------------------------------------------------------------------------------- S3

function bucketRegion(constraint: string | undefined): string {
  // GetBucketLocation answers nothing for us-east-1 and "EU" for the oldest eu-west-1 buckets.
  if (!constraint) return 'us-east-1';
  return constraint === 'EU' ? 'eu-west-1' : constraint;
}

async function readBucket(r: Reader, s3: S3Client, name: string, accountId: string): Promise<S3Bucket | undefined> {
  let region: string | undefined;
  let ownerAccountId: string | undefined;
  try {
    const loc = await r.aws.call('s3:GetBucketLocation', () => s3.send(new GetBucketLocationCommand({ Bucket: name, ExpectedBucketOwner: accountId })));
    region = bucketRegion(loc.LocationConstraint);
    ownerAccountId = accountId;
  } catch (e) {
    if (e instanceof CredentialsError) throw e;
    if (errorCode(e) === 'NoSuchBucket') {
      r.notes.push(`bucket ${name} does not exist yet (the extension creates the default job bucket on first use)`);
      return undefined;
    }
    if (!(e instanceof DeniedError)) {
      r.failed(`bucket ${name}`, 'the bucket is not in the snapshot', e);
      return undefined;
    }
    // Denied: another account owns it, or we may not read it. Ask again without the owner.
    const loc = await r.read(`bucket ${name}`, 'the bucket is not in the snapshot', () => r.aws.call('s3:GetBucketLocation', () => s3.send(new GetBucketLocationCommand({ Bucket: name }))));
    if (!loc) return undefined;
    region = bucketRegion(loc.LocationConstraint);
    r.gaps.push({ what: `owner of bucket ${name}`, message: 'the bucket belongs to another account: its bucket policy must allow the job roles too, and only its owner can read it' });
  }
  let policy: PolicyJson | undefined;
  if (ownerAccountId) {
    try {
      const p = await r.aws.call('s3:GetBucketPolicy', () => s3.send(new GetBucketPolicyCommand({ Bucket: name })));
      policy = decodePolicyDocument(p.Policy);
      if (p.Policy && !policy) r.gaps.push({ what: `the bucket policy of ${name}`, message: 'S3 returned a policy that is not JSON' });
    } catch (e) {
      if (errorCode(e) !== 'NoSuchBucketPolicy') r.failed(`the bucket policy of ${name}`, 'a denial by the bucket policy cannot be seen', e);
    }
  }
  let encryption: S3Bucket['encryption'];
  try {
    const enc = await r.aws.call('s3:GetBucketEncryption', () => s3.send(new GetBucketEncryptionCommand({ Bucket: name })), 's3:GetEncryptionConfiguration');
    const def = enc.ServerSideEncryptionConfiguration?.Rules?.find((x) => x.ApplyServerSideEncryptionByDefault)?.ApplyServerSideEncryptionByDefault;
    const algorithm = def?.SSEAlgorithm;
    if (algorithm === 'AES256' || algorithm === 'aws:kms' || algorithm === 'aws:kms:dsse') encryption = { algorithm, ...(def?.KMSMasterKeyID ? { kmsKeyId: def.KMSMasterKeyID } : {}) };
  } catch (e) {
    if (errorCode(e) !== 'ServerSideEncryptionConfigurationNotFoundError') r.failed(`the default encryption of ${name}`, 'the bucket default encryption is unknown', e);
  }
  return { name, region, ...(ownerAccountId ? { ownerAccountId } : {}), ...(policy ? { policy } : {}), ...(encryption ? { encryption } : {}) };
}

// --------------------------------------------------------------------------------- ECR

async function readEcr(r: Reader, ecr: ECRClient, names: readonly string[], region: string, accountId: string, partition: string): Promise<EcrRepository[]> {
  const out: EcrRepository[] = [];
  r.aws.plan(names.length);
  for (const name of names) {
    const d = await r.read(`ECR repository ${name}`, 'the repository is not in the snapshot', () =>
      r.aws.call('ecr:DescribeRepositories', () => ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [name] }))),
    );
    const repo = d?.repositories?.[0];
    if (d && repo) {
      let policy: PolicyJson | undefined;
      try {
        const p = await r.aws.call('ecr:GetRepositoryPolicy', () => ecr.send(new GetRepositoryPolicyCommand({ repositoryName: name })));
        policy = decodePolicyDocument(p.policyText);
      } catch (e) {
        if (errorCode(e) !== 'RepositoryPolicyNotFoundException') r.failed(`the repository policy of ${name}`, 'a denial by the repository policy cannot be seen', e);
      }
      out.push({ arn: repo.repositoryArn ?? `arn:${partition}:ecr:${region}:${repo.registryId ?? accountId}:repository/${name}`, name, ...(policy ? { policy } : {}) });
    }
    r.aws.tick(`ecr: ${name}`);
  }
  return out;
}

// ------------------------------------------------------------------------------- reader

function unique(values: readonly (string | undefined)[]): string[] {
  return [...new Set(values.filter((v): v is string => typeof v === 'string' && v.length > 0))];
}

async function resolveRegion(clients: Clients, region: string | undefined): Promise<string> {
  if (region) return region;
  try {
    const fromConfig = await clients.sagemaker.config.region();
    if (fromConfig) return fromConfig;
  } catch {
    // fall through
  }
  throw new LiveReadError('no region: pass --region or set one in the profile (AWS_REGION or region = in ~/.aws/config)');
}

/** Reads the account into a snapshot. Throws LiveReadError or CredentialsError only when nothing can be read. */
export async function readLiveSnapshot(clients: Clients, options: LiveReadOptions = {}): Promise<LiveReadResult> {
  const aws = new AwsCaller({ maxAttempts: options.maxAttempts, sleep: options.sleep, onProgress: options.onProgress });
  const r = new Reader(aws);
  const region = await resolveRegion(clients, options.region);
  aws.plan(6); // identity, IAM, organization path, organization policies, domains listing, VPC endpoints
  let identity;
  try {
    identity = await aws.call('sts:GetCallerIdentity', () => clients.sts.send(new GetCallerIdentityCommand({})));
  } catch (e) {
    if (e instanceof CredentialsError) throw e;
    const code = errorCode(e);
    if (code === 'CredentialsProviderError' || /credential/i.test(errorMessage(e))) throw new CredentialsError(`no usable AWS credentials: ${errorMessage(e)}`);
    throw new LiveReadError(`cannot identify the account (sts:GetCallerIdentity, ${code}): ${errorMessage(e)}`);
  }
  const accountId = identity.Account;
  if (!accountId || !/^\d{12}$/.test(accountId)) throw new LiveReadError('sts:GetCallerIdentity returned no account id');
  const partitionPart = identity.Arn?.split(':')[1];
  const partition = partitionPart === 'aws-cn' || partitionPart === 'aws-us-gov' ? partitionPart : 'aws';
  aws.tick('sts: caller identity');

  const iam = await readIam(r, clients.iam);
  aws.tick('iam: authorization details');
  const organization = await readOrganization(r, options.organizations ?? clients.organizations, accountId);
  if (!organization) {
    aws.tick('organizations: none');
    aws.tick('organizations: none');
  }
  const sagemaker = await readSageMaker(r, clients.sagemaker, options.domainIds);
  aws.tick('sagemaker: domains');
  if (sagemaker.domains.length === 0 && !r.gaps.some((g) => g.what.startsWith('SageMaker domain'))) {
    r.notes.push(`no SageMaker domain in ${region}`);
  }
  const vpcEndpoints = await readVpcEndpoints(r, clients.ec2, unique(sagemaker.domains.map((d) => d.vpcId)));
  const bucketNames = unique([defaultJobBucket(accountId, region), ...(options.buckets ?? [])]);
  aws.plan(bucketNames.length);
  const s3Buckets: S3Bucket[] = [];
  for (const name of bucketNames) {
    const b = await readBucket(r, clients.s3, name, accountId);
    if (b) s3Buckets.push(b);
    aws.tick(`s3: ${name}`);
  }
  // A bucket's default key decides the job's S3 writes and reads: read its key policy too
  // (not the AWS managed aws/s3 key, whose policy is AWS's).
  const bucketKeys = s3Buckets.map((b) => b.encryption?.kmsKeyId).filter((k) => k && !/(^|:)alias\/aws\/s3$/.test(k));
  const keyIds = unique([...sagemaker.domains.map((d) => d.kmsKeyId), ...(options.kmsKeys ?? []), ...bucketKeys]);
  const kms = await readKmsKeys(r, clients.kms, keyIds, accountId);
  const ecrRepositories = await readEcr(r, clients.ecr, unique(options.ecrRepositories ?? []), region, accountId, partition);

  const gaps: SnapshotGap[] = r.gaps.map((g) => ({ what: g.what, message: g.message }));
  const snapshot: AccountSnapshot = {
    snapshotVersion: 1,
    generatedAt: (options.now?.() ?? new Date()).toISOString(),
    source: 'live',
    accountId,
    region,
    partition,
    ...(organization ? { organization } : {}),
    roles: iam.roles,
    users: iam.users,
    groups: iam.groups,
    sagemaker,
    vpcEndpoints,
    kmsKeys: kms.keys,
    s3Buckets,
    ecrRepositories,
    ...(gaps.length ? { gaps } : {}),
  };
  return { snapshot, gaps: r.gaps, notes: r.notes, operations: aws.operations(), keyArns: kms.arns, calls: aws.calls, retries: aws.retries };
}

// ------------------------------------------------------------------------- the command

export interface SnapshotOptions extends ClientOptions {
  /** Where to write the snapshot; absent: not written (the caller prints `text`). */
  readonly out?: string;
  /** A second profile (management account or delegated administrator) to read the organization with. */
  readonly orgProfile?: string;
  readonly domainIds?: readonly string[];
  readonly kmsKeys?: readonly string[];
  readonly buckets?: readonly string[];
  readonly ecrRepositories?: readonly string[];
  readonly onProgress?: ProgressFn;
  /** For tests: waits between retries of throttled calls. */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => Date;
}

export interface SnapshotRunResult {
  readonly snapshot: AccountSnapshot;
  /** The snapshot file's text (JSON, two-space indent, newline-terminated). */
  readonly text: string;
  /** The file written, when `out` was given. */
  readonly file?: string;
  readonly gaps: readonly LiveGap[];
  readonly notes: readonly string[];
  readonly operations: readonly string[];
  readonly calls: number;
}

/**
 * `nbjob-iam snapshot [--profile P] [--region R] --out FILE`. Builds clients from the options
 * unless `clients` is given, reads the account, checks the result against the snapshot
 * schema and writes it. Throws LiveReadError / CredentialsError when nothing can be read.
 */
export async function runSnapshot(options: SnapshotOptions, clients?: Clients, orgClients?: Pick<Clients, 'organizations'>): Promise<SnapshotRunResult> {
  const c = clients ?? createClients(options);
  const org = orgClients ?? (options.orgProfile ? { organizations: new OrganizationsClient(awsClientConfig({ ...options, profile: options.orgProfile })) } : undefined);
  const read = await readLiveSnapshot(c, {
    ...(org ? { organizations: org.organizations } : {}),
    region: options.region,
    domainIds: options.domainIds,
    kmsKeys: options.kmsKeys,
    buckets: options.buckets,
    ecrRepositories: options.ecrRepositories,
    onProgress: options.onProgress,
    maxAttempts: options.maxAttempts,
    sleep: options.sleep,
    now: options.now,
  });
  const text = JSON.stringify(read.snapshot, null, 2) + '\n';
  const checked = readSnapshotText(text, options.out ?? 'snapshot.json');
  if (checked.errors.length) {
    // A snapshot we wrote that our own reader refuses is a bug in nbjob-iam.
    throw new Error(`the live snapshot does not match schemas/snapshot.schema.json: ${checked.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
  }
  if (options.out) writeFileSync(options.out, text);
  return {
    snapshot: read.snapshot,
    text,
    ...(options.out ? { file: options.out } : {}),
    gaps: read.gaps,
    notes: read.notes,
    operations: read.operations,
    calls: read.calls,
  };
}
