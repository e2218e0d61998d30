/**
 * Hostile account snapshots (`check --snapshot`'s reader) and hostile AWS CLI files
 * (`snapshot --from-cli`, every file shape of the example account, one file mutated at a
 * time): typed errors with positions, never an internal error; bounded time and memory; no
 * prototype pollution. Counts and seed: test/fuzz/harness.ts.
 */
import fc from 'fast-check';
import { performance } from 'node:perf_hooks';
import { expect, it } from 'vitest';
import { guarded } from './guard.js';
import { cases, fuzzStats, run, summary, TIMEOUT } from './harness.js';
import { caseArb } from './mutations.js';
import { CliScratch, cliFileTarget, seeds, snapshotTarget } from './targets.js';

const S = seeds();

it(
  'check --snapshot: mutated snapshots are read or refused with positions',
  () => {
    const stats = fuzzStats('snapshot reader (in-process)');
    const t0 = performance.now();
    const seed = run(caseArb(S.snapshots), cases(150, 0.1), (c) => {
      guarded(stats, c.bytes.length, () => snapshotTarget(c.bytes));
    });
    summary('snapshot reader (in-process)', stats, performance.now() - t0, seed);
    expect(stats.outcomes.refused).toBeGreaterThan(0);
  },
  TIMEOUT,
);

it(
  'snapshot --from-cli: each AWS CLI file shape, mutated one at a time',
  () => {
    const stats = fuzzStats('from-cli reader (in-process)');
    const t0 = performance.now();
    const scratch = new CliScratch(S.cliFiles);
    const files = new Set<number>();
    let seed: number;
    try {
      const arb = fc.nat({ max: S.cliFiles.length - 1 }).chain((i) => caseArb([S.cliFiles[i]?.bytes as Buffer]).map((c) => ({ i, c })));
      seed = run(arb, cases(300, 0.1), ({ i, c }) => {
        files.add(i);
        guarded(stats, c.bytes.length, () => cliFileTarget(scratch, i, c.bytes));
      });
    } finally {
      scratch.remove();
    }
    summary('from-cli reader (in-process)', stats, performance.now() - t0, seed);
    expect(files.size).toBe(S.cliFiles.length);
  },
  TIMEOUT,
);
