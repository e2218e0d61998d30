/**
 * How the hostile-input fuzz tests run: case counts, seed, time limit, and the summary
 * line each prints under `npm run fuzz`.
 *
 * `npm test` runs a small fixed-seed sample (about 3,000 cases over all readers).
 * `npm run fuzz` sets FUZZ_RUNS (200,000) and each target runs FUZZ_RUNS × its weight, with a
 * fresh random seed (printed; FUZZ_SEED replays it): over 10⁶ cases in all (docs/fuzzing.md).
 */
import fc from 'fast-check';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { expect } from 'vitest';
import { fuzzSeed } from '../properties/generators.js';
import { newStats, type GuardStats } from './guard.js';
import { ROOT } from './targets.js';

/** Under `npm run fuzz`, progress and summary lines also go to reports/fuzz.log. */
const LOG = `${ROOT}reports/fuzz.log`;

/** Stats for one target; under `npm run fuzz` they log progress every 10,000 cases. */
export function fuzzStats(label: string): GuardStats {
  if (SCALE === undefined) return newStats();
  mkdirSync(`${ROOT}reports`, { recursive: true });
  return newStats({ label, every: 10_000, file: LOG, start: performance.now() });
}

const raw = Number(process.env.FUZZ_RUNS);
export const SCALE = process.env.FUZZ_RUNS !== undefined && Number.isInteger(raw) && raw > 0 ? raw : undefined;

/** Cases for one target: `sample` under npm test, FUZZ_RUNS × `weight` under `npm run fuzz`. */
export function cases(sample: number, weight: number): number {
  return SCALE === undefined ? sample : Math.max(sample, Math.round(SCALE * weight));
}

export const SEED = fuzzSeed();
/** No vitest time limit under `npm run fuzz` (each case has its own, test/fuzz/guard.ts). */
export const TIMEOUT = SCALE === undefined ? 180_000 : 0;

function preview(t: unknown): string {
  const bytes = caseBytes(t);
  return bytes ? JSON.stringify(bytes.subarray(0, 600).toString('utf8')) : '';
}

/**
 * FUZZ_SEED=<seed> FUZZ_PATH=<path> replays the one case a failure named (both are in its
 * message); the case's bytes are then also written to reports/fuzz-case-<seed>-<path>.bin.
 */
const REPLAY_PATH = process.env.FUZZ_PATH;

function caseBytes(t: unknown): Buffer | undefined {
  const c = (Array.isArray(t) ? t[0] : t) as { bytes?: Buffer; c?: { bytes?: Buffer } } | undefined;
  return c?.bytes ?? c?.c?.bytes;
}

function report(details: fc.RunDetails<[unknown]>, numRuns: number): number {
  if (details.failed) {
    if (REPLAY_PATH !== undefined) {
      const bytes = caseBytes(details.counterexample?.[0]);
      if (bytes) {
        mkdirSync(`${ROOT}reports`, { recursive: true });
        writeFileSync(`${ROOT}reports/fuzz-case-${details.seed}-${REPLAY_PATH.replace(/:/g, '.')}.bin`, bytes);
      }
    }
    expect.fail(`seed ${details.seed}, path ${details.counterexamplePath}: ${String(details.errorInstance)}\ncase (first 600 bytes): ${preview(details.counterexample?.[0])}`);
  }
  if (REPLAY_PATH === undefined) expect(details.numRuns).toBe(numRuns);
  return details.seed;
}

/** Runs `check` on `numRuns` cases; a failure names the seed and path that replay it. */
export function run<T>(arb: fc.Arbitrary<T>, numRuns: number, check: (t: T) => void): number {
  const details = fc.check(
    fc.property(arb, (t) => check(t)),
    { numRuns, seed: SEED, endOnFailure: true, ...(REPLAY_PATH !== undefined ? { path: REPLAY_PATH } : {}) },
  );
  return report(details as fc.RunDetails<[unknown]>, numRuns);
}

export async function runAsync<T>(arb: fc.Arbitrary<T>, numRuns: number, check: (t: T) => Promise<void>): Promise<number> {
  const details = await fc.check(
    fc.asyncProperty(arb, (t) => check(t)),
    { numRuns, seed: SEED, endOnFailure: true, ...(REPLAY_PATH !== undefined ? { path: REPLAY_PATH } : {}) },
  );
  return report(details as fc.RunDetails<[unknown]>, numRuns);
}

/** One summary line per target under `npm run fuzz` (docs/fuzzing.md quotes them). */
export function summary(name: string, s: GuardStats, ms: number, seed: number): void {
  if (SCALE === undefined) return;
  const line =
    `${name}: ${s.cases} cases in ${(ms / 1000).toFixed(1)} s, slowest case ${Math.round(s.maxMs)} ms (${s.maxMsBytes} bytes), ` +
    `max RSS ${Math.round(s.maxRss / 2 ** 20)} MB, seed ${seed}, outcomes ${JSON.stringify(s.outcomes)}`;
  console.log(line);
  appendFileSync(LOG, `${new Date().toISOString()} DONE ${line}\n`);
}
