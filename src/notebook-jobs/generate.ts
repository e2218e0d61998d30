/**
 * `generate`: the least-privilege policies a notebook-job setup needs, derived from the
 * flow (docs/notebook-job-flow.md §4) rather than written by hand, then proven
 * with our own engine: the generated set passes `check` for every step of every chosen
 * variant (see `proveGenerated`).
 *
 * Every flow step becomes one requirement on the layer that must grant it:
 * - a call by the Studio role or the job role → an inline identity policy of that role;
 * - a service assuming the job role → a statement for the job role's trust policy;
 * - a KMS call made through S3 or SageMaker → a statement for the key policy naming the
 *   caller's role (a key policy that names the role needs no IAM policy beside it, "Key
 *   policies in AWS KMS"), so nothing is granted twice;
 * - a request through the S3 endpoint → additionally a statement for the endpoint policy.
 * Requirements are generalized (job names change on every run: `fixResource`), given the
 * conditions the step's request is known to satisfy, and merged into statements.
 *
 * Conditions, and why each is safe (each is met by the request the flow models):
 * - `iam:PassRole` keeps `iam:PassedToService` (IAM "Granting a user permissions to pass a
 *   role"); the resource is the job role itself, never `role/*`.
 * - creates are keyed on `aws:RequestTag/sagemaker:is-scheduling-notebook-job = true`, the tag
 *   the extension always sets (spec §2); calls on existing rules/pipelines (including
 *   `events:PutRule` when a schedule is edited, #45) on the same tag as `aws:ResourceTag`. A
 *   created resource has no resource tags yet (spec §6.1), which is why the creates do not
 *   use the reference page's `aws:ResourceTag` form.
 * - tagging an existing resource (archiving a job, #44: a plain AddTags without
 *   `sagemaker:TaggingAction`) is keyed on the notebook-job resource tag, the request tags and
 *   values the step sends, and `ForAllValues:StringEquals aws:TagKeys` = those keys only.
 * - actions that only take `*` are limited to the region with `aws:RequestedRegion`,
 *   except IAM (global).
 * - key-policy statements require `kms:ViaService` (the service that calls KMS for the
 *   role) and `kms:CallerAccount`; the volume grant also `kms:GrantIsForAWSResource`.
 * - endpoint statements are limited to the two roles with `aws:PrincipalArn`.
 * - trust statements get `aws:SourceAccount` / `aws:SourceArn` guards only for keys the flow
 *   says the service sends: EventBridge sends both for rule targets (EventBridge "Cross-service
 *   confused deputy prevention": "For EventBridge event bus rule targets, the value of
 *   aws:SourceArn must be the rule ARN"). For SageMaker training jobs and pipelines no AWS
 *   page says the keys are present when SageMaker assumes the execution role, and a
 *   condition on an absent key fails, so the SageMaker statement has no guard (the flow
 *   marks those keys unknown, and the proof would report such a guard as conditional).
 */
import type { AccountSnapshot, PolicyJson, Role } from '../account/snapshot.js';
import { checkSetup } from './check.js';
import type { CheckResult, Evaluate, StepOutcome } from './check.js';
import { engineEvaluator } from './evaluate.js';
import { FIX_POLICY_NAME, fixResource } from './fixes.js';
import { buildFlow, DEFAULT_FLOW_OPTIONS } from './flow.js';
import type { FlowOptions, FlowSetup, FlowStep, Variant } from './flow.js';
import { callerRole } from './scenarios.js';
import { quoteValue } from '../text/sanitize.js';

export type GenerateFormat = 'json' | 'cloudformation' | 'terraform' | 'cli';
export const GENERATE_FORMATS: readonly GenerateFormat[] = ['json', 'cloudformation', 'terraform', 'cli'];
export const VARIANTS: readonly Variant[] = ['run-now', 'schedule', 'local'];
/** Studio's form offers both "Run now" and "Run on a schedule", so both are the default. */
export const DEFAULT_VARIANTS: readonly Variant[] = ['run-now', 'schedule'];

export interface GenerateOptions {
  readonly accountId: string;
  readonly region: string;
  readonly studioRoleArn: string;
  /** May equal the Studio role (the extension's default); then one inline policy holds both. */
  readonly jobRoleArn: string;
  /** One variant or several (their flows are united). Default: run-now and schedule. */
  readonly variant?: Variant | readonly Variant[];
  readonly outputKmsKeyArn?: string;
  readonly volumeKmsKeyArn?: string;
  /** The domain is VpcOnly: Studio's and the job's S3 traffic goes through `vpcEndpointId`. */
  readonly vpcOnly?: boolean;
  /** The S3 gateway endpoint of the domain's VPC (required with `vpcOnly`). */
  readonly vpcEndpointId?: string;
  /** Default: `sagemaker-automated-execution-<account>-<region>`, as the extension. */
  readonly inputBucket?: string;
  /** Default: the input bucket. */
  readonly outputBucket?: string;
  /** Limits the user-profile and space ARNs to one domain. Default: any domain of the account. */
  readonly domainId?: string;
  /** Open questions of the flow (spec §6); the defaults are the safe reading. */
  readonly flowOptions?: Partial<FlowOptions>;
}

/**
 * - `inline-policy`: a whole policy of ours, put on the role as an inline policy (replacing
 *   only a previous version of the same name).
 * - `*-statements`: statements to ADD to a policy that belongs to someone else (the role's
 *   trust policy, the key policy, the endpoint policy). Never replace those policies.
 */
export type GeneratedPolicyKind = 'inline-policy' | 'trust-policy-statements' | 'key-policy-statements' | 'vpc-endpoint-policy-statements';

export interface GeneratedPolicy {
  readonly name: string;
  readonly kind: GeneratedPolicyKind;
  /** Role ARN (inline and trust), key ARN (key policy), or endpoint id. */
  readonly attachTo: string;
  readonly document: PolicyJson;
}

/** Which flow steps a statement is there for (the proof that it is not superfluous). */
export interface StatementOrigin {
  readonly policy: string;
  readonly sid: string;
  readonly steps: readonly string[];
}

export interface GenerateResult {
  readonly policies: readonly GeneratedPolicy[];
  readonly origins: readonly StatementOrigin[];
  readonly variants: readonly Variant[];
  /** The setups the policies were derived from and are proven on. */
  readonly setups: readonly ProofSetup[];
  readonly notes: readonly string[];
}

export interface ProofSetup {
  readonly label: string;
  readonly setup: FlowSetup;
}

export class GenerateOptionsError extends Error {
  override readonly name = 'GenerateOptionsError';
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
  }
}

type Condition = Record<string, Record<string, string | string[]>>;

type Target =
  | { readonly kind: 'inline-policy'; readonly roleArn: string }
  | { readonly kind: 'trust-policy-statements'; readonly roleArn: string }
  | { readonly kind: 'key-policy-statements'; readonly keyArn: string }
  | { readonly kind: 'vpc-endpoint-policy-statements'; readonly endpointId: string };

interface Requirement {
  readonly target: Target;
  readonly principal?: PolicyJson['Principal'];
  readonly action?: string;
  readonly resource?: string;
  readonly condition?: Condition;
  readonly step: string;
}

const ARN_ROLE = /^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/;
const ARN_KEY = /^arn:(aws|aws-cn|aws-us-gov):kms:([a-z0-9-]+):(\d{12}):key\/[A-Za-z0-9-]+$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const TAG_FLAG = 'sagemaker:is-scheduling-notebook-job';
/** Global services: aws:RequestedRegion is us-east-1 for them, so no region condition. */
const GLOBAL_SERVICES = new Set(['iam', 'sts', 'organizations']);

export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

export function roleName(roleArn: string): string {
  return roleArn.split('/').pop() ?? roleArn;
}

function variantsOf(options: GenerateOptions): Variant[] {
  const v = options.variant;
  const list = v === undefined ? [...DEFAULT_VARIANTS] : typeof v === 'string' ? [v] : [...v];
  return [...new Set(list)];
}

/** Every problem with the options, empty when they are usable. */
export function validateGenerateOptions(options: GenerateOptions): string[] {
  const problems: string[] = [];
  const { accountId, region } = options;
  if (!/^\d{12}$/.test(accountId)) problems.push(`--account must be a 12-digit account id, got ${quoteValue(accountId)}`);
  if (!REGION.test(region)) problems.push(`--region must be a region name such as us-east-1, got ${quoteValue(region)}`);
  const partition = partitionOf(region);
  for (const [flag, value] of [
    ['--studio-role', options.studioRoleArn],
    ['--job-role', options.jobRoleArn],
  ] as const) {
    const m = ARN_ROLE.exec(value);
    if (!m) problems.push(`${flag} must be an IAM role ARN (arn:aws:iam::<account>:role/<name>), got ${quoteValue(value)}`);
    else if (m[2] !== accountId) problems.push(`${flag} is in account ${m[2]}, not ${accountId}: a role can only be passed to a service in its own account`);
    else if (m[1] !== partition) problems.push(`${flag} is in partition ${m[1]}, but region ${region} is in ${partition}`);
  }
  for (const [flag, value] of [
    ['--output-kms-key', options.outputKmsKeyArn],
    ['--volume-kms-key', options.volumeKmsKeyArn],
  ] as const) {
    if (value === undefined) continue;
    const m = ARN_KEY.exec(value);
    if (!m) problems.push(`${flag} must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>; not an alias: a key policy belongs to a key), got ${quoteValue(value)}`);
    else if (m[2] !== region) problems.push(`${flag} is in region ${m[2]}: SageMaker needs a key in the job's region ${region}`);
    else if (m[3] !== accountId) problems.push(`${flag} is in account ${m[3]}: keys of another account are not supported yet (they need an identity statement too)`);
  }
  if (options.vpcOnly && !options.vpcEndpointId) problems.push('--vpc-only needs --vpc-endpoint ID (the S3 gateway endpoint of the domain VPC)');
  if (!options.vpcOnly && options.vpcEndpointId) problems.push('--vpc-endpoint applies only with --vpc-only');
  if (options.vpcEndpointId && !/^vpce-[0-9a-f]{8,17}$/.test(options.vpcEndpointId)) problems.push(`--vpc-endpoint must be an endpoint id such as vpce-0a1b2c3d4e5f60719, got ${quoteValue(options.vpcEndpointId)}`);
  for (const [flag, value] of [
    ['--input-bucket', options.inputBucket],
    ['--output-bucket', options.outputBucket],
  ] as const) {
    if (value !== undefined && (!BUCKET.test(value) || value.includes('..'))) problems.push(`${flag} must be a bucket name (not an s3:// URI or ARN), got ${quoteValue(value)}`);
  }
  if (options.domainId !== undefined && !/^d-[a-z0-9]+$/.test(options.domainId)) problems.push(`--domain must be a domain id such as d-exampledomain1, got ${quoteValue(options.domainId)}`);
  const variants = variantsOf(options);
  for (const v of variants) if (!VARIANTS.includes(v)) problems.push(`--variant must be one of ${VARIANTS.join(', ')}, got ${quoteValue(v)}`);
  if (!variants.length) problems.push('--variant: at least one variant');
  return problems;
}

/**
 * The setups the policies are derived from and proven on: a user profile with the
 * SageMaker Distribution image (an AWS-owned ECR account), and a shared space with a
 * custom image in the account and a lifecycle configuration, so both kinds of Studio
 * context, both kinds of image and the optional submit calls (#7, #11) are exercised by
 * every generated statement.
 */
export function proofSetups(options: GenerateOptions): ProofSetup[] {
  const a = options.accountId;
  const r = options.region;
  const defaultBucket = `sagemaker-automated-execution-${a}-${r}`;
  const inputBucket = options.inputBucket ?? defaultBucket;
  const base = {
    accountId: a,
    region: r,
    partition: partitionOf(r),
    studioRoleArn: options.studioRoleArn,
    jobRoleArn: options.jobRoleArn,
    domainId: options.domainId ?? 'd-proofdomain01',
    vpcOnly: options.vpcOnly ?? false,
    s3VpcEndpointId: options.vpcOnly ? options.vpcEndpointId : undefined,
    inputBucket,
    outputBucket: options.outputBucket ?? inputBucket,
    outputKmsKeyArn: options.outputKmsKeyArn,
    volumeKmsKeyArn: options.volumeKmsKeyArn,
  };
  return [
    {
      label: 'user profile, SageMaker Distribution image',
      setup: {
        ...base,
        userProfileName: 'alice',
        profileTags: { team: 'data-science' },
        imageAccountId: '542918446943',
        imageRepository: 'sagemaker-distribution-prod',
        jobName: 'nightly-report-notebook-1a2b3c4d-2026-11-01-09-00-00',
        definitionId: 'nightly-report-notebook-5e6f7a8b',
      },
    },
    {
      label: 'shared space, custom image in the account',
      setup: {
        ...base,
        spaceName: 'shared-analytics',
        profileTags: {},
        imageAccountId: a,
        imageRepository: 'team-images/custom-notebook',
        customImage: { imageName: 'custom-notebook', appImageConfigName: 'custom-notebook-kernel', version: 3 },
        lifecycleConfigName: 'install-team-packages',
        jobName: 'Weekly-Churn-Model-9f8e7d6c-2026-12-24-23-59-59',
        definitionId: 'Weekly-Churn-Model-0a0b0c0d',
      },
    },
  ];
}

/** The resource a statement grants for a step: `fixResource`, narrowed or widened where the flow allows. */
function statementResource(step: FlowStep, options: GenerateOptions): string {
  const general = fixResource(step);
  const p = partitionOf(options.region);
  const [, , service = '', region = '', account = '', rest = ''] = step.resource.split(':');
  if (service === 'sagemaker') {
    // A profile or space of the domain: Studio may run in any of them.
    const m = /^(user-profile|space)\//.exec(rest);
    if (m) return `arn:${p}:sagemaker:${region}:${account}:${m[1]}/${options.domainId ?? '*'}/*`;
    // The domain itself: the one given, else any (the proof setups' domain id is made up).
    if (rest.startsWith('domain/')) return `arn:${p}:sagemaker:${region}:${account}:domain/${options.domainId ?? '*'}`;
    // The app Studio runs in: any space or profile of the domain, any app type and name.
    if (rest.startsWith('app/')) return `arn:${p}:sagemaker:${region}:${account}:app/${options.domainId ?? '*'}/*`;
    // Images, their versions and configs, lifecycle configs: the user picks any in the form.
    const picked = /^(image|image-version|app-image-config|studio-lifecycle-config)\//.exec(rest);
    if (picked) return `arn:${p}:sagemaker:${region}:${account}:${picked[1]}/*`;
  }
  if (service === 'ecr' && rest.startsWith('repository/')) {
    // The SageMaker Distribution image lives in an AWS account that differs by region, a
    // custom image in the customer's: any repository of the region.
    return `arn:${p}:ecr:${region}:*:repository/*`;
  }
  if (service === 's3' && general.endsWith('/*') && !general.includes('sagemakerheadlessexecution-')) {
    // Objects: the extension stages under <id>/input/ and SageMaker writes under <id>/output/ (spec §2).
    const key = step.resource.split(':::')[1]?.split('/').slice(1).join('/') ?? '';
    const area = /(^|\/)input\//.test(key) ? 'input' : /(^|\/)output\//.test(key) ? 'output' : undefined;
    if (area) return `${general.slice(0, -2)}/*/${area}/*`;
  }
  return general;
}

function contextString(step: FlowStep, key: string): string | undefined {
  const v = step.context[key];
  return typeof v === 'string' ? v : undefined;
}

/**
 * Tagging an existing resource (Studio archives a job with a plain AddTags,
 * sagemaker:is-studio-archived = true, spec §4 #44): only on notebook-job resources (when the
 * request carries their tag), only the tags the step sends, with the values it sends
 * (`ForAllValues:StringEquals` on `aws:TagKeys`: "Controlling access during AWS requests",
 * IAM user guide). Undefined for steps that send no request tags.
 */
function taggingCondition(step: FlowStep): Condition | undefined {
  const requestTags = Object.keys(step.context)
    .filter((k) => k.startsWith('aws:RequestTag/'))
    .sort();
  if (!requestTags.length) return undefined;
  const equals: Record<string, string> = {};
  if (contextString(step, `aws:ResourceTag/${TAG_FLAG}`) === 'true') equals[`aws:ResourceTag/${TAG_FLAG}`] = 'true';
  for (const k of requestTags) {
    const v = contextString(step, k);
    if (v !== undefined) equals[k] = v;
  }
  const condition: Condition = { StringEquals: equals };
  const keys = step.context['aws:TagKeys'];
  if (Array.isArray(keys) && keys.length) condition['ForAllValues:StringEquals'] = { 'aws:TagKeys': sortedUnique(keys as readonly string[]) };
  return condition;
}

/** Conditions of an identity statement: each holds for the step's request (see the file comment). */
function identityCondition(step: FlowStep, resource: string): Condition | undefined {
  const service = step.action.split(':')[0] ?? '';
  const passed = contextString(step, 'iam:PassedToService');
  if (step.action === 'iam:PassRole' && passed) return { StringEquals: { 'iam:PassedToService': passed } };
  if (contextString(step, `aws:RequestTag/${TAG_FLAG}`) === 'true') return { StringEquals: { [`aws:RequestTag/${TAG_FLAG}`]: 'true' } };
  const tagging = taggingCondition(step);
  if (tagging) return tagging;
  if (contextString(step, `aws:ResourceTag/${TAG_FLAG}`) === 'true') return { StringEquals: { [`aws:ResourceTag/${TAG_FLAG}`]: 'true' } };
  const region = contextString(step, 'aws:RequestedRegion');
  if (resource === '*' && region && !GLOBAL_SERVICES.has(service)) return { StringEquals: { 'aws:RequestedRegion': region } };
  return undefined;
}

function keyCondition(step: FlowStep): Condition {
  const equals: Record<string, string> = {};
  for (const key of ['kms:ViaService', 'kms:CallerAccount']) {
    const v = contextString(step, key);
    if (v) equals[key] = v;
  }
  const condition: Condition = { StringEquals: equals };
  if (contextString(step, 'kms:GrantIsForAWSResource') === 'true') condition['Bool'] = { 'kms:GrantIsForAWSResource': 'true' };
  return condition;
}

/** Guards on keys the service is known to send (in the step's context, not unknown). */
function trustCondition(step: FlowStep): Condition | undefined {
  const known = (k: string): string | undefined => (step.unknownContextKeys.includes(k) ? undefined : contextString(step, k));
  const account = known('aws:SourceAccount');
  const source = known('aws:SourceArn');
  const condition: Condition = {};
  if (account) condition['StringEquals'] = { 'aws:SourceAccount': account };
  if (source) condition['ArnLike'] = { 'aws:SourceArn': fixResource({ ...step, resource: source }) };
  return Object.keys(condition).length ? condition : undefined;
}

function requirementsOf(step: FlowStep, setup: FlowSetup, options: GenerateOptions): Requirement[] {
  if (step.caller.startsWith('service:')) {
    const service = step.caller.slice('service:'.length);
    return [{ target: { kind: 'trust-policy-statements', roleArn: step.resource }, principal: { Service: service }, action: step.action, condition: trustCondition(step), step: step.id }];
  }
  const roleArn = callerRole(setup, step);
  if (!roleArn) return [];
  if (step.kmsKeyArn) {
    return [{ target: { kind: 'key-policy-statements', keyArn: step.kmsKeyArn }, principal: { AWS: roleArn }, action: step.action, resource: '*', condition: keyCondition(step), step: step.id }];
  }
  const resource = statementResource(step, options);
  const out: Requirement[] = [{ target: { kind: 'inline-policy', roleArn }, action: step.action, resource, condition: identityCondition(step, resource), step: step.id }];
  if (step.viaVpcEndpoint) {
    out.push({
      target: { kind: 'vpc-endpoint-policy-statements', endpointId: step.viaVpcEndpoint },
      principal: '*',
      action: step.action,
      resource,
      condition: { ArnEquals: { 'aws:PrincipalArn': roleArn } },
      step: step.id,
    });
  }
  return out;
}

function pascal(words: string): string {
  return words
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
}

function resourceHint(resource: string): string {
  if (resource === '*') return '';
  const [, , service = '', , , rest = ''] = resource.split(':');
  if (service === 's3') {
    if (resource.includes('sagemakerheadlessexecution-')) return 'DriverBucket';
    if (resource.endsWith('/input/*')) return 'Input';
    if (resource.endsWith('/output/*')) return 'Output';
    return 'JobBucket';
  }
  if (service === 'iam') return 'JobRole';
  if (service === 'logs') return resource.includes(':log-stream:') ? 'JobLogStreams' : 'JobLogGroup';
  return pascal(rest.split('/')[0] ?? '');
}

/** A statement before it gets its Sid. */
interface Draft {
  readonly target: Target;
  readonly principal: Requirement['principal'];
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  readonly condition: Condition | undefined;
  readonly steps: ReadonlySet<string>;
}

function sidFor(d: Draft): string {
  const { target, principal, actions, resources, condition } = d;
  const services = pascal([...new Set(actions.map((a) => a.split(':')[0] ?? ''))].join('-'));
  const hint = resourceHint(resources[0] ?? '');
  const base = actions.length === 1 ? `${pascal(actions[0] ?? '')}${actions[0]?.startsWith('s3:') ? hint : ''}` : `${services}${hint}`;
  switch (target.kind) {
    case 'trust-policy-statements': {
      const service = (principal as { Service?: string } | undefined)?.Service ?? 'service';
      return `Trust${pascal(service.split('.')[0] ?? service)}`;
    }
    case 'key-policy-statements': {
      const role = (principal as { AWS?: string } | undefined)?.AWS ?? '';
      const via = String(condition?.['StringEquals']?.['kms:ViaService'] ?? '').split('.')[0] ?? '';
      return `${pascal(roleName(role))}${pascal(actions.join('-').replace(/kms:/g, ''))}Via${pascal(via)}`;
    }
    case 'vpc-endpoint-policy-statements': {
      const role = String(condition?.['ArnEquals']?.['aws:PrincipalArn'] ?? '');
      return `${pascal(roleName(role))}${hint}`;
    }
    case 'inline-policy': {
      const passed = condition?.['StringEquals']?.['iam:PassedToService'];
      if (passed !== undefined) return `PassJobRoleTo${pascal((Array.isArray(passed) ? passed : [passed]).map((v) => v.split('.')[0] ?? v).join('-'))}`;
      if (condition?.['StringEquals']?.[`aws:RequestTag/${TAG_FLAG}`]) return `${base}IfTaggedAsNotebookJob`;
      const tagKeys = condition?.['ForAllValues:StringEquals']?.['aws:TagKeys'];
      if (tagKeys !== undefined) {
        const keys = [tagKeys].flat();
        return keys.length === 1 && keys[0] === 'sagemaker:is-studio-archived' ? `${base}ToArchiveNotebookJobs` : `${base}Only${pascal(keys.join('-'))}`;
      }
      if (condition?.['StringEquals']?.[`aws:ResourceTag/${TAG_FLAG}`]) return `${base}OnNotebookJobResources`;
      if (condition?.['StringEquals']?.['aws:RequestedRegion']) return `${base}InRegion`;
      return base;
    }
  }
}

interface Group {
  readonly target: Target;
  readonly principal: Requirement['principal'];
  readonly condition: Condition | undefined;
  /** action → resources, in the order first needed. */
  readonly actions: Map<string, Set<string>>;
  readonly steps: Map<string, Set<string>>;
}

function sortedUnique(values: Iterable<string>): string[] {
  return [...new Set(values)].sort();
}

/** The condition with one key's values taken out, and that key, when it has exactly one operator and key. */
function singleKey(condition: Condition | undefined): { op: string; key: string; values: string[] } | undefined {
  const ops = Object.entries(condition ?? {});
  if (ops.length !== 1) return undefined;
  const [op, keys] = ops[0]!;
  const entries = Object.entries(keys);
  if (entries.length !== 1) return undefined;
  const [key, value] = entries[0]!;
  return { op, key, values: Array.isArray(value) ? value : [value] };
}

/**
 * Drafts that differ only in the values of their one condition key become one draft with
 * both values (e.g. PassRole to SageMaker and to EventBridge): the same grant, one statement.
 */
function mergeConditionValues(drafts: readonly Draft[]): Draft[] {
  const out: Draft[] = [];
  for (const d of drafts) {
    const k = singleKey(d.condition);
    const same = k
      ? out.findIndex((o) => {
          const ok = singleKey(o.condition);
          return ok && ok.op === k.op && ok.key === k.key && JSON.stringify([o.principal, o.actions, o.resources]) === JSON.stringify([d.principal, d.actions, d.resources]);
        })
      : -1;
    if (k && same >= 0) {
      const o = out[same]!;
      const values = sortedUnique([...singleKey(o.condition)!.values, ...k.values]);
      out[same] = { ...o, condition: { [k.op]: { [k.key]: values.length === 1 ? values[0]! : values } }, steps: new Set([...o.steps, ...d.steps]) };
    } else out.push(d);
  }
  return out;
}

function draftsOf(groups: readonly Group[]): Draft[] {
  const drafts: Draft[] = [];
  for (const g of groups) {
    // Actions that need the same resources share a statement; no action gets a resource it does not need.
    const byResources = new Map<string, { actions: string[]; resources: string[]; steps: Set<string> }>();
    for (const [action, resources] of g.actions) {
      const list = sortedUnique(resources);
      const key = JSON.stringify(list);
      const entry = byResources.get(key) ?? { actions: [], resources: list, steps: new Set<string>() };
      entry.actions.push(action);
      for (const s of g.steps.get(action) ?? []) entry.steps.add(s);
      byResources.set(key, entry);
    }
    for (const { actions, resources, steps } of byResources.values()) {
      drafts.push({ target: g.target, principal: g.principal, actions: sortedUnique(actions), resources, condition: g.condition, steps });
    }
  }
  return mergeConditionValues(drafts);
}

function statementsOf(groups: readonly Group[], policyName: string, origins: StatementOrigin[]): PolicyJson[] {
  const out: PolicyJson[] = [];
  const used = new Map<string, number>();
  for (const d of draftsOf(groups)) {
    let sid = sidFor(d);
    const n = (used.get(sid) ?? 0) + 1;
    used.set(sid, n);
    if (n > 1) sid = `${sid}${n}`;
    const statement: Record<string, unknown> = { Sid: sid, Effect: 'Allow' };
    if (d.principal !== undefined) statement['Principal'] = d.principal;
    statement['Action'] = d.actions.length === 1 ? d.actions[0] : [...d.actions];
    if (d.resources.length) statement['Resource'] = d.resources.length === 1 ? d.resources[0] : [...d.resources];
    if (d.condition) statement['Condition'] = d.condition;
    out.push(statement);
    origins.push({ policy: policyName, sid, steps: [...d.steps] });
  }
  return out;
}

function targetKey(t: Target): string {
  return JSON.stringify(t);
}

function policyNameFor(target: Target): string {
  switch (target.kind) {
    case 'inline-policy':
      // The name check's fixes and setup use: inline policy names are per role, and one
      // name everywhere means applying generate's output after setup (or the reverse)
      // replaces a policy instead of duplicating it.
      return FIX_POLICY_NAME;
    case 'trust-policy-statements':
      return `${roleName(target.roleArn)}-trust-policy-additions`;
    case 'key-policy-statements':
      return `${target.keyArn.split('/').pop() ?? 'key'}-key-policy-additions`;
    case 'vpc-endpoint-policy-statements':
      return `${target.endpointId}-endpoint-policy-additions`;
  }
}

function attachTo(target: Target): string {
  switch (target.kind) {
    case 'inline-policy':
    case 'trust-policy-statements':
      return target.roleArn;
    case 'key-policy-statements':
      return target.keyArn;
    case 'vpc-endpoint-policy-statements':
      return target.endpointId;
  }
}

const KIND_ORDER: readonly GeneratedPolicyKind[] = ['inline-policy', 'trust-policy-statements', 'key-policy-statements', 'vpc-endpoint-policy-statements'];

/** The flow steps of every proof setup and variant, each with the setup it belongs to. */
export function flowSteps(options: GenerateOptions): { setup: ProofSetup; variant: Variant; steps: FlowStep[] }[] {
  const flowOptions: FlowOptions = { ...DEFAULT_FLOW_OPTIONS, ...options.flowOptions };
  const out: { setup: ProofSetup; variant: Variant; steps: FlowStep[] }[] = [];
  for (const variant of variantsOf(options)) for (const setup of proofSetups(options)) out.push({ setup, variant, steps: buildFlow(setup.setup, variant, flowOptions) });
  return out;
}

/** Derives the policies from the flow. Throws `GenerateOptionsError` on unusable options. */
export function generatePolicies(options: GenerateOptions): GenerateResult {
  const problems = validateGenerateOptions(options);
  if (problems.length) throw new GenerateOptionsError(problems);
  const groups = new Map<string, Map<string, Group>>();
  const targets = new Map<string, Target>();
  for (const { setup, steps } of flowSteps(options)) {
    for (const step of steps) {
      for (const req of requirementsOf(step, setup.setup, options)) {
        const tk = targetKey(req.target);
        targets.set(tk, req.target);
        const byCondition = groups.get(tk) ?? new Map<string, Group>();
        groups.set(tk, byCondition);
        const gk = JSON.stringify([req.principal ?? null, req.condition ?? null]);
        const g = byCondition.get(gk) ?? { target: req.target, principal: req.principal, condition: req.condition, actions: new Map(), steps: new Map() };
        byCondition.set(gk, g);
        const action = req.action ?? '';
        const resources = g.actions.get(action) ?? new Set<string>();
        if (req.resource !== undefined) resources.add(req.resource);
        g.actions.set(action, resources);
        g.steps.set(action, (g.steps.get(action) ?? new Set<string>()).add(req.step));
      }
    }
  }
  const origins: StatementOrigin[] = [];
  const policies: GeneratedPolicy[] = [];
  const ordered = [...targets.entries()].sort(([, a], [, b]) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || (a.kind === 'inline-policy' && b.kind === 'inline-policy' ? (a.roleArn === options.studioRoleArn ? -1 : 1) : 0));
  for (const [tk, target] of ordered) {
    const name = policyNameFor(target);
    const statements = statementsOf([...(groups.get(tk)?.values() ?? [])], name, origins);
    policies.push({ name, kind: target.kind, attachTo: attachTo(target), document: { Version: '2012-10-17', Statement: statements } });
  }
  const notes: string[] = [];
  if (options.studioRoleArn === options.jobRoleArn) notes.push('the Studio role is also the job role: one inline policy holds both sets of permissions');
  notes.push('trust, key and endpoint policies belong to their owners: add the generated statements to them, never replace them');
  if (policies.some((p) => p.kind === 'trust-policy-statements' && JSON.stringify(p.document).includes('aws:SourceArn'))) {
    notes.push('the EventBridge trust statement is guarded by aws:SourceAccount/aws:SourceArn: an unguarded events.amazonaws.com statement left in the trust policy makes the guard moot (the cli format replaces one with the same Sid; remove others)');
  }
  if (variantsOf(options).includes('local')) notes.push('local JupyterLab: the Studio-role policy belongs to the principal of your ~/.aws profile (for an IAM user, put it on the user)');
  notes.push('the job role needs whatever the notebook itself does (reading data, calling services): add that separately');
  return { policies, origins, variants: variantsOf(options), setups: proofSetups(options), notes };
}

function statementsOfDoc(doc: PolicyJson | undefined): PolicyJson[] {
  const s = doc?.['Statement'];
  return Array.isArray(s) ? (s as PolicyJson[]) : s ? [s as PolicyJson] : [];
}

/**
 * A snapshot in which the roles, key and endpoint have only the generated policies, and no
 * organization: what the generated set allows on its own.
 */
export function snapshotFromPolicies(options: GenerateOptions, policies: readonly GeneratedPolicy[]): AccountSnapshot {
  // A policy needs a statement: one that no request matches stands for "nothing generated".
  const nobody = { AWS: `arn:${partitionOf(options.region)}:iam::${options.accountId}:role/nbjob-iam-nobody` };
  const doc = (list: PolicyJson[], trust = false): PolicyJson => ({
    Version: '2012-10-17',
    Statement: list.length ? list : [trust ? { Sid: 'NothingGenerated', Effect: 'Allow', Principal: nobody, Action: 'sts:AssumeRole' } : { Sid: 'NothingGenerated', Effect: 'Allow', Principal: nobody, Action: '*', Resource: '*' }],
  });
  const roleArns = sortedUnique([options.studioRoleArn, options.jobRoleArn]);
  const roles: Role[] = roleArns.map((arn) => {
    const inline = policies.filter((p) => p.kind === 'inline-policy' && p.attachTo === arn);
    const trust = policies.filter((p) => p.kind === 'trust-policy-statements' && p.attachTo === arn).flatMap((p) => statementsOfDoc(p.document));
    return {
      arn,
      name: roleName(arn),
      path: arn.split(':role')[1]?.replace(/[^/]+$/, '') ?? '/',
      trustPolicy: doc(trust, true),
      inlinePolicies: inline.map((p) => ({ name: p.name, document: p.document })),
      attachedPolicies: [],
      tags: {},
      serviceLinked: false,
    };
  });
  const keyArns = sortedUnique([options.outputKmsKeyArn, options.volumeKmsKeyArn].filter((k): k is string => k !== undefined));
  const kmsKeys = keyArns.map((arn) => ({
    arn,
    keyId: arn.split('/').pop() ?? arn,
    aliases: [],
    keyManager: 'CUSTOMER' as const,
    policy: doc(policies.filter((p) => p.kind === 'key-policy-statements' && p.attachTo === arn).flatMap((p) => statementsOfDoc(p.document))),
  }));
  const vpcEndpoints = options.vpcOnly && options.vpcEndpointId
    ? [
        {
          id: options.vpcEndpointId,
          serviceName: `com.amazonaws.${options.region}.s3`,
          type: 'Gateway' as const,
          policy: doc(policies.filter((p) => p.kind === 'vpc-endpoint-policy-statements' && p.attachTo === options.vpcEndpointId).flatMap((p) => statementsOfDoc(p.document))),
        },
      ]
    : [];
  return {
    snapshotVersion: 1,
    source: 'example',
    accountId: options.accountId,
    region: options.region,
    partition: partitionOf(options.region),
    roles,
    sagemaker: { domains: [], userProfiles: [], spaces: [] },
    vpcEndpoints,
    kmsKeys,
    s3Buckets: [],
  };
}

export interface ProofRun {
  readonly setup: ProofSetup;
  readonly variant: Variant;
  readonly result: CheckResult;
}

export interface Proof {
  readonly runs: readonly ProofRun[];
  /** Steps that are not a plain pass, as `variant / setup: step-id (status)`. */
  readonly notPassing: readonly string[];
  readonly ok: boolean;
}

/** Runs `check` on a snapshot for every proof setup and variant. */
export function proveOnSnapshot(options: GenerateOptions, snapshot: AccountSnapshot, evaluate: Evaluate = engineEvaluator()): Proof {
  const runs: ProofRun[] = [];
  for (const variant of variantsOf(options)) {
    for (const setup of proofSetups(options)) {
      runs.push({ setup, variant, result: checkSetup(snapshot, setup.setup, [], { variant, evaluate, flowOptions: options.flowOptions }) });
    }
  }
  const notPassing = runs.flatMap((r) => r.result.steps.filter((s: StepOutcome) => s.status !== 'pass').map((s) => `${r.variant} / ${r.setup.label}: ${s.step.id} (${s.status})`));
  return { runs, notPassing, ok: notPassing.length === 0 };
}

/** The proof that the generated set is enough: every step of every variant passes on it alone. */
export function proveGenerated(options: GenerateOptions, policies: readonly GeneratedPolicy[], evaluate?: Evaluate): Proof {
  return proveOnSnapshot(options, snapshotFromPolicies(options, policies), evaluate);
}
