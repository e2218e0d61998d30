/**
 * The engine behind `check`: a scenario decided by `simulateScenario`, its deciding
 * policy located by index so the report can name it as the account does.
 */
import { renderResidual } from '../engine/residual.js';
import { simulateScenario } from '../engine/simulate.js';
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
  return (scenario: Scenario): EngineVerdict => {
    const r = simulateScenario(scenario, { ...options, trace: false, validate: true });
    // A policy that validate calls an error is not evaluated: the step is undecided (never Allow).
    if (r.invalidPolicy) return { decision: 'ImplicitDeny', invalidPolicy: r.invalidPolicy };
    if (r.error !== undefined || r.decision === undefined) {
      // A policy of the account that the engine cannot read: say which, never guess.
      throw new CheckEngineError(r.error ?? `no decision for ${scenario.name}`);
    }
    let by = r.decidedBy;
    // An implicit deny has no deciding statement: decide again with the trace, which names
    // the layer's policies and the nearest miss (only for implicit denies, so cheap).
    if (r.decision === 'ImplicitDeny' && by && by.layer !== 'request') by = simulateScenario(scenario, { ...options, trace: true, validate: true }).decidedBy ?? by;
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
