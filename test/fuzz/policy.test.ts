/**
 * Hostile policy files through `validate`'s entry point (validatePolicyText, every kind):
 * no internal error, every finding with a line and column, bounded time and memory, no
 * prototype pollution. Counts and seed: test/fuzz/harness.ts.
 */
import fc from 'fast-check';
import { performance } from 'node:perf_hooks';
import { expect, it } from 'vitest';
import { guarded } from './guard.js';
import { cases, fuzzStats, run, summary, TIMEOUT } from './harness.js';
import { caseArb } from './mutations.js';
import { KINDS, policyTarget, seeds } from './targets.js';

const S = seeds();

it(
  'validate: mutated policies of every kind never cause an internal error',
  () => {
    const stats = fuzzStats('validate (in-process)');
    const t0 = performance.now();
    const seed = run(fc.tuple(caseArb(S.policies), fc.constantFrom(...KINDS)), cases(1_000, 3), ([c, kind]) => {
      guarded(stats, c.bytes.length, () => policyTarget(c.bytes, kind));
    });
    summary('validate (in-process)', stats, performance.now() - t0, seed);
    expect(stats.outcomes.refused).toBeGreaterThan(0);
  },
  TIMEOUT,
);
