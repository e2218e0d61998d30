/**
 * The engine behind `check`: a scenario decided by `authorize`, its deciding policy located
 * by index so the report can name it as the account does. One evaluator serves one run: it
 * holds a PolicyCompiler, so each distinct policy document of the account is read and
 * compiled once per run (keyed by content), not once per step.
 */
import { authorize } from '../engine/authorize.js';
import { PolicyCompileError } from '../engine/compile.js';
import { PolicyCompiler } from '../engine/policy-set.js';
import { RequestError } from '../engine/request.js';
import { renderResidual } from '../engine/residual.js';
import { resourceKind } from '../engine/scenario.js';
import { simulateScenario } from '../engine/simulate.js';
import type { InvalidPolicy } from '../engine/scenario.js';
import type { EvaluationOptions, Scenario } from '../engine/types.js';
import type { EngineVerdict, Evaluate } from './check.js';

/** `policies.scp[1][0]` → [1, 0]; `policies.identity[2]` → [2]. */
function indices(policy: string | undefined): number[] | undefined {
  if (!policy) return undefined;
  const found = [...policy.matchAll(/\[(\d+)\]/g)].map((m) => Number(m[1]));
  return found.length ? found : undefined;
}

export class CheckEngineError extends Error {}

export function engineEvaluator(options?: Partial<EvaluationOptions>): Evaluate {
  // Every rule of `validate` runs once per distinct document: a policy it calls an error is
  // never evaluated, so the step is undecided (never Allow).
  const compiler = new PolicyCompiler({ validate: true });
  const authOptions = { ...options, trace: false };
  // The compiler throws the same error object for the same document in the same slot, and
  // reads policies in the scenario reader's order: the reader's verdict for that error is
  // kept for the run, so a 600 KB invalid policy is not read again for every step.
  const refused = new WeakMap<PolicyCompileError, InvalidPolicy>();
  return (scenario: Scenario): EngineVerdict => {
    let r;
    let set;
    try {
      set = compiler.policySet(scenario.policies, resourceKind(scenario.request));
      r = authorize(scenario.request, set, authOptions);
    } catch (e) {
      if (!(e instanceof PolicyCompileError || e instanceof RequestError)) throw e;
      const known = e instanceof PolicyCompileError ? refused.get(e) : undefined;
      if (known) return { decision: 'ImplicitDeny', invalidPolicy: known };
      // The rare path: read the scenario again through the validating reader, which names the
      // refused policy (slot, kind, code, line and column) the way every command reports it.
      const v = simulateScenario(scenario, { ...options, trace: false, validate: true });
      if (v.invalidPolicy) {
        if (e instanceof PolicyCompileError && v.invalidPolicy.slot === e.policyName) refused.set(e, v.invalidPolicy);
        return { decision: 'ImplicitDeny', invalidPolicy: v.invalidPolicy };
      }
      // A policy of the account that the engine cannot read: say which, never guess.
      throw new CheckEngineError(v.error ?? `(scenario): ${e.message}`);
    }
    let by = r.decidedBy;
    // An implicit deny has no deciding statement: decide again with the trace, which names
    // the layer's policies and the nearest miss. The same compiled set (its policies named as
    // the scenario reader names them, and already validated): reading the scenario again
    // through the validating reader cost more than the rest of the step.
    if (r.decision === 'ImplicitDeny' && by && by.layer !== 'request') by = authorize(scenario.request, set, { ...options, trace: true }).decidedBy ?? by;
    const miss = by?.nearestMiss;
    const decidedBy =
      by && by.layer !== 'request'
        ? {
            layer: by.layer,
            policyIndex: indices(by.policy) ?? (by.level !== undefined ? [by.level] : undefined),
            sid: by.sid,
            statementIndex: by.statementIndex,
            ...(by.noAllowIn ? { noAllowIn: by.noAllowIn.map((n) => indices(n) ?? []) } : {}),
            ...(miss ? { nearestMiss: { policyIndex: indices(miss.policy) ?? [], sid: miss.sid, statementIndex: miss.statementIndex, misses: miss.misses } } : {}),
          }
        : undefined;
    if (r.residual && r.residual.allowWhen !== false && r.residual.allowWhen !== true && r.decision !== 'ExplicitDeny') {
      return { decision: 'Allow', decidedBy, allowWhen: renderResidual(r.residual.allowWhen) };
    }
    return { decision: r.decision, decidedBy };
  };
}
