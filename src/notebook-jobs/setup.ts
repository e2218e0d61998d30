/**
 * From an account snapshot and the user's choice (domain, profile or space, roles, keys)
 * to the concrete `FlowSetup` the flow is built from. Defaults follow the JupyterLab
 * scheduler extension (docs/notebook-job-flow.md §1–2): the job role defaults to
 * the Studio role; the job bucket is `sagemaker-automated-execution-<account>-<region>`;
 * the Studio role is the space's role, else the profile's, else the domain default.
 */
import type { AccountSnapshot, KmsKey, Role, SageMakerDomain, VpcEndpoint } from '../account/snapshot.js';
import type { FlowSetup } from './flow.js';

export interface Selection {
  readonly domainId?: string;
  readonly userProfileName?: string;
  readonly spaceName?: string;
  readonly studioRoleArn?: string;
  readonly jobRoleArn?: string;
  readonly outputKmsKeyArn?: string;
  readonly volumeKmsKeyArn?: string;
  readonly inputBucket?: string;
  readonly outputBucket?: string;
  /** A custom image chosen in the form (its name, app image config and version). */
  readonly customImage?: FlowSetup['customImage'];
  /** A Studio lifecycle configuration chosen in the form. */
  readonly lifecycleConfigName?: string;
  /** The job's VpcConfig subnets; `[]`: no VpcConfig. Default: the domain's subnets when VpcOnly. */
  readonly jobSubnetIds?: readonly string[];
}

export type SetupResult = { readonly ok: true; readonly setup: FlowSetup; readonly notes: readonly string[] } | { readonly ok: false; readonly message: string };

/**
 * The account that hosts the SageMaker Distribution images in each region: the account of the
 * image ARNs `arn:aws:sagemaker:REGION:ACCOUNT:image/sagemaker-distribution-cpu|gpu` that
 * AWS documents ("Code Editor application instances and images" and "Amazon SageMaker images
 * available for use with Studio": https://docs.aws.amazon.com/sagemaker/latest/dg/code-editor-use-instances.html,
 * https://docs.aws.amazon.com/sagemaker/latest/dg/notebooks-available-images.html). The ECR
 * registry is the same account (the scheduler extension's tests pull
 * `542918446943.dkr.ecr.us-west-2.amazonaws.com/sagemaker-distribution-prod`). The page prints
 * us-east-2's account with 11 digits ("37914896644"); the 12-digit id is 137914896644.
 *
 * This matters: the image is pulled with the job role from an account outside the customer's
 * organization, so an SCP that limits ECR to the organization's accounts
 * (aws:ResourceAccount / aws:ResourceOrgID) denies it.
 */
export const DISTRIBUTION_IMAGE_ACCOUNTS: Readonly<Record<string, string>> = Object.freeze({
  'us-east-1': '885854791233',
  'us-east-2': '137914896644',
  'us-west-1': '053634841547',
  'us-west-2': '542918446943',
  'af-south-1': '238384257742',
  'ap-east-1': '523751269255',
  'ap-south-1': '245090515133',
  'ap-northeast-2': '064688005998',
  'ap-southeast-1': '022667117163',
  'ap-southeast-2': '648430277019',
  'ap-northeast-1': '010972774902',
  'ca-central-1': '481561238223',
  'eu-central-1': '545423591354',
  'eu-west-1': '819792524951',
  'eu-west-2': '021081402939',
  'eu-west-3': '856416204555',
  'eu-north-1': '175620155138',
  'eu-south-1': '810671768855',
  'sa-east-1': '567556641782',
  'ap-northeast-3': '564864627153',
  'ap-southeast-3': '370607712162',
  'me-south-1': '523774347010',
  'me-central-1': '358593528301',
  'il-central-1': '080319125002',
  'cn-north-1': '674439102856',
  'cn-northwest-1': '651871951035',
  'us-gov-west-1': '300992924816',
  'us-gov-east-1': '300993876623',
});

/**
 * The default-encryption key of a job bucket, as GetBucketEncryption reported it: nothing for
 * SSE-S3 and the AWS managed aws/s3 key (its key policy lets the account's principals use it
 * through S3), the key for any other KMS key, `unknown` when the encryption was not read.
 * Every bucket has default encryption since January 2023 ("Setting default server-side
 * encryption behavior for Amazon S3 buckets"), so a bucket without one was not read.
 */
export function bucketDefaultKey(snapshot: AccountSnapshot, name: string, isDefaultBucket: boolean): { keyArn?: string; unknown?: string } {
  const b = snapshot.s3Buckets.find((x) => x.name === name);
  if (!b) {
    // The extension creates its default bucket with SSE-KMS and the aws/s3 key.
    if (isDefaultBucket && snapshot.source === 'live') return {};
    return { unknown: `the default encryption of bucket ${name} (the bucket is not in the snapshot: s3api get-bucket-encryption)` };
  }
  if (!b.encryption) return { unknown: `the default encryption of bucket ${name} was not read (s3:GetEncryptionConfiguration)` };
  if (b.encryption.algorithm === 'AES256') return {};
  const id = b.encryption.kmsKeyId;
  if (!id || /(^|:)alias\/aws\/s3$/.test(id)) return {};
  const key = findKey(snapshot, id);
  if (key?.keyManager === 'AWS') return {};
  return { keyArn: key?.arn ?? id };
}

/** A KMS key by ARN, key id, alias name or alias ARN. */
export function findKey(snapshot: AccountSnapshot, ref: string): KmsKey | undefined {
  return snapshot.kmsKeys.find((k) => k.arn === ref || k.keyId === ref || k.aliases.includes(ref) || k.aliases.some((al) => ref.endsWith(`:${al}`)));
}

/**
 * Roles by ARN and by name, per roles list. A snapshot is immutable (fixes copy the list),
 * so the index of a list never goes stale; it goes when the list does. A linear scan per
 * step made `check --all-profiles` quadratic in the number of roles.
 */
interface RoleIndex {
  /** The first role of that ARN, else the first of that name. */
  get(key: string): Role | undefined;
  /** Positions in the list of the roles of an ARN, ascending. */
  positions(arn: string): readonly number[];
}

const roleIndexes = new WeakMap<readonly Role[], RoleIndex>();
const NONE: readonly number[] = [];

function roleIndex(roles: readonly Role[]): RoleIndex {
  let m = roleIndexes.get(roles);
  if (m === undefined) {
    const byKey = new Map<string, Role>();
    const byArn = new Map<string, number[]>();
    // By name first, then by ARN, so an ARN wins over a name that happens to equal it; the
    // first role of a name or ARN wins, as Array.find did.
    for (let i = roles.length - 1; i >= 0; i--) byKey.set((roles[i] as Role).name, roles[i] as Role);
    for (let i = roles.length - 1; i >= 0; i--) byKey.set((roles[i] as Role).arn, roles[i] as Role);
    for (let i = 0; i < roles.length; i++) {
      const arn = (roles[i] as Role).arn;
      const at = byArn.get(arn);
      if (at) at.push(i);
      else byArn.set(arn, [i]);
    }
    m = { get: (key) => byKey.get(key), positions: (arn) => byArn.get(arn) ?? NONE };
    roleIndexes.set(roles, m);
  }
  return m;
}

/** Positions in `roles` of the roles whose ARN is `arn` (what a fix to that role replaces). */
export function rolePositions(roles: readonly Role[], arn: string): readonly number[] {
  return roleIndex(roles).positions(arn);
}

/**
 * `roles` is `parent` with some roles replaced in place (`replaced`: old → new, same name
 * and ARN, as fixes copy them): its look-ups go through the parent's index instead of
 * building one. A fix applied to a 10,000-role snapshot would otherwise index every role
 * again, once per fix tried.
 */
export function shareRoleIndex(roles: readonly Role[], parent: readonly Role[], replaced: ReadonlyMap<Role, Role>): void {
  if (roles.length !== parent.length) return;
  for (const [from, to] of replaced) if (from.name !== to.name || from.arn !== to.arn) return;
  const base = roleIndex(parent);
  roleIndexes.set(roles, {
    get: (key) => {
      const r = base.get(key);
      return r === undefined ? undefined : (replaced.get(r) ?? r);
    },
    positions: (arn) => base.positions(arn),
  });
}

export function findRole(snapshot: AccountSnapshot, arnOrName: string): Role | undefined {
  if (snapshot.roles.length < 16) return snapshot.roles.find((r) => r.arn === arnOrName || r.name === arnOrName);
  return roleIndex(snapshot.roles).get(arnOrName);
}

/** The S3 gateway endpoint of the domain's VPC, if any. */
export function s3GatewayEndpoint(snapshot: AccountSnapshot, domain: SageMakerDomain): VpcEndpoint | undefined {
  const service = `com.amazonaws.${snapshot.region}.s3`;
  return snapshot.vpcEndpoints.find((e) => e.serviceName === service && e.type === 'Gateway' && (!domain.vpcId || !e.vpcId || e.vpcId === domain.vpcId));
}

export function resolveSetup(snapshot: AccountSnapshot, sel: Selection): SetupResult {
  const notes: string[] = [];
  const domains = snapshot.sagemaker.domains;
  const domain = sel.domainId ? domains.find((d) => d.id === sel.domainId) : domains[0];
  if (!domain) {
    return {
      ok: false,
      message: sel.domainId
        ? `domain ${sel.domainId} is not in the snapshot (it has ${domains.map((d) => d.id).join(', ') || 'no domain'})`
        : 'the snapshot has no SageMaker domain',
    };
  }
  if (!sel.domainId && domains.length > 1) notes.push(`several domains: checking ${domain.id}; choose one with --domain`);
  let studioRole = sel.studioRoleArn;
  let userProfileName: string | undefined;
  let spaceName: string | undefined;
  let profileTags: Record<string, string> = {};
  // Security groups configured for the app: the form lists the VPC's only when there are none (spec #3).
  const securityGroups = new Set(domain.securityGroupIds);
  if (sel.spaceName) {
    const space = snapshot.sagemaker.spaces.find((s) => s.domainId === domain.id && s.name === sel.spaceName);
    if (!space) return { ok: false, message: `space ${sel.spaceName} is not in domain ${domain.id} of the snapshot` };
    const owner = space.sharingType === 'Private' && space.ownerUserProfileName ? snapshot.sagemaker.userProfiles.find((p) => p.domainId === domain.id && p.name === space.ownerUserProfileName) : undefined;
    if (space.sharingType === 'Private' && space.ownerUserProfileName) {
      // A private space runs as its owner: the extension tags the job with
      // sagemaker:user-profile-name and copies the owner's profile tags (the space is the owner's).
      if (!owner) return { ok: false, message: `space ${space.name} is private to user profile ${space.ownerUserProfileName}, which is not in domain ${domain.id} of the snapshot (its tags go onto the jobs)` };
      userProfileName = owner.name;
      profileTags = { ...owner.tags };
      studioRole ??= space.executionRole ?? owner.executionRole ?? domain.defaultExecutionRole;
      notes.push(`space ${space.name} is private: jobs carry the tags and the name of its owner, user profile ${owner.name}`);
    } else {
      spaceName = space.name;
      profileTags = { ...space.tags };
      studioRole ??= space.executionRole ?? domain.defaultSpaceExecutionRole ?? domain.defaultExecutionRole;
    }
  } else {
    const all = snapshot.sagemaker.userProfiles;
    // A named profile is found without copying the list (check --all-profiles asks once per profile).
    const profiles = sel.userProfileName ? undefined : all.filter((p) => p.domainId === domain.id);
    const profile = sel.userProfileName ? all.find((p) => p.domainId === domain.id && p.name === sel.userProfileName) : profiles?.[0];
    if (sel.userProfileName && !profile) return { ok: false, message: `user profile ${sel.userProfileName} is not in domain ${domain.id} of the snapshot` };
    if (profile) {
      userProfileName = profile.name;
      profileTags = { ...profile.tags };
      for (const sg of profile.securityGroupIds) securityGroups.add(sg);
      studioRole ??= profile.executionRole;
      if (profiles && profiles.length > 1) notes.push(`several user profiles: checking ${profile.name}; choose one with --user-profile or use --all-profiles`);
    }
    studioRole ??= domain.defaultExecutionRole;
  }
  if (!studioRole) return { ok: false, message: 'no Studio execution role: the profile and the domain name none; pass --studio-role' };
  const studio = findRole(snapshot, studioRole);
  if (!studio) return { ok: false, message: `the Studio execution role ${studioRole} is not in the snapshot's roles` };
  const jobRoleRef = sel.jobRoleArn ?? studio.arn;
  const job = findRole(snapshot, jobRoleRef);
  if (!job) return { ok: false, message: `the job role ${jobRoleRef} is not in the snapshot's roles` };
  if (!sel.jobRoleArn) notes.push('no --job-role: the job runs with the Studio role, as the extension does by default');
  const defaultBucket = `sagemaker-automated-execution-${snapshot.accountId}-${snapshot.region}`;
  const vpcOnly = domain.appNetworkAccessType === 'VpcOnly';
  // The form defaults the job's subnets to the domain's private subnets. In VpcOnly mode those
  // are the domain's subnets; otherwise which subnets are private is not in the snapshot.
  const jobSubnetIds = sel.jobSubnetIds ?? (vpcOnly ? domain.subnetIds : []);
  if (!sel.jobSubnetIds && !vpcOnly && domain.subnetIds.length) {
    notes.push('the domain is not VpcOnly: the job is checked without VpcConfig; if the form offers private subnets of the domain VPC, the job runs there (network interfaces and the S3 endpoint then apply)');
  }
  const endpoint = vpcOnly || jobSubnetIds.length ? s3GatewayEndpoint(snapshot, domain) : undefined;
  if (vpcOnly && !endpoint) notes.push('VpcOnly domain without an S3 gateway endpoint in the snapshot: S3 calls from the VPC cannot reach S3 (add one, or save ec2-describe-vpc-endpoints)');
  const inputBucket = sel.inputBucket ?? defaultBucket;
  const outputBucket = sel.outputBucket ?? sel.inputBucket ?? defaultBucket;
  const inputKey = bucketDefaultKey(snapshot, inputBucket, inputBucket === defaultBucket);
  if (!DISTRIBUTION_IMAGE_ACCOUNTS[snapshot.region]) notes.push(`AWS lists no SageMaker Distribution image account for ${snapshot.region}: the image pull's aws:ResourceAccount is unknown`);
  const setup: FlowSetup = {
    accountId: snapshot.accountId,
    region: snapshot.region,
    partition: snapshot.partition ?? 'aws',
    studioRoleArn: studio.arn,
    jobRoleArn: job.arn,
    domainId: domain.id,
    userProfileName,
    spaceName,
    vpcOnly,
    jobSubnetIds,
    s3VpcEndpointId: endpoint?.id,
    vpcId: domain.vpcId,
    inputBucket,
    outputBucket,
    outputKmsKeyArn: sel.outputKmsKeyArn,
    volumeKmsKeyArn: sel.volumeKmsKeyArn,
    configuredSecurityGroupIds: [...securityGroups],
    ...(sel.customImage ? { customImage: sel.customImage } : {}),
    ...(sel.lifecycleConfigName ? { lifecycleConfigName: sel.lifecycleConfigName } : {}),
    ...(inputKey.keyArn ? { inputBucketKeyArn: inputKey.keyArn } : {}),
    ...(inputKey.unknown ? { inputBucketKeyUnknown: inputKey.unknown } : {}),
    profileTags,
    // A region AWS does not list: the account is unknown, and the pull steps say so.
    imageAccountId: DISTRIBUTION_IMAGE_ACCOUNTS[snapshot.region] ?? '',
    imageRepository: 'sagemaker-distribution-prod',
    jobName: 'nightly-report-notebook-1a2b3c4d-2026-11-01-09-00-00',
    definitionId: 'nightly-report-notebook-5e6f7a8b',
  };
  return { ok: true, setup, notes };
}
