/**
 * check --all-profiles streams: each profile is rendered and written out as it is checked
 * (before the next is checked), only counters are kept, and the report is byte for byte what
 * renderDomain gives for the whole list, in every format.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// The generator ships as plain JavaScript (npm run gen:account).
// @ts-expect-error: no type declarations for a .mjs script
import { generateAccount } from '../../bench/gen-account.mjs';
import { execute, present, run } from '../../src/cli/commands/check.js';
import type { RunContext } from '../../src/cli/context.js';
import type { CheckFormatName, CheckOptions } from '../../src/cli/options.js';

const root = path.join(import.meta.dirname, '../..');
const tmp = mkdtempSync(path.join(tmpdir(), 'nbjob-check-stream-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const generated = path.join(tmp, 'domain.json');
writeFileSync(generated, JSON.stringify((generateAccount as (o: object) => unknown)({ profiles: 8, spaces: 2, seed: 7 })));

const ctx = (writes?: string[]): RunContext => ({
  cwd: root,
  readStdin: () => Promise.reject(new Error('no stdin')),
  color: false,
  packageRoot: root,
  version: '0.0.0-test',
  ...(writes ? { writeStdout: (t: string) => Promise.resolve(void writes.push(t)) } : {}),
});

const FORMATS: CheckFormatName[] = ['text', 'json', 'markdown', 'sarif', 'html'];

describe('check --all-profiles streams its report', () => {
  for (const [name, source] of [
    ['the example account', { kind: 'example' }],
    ['a generated domain (8 profiles, 2 spaces)', { kind: 'snapshot', file: generated }],
  ] as const) {
    it(`${name}: the streamed report equals the whole-list report in every format`, async () => {
      for (const format of FORMATS) {
        const options: CheckOptions = { source, allProfiles: true, verbose: false, format };
        const whole = present(await run(options, ctx()), options, ctx());
        const inMemory = await execute(options, ctx());
        const writes: string[] = [];
        const streamed = await execute(options, ctx(writes));
        expect(inMemory.stdout, format).toBe(whole.stdout);
        expect(streamed.stdout, format).toBe('');
        expect(writes.join(''), format).toBe(whole.stdout);
        // Written in pieces: the beginning with the first profile, then one piece per profile, then the summary.
        expect(writes.length, format).toBeGreaterThanOrEqual(2);
        expect([inMemory.exitCode, streamed.exitCode], format).toEqual([whole.exitCode, whole.exitCode]);
        if (format === 'json') JSON.parse(writes.join(''));
      }
    }, 120_000);
  }

  it('the generated domain has failing and passing profiles (the summary has something to count)', async () => {
    const options: CheckOptions = { source: { kind: 'snapshot', file: generated }, allProfiles: true, verbose: false, format: 'json' };
    const out = JSON.parse((await execute(options, ctx())).stdout) as { summary: { profiles: number; failing: number; whatFails: unknown[] } };
    expect(out.summary.profiles).toBe(10);
    expect(out.summary.failing).toBeGreaterThan(0);
    expect(out.summary.failing).toBeLessThan(10);
    expect(out.summary.whatFails.length).toBeGreaterThan(0);
  }, 60_000);
});
