/**
 * The two engines under test, as plain decision functions. The fast engine is
 * src/engine/simulate.ts; the reference is src/engine/reference.ts. A scenario that an
 * engine rejects (e.g. an ARN with fewer than six segments in an SCP, spec §1.5 / A17)
 * yields the outcome 'error'; both engines must then reject it.
 */
import { referenceDecide } from '../../src/engine/reference.js';
import { simulateScenario } from '../../src/engine/simulate.js';
import type { DecisionResult, EvaluationOptions, Scenario } from '../../src/engine/types.js';

export type Outcome = DecisionResult | 'error';
export type Decide = (scenario: Scenario, options?: Partial<EvaluationOptions>) => Outcome;

/** The fast engine's decision (without building the trace). */
export const fastDecide: Decide = (scenario, options) => {
  const r = simulateScenario(scenario, { ...(options ?? {}), trace: false });
  return r.error !== undefined || r.decision === undefined ? 'error' : r.decision;
};

/** The reference model's decision; it throws on a scenario it rejects. */
export const refDecide: Decide = (scenario, options) => {
  try {
    return referenceDecide(scenario, options);
  } catch {
    return 'error';
  }
};

export const ENGINES: ReadonlyArray<readonly [string, Decide]> = [
  ['fast engine', fastDecide],
  ['reference', refDecide],
];
