/**
 * The notebook-job flow as data: every authorization request a SageMaker Studio notebook
 * job makes, by whom, on what, with which context, and which policy layers decide it.
 * Source: docs/notebook-job-flow.md §4 (step numbers are that table's), which
 * rests on the AWS page "Set up policies and permissions for Studio"
 * (scheduled-notebook-policies-studio), the SageMaker roles page, the Pipelines IAM
 * page, and the open-source JupyterLab scheduler extension.
 *
 * Nothing here evaluates: `buildFlow` turns a setup into concrete requests; the checker
 * evaluates them against the account's policies.
 */
import { numberUniquely } from './step-numbers.js';

/** When a step happens; "run" failures show only hours later, which is what users hate most. */
export type Phase = 'form' | 'submit' | 'run-now' | 'schedule' | 'run' | 'manage';

export type Variant = 'run-now' | 'schedule' | 'local';

/**
 * Who makes the call.
 * - `studio`: the Studio execution role's session (or the IAM user, locally).
 * - `job-events`, `job-pipeline`, `job-training`, `job-container`: sessions of the job role,
 *   assumed by EventBridge, by SageMaker Pipelines, by the training job, and the same
 *   credentials inside the container.
 * - `events.amazonaws.com`, `sagemaker.amazonaws.com`: the service principals themselves.
 */
export type Caller =
  | 'studio'
  | 'job-events'
  | 'job-pipeline'
  | 'job-training'
  | 'job-container'
  | 'service:events.amazonaws.com'
  | 'service:sagemaker.amazonaws.com';

/** Policy layers a step's request passes through (besides explicit denies everywhere). */
export type StepLayer = 'identity' | 'scp' | 'rcp' | 'trust' | 'bucket' | 'key' | 'ecr' | 'vpc-endpoint';

/** How sure we are that AWS makes this check. Inferred steps are reported as "likely required". */
export type Evidence = 'documented' | 'code' | 'inferred';

/** Labels of the reference page's statements (spec §3), so a report can say which statement covers a step. */
export type ReferenceLabel = 'T' | 'P1' | 'P2' | 'P3' | 'P4' | 'P5' | 'P6' | 'P7' | 'V1' | 'K1' | 'none';

/** The account's facts that shape the requests. */
export interface FlowSetup {
  readonly accountId: string;
  readonly region: string;
  readonly partition?: string;
  readonly studioRoleArn: string;
  /** Defaults to the Studio role, as the extension does. */
  readonly jobRoleArn: string;
  readonly domainId: string;
  /** A user profile, or a shared space (then `spaceName` is set). */
  readonly userProfileName?: string;
  readonly spaceName?: string;
  /** Studio network mode: VpcOnly puts an S3 endpoint on the path of Studio's and the job's S3 calls. */
  readonly vpcOnly: boolean;
  /**
   * The training job's VpcConfig subnets (the form defaults to the domain's private subnets).
   * Empty: no VpcConfig. Absent: the domain's subnets when VpcOnly, none otherwise. The job's
   * network-interface calls and its S3 endpoint follow this, not the domain's network mode.
   */
  readonly jobSubnetIds?: readonly string[];
  /** The S3 gateway endpoint the traffic goes through (VpcOnly or a job with VpcConfig). */
  readonly s3VpcEndpointId?: string;
  readonly vpcId?: string;
  readonly inputBucket: string;
  readonly outputBucket: string;
  readonly outputKmsKeyArn?: string;
  readonly volumeKmsKeyArn?: string;
  /**
   * The default-encryption key of the input / output bucket when it is not the AWS managed
   * aws/s3 key (read with GetBucketEncryption): S3 uses it for every object written without a
   * key of its own, so writes need kms:GenerateDataKey and reads kms:Decrypt on it.
   */
  readonly inputBucketKeyArn?: string;
  readonly outputBucketKeyArn?: string;
  /** Why a bucket's default encryption is unknown (not read): its S3 writes and reads are then undecided. */
  readonly inputBucketKeyUnknown?: string;
  readonly outputBucketKeyUnknown?: string;
  /** Tags of the user profile or space; the extension copies the non-`aws:` ones onto the job. */
  readonly profileTags: Readonly<Record<string, string>>;
  /** Account and repository of the training image (SageMaker Distribution lives in an AWS account). */
  readonly imageAccountId: string;
  readonly imageRepository: string;
  /**
   * Security groups configured on the domain, profile or space. The form lists the VPC's
   * security groups (ec2:DescribeSecurityGroups) only when none are configured; undefined
   * (not known) counts as none, so the call is checked.
   */
  readonly configuredSecurityGroupIds?: readonly string[];
  /** A custom SageMaker image chosen in the form (spec §2: resolved with DescribeImageVersion + DescribeAppImageConfig). */
  readonly customImage?: { readonly imageName: string; readonly appImageConfigName: string; readonly version?: number };
  /** A Studio lifecycle configuration chosen in the form: its script is fetched and staged with the notebook (spec #11). */
  readonly lifecycleConfigName?: string;
  /** Names the extension would generate; fixed here so results are reproducible. */
  readonly jobName: string;
  readonly definitionId: string;
}

/** Open questions of spec §6 that change a decision: each is a named option. */
export interface FlowOptions {
  /**
   * §6.1: on a create call, does `aws:ResourceTag/*` carry the request's tags? No AWS
   * page settles it. `absent` (the usual IAM semantics, and the safe reading: it makes
   * the reference page's P2 fail for a new rule) or `fromRequestTags`.
   */
  readonly createTimeResourceTags: 'absent' | 'fromRequestTags';
  /** §5.5 / step #17: whether SageMaker validates the KMS keys with the caller's credentials at submit. */
  readonly kmsValidationAtSubmit: boolean;
}

export const DEFAULT_FLOW_OPTIONS: Readonly<FlowOptions> = Object.freeze({
  createTimeResourceTags: 'absent',
  kmsValidationAtSubmit: false,
} satisfies FlowOptions);

/** One request of the flow, concrete for a setup. */
export interface FlowStep {
  /** Stable id, e.g. `submit.create-training-job`: what reports, baselines and suppressions key on. */
  readonly id: string;
  /**
   * Row of the flow table (docs/notebook-job-flow.md §4), e.g. `#14`, with a letter where
   * one row makes several requests (`#36a` … `#36d`; step-numbers.ts): unique in a flow.
   */
  readonly number: string;
  readonly phase: Phase;
  readonly title: string;
  readonly caller: Caller;
  readonly action: string;
  readonly resource: string;
  /** Context keys the request carries (beyond those derived from the principal). */
  readonly context: Readonly<Record<string, string | readonly string[]>>;
  /** Keys whose value we cannot know from the account; a decision depending on them is conditional. */
  readonly unknownContextKeys: readonly string[];
  readonly layers: readonly StepLayer[];
  /** The S3 endpoint the request goes through, if any. */
  readonly viaVpcEndpoint?: string;
  /**
   * The resource belongs to AWS (the driver bucket, the SageMaker Distribution image):
   * its resource policy is AWS's and lets the caller in, so only the caller's side decides.
   */
  readonly awsOwnedResource?: boolean;
  /** For KMS calls made by a service on the caller's behalf: the key's ARN decides the key policy. */
  readonly kmsKeyArn?: string;
  readonly coveredBy: readonly ReferenceLabel[];
  readonly evidence: Evidence;
  /** A failing non-required step is a warning (the form still loads, the job still runs). */
  readonly required: boolean;
  /** Why the step exists, for the report. */
  readonly why: string;
  /** Options of FlowOptions this step's request depends on. */
  readonly dependsOn?: readonly (keyof FlowOptions)[];
  /** Facts the snapshot lacks that could deny this step (a bucket's default key not read): an Allow is undecided. */
  readonly openBecause?: readonly string[];
}

/** `s3:PutBucketVersioning` → `put-bucket-versioning`: the action part of a step id. */
function actionSlug(action: string): string {
  return action.slice(action.indexOf(':') + 1).replace(/[A-Z]/g, (c, i: number) => (i ? '-' : '') + c.toLowerCase());
}

function arn(setup: FlowSetup, service: string, resource: string, region = setup.region, account = setup.accountId): string {
  return `arn:${setup.partition ?? 'aws'}:${service}:${region}:${account}:${resource}`;
}

/** The tags the extension puts on the training job, pipeline and rule (spec §2, providers/tags.py). */
export function notebookJobTags(setup: FlowSetup, forDefinitionRun: boolean): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const [k, v] of Object.entries(setup.profileTags)) if (!k.toLowerCase().startsWith('aws:')) tags[k] = v;
  tags['sagemaker:name'] = setup.jobName;
  tags['sagemaker:notebook-name'] = 'notebook.ipynb';
  tags['sagemaker:is-scheduling-notebook-job'] = 'true';
  tags['sagemaker:is-studio-archived'] = 'false';
  tags['sagemaker:headless-execution-version'] = '1';
  if (setup.spaceName) tags['sagemaker:shared-space-name'] = setup.spaceName;
  else if (setup.userProfileName) tags['sagemaker:user-profile-name'] = setup.userProfileName;
  if (forDefinitionRun) tags['sagemaker:job-definition-id'] = setup.definitionId;
  return tags;
}

function requestTagContext(tags: Record<string, string>): Record<string, string | string[]> {
  const ctx: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(tags)) ctx[`aws:RequestTag/${k}`] = v;
  ctx['aws:TagKeys'] = Object.keys(tags);
  return ctx;
}

function resourceTagContext(tags: Record<string, string>): Record<string, string> {
  const ctx: Record<string, string> = {};
  for (const [k, v] of Object.entries(tags)) ctx[`aws:ResourceTag/${k}`] = v;
  return ctx;
}

/** The context keys of CreateTrainingJob that SCPs commonly test (SAR: sagemaker:CreateTrainingJob). */
function trainingJobContext(setup: FlowSetup): Record<string, string | string[]> {
  const ctx: Record<string, string | string[]> = {
    'sagemaker:InterContainerTrafficEncryption': 'true',
    'sagemaker:NetworkIsolation': 'false',
    'sagemaker:MaxRuntimeInSeconds': '172800',
  };
  if (setup.volumeKmsKeyArn) ctx['sagemaker:VolumeKmsKeyArn'] = setup.volumeKmsKeyArn;
  if (setup.outputKmsKeyArn) ctx['sagemaker:OutputKmsKeyArn'] = setup.outputKmsKeyArn;
  return ctx;
}

/**
 * Builds the concrete flow for a setup and variant. Steps that do not apply (a schedule
 * step for run-now, KMS steps without a key, endpoint steps without an endpoint) are
 * left out, so every returned step is a request that will be made.
 */
export function buildFlow(setup: FlowSetup, variant: Variant, options: FlowOptions = DEFAULT_FLOW_OPTIONS): FlowStep[] {
  const r = setup.region;
  const a = setup.accountId;
  const p = setup.partition ?? 'aws';
  const steps: FlowStep[] = [];
  const studioVpce = setup.vpcOnly ? setup.s3VpcEndpointId : undefined;
  // The training job runs in a VPC when its VpcConfig names subnets (the form defaults to the
  // domain's private subnets); then its S3 traffic takes the VPC's S3 endpoint and it creates
  // network interfaces ("Give SageMaker AI training jobs access to resources in your Amazon VPC").
  const jobInVpc = setup.jobSubnetIds ? setup.jobSubnetIds.length > 0 : setup.vpcOnly;
  const jobVpce = jobInVpc ? setup.s3VpcEndpointId : undefined;
  const s3Context = (vpce: string | undefined): Record<string, string> =>
    vpce ? { 'aws:SourceVpce': vpce, ...(setup.vpcId ? { 'aws:SourceVpc': setup.vpcId } : {}) } : {};
  const s3Layers = (vpce: string | undefined): StepLayer[] =>
    vpce ? ['identity', 'scp', 'rcp', 'bucket', 'vpc-endpoint'] : ['identity', 'scp', 'rcp', 'bucket'];
  const profileArn = setup.spaceName
    ? arn(setup, 'sagemaker', `space/${setup.domainId}/${setup.spaceName}`)
    : arn(setup, 'sagemaker', `user-profile/${setup.domainId}/${setup.userProfileName ?? 'default'}`);
  // A space with its owner's user profile (a private space): the extension reads both (spec #2, #12).
  const ownerProfileArn = setup.spaceName && setup.userProfileName ? arn(setup, 'sagemaker', `user-profile/${setup.domainId}/${setup.userProfileName}`) : undefined;
  const trainingJobArn = arn(setup, 'sagemaker', `training-job/${setup.jobName.toLowerCase()}`);
  const pipelineArn = arn(setup, 'sagemaker', `pipeline/${setup.definitionId.toLowerCase()}`);
  const ruleArn = arn(setup, 'events', `rule/${setup.definitionId}`);
  const jobId = variant === 'schedule' ? setup.definitionId : setup.jobName;
  const inputPrefix = `${jobId}/input`;
  const base = { unknownContextKeys: [] as string[], required: true };
  const requested = { 'aws:RequestedRegion': r };
  const local = variant === 'local';

  // iam:PassRole is an extra check on the call that takes a role ARN: on the job role, for
  // the service that will assume it ("Granting a user permissions to pass a role").
  const passRole = (id: string, number: string, phase: Phase, title: string, caller: Caller, passedTo: string, why: string, associated?: string): FlowStep => ({
    ...base,
    id,
    number,
    phase,
    title,
    caller,
    action: 'iam:PassRole',
    resource: setup.jobRoleArn,
    context: { 'aws:RequestedRegion': r, 'iam:PassedToService': passedTo, ...(associated ? { 'iam:AssociatedResourceArn': associated } : {}) },
    layers: ['identity', 'scp'],
    coveredBy: ['P1'],
    evidence: 'documented',
    why,
  });

  // Phase "form": opening the Create notebook job form.
  steps.push({
    ...base,
    id: 'form.describe-profile',
    number: '#2',
    phase: 'form',
    title: setup.spaceName ? 'Read the space settings' : 'Read the user profile settings',
    caller: 'studio',
    action: setup.spaceName ? 'sagemaker:DescribeSpace' : 'sagemaker:DescribeUserProfile',
    resource: profileArn,
    context: requested,
    layers: ['identity', 'scp'],
    coveredBy: ['P7'],
    evidence: 'code',
    why: 'The form reads the execution role, subnets and security groups of the profile or space.',
  });
  steps.push({
    ...base,
    id: 'form.describe-domain',
    number: '#2',
    phase: 'form',
    title: 'Read the domain settings',
    caller: 'studio',
    action: 'sagemaker:DescribeDomain',
    resource: arn(setup, 'sagemaker', `domain/${setup.domainId}`),
    context: requested,
    layers: ['identity', 'scp'],
    coveredBy: ['P7'],
    evidence: 'code',
    why: 'The form reads the domain default subnets, security groups and execution role.',
  });
  if (ownerProfileArn) {
    steps.push({
      ...base,
      id: 'form.describe-owner-profile',
      number: '#2',
      phase: 'form',
      title: "Read the settings of the space owner's user profile",
      caller: 'studio',
      action: 'sagemaker:DescribeUserProfile',
      resource: ownerProfileArn,
      context: requested,
      layers: ['identity', 'scp'],
      coveredBy: ['P7'],
      evidence: 'code',
      why: "A private space inherits its owner's execution role and network settings.",
    });
  }
  steps.push({
    ...base,
    id: 'form.describe-app',
    number: '#2',
    phase: 'form',
    title: 'Read the running JupyterLab app (its image is the default)',
    caller: 'studio',
    action: 'sagemaker:DescribeApp',
    // The app ARN names the space (or, in Studio Classic, the user profile), the app type and name (SAR: app).
    resource: arn(setup, 'sagemaker', `app/${setup.domainId}/${setup.spaceName ?? setup.userProfileName ?? 'default'}/${setup.spaceName ? 'jupyterlab' : 'jupyterserver'}/default`),
    context: requested,
    layers: ['identity', 'scp'],
    coveredBy: ['P7'],
    evidence: 'code',
    required: false,
    why: 'The extension describes the app it runs in to preselect its image; without it the form offers no default image.',
  });
  steps.push({
    ...base,
    id: 'form.list-domains',
    number: '#2',
    phase: 'form',
    title: 'List the Studio domains',
    caller: 'studio',
    action: 'sagemaker:ListDomains',
    resource: '*',
    context: requested,
    layers: ['identity', 'scp'],
    coveredBy: ['none'],
    evidence: 'code',
    required: false,
    why: 'The extension lists domains to find its own when the app metadata does not name it; the reference page forgets it.',
  });
  steps.push({
    ...base,
    id: 'form.describe-subnets',
    number: '#3',
    phase: 'form',
    title: 'List the VPC subnets',
    caller: 'studio',
    action: 'ec2:DescribeSubnets',
    resource: '*',
    context: requested,
    layers: ['identity', 'scp'],
    coveredBy: ['P7'],
    evidence: 'code',
    required: setup.vpcOnly,
    why: 'The form offers the private subnets of the domain VPC.',
  });
  steps.push({
    ...base,
    id: 'form.describe-route-tables',
    number: '#3',
    phase: 'form',
    title: 'Find the private subnets',
    caller: 'studio',
    action: 'ec2:DescribeRouteTables',
    resource: '*',
    context: requested,
    layers: ['identity', 'scp'],
    coveredBy: ['P7'],
    evidence: 'code',
    required: setup.vpcOnly,
    why: 'Subnets without an internet gateway route are the default.',
  });
  if (!setup.configuredSecurityGroupIds?.length) {
    steps.push({
      ...base,
      id: 'form.describe-security-groups',
      number: '#3',
      phase: 'form',
      title: 'List the VPC security groups',
      caller: 'studio',
      action: 'ec2:DescribeSecurityGroups',
      resource: '*',
      context: requested,
      layers: ['identity', 'scp'],
      coveredBy: ['P7'],
      evidence: 'code',
      required: setup.vpcOnly,
      why: 'No security group is configured on the domain, profile or space: the form offers the VPC\'s (the default group).',
    });
  }
  steps.push({
    ...base,
    id: 'form.head-bucket',
    number: '#4',
    phase: 'form',
    title: 'Check the job bucket exists',
    caller: 'studio',
    action: 's3:ListBucket',
    resource: `arn:${p}:s3:::${setup.inputBucket}`,
    context: { ...requested, ...s3Context(studioVpce) },
    layers: s3Layers(studioVpce),
    viaVpcEndpoint: studioVpce,
    coveredBy: ['P7'],
    evidence: 'code',
    why: 'HeadBucket on the job bucket before the form loads.',
  });
  for (const [action, title] of [
    ['s3:CreateBucket', 'Create the default job bucket'],
    ['s3:PutEncryptionConfiguration', 'Turn on default encryption of the job bucket'],
    ['s3:PutBucketVersioning', 'Turn on versioning of the job bucket'],
  ] as const) {
    steps.push({
      ...base,
      id: `form.${actionSlug(action)}`,
      number: '#5',
      phase: 'form',
      title,
      caller: 'studio',
      action,
      resource: `arn:${p}:s3:::${setup.inputBucket}`,
      context: { ...requested, ...s3Context(studioVpce) },
      layers: studioVpce ? ['identity', 'scp', 'rcp', 'vpc-endpoint'] : ['identity', 'scp', 'rcp'],
      viaVpcEndpoint: studioVpce,
      coveredBy: ['P3'],
      evidence: 'code',
      required: false,
      why: 'Only when the default bucket does not exist yet; failures are only logged.',
    });
  }
  steps.push({
    ...base,
    id: 'form.list-roles',
    number: '#6',
    phase: 'form',
    title: 'List the job roles for the role picker',
    caller: 'studio',
    action: 'iam:ListRoles',
    resource: '*',
    // IAM is global: the request goes to us-east-1 (spec §5.7, G42).
    context: { 'aws:RequestedRegion': 'us-east-1' },
    layers: ['identity', 'scp'],
    coveredBy: ['none'],
    evidence: 'code',
    required: false,
    why: local
      ? 'Local JupyterLab lists roles named SagemakerJupyterScheduler* to offer them as the job role.'
      : 'The role picker lists roles (the extension pages through iam:ListRoles); without it the user types the role ARN.',
  });

  // Phase "submit": common to run-now and schedule.
  for (const bucket of new Set([setup.inputBucket, setup.outputBucket])) {
    steps.push({
      ...base,
      id: `submit.bucket-location${bucket === setup.inputBucket ? '' : '-output'}`,
      number: '#8',
      phase: 'submit',
      title: `Check the region of bucket ${bucket}`,
      caller: 'studio',
      action: 's3:GetBucketLocation',
      resource: `arn:${p}:s3:::${bucket}`,
      context: { ...requested, ...s3Context(studioVpce) },
      layers: s3Layers(studioVpce),
      viaVpcEndpoint: studioVpce,
      coveredBy: ['P7'],
      evidence: 'code',
      why: 'The extension refuses buckets outside the Studio region.',
    });
  }
  steps.push({
    ...base,
    id: 'submit.bucket-encryption',
    number: '#9',
    phase: 'submit',
    title: 'Read the default encryption of the input bucket',
    caller: 'studio',
    action: 's3:GetEncryptionConfiguration',
    resource: `arn:${p}:s3:::${setup.inputBucket}`,
    context: { ...requested, ...s3Context(studioVpce) },
    layers: s3Layers(studioVpce),
    viaVpcEndpoint: studioVpce,
    coveredBy: ['P7'],
    evidence: 'code',
    required: false,
    why: 'A denial is tolerated: the upload then forces the SSE header.',
  });
  steps.push({
    ...base,
    id: 'submit.upload-input',
    number: '#10',
    phase: 'submit',
    title: 'Upload the notebook to S3',
    caller: 'studio',
    action: 's3:PutObject',
    resource: `arn:${p}:s3:::${setup.inputBucket}/${inputPrefix}/notebook.ipynb`,
    context: { ...requested, ...s3Context(studioVpce) },
    layers: s3Layers(studioVpce),
    viaVpcEndpoint: studioVpce,
    coveredBy: ['P7'],
    evidence: 'code',
    why: 'The notebook and its inputs are staged under <job>/input/.',
    ...(setup.inputBucketKeyUnknown ? { openBecause: [setup.inputBucketKeyUnknown] } : {}),
  });
  // The extension sends no SSE header when the bucket has default encryption, so S3 encrypts
  // with the bucket's default key: a customer managed key must let Studio generate a data key
  // ("Specifying server-side encryption with AWS KMS (SSE-KMS)": PutObject needs
  // kms:GenerateDataKey, GetObject kms:Decrypt on the key).
  if (setup.inputBucketKeyArn) {
    steps.push({
      ...base,
      id: 'submit.input-bucket-key-generate',
      number: '#10',
      phase: 'submit',
      title: "Encrypt the notebook with the bucket's default key",
      caller: 'studio',
      action: 'kms:GenerateDataKey',
      resource: setup.inputBucketKeyArn,
      kmsKeyArn: setup.inputBucketKeyArn,
      context: { ...requested, 'kms:ViaService': `s3.${r}.amazonaws.com`, 'kms:CallerAccount': a },
      layers: ['identity', 'scp', 'rcp', 'key'],
      coveredBy: ['K1'],
      evidence: 'documented',
      why: `Bucket ${setup.inputBucket} encrypts new objects with a customer managed key by default; S3 asks KMS for a data key with Studio's credentials.`,
    });
  }
  steps.push({
    ...base,
    id: 'submit.list-profile-tags',
    number: '#12',
    phase: 'submit',
    title: 'Read the profile tags to copy them onto the job',
    caller: 'studio',
    action: 'sagemaker:ListTags',
    resource: profileArn,
    context: requested,
    layers: ['identity', 'scp'],
    coveredBy: ['P5'],
    evidence: 'code',
    why: 'Tags of the user profile or space are copied onto the training job, pipeline and rule.',
  });
  if (ownerProfileArn) {
    steps.push({
      ...base,
      id: 'submit.list-owner-profile-tags',
      number: '#12',
      phase: 'submit',
      title: "Read the tags of the space owner's user profile",
      caller: 'studio',
      action: 'sagemaker:ListTags',
      resource: ownerProfileArn,
      context: requested,
      layers: ['identity', 'scp'],
      coveredBy: ['P5'],
      evidence: 'code',
      why: 'For a space, the tags of the space and of its owner\'s user profile are both read to be copied onto the job.',
    });
  }
  if (setup.lifecycleConfigName) {
    steps.push({
      ...base,
      id: 'submit.describe-lifecycle-config',
      number: '#11',
      phase: 'submit',
      title: 'Read the lifecycle configuration script',
      caller: 'studio',
      action: 'sagemaker:DescribeStudioLifecycleConfig',
      resource: arn(setup, 'sagemaker', `studio-lifecycle-config/${setup.lifecycleConfigName}`),
      context: requested,
      layers: ['identity', 'scp'],
      coveredBy: ['P7'],
      evidence: 'code',
      why: 'The chosen lifecycle configuration\'s script is fetched and staged with the notebook as lcc-init-script.sh; a denial fails the upload.',
    });
  }
  if (setup.customImage) {
    const img = setup.customImage;
    for (const [action, resource, title] of [
      ['sagemaker:DescribeImage', `image/${img.imageName}`, 'Read the custom image'],
      ['sagemaker:DescribeImageVersion', `image-version/${img.imageName}/${img.version ?? 1}`, 'Find the ECR URI of the custom image version'],
      ['sagemaker:DescribeAppImageConfig', `app-image-config/${img.appImageConfigName}`, 'Read the kernel settings of the custom image'],
    ] as const) {
      steps.push({
        ...base,
        id: `submit.${actionSlug(action)}`,
        number: '#7',
        phase: 'submit',
        title,
        caller: 'studio',
        action,
        resource: arn(setup, 'sagemaker', resource),
        context: requested,
        layers: ['identity', 'scp'],
        coveredBy: action === 'sagemaker:DescribeImage' ? ['none'] : ['P7'],
        evidence: 'code',
        why: 'A custom image is resolved to its ECR URI and kernel before the training job is created; a denial fails the submit.',
      });
    }
  }
  steps.push({
    ...base,
    id: 'submit.rollback-delete-input',
    number: '#13',
    phase: 'submit',
    title: 'Roll back: delete the staged notebook when the submit fails',
    caller: 'studio',
    action: 's3:DeleteObject',
    resource: `arn:${p}:s3:::${setup.inputBucket}/${inputPrefix}/notebook.ipynb`,
    context: { ...requested, ...s3Context(studioVpce) },
    layers: s3Layers(studioVpce),
    viaVpcEndpoint: studioVpce,
    coveredBy: ['P7'],
    evidence: 'code',
    // Only on a failed submit; without it the job still fails as it would, but leaves its input behind.
    required: false,
    why: 'When a later submit call fails, the extension deletes what it uploaded; denied, the staged files stay behind as debris.',
  });
  if (options.kmsValidationAtSubmit) {
    for (const [id, key, use] of [
      ['submit.describe-output-key', setup.outputKmsKeyArn, 'output'],
      ['submit.describe-volume-key', setup.volumeKmsKeyArn, 'volume'],
    ] as const) {
      if (!key || (use === 'volume' && key === setup.outputKmsKeyArn)) continue;
      steps.push({
        ...base,
        id,
        number: '#17',
        phase: 'submit',
        title: `SageMaker validates the ${use === 'output' && key === setup.volumeKmsKeyArn ? 'output and volume' : use} key`,
        caller: 'studio',
        action: 'kms:DescribeKey',
        resource: key,
        kmsKeyArn: key,
        context: { ...requested, 'kms:ViaService': `sagemaker.${r}.amazonaws.com`, 'kms:CallerAccount': a },
        layers: ['identity', 'scp', 'rcp', 'key'],
        coveredBy: ['K1'],
        evidence: 'inferred',
        dependsOn: ['kmsValidationAtSubmit'],
        why: 'With the option kmsValidationAtSubmit, SageMaker checks the key with the caller\'s credentials when the job or pipeline is created (the reference page\'s K1 grants kms:DescribeKey).',
      });
    }
  }

  const createTags = notebookJobTags(setup, false);
  const resourceTagsOnCreate = options.createTimeResourceTags === 'fromRequestTags' ? resourceTagContext(createTags) : {};
  if (variant === 'run-now' || variant === 'local') {
    steps.push({
      ...base,
      id: 'run-now.create-training-job',
      number: '#14',
      phase: 'run-now',
      title: 'Create the training job that runs the notebook',
      caller: 'studio',
      action: 'sagemaker:CreateTrainingJob',
      resource: trainingJobArn,
      context: { ...requested, ...requestTagContext(createTags), ...trainingJobContext(setup), ...resourceTagsOnCreate },
      layers: ['identity', 'scp'],
      coveredBy: ['P7'],
      evidence: 'code',
      dependsOn: ['createTimeResourceTags'],
      why: 'A notebook job is a SageMaker training job whose entrypoint runs the notebook.',
    });
    steps.push(passRole('run-now.pass-job-role', '#15', 'run-now', 'Pass the job role to SageMaker', 'studio', 'sagemaker.amazonaws.com', 'CreateTrainingJob takes RoleArn, so IAM checks iam:PassRole on the job role.', trainingJobArn));
    steps.push({
      ...base,
      id: 'run-now.tag-on-create',
      number: '#16',
      phase: 'run-now',
      title: 'Tag the training job on creation',
      caller: 'studio',
      action: 'sagemaker:AddTags',
      resource: trainingJobArn,
      context: { ...requested, 'sagemaker:TaggingAction': 'CreateTrainingJob', ...requestTagContext(createTags) },
      layers: ['identity', 'scp'],
      coveredBy: ['P6'],
      evidence: 'inferred',
      why: 'Creating a tagged resource also authorizes AddTags with sagemaker:TaggingAction.',
    });
  }

  if (variant === 'schedule') {
    steps.push({
      ...base,
      id: 'schedule.create-pipeline',
      number: '#18',
      phase: 'schedule',
      title: 'Create the pipeline of the job definition',
      caller: 'studio',
      action: 'sagemaker:CreatePipeline',
      resource: pipelineArn,
      context: { ...requested, ...requestTagContext(createTags), ...resourceTagsOnCreate },
      layers: ['identity', 'scp'],
      coveredBy: ['P7'],
      evidence: 'code',
      dependsOn: ['createTimeResourceTags'],
      why: 'A schedule is a SageMaker pipeline with one training step.',
    });
    steps.push(passRole('schedule.pass-job-role-sagemaker', '#19', 'schedule', 'Pass the job role to the pipeline', 'studio', 'sagemaker.amazonaws.com', 'CreatePipeline takes RoleArn (Pipelines IAM access management).', pipelineArn));
    steps.push({
      ...base,
      id: 'schedule.tag-pipeline-on-create',
      number: '#20',
      phase: 'schedule',
      title: 'Tag the pipeline on creation',
      caller: 'studio',
      action: 'sagemaker:AddTags',
      resource: pipelineArn,
      context: { ...requested, 'sagemaker:TaggingAction': 'CreatePipeline', ...requestTagContext(createTags) },
      layers: ['identity', 'scp'],
      coveredBy: ['P6'],
      evidence: 'inferred',
      why: 'Creating a tagged resource also authorizes AddTags with sagemaker:TaggingAction.',
    });
    steps.push({
      ...base,
      id: 'schedule.put-rule',
      number: '#21',
      phase: 'schedule',
      title: 'Create the EventBridge rule that fires the schedule',
      caller: 'studio',
      action: 'events:PutRule',
      resource: ruleArn,
      context: { ...requested, ...requestTagContext(createTags), ...resourceTagsOnCreate },
      layers: ['identity', 'scp'],
      coveredBy: ['P2'],
      evidence: 'code',
      dependsOn: ['createTimeResourceTags'],
      why: 'The schedule is a cron EventBridge rule on the default bus.',
    });
    steps.push({
      ...base,
      id: 'schedule.tag-rule',
      number: '#22',
      phase: 'schedule',
      title: 'Tag the rule on creation',
      caller: 'studio',
      action: 'events:TagResource',
      resource: ruleArn,
      context: { ...requested, ...requestTagContext(createTags), ...resourceTagsOnCreate },
      layers: ['identity', 'scp'],
      coveredBy: ['P2'],
      evidence: 'inferred',
      dependsOn: ['createTimeResourceTags'],
      why: 'Tags passed to PutRule are authorized as events:TagResource.',
    });
    steps.push({
      ...base,
      id: 'schedule.put-targets',
      number: '#23',
      phase: 'schedule',
      title: 'Point the rule at the pipeline',
      caller: 'studio',
      action: 'events:PutTargets',
      resource: ruleArn,
      context: { ...requested, ...resourceTagContext(createTags) },
      layers: ['identity', 'scp'],
      coveredBy: ['P2'],
      evidence: 'code',
      why: 'The rule has one target, the pipeline, with the job role.',
    });
    steps.push(passRole('schedule.pass-job-role-events', '#24', 'schedule', 'Pass the job role to EventBridge', 'studio', 'events.amazonaws.com', 'PutTargets takes the role EventBridge will assume to start the pipeline.'));
    // Rollback (#13): when PutRule or PutTargets fails, the extension deletes what it created.
    // Only on a failed submit, and a denial leaves debris rather than failing a job: warnings.
    for (const [action, resource, what] of [
      ['sagemaker:DeletePipeline', pipelineArn, 'pipeline'],
      ['events:DeleteRule', ruleArn, 'rule'],
    ] as const) {
      steps.push({
        ...base,
        id: `schedule.rollback-${actionSlug(action)}`,
        number: '#13',
        phase: 'schedule',
        title: `Roll back: delete the new ${what} when scheduling fails`,
        caller: 'studio',
        action,
        resource,
        context: { ...requested, ...resourceTagContext(createTags) },
        layers: ['identity', 'scp'],
        coveredBy: [action === 'events:DeleteRule' ? 'P2' : 'P7'],
        evidence: 'code',
        required: false,
        why: `When a later scheduling call fails, the extension deletes the ${what} it created; denied, an orphan ${what} stays behind.`,
      });
    }

    // Phase "run": every tick of the schedule.
    steps.push({
      ...base,
      id: 'run.events-assume-job-role',
      number: '#25',
      phase: 'run',
      title: 'EventBridge assumes the job role',
      caller: 'service:events.amazonaws.com',
      action: 'sts:AssumeRole',
      resource: setup.jobRoleArn,
      context: { 'aws:SourceArn': ruleArn, 'aws:SourceAccount': a },
      unknownContextKeys: [],
      layers: ['trust', 'rcp'],
      coveredBy: ['T'],
      evidence: 'documented',
      why: 'The job role must trust events.amazonaws.com, or the schedule never starts a run.',
    });
    steps.push({
      ...base,
      id: 'run.start-pipeline',
      number: '#26',
      phase: 'run',
      title: 'Start the pipeline',
      caller: 'job-events',
      action: 'sagemaker:StartPipelineExecution',
      resource: pipelineArn,
      context: { ...requested, ...resourceTagContext(createTags) },
      layers: ['identity', 'scp'],
      coveredBy: ['P7'],
      evidence: 'documented',
      why: 'EventBridge starts the pipeline with the job role.',
    });
    steps.push({
      ...base,
      id: 'run.pipeline-assume-job-role',
      number: '#27',
      phase: 'run',
      title: 'SageMaker Pipelines assumes the job role',
      caller: 'service:sagemaker.amazonaws.com',
      action: 'sts:AssumeRole',
      resource: setup.jobRoleArn,
      context: {},
      unknownContextKeys: ['aws:SourceArn', 'aws:SourceAccount'],
      layers: ['trust', 'rcp'],
      coveredBy: ['T'],
      evidence: 'documented',
      why: 'The pipeline runs as the job role.',
    });
    const runTags = notebookJobTags(setup, true);
    steps.push({
      ...base,
      id: 'run.create-training-job',
      number: '#28',
      phase: 'run',
      title: 'The pipeline creates the training job',
      caller: 'job-pipeline',
      action: 'sagemaker:CreateTrainingJob',
      resource: trainingJobArn,
      context: { ...requested, ...requestTagContext(runTags), ...trainingJobContext(setup) },
      layers: ['identity', 'scp'],
      coveredBy: ['P7'],
      evidence: 'documented',
      why: 'At every run the job role itself creates the training job: SCPs on CreateTrainingJob bite here, hours after scheduling.',
    });
    steps.push({
      ...base,
      id: 'run.describe-training-job',
      number: '#28',
      phase: 'run',
      title: 'The pipeline watches the training job',
      caller: 'job-pipeline',
      action: 'sagemaker:DescribeTrainingJob',
      resource: trainingJobArn,
      context: requested,
      layers: ['identity', 'scp'],
      coveredBy: ['P7'],
      evidence: 'documented',
      why: 'Pipelines needs Create and Describe for each job type.',
    });
    steps.push(passRole('run.pass-job-role', '#29', 'run', 'The job role passes itself to the training job', 'job-pipeline', 'sagemaker.amazonaws.com', 'The training step uses the pipeline role, so the job role must be allowed to pass itself.'));
    steps.push({
      ...base,
      id: 'run.tag-training-job',
      number: '#30',
      phase: 'run',
      title: 'The pipeline tags the training job on creation',
      caller: 'job-pipeline',
      action: 'sagemaker:AddTags',
      resource: trainingJobArn,
      context: { ...requested, 'sagemaker:TaggingAction': 'CreateTrainingJob', ...requestTagContext(runTags) },
      layers: ['identity', 'scp'],
      coveredBy: ['P6'],
      evidence: 'inferred',
      why: 'Creating a tagged resource also authorizes AddTags with sagemaker:TaggingAction.',
    });
  }

  // Phase "run": the training job itself (run-now and every scheduled run).
  steps.push({
    ...base,
    id: 'run.training-assume-job-role',
    number: '#31',
    phase: 'run',
    title: 'SageMaker assumes the job role for the training job',
    caller: 'service:sagemaker.amazonaws.com',
    action: 'sts:AssumeRole',
    resource: setup.jobRoleArn,
    context: {},
    unknownContextKeys: ['aws:SourceArn', 'aws:SourceAccount'],
    layers: ['trust', 'rcp'],
    coveredBy: ['T'],
    evidence: 'documented',
    why: 'The training job runs as the job role.',
  });
  if (jobInVpc) {
    for (const action of ['ec2:CreateNetworkInterface', 'ec2:CreateNetworkInterfacePermission', 'ec2:DeleteNetworkInterface', 'ec2:DeleteNetworkInterfacePermission', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeVpcs', 'ec2:DescribeDhcpOptions', 'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups']) {
      steps.push({
        ...base,
        id: `run.${actionSlug(action)}`,
        number: '#32',
        phase: 'run',
        title: `Training job networking: ${action}`,
        caller: 'job-training',
        action,
        resource: '*',
        context: requested,
        layers: ['identity', 'scp'],
        coveredBy: ['P7'],
        evidence: 'documented',
        why: 'A training job in a VPC creates its network interfaces with the job role (SageMaker roles page).',
      });
    }
  }
  steps.push({
    ...base,
    id: 'run.ecr-auth',
    number: '#33',
    phase: 'run',
    title: 'Get an ECR token to pull the image',
    caller: 'job-training',
    action: 'ecr:GetAuthorizationToken',
    resource: '*',
    context: requested,
    layers: ['identity', 'scp'],
    coveredBy: ['P7'],
    evidence: 'documented',
    why: 'The image is pulled with the job role.',
  });
  for (const action of ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage']) {
    steps.push({
      ...base,
      id: `run.ecr-${actionSlug(action)}`,
      number: '#33',
      phase: 'run',
      title: `Pull the image: ${action}`,
      caller: 'job-training',
      action,
      // The SageMaker Distribution image is in SageMaker's account for the region (setup.ts):
      // outside the customer's organization, so aws:ResourceOrgID is absent.
      resource: arn(setup, 'ecr', `repository/${setup.imageRepository}`, r, setup.imageAccountId || '*'),
      context: { ...requested, ...(setup.imageAccountId ? { 'aws:ResourceAccount': setup.imageAccountId } : {}) },
      unknownContextKeys: setup.imageAccountId ? [] : ['aws:ResourceAccount'],
      layers: ['identity', 'scp'],
      awsOwnedResource: true,
      coveredBy: ['P7'],
      evidence: 'documented',
      why: 'SageMaker pulls the image with the job role, outside the customer VPC.',
    });
  }
  steps.push({
    ...base,
    id: 'run.list-input',
    number: '#34',
    phase: 'run',
    title: 'List the job input',
    caller: 'job-training',
    action: 's3:ListBucket',
    resource: `arn:${p}:s3:::${setup.inputBucket}`,
    context: { ...requested, 's3:prefix': inputPrefix, ...s3Context(jobVpce) },
    layers: s3Layers(jobVpce),
    viaVpcEndpoint: jobVpce,
    coveredBy: ['P7'],
    evidence: 'documented',
    why: 'The input channel is an S3 prefix.',
  });
  steps.push({
    ...base,
    id: 'run.get-input',
    number: '#34',
    phase: 'run',
    title: 'Download the notebook',
    caller: 'job-training',
    action: 's3:GetObject',
    resource: `arn:${p}:s3:::${setup.inputBucket}/${inputPrefix}/notebook.ipynb`,
    context: { ...requested, ...s3Context(jobVpce) },
    layers: s3Layers(jobVpce),
    viaVpcEndpoint: jobVpce,
    coveredBy: ['P7'],
    evidence: 'documented',
    why: 'The training job downloads its input channel.',
    ...(setup.inputBucketKeyUnknown ? { openBecause: [setup.inputBucketKeyUnknown] } : {}),
  });
  if (setup.inputBucketKeyArn) {
    steps.push({
      ...base,
      id: 'run.input-bucket-key-decrypt',
      number: '#34',
      phase: 'run',
      title: "Decrypt the notebook with the bucket's default key",
      caller: 'job-training',
      action: 'kms:Decrypt',
      resource: setup.inputBucketKeyArn,
      kmsKeyArn: setup.inputBucketKeyArn,
      context: { ...requested, 'kms:ViaService': `s3.${r}.amazonaws.com`, 'kms:CallerAccount': a },
      layers: ['identity', 'scp', 'rcp', 'key'],
      coveredBy: ['K1'],
      evidence: 'documented',
      why: `The input was encrypted with the default key of bucket ${setup.inputBucket}; reading it needs kms:Decrypt through S3.`,
    });
  }
  if (setup.volumeKmsKeyArn) {
    steps.push({
      ...base,
      id: 'run.volume-key-grant',
      number: '#35',
      phase: 'run',
      title: 'Create a grant on the volume key',
      caller: 'job-training',
      action: 'kms:CreateGrant',
      resource: setup.volumeKmsKeyArn,
      kmsKeyArn: setup.volumeKmsKeyArn,
      context: { ...requested, 'kms:GrantIsForAWSResource': 'true', 'kms:ViaService': `sagemaker.${r}.amazonaws.com`, 'kms:CallerAccount': a },
      layers: ['identity', 'scp', 'rcp', 'key'],
      coveredBy: ['K1'],
      evidence: 'documented',
      why: 'The storage volume is encrypted with the volume key (SageMaker roles page: add kms:CreateGrant).',
    });
  }
  for (const action of ['logs:CreateLogGroup', 'logs:DescribeLogStreams', 'logs:CreateLogStream', 'logs:PutLogEvents']) {
    steps.push({
      ...base,
      id: `run.${actionSlug(action)}`,
      number: '#36',
      phase: 'run',
      title: `Write the job log: ${action}`,
      caller: 'job-training',
      action,
      // CloudWatch Logs authorizes log-group actions on the ARN with a trailing `:*`
      // ("Using identity-based policies for CloudWatch Logs": log-group ARNs).
      resource: arn(setup, 'logs', action === 'logs:CreateLogGroup' || action === 'logs:DescribeLogStreams' ? 'log-group:/aws/sagemaker/TrainingJobs:*' : 'log-group:/aws/sagemaker/TrainingJobs:log-stream:*'),
      context: requested,
      layers: ['identity', 'scp'],
      coveredBy: ['none'],
      evidence: 'documented',
      required: false,
      why: 'Training jobs log to CloudWatch; the reference page forgets it (without it the job runs but shows no log).',
    });
  }
  for (const action of ['s3:GetBucketLocation', 's3:ListBucket', 's3:GetObject']) {
    const driverBucket = `sagemakerheadlessexecution-prod-${r}`;
    const resource = action === 's3:GetObject' ? `arn:${p}:s3:::${driverBucket}/headless_system_dependencies/build_1` : `arn:${p}:s3:::${driverBucket}`;
    steps.push({
      ...base,
      id: `run.driver-${actionSlug(action)}`,
      number: '#37',
      phase: 'run',
      title: `Fetch the notebook runner's dependencies: ${action}`,
      caller: 'job-container',
      action,
      resource,
      // The driver bucket belongs to AWS: its bucket policy is AWS's; RCPs of our org do not
      // apply. Its account id is not published, so data-perimeter conditions on it stay open.
      context: { ...requested, ...s3Context(jobVpce) },
      unknownContextKeys: ['aws:ResourceAccount', 'aws:ResourceOrgID', 'aws:ResourceOrgPaths'],
      awsOwnedResource: true,
      layers: jobVpce ? ['identity', 'scp', 'vpc-endpoint'] : ['identity', 'scp'],
      viaVpcEndpoint: jobVpce,
      coveredBy: jobVpce ? ['P4', 'V1'] : ['P4'],
      evidence: 'documented',
      why: 'The notebook runner installs its system dependencies from an AWS-owned bucket.',
    });
  }
  const outputKey = `${jobId}/output/${setup.jobName}/output/output.tar.gz`;
  steps.push({
    ...base,
    id: 'run.put-output',
    number: '#39',
    phase: 'run',
    title: 'Upload the executed notebook',
    caller: 'job-training',
    action: 's3:PutObject',
    resource: `arn:${p}:s3:::${setup.outputBucket}/${outputKey}`,
    context: {
      ...requested,
      ...s3Context(jobVpce),
      's3:x-amz-server-side-encryption': 'aws:kms',
      ...(setup.outputKmsKeyArn ? { 's3:x-amz-server-side-encryption-aws-kms-key-id': setup.outputKmsKeyArn } : {}),
    },
    layers: s3Layers(jobVpce),
    viaVpcEndpoint: jobVpce,
    coveredBy: ['P7'],
    evidence: 'documented',
    why: 'SageMaker uploads output.tar.gz with the job role.',
  });
  if (setup.outputKmsKeyArn) {
    steps.push({
      ...base,
      id: 'run.output-key-generate',
      number: '#39',
      phase: 'run',
      title: 'Encrypt the output with the output key',
      caller: 'job-training',
      action: 'kms:GenerateDataKey',
      resource: setup.outputKmsKeyArn,
      kmsKeyArn: setup.outputKmsKeyArn,
      context: { ...requested, 'kms:ViaService': `s3.${r}.amazonaws.com`, 'kms:CallerAccount': a },
      layers: ['identity', 'scp', 'rcp', 'key'],
      coveredBy: ['K1'],
      evidence: 'documented',
      why: 'S3 asks KMS for a data key on the job role\'s behalf (OutputDataConfig.KmsKeyId).',
    });
    // CreateTrainingJob, OutputDataConfig.KmsKeyId: "the SageMaker execution role must include
    // permissions to call kms:Encrypt". Which service calls it is not documented.
    steps.push({
      ...base,
      id: 'run.output-key-encrypt',
      number: '#39',
      phase: 'run',
      title: 'Encrypt with the output key (kms:Encrypt, as OutputDataConfig documents)',
      caller: 'job-training',
      action: 'kms:Encrypt',
      resource: setup.outputKmsKeyArn,
      kmsKeyArn: setup.outputKmsKeyArn,
      context: { ...requested, 'kms:CallerAccount': a },
      unknownContextKeys: ['kms:ViaService'],
      layers: ['identity', 'scp', 'rcp', 'key'],
      coveredBy: ['K1'],
      evidence: 'documented',
      why: 'The CreateTrainingJob reference: with OutputDataConfig.KmsKeyId the execution role must be allowed kms:Encrypt, and the key policy must allow the role.',
    });
    // "Specifying server-side encryption with AWS KMS (SSE-KMS)": a multipart upload to an
    // SSE-KMS object needs kms:Decrypt as well as kms:GenerateDataKey (S3 decrypts the parts'
    // data keys to complete the upload); large outputs are uploaded in parts.
    steps.push({
      ...base,
      id: 'run.output-key-decrypt-multipart',
      number: '#39',
      phase: 'run',
      title: 'Complete a multipart upload of the output (kms:Decrypt)',
      caller: 'job-training',
      action: 'kms:Decrypt',
      resource: setup.outputKmsKeyArn,
      kmsKeyArn: setup.outputKmsKeyArn,
      context: { ...requested, 'kms:ViaService': `s3.${r}.amazonaws.com`, 'kms:CallerAccount': a },
      layers: ['identity', 'scp', 'rcp', 'key'],
      coveredBy: ['K1'],
      evidence: 'documented',
      why: 'S3 needs kms:Decrypt on the key to complete a multipart upload of an SSE-KMS object (the output is uploaded in parts when large).',
    });
  }

  // Phase "manage": viewing and managing in Studio.
  steps.push({
    ...base,
    id: 'manage.search',
    number: '#40',
    phase: 'manage',
    title: 'List notebook jobs',
    caller: 'studio',
    action: 'sagemaker:Search',
    resource: '*',
    context: requested,
    layers: ['identity', 'scp'],
    coveredBy: ['P7'],
    evidence: 'code',
    why: 'The Notebook Jobs page searches training jobs and pipelines by tag.',
  });
  steps.push({
    ...base,
    id: 'manage.describe-training-job',
    number: '#41',
    phase: 'manage',
    title: 'Show a job',
    caller: 'studio',
    action: 'sagemaker:DescribeTrainingJob',
    resource: trainingJobArn,
    context: requested,
    layers: ['identity', 'scp'],
    coveredBy: ['P7'],
    evidence: 'code',
    why: 'The job details page.',
  });
  steps.push({
    ...base,
    id: 'manage.list-job-tags',
    number: '#41',
    phase: 'manage',
    title: 'Read the tags of a job',
    caller: 'studio',
    action: 'sagemaker:ListTags',
    resource: trainingJobArn,
    context: requested,
    layers: ['identity', 'scp'],
    coveredBy: ['P5'],
    evidence: 'code',
    why: 'The job list reads each job\'s tags (notebook name, archive state).',
  });
  steps.push({
    ...base,
    id: 'manage.stop-training-job',
    number: '#44',
    phase: 'manage',
    title: 'Stop a running job',
    caller: 'studio',
    action: 'sagemaker:StopTrainingJob',
    resource: trainingJobArn,
    context: requested,
    layers: ['identity', 'scp'],
    coveredBy: ['P7'],
    evidence: 'code',
    why: 'Deleting a running job stops it first.',
  });
  steps.push({
    ...base,
    id: 'manage.archive-job',
    number: '#44',
    phase: 'manage',
    title: 'Archive a job (hide it in Studio)',
    caller: 'studio',
    action: 'sagemaker:AddTags',
    resource: trainingJobArn,
    // The job exists and carries the notebook-job tags (spec §2: the run's tags for a job of a
    // definition), so the request has them as aws:ResourceTag (SAR: training-job supports it).
    context: {
      ...requested,
      ...resourceTagContext(variant === 'schedule' ? notebookJobTags(setup, true) : createTags),
      ...requestTagContext({ 'sagemaker:is-studio-archived': 'true' }),
    },
    layers: ['identity', 'scp'],
    coveredBy: ['P6'],
    evidence: 'code',
    why: 'Deleting a job tags it sagemaker:is-studio-archived=true (a plain AddTags, no TaggingAction).',
  });
  steps.push({
    ...base,
    id: 'manage.download-output',
    number: '#43',
    phase: 'manage',
    title: 'Download the executed notebook',
    caller: 'studio',
    action: 's3:GetObject',
    resource: `arn:${p}:s3:::${setup.outputBucket}/${outputKey}`,
    context: { ...requested, ...s3Context(studioVpce) },
    layers: s3Layers(studioVpce),
    viaVpcEndpoint: studioVpce,
    coveredBy: ['P7'],
    evidence: 'code',
    why: 'Studio downloads output.tar.gz to show the result.',
  });
  if (setup.outputKmsKeyArn) {
    steps.push({
      ...base,
      id: 'manage.output-key-decrypt',
      number: '#43',
      phase: 'manage',
      title: 'Decrypt the output',
      caller: 'studio',
      action: 'kms:Decrypt',
      resource: setup.outputKmsKeyArn,
      kmsKeyArn: setup.outputKmsKeyArn,
      context: { ...requested, 'kms:ViaService': `s3.${r}.amazonaws.com`, 'kms:CallerAccount': a },
      layers: ['identity', 'scp', 'rcp', 'key'],
      coveredBy: ['K1'],
      evidence: 'inferred',
      why: 'The output is encrypted with the output key, so Studio needs kms:Decrypt through S3.',
    });
  }
  if (variant === 'schedule') {
    steps.push({
      ...base,
      id: 'manage.describe-rule',
      number: '#42',
      phase: 'manage',
      title: 'Show a job definition',
      caller: 'studio',
      action: 'events:DescribeRule',
      resource: ruleArn,
      context: { ...requested, ...resourceTagContext(createTags) },
      layers: ['identity', 'scp'],
      coveredBy: ['P2'],
      evidence: 'code',
      why: 'The job definition page reads the rule.',
    });
    steps.push({
      ...base,
      id: 'manage.describe-pipeline',
      number: '#42',
      phase: 'manage',
      title: 'Show the pipeline of a job definition',
      caller: 'studio',
      action: 'sagemaker:DescribePipeline',
      resource: pipelineArn,
      context: { ...requested, ...resourceTagContext(createTags) },
      layers: ['identity', 'scp'],
      coveredBy: ['P7'],
      evidence: 'code',
      why: 'The job definition page reads the pipeline.',
    });
    steps.push({
      ...base,
      id: 'manage.list-pipeline-tags',
      number: '#42',
      phase: 'manage',
      title: 'Read the tags of a job definition',
      caller: 'studio',
      action: 'sagemaker:ListTags',
      resource: pipelineArn,
      context: requested,
      layers: ['identity', 'scp'],
      coveredBy: ['P5'],
      evidence: 'code',
      why: 'Job definitions are listed by their tags.',
    });
    steps.push({
      ...base,
      id: 'manage.edit-rule',
      number: '#45',
      phase: 'manage',
      title: 'Edit the schedule of a job definition',
      caller: 'studio',
      action: 'events:PutRule',
      resource: ruleArn,
      context: { ...requested, ...resourceTagContext(createTags) },
      layers: ['identity', 'scp'],
      coveredBy: ['P2'],
      evidence: 'code',
      why: 'Editing the schedule calls PutRule on the existing, tagged rule.',
    });
    for (const action of ['events:DisableRule', 'events:EnableRule', 'events:RemoveTargets', 'events:DeleteRule']) {
      steps.push({
        ...base,
        id: `manage.${actionSlug(action)}`,
        number: action === 'events:DisableRule' || action === 'events:EnableRule' ? '#45' : '#46',
        phase: 'manage',
        title: `Manage the schedule: ${action}`,
        caller: 'studio',
        action,
        resource: ruleArn,
        context: { ...requested, ...resourceTagContext(createTags) },
        layers: ['identity', 'scp'],
        coveredBy: ['P2'],
        evidence: 'code',
        why: 'Pausing, resuming and deleting a job definition.',
      });
    }
    steps.push({
      ...base,
      id: 'manage.delete-pipeline',
      number: '#46',
      phase: 'manage',
      title: 'Delete the pipeline of a job definition',
      caller: 'studio',
      action: 'sagemaker:DeletePipeline',
      resource: pipelineArn,
      context: { ...requested, ...resourceTagContext(createTags) },
      layers: ['identity', 'scp'],
      coveredBy: ['P7'],
      evidence: 'code',
      why: 'Deleting a job definition deletes its pipeline.',
    });
    steps.push({
      ...base,
      id: 'manage.list-pipeline-executions',
      number: '#46',
      phase: 'manage',
      title: 'Find the running executions of a job definition',
      caller: 'studio',
      action: 'sagemaker:ListPipelineExecutions',
      resource: pipelineArn,
      context: { ...requested, ...resourceTagContext(createTags) },
      layers: ['identity', 'scp'],
      coveredBy: ['none'],
      evidence: 'code',
      why: 'DeletePipeline fails while an execution is pending, so the extension lists the executions first; the reference page forgets it.',
    });
    steps.push({
      ...base,
      id: 'manage.stop-pipeline-execution',
      number: '#46',
      phase: 'manage',
      title: 'Stop a running execution of a job definition',
      caller: 'studio',
      action: 'sagemaker:StopPipelineExecution',
      // SAR: pipeline-execution, arn:…:pipeline/<name>/execution/<id>. Executions do not carry the
      // pipeline's tags, so no aws:ResourceTag is known for them.
      resource: `${pipelineArn}/execution/a1b2c3d4e5f6`,
      context: requested,
      unknownContextKeys: ['aws:ResourceTag/sagemaker:is-scheduling-notebook-job'],
      layers: ['identity', 'scp'],
      coveredBy: ['none'],
      evidence: 'code',
      // Only when a run is in progress at deletion; the reference page forgets it.
      required: false,
      why: 'Deleting a job definition while a run is in progress stops that execution first.',
    });
    steps.push({
      ...base,
      id: 'manage.update-pipeline',
      number: '#45',
      phase: 'manage',
      title: 'Edit a job definition (its pipeline)',
      caller: 'studio',
      action: 'sagemaker:UpdatePipeline',
      resource: pipelineArn,
      context: { ...requested, ...resourceTagContext(createTags) },
      layers: ['identity', 'scp'],
      coveredBy: ['none'],
      evidence: 'code',
      why: 'Editing a job definition rewrites its pipeline definition (and role); the reference page forgets UpdatePipeline.',
    });
    steps.push(passRole('manage.pass-job-role-update', '#45', 'manage', 'Pass the job role again when editing a job definition', 'studio', 'sagemaker.amazonaws.com', 'UpdatePipeline takes RoleArn, so IAM checks iam:PassRole again.', pipelineArn));
    steps.push({
      ...base,
      id: 'manage.delete-pipeline-tags',
      number: '#45',
      phase: 'manage',
      title: 'Remove tags of a job definition (its pipeline)',
      caller: 'studio',
      action: 'sagemaker:DeleteTags',
      resource: pipelineArn,
      context: { ...requested, ...resourceTagContext(createTags) },
      // Which keys are removed depends on the edit.
      unknownContextKeys: ['aws:TagKeys'],
      layers: ['identity', 'scp'],
      coveredBy: ['none'],
      evidence: 'code',
      required: false,
      why: 'Editing a job definition rewrites its tags (sagemaker:DeleteTags, then AddTags); denied, the old tags stay.',
    });
    steps.push({
      ...base,
      id: 'manage.list-rule-tags',
      number: '#42',
      phase: 'manage',
      title: 'Read the tags of the rule of a job definition',
      caller: 'studio',
      action: 'events:ListTagsForResource',
      resource: ruleArn,
      context: { ...requested, ...resourceTagContext(createTags) },
      layers: ['identity', 'scp'],
      coveredBy: ['none'],
      evidence: 'code',
      required: false,
      why: 'The rule\'s tags are read to keep them in step with the pipeline\'s when a job definition is edited.',
    });
    steps.push({
      ...base,
      id: 'manage.untag-rule',
      number: '#45',
      phase: 'manage',
      title: 'Remove tags of the rule of a job definition',
      caller: 'studio',
      action: 'events:UntagResource',
      resource: ruleArn,
      context: { ...requested, ...resourceTagContext(createTags) },
      unknownContextKeys: ['aws:TagKeys'],
      layers: ['identity', 'scp'],
      coveredBy: ['none'],
      evidence: 'code',
      required: false,
      why: 'Editing a job definition rewrites the rule\'s tags (events:UntagResource, then TagResource); denied, the old tags stay.',
    });
  }
  return numberUniquely(steps);
}
