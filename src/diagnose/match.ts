/**
 * From an access denial to the notebook-job step that made the request, decided again on
 * the snapshot with check's own code (the flow, the step's scenario, the proven fix search),
 * and compared with what AWS said. Where the two disagree we say so and list the likely
 * causes; we never report agreement we have not established.
 */
import type { AccountSnapshot, PolicyJson, Role } from '../account/snapshot.js';
import type { Scenario } from '../engine/types.js';
import { wildcardMatch } from '../engine/wildcard.js';
import { checkSetup, decideStep } from '../notebook-jobs/check.js';
import type { CheckResult, EngineDecidedBy, Evaluate, StepOutcome } from '../notebook-jobs/check.js';
import { buildFlow, DEFAULT_FLOW_OPTIONS } from '../notebook-jobs/flow.js';
import type { FlowOptions, FlowSetup, FlowStep, Variant } from '../notebook-jobs/flow.js';
import { fixResource } from '../notebook-jobs/fixes.js';
import { rolePolicies, stepScenario } from '../notebook-jobs/scenarios.js';
import { findRole, resolveSetup } from '../notebook-jobs/setup.js';
import type { Selection } from '../notebook-jobs/setup.js';
import { operationAction } from './parse.js';
import type { Denial, NamedLayer, Unreadable } from './parse.js';

export const VARIANTS: readonly Variant[] = ['schedule', 'run-now', 'local'];

export interface DiagnoseOptions {
  /** The selection check would use (the example's manifest, or the flags). */
  readonly selection: Selection;
  /** Parts of the selection the user named: those are never changed to fit an error. */
  readonly explicit: ReadonlySet<keyof Selection>;
  readonly variant: Variant;
  readonly flowOptions?: Partial<FlowOptions>;
  readonly evaluate: Evaluate;
  /** Locates a JSON pointer of the snapshot file (its line), when the file text is at hand. */
  readonly lineOf?: (pointer: string) => number | undefined;
  /** The snapshot's name for people (`examples/account.json`). */
  readonly snapshotName: string;
  /**
   * Names an invalid policy of a step where it is in the snapshot file (the CLI's
   * SnapshotLocator, as `check` does), before the step is compared and its causes worded.
   */
  readonly locate?: (outcome: StepOutcome) => StepOutcome;
}

/** The statement that decided, as it stands in the snapshot. */
export interface DecidingStatement {
  readonly layer: string;
  readonly policy: string;
  readonly sid?: string;
  readonly statementIndex?: number;
  /** The policy's ARN, when the snapshot has one (managed policies, SCPs, RCPs). */
  readonly policyArn?: string;
  /** JSON pointer of the statement in the snapshot, and its line there. */
  readonly pointer?: string;
  readonly line?: number;
  readonly statement?: unknown;
}

export interface Match {
  readonly denial: Denial;
  /** The flow step (inFlow) or the request decided as `explain` would (outside the flow). */
  readonly outcome: StepOutcome;
  readonly inFlow: boolean;
  readonly variant: Variant;
  readonly setup: FlowSetup;
  readonly deciding?: DecidingStatement;
  /** true: the snapshot denies it the way AWS says; false: it does not; null: the snapshot cannot tell. */
  readonly agrees: boolean | null;
  /** What differs between AWS's answer and the snapshot's. */
  readonly disagreements: readonly string[];
  /** Likely causes of a disagreement (or of an undecided step). */
  readonly causes: readonly string[];
  /** Assumptions made to find the step (the job role taken from the error, ...). */
  readonly notes: readonly string[];
  /** Other steps that fit the same denial equally well (the message names no caller, ...). */
  readonly alternatives: number;
}

export interface UnmatchedDenial {
  readonly input: string;
  readonly reason: string;
  readonly text: string;
  readonly denial?: Denial;
}

export interface Diagnosis {
  readonly matches: readonly Match[];
  readonly unmatched: readonly UnmatchedDenial[];
  /** Denials read (matched or not). */
  readonly denials: number;
  /** Records read that are not access errors (CloudTrail events that succeeded, ...). */
  readonly skipped: number;
}

const LAYER_NAMES: Readonly<Record<string, string>> = {
  identity: 'an identity-based policy',
  resource: 'a resource-based policy',
  scp: 'a service control policy',
  rcp: 'a resource control policy',
  permissionsBoundary: 'a permissions boundary',
  session: 'a session policy',
  vpcEndpoint: 'a VPC endpoint policy',
};

export function layerName(layer: string): string {
  return LAYER_NAMES[layer] ?? layer;
}

type Caller = { readonly kind: 'role'; readonly role: Role } | { readonly kind: 'service'; readonly service: string } | { readonly kind: 'unknown' };

/** Who made the request, in the snapshot's terms, or why we cannot tell. */
function callerOf(d: Denial, snapshot: AccountSnapshot): Caller | { readonly kind: 'none'; readonly reason: string } {
  const p = d.principal ?? d.principalRoleArn;
  if (!p) return { kind: 'unknown' };
  if (/^[a-z0-9.-]+\.amazonaws\.com$/.test(p)) return { kind: 'service', service: p };
  const assumed = /^arn:[^:]+:sts::(\d{12}):assumed-role\/([^/]+)\//.exec(p);
  const role = /^arn:[^:]+:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(p);
  const user = /^arn:[^:]+:iam::(\d{12}):user\/(?:.*\/)?([^/]+)$/.exec(p);
  const account = (assumed ?? role ?? user)?.[1];
  if (account && account !== snapshot.accountId) {
    return { kind: 'none', reason: `the caller is in account ${account}; the snapshot is of account ${snapshot.accountId}: diagnose it with a snapshot of that account` };
  }
  if (user) return { kind: 'none', reason: `the caller is IAM user ${user[2]}; notebook jobs run as roles (Studio's execution role, the job role), so this request is not one the flow makes` };
  const name = assumed?.[2] ?? role?.[2];
  if (!name) return { kind: 'none', reason: `the caller ${p} is neither a role session nor a service principal` };
  const byArn = d.principalRoleArn ? findRole(snapshot, d.principalRoleArn) : undefined;
  const found = byArn ?? snapshot.roles.find((r) => r.name === name);
  if (!found) return { kind: 'none', reason: `role ${name} is not in the snapshot (a snapshot older than the role, or of another account)` };
  return { kind: 'role', role: found };
}

function resourceAccount(arn: string | undefined): string | undefined {
  return arn ? /^arn:[^:]+:[^:]+:[^:]*:(\d{12}):/.exec(arn)?.[1] : undefined;
}

/** A job role must be assumable by SageMaker (the training job, the pipeline) or EventBridge. */
function trustsJobServices(role: Role): boolean {
  const text = JSON.stringify(role.trustPolicy ?? {});
  return text.includes('sagemaker.amazonaws.com') || text.includes('events.amazonaws.com');
}

/** The selection that makes the flow's requests look like the one AWS denied. */
function selectionFor(d: Denial, caller: Caller, snapshot: AccountSnapshot, o: DiagnoseOptions): { selection: Selection; notes: string[]; local: boolean } {
  const notes: string[] = [];
  let local = false;
  let sel: Selection = { ...o.selection };
  const base = resolveSetup(snapshot, sel);
  if (caller.kind === 'role' && base.ok && caller.role.arn !== base.setup.studioRoleArn && caller.role.arn !== base.setup.jobRoleArn) {
    const profile = snapshot.sagemaker.userProfiles.find((p) => p.executionRole === caller.role.arn && (!sel.domainId || p.domainId === sel.domainId));
    const space = snapshot.sagemaker.spaces.find((s) => s.executionRole === caller.role.arn && (!sel.domainId || s.domainId === sel.domainId));
    const canSwitch = !o.explicit.has('userProfileName') && !o.explicit.has('spaceName') && !o.explicit.has('studioRoleArn');
    if (canSwitch && profile) {
      sel = { ...sel, domainId: profile.domainId, userProfileName: profile.name, spaceName: undefined };
      notes.push(`user profile ${profile.name}: its execution role ${caller.role.name} made the request`);
    } else if (canSwitch && space) {
      sel = { ...sel, domainId: space.domainId, spaceName: space.name, userProfileName: undefined };
      notes.push(`space ${space.name}: its execution role ${caller.role.name} made the request`);
    } else if (!o.explicit.has('jobRoleArn') && (trustsJobServices(caller.role) || !canSwitch)) {
      sel = { ...sel, jobRoleArn: caller.role.arn };
      notes.push(`job role ${caller.role.name}: taken from the error (it is not the Studio role)`);
    } else if (canSwitch) {
      // Not a Studio execution role and not a role SageMaker or EventBridge can assume: the
      // caller of local JupyterLab, where the user's own credentials do what Studio's role does.
      sel = { ...sel, studioRoleArn: caller.role.arn };
      local = true;
      notes.push(`role ${caller.role.name} is no Studio execution role and no service can assume it: taken as the caller of local JupyterLab (variant local)`);
    }
  }
  const r = d.resource;
  if (r?.startsWith('arn:') && r.includes(':kms:') && resourceAccount(r) === snapshot.accountId) {
    const key = snapshot.kmsKeys.find((k) => k.arn === r || r.endsWith(`/${k.keyId}`));
    const arn = key?.arn ?? r;
    const volume = /CreateGrant/i.test(d.action ?? d.operation ?? '');
    const slot = volume ? 'volumeKmsKeyArn' : 'outputKmsKeyArn';
    if (!o.explicit.has(slot) && sel[slot] !== arn) {
      sel = { ...sel, [slot]: arn };
      notes.push(`${volume ? 'volume' : 'output'} KMS key ${arn}: taken from the error`);
    }
  }
  const bucket = r?.startsWith('arn:') && r.includes(':s3:::') ? r.split(':::')[1]?.split('/')[0] : undefined;
  if (bucket && !bucket.startsWith('sagemakerheadlessexecution-') && base.ok && bucket !== base.setup.inputBucket && bucket !== base.setup.outputBucket) {
    if (!o.explicit.has('inputBucket') && !o.explicit.has('outputBucket')) {
      sel = { ...sel, inputBucket: bucket, outputBucket: bucket };
      notes.push(`job bucket ${bucket}: taken from the error`);
    }
  }
  return { selection: sel, notes, local };
}

/**
 * The service an operation passes a role to: iam:PassRole is checked on the call that takes
 * the role ARN ("Granting a user permissions to pass a role to an AWS service"), so the
 * operation tells the iam:PassedToService of the step.
 */
const PASSED_TO_BY_OPERATION: Readonly<Record<string, string>> = {
  PutTargets: 'events.amazonaws.com',
  PutRule: 'events.amazonaws.com',
  CreatePipeline: 'sagemaker.amazonaws.com',
  UpdatePipeline: 'sagemaker.amazonaws.com',
  CreateTrainingJob: 'sagemaker.amazonaws.com',
};

/** Among steps that fit, those whose passed-to service agrees with the operation AWS names. */
function byOperation(steps: FlowStep[], d: Denial): FlowStep[] {
  const service = d.operation ? PASSED_TO_BY_OPERATION[d.operation] : undefined;
  if (!service || steps.length < 2) return steps;
  const kept = steps.filter((s) => s.action !== 'iam:PassRole' || s.context['iam:PassedToService'] === service);
  // UpdatePipeline passes the role when a job definition is edited (a manage step); the others when submitting or scheduling.
  const byPhase = kept.filter((s) => s.action !== 'iam:PassRole' || (d.operation === 'UpdatePipeline') === (s.phase === 'manage'));
  if (byPhase.length) return byPhase;
  return kept.length ? kept : steps;
}

function actionFits(step: FlowStep, d: Denial): boolean {
  if (d.action) return step.action.toLowerCase() === d.action.toLowerCase();
  if (d.operation) {
    const op = d.operation;
    if (step.action.slice(step.action.indexOf(':') + 1) === op) return true;
    return step.action.startsWith('s3:') && operationAction('s3', op) === step.action;
  }
  return false;
}

function callerFits(step: FlowStep, setup: FlowSetup, caller: Caller): boolean {
  if (caller.kind === 'unknown') return true;
  if (caller.kind === 'service') return step.caller === `service:${caller.service}`;
  if (step.caller === 'studio') return caller.role.arn === setup.studioRoleArn;
  if (step.caller.startsWith('service:')) return false;
  return caller.role.arn === setup.jobRoleArn;
}

function resourceFits(step: FlowStep, resource: string | undefined): boolean {
  if (!resource || !resource.startsWith('arn:')) return true;
  if (step.resource === '*') return true;
  if (step.resource.toLowerCase() === resource.toLowerCase()) return true;
  return wildcardMatch(fixResource(step), resource, { ignoreCase: false });
}

/** The policy document a decision came from, and where it is in the snapshot. */
function locate(snapshot: AccountSnapshot, scenario: Scenario, step: FlowStep, by: EngineDecidedBy): { doc?: PolicyJson; pointer?: string; arn?: string } {
  const [a = 0, b = 0] = by.policyIndex ?? [];
  const roleIndex = (arn: string | undefined) => (arn ? snapshot.roles.findIndex((r) => r.arn === arn) : -1);
  const policies = scenario.policies as Record<string, unknown>;
  switch (by.layer) {
    case 'identity': {
      const ri = roleIndex(scenario.request.principalRoleArn);
      const role = snapshot.roles[ri];
      if (!role) return {};
      const n = role.inlinePolicies.length;
      const named = rolePolicies(role)[a];
      return { doc: named?.document, pointer: a < n ? `/roles/${ri}/inlinePolicies/${a}/document` : `/roles/${ri}/attachedPolicies/${a - n}/document`, arn: named?.arn };
    }
    case 'permissionsBoundary': {
      const ri = roleIndex(scenario.request.principalRoleArn);
      const pb = snapshot.roles[ri]?.permissionsBoundary;
      return pb ? { doc: pb.document, pointer: `/roles/${ri}/permissionsBoundary/document`, arn: pb.arn } : {};
    }
    case 'scp':
    case 'rcp': {
      if (!by.policyIndex || by.policyIndex.length < 2) return {};
      const level = snapshot.organization?.path[a];
      const p = by.layer === 'scp' ? level?.scps[b] : level?.rcps[b];
      return p ? { doc: p.document, pointer: `/organization/path/${a}/${by.layer}s/${b}/document`, arn: p.arn } : {};
    }
    case 'vpcEndpoint': {
      const i = snapshot.vpcEndpoints.findIndex((e) => e.id === step.viaVpcEndpoint);
      const e = snapshot.vpcEndpoints[i];
      return e?.policy ? { doc: e.policy, pointer: `/vpcEndpoints/${i}/policy` } : { doc: policies['vpcEndpoint'] as PolicyJson | undefined };
    }
    case 'resource': {
      if (step.action.toLowerCase().startsWith('sts:assumerole')) {
        const ti = roleIndex(findRole(snapshot, step.resource)?.arn);
        return ti >= 0 ? { doc: snapshot.roles[ti]?.trustPolicy, pointer: `/roles/${ti}/trustPolicy` } : {};
      }
      if (step.kmsKeyArn) {
        const ki = snapshot.kmsKeys.findIndex((k) => k.arn === step.kmsKeyArn || k.keyId === step.kmsKeyArn || k.aliases.includes(step.kmsKeyArn ?? ''));
        return ki >= 0 ? { doc: snapshot.kmsKeys[ki]?.policy, pointer: `/kmsKeys/${ki}/policy` } : {};
      }
      const bucket = step.resource.split(':::')[1]?.split('/')[0];
      const bi = snapshot.s3Buckets.findIndex((x) => x.name === bucket);
      if (bi >= 0) return { doc: snapshot.s3Buckets[bi]?.policy, pointer: `/s3Buckets/${bi}/policy` };
      const ei = (snapshot.ecrRepositories ?? []).findIndex((x) => x.arn === step.resource);
      if (ei >= 0) return { doc: snapshot.ecrRepositories?.[ei]?.policy, pointer: `/ecrRepositories/${ei}/policy` };
      return { doc: policies['resource'] as PolicyJson | undefined };
    }
    default:
      return {};
  }
}

function decidingStatement(snapshot: AccountSnapshot, outcome: StepOutcome, o: DiagnoseOptions): DecidingStatement | undefined {
  const by = outcome.decidedBy;
  if (!by) return undefined;
  // The same scenario check decided, asked again for the policy's position in its layer.
  const verdict = o.evaluate(outcome.scenario);
  const engineBy = verdict.decidedBy;
  const found = engineBy ? locate(snapshot, outcome.scenario, outcome.step, engineBy) : {};
  const statements = found.doc ? (Array.isArray(found.doc['Statement']) ? (found.doc['Statement'] as unknown[]) : [found.doc['Statement']]) : [];
  const index = by.statementIndex;
  const statement = index !== undefined ? statements[index] : undefined;
  // An implicit deny has no deciding statement: point at the policy that does not allow it.
  const pointer = found.pointer && index !== undefined ? `${found.pointer}/Statement${Array.isArray(found.doc?.['Statement']) ? `/${index}` : ''}` : found.pointer;
  const line = pointer ? o.lineOf?.(pointer) : undefined;
  return {
    layer: by.layer,
    policy: by.policy,
    ...(by.sid !== undefined ? { sid: by.sid } : {}),
    ...(index !== undefined ? { statementIndex: index } : {}),
    ...(found.arn ? { policyArn: found.arn } : {}),
    ...(pointer ? { pointer } : {}),
    ...(line !== undefined ? { line } : {}),
    ...(statement !== undefined ? { statement } : {}),
  };
}

/** The last part of a policy ARN (p-abc123, the policy name), to compare ARNs that differ only in form. */
function policyKey(arn: string): string {
  return (arn.split('/').pop() ?? arn).toLowerCase();
}

/** The policy AWS names, found in the snapshot by its ARN. */
function findNamedPolicy(snapshot: AccountSnapshot, arn: string): { name: string; document: PolicyJson } | undefined {
  const key = policyKey(arn);
  for (const level of snapshot.organization?.path ?? []) {
    for (const p of [...level.scps, ...level.rcps]) if (p.arn && policyKey(p.arn) === key) return p;
  }
  for (const r of snapshot.roles) {
    for (const p of [...r.attachedPolicies, ...(r.permissionsBoundary ? [r.permissionsBoundary] : [])]) if (p.arn && policyKey(p.arn) === key) return p;
  }
  return undefined;
}

/** Condition keys a policy's statements of one effect test. */
function conditionKeys(doc: PolicyJson, effect: 'Allow' | 'Deny'): string[] {
  const raw = doc['Statement'];
  const statements = (Array.isArray(raw) ? raw : [raw]) as Array<{ Effect?: unknown; Condition?: Record<string, Record<string, unknown>> } | undefined>;
  const keys = new Set<string>();
  for (const st of statements) {
    if (st?.Effect !== effect) continue;
    for (const block of Object.values(st.Condition ?? {})) for (const k of Object.keys(block ?? {})) keys.add(k);
  }
  return [...keys];
}

function layerRead(layer: NamedLayer, snapshot: AccountSnapshot, setup: FlowSetup, step: FlowStep, roleArn: string | undefined): string | undefined {
  const org = snapshot.organization;
  const role = roleArn ? findRole(snapshot, roleArn) : undefined;
  switch (layer) {
    case 'scp':
      if (!org) return 'the snapshot has no organization, so no SCPs: a member account cannot list them; read them from the management account (or a delegated administrator) and take the snapshot again';
      if (org.isManagementAccount) return 'the snapshot is of the management account, which SCPs do not govern; the request may have been made from a member account';
      if (!org.scpsEnabled) return 'the snapshot says SCPs are not enabled in the organization';
      return undefined;
    case 'rcp':
      if (!org) return 'the snapshot has no organization, so no RCPs: read them from the management account';
      if (!org.rcpsEnabled) return 'the snapshot says RCPs are not enabled; they may have been turned on since';
      return undefined;
    case 'session':
      return 'session policies are passed when the role is assumed (by Studio, EventBridge, SageMaker) and are never in a snapshot';
    case 'permissionsBoundary':
      return role && !role.permissionsBoundary ? `the snapshot has no permissions boundary on role ${role.name}: one was added since, or it was not read` : undefined;
    case 'vpcEndpoint':
      return step.viaVpcEndpoint
        ? undefined
        : setup.vpcOnly
          ? 'the request went through a VPC endpoint the snapshot does not have (no S3 gateway endpoint in the domain VPC was read)'
          : 'the request went through a VPC endpoint, but the domain is not VpcOnly in the snapshot (the job may run in a VPC of its own, or the domain changed)';
    case 'resource': {
      const acct = resourceAccount(step.resource);
      if (acct && acct !== snapshot.accountId) return `the resource is in account ${acct}: its policy is not in this snapshot`;
      if (step.kmsKeyArn && !snapshot.kmsKeys.some((k) => k.arn === step.kmsKeyArn)) return `the key ${step.kmsKeyArn} is not in the snapshot (another account, or not read): its key policy decides`;
      return undefined;
    }
    case 'identity':
      return undefined;
  }
}

interface Verdict {
  readonly agrees: boolean | null;
  readonly disagreements: string[];
  readonly causes: string[];
  readonly notes: string[];
}

function compare(d: Denial, outcome: StepOutcome, deciding: DecidingStatement | undefined, snapshot: AccountSnapshot, setup: FlowSetup, inFlow: boolean): Verdict {
  const step = outcome.step;
  const disagreements: string[] = [];
  const causes: string[] = [];
  const notes: string[] = [];
  const roleArn = outcome.scenario.request.principalRoleArn;
  if (outcome.decision === 'Undecided') {
    return { agrees: null, disagreements, causes: (outcome.missing ?? []).map((m) => `the snapshot lacks ${m}`), notes };
  }
  const named = d.layer ? layerName(d.layer) : undefined;
  if (outcome.decision === 'Allow') {
    disagreements.push(`AWS denied this request${named ? ` (${d.kind === 'implicit' ? 'nothing allows it in' : 'explicit deny in'} ${named})` : ''}; the snapshot allows it${outcome.allowWhen ? ` when ${outcome.allowWhen}` : ''}`);
  } else {
    const ours = outcome.decision === 'ExplicitDeny' ? 'explicit' : 'implicit';
    if (d.kind && d.kind !== ours) {
      disagreements.push(
        d.kind === 'explicit'
          ? `AWS names an explicit deny${named ? ` in ${named}` : ''}; in the snapshot no Deny statement matches (ImplicitDeny)`
          : `AWS says nothing allows it${named ? ` in ${named}` : ''}; in the snapshot a Deny statement matches (ExplicitDeny)`,
      );
    }
    const ourLayer = outcome.decidedBy?.layer;
    if (d.layer && ourLayer && d.layer !== ourLayer) {
      disagreements.push(`AWS names ${layerName(d.layer)}; the snapshot decides it in ${layerName(ourLayer)} (${outcome.decidedBy?.policy ?? ''})`);
    }
    if (d.statementIds?.length && deciding?.sid !== undefined && !d.statementIds.includes(deciding.sid)) {
      disagreements.push(`AWS's decoded message names statement ${d.statementIds.join(', ')}; the snapshot's deciding statement is ${deciding.sid}`);
    }
    if (d.policyArn && deciding?.policyArn && policyKey(d.policyArn) !== policyKey(deciding.policyArn)) {
      disagreements.push(`AWS names policy ${d.policyArn}; the snapshot's deciding policy is ${deciding.policyArn}`);
    } else if (d.policyArn && d.layer && ourLayer === d.layer && !deciding?.policyArn) {
      notes.push(`AWS names policy ${d.policyArn}; the snapshot has no ARN for ${outcome.decidedBy?.policy ?? 'its deciding policy'} to compare it with`);
    }
  }
  if (disagreements.length === 0) return { agrees: true, disagreements, causes, notes };
  // Why the snapshot and AWS may differ, most specific first.
  const namedPolicy = d.policyArn ? findNamedPolicy(snapshot, d.policyArn) : undefined;
  if (namedPolicy) {
    const keys = conditionKeys(namedPolicy.document, d.kind === 'implicit' ? 'Allow' : 'Deny');
    const values = keys.map((k) => {
      const v = Object.entries(step.context).find(([x]) => x.toLowerCase() === k.toLowerCase())?.[1];
      return `${k} = ${v === undefined ? '(absent)' : typeof v === 'string' ? v : `[${v.join(', ')}]`}`;
    });
    causes.push(
      keys.length
        ? `the policy AWS names is ${namedPolicy.name} in the snapshot; its ${d.kind === 'implicit' ? 'Allow' : 'Deny'} statements test ${keys.join(', ')}, and the flow assumed ${values.join('; ')}: the real request may have carried other values`
        : `the policy AWS names is ${namedPolicy.name} in the snapshot, and it does not deny this request there: it has changed since the snapshot`,
    );
  } else if (d.policyArn) {
    causes.push(`the policy AWS names (${d.policyArn}) is not in the snapshot: it was attached after the snapshot was taken, or it was not read`);
  }
  if (d.layer) {
    const unread = layerRead(d.layer, snapshot, setup, step, roleArn);
    if (unread) causes.push(`layer not read: ${unread}`);
  }
  const acct = resourceAccount(d.resource);
  if (acct && acct !== snapshot.accountId && d.layer !== 'resource') causes.push(`the resource is in account ${acct}: its resource policy is not in this snapshot`);
  for (const g of snapshot.gaps ?? []) causes.push(`not read when the snapshot was taken: ${g.what}: ${g.message}`);
  const assumed = Object.entries(step.context).filter(([k]) => k !== 'aws:RequestedRegion');
  if (d.context) {
    for (const [k, values] of Object.entries(d.context)) {
      const ours = Object.entries(step.context).find(([x]) => x.toLowerCase() === k.toLowerCase())?.[1];
      const oursList = ours === undefined ? [] : typeof ours === 'string' ? [ours] : [...ours];
      if (ours !== undefined && values.join(',') !== oursList.join(',')) causes.push(`a context key the flow assumed: AWS's request had ${k}=${values.join(',')}; the flow assumed ${oursList.join(',')}`);
      else if (ours === undefined && /^(aws:(RequestTag|ResourceTag|TagKeys|SourceVpce|SourceVpc|SourceIp|PrincipalTag|CalledVia|ViaAWSService))|^(sagemaker|kms|iam|s3):/i.test(k)) {
        causes.push(`a context key the flow does not set: AWS's request had ${k}=${values.join(',')}`);
      }
    }
  }
  if (outcome.dependsOn?.length) causes.push(`an open question the flow assumed: ${outcome.dependsOn.map((x) => `${x.option} = ${x.value} gives ${x.decision}`).join('; ')}`);
  if (step.unknownContextKeys.length) causes.push(`context keys whose value the flow cannot know: ${step.unknownContextKeys.join(', ')}`);
  if (assumed.length && !d.context) {
    const keys = assumed.map(([k]) => k);
    causes.push(
      `a context key the flow assumed: ${keys.slice(0, 6).join(', ')}${keys.length > 6 ? ` and ${keys.length - 6} more` : ''}${
        d.encoded ? ' (decode the encoded message with aws sts decode-authorization-message to see the real values)' : ''
      }`,
    );
  }
  if (!inFlow) causes.push('the request is outside the notebook-job flow, decided without its real context keys');
  causes.push(
    `a stale snapshot: it was taken ${snapshot.generatedAt ? `at ${snapshot.generatedAt}` : 'at an unknown time'}; policies, tags or the organization may have changed since (take a new one with nbjob-iam snapshot)`,
  );
  return { agrees: false, disagreements, causes, notes };
}

function outsideStep(d: Denial, caller: Caller, setup: FlowSetup): FlowStep | undefined {
  const action = d.action ?? undefined;
  if (!action) return undefined;
  let who: FlowStep['caller'];
  if (caller.kind === 'service') {
    if (caller.service !== 'events.amazonaws.com' && caller.service !== 'sagemaker.amazonaws.com') return undefined;
    who = `service:${caller.service}`;
  } else if (caller.kind === 'role') who = caller.role.arn === setup.studioRoleArn ? 'studio' : 'job-training';
  else return undefined;
  const resource = d.resource?.startsWith('arn:') ? d.resource : '*';
  const isS3 = action.toLowerCase().startsWith('s3:');
  const region = /^arn:[^:]+:[^:]+:([^:]*):/.exec(resource)?.[1] || setup.region;
  return {
    id: `outside.${action.replace(':', '.').toLowerCase()}`,
    number: '',
    phase: who === 'studio' ? 'submit' : 'run',
    title: 'A request outside the notebook-job flow',
    caller: who,
    action,
    resource,
    context: { 'aws:RequestedRegion': region },
    unknownContextKeys: [],
    layers: [],
    ...(isS3 && setup.vpcOnly && setup.s3VpcEndpointId ? { viaVpcEndpoint: setup.s3VpcEndpointId } : {}),
    ...(action.toLowerCase().startsWith('kms:') && resource.includes(':key/') ? { kmsKeyArn: resource } : {}),
    coveredBy: ['none'],
    evidence: 'inferred',
    required: true,
    why: 'Not a request the notebook-job flow makes; decided as explain would, on the snapshot.',
  };
}

/**
 * Several steps make the same request (PutRule creates the rule and edits it). When the
 * snapshot denies some of them and allows others, the denied ones are what AWS saw: keep
 * those, and say which were set aside and why. When none or all agree, keep them all.
 */
function narrow(candidates: readonly Match[], callerUnknown: boolean): Match[] {
  if (candidates.length < 2) return [...candidates];
  const fitting = candidates.filter((m) => m.agrees === true);
  const kept = fitting.length > 0 && fitting.length < candidates.length ? fitting : [...candidates];
  const setAside = candidates.filter((m) => !kept.includes(m));
  return kept.map((m) => {
    const notes = [...m.notes];
    if (setAside.length) {
      notes.push(
        `also fits ${setAside.map((x) => `${x.outcome.step.number} ${x.outcome.step.id}`).join(', ')}, which the snapshot ${setAside.every((x) => x.outcome.decision === 'Allow') ? 'allows' : 'decides otherwise'}: so AWS denied this step`,
      );
    }
    if (kept.length > 1) notes.push(`one of ${kept.length} steps that fit this message (it does not name ${callerUnknown ? 'the caller' : 'the exact request'})`);
    return { ...m, notes, alternatives: kept.length - 1 };
  });
}

/**
 * Diagnoses every denial. Check results are computed once per setup and variant, so a
 * CloudTrail file with a thousand denials of one role costs a handful of checks.
 */
export function diagnose(snapshot: AccountSnapshot, denials: readonly Denial[], unreadable: readonly Unreadable[], skipped: number, o: DiagnoseOptions): Diagnosis {
  const matches: Match[] = [];
  const unmatched: UnmatchedDenial[] = unreadable.map((u) => ({ input: u.input, reason: u.reason, text: u.text }));
  const flowOptions: FlowOptions = { ...DEFAULT_FLOW_OPTIONS, ...o.flowOptions };
  const checks = new Map<string, CheckResult>();
  const checkFor = (setup: FlowSetup, variant: Variant): CheckResult => {
    const key = `${variant}\u0000${JSON.stringify(setup)}`;
    let r = checks.get(key);
    if (!r) {
      r = checkSetup(snapshot, setup, [], { variant, evaluate: o.evaluate, flowOptions });
      checks.set(key, r);
    }
    return r;
  };
  const flows = new Map<string, FlowStep[]>();
  const flowFor = (setup: FlowSetup, variant: Variant): FlowStep[] => {
    const key = `${variant}\u0000${JSON.stringify(setup)}`;
    let f = flows.get(key);
    if (!f) {
      f = buildFlow(setup, variant, flowOptions);
      flows.set(key, f);
    }
    return f;
  };
  // One decision per distinct request: a trail repeats the same denial at every run.
  const decided = new Map<string, { outcome: StepOutcome; deciding?: DecidingStatement; extra: string[] }>();
  const decideOnce = (setup: FlowSetup, variant: Variant, step: FlowStep, resource: string | undefined): { outcome: StepOutcome; deciding?: DecidingStatement; extra: string[] } => {
    const key = JSON.stringify([variant, setup, step.id, step.action, step.resource, step.caller, resource ?? null]);
    const hit = decided.get(key);
    if (hit) return hit;
    const options = { variant, evaluate: o.evaluate, flowOptions };
    const result = checkFor(setup, variant);
    let outcome = result.steps.find((s) => s.step.id === step.id && s.step.action === step.action) ?? decideStep(snapshot, setup, step, options);
    const extra: string[] = [];
    if (resource?.startsWith('arn:') && step.resource !== '*' && step.resource !== resource) {
      // The flow names a representative object; decide the object AWS names too. The
      // scenario is check's (stepScenario); the fix search runs only if the decision differs.
      const other = { ...step, resource };
      const quick = stepScenario(snapshot, setup, other);
      const same = !quick.missing.length && outcome.decision !== 'Undecided' && o.evaluate(quick.scenario).decision === outcome.decision && !outcome.allowWhen;
      const actual = same ? outcome : decideStep(snapshot, setup, other, options);
      if (actual.decision !== outcome.decision) {
        extra.push(`decided on ${resource} as AWS names it (${actual.decision}); check decides the flow's request on ${step.resource} (${outcome.decision})`);
        outcome = actual;
      }
    }
    if (o.locate && outcome.invalidPolicy) outcome = o.locate(outcome);
    const deciding = decidingStatement(snapshot, outcome, o);
    const value = { outcome, ...(deciding ? { deciding } : {}), extra };
    decided.set(key, value);
    return value;
  };
  for (const d of denials) {
    const caller = callerOf(d, snapshot);
    if (caller.kind === 'none') {
      unmatched.push({ input: d.input, reason: caller.reason, text: d.text, denial: d });
      continue;
    }
    if (!d.action && !d.operation) {
      unmatched.push({ input: d.input, reason: 'the message names no action or operation (S3\'s bare "Access Denied"): give the CLI line or the CloudTrail event, which name the operation', text: d.text, denial: d });
      continue;
    }
    const { selection, notes, local } = selectionFor(d, caller, snapshot, o);
    const resolved = resolveSetup(snapshot, selection);
    if (!resolved.ok) {
      unmatched.push({ input: d.input, reason: resolved.message, text: d.text, denial: d });
      continue;
    }
    // The flow's job, pipeline and rule names are placeholders: the step is found by the
    // pattern its fix grants (training-job/*), and decided again on the name AWS gives.
    // Keeping the setup unchanged lets every run of a trail share one check.
    const setup = resolved.setup;
    const first: Variant = local ? 'local' : o.variant;
    const order = [first, ...VARIANTS.filter((v) => v !== first)];
    let found: { variant: Variant; steps: FlowStep[] } | undefined;
    for (const variant of order) {
      const steps = byOperation(
        flowFor(setup, variant).filter((s) => actionFits(s, d) && callerFits(s, setup, caller) && resourceFits(s, d.resource)),
        d,
      );
      if (steps.length) {
        found = { variant, steps };
        break;
      }
    }
    if (found) {
      const variantNote = found.variant !== o.variant ? [`made only when the job is ${found.variant === 'run-now' ? 'run now' : found.variant === 'local' ? 'created from local JupyterLab' : 'scheduled'} (variant ${found.variant})`] : [];
      const candidates: Match[] = [];
      for (const step of found.steps) {
        const { outcome, deciding, extra } = decideOnce(setup, found.variant, step, d.resource);
        const verdict = compare(d, outcome, deciding, snapshot, setup, true);
        candidates.push({
          denial: d,
          outcome,
          inFlow: true,
          variant: found.variant,
          setup,
          ...(deciding ? { deciding } : {}),
          agrees: verdict.agrees,
          disagreements: verdict.disagreements,
          causes: verdict.causes,
          notes: [...notes, ...variantNote, ...extra, ...verdict.notes],
          alternatives: found.steps.length - 1,
        });
      }
      matches.push(...narrow(candidates, caller.kind === 'unknown'));
      continue;
    }
    const adhoc = outsideStep(d, caller, setup);
    if (!adhoc) {
      const who = caller.kind === 'role' ? `role ${caller.role.name}` : caller.kind === 'service' ? caller.service : 'an unnamed caller';
      unmatched.push({
        input: d.input,
        reason: `no step of the notebook-job flow makes ${d.action ?? d.operation ?? 'this request'} as ${who}${caller.kind === 'unknown' ? ', and without a caller it cannot be decided' : ''}`,
        text: d.text,
        denial: d,
      });
      continue;
    }
    const { outcome, deciding } = decideOnce(setup, o.variant, adhoc, undefined);
    const verdict = compare(d, outcome, deciding, snapshot, setup, false);
    matches.push({
      denial: d,
      outcome,
      inFlow: false,
      variant: o.variant,
      setup,
      ...(deciding ? { deciding } : {}),
      agrees: verdict.agrees,
      disagreements: verdict.disagreements,
      causes: verdict.causes,
      notes: [...notes, ...verdict.notes, `${adhoc.action} by ${caller.kind === 'role' ? `role ${caller.role.name}` : adhoc.caller} is not a request of the notebook-job flow: decided as explain would, with the snapshot's policies and no context beyond the region`],
      alternatives: 0,
    });
  }
  return { matches, unmatched, denials: denials.length, skipped };
}
