/**
 * Hostile files through the CLI itself: in-process through `runCli` (every reading command
 * and output format), and a smaller sample as a real process with a time limit (a hang is
 * killed and fails the test). Exit status must be 0, 1 or 2 (3 is "a bug in nbjob-iam"), and
 * no output may say "internal error". Counts and seed: test/fuzz/harness.ts.
 */
import fc from 'fast-check';
import { performance } from 'node:perf_hooks';
import { expect, it } from 'vitest';
import { guarded, guardedAsync, MAX_CASE_MS } from './guard.js';
import { cases, fuzzStats, run, runAsync, summary, TIMEOUT } from './harness.js';
import { caseArb } from './mutations.js';
import { commandInProcess, commandProcess, CommandScratch, COMMANDS, seedKindOf, seeds } from './targets.js';

const S = seeds();

function seedsFor(kind: ReturnType<typeof seedKindOf>): Buffer[] {
  if (kind === 'policy') return S.policies;
  if (kind === 'scenario') return S.scenarios;
  if (kind === 'snapshot') return S.snapshots;
  return S.cliFiles.map((f) => f.bytes);
}

const commandCaseArb = fc.constantFrom(...COMMANDS).chain((cmd) => {
  const pool = seedsFor(seedKindOf(cmd));
  return fc.nat({ max: pool.length - 1 }).chain((i) => caseArb([pool[i] as Buffer]).map((c) => ({ cmd, i, c })));
});

it(
  'in-process (runCli): exit status 0, 1 or 2 and no internal error, for every reading command',
  async () => {
    const stats = fuzzStats('CLI in-process');
    const t0 = performance.now();
    const scratch = new CommandScratch(S.cliFiles);
    const seen = new Set<string>();
    let seed: number;
    try {
      seed = await runAsync(commandCaseArb, cases(200, 0.05), async ({ cmd, i, c }) => {
        seen.add(cmd);
        await guardedAsync(stats, c.bytes.length, async () => `exit ${(await commandInProcess(scratch, cmd, i, c.bytes)).exitCode}`);
      });
    } finally {
      scratch.remove();
    }
    summary('CLI in-process', stats, performance.now() - t0, seed);
    expect([...seen].sort()).toEqual([...COMMANDS].sort());
  },
  TIMEOUT,
);

it(
  'as a real process: exit status 0, 1 or 2 within the time limit',
  () => {
    const stats = fuzzStats('CLI process');
    const t0 = performance.now();
    const scratch = new CommandScratch(S.cliFiles);
    let seed: number;
    try {
      seed = run(commandCaseArb, cases(6, 0.001), ({ cmd, i, c }) => {
        guarded(stats, c.bytes.length, () => `exit ${commandProcess(scratch, cmd, i, c.bytes, MAX_CASE_MS).exitCode}`);
      });
    } finally {
      scratch.remove();
    }
    summary('CLI process', stats, performance.now() - t0, seed);
    expect(stats.cases).toBeGreaterThan(0);
  },
  TIMEOUT,
);
