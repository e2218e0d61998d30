/**
 * Differential test: the fast engine (src/engine/simulate.ts) and the reference model
 * (src/engine/reference.ts) must agree on every generated scenario, with the default
 * options and with randomly chosen options. Runs: env FUZZ_RUNS (default 10,000 per
 * property; `npm run fuzz` sets 200,000). Normal runs use a fixed seed; with FUZZ_RUNS
 * set the seed is random and printed on failure; replay it with FUZZ_SEED.
 *
 * On disagreement fast-check shrinks the scenario, minimize.ts then deletes every part
 * (and every option) that the disagreement does not need, and the result is printed as
 * JSON ready to become a conformance file (add "expect" with the decision the spec gives).
 */
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EvaluationOptions, Scenario } from '../../src/engine/types.js';
import { fastDecide, refDecide } from './engines.js';
import { minimize } from './minimize.js';
import { fuzzRuns, fuzzSeed, optionsArb, scenarioArb, scenarioJson } from './generators.js';

const RUNS = fuzzRuns();
/** Per-test timeout that grows with the run count (`npm run fuzz` runs 200,000). */
const TIMEOUT = Math.max(60_000, RUNS * 3);

function disagreement(s: Scenario, options?: Partial<EvaluationOptions>): string | null {
  const ref = refDecide(s, options);
  const fast = fastDecide(s, options);
  return fast === ref ? null : `fast=${fast} reference=${ref}`;
}

function runDifferential(arb: fc.Arbitrary<[Scenario, Partial<EvaluationOptions> | undefined]>): void {
  const details = fc.check(
    fc.property(arb, ([s, options]) => disagreement(s, options) === null),
    { numRuns: RUNS, seed: fuzzSeed() },
  );
  if (details.failed && details.counterexample) {
    const [shrunk, options] = details.counterexample[0];
    const what = disagreement(shrunk, options) ?? 'flaky';
    // Minimize with the options inside the scenario, so that only the options that matter stay.
    const s = minimize(options === undefined ? shrunk : { ...shrunk, options }, (c) => disagreement(c, c.options) === what);
    const json = scenarioJson(s, { name: `differential: ${what}` });
    console.error(`Fast engine and reference disagree (${what}); seed ${details.seed}, path ${details.counterexamplePath ?? ''}\n${json}`);
    expect.fail(`disagreement after ${details.numRuns} runs (${what}):\n${json}`);
  }
  if (details.failed) expect.fail(`property failed: ${String(details.errorInstance)}`);
  expect(details.numRuns).toBe(RUNS);
}

describe(`fast engine agrees with the reference model (${RUNS} runs each)`, () => {
  it('with the default options', () => {
    runDifferential(scenarioArb.map((s) => [s, undefined] as [Scenario, undefined]));
  }, TIMEOUT);

  it('with randomly chosen options', () => {
    runDifferential(fc.tuple(scenarioArb, optionsArb as fc.Arbitrary<Partial<EvaluationOptions> | undefined>));
  }, TIMEOUT);
});
