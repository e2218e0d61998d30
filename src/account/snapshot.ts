/**
 * The account snapshot: one versioned JSON file holding everything a notebook-job check
 * needs to decide, read-only, from an account. `schemas/snapshot.schema.json` is its
 * contract; this file is the same contract as TypeScript types.
 *
 * Policy documents are stored as JSON objects, already decoded (IAM returns them
 * URL-encoded, Organizations and KMS as strings inside JSON: the importers decode).
 */

export const SNAPSHOT_VERSION = 1;

/** A policy document as AWS stores it (an object after decoding). */
export type PolicyJson = Record<string, unknown>;

export interface NamedPolicy {
  readonly name: string;
  /** Managed policies: the ARN. */
  readonly arn?: string;
  readonly document: PolicyJson;
}

/** One level of the organization path: root, each OU, then the account. */
export interface OrgLevel {
  readonly id: string;
  readonly type: 'ROOT' | 'ORGANIZATIONAL_UNIT' | 'ACCOUNT';
  readonly name?: string;
  readonly scps: readonly NamedPolicy[];
  /** RCPs other than RCPFullAWSAccess (which is implied at every level). */
  readonly rcps: readonly NamedPolicy[];
}

export interface Organization {
  readonly id?: string;
  readonly isManagementAccount: boolean;
  /** Whether the policy types are enabled in the organization root. */
  readonly scpsEnabled: boolean;
  readonly rcpsEnabled: boolean;
  /** Root first, account last. */
  readonly path: readonly OrgLevel[];
  /**
   * Set when the SCPs could not all be read (a member account without access to
   * Organizations): why. `check` then calls every step an SCP could deny undecided.
   */
  readonly scpsUnread?: string;
  /** The same for RCPs. */
  readonly rcpsUnread?: string;
}

export interface Role {
  readonly arn: string;
  readonly name: string;
  readonly path: string;
  readonly roleId?: string;
  readonly trustPolicy: PolicyJson;
  readonly inlinePolicies: readonly NamedPolicy[];
  readonly attachedPolicies: readonly NamedPolicy[];
  readonly permissionsBoundary?: NamedPolicy;
  /** Absent: the tags were not read (then aws:PrincipalTag/* is unknown for its sessions). */
  readonly tags?: Readonly<Record<string, string>>;
  readonly serviceLinked: boolean;
}

export interface User {
  readonly arn: string;
  readonly name: string;
  readonly path: string;
  readonly userId?: string;
  readonly inlinePolicies: readonly NamedPolicy[];
  readonly attachedPolicies: readonly NamedPolicy[];
  readonly groups: readonly string[];
  readonly permissionsBoundary?: NamedPolicy;
  readonly tags: Readonly<Record<string, string>>;
}

export interface Group {
  readonly arn: string;
  readonly name: string;
  readonly inlinePolicies: readonly NamedPolicy[];
  readonly attachedPolicies: readonly NamedPolicy[];
}

export interface SageMakerDomain {
  readonly id: string;
  readonly name?: string;
  readonly arn?: string;
  readonly appNetworkAccessType: 'VpcOnly' | 'PublicInternetOnly';
  readonly vpcId?: string;
  readonly subnetIds: readonly string[];
  readonly securityGroupIds: readonly string[];
  readonly defaultExecutionRole?: string;
  readonly defaultSpaceExecutionRole?: string;
  readonly kmsKeyId?: string;
  readonly tags: Readonly<Record<string, string>>;
}

export interface SageMakerUserProfile {
  readonly domainId: string;
  readonly name: string;
  readonly arn?: string;
  readonly executionRole?: string;
  readonly securityGroupIds: readonly string[];
  readonly tags: Readonly<Record<string, string>>;
}

export interface SageMakerSpace {
  readonly domainId: string;
  readonly name: string;
  readonly arn?: string;
  readonly executionRole?: string;
  readonly ownerUserProfileName?: string;
  /** SpaceSharingSettings.SharingType: a private space's jobs are its owner's (tags, sagemaker:user-profile-name). */
  readonly sharingType?: 'Private' | 'Shared';
  readonly tags: Readonly<Record<string, string>>;
}

export interface VpcEndpoint {
  readonly id: string;
  readonly vpcId?: string;
  /** e.g. `com.amazonaws.us-east-1.s3`. */
  readonly serviceName: string;
  readonly type: 'Gateway' | 'Interface' | 'GatewayLoadBalancer';
  /** Absent: the default full-access policy. */
  readonly policy?: PolicyJson;
}

export interface KmsKey {
  readonly arn: string;
  readonly keyId: string;
  readonly aliases: readonly string[];
  readonly keyManager: 'CUSTOMER' | 'AWS';
  readonly policy?: PolicyJson;
}

export interface S3Bucket {
  readonly name: string;
  readonly region?: string;
  readonly ownerAccountId?: string;
  readonly policy?: PolicyJson;
  readonly encryption?: { readonly algorithm: 'AES256' | 'aws:kms' | 'aws:kms:dsse'; readonly kmsKeyId?: string };
}

export interface EcrRepository {
  readonly arn: string;
  readonly name: string;
  readonly policy?: PolicyJson;
}

/** What could not be read, so a check can mark the steps it cannot decide. */
export interface SnapshotGap {
  readonly what: string;
  readonly file?: string;
  readonly message: string;
}

export interface AccountSnapshot {
  readonly snapshotVersion: 1;
  readonly generatedAt?: string;
  readonly source?: 'aws-cli' | 'live' | 'example';
  readonly accountId: string;
  readonly region: string;
  readonly partition?: string;
  /** Absent: the account is not in an organization (no SCPs, no RCPs). */
  readonly organization?: Organization;
  readonly roles: readonly Role[];
  readonly users?: readonly User[];
  readonly groups?: readonly Group[];
  readonly sagemaker: {
    readonly domains: readonly SageMakerDomain[];
    readonly userProfiles: readonly SageMakerUserProfile[];
    readonly spaces: readonly SageMakerSpace[];
  };
  readonly vpcEndpoints: readonly VpcEndpoint[];
  readonly kmsKeys: readonly KmsKey[];
  readonly s3Buckets: readonly S3Bucket[];
  readonly ecrRepositories?: readonly EcrRepository[];
  readonly gaps?: readonly SnapshotGap[];
}
