/**
 * A check result as stable JSON, documented by schemas/check-result.schema.json. Every key
 * is always present: a value that does not apply is `null`, so consumers (jq, CI scripts)
 * never have to test for a missing key. The engine's scenario is left out (it is large and
 * has its own format: `nbjob-iam explain` prints it).
 */
import type { CheckResult, CheckSummary, NearestMissRef, StepStatus } from '../../notebook-jobs/check.js';
import type { DecisionResult } from '../../engine/types.js';
import type { Evidence, FlowOptions, FlowSetup, Phase, ReferenceLabel, Variant } from '../../notebook-jobs/flow.js';
import type { FixOwner, FixTarget } from '../../notebook-jobs/fixes.js';
import { fixTitle, stepsPerFix } from './model.js';

/** Bumped only on an incompatible change; adding a key is compatible. */
export const CHECK_JSON_VERSION = 1;

export interface CheckJsonFix {
  readonly target: FixTarget;
  readonly statement: Record<string, unknown> | null;
  readonly tags: Readonly<Record<string, string>> | null;
  readonly owner: FixOwner;
  readonly summary: string;
}

export interface CheckJsonStep {
  readonly id: string;
  readonly number: string;
  readonly phase: Phase;
  readonly title: string;
  readonly caller: string;
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly decision: DecisionResult | 'Undecided';
  readonly status: StepStatus;
  readonly decidedBy: {
    readonly layer: string;
    readonly policy: string;
    readonly sid: string | null;
    readonly statementIndex: number | null;
    /** ImplicitDeny: every policy of the blocking layer (none allows the request); null otherwise. */
    readonly noAllowIn: readonly string[] | null;
    /** ImplicitDeny: the Allow statement that came closest and what did not match; null when none matches the action. */
    readonly nearestMiss: NearestMissRef | null;
  } | null;
  readonly fix: CheckJsonFix | null;
  readonly ownerChange: { readonly owner: FixOwner; readonly summary: string } | null;
  readonly allowWhen: string | null;
  readonly dependsOn: readonly { readonly option: keyof FlowOptions; readonly value: string; readonly decision: DecisionResult }[] | null;
  readonly missing: readonly string[] | null;
  readonly evidence: Evidence;
  readonly required: boolean;
  readonly coveredBy: readonly ReferenceLabel[];
  readonly why: string;
}

export interface CheckJson {
  readonly version: typeof CHECK_JSON_VERSION;
  readonly variant: Variant;
  readonly ok: boolean;
  readonly setup: FlowSetup;
  readonly summary: CheckSummary;
  readonly steps: readonly CheckJsonStep[];
  /** Merged fixes, one per target and statement shape; `steps` names the steps each one fixes. */
  readonly fixes: readonly (CheckJsonFix & { readonly steps: readonly string[] })[];
  readonly notes: readonly string[];
}

function fixJson(f: { target: FixTarget; statement?: Record<string, unknown>; tags?: Readonly<Record<string, string>>; owner: FixOwner; summary: string }, summary = f.summary): CheckJsonFix {
  return { target: f.target, statement: f.statement ?? null, tags: f.tags ?? null, owner: f.owner, summary };
}

export function checkResultToJson(result: CheckResult): CheckJson {
  const perFix = stepsPerFix(result);
  return {
    version: CHECK_JSON_VERSION,
    variant: result.variant,
    ok: result.summary.ok,
    setup: result.setup,
    summary: result.summary,
    steps: result.steps.map((o) => ({
      id: o.step.id,
      number: o.step.number,
      phase: o.step.phase,
      title: o.step.title,
      caller: o.step.caller,
      principal: o.principal,
      action: o.step.action,
      resource: o.step.resource,
      decision: o.decision,
      status: o.status,
      decidedBy: o.decidedBy
        ? {
            layer: o.decidedBy.layer,
            policy: o.decidedBy.policy,
            sid: o.decidedBy.sid ?? null,
            statementIndex: o.decidedBy.statementIndex ?? null,
            noAllowIn: o.decidedBy.noAllowIn ? [...o.decidedBy.noAllowIn] : null,
            nearestMiss: o.decidedBy.nearestMiss ?? null,
          }
        : null,
      fix: o.fix ? fixJson(o.fix) : null,
      ownerChange: o.ownerChange ? { owner: o.ownerChange.owner, summary: o.ownerChange.summary } : null,
      allowWhen: o.allowWhen ?? null,
      dependsOn: o.dependsOn?.length ? o.dependsOn.map((d) => ({ option: d.option, value: d.value, decision: d.decision })) : null,
      missing: o.missing?.length ? [...o.missing] : null,
      evidence: o.step.evidence,
      required: o.step.required,
      coveredBy: o.step.coveredBy,
      why: o.step.why,
    })),
    // A merged fix's summary is made from its target and content, so it names every action it adds.
    fixes: result.fixes.map((f, i) => ({ ...fixJson(f, fixTitle(f)), steps: (perFix[i] ?? []).map((o) => o.step.id) })),
    notes: result.notes,
  };
}

export function renderCheckJson(result: CheckResult): string {
  return JSON.stringify(checkResultToJson(result), null, 2) + '\n';
}
