/** The hostile-input generator reaches what it claims (test/fuzz/mutations.ts). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkNoForeignPrototype, checkPrototypes, FuzzBug, MAX_CASE_MS, MAX_RSS_BYTES } from './guard.js';
import { applyMutations, caseArb, Lazy, MAX_CASE_BYTES, MUTATION_KINDS } from './mutations.js';
import { policyTarget, seeds } from './targets.js';

const S = seeds();

describe('the hostile-input generator', () => {
  it('has seeds of every kind: policies, scenarios, a snapshot, every AWS CLI file of the example', () => {
    expect({ policies: S.policies.length, scenarios: S.scenarios.length, snapshots: S.snapshots.length, cliFiles: S.cliFiles.length }).toEqual({
      policies: 617,
      scenarios: 935,
      snapshots: 1,
      cliFiles: 24,
    });
  });

  it('draws every mutation kind, keeps cases under the size cap, and yields both accepted and refused files', () => {
    const drawn = new Set<string>();
    const needles = ['__proto__', '\u001b', '\xef\xbb\xbf', '\xff\xfe', '[[[[[[[[[['];
    const found = new Set<string>();
    const outcomes: Record<string, number> = {};
    let largest = 0;
    let huge = 0;
    fc.assert(
      fc.property(caseArb(S.policies), (c) => {
        for (const m of c.mutations) drawn.add(`${m.level}:${m.m.op}`);
        largest = Math.max(largest, c.bytes.length);
        if (c.bytes.length > 100_000) huge++;
        const text = c.bytes.toString('latin1');
        for (const n of needles) if (text.includes(n)) found.add(n);
        const o = policyTarget(c.bytes, 'identity');
        outcomes[o] = (outcomes[o] ?? 0) + 1;
      }),
      { numRuns: 1_000, seed: 7 },
    );
    expect(drawn.size).toBe(MUTATION_KINDS.value + MUTATION_KINDS.bytes);
    expect(largest).toBeLessThanOrEqual(MAX_CASE_BYTES);
    expect([...found].sort()).toEqual([...needles].sort());
    // Measured for this seed: most mutants are refused, a real share still reads as a
    // policy, and some cases are huge (over 100 KB).
    expect({ ...outcomes, huge }).toEqual({ accepted: 62, refused: 938, huge: 17 });
  });

  it('a `__proto__` key added by a mutation is an own key of the file, not a prototype', () => {
    const seed = Buffer.from('{"Version":"2012-10-17","Statement":[]}');
    const out = applyMutations(seed, [{ level: 'value', m: { op: 2, pick: 0, value: new Lazy(() => ({ polluted: 'yes' }), 'polluted'), key: '__proto__' } }], false);
    expect(out.toString()).toBe('{"Version":"2012-10-17","Statement":[],"__proto__":{"polluted":"yes"}}');
  });

  it('the guards fail on what they guard against', () => {
    expect(MAX_CASE_MS).toBeGreaterThan(0);
    expect(MAX_RSS_BYTES).toBeGreaterThan(0);
    const foreign = JSON.parse('{"a":{"__proto__":{"polluted":"yes"}}}') as { a: object };
    Object.setPrototypeOf(foreign.a, { polluted: 'yes' });
    expect(() => checkNoForeignPrototype(foreign)).toThrow(FuzzBug);
    expect(() => checkNoForeignPrototype({ m: new Map([['k', [1, 'x']]]), d: new Date(0) })).not.toThrow();
    (Object.prototype as Record<string, unknown>).polluted = 'yes';
    try {
      expect(() => checkPrototypes()).toThrow(/Object.prototype/);
    } finally {
      delete (Object.prototype as Record<string, unknown>).polluted;
    }
    expect(() => checkPrototypes()).not.toThrow();
  });
});
