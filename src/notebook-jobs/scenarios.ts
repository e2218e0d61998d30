/**
 * Turning a flow step into a scenario (docs/scenario-format.md): the request the
 * step makes and every policy of the account that decides it. The scenario format is the
 * seam between the notebook-job model and the engine, so any step of a check can be saved
 * and replayed with `nbjob-iam simulate`.
 */
import type { AccountSnapshot, NamedPolicy, PolicyJson, Role } from '../account/snapshot.js';
import type { Scenario, ScenarioPolicies } from '../engine/types.js';
import type { FlowSetup, FlowStep } from './flow.js';
import { findKey, findRole } from './setup.js';
import { orgFacts, principalContext, resourceContext } from './principal-context.js';

/** Where each policy of a scenario came from, so a report can name it as the account does. */
export interface PolicySources {
  readonly identity: readonly string[];
  readonly permissionsBoundary?: string;
  readonly resource?: string;
  readonly scp: readonly (readonly string[])[];
  readonly rcp: readonly (readonly string[])[];
  readonly vpcEndpoint?: string;
}

export interface StepScenario {
  readonly scenario: Scenario;
  readonly sources: PolicySources;
  /** What the snapshot lacks to decide this step (a key policy, a trust policy, ...). */
  readonly missing: readonly string[];
  /**
   * Context keys the snapshot cannot give (role tags not read, organization unknown), with
   * what is missing: a decision that depends on one is undecided, not conditional.
   */
  readonly unknownBecause: Readonly<Record<string, string>>;
  /**
   * Policies that apply to the request but could not be read (SCPs, RCPs of a member
   * account): an Allow is then undecided, named with these; a denial stands.
   */
  readonly unreadPolicies: readonly string[];
}

/** Default policy of an endpoint that has none ("Control access to VPC endpoints using endpoint policies"). */
export const DEFAULT_ENDPOINT_POLICY: PolicyJson = { Version: '2008-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }] };

export function rolePolicies(role: Role): NamedPolicy[] {
  return [...role.inlinePolicies, ...role.attachedPolicies];
}

/** The role whose session makes the step's call, or undefined for a service principal. */
export function callerRole(setup: FlowSetup, step: FlowStep): string | undefined {
  if (step.caller === 'studio') return setup.studioRoleArn;
  if (step.caller.startsWith('service:')) return undefined;
  return setup.jobRoleArn;
}

function sessionArn(role: Role): string {
  return role.arn.replace(/^arn:([^:]+):iam::(\d+):role\/(?:.*\/)?([^/]+)$/, 'arn:$1:sts::$2:assumed-role/$3/SageMaker');
}

export function stepScenario(snapshot: AccountSnapshot, setup: FlowSetup, step: FlowStep): StepScenario {
  const missing: string[] = [];
  const policies: ScenarioPolicies = {};
  const sources: { -readonly [K in keyof PolicySources]: PolicySources[K] } = { identity: [], scp: [], rcp: [] };
  const roleArn = callerRole(setup, step);
  const role = roleArn ? findRole(snapshot, roleArn) : undefined;
  let principal: string;
  let principalRoleArn: string | undefined;
  if (step.caller.startsWith('service:')) {
    principal = step.caller.slice('service:'.length);
  } else if (role) {
    principal = sessionArn(role);
    principalRoleArn = role.arn;
    const named = rolePolicies(role);
    policies.identity = named.map((p) => p.document);
    sources.identity = named.map((p) => `${p.name} (${p.arn ? 'managed' : 'inline'} policy of role ${role.name})`);
    if (role.permissionsBoundary) {
      policies.permissionsBoundary = role.permissionsBoundary.document;
      sources.permissionsBoundary = `${role.permissionsBoundary.name} (permissions boundary of role ${role.name})`;
    }
  } else {
    principal = `arn:aws:sts::${setup.accountId}:assumed-role/unknown/SageMaker`;
    missing.push(`role ${roleArn ?? '?'}`);
  }

  const org = snapshot.organization;
  const facts = orgFacts(snapshot);
  const unreadPolicies: string[] = [];
  const governed = org && !org.isManagementAccount;
  // SCPs apply to the account's roles (not to service principals, not to service-linked
  // roles): "Service control policies (SCPs)", effects on permissions.
  const scpCanApply = !step.caller.startsWith('service:') && !role?.serviceLinked && step.layers.includes('scp');
  if (facts.scpsUnread && scpCanApply) unreadPolicies.push(`organization SCPs not read: ${facts.scpsUnread}`);
  unreadPolicies.push(...(step.openBecause ?? []));
  if (governed && org.scpsEnabled !== false) {
    policies.scp = org.path.map((l) => l.scps.map((p) => p.document));
    sources.scp = org.path.map((l) => l.scps.map((p) => `SCP ${p.name} (attached to ${l.type === 'ROOT' ? 'the root' : l.type === 'ACCOUNT' ? 'the account' : `OU ${l.name ?? l.id}`})`));
  }
  const resourceInOwnAccount = !step.awsOwnedResource;
  if (facts.rcpsUnread && resourceInOwnAccount && step.layers.includes('rcp')) unreadPolicies.push(`organization RCPs not read: ${facts.rcpsUnread}`);
  if (governed && org.rcpsEnabled && resourceInOwnAccount) {
    policies.rcp = org.path.map((l) => l.rcps.map((p) => p.document));
    sources.rcp = org.path.map((l) => l.rcps.map((p) => `RCP ${p.name} (attached to ${l.type === 'ROOT' ? 'the root' : l.type === 'ACCOUNT' ? 'the account' : `OU ${l.name ?? l.id}`})`));
  }

  // The resource's own policy.
  const [, , service = ''] = step.resource.split(':');
  if (step.action.toLowerCase().startsWith('sts:assumerole')) {
    const target = findRole(snapshot, step.resource);
    if (target) {
      policies.resource = target.trustPolicy;
      sources.resource = `trust policy of role ${target.name}`;
    } else missing.push(`role ${step.resource} (its trust policy)`);
  } else if (step.kmsKeyArn) {
    const key = findKey(snapshot, step.kmsKeyArn);
    if (key?.policy) {
      policies.resource = key.policy;
      sources.resource = `key policy of ${key.aliases[0] ?? key.keyId}`;
    } else missing.push(`KMS key ${step.kmsKeyArn} (its key policy)`);
  } else if (service === 's3' && !step.awsOwnedResource) {
    const bucketName = step.resource.split(':::')[1]?.split('/')[0] ?? '';
    const bucket = snapshot.s3Buckets.find((b) => b.name === bucketName);
    if (bucket?.policy) {
      policies.resource = bucket.policy;
      sources.resource = `bucket policy of ${bucket.name}`;
    }
  } else if (service === 'ecr' && !step.awsOwnedResource) {
    const repo = snapshot.ecrRepositories?.find((r) => r.arn === step.resource);
    if (repo?.policy) {
      policies.resource = repo.policy;
      sources.resource = `repository policy of ${repo.name}`;
    }
  }
  if (step.viaVpcEndpoint) {
    const endpoint = snapshot.vpcEndpoints.find((e) => e.id === step.viaVpcEndpoint);
    policies.vpcEndpoint = endpoint?.policy ?? DEFAULT_ENDPOINT_POLICY;
    sources.vpcEndpoint = `policy of VPC endpoint ${step.viaVpcEndpoint}${endpoint?.policy ? '' : ' (default: full access)'}`;
  }

  const context: Record<string, string | string[]> = {};
  const unknownBecause: Record<string, string> = {};
  const given = new Set([...Object.keys(step.context), ...step.unknownContextKeys].map((k) => k.toLowerCase()));
  const addDerived = (d: { context: Record<string, string | string[]>; unknown: Record<string, string> }): void => {
    for (const [k, v] of Object.entries(d.context)) if (!given.has(k.toLowerCase())) context[k] = v;
    for (const [k, why] of Object.entries(d.unknown)) if (!given.has(k.toLowerCase())) unknownBecause[k] = why;
  };
  let uniqueId: string | undefined;
  if (role && principalRoleArn) {
    const all = [...(policies.identity ?? []), policies.permissionsBoundary, policies.resource, ...(policies.scp ?? []).flat(), ...(policies.rcp ?? []).flat(), policies.vpcEndpoint];
    const p = principalContext(facts, role, step.caller, all);
    addDerived(p);
    uniqueId = p.uniqueId;
  }
  for (const [k, v] of Object.entries(step.context)) context[k] = typeof v === 'string' ? v : [...v];
  // An S3 ARN has no account: the bucket's owner, else ours. AWS-owned resources are
  // decided by the caller's side alone (their policies are AWS's), so they count as ours.
  let resourceAccount: string | undefined;
  if (step.awsOwnedResource) resourceAccount = setup.accountId;
  else if (service === 's3') resourceAccount = snapshot.s3Buckets.find((b) => step.resource.includes(`:::${b.name}`))?.ownerAccountId ?? setup.accountId;
  // aws:ResourceAccount / ResourceOrgID / ResourceOrgPaths for resources of the account (or of a
  // known bucket owner). AWS-owned resources carry what their step says; "*" has no resource.
  if (!step.awsOwnedResource && step.resource !== '*') {
    const arnAccount = step.resource.split(':')[4];
    const owner = service === 's3' ? resourceAccount : arnAccount || setup.accountId;
    addDerived(resourceContext(snapshot, facts, owner, step.resource));
  }
  const unknownKeys = [...step.unknownContextKeys, ...Object.keys(unknownBecause)];
  const scenario: Scenario = {
    name: `${step.number} ${step.id}: ${step.title}`,
    doc: 'docs/notebook-job-flow.md §4',
    request: {
      principal,
      ...(principalRoleArn ? { principalRoleArn } : {}),
      action: step.action,
      resource: step.resource,
      ...(resourceAccount ? { resourceAccount } : {}),
      context,
      ...(uniqueId ? { principalUniqueId: uniqueId } : {}),
      ...(unknownKeys.length ? { unknownContextKeys: unknownKeys } : {}),
      principalIsManagementAccount: org?.isManagementAccount ?? false,
      resourceIsManagementAccount: org?.isManagementAccount ?? false,
      ...(role?.serviceLinked ? { principalIsServiceLinkedRole: true } : {}),
      ...(step.kmsKeyArn && snapshot.kmsKeys.find((k) => k.arn === step.kmsKeyArn)?.keyManager === 'AWS' ? { resourceIsAwsManagedKey: true } : {}),
    },
    policies,
  };
  return { scenario, sources, missing, unknownBecause, unreadPolicies };
}
