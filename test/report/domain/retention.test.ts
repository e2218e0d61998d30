/**
 * A streamed domain report keeps nothing of a profile's result once its section is written:
 * only counters and a status letter per step (DomainTally). Each renderer is fed fresh copies
 * of results, and when it hands back its last chunk (the summary, which needs every profile)
 * no result object may still be reachable from it. A renderer or tally that kept results
 * (e.g. to build the HTML or Markdown matrix at the end) grows a 10,000-profile run by
 * gigabytes; this is the test that says so, without timing or measuring memory.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { domainChunks, DOMAIN_FORMATS } from '../../../src/report/check/domain-render.js';
import type { ProfileCheck } from '../../../src/report/check/domain.js';
import { checkDomain } from './fixture.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const base = checkDomain();
const PROFILES = 30;

async function collect(): Promise<void> {
  // WeakRef targets stay alive until the current job ends: let it end, then collect.
  await new Promise((resolve) => setTimeout(resolve, 0));
  gc();
  await new Promise((resolve) => setTimeout(resolve, 0));
  gc();
}

describe('a streamed domain report retains no profile result', () => {
  for (const format of DOMAIN_FORMATS) {
    it(`${format}: every result is collectable when the summary is written`, async () => {
      const refs: WeakRef<object>[] = [];
      function* profiles(): Generator<ProfileCheck> {
        for (let i = 0; i < PROFILES; i++) {
          const from = base[i % base.length]!;
          const result = structuredClone(from.result);
          refs.push(new WeakRef(result));
          yield { label: `${from.label} #${i}`, result };
        }
      }
      const chunks = domainChunks(profiles(), format, { width: 100 });
      let last = '';
      // Hold the generator at its last chunk (the summary): it is still alive, as a caller
      // writing the summary would hold it.
      for (let next = chunks.next(); !next.done; next = chunks.next()) {
        last = next.value;
        if (refs.length === PROFILES && last.length > 0 && isSummary(format, last)) break;
      }
      expect(refs.length).toBe(PROFILES);
      await collect();
      // The last profile may still sit in a suspended generator's frame (one, not a growing list).
      const alive = refs.flatMap((r, i) => (r.deref() !== undefined && i < PROFILES - 1 ? [i] : []));
      expect(alive).toEqual([]);
      // The summary counted every profile (it was not emptied to pass the test).
      expect(last).toMatch(summaryCount(format));
      chunks.return(undefined);
    });
  }

  it('the check can fail: results still held are found, the others are collected', async () => {
    const kept: ProfileCheck[] = [];
    const refs: WeakRef<object>[] = [];
    for (let i = 0; i < 5; i++) {
      const result = structuredClone(base[0]!.result);
      refs.push(new WeakRef(result));
      if (i % 2 === 0) kept.push({ label: `x${i}`, result });
    }
    await collect();
    expect(refs.map((r) => r.deref() !== undefined)).toEqual([true, false, true, false, true]);
    expect(kept.length).toBe(3);
  });
});

function isSummary(format: (typeof DOMAIN_FORMATS)[number], chunk: string): boolean {
  switch (format) {
    case 'json':
      return chunk.includes('\n  "summary": ');
    case 'sarif':
      return chunk.includes('"tool"');
    case 'markdown':
      return chunk.includes('Summary:');
    case 'html':
      return chunk.includes('id="domain-summary"');
    case 'text':
      return chunk.includes('Notebook jobs: every profile and space');
  }
}

function summaryCount(format: (typeof DOMAIN_FORMATS)[number]): RegExp {
  return format === 'json' || format === 'sarif' ? new RegExp(`"profiles": ${PROFILES}\\b`) : new RegExp(`of ${PROFILES} profiles`);
}
