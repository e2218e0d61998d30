/**
 * From an account snapshot and the user's choice (domain, profile or space, roles, keys)
 * to the concrete `FlowSetup` the flow is built from. Defaults follow the JupyterLab
 * scheduler extension (docs/notebook-job-flow.md §1–2): the job role defaults to
 * the Studio role; the job bucket is `sagemaker-automated-execution-<account>-<region>`;
 * the Studio role is the space's role, else the profile's, else the domain default.
 */
import type { AccountSnapshot, Role, SageMakerDomain, VpcEndpoint } from '../account/snapshot.js';
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
}

export type SetupResult = { readonly ok: true; readonly setup: FlowSetup; readonly notes: readonly string[] } | { readonly ok: false; readonly message: string };

/**
 * Accounts that host the SageMaker Distribution images, by region (the image URI in the
 * training job). Only us-west-2 is confirmed by the extension's tests; elsewhere the
 * image lives in another AWS-owned account, which changes nothing for our checks because
 * the pull is decided by the job role's identity side (the repository policy is AWS's).
 */
const DISTRIBUTION_IMAGE_ACCOUNTS: Readonly<Record<string, string>> = { 'us-west-2': '542918446943' };

export function findRole(snapshot: AccountSnapshot, arnOrName: string): Role | undefined {
  return snapshot.roles.find((r) => r.arn === arnOrName || r.name === arnOrName);
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
    spaceName = space.name;
    profileTags = { ...space.tags };
    studioRole ??= space.executionRole ?? domain.defaultSpaceExecutionRole ?? domain.defaultExecutionRole;
  } else {
    const profiles = snapshot.sagemaker.userProfiles.filter((p) => p.domainId === domain.id);
    const profile = sel.userProfileName ? profiles.find((p) => p.name === sel.userProfileName) : profiles[0];
    if (sel.userProfileName && !profile) return { ok: false, message: `user profile ${sel.userProfileName} is not in domain ${domain.id} of the snapshot` };
    if (profile) {
      userProfileName = profile.name;
      profileTags = { ...profile.tags };
      for (const sg of profile.securityGroupIds) securityGroups.add(sg);
      studioRole ??= profile.executionRole;
      if (!sel.userProfileName && profiles.length > 1) notes.push(`several user profiles: checking ${profile.name}; choose one with --user-profile or use --all-profiles`);
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
  const endpoint = vpcOnly ? s3GatewayEndpoint(snapshot, domain) : undefined;
  if (vpcOnly && !endpoint) notes.push('VpcOnly domain without an S3 gateway endpoint in the snapshot: S3 calls from the VPC cannot reach S3 (add one, or save ec2-describe-vpc-endpoints)');
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
    s3VpcEndpointId: endpoint?.id,
    vpcId: domain.vpcId,
    inputBucket: sel.inputBucket ?? defaultBucket,
    outputBucket: sel.outputBucket ?? sel.inputBucket ?? defaultBucket,
    outputKmsKeyArn: sel.outputKmsKeyArn,
    volumeKmsKeyArn: sel.volumeKmsKeyArn,
    configuredSecurityGroupIds: [...securityGroups],
    ...(sel.customImage ? { customImage: sel.customImage } : {}),
    ...(sel.lifecycleConfigName ? { lifecycleConfigName: sel.lifecycleConfigName } : {}),
    profileTags,
    imageAccountId: DISTRIBUTION_IMAGE_ACCOUNTS[snapshot.region] ?? snapshot.accountId,
    imageRepository: 'sagemaker-distribution-prod',
    jobName: 'nightly-report-notebook-1a2b3c4d-2026-11-01-09-00-00',
    definitionId: 'nightly-report-notebook-5e6f7a8b',
  };
  return { ok: true, setup, notes };
}
