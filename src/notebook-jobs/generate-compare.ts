/**
 * Generated policies against the reference page ("Set up policies and permissions for
 * Studio", Amazon SageMaker AI Developer Guide); the repository's copy is
 * reference/policies/), decided by our engine on a sample of requests: the flow's own
 * requests, each varied (another bucket, region, account, role, caller, a missing tag, ...),
 * and every action the reference grants on a representative resource.
 *
 * The reference is set up as the page says: its permissions policy (P1–P7) and the KMS
 * policy (K1) on both roles, its trust policy (T) on the job role, the key's default policy
 * (which lets IAM policies of the account decide, "Default key policy"), and the S3 endpoint
 * with V1 added to the default full-access policy (the page says to add V1 to the endpoint
 * policy; an endpoint that let only V1 through would stop the job buckets).
 */
import type { AccountSnapshot, PolicyJson, Role } from '../account/snapshot.js';
import type { EngineVerdict, Evaluate } from './check.js';
import { engineEvaluator } from './evaluate.js';
import type { FlowStep, Caller } from './flow.js';
import { flowSteps, partitionOf, roleName, snapshotFromPolicies } from './generate.js';
import type { GeneratedPolicy, GenerateOptions, ProofSetup } from './generate.js';
import { DEFAULT_ENDPOINT_POLICY, stepScenario } from './scenarios.js';

/** The reference page's policies, as in reference/policies/. */
export interface ReferencePolicies {
  readonly trust: PolicyJson;
  /** P1–P7, in the page's order. */
  readonly permissions: PolicyJson;
  /** V1 (as one whole policy). */
  readonly endpoint: PolicyJson;
  /** K1; its Resource is replaced by the setup's keys. */
  readonly kms: PolicyJson;
}

const PERMISSION_LABELS = ['P1', 'P2', 'P3', 'P4', 'P5', 'P6', 'P7'];

function statements(doc: PolicyJson | undefined): PolicyJson[] {
  const s = doc?.['Statement'];
  return Array.isArray(s) ? (s as PolicyJson[]) : s ? [s as PolicyJson] : [];
}

/** The account as the reference page would have it. */
export function referenceSnapshot(options: GenerateOptions, ref: ReferencePolicies): AccountSnapshot {
  const keys = [...new Set([options.outputKmsKeyArn, options.volumeKmsKeyArn].filter((k): k is string => k !== undefined))];
  const identity = [{ name: 'reference P1-P7', document: ref.permissions }];
  if (keys.length) identity.push({ name: 'reference K1', document: { ...ref.kms, Statement: statements(ref.kms).map((s) => ({ ...s, Resource: keys.length === 1 ? keys[0] : keys })) } });
  const p = partitionOf(options.region);
  const roleArns = [...new Set([options.studioRoleArn, options.jobRoleArn])];
  const roles: Role[] = roleArns.map((arn) => ({
    arn,
    name: roleName(arn),
    path: '/',
    trustPolicy: arn === options.jobRoleArn ? ref.trust : { Version: '2012-10-17', Statement: [] },
    inlinePolicies: identity,
    attachedPolicies: [],
    tags: {},
    serviceLinked: false,
  }));
  return {
    snapshotVersion: 1,
    source: 'example',
    accountId: options.accountId,
    region: options.region,
    partition: p,
    roles,
    sagemaker: { domains: [], userProfiles: [], spaces: [] },
    vpcEndpoints:
      options.vpcOnly && options.vpcEndpointId
        ? [{ id: options.vpcEndpointId, serviceName: `com.amazonaws.${options.region}.s3`, type: 'Gateway', policy: { Version: '2012-10-17', Statement: [...statements(DEFAULT_ENDPOINT_POLICY), ...statements(ref.endpoint)] } }]
        : [],
    kmsKeys: keys.map((arn) => ({
      arn,
      keyId: arn.split('/').pop() ?? arn,
      aliases: [],
      keyManager: 'CUSTOMER' as const,
      // "Default key policy": the account root, which lets IAM policies decide.
      policy: { Version: '2012-10-17', Statement: [{ Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: `arn:${p}:iam::${options.accountId}:root` }, Action: 'kms:*', Resource: '*' }] },
    })),
    s3Buckets: [],
  };
}

/** How a sampled request differs from the flow's request. */
export type Change =
  | 'as in the flow'
  | 'another caller'
  | 'another bucket'
  | 'another object key'
  | 'another region'
  | 'another account'
  | 'another role'
  | 'passed to another service'
  | 'without the notebook-job request tag'
  | 'on a resource without the notebook-job tag'
  | 'adding another tag to an existing resource'
  | 'from another region (aws:RequestedRegion)'
  | 'KMS used by another service'
  | 'grant not for an AWS resource'
  | 'from another account (aws:SourceAccount/SourceArn)'
  | 'an action no flow step makes';

export interface SampledRequest {
  readonly change: Change;
  readonly setup: ProofSetup;
  readonly step: FlowStep;
}

export interface ComparedRequest extends SampledRequest {
  readonly ours: boolean;
  readonly reference: boolean;
  /** The reference statement that allows it (P1–P7, K1, T, V1 or the default endpoint policy). */
  readonly referenceGrant?: string;
}

export interface Comparison {
  readonly requests: readonly ComparedRequest[];
  /** Allowed by the generated policies, not by the reference. */
  readonly oursOnly: readonly ComparedRequest[];
  /** Allowed by the reference, not by the generated policies. */
  readonly referenceOnly: readonly ComparedRequest[];
}

const OTHER_ACCOUNT = '999988887777';

function otherRegion(region: string): string {
  return region === 'eu-west-1' ? 'eu-central-1' : 'eu-west-1';
}

function withContext(step: FlowStep, change: (c: Record<string, string | readonly string[]>) => void): FlowStep {
  const context = { ...step.context };
  change(context);
  return { ...step, context };
}

function roleCaller(caller: Caller): boolean {
  return !caller.startsWith('service:');
}

/** The flow's requests and their variations. */
function variations(step: FlowStep, options: GenerateOptions): [Change, FlowStep][] {
  const out: [Change, FlowStep][] = [['as in the flow', step]];
  const r = options.region;
  const a = options.accountId;
  const p = partitionOf(r);
  const ctx = step.context;
  if (roleCaller(step.caller)) out.push(['another caller', { ...step, caller: step.caller === 'studio' ? 'job-training' : 'studio' }]);
  const [, , service = ''] = step.resource.split(':');
  if (service === 's3' && !step.awsOwnedResource) {
    const [bucket = '', ...key] = (step.resource.split(':::')[1] ?? '').split('/');
    out.push(['another bucket', { ...step, resource: step.resource.replace(`:::${bucket}`, ':::some-other-bucket') }]);
    if (key.length) out.push(['another object key', { ...step, resource: `arn:${p}:s3:::${bucket}/some/other/key.txt` }]);
  } else if (service === 'iam') {
    out.push(['another role', { ...step, resource: `arn:${p}:iam::${a}:role/SomeOtherRole` }]);
  } else if (step.resource !== '*' && !step.kmsKeyArn && service !== 's3') {
    if (step.resource.includes(`:${r}:`)) out.push(['another region', { ...step, resource: step.resource.replace(`:${r}:`, `:${otherRegion(r)}:`) }]);
    if (step.resource.includes(`:${a}:`)) out.push(['another account', { ...step, resource: step.resource.replace(`:${a}:`, `:${OTHER_ACCOUNT}:`) }]);
  }
  if (typeof ctx['iam:PassedToService'] === 'string') out.push(['passed to another service', withContext(step, (c) => (c['iam:PassedToService'] = 'ec2.amazonaws.com'))]);
  const requestTag = 'aws:RequestTag/sagemaker:is-scheduling-notebook-job';
  const resourceTag = 'aws:ResourceTag/sagemaker:is-scheduling-notebook-job';
  if (requestTag in ctx) {
    out.push([
      'without the notebook-job request tag',
      withContext(step, (c) => {
        delete c[requestTag];
        delete c[resourceTag];
        const keys = c['aws:TagKeys'];
        if (Array.isArray(keys)) c['aws:TagKeys'] = keys.filter((k: string) => k !== 'sagemaker:is-scheduling-notebook-job');
      }),
    ]);
  } else if (resourceTag in ctx) out.push(['on a resource without the notebook-job tag', withContext(step, (c) => delete c[resourceTag])]);
  const tagKeys = ctx['aws:TagKeys'];
  if (!(requestTag in ctx) && Array.isArray(tagKeys)) {
    // Tagging an existing resource (archiving a job): the same call adding a tag of its own.
    out.push([
      'adding another tag to an existing resource',
      withContext(step, (c) => {
        c['aws:RequestTag/owner'] = 'someone-else';
        c['aws:TagKeys'] = [...(tagKeys as readonly string[]), 'owner'];
      }),
    ]);
  }
  if (step.resource === '*' && ctx['aws:RequestedRegion'] === r) out.push(['from another region (aws:RequestedRegion)', withContext(step, (c) => (c['aws:RequestedRegion'] = otherRegion(r)))]);
  if (typeof ctx['kms:ViaService'] === 'string') out.push(['KMS used by another service', withContext(step, (c) => (c['kms:ViaService'] = `ec2.${r}.amazonaws.com`))]);
  if (ctx['kms:GrantIsForAWSResource'] === 'true') out.push(['grant not for an AWS resource', withContext(step, (c) => (c['kms:GrantIsForAWSResource'] = 'false'))]);
  if (typeof ctx['aws:SourceAccount'] === 'string') {
    out.push([
      'from another account (aws:SourceAccount/SourceArn)',
      withContext(step, (c) => {
        c['aws:SourceAccount'] = OTHER_ACCOUNT;
        if (typeof c['aws:SourceArn'] === 'string') c['aws:SourceArn'] = c['aws:SourceArn'].replace(`:${a}:`, `:${OTHER_ACCOUNT}:`);
      }),
    ]);
  }
  return out;
}

/** A concrete action for an action pattern of the reference. */
function concreteAction(pattern: string): string {
  const known: Record<string, string> = { 'kms:ReEncrypt*': 'kms:ReEncryptFrom', 'kms:GenerateDataKey*': 'kms:GenerateDataKeyWithoutPlaintext' };
  return known[pattern] ?? pattern.replace(/\*/g, '');
}

/**
 * Requests for every reference action that no flow step makes (the flow's own actions are
 * sampled by varying the flow's requests), on a resource of the setup it applies to.
 */
function referenceActionRequests(ref: ReferencePolicies, options: GenerateOptions, setup: ProofSetup, template: FlowStep, flowActions: ReadonlySet<string>): [Change, FlowStep][] {
  const s = setup.setup;
  const p = partitionOf(s.region);
  const arn = (svc: string, res: string): string => `arn:${p}:${svc}:${s.region}:${s.accountId}:${res}`;
  const actions = new Set<string>();
  for (const doc of [ref.permissions, ref.kms]) for (const st of statements(doc)) for (const act of [st['Action']].flat()) if (typeof act === 'string') actions.add(concreteAction(act));
  const out: [Change, FlowStep][] = [];
  const tags = { 'aws:ResourceTag/sagemaker:is-scheduling-notebook-job': 'true', 'aws:RequestTag/sagemaker:is-scheduling-notebook-job': 'true' };
  for (const action of [...actions].sort()) {
    if (flowActions.has(action)) continue;
    const [service = '', verb = ''] = action.split(':');
    let resource = '*';
    let kmsKeyArn: string | undefined;
    let viaVpcEndpoint: string | undefined;
    if (service === 's3') {
      resource = /Object$/.test(verb) ? `arn:${p}:s3:::${s.inputBucket}/${s.jobName}/input/notebook.ipynb` : `arn:${p}:s3:::${s.inputBucket}`;
      viaVpcEndpoint = s.vpcOnly ? s.s3VpcEndpointId : undefined;
    } else if (service === 'sagemaker') {
      if (/Pipeline/.test(verb)) resource = arn('sagemaker', `pipeline/${s.definitionId.toLowerCase()}`);
      else if (/TrainingJob|AddTags|ListTags/.test(verb)) resource = arn('sagemaker', `training-job/${s.jobName.toLowerCase()}`);
      else if (/Domain/.test(verb)) resource = arn('sagemaker', `domain/${s.domainId}`);
      else if (/UserProfile/.test(verb)) resource = arn('sagemaker', `user-profile/${s.domainId}/alice`);
      else if (/Space/.test(verb)) resource = arn('sagemaker', `space/${s.domainId}/shared-analytics`);
      else if (/App$/.test(verb)) resource = arn('sagemaker', `app/${s.domainId}/alice/jupyterlab/default`);
      else if (/StudioLifecycleConfig/.test(verb)) resource = arn('sagemaker', 'studio-lifecycle-config/install-packages');
      else if (/ImageVersion/.test(verb)) resource = arn('sagemaker', 'image-version/custom-notebook/1');
      else if (/AppImageConfig/.test(verb)) resource = arn('sagemaker', 'app-image-config/custom-notebook');
    } else if (service === 'events') resource = arn('events', `rule/${s.definitionId}`);
    else if (service === 'ecr' && verb !== 'GetAuthorizationToken') resource = `arn:${p}:ecr:${s.region}:${s.imageAccountId}:repository/${s.imageRepository}`;
    else if (service === 'iam') resource = s.jobRoleArn;
    else if (service === 'kms') {
      kmsKeyArn = options.outputKmsKeyArn ?? options.volumeKmsKeyArn;
      if (!kmsKeyArn) continue;
      resource = kmsKeyArn;
    }
    for (const caller of ['studio', 'job-training'] as const) {
      out.push([
        'an action no flow step makes',
        {
          ...template,
          id: `reference.${action}`,
          number: '-',
          title: `${action} (reference)`,
          caller,
          action,
          resource,
          kmsKeyArn,
          viaVpcEndpoint,
          awsOwnedResource: service === 'ecr' && s.imageAccountId !== s.accountId,
          unknownContextKeys: [],
          context: {
            'aws:RequestedRegion': s.region,
            ...tags,
            ...(service === 'iam' ? { 'iam:PassedToService': 'sagemaker.amazonaws.com' } : {}),
            ...(service === 'kms' ? { 'kms:ViaService': `s3.${s.region}.amazonaws.com`, 'kms:CallerAccount': s.accountId } : {}),
          },
        },
      ]);
    }
  }
  return out;
}

function allowed(v: EngineVerdict): boolean {
  return v.decision === 'Allow';
}

function referenceGrant(v: EngineVerdict, step: FlowStep): string | undefined {
  if (!allowed(v) || !v.decidedBy) return undefined;
  const by = v.decidedBy;
  if (by.layer === 'identity') {
    const [policy = 0] = by.policyIndex ?? [];
    if (policy === 1) return 'K1';
    return PERMISSION_LABELS[by.statementIndex ?? -1] ?? 'P?';
  }
  if (by.layer === 'resource') return step.action.startsWith('sts:') ? 'T' : step.kmsKeyArn ? 'default key policy' : 'resource policy';
  return by.layer;
}

/**
 * Decides every sampled request against the generated set and against the reference.
 * The generated set is what `snapshotFromPolicies` builds: the policies alone.
 */
export function compareWithReference(options: GenerateOptions, policies: readonly GeneratedPolicy[], ref: ReferencePolicies, evaluate: Evaluate = engineEvaluator()): Comparison {
  const ours = snapshotFromPolicies(options, policies);
  const theirs = referenceSnapshot(options, ref);
  const sampled: SampledRequest[] = [];
  const seen = new Set<string>();
  const flows = flowSteps(options);
  const flowActions = new Set(flows.flatMap((f) => f.steps.map((s) => s.action)));
  for (const { setup, steps } of flows) {
    const candidates: [Change, FlowStep][] = [...steps.flatMap((s) => variations(s, options))];
    if (steps[0]) candidates.push(...referenceActionRequests(ref, options, setup, steps[0], flowActions));
    for (const [change, step] of candidates) {
      const key = JSON.stringify([step.caller, step.action, step.resource, step.context, step.viaVpcEndpoint ?? null]);
      if (seen.has(key)) continue;
      seen.add(key);
      sampled.push({ change, setup, step });
    }
  }
  const requests: ComparedRequest[] = sampled.map((req) => {
    const o = evaluate(stepScenario(ours, req.setup.setup, req.step).scenario);
    const t = evaluate(stepScenario(theirs, req.setup.setup, req.step).scenario);
    return { ...req, ours: allowed(o), reference: allowed(t), referenceGrant: referenceGrant(t, req.step) };
  });
  return { requests, oursOnly: requests.filter((r) => r.ours && !r.reference), referenceOnly: requests.filter((r) => r.reference && !r.ours) };
}

function callerName(caller: Caller): string {
  if (caller === 'studio') return 'Studio role';
  if (caller.startsWith('service:')) return caller.slice('service:'.length);
  return 'job role';
}

const WHY: Record<Change, string> = {
  'as in the flow': 'the reference fails this step of the flow',
  'another caller': 'each role gets only the calls it makes itself',
  'another bucket': 'the generated policies name the job buckets; the reference allows every bucket',
  'another object key': 'objects only under <id>/input/ (uploaded by Studio, read by the job) and <id>/output/ (written by the job, read by Studio)',
  'another region': 'ARNs name the region',
  'another account': 'ARNs name the account',
  'another role': 'iam:PassRole only on the job role; the reference passes any role of any account',
  'passed to another service': 'iam:PassedToService is kept in both',
  'without the notebook-job request tag': 'creates require aws:RequestTag/sagemaker:is-scheduling-notebook-job = true, which the extension always sends',
  'on a resource without the notebook-job tag': 'calls on existing rules and pipelines, and archiving a job, require the notebook-job tag on the resource',
  'adding another tag to an existing resource': 'archiving a job may add only sagemaker:is-studio-archived = true (ForAllValues:StringEquals on aws:TagKeys)',
  'from another region (aws:RequestedRegion)': 'actions that take no resource ARN are limited to the region with aws:RequestedRegion',
  'KMS used by another service': 'the key policy statements require kms:ViaService (S3 for the output, SageMaker for the volume grant)',
  'grant not for an AWS resource': 'the volume-key grant requires kms:GrantIsForAWSResource',
  'from another account (aws:SourceAccount/SourceArn)': 'the events.amazonaws.com trust statement requires aws:SourceAccount and a rule ARN of the account',
  'an action no flow step makes': 'no step of the notebook-job flow makes this call',
};

/** The list for docs/generate-vs-reference.md: what the reference grants that the generated set does not. */
export function renderReferenceOnlyMarkdown(c: Comparison): string {
  const groups = new Map<string, { change: Change; callers: Set<string>; actions: Set<string>; grants: Set<string>; example: string }>();
  for (const r of c.referenceOnly) {
    const k = r.change;
    const g = groups.get(k) ?? { change: r.change, callers: new Set(), actions: new Set(), grants: new Set(), example: `${callerName(r.step.caller)}: ${r.step.action} on ${r.step.resource}` };
    g.callers.add(callerName(r.step.caller));
    g.actions.add(r.step.action);
    if (r.referenceGrant) g.grants.add(r.referenceGrant);
    groups.set(k, g);
  }
  const lines = [
    `Sampled requests: ${c.requests.length}; allowed by both: ${c.requests.filter((r) => r.ours && r.reference).length}; by neither: ${c.requests.filter((r) => !r.ours && !r.reference).length}; ` +
      `by the reference only: ${c.referenceOnly.length}; by the generated policies only: ${c.oursOnly.length}.`,
    '',
    '| What the reference grants and the generated policies do not | Callers | Actions | Reference statements | Why not granted |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const g of [...groups.values()].sort((x, y) => x.change.localeCompare(y.change))) {
    const actions = [...g.actions].sort();
    lines.push(`| ${g.change} (e.g. ${g.example.replace(/\|/g, '\\|')}) | ${[...g.callers].sort().join(', ')} | ${actions.map((a) => `\`${a}\``).join(', ')} | ${[...g.grants].sort().join(', ')} | ${WHY[g.change]} |`);
  }
  lines.push('', '| Granted by the generated policies only | Caller | Request | Flow step |', '| --- | --- | --- | --- |');
  const rows = new Set<string>();
  for (const r of c.oursOnly) rows.add(`| ${r.change} | ${callerName(r.step.caller)} | \`${r.step.action}\` on ${r.step.resource.replace(/rule\/[^/]+$/, 'rule/<definition id>')} | ${r.step.id} (${r.step.number}) |`);
  lines.push(...rows);
  return `${lines.join('\n')}\n`;
}
