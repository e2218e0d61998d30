/**
 * `check`: will notebook jobs work in this account, and if not, exactly why and how to
 * fix it. Every step of the flow is a scenario decided by the engine; every failure gets
 * the smallest fix that we have proven (by re-evaluating the step on the fixed snapshot)
 * makes it pass, or, where the blocker belongs to someone else, the blocking statement
 * and what its owner must change.
 */
import type { AccountSnapshot } from '../account/snapshot.js';
import type { InvalidPolicy } from '../engine/scenario.js';
import type { DecisionResult, Scenario } from '../engine/types.js';
import type { PolicyKind } from '../policy/model.js';
import { readPolicyText } from '../policy/read.js';
import { validatePolicyText } from '../policy/validate.js';
import { buildFlow, DEFAULT_FLOW_OPTIONS } from './flow.js';
import type { FlowOptions, FlowSetup, FlowStep, Phase, Variant } from './flow.js';
import { applyFix, endpointFix, identityFix, keyPolicyFix, mergeFixes, profileTagFix, trustFix } from './fixes.js';
import type { Fix, FixOwner, OwnerChange } from './fixes.js';
import { callerRole, stepScenario } from './scenarios.js';
import type { PolicySources } from './scenarios.js';
import { resolveSetup } from './setup.js';
import type { Selection } from './setup.js';

/** What decided a request, as the engine reports it. */
export interface EngineDecidedBy {
  /** Layer name of the scenario format: identity, permissionsBoundary, session, resource, scp, rcp, vpcEndpoint. */
  readonly layer: string;
  /** Index of the policy in its layer (for scp/rcp: [level, index]). */
  readonly policyIndex?: readonly number[];
  readonly sid?: string;
  readonly statementIndex?: number;
  /** ImplicitDeny: the index of every policy of the blocking layer (none allows the request). */
  readonly noAllowIn?: readonly (readonly number[])[];
  /** ImplicitDeny: the Allow statement that matches the action but not the rest, and what did not match. */
  readonly nearestMiss?: { readonly policyIndex: readonly number[]; readonly sid?: string; readonly statementIndex: number; readonly misses: readonly string[] };
}

export interface EngineVerdict {
  /** With `invalidPolicy`: ImplicitDeny, never Allow (the step is reported undecided). */
  readonly decision: DecisionResult;
  /** A policy of the step that validate calls an error: it was not evaluated. */
  readonly invalidPolicy?: InvalidPolicy;
  readonly decidedBy?: EngineDecidedBy;
  /** Present when the decision depends on unknown context: the condition under which it is Allow. */
  readonly allowWhen?: string;
}

/** The engine as check sees it: one scenario in, one verdict out. Injected so tests can swap it. */
export type Evaluate = (scenario: Scenario) => EngineVerdict;

export type StepStatus = 'pass' | 'fail' | 'warn' | 'conditional' | 'undecided';

export interface DecidedBy {
  readonly layer: string;
  /**
   * The policy as the account names it, e.g. "SCP RequireCostCenterOnTraining (attached to OU
   * ml-workloads)". For an implicit deny, where no statement decides, the layer's policies
   * (`noAllowIn`), joined with ", ".
   */
  readonly policy: string;
  readonly sid?: string;
  readonly statementIndex?: number;
  /** ImplicitDeny: every policy of the blocking layer, as the account names them; none of their statements allows the request. */
  readonly noAllowIn?: readonly string[];
  /** ImplicitDeny: the nearest miss (line and column in the policy document printed as two-space JSON; 0 when unknown). */
  readonly nearestMiss?: NearestMissRef;
}

export interface NearestMissRef {
  readonly policy: string;
  readonly sid?: string;
  readonly statementIndex: number;
  readonly line: number;
  readonly column: number;
  /** What did not match: the resource (with the statement's entries), the principal, each false condition. */
  readonly misses: readonly string[];
}

/** A policy of the account that `validate` calls an error, as the account names it. */
export interface InvalidPolicyRef {
  readonly layer: string;
  /** e.g. "SCP DenyTraining (attached to OU ml-workloads)". */
  readonly policy: string;
  readonly code?: string;
  readonly message: string;
  /** Line and column in the policy document printed as JSON with two-space indentation (0: unknown). */
  readonly line: number;
  readonly column: number;
  /** Where the policy sits in the step's scenario (`policies.scp[0][1]`), and the kind it was read as. */
  readonly slot?: string;
  readonly kind?: PolicyKind;
  /**
   * Where the error is in the file the user has (the snapshot), when the caller located it
   * (locateInvalidPolicies): the file, the JSON path of the element and its line and column.
   */
  readonly inFile?: { readonly file: string; readonly path: string; readonly line: number; readonly column: number };
}

export interface StepOutcome {
  readonly step: FlowStep;
  readonly principal: string;
  readonly decision: DecisionResult | 'Undecided';
  readonly status: StepStatus;
  readonly decidedBy?: DecidedBy;
  /** For a conditional pass: when it is allowed. */
  readonly allowWhen?: string;
  readonly fix?: Fix;
  readonly ownerChange?: OwnerChange;
  /** For undecided steps: what the snapshot lacks. */
  readonly missing?: readonly string[];
  /** For undecided steps: a policy of the account that validate calls an error, so it was not evaluated. */
  readonly invalidPolicy?: InvalidPolicyRef;
  /** For steps that depend on an open question (FlowOptions): the decision under each answer. */
  readonly dependsOn?: readonly { readonly option: keyof FlowOptions; readonly value: string; readonly decision: DecisionResult }[];
  readonly scenario: Scenario;
}

export interface CheckSummary {
  readonly steps: number;
  readonly pass: number;
  readonly fail: number;
  readonly warn: number;
  readonly conditional: number;
  readonly undecided: number;
  /** Required failures that only show when a job runs (the nastiest kind). */
  readonly failuresAtRunTime: number;
  /** Required failures seen when submitting or scheduling. */
  readonly failuresAtSubmit: number;
  readonly ok: boolean;
}

export interface CheckResult {
  readonly setup: FlowSetup;
  readonly variant: Variant;
  readonly notes: readonly string[];
  readonly steps: readonly StepOutcome[];
  /** Every proven fix, merged per target. */
  readonly fixes: readonly Fix[];
  readonly summary: CheckSummary;
}

export interface CheckOptions {
  readonly variant: Variant;
  readonly flowOptions?: Partial<FlowOptions>;
  readonly evaluate: Evaluate;
}

export type CheckOutcome = { readonly ok: true; readonly result: CheckResult } | { readonly ok: false; readonly message: string };

const RUN_PHASES: readonly Phase[] = ['run'];

function policyName(sources: PolicySources, by: EngineDecidedBy): string {
  const [a = 0, b = 0] = by.policyIndex ?? [];
  switch (by.layer) {
    case 'identity':
      return sources.identity[a] ?? `identity policy ${a + 1}`;
    case 'permissionsBoundary':
      return sources.permissionsBoundary ?? 'permissions boundary';
    case 'resource':
      return sources.resource ?? 'resource policy';
    case 'vpcEndpoint':
      return sources.vpcEndpoint ?? 'VPC endpoint policy';
    case 'scp':
      return by.policyIndex && by.policyIndex.length > 1 ? (sources.scp[a]?.[b] ?? `SCP at level ${a + 1}`) : `SCPs at level ${a + 1}`;
    case 'rcp':
      return by.policyIndex && by.policyIndex.length > 1 ? (sources.rcp[a]?.[b] ?? `RCP at level ${a + 1}`) : `RCPs at level ${a + 1}`;
    default:
      return by.layer;
  }
}

function ownerOf(layer: string): FixOwner {
  if (layer === 'scp' || layer === 'rcp') return 'organization';
  if (layer === 'vpcEndpoint') return 'network';
  return 'account';
}

/** Tag keys an SCP statement tests with aws:RequestTag/KEY, with a value it accepts. */
function requiredRequestTags(scenario: Scenario, by: EngineDecidedBy): Record<string, string> {
  const [level = 0, index = 0] = by.policyIndex ?? [];
  const doc = scenario.policies.scp?.[level]?.[index] as { Statement?: unknown } | undefined;
  const statements = Array.isArray(doc?.Statement) ? doc.Statement : doc?.Statement ? [doc.Statement] : [];
  const st = (by.statementIndex !== undefined ? statements[by.statementIndex] : undefined) as { Condition?: Record<string, Record<string, unknown>> } | undefined;
  const tags: Record<string, string> = {};
  for (const [op, keys] of Object.entries(st?.Condition ?? {})) {
    for (const [key, value] of Object.entries(keys)) {
      const m = /^aws:RequestTag\/(.+)$/i.exec(key);
      if (!m) continue;
      const values = (Array.isArray(value) ? value : [value]).map(String);
      // A Deny on StringNotEquals lists the accepted values; a Null test accepts any value.
      tags[m[1]!] = /StringNotEquals|StringNotLike/.test(op) && values[0] ? values[0] : 'REPLACE-ME';
    }
  }
  return tags;
}

interface Attempt {
  readonly verdict: EngineVerdict;
  readonly scenario: Scenario;
  readonly sources: PolicySources;
  readonly missing: readonly string[];
  readonly unknownBecause: Readonly<Record<string, string>>;
  readonly unreadPolicies: readonly string[];
}

function attempt(snapshot: AccountSnapshot, setup: FlowSetup, step: FlowStep, evaluate: Evaluate): Attempt {
  const { scenario, sources, missing, unknownBecause, unreadPolicies } = stepScenario(snapshot, setup, step);
  return { verdict: evaluate(scenario), scenario, sources, missing, unknownBecause, unreadPolicies };
}

/**
 * Why an allowed (or conditionally allowed) step is not decided after all: policies that
 * apply but were not read, and unknown keys the condition depends on that the snapshot
 * should have given. A denial stands: unread policies can only deny more.
 */
function openReasons(a: Attempt): string[] {
  const v = a.verdict;
  if (v.decision !== 'Allow') return [];
  const out = [...a.unreadPolicies];
  const when = v.allowWhen?.toLowerCase();
  if (when) for (const [key, why] of Object.entries(a.unknownBecause)) if (when.includes(key.toLowerCase())) out.push(`${key}: ${why}`);
  return out;
}

/** Candidate fixes for a denied step, smallest first. */
function candidates(step: FlowStep, setup: FlowSetup, first: Attempt): Fix[][] {
  const out: Fix[][] = [];
  const role = callerRole(setup, step);
  const by = first.verdict.decidedBy;
  if (first.verdict.decision === 'ExplicitDeny') {
    if (by?.layer === 'scp') {
      const tags = requiredRequestTags(first.scenario, by);
      if (Object.keys(tags).length) out.push([profileTagFix(setup, tags)]);
    }
    return out;
  }
  if (step.caller.startsWith('service:') && step.action === 'sts:AssumeRole') {
    out.push([trustFix(step, step.caller.slice('service:'.length))]);
    return out;
  }
  const id = role ? identityFix(step, role) : undefined;
  const key = role && step.kmsKeyArn ? keyPolicyFix(step, role) : undefined;
  const vpce = step.viaVpcEndpoint ? endpointFix(step, first.scenario.policies.vpcEndpoint) : undefined;
  for (const f of [id, key, vpce]) if (f) out.push([f]);
  if (id && key) out.push([id, key]);
  if (id && vpce) out.push([id, vpce]);
  return out;
}

/**
 * The step as it is made on a fixed snapshot: a fix that tags the profile changes the tags
 * Studio copies onto the job, so the request itself changes.
 */
function stepAfterFixes(setup: FlowSetup, step: FlowStep, fixes: readonly Fix[], rebuild: (s: FlowSetup) => FlowStep[]): { setup: FlowSetup; step: FlowStep } {
  const tags = Object.assign({}, ...fixes.map((f) => f.tags ?? {})) as Record<string, string>;
  if (!Object.keys(tags).length) return { setup, step };
  const fixedSetup = { ...setup, profileTags: { ...setup.profileTags, ...tags } };
  return { setup: fixedSetup, step: rebuild(fixedSetup).find((s) => s.id === step.id) ?? step };
}

/** The policy document in a scenario slot such as `policies.scp[0][1]`. */
export function documentAt(scenario: Scenario, slot: string): unknown {
  let v: unknown = scenario;
  for (const part of slot.match(/[A-Za-z]+|\d+/g) ?? []) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

/**
 * The refused policy as the account names it, with the line and column of the finding in
 * the document printed as JSON (the engine read it as a value, without positions).
 */
function invalidPolicyRef(scenario: Scenario, sources: PolicySources, inv: InvalidPolicy): InvalidPolicyRef {
  const layer = /^policies\.([A-Za-z]+)/.exec(inv.slot)?.[1] ?? 'policy';
  const idx = [...inv.slot.matchAll(/\[(\d+)\]/g)].map((m) => Number(m[1]));
  const policy = policyName(sources, { layer, policyIndex: idx.length ? idx : undefined });
  const doc = documentAt(scenario, inv.slot);
  let line = inv.line;
  let column = inv.column;
  if (doc !== undefined && line === 0) {
    const text = typeof doc === 'string' ? doc : JSON.stringify(doc, null, 2);
    const f = validatePolicyText(text, { kind: inv.kind as PolicyKind }).findings.find((x) => x.severity === 'error' && (inv.code === undefined || x.code === inv.code));
    if (f) {
      line = f.line;
      column = f.column;
    }
  }
  return { layer, policy, ...(inv.code !== undefined ? { code: inv.code } : {}), message: inv.message, line, column, slot: inv.slot, kind: inv.kind as PolicyKind };
}

/** The line and column of a statement in the document printed as two-space JSON (0, 0 when unknown). */
function statementPosition(scenario: Scenario, layer: string, index: readonly number[], statementIndex: number): { line: number; column: number } {
  const slot = `policies.${layer}${index.map((i) => `[${i}]`).join('')}`;
  let doc = documentAt(scenario, slot);
  // A single resource/boundary/endpoint policy has no index.
  if (doc === undefined || Array.isArray(doc)) doc = index.length === 0 ? documentAt(scenario, `policies.${layer}`) : doc;
  if (doc === undefined || Array.isArray(doc)) return { line: 0, column: 0 };
  const read = readPolicyText(typeof doc === 'string' ? doc : JSON.stringify(doc, null, 2), { kind: 'identity' });
  const st = read.policy?.statements.find((x) => x.index === statementIndex);
  return st ? { line: st.loc.line, column: st.loc.column } : { line: 0, column: 0 };
}

/**
 * The engine's decidedBy as the account names it. For an implicit deny no statement
 * decided: name every policy of the blocking layer and the nearest miss, never the layer's
 * first policy as if it had decided.
 */
function decidedByOf(scenario: Scenario, sources: PolicySources, by: EngineDecidedBy): DecidedBy {
  const base = { layer: by.layer, sid: by.sid, statementIndex: by.statementIndex };
  if (!by.noAllowIn) return { ...base, policy: policyName(sources, by) };
  const names = by.noAllowIn.map((idx) => policyName(sources, { layer: by.layer, policyIndex: idx.length ? idx : undefined }));
  const m = by.nearestMiss;
  const nearestMiss: NearestMissRef | undefined = m
    ? {
        policy: policyName(sources, { layer: by.layer, policyIndex: m.policyIndex.length ? m.policyIndex : undefined }),
        ...(m.sid !== undefined ? { sid: m.sid } : {}),
        statementIndex: m.statementIndex,
        ...statementPosition(scenario, by.layer, m.policyIndex, m.statementIndex),
        misses: m.misses,
      }
    : undefined;
  const policy = names.length > 0 ? names.join(', ') : policyName(sources, by);
  return { ...base, policy, noAllowIn: names, ...(nearestMiss ? { nearestMiss } : {}) };
}

/** One sentence for the report: which policy, where, what is wrong, and that it was not evaluated. */
export function invalidPolicyText(r: InvalidPolicyRef): string {
  const f = r.inFile;
  const at = f ? `${f.file}:${f.line}:${f.column} at ${f.path}: ` : r.line > 0 ? `line ${r.line}, column ${r.column} of the policy printed as JSON: ` : '';
  return `${r.policy} is invalid (${at}${r.message}${r.code ? ` [${r.code}]` : ''}); a policy that validate calls an error is not evaluated: fix it, then check again`;
}

function evaluateStep(snapshot: AccountSnapshot, setup: FlowSetup, step: FlowStep, evaluate: Evaluate, rebuild: (s: FlowSetup) => FlowStep[]): StepOutcome {
  const first = attempt(snapshot, setup, step, evaluate);
  const principal = first.scenario.request.principal;
  if (first.missing.length) {
    return { step, principal, decision: 'Undecided', status: 'undecided', missing: first.missing, scenario: first.scenario };
  }
  const v = first.verdict;
  if (v.invalidPolicy) {
    const ref = invalidPolicyRef(first.scenario, first.sources, v.invalidPolicy);
    return { step, principal, decision: 'Undecided', status: 'undecided', missing: [invalidPolicyText(ref)], invalidPolicy: ref, scenario: first.scenario };
  }
  const open = openReasons(first);
  if (open.length) {
    return { step, principal, decision: 'Undecided', status: 'undecided', missing: open, allowWhen: v.allowWhen, scenario: first.scenario };
  }
  const decidedBy = v.decidedBy ? decidedByOf(first.scenario, first.sources, v.decidedBy) : undefined;
  if (v.decision === 'Allow') {
    return { step, principal, decision: 'Allow', status: v.allowWhen ? 'conditional' : 'pass', decidedBy, allowWhen: v.allowWhen, scenario: first.scenario };
  }
  let fix: Fix | undefined;
  for (const set of candidates(step, setup, first)) {
    let fixed = snapshot;
    for (const f of set) fixed = applyFix(fixed, f);
    const after = stepAfterFixes(setup, step, set, rebuild);
    if (attempt(fixed, after.setup, after.step, evaluate).verdict.decision === 'Allow') {
      // A pair of fixes is reported as its first; the second is found on the next step's check.
      fix = set[0];
      if (set.length > 1) {
        return {
          step,
          principal,
          decision: v.decision,
          status: step.required ? 'fail' : 'warn',
          decidedBy,
          fix: set[0],
          ownerChange: { owner: set[1]!.owner, summary: `and ${set[1]!.summary}` },
          scenario: first.scenario,
        };
      }
      break;
    }
  }
  const ownerChange: OwnerChange | undefined =
    !fix && decidedBy
      ? {
          owner: ownerOf(decidedBy.layer),
          summary:
            v.decision === 'ExplicitDeny'
              ? `${decidedBy.policy}${decidedBy.sid ? `, statement ${decidedBy.sid}` : ''} denies ${step.action}: its owner must exempt this request`
              : decidedBy.noAllowIn
                ? `no statement of ${decidedBy.noAllowIn.length > 0 ? decidedBy.noAllowIn.join(', ') : decidedBy.policy} allows ${step.action}: its owner must allow it`
                : `${decidedBy.policy} does not allow ${step.action}: its owner must allow it`,
        }
      : undefined;
  return { step, principal, decision: v.decision, status: step.required ? 'fail' : 'warn', decidedBy, fix, ownerChange, scenario: first.scenario };
}

export function summarize(steps: readonly StepOutcome[]): CheckSummary {
  const count = (s: StepStatus): number => steps.filter((o) => o.status === s).length;
  const fail = steps.filter((o) => o.status === 'fail');
  return {
    steps: steps.length,
    pass: count('pass'),
    fail: fail.length,
    warn: count('warn'),
    conditional: count('conditional'),
    undecided: count('undecided'),
    failuresAtRunTime: fail.filter((o) => RUN_PHASES.includes(o.step.phase)).length,
    failuresAtSubmit: fail.filter((o) => !RUN_PHASES.includes(o.step.phase) && o.step.phase !== 'manage').length,
    ok: fail.length === 0 && steps.every((o) => o.status !== 'undecided' || !o.step.required),
  };
}

/**
 * Decides one step exactly as `check` does (same scenario, same proven fix search), for a
 * caller that has a single request in hand (`diagnose`: a request AWS denied).
 */
export function decideStep(snapshot: AccountSnapshot, setup: FlowSetup, step: FlowStep, options: CheckOptions): StepOutcome {
  const flowOptions: FlowOptions = { ...DEFAULT_FLOW_OPTIONS, ...options.flowOptions };
  return evaluateStep(snapshot, setup, step, options.evaluate, (s) => buildFlow(s, options.variant, flowOptions));
}

/** Runs the check for one setup. */
export function checkSetup(snapshot: AccountSnapshot, setup: FlowSetup, notes: readonly string[], options: CheckOptions): CheckResult {
  const flowOptions: FlowOptions = { ...DEFAULT_FLOW_OPTIONS, ...options.flowOptions };
  const steps = buildFlow(setup, options.variant, flowOptions);
  // The flow under the other answer of an open question, built once per answer (not once per step).
  const altFlows = new Map<string, FlowStep[]>();
  const altFlow = (altOptions: FlowOptions): FlowStep[] => {
    const key = JSON.stringify(altOptions);
    let f = altFlows.get(key);
    if (!f) altFlows.set(key, (f = buildFlow(setup, options.variant, altOptions)));
    return f;
  };
  const outcomes = steps.map((step): StepOutcome => {
    const outcome = evaluateStep(snapshot, setup, step, options.evaluate, (s) => buildFlow(s, options.variant, flowOptions));
    if (!step.dependsOn?.length || outcome.status === 'undecided') return outcome;
    // Evaluate the other answer of each open question the step depends on.
    const alternatives = step.dependsOn.map((option) => {
      const other = option === 'createTimeResourceTags' ? (flowOptions.createTimeResourceTags === 'absent' ? 'fromRequestTags' : 'absent') : String(!flowOptions[option]);
      const altOptions = { ...flowOptions, [option]: option === 'createTimeResourceTags' ? other : other === 'true' };
      const altStep = altFlow(altOptions).find((s) => s.id === step.id);
      const verdict = altStep ? attempt(snapshot, setup, altStep, options.evaluate).verdict : undefined;
      return { option, value: other, decision: verdict?.decision ?? (outcome.decision as DecisionResult) };
    });
    const differs = alternatives.filter((a) => a.decision !== outcome.decision);
    if (!differs.length) return outcome;
    return {
      ...outcome,
      dependsOn: [{ option: differs[0]!.option, value: String(flowOptions[differs[0]!.option]), decision: outcome.decision as DecisionResult }, ...differs],
    };
  });
  const fixes = mergeFixes(outcomes.flatMap((o) => (o.fix ? [o.fix] : [])));
  return { setup, variant: options.variant, notes, steps: outcomes, fixes, summary: summarize(outcomes) };
}

/** Resolves the selection against the snapshot and runs the check. */
export function check(snapshot: AccountSnapshot, selection: Selection, options: CheckOptions): CheckOutcome {
  const resolved = resolveSetup(snapshot, selection);
  if (!resolved.ok) return resolved;
  const gapNotes = (snapshot.gaps ?? []).map((g) => `not read: ${g.what}${g.file ? ` (${g.file})` : ''}: ${g.message}`);
  return { ok: true, result: checkSetup(snapshot, resolved.setup, [...resolved.notes, ...gapNotes], options) };
}

/** Applies every fix of a result, in order. */
export function applyFixes(snapshot: AccountSnapshot, fixes: readonly Fix[]): AccountSnapshot {
  return fixes.reduce(applyFix, snapshot);
}
