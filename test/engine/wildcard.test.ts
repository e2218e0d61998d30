import { describe, expect, it } from 'vitest';
import { compileWildcard, compileWildcardTokens, wildcardMatch } from '../../src/engine/wildcard.js';

describe('wildcard matcher ("IAM JSON policy elements: Resource" / "Condition operators: StringLike")', () => {
  it('`*` matches zero or more characters, `?` exactly one', () => {
    expect(wildcardMatch('a*c', 'ac')).toBe(true);
    expect(wildcardMatch('a*c', 'abbbc')).toBe(true);
    expect(wildcardMatch('a?c', 'abc')).toBe(true);
    expect(wildcardMatch('a?c', 'ac')).toBe(false);
    expect(wildcardMatch('a?c', 'abbc')).toBe(false);
    expect(wildcardMatch('*', '')).toBe(true);
    expect(wildcardMatch('', '')).toBe(true);
    expect(wildcardMatch('', 'x')).toBe(false);
    expect(wildcardMatch('**', 'anything')).toBe(true);
  });

  it('Resource: `*` spans `/` (b/*/test/* matches b/1/2/test/x.jpg but not b/test/x.jpg) (G7)', () => {
    const m = compileWildcard('b/*/test/*');
    expect(m.test('b/1/2/test/3/x.jpg')).toBe(true);
    expect(m.test('b//test/x')).toBe(true);
    expect(m.test('b/1/test/')).toBe(true);
    expect(m.test('b/test/x.jpg')).toBe(false);
    expect(m.test('b/1-test/x')).toBe(false);
    expect(compileWildcard('b/file?.txt').test('b/file.txt')).toBe(false);
  });

  it('prefix, suffix and middle segments with `?` (leftmost placement is correct)', () => {
    expect(wildcardMatch('ab*?d*ef', 'abXdYef')).toBe(true);
    expect(wildcardMatch('ab*?d*ef', 'abdef')).toBe(false);
    expect(wildcardMatch('a*a', 'a')).toBe(false);
    expect(wildcardMatch('a*a', 'aa')).toBe(true);
    expect(wildcardMatch('*x?z*', 'xxxyz')).toBe(true);
    expect(wildcardMatch('*a?c', 'abcac')).toBe(false);
    expect(wildcardMatch('*a?c', 'abcabc')).toBe(true);
    expect(wildcardMatch('?*', '')).toBe(false);
  });

  it('Action: ignoreCase compares locale-independently ("Action": case-insensitive) (G5)', () => {
    const m = compileWildcard('S3:get*', { ignoreCase: true });
    expect(m.test('s3:GetObject')).toBe(true);
    expect(m.testLower('s3:getobject')).toBe(true);
    expect(compileWildcard('S3:get*').test('s3:GetObject')).toBe(false);
  });

  it('literal fast path: no wildcard means plain equality, `.` and regex characters are literal', () => {
    const m = compileWildcard('a.b+c(d)[e]');
    expect(m.test('a.b+c(d)[e]')).toBe(true);
    expect(m.test('aXb+c(d)[e]')).toBe(false);
  });

  it('substituted text is literal: a `*` token from a variable is not a wildcard (Policy variables)', () => {
    const m = compileWildcardTokens([{ t: 'lit', s: 'home/' }, { t: 'lit', s: '*' }, { t: 'star' }]);
    expect(m.test('home/*/x')).toBe(true);
    expect(m.test('home/alice/x')).toBe(false);
  });

  it('pathological pattern: 50 stars of `a` then `b` against 64 KB of `a` (correctness; linear algorithm)', () => {
    const pattern = `${'*a'.repeat(50)}*b`;
    const input = 'a'.repeat(64 * 1024);
    const m = compileWildcard(pattern);
    expect(m.test(input)).toBe(false);
    expect(m.test(`${input}b`)).toBe(true);
    const q = compileWildcard(`${'*a?'.repeat(50)}*b`);
    expect(q.test(input)).toBe(false);
    expect(q.test(`${input}b`)).toBe(true);
  });

  it('matches a brute-force reference on random patterns', () => {
    const ref = (p: string, s: string): boolean => {
      const memo = new Map<string, boolean>();
      const go = (i: number, j: number): boolean => {
        const k = `${i},${j}`;
        const hit = memo.get(k);
        if (hit !== undefined) return hit;
        let r: boolean;
        if (i === p.length) r = j === s.length;
        else if (p[i] === '*') r = go(i + 1, j) || (j < s.length && go(i, j + 1));
        else r = j < s.length && (p[i] === '?' || p[i] === s[j]) && go(i + 1, j + 1);
        memo.set(k, r);
        return r;
      };
      return go(0, 0);
    };
    // A 32-bit LCG in integer arithmetic (Math.imul): `seed * 1103515245` in doubles passes
    // 2^53, loses its low bits, and then only ever drew 'a' and 'b' (no wildcard at all).
    let seed = 7;
    const rnd = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 16) % n;
    };
    const alpha = 'ab*?';
    const reached = { star: 0, question: 0, both: 0, matched: 0, unmatched: 0 };
    for (let t = 0; t < 3000; t++) {
      const p = Array.from({ length: rnd(7) }, () => alpha[rnd(4)]).join('');
      const s = Array.from({ length: rnd(8) }, () => 'ab'[rnd(2)]).join('');
      const expected = ref(p, s);
      expect(wildcardMatch(p, s), `${p} vs ${s}`).toBe(expected);
      expect(compileWildcard(p).test(s), `compiled ${p} vs ${s}`).toBe(expected);
      if (p.includes('*')) reached.star++;
      if (p.includes('?')) reached.question++;
      if (p.includes('*') && p.includes('?')) reached.both++;
      if (expected) reached.matched++;
      else reached.unmatched++;
    }
    // The generator must reach the shapes it claims (measured counts for this seed).
    expect(reached).toEqual({ star: 1526, question: 1483, both: 883, matched: 593, unmatched: 2407 });
  });
});
