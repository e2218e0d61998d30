/**
 * Test helper: a stateful fake AWS account behind aws-sdk-client-mock, built from a
 * snapshot (like cli-writer.ts, in the shapes the SDK v3 returns): IAM documents
 * URL-encoded, Organizations/KMS/S3/EC2/ECR documents as JSON strings, every list paginated
 * with `pageSize` items a page, S3's us-east-1 location as no LocationConstraint, and the
 * errors AWS answers (NoSuchBucketPolicy, AWSOrganizationsNotInUseException, ...).
 * Writes (IAM, sagemaker:AddTags) change the state, so a second read sees them.
 */
import { EC2Client, DescribeVpcEndpointsCommand, EC2ServiceException } from '@aws-sdk/client-ec2';
import { DescribeRepositoriesCommand, ECRClient, ECRServiceException, GetRepositoryPolicyCommand } from '@aws-sdk/client-ecr';
import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  DeletePolicyVersionCommand,
  GetAccountAuthorizationDetailsCommand,
  GetAccountSummaryCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  IAMClient,
  IAMServiceException,
  ListPolicyVersionsCommand,
  PutRolePolicyCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import type { GetAccountAuthorizationDetailsResponse, ManagedPolicyDetail, RoleDetail } from '@aws-sdk/client-iam';
import { DescribeKeyCommand, GetKeyPolicyCommand, KMSClient, KMSServiceException, ListAliasesCommand } from '@aws-sdk/client-kms';
import {
  DescribeAccountCommand,
  DescribeOrganizationalUnitCommand,
  DescribeOrganizationCommand,
  DescribePolicyCommand,
  ListParentsCommand,
  ListPoliciesForTargetCommand,
  ListRootsCommand,
  OrganizationsClient,
  OrganizationsServiceException,
} from '@aws-sdk/client-organizations';
import { GetBucketEncryptionCommand, GetBucketLocationCommand, GetBucketPolicyCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import type { BucketLocationConstraint } from '@aws-sdk/client-s3';
import {
  AddTagsCommand,
  DescribeDomainCommand,
  DescribeSpaceCommand,
  DescribeUserProfileCommand,
  ListDomainsCommand,
  ListSpacesCommand,
  ListTagsCommand,
  ListUserProfilesCommand,
  SageMakerClient,
  SageMakerServiceException,
} from '@aws-sdk/client-sagemaker';
import { GetCallerIdentityCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import type { Clients } from '../../src/account/live.js';
import type { AccountSnapshot, NamedPolicy, PolicyJson } from '../../src/account/snapshot.js';

export interface FakeOptions {
  /** Items per page of every paginated list. */
  readonly pageSize?: number;
  /** Operations (`service:Operation`) that answer the service's access-denied error. */
  readonly deny?: readonly string[];
  /** Operations that answer a throttling error on their first call (then succeed). */
  readonly throttleOnce?: readonly string[];
  /** Buckets owned by another account (GetBucketLocation with ExpectedBucketOwner is denied). */
  readonly foreignBuckets?: readonly string[];
  /**
   * The credentials expire at the `n`-th call (1-based, all operations counted) of operation
   * `op`: that call and every later one answers ExpiredToken.
   */
  readonly expireAt?: { readonly op: string; readonly n?: number };
  /** The account's quota of managed policies per role (iam:GetAccountSummary); AttachRolePolicy enforces it. Default 10. */
  readonly attachedPoliciesPerRoleQuota?: number;
}

interface Version {
  readonly VersionId: string;
  readonly document: PolicyJson;
  IsDefaultVersion: boolean;
  readonly CreateDate: Date;
}

interface Managed {
  readonly arn: string;
  readonly name: string;
  versions: Version[];
  next: number;
}

interface RoleState {
  readonly arn: string;
  readonly name: string;
  readonly path: string;
  readonly roleId: string;
  trust: PolicyJson;
  inline: Map<string, PolicyJson>;
  attached: string[];
  boundary?: string;
  readonly tags: Record<string, string>;
}

/** The part of aws-sdk-client-mock's stub this helper uses. */
interface Stub {
  on(command: object): { callsFake(fn: (input: never) => unknown): unknown };
  onAnyCommand(): { callsFake(fn: (input: never) => unknown): unknown };
  calls(): { args: unknown[] }[];
  restore(): void;
}

/** Every command sent, `Service:Operation`, in the order sent. */
export interface FakeAws {
  readonly clients: Clients;
  readonly sent: string[];
  readonly roles: Map<string, RoleState>;
  readonly managed: Map<string, Managed>;
  readonly tags: Map<string, Record<string, string>>;
  /** The command names sent (e.g. "ListPoliciesForTargetCommand"). */
  readonly commandNames: () => string[];
  readonly reset: () => void;
  /** New credentials: calls work again after an `expireAt` expiry. */
  readonly renewCredentials: () => void;
}

const enc = (doc: unknown): string => encodeURIComponent(JSON.stringify(doc));
const DEFAULT_ENDPOINT_POLICY = { Version: '2008-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }] };

function page<T>(items: readonly T[], token: string | undefined, size: number): { items: T[]; next?: string } {
  const start = token ? Number(token.replace(/^tok-/, '')) : 0;
  const slice = items.slice(start, start + size);
  return { items: slice, ...(start + size < items.length ? { next: `tok-${start + size}` } : {}) };
}

type ExceptionCtor = new (o: { name: string; $fault: 'client' | 'server'; $metadata: object; message: string }) => Error;

function awsError(ctor: ExceptionCtor, name: string, status: number, message: string): Error {
  return new ctor({ name, $fault: 'client', $metadata: { httpStatusCode: status, requestId: 'req-1' }, message });
}

const DENIED: Record<string, { ctor: ExceptionCtor; name: string; status: number }> = {
  iam: { ctor: IAMServiceException, name: 'AccessDenied', status: 403 },
  organizations: { ctor: OrganizationsServiceException, name: 'AccessDeniedException', status: 400 },
  ec2: { ctor: EC2ServiceException, name: 'UnauthorizedOperation', status: 403 },
  kms: { ctor: KMSServiceException, name: 'AccessDeniedException', status: 400 },
  s3: { ctor: S3ServiceException, name: 'AccessDenied', status: 403 },
  sagemaker: { ctor: SageMakerServiceException, name: 'AccessDeniedException', status: 400 },
  ecr: { ctor: ECRServiceException, name: 'AccessDeniedException', status: 400 },
  sts: { ctor: STSServiceException, name: 'AccessDenied', status: 403 },
};

export function fakeAws(s: AccountSnapshot, o: FakeOptions = {}): FakeAws {
  const size = o.pageSize ?? 1;
  const account = s.accountId;
  const creds = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-a-secret' };
  const cfg = { region: s.region, credentials: creds };
  const clients: Clients = {
    sts: new STSClient(cfg),
    iam: new IAMClient(cfg),
    organizations: new OrganizationsClient(cfg),
    ec2: new EC2Client(cfg),
    kms: new KMSClient(cfg),
    s3: new S3Client(cfg),
    sagemaker: new SageMakerClient(cfg),
    ecr: new ECRClient(cfg),
  };
  const sent: string[] = [];
  const throttled = new Set<string>();
  let expired = false;
  let renewed = false;
  let expireCount = 0;

  // ---- state
  const managed = new Map<string, Managed>();
  const addManaged = (p: NamedPolicy): string => {
    const arn = p.arn ?? `arn:aws:iam::${account}:policy/${p.name}`;
    if (!managed.has(arn)) managed.set(arn, { arn, name: p.name, versions: [{ VersionId: 'v1', document: p.document, IsDefaultVersion: true, CreateDate: new Date('2026-01-01T00:00:00Z') }], next: 2 });
    return arn;
  };
  const roles = new Map<string, RoleState>();
  for (const r of s.roles) {
    roles.set(r.name, {
      arn: r.arn,
      name: r.name,
      path: r.path,
      roleId: r.roleId ?? 'AROAEXAMPLE',
      trust: r.trustPolicy,
      inline: new Map(r.inlinePolicies.map((p) => [p.name, p.document])),
      attached: r.attachedPolicies.map(addManaged),
      ...(r.permissionsBoundary ? { boundary: addManaged(r.permissionsBoundary) } : {}),
      tags: { ...r.tags },
    });
  }
  const tags = new Map<string, Record<string, string>>();
  for (const d of s.sagemaker.domains) tags.set(d.arn ?? `arn:aws:sagemaker:${s.region}:${account}:domain/${d.id}`, { ...d.tags });
  for (const u of s.sagemaker.userProfiles) if (u.arn) tags.set(u.arn, { ...u.tags });
  for (const sp of s.sagemaker.spaces) if (sp.arn) tags.set(sp.arn, { ...sp.tags });

  const mocks: Stub[] = [];
  const wire = (service: string, client: object): Stub => {
    const m = mockClient(client as never) as unknown as Stub;
    mocks.push(m);
    // Anything not wired below is a bug in the test: answer loudly.
    m.onAnyCommand().callsFake((input: unknown) => {
      throw new Error(`${service}: unexpected command ${JSON.stringify(input)}`);
    });
    return m;
  };
  /** Wraps a handler: records the call, answers denial or throttling when asked. */
  const on = <I, Out>(m: Stub, command: object, op: string, fn: (input: I) => Out): void => {
    const service = op.split(':')[0]!;
    m.on(command).callsFake(async (input: never) => {
      sent.push(op);
      if (!renewed && o.expireAt?.op === op && ++expireCount >= (o.expireAt.n ?? 1)) expired = true;
      if (expired) {
        const d = DENIED[service]!;
        throw awsError(d.ctor, 'ExpiredToken', 403, 'The security token included in the request is expired');
      }
      if (o.deny?.includes(op)) {
        const d = DENIED[service]!;
        throw awsError(d.ctor, d.name, d.status, `User: arn:aws:sts::${account}:assumed-role/Reader/session is not authorized to perform: ${op}`);
      }
      if (o.throttleOnce?.includes(op) && !throttled.has(op)) {
        throttled.add(op);
        const d = DENIED[service]!;
        throw awsError(d.ctor, service === 'ec2' ? 'RequestLimitExceeded' : 'ThrottlingException', 400, 'Rate exceeded');
      }
      return fn(input as I);
    });
  };

  // ---- STS
  const sts = wire('sts', clients.sts);
  on(sts, GetCallerIdentityCommand, 'sts:GetCallerIdentity', () => ({ UserId: 'AROAEXAMPLE:session', Account: account, Arn: `arn:aws:sts::${account}:assumed-role/Admin/session`, $metadata: {} }));

  // ---- IAM
  const iam = wire('iam', clients.iam);
  const roleDetail = (r: RoleState): RoleDetail => ({
    Path: r.path,
    RoleName: r.name,
    RoleId: r.roleId,
    Arn: r.arn,
    CreateDate: new Date('2026-01-01T00:00:00Z'),
    AssumeRolePolicyDocument: enc(r.trust),
    InstanceProfileList: [],
    RolePolicyList: [...r.inline].map(([PolicyName, doc]) => ({ PolicyName, PolicyDocument: enc(doc) })),
    AttachedManagedPolicies: r.attached.map((arn) => ({ PolicyName: managed.get(arn)!.name, PolicyArn: arn })),
    ...(r.boundary ? { PermissionsBoundary: { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: r.boundary } } : {}),
    Tags: Object.entries(r.tags).map(([Key, Value]) => ({ Key, Value })),
    RoleLastUsed: {},
  });
  const policyDetail = (p: Managed): ManagedPolicyDetail => ({
    PolicyName: p.name,
    PolicyId: 'ANPAEXAMPLE',
    Arn: p.arn,
    Path: '/',
    DefaultVersionId: p.versions.find((v) => v.IsDefaultVersion)!.VersionId,
    AttachmentCount: [...roles.values()].filter((r) => r.attached.includes(p.arn)).length,
    IsAttachable: true,
    PolicyVersionList: p.versions.map((v) => ({ Document: enc(v.document), VersionId: v.VersionId, IsDefaultVersion: v.IsDefaultVersion, CreateDate: v.CreateDate })),
  });
  const noSuchEntity = (what: string): Error => awsError(IAMServiceException, 'NoSuchEntityException', 404, `${what} cannot be found.`);
  on(iam, GetAccountAuthorizationDetailsCommand, 'iam:GetAccountAuthorizationDetails', (input: { Filter?: string[]; Marker?: string }) => {
    const filter = new Set(input.Filter ?? ['Role', 'User', 'Group', 'LocalManagedPolicy', 'AWSManagedPolicy']);
    // One list of entities, paginated across the four lists as IAM does.
    const local = [...managed.values()].filter((p) => !p.arn.includes(':aws:policy/'));
    const awsManaged = [...managed.values()].filter((p) => p.arn.includes(':aws:policy/'));
    const all: { kind: string; value: unknown }[] = [
      ...(filter.has('Role') ? [...roles.values()].map((r) => ({ kind: 'role', value: roleDetail(r) })) : []),
      ...(filter.has('User') ? (s.users ?? []).map((u) => ({ kind: 'user', value: { UserName: u.name, Arn: u.arn, Path: u.path, UserId: u.userId ?? 'AIDAEXAMPLE', UserPolicyList: u.inlinePolicies.map((p) => ({ PolicyName: p.name, PolicyDocument: enc(p.document) })), GroupList: [...u.groups], AttachedManagedPolicies: [], Tags: [] } })) : []),
      ...(filter.has('Group') ? (s.groups ?? []).map((g) => ({ kind: 'group', value: { GroupName: g.name, Arn: g.arn, Path: '/', GroupId: 'AGPAEXAMPLE', GroupPolicyList: g.inlinePolicies.map((p) => ({ PolicyName: p.name, PolicyDocument: enc(p.document) })), AttachedManagedPolicies: [] } })) : []),
      ...(filter.has('LocalManagedPolicy') ? local.map((p) => ({ kind: 'policy', value: policyDetail(p) })) : []),
      ...(filter.has('AWSManagedPolicy') ? awsManaged.map((p) => ({ kind: 'policy', value: policyDetail(p) })) : []),
    ];
    const pg = page(all, input.Marker, size);
    const of = (k: string): never[] => pg.items.filter((i) => i.kind === k).map((i) => i.value as never);
    const out: GetAccountAuthorizationDetailsResponse = {
      UserDetailList: of('user'),
      GroupDetailList: of('group'),
      RoleDetailList: of('role'),
      Policies: of('policy'),
      IsTruncated: pg.next !== undefined,
      ...(pg.next ? { Marker: pg.next } : {}),
    };
    return out;
  });
  on(iam, GetPolicyCommand, 'iam:GetPolicy', (input: { PolicyArn: string }) => {
    const p = managed.get(input.PolicyArn);
    if (!p) throw noSuchEntity(`Policy ${input.PolicyArn}`);
    const def = p.versions.find((v) => v.IsDefaultVersion)!;
    return { Policy: { PolicyName: p.name, Arn: p.arn, DefaultVersionId: def.VersionId, AttachmentCount: 1, IsAttachable: true } };
  });
  on(iam, GetPolicyVersionCommand, 'iam:GetPolicyVersion', (input: { PolicyArn: string; VersionId: string }) => {
    const v = managed.get(input.PolicyArn)?.versions.find((x) => x.VersionId === input.VersionId);
    if (!v) throw noSuchEntity(`Policy version ${input.VersionId}`);
    return { PolicyVersion: { Document: enc(v.document), VersionId: v.VersionId, IsDefaultVersion: v.IsDefaultVersion, CreateDate: v.CreateDate } };
  });
  on(iam, ListPolicyVersionsCommand, 'iam:ListPolicyVersions', (input: { PolicyArn: string; Marker?: string }) => {
    const p = managed.get(input.PolicyArn);
    if (!p) throw noSuchEntity(`Policy ${input.PolicyArn}`);
    const pg = page(p.versions, input.Marker, size);
    return { Versions: pg.items.map((v) => ({ VersionId: v.VersionId, IsDefaultVersion: v.IsDefaultVersion, CreateDate: v.CreateDate })), IsTruncated: pg.next !== undefined, ...(pg.next ? { Marker: pg.next } : {}) };
  });
  const role = (name: string): RoleState => {
    const r = roles.get(name);
    if (!r) throw noSuchEntity(`The role with name ${name}`);
    return r;
  };
  const parseDoc = (text: string): PolicyJson => JSON.parse(text) as PolicyJson;
  on(iam, PutRolePolicyCommand, 'iam:PutRolePolicy', (input: { RoleName: string; PolicyName: string; PolicyDocument: string }) => {
    role(input.RoleName).inline.set(input.PolicyName, parseDoc(input.PolicyDocument));
    return {};
  });
  on(iam, UpdateAssumeRolePolicyCommand, 'iam:UpdateAssumeRolePolicy', (input: { RoleName: string; PolicyDocument: string }) => {
    role(input.RoleName).trust = parseDoc(input.PolicyDocument);
    return {};
  });
  on(iam, CreatePolicyCommand, 'iam:CreatePolicy', (input: { PolicyName: string; PolicyDocument: string }) => {
    const arn = `arn:aws:iam::${account}:policy/${input.PolicyName}`;
    if (managed.has(arn)) throw awsError(IAMServiceException, 'EntityAlreadyExistsException', 409, `A policy called ${input.PolicyName} already exists.`);
    managed.set(arn, { arn, name: input.PolicyName, versions: [{ VersionId: 'v1', document: parseDoc(input.PolicyDocument), IsDefaultVersion: true, CreateDate: new Date() }], next: 2 });
    return { Policy: { Arn: arn, PolicyName: input.PolicyName, DefaultVersionId: 'v1' } };
  });
  on(iam, CreatePolicyVersionCommand, 'iam:CreatePolicyVersion', (input: { PolicyArn: string; PolicyDocument: string; SetAsDefault?: boolean }) => {
    const p = managed.get(input.PolicyArn);
    if (!p) throw noSuchEntity(`Policy ${input.PolicyArn}`);
    if (p.versions.length >= 5) throw awsError(IAMServiceException, 'LimitExceededException', 409, 'A managed policy can have up to 5 versions.');
    if (input.SetAsDefault) for (const v of p.versions) v.IsDefaultVersion = false;
    const v: Version = { VersionId: `v${p.next++}`, document: parseDoc(input.PolicyDocument), IsDefaultVersion: input.SetAsDefault === true, CreateDate: new Date(Date.UTC(2026, 5, p.next)) };
    p.versions.push(v);
    return { PolicyVersion: { VersionId: v.VersionId, IsDefaultVersion: v.IsDefaultVersion } };
  });
  on(iam, DeletePolicyVersionCommand, 'iam:DeletePolicyVersion', (input: { PolicyArn: string; VersionId: string }) => {
    const p = managed.get(input.PolicyArn);
    const v = p?.versions.find((x) => x.VersionId === input.VersionId);
    if (!p || !v) throw noSuchEntity(`Policy version ${input.VersionId}`);
    if (v.IsDefaultVersion) throw awsError(IAMServiceException, 'DeleteConflictException', 409, 'Cannot delete the default version of a policy.');
    p.versions = p.versions.filter((x) => x !== v);
    return {};
  });
  const quota = o.attachedPoliciesPerRoleQuota ?? 10;
  on(iam, GetAccountSummaryCommand, 'iam:GetAccountSummary', () => ({ SummaryMap: { AttachedPoliciesPerRoleQuota: quota, Roles: roles.size, RolesQuota: 1000 } }));
  on(iam, AttachRolePolicyCommand, 'iam:AttachRolePolicy', (input: { RoleName: string; PolicyArn: string }) => {
    if (!managed.has(input.PolicyArn)) throw noSuchEntity(`Policy ${input.PolicyArn}`);
    const r = role(input.RoleName);
    if (!r.attached.includes(input.PolicyArn) && r.attached.length >= quota) throw awsError(IAMServiceException, 'LimitExceededException', 409, `Cannot exceed quota for PoliciesPerRole: ${quota}`);
    if (!r.attached.includes(input.PolicyArn)) r.attached.push(input.PolicyArn);
    return {};
  });

  // ---- Organizations
  const org = wire('organizations', clients.organizations);
  const o2 = s.organization;
  const policyIds = new Map<string, string>();
  const policyDocs = new Map<string, { name: string; type: string; doc: PolicyJson; aws: boolean }>();
  if (o2) {
    let n = 0;
    for (const level of o2.path) {
      for (const [list, type] of [
        [level.scps, 'SERVICE_CONTROL_POLICY'],
        [level.rcps ?? [], 'RESOURCE_CONTROL_POLICY'],
      ] as const) {
        for (const p of list) {
          const key = `${type}/${p.name}`;
          if (!policyIds.has(key)) {
            const id = p.name === 'FullAWSAccess' ? 'p-FullAWSAccess' : `p-${(++n).toString().padStart(8, '0')}`;
            policyIds.set(key, id);
            policyDocs.set(id, { name: p.name, type, doc: p.document, aws: p.name === 'FullAWSAccess' });
          }
        }
      }
    }
  }
  const notInUse = (): Error => awsError(OrganizationsServiceException, 'AWSOrganizationsNotInUseException', 400, 'Your account is not a member of an organization.');
  on(org, DescribeOrganizationCommand, 'organizations:DescribeOrganization', () => {
    if (!o2) throw notInUse();
    const master = o2.isManagementAccount ? account : '999988887777';
    return { Organization: { Id: o2.id ?? 'o-example', Arn: `arn:aws:organizations::${master}:organization/${o2.id ?? 'o-example'}`, FeatureSet: 'ALL', MasterAccountId: master, MasterAccountArn: `arn:aws:organizations::${master}:account/${o2.id}/${master}` } };
  });
  on(org, ListRootsCommand, 'organizations:ListRoots', (input: { NextToken?: string }) => {
    if (!o2) throw notInUse();
    const root = o2.path[0]!;
    const types = [...(o2.scpsEnabled ? [{ Type: 'SERVICE_CONTROL_POLICY', Status: 'ENABLED' }] : []), ...(o2.rcpsEnabled ? [{ Type: 'RESOURCE_CONTROL_POLICY', Status: 'ENABLED' }] : [])];
    const pg = page([{ Id: root.id, Arn: `arn:aws:organizations::999988887777:root/${o2.id}/${root.id}`, Name: root.name ?? 'Root', PolicyTypes: types }], input.NextToken, size);
    return { Roots: pg.items, ...(pg.next ? { NextToken: pg.next } : {}) };
  });
  on(org, ListParentsCommand, 'organizations:ListParents', (input: { ChildId: string }) => {
    const path = o2?.path ?? [];
    const i = path.findIndex((l) => l.id === input.ChildId);
    if (i <= 0) throw awsError(OrganizationsServiceException, 'ChildNotFoundException', 400, `child ${input.ChildId} not found`);
    const parent = path[i - 1]!;
    return { Parents: [{ Id: parent.id, Type: parent.type }] };
  });
  on(org, DescribeOrganizationalUnitCommand, 'organizations:DescribeOrganizationalUnit', (input: { OrganizationalUnitId: string }) => {
    const l = o2?.path.find((x) => x.id === input.OrganizationalUnitId);
    return { OrganizationalUnit: { Id: input.OrganizationalUnitId, Name: l?.name ?? input.OrganizationalUnitId } };
  });
  on(org, DescribeAccountCommand, 'organizations:DescribeAccount', (input: { AccountId: string }) => {
    const l = o2?.path.find((x) => x.id === input.AccountId);
    return { Account: { Id: input.AccountId, Name: l?.name ?? 'account', Status: 'ACTIVE' } };
  });
  on(org, ListPoliciesForTargetCommand, 'organizations:ListPoliciesForTarget', (input: { TargetId: string; Filter: string; NextToken?: string }) => {
    const level = o2?.path.find((l) => l.id === input.TargetId);
    if (!level) throw awsError(OrganizationsServiceException, 'TargetNotFoundException', 400, 'target not found');
    const list = input.Filter === 'SERVICE_CONTROL_POLICY' ? level.scps : [...(o2!.rcpsEnabled ? [{ name: 'RCPFullAWSAccess', document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }] } }] : []), ...(level.rcps ?? [])];
    const summaries = list.map((p) => {
      const id = policyIds.get(`${input.Filter}/${p.name}`) ?? 'p-RCPFullAWSAccess';
      return { Id: id, Arn: `arn:aws:organizations::aws:policy/${input.Filter.toLowerCase()}/${id}`, Name: p.name, Type: input.Filter, AwsManaged: p.name === 'FullAWSAccess' || p.name === 'RCPFullAWSAccess' };
    });
    const pg = page(summaries, input.NextToken, size);
    return { Policies: pg.items, ...(pg.next ? { NextToken: pg.next } : {}) };
  });
  on(org, DescribePolicyCommand, 'organizations:DescribePolicy', (input: { PolicyId: string }) => {
    const p = policyDocs.get(input.PolicyId);
    if (!p) throw awsError(OrganizationsServiceException, 'PolicyNotFoundException', 400, 'policy not found');
    return { Policy: { PolicySummary: { Id: input.PolicyId, Name: p.name, Type: p.type, AwsManaged: p.aws }, Content: JSON.stringify(p.doc) } };
  });

  // ---- SageMaker
  const sm = wire('sagemaker', clients.sagemaker);
  const domainArn = (id: string): string => s.sagemaker.domains.find((d) => d.id === id)?.arn ?? `arn:aws:sagemaker:${s.region}:${account}:domain/${id}`;
  const notFound = (what: string): Error => awsError(SageMakerServiceException, 'ResourceNotFound', 400, `${what} not found`);
  on(sm, ListDomainsCommand, 'sagemaker:ListDomains', (input: { NextToken?: string }) => {
    const pg = page(s.sagemaker.domains, input.NextToken, size);
    return { Domains: pg.items.map((d) => ({ DomainId: d.id, DomainArn: domainArn(d.id), DomainName: d.name, Status: 'InService' })), ...(pg.next ? { NextToken: pg.next } : {}) };
  });
  on(sm, DescribeDomainCommand, 'sagemaker:DescribeDomain', (input: { DomainId: string }) => {
    const d = s.sagemaker.domains.find((x) => x.id === input.DomainId);
    if (!d) throw notFound(`domain ${input.DomainId}`);
    return {
      DomainArn: domainArn(d.id),
      DomainId: d.id,
      DomainName: d.name,
      Status: 'InService',
      AuthMode: 'IAM',
      DefaultUserSettings: { ExecutionRole: d.defaultExecutionRole, SecurityGroups: [...d.securityGroupIds] },
      ...(d.defaultSpaceExecutionRole ? { DefaultSpaceSettings: { ExecutionRole: d.defaultSpaceExecutionRole } } : {}),
      AppNetworkAccessType: d.appNetworkAccessType,
      SubnetIds: [...d.subnetIds],
      VpcId: d.vpcId,
      ...(d.kmsKeyId ? { KmsKeyId: d.kmsKeyId } : {}),
    };
  });
  on(sm, ListUserProfilesCommand, 'sagemaker:ListUserProfiles', (input: { DomainIdEquals?: string; NextToken?: string }) => {
    const pg = page(
      s.sagemaker.userProfiles.filter((u) => !input.DomainIdEquals || u.domainId === input.DomainIdEquals),
      input.NextToken,
      size,
    );
    return { UserProfiles: pg.items.map((u) => ({ DomainId: u.domainId, UserProfileName: u.name, Status: 'InService' })), ...(pg.next ? { NextToken: pg.next } : {}) };
  });
  on(sm, DescribeUserProfileCommand, 'sagemaker:DescribeUserProfile', (input: { DomainId: string; UserProfileName: string }) => {
    const u = s.sagemaker.userProfiles.find((x) => x.domainId === input.DomainId && x.name === input.UserProfileName);
    if (!u) throw notFound(`user profile ${input.UserProfileName}`);
    return { DomainId: u.domainId, UserProfileArn: u.arn, UserProfileName: u.name, Status: 'InService', UserSettings: { ...(u.executionRole ? { ExecutionRole: u.executionRole } : {}), SecurityGroups: [...u.securityGroupIds] } };
  });
  on(sm, ListSpacesCommand, 'sagemaker:ListSpaces', (input: { DomainIdEquals?: string; NextToken?: string }) => {
    const pg = page(
      s.sagemaker.spaces.filter((x) => !input.DomainIdEquals || x.domainId === input.DomainIdEquals),
      input.NextToken,
      size,
    );
    return { Spaces: pg.items.map((x) => ({ DomainId: x.domainId, SpaceName: x.name, Status: 'InService' })), ...(pg.next ? { NextToken: pg.next } : {}) };
  });
  on(sm, DescribeSpaceCommand, 'sagemaker:DescribeSpace', (input: { DomainId: string; SpaceName: string }) => {
    const x = s.sagemaker.spaces.find((y) => y.domainId === input.DomainId && y.name === input.SpaceName);
    if (!x) throw notFound(`space ${input.SpaceName}`);
    return { DomainId: x.domainId, SpaceArn: x.arn, SpaceName: x.name, Status: 'InService', ...(x.ownerUserProfileName ? { OwnershipSettings: { OwnerUserProfileName: x.ownerUserProfileName } } : {}) };
  });
  on(sm, ListTagsCommand, 'sagemaker:ListTags', (input: { ResourceArn: string; NextToken?: string }) => {
    const pg = page(Object.entries(tags.get(input.ResourceArn) ?? {}), input.NextToken, size);
    return { Tags: pg.items.map(([Key, Value]) => ({ Key, Value })), ...(pg.next ? { NextToken: pg.next } : {}) };
  });
  on(sm, AddTagsCommand, 'sagemaker:AddTags', (input: { ResourceArn: string; Tags: { Key: string; Value: string }[] }) => {
    const t = tags.get(input.ResourceArn) ?? {};
    for (const x of input.Tags) t[x.Key] = x.Value;
    tags.set(input.ResourceArn, t);
    return { Tags: input.Tags };
  });

  // ---- EC2
  const ec2 = wire('ec2', clients.ec2);
  on(ec2, DescribeVpcEndpointsCommand, 'ec2:DescribeVpcEndpoints', (input: { Filters?: { Name: string; Values: string[] }[]; NextToken?: string }) => {
    const vpcs = input.Filters?.find((f) => f.Name === 'vpc-id')?.Values;
    const pg = page(
      s.vpcEndpoints.filter((e) => !vpcs || (e.vpcId !== undefined && vpcs.includes(e.vpcId))),
      input.NextToken,
      size,
    );
    return {
      VpcEndpoints: pg.items.map((e) => ({ VpcEndpointId: e.id, VpcEndpointType: e.type, VpcId: e.vpcId, ServiceName: e.serviceName, State: 'available', PolicyDocument: JSON.stringify(e.policy ?? DEFAULT_ENDPOINT_POLICY) })),
      ...(pg.next ? { NextToken: pg.next } : {}),
    };
  });

  // ---- KMS
  const kms = wire('kms', clients.kms);
  const findKey = (id: string): AccountSnapshot['kmsKeys'][number] => {
    const k = s.kmsKeys.find((x) => x.arn === id || x.keyId === id || x.aliases.includes(id) || x.aliases.some((a) => id.endsWith(`:${a}`)));
    if (!k) throw awsError(KMSServiceException, 'NotFoundException', 400, `Key '${id}' does not exist`);
    return k;
  };
  on(kms, DescribeKeyCommand, 'kms:DescribeKey', (input: { KeyId: string }) => {
    const k = findKey(input.KeyId);
    return { KeyMetadata: { AWSAccountId: k.arn.split(':')[4], KeyId: k.keyId, Arn: k.arn, KeyManager: k.keyManager, KeyState: 'Enabled', Enabled: true } };
  });
  on(kms, GetKeyPolicyCommand, 'kms:GetKeyPolicy', (input: { KeyId: string }) => {
    const k = findKey(input.KeyId);
    return { Policy: JSON.stringify(k.policy ?? { Version: '2012-10-17', Statement: [] }), PolicyName: 'default' };
  });
  on(kms, ListAliasesCommand, 'kms:ListAliases', (input: { KeyId?: string; Marker?: string }) => {
    const all = s.kmsKeys.flatMap((k) => k.aliases.map((a) => ({ AliasName: a, AliasArn: `arn:aws:kms:${s.region}:${account}:${a}`, TargetKeyId: k.keyId })));
    const pg = page(
      all.filter((a) => !input.KeyId || a.TargetKeyId === findKey(input.KeyId).keyId),
      input.Marker,
      size,
    );
    return { Aliases: pg.items, Truncated: pg.next !== undefined, ...(pg.next ? { NextMarker: pg.next } : {}) };
  });

  // ---- S3
  const s3 = wire('s3', clients.s3);
  const bucket = (name: string): AccountSnapshot['s3Buckets'][number] => {
    const b = s.s3Buckets.find((x) => x.name === name);
    if (!b) throw awsError(S3ServiceException, 'NoSuchBucket', 404, 'The specified bucket does not exist');
    return b;
  };
  on(s3, GetBucketLocationCommand, 's3:GetBucketLocation', (input: { Bucket: string; ExpectedBucketOwner?: string }) => {
    const b = bucket(input.Bucket);
    if (input.ExpectedBucketOwner && o.foreignBuckets?.includes(b.name)) throw awsError(S3ServiceException, 'AccessDenied', 403, 'Access Denied');
    // us-east-1 buckets have no LocationConstraint.
    return b.region && b.region !== 'us-east-1' ? { LocationConstraint: b.region as BucketLocationConstraint } : {};
  });
  on(s3, GetBucketPolicyCommand, 's3:GetBucketPolicy', (input: { Bucket: string }) => {
    const b = bucket(input.Bucket);
    if (!b.policy) throw awsError(S3ServiceException, 'NoSuchBucketPolicy', 404, 'The bucket policy does not exist');
    return { Policy: JSON.stringify(b.policy) };
  });
  on(s3, GetBucketEncryptionCommand, 's3:GetBucketEncryption', (input: { Bucket: string }) => {
    const b = bucket(input.Bucket);
    const e = b.encryption ?? { algorithm: 'AES256' as const };
    return { ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: e.algorithm, ...(e.kmsKeyId ? { KMSMasterKeyID: e.kmsKeyId } : {}) }, BucketKeyEnabled: true }] } };
  });

  // ---- ECR
  const ecr = wire('ecr', clients.ecr);
  on(ecr, DescribeRepositoriesCommand, 'ecr:DescribeRepositories', (input: { repositoryNames?: string[] }) => {
    const repos = (s.ecrRepositories ?? []).filter((r) => input.repositoryNames?.includes(r.name));
    if (!repos.length) throw awsError(ECRServiceException, 'RepositoryNotFoundException', 400, 'repository not found');
    return { repositories: repos.map((r) => ({ repositoryArn: r.arn, repositoryName: r.name, registryId: r.arn.split(':')[4] })) };
  });
  on(ecr, GetRepositoryPolicyCommand, 'ecr:GetRepositoryPolicy', (input: { repositoryName: string }) => {
    const r = (s.ecrRepositories ?? []).find((x) => x.name === input.repositoryName);
    if (!r?.policy) throw awsError(ECRServiceException, 'RepositoryPolicyNotFoundException', 400, 'no policy');
    return { registryId: r.arn.split(':')[4], repositoryName: r.name, policyText: JSON.stringify(r.policy) };
  });

  return {
    clients,
    sent,
    roles,
    managed,
    tags,
    commandNames: () => mocks.flatMap((m) => m.calls().map((c) => (c.args[0] as object).constructor.name)),
    reset: () => mocks.forEach((m) => m.restore()),
    renewCredentials: () => {
      expired = false;
      renewed = true;
    },
  };
}

/** The fake account's roles, as a snapshot would hold them (for assertions). */
export function roleDocs(fake: FakeAws, name: string): { trust: PolicyJson; inline: Record<string, PolicyJson>; attached: string[] } {
  const r = fake.roles.get(name)!;
  return { trust: r.trust, inline: Object.fromEntries(r.inline), attached: [...r.attached] };
}

