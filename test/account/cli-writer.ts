/**
 * Test helper: writes a snapshot out as the files the AWS CLI would have saved, in the
 * shapes AWS returns (IAM documents URL-encoded as the raw API gives them, or decoded as
 * the CLI prints them; Organizations/KMS/S3/EC2 documents as JSON strings).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AccountSnapshot, NamedPolicy } from '../../src/account/snapshot.js';

export interface WriteOptions {
  /** IAM documents as the IAM API returns them (URL-encoded strings) instead of decoded objects. */
  readonly urlEncodeIam: boolean;
}

function iamDoc(doc: unknown, o: WriteOptions): unknown {
  return o.urlEncodeIam ? encodeURIComponent(JSON.stringify(doc)) : doc;
}

export function writeCliDir(s: AccountSnapshot, dir: string, o: WriteOptions): string[] {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  const put = (file: string, body: unknown): void => {
    writeFileSync(join(dir, file), JSON.stringify(body, null, 4) + '\n');
    written.push(file);
  };
  put('sts-get-caller-identity.json', { UserId: 'AIDAEXAMPLE', Account: s.accountId, Arn: `arn:aws:iam::${s.accountId}:user/admin` });

  const managed = new Map<string, NamedPolicy>();
  const tags = (t: Readonly<Record<string, string>>): { Key: string; Value: string }[] => Object.entries(t).map(([Key, Value]) => ({ Key, Value }));
  const attach = (ps: readonly NamedPolicy[]): { PolicyName: string; PolicyArn: string }[] =>
    ps.map((p) => {
      const arn = p.arn ?? `arn:aws:iam::${s.accountId}:policy/${p.name}`;
      managed.set(arn, { ...p, arn });
      return { PolicyName: p.name, PolicyArn: arn };
    });
  const boundary = (b: NamedPolicy | undefined): object | undefined => {
    if (!b) return undefined;
    attach([b]);
    return { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: b.arn ?? `arn:aws:iam::${s.accountId}:policy/${b.name}` };
  };
  const RoleDetailList = s.roles.map((r) => ({
    Path: r.path,
    RoleName: r.name,
    RoleId: r.roleId ?? 'AROAEXAMPLE',
    Arn: r.arn,
    CreateDate: '2026-01-01T00:00:00+00:00',
    AssumeRolePolicyDocument: iamDoc(r.trustPolicy, o),
    InstanceProfileList: [],
    RolePolicyList: r.inlinePolicies.map((p) => ({ PolicyName: p.name, PolicyDocument: iamDoc(p.document, o) })),
    AttachedManagedPolicies: attach(r.attachedPolicies),
    ...(r.permissionsBoundary ? { PermissionsBoundary: boundary(r.permissionsBoundary) } : {}),
    ...(r.tags ? { Tags: tags(r.tags) } : {}),
    RoleLastUsed: {},
  }));
  const UserDetailList = (s.users ?? []).map((u) => ({
    Path: u.path,
    UserName: u.name,
    UserId: u.userId ?? 'AIDAEXAMPLE',
    Arn: u.arn,
    UserPolicyList: u.inlinePolicies.map((p) => ({ PolicyName: p.name, PolicyDocument: iamDoc(p.document, o) })),
    GroupList: u.groups,
    AttachedManagedPolicies: attach(u.attachedPolicies),
    ...(u.permissionsBoundary ? { PermissionsBoundary: boundary(u.permissionsBoundary) } : {}),
    Tags: tags(u.tags),
  }));
  const GroupDetailList = (s.groups ?? []).map((g) => ({
    Path: '/',
    GroupName: g.name,
    GroupId: 'AGPAEXAMPLE',
    Arn: g.arn,
    GroupPolicyList: g.inlinePolicies.map((p) => ({ PolicyName: p.name, PolicyDocument: iamDoc(p.document, o) })),
    AttachedManagedPolicies: attach(g.attachedPolicies),
  }));
  const Policies = [...managed.values()].map((p) => ({
    PolicyName: p.name,
    PolicyId: 'ANPAEXAMPLE',
    Arn: p.arn,
    Path: '/',
    DefaultVersionId: 'v2',
    AttachmentCount: 1,
    IsAttachable: true,
    PolicyVersionList: [
      { Document: iamDoc({ Version: '2012-10-17', Statement: [] }, o), VersionId: 'v1', IsDefaultVersion: false },
      { Document: iamDoc(p.document, o), VersionId: 'v2', IsDefaultVersion: true },
    ],
  }));
  put('iam-get-account-authorization-details.json', { UserDetailList, GroupDetailList, RoleDetailList, Policies });

  if (s.organization) {
    const org = s.organization;
    put('organizations-describe-organization.json', {
      Organization: { Id: org.id ?? 'o-example', MasterAccountId: org.isManagementAccount ? s.accountId : '999988887777', FeatureSet: 'ALL' },
    });
    const root = org.path[0]!;
    const types = [
      ...(org.scpsEnabled ? [{ Type: 'SERVICE_CONTROL_POLICY', Status: 'ENABLED' }] : []),
      ...(org.rcpsEnabled ? [{ Type: 'RESOURCE_CONTROL_POLICY', Status: 'ENABLED' }] : []),
    ];
    put('organizations-list-roots.json', { Roots: [{ Id: root.id, Name: 'Root', PolicyTypes: types }] });
    for (let i = org.path.length - 1; i > 0; i--) {
      const child = org.path[i]!;
      const parent = org.path[i - 1]!;
      put(`organizations-list-parents-${child.id}.json`, { Parents: [{ Id: parent.id, Type: parent.type }] });
    }
    let n = 0;
    for (const level of org.path) {
      for (const [kind, policies, type] of [
        ['scp', level.scps, 'SERVICE_CONTROL_POLICY'],
        ['rcp', level.rcps, 'RESOURCE_CONTROL_POLICY'],
      ] as const) {
        if (kind === 'rcp' && !org.rcpsEnabled) continue;
        const listed = policies.map((p) => ({ id: `p-${(++n).toString().padStart(8, '0')}`, p }));
        put(`organizations-list-policies-for-target-${level.id}-${kind}.json`, {
          Policies: listed.map(({ id, p }) => ({ Id: id, Arn: p.arn ?? `arn:aws:organizations::999988887777:policy/o-example/${type.toLowerCase()}/${id}`, Name: p.name, Type: type, AwsManaged: p.name === 'FullAWSAccess' })),
        });
        for (const { id, p } of listed) {
          put(`organizations-describe-policy-${id}.json`, {
            Policy: { PolicySummary: { Id: id, Name: p.name, Type: type, AwsManaged: p.name === 'FullAWSAccess' }, Content: JSON.stringify(p.document) },
          });
        }
      }
    }
  }
  put('ec2-describe-vpc-endpoints.json', {
    VpcEndpoints: s.vpcEndpoints.map((e) => ({
      VpcEndpointId: e.id,
      VpcEndpointType: e.type,
      VpcId: e.vpcId,
      ServiceName: e.serviceName,
      State: 'available',
      PolicyDocument: JSON.stringify(e.policy ?? { Version: '2008-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }] }),
    })),
  });
  put('kms-list-aliases.json', {
    Aliases: s.kmsKeys.flatMap((k) => k.aliases.map((a) => ({ AliasName: a, AliasArn: `arn:aws:kms:${s.region}:${s.accountId}:${a}`, TargetKeyId: k.keyId }))),
  });
  for (const k of s.kmsKeys) {
    put(`kms-describe-key-${k.keyId}.json`, { KeyMetadata: { AWSAccountId: s.accountId, KeyId: k.keyId, Arn: k.arn, KeyManager: k.keyManager, KeyState: 'Enabled' } });
    if (k.policy) put(`kms-get-key-policy-${k.keyId}.json`, { Policy: JSON.stringify(k.policy), PolicyName: 'default' });
  }
  for (const b of s.s3Buckets) {
    if (b.policy) put(`s3api-get-bucket-policy-${b.name}.json`, { Policy: JSON.stringify(b.policy) });
    if (b.encryption) {
      put(`s3api-get-bucket-encryption-${b.name}.json`, {
        ServerSideEncryptionConfiguration: {
          Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: b.encryption.algorithm, ...(b.encryption.kmsKeyId ? { KMSMasterKeyID: b.encryption.kmsKeyId } : {}) }, BucketKeyEnabled: true }],
        },
      });
    }
    put(`s3api-get-bucket-location-${b.name}.json`, { LocationConstraint: b.region === 'us-east-1' ? null : b.region });
  }
  for (const d of s.sagemaker.domains) {
    put(`sagemaker-describe-domain-${d.id}.json`, {
      DomainArn: d.arn ?? `arn:aws:sagemaker:${s.region}:${s.accountId}:domain/${d.id}`,
      DomainId: d.id,
      DomainName: d.name,
      Status: 'InService',
      AuthMode: 'IAM',
      DefaultUserSettings: { ExecutionRole: d.defaultExecutionRole, SecurityGroups: d.securityGroupIds },
      ...(d.defaultSpaceExecutionRole ? { DefaultSpaceSettings: { ExecutionRole: d.defaultSpaceExecutionRole } } : {}),
      AppNetworkAccessType: d.appNetworkAccessType,
      SubnetIds: d.subnetIds,
      VpcId: d.vpcId,
      ...(d.kmsKeyId ? { KmsKeyId: d.kmsKeyId } : {}),
    });
    put(`sagemaker-list-tags-${d.id}.json`, { Tags: tags(d.tags) });
  }
  for (const u of s.sagemaker.userProfiles) {
    put(`sagemaker-describe-user-profile-${u.domainId}-${u.name}.json`, {
      DomainId: u.domainId,
      UserProfileArn: u.arn,
      UserProfileName: u.name,
      Status: 'InService',
      UserSettings: { ...(u.executionRole ? { ExecutionRole: u.executionRole } : {}), SecurityGroups: u.securityGroupIds },
    });
    put(`sagemaker-list-tags-${u.domainId}-${u.name}.json`, { Tags: tags(u.tags) });
  }
  for (const sp of s.sagemaker.spaces) {
    put(`sagemaker-describe-space-${sp.domainId}-${sp.name}.json`, {
      DomainId: sp.domainId,
      SpaceArn: sp.arn,
      SpaceName: sp.name,
      Status: 'InService',
      ...(sp.ownerUserProfileName ? { OwnershipSettings: { OwnerUserProfileName: sp.ownerUserProfileName } } : {}),
    });
    put(`sagemaker-list-tags-${sp.domainId}-${sp.name}.json`, { Tags: tags(sp.tags) });
  }
  return written;
}
