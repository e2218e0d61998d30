/**
 * Hostile scenario files through `simulate`'s entry point (simulateScenarioText): a decision
 * or an error naming the file, never an internal error; bounded time and memory; no
 * prototype pollution. Counts and seed: test/fuzz/harness.ts.
 */
import { performance } from 'node:perf_hooks';
import { expect, it } from 'vitest';
import { guarded } from './guard.js';
import { cases, fuzzStats, run, summary, TIMEOUT } from './harness.js';
import { caseArb } from './mutations.js';
import { scenarioTarget, seeds } from './targets.js';

const S = seeds();

it(
  'simulate: mutated scenarios never cause an internal error',
  () => {
    const stats = fuzzStats('simulate (in-process)');
    const t0 = performance.now();
    const seed = run(caseArb(S.scenarios), cases(1_000, 2), (c) => {
      guarded(stats, c.bytes.length, () => scenarioTarget(c.bytes));
    });
    summary('simulate (in-process)', stats, performance.now() - t0, seed);
    expect(stats.outcomes.refused).toBeGreaterThan(0);
  },
  TIMEOUT,
);
