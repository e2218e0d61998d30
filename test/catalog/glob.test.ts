/**
 * The catalog's glob intersection ("IAM JSON policy elements: Resource": `*` any run, `?`
 * one character) and the bounded edit distance behind "did you mean".
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { intersects, literalTokens, matchesText, policyTokens, templateTokens } from '../../src/catalog/glob.js';
import type { GlobToken } from '../../src/catalog/glob.js';
import { boundedDamerauLevenshtein } from '../../src/catalog/suggest.js';

describe('glob intersection', () => {
  it('matches concrete text with * and ?', () => {
    expect(matchesText(policyTokens('Get*'), 'GetObject')).toBe(true);
    expect(matchesText(policyTokens('*Object'), 'GetObjectAcl')).toBe(false);
    expect(matchesText(policyTokens('G?t*'), 'GetObject')).toBe(true);
    expect(matchesText(policyTokens('get*'), 'GetObject')).toBe(false);
    expect(matchesText(policyTokens('get*'), 'GetObject', true)).toBe(true);
    expect(matchesText(policyTokens('*'), '')).toBe(true);
    expect(matchesText(policyTokens('?'), '')).toBe(false);
  });

  it('decides whether two patterns share a string', () => {
    const object = templateTokens('${BucketName}/${ObjectName}', (n) => (n === 'BucketName' ? 'no-slash' : 'any'));
    const bucket = templateTokens('${BucketName}', (n) => (n === 'BucketName' ? 'no-slash' : 'any'));
    expect(intersects(policyTokens('b/*'), object)).toBe(true);
    expect(intersects(policyTokens('b'), object)).toBe(false);
    expect(intersects(policyTokens('b/*'), bucket)).toBe(false);
    expect(intersects(policyTokens('b-*'), bucket)).toBe(true);
    expect(intersects(policyTokens('b-*'), object)).toBe(true);
    expect(intersects(policyTokens('b/'), object)).toBe(false);
  });

  it('reads a policy variable as unknown text, unless variables are off', () => {
    expect(intersects(policyTokens('home/${aws:username}/*'), literalTokens('home/alice/x'))).toBe(true);
    expect(intersects(policyTokens('home/${aws:username}', { variables: false }), literalTokens('home/alice'))).toBe(false);
    expect(intersects(policyTokens('home/${aws:username'), literalTokens('home/${aws:username'))).toBe(true);
  });

  it('is linear in practice on adversarial input (answers, no backtracking blow-up)', () => {
    const p = policyTokens(`${'*a'.repeat(200)}*b`);
    expect(matchesText(p, 'a'.repeat(5000))).toBe(false);
    expect(matchesText(p, `${'a'.repeat(5000)}b`)).toBe(true);
  });
});

describe('bounded Damerau-Levenshtein', () => {
  it('counts a swap of neighbours as one edit', () => {
    expect(boundedDamerauLevenshtein('getobjcet', 'getobject', 3)).toBe(1);
    expect(boundedDamerauLevenshtein('ab', 'ba', 3)).toBe(1);
  });

  it('counts insertions, deletions and substitutions', () => {
    expect(boundedDamerauLevenshtein('kitten', 'sitting', 3)).toBe(3);
    expect(boundedDamerauLevenshtein('', 'abc', 3)).toBe(3);
    expect(boundedDamerauLevenshtein('same', 'same', 0)).toBe(0);
  });

  it('stops past the bound', () => {
    expect(boundedDamerauLevenshtein('kitten', 'sitting', 2)).toBe(Infinity);
    expect(boundedDamerauLevenshtein('a', 'abcdef', 2)).toBe(Infinity);
  });
});

/** Every string over `alphabet` up to `max` characters. */
function allStrings(alphabet: string, max: number): string[] {
  const out = [''];
  for (let len = 1, from = 0; len <= max; len++) {
    const to = out.length;
    for (let i = from; i < to; i++) for (const c of alphabet) out.push((out[i] as string) + c);
    from = to;
  }
  return out;
}

/** Reference matcher by recursion: does `text` fit the tokens? */
function fits(tokens: readonly GlobToken[], text: string, ignoreCase: boolean): boolean {
  const go = (i: number, j: number): boolean => {
    if (i === tokens.length) return j === text.length;
    const t = tokens[i] as GlobToken;
    if (t.t === 'star') {
      for (let k = j; k <= text.length; k++) {
        if (k > j && t.cls === 'no-slash' && text[k - 1] === '/') break;
        if (go(i + 1, k)) return true;
      }
      return false;
    }
    if (j >= text.length) return false;
    const c = text[j] as string;
    if (t.t === 'one') return (t.cls === 'any' || c !== '/') && go(i + 1, j + 1);
    return (ignoreCase ? t.c.toLowerCase() === c.toLowerCase() : t.c === c) && go(i + 1, j + 1);
  };
  return go(0, 0);
}

describe('glob intersection against enumeration', () => {
  // Literal heads and tails are compared directly before the product walk: the answer must
  // be the walk's, i.e. whether some string fits both ("IAM JSON policy elements: Resource").
  const alphabet = 'aBb/';
  const universe = allStrings(alphabet, 5);
  const token = fc.oneof(
    { weight: 5, arbitrary: fc.constantFrom(...alphabet).map((c): GlobToken => ({ t: 'lit', c })) },
    { weight: 1, arbitrary: fc.constantFrom<GlobToken>({ t: 'star', cls: 'any' }, { t: 'star', cls: 'no-slash' }) },
    { weight: 1, arbitrary: fc.constantFrom<GlobToken>({ t: 'one', cls: 'any' }, { t: 'one', cls: 'no-slash' }) },
  );
  const pattern = fc.array(token, { maxLength: 4 });

  it('says two patterns share a string exactly when a string of up to five characters fits both', () => {
    const seen = { yes: 0, no: 0, headOrTailLiteral: 0 };
    fc.assert(
      fc.property(pattern, pattern, fc.boolean(), (a, b, ignoreCase) => {
        // Patterns of at most 4 tokens share a string iff they share one of length ≤ 4 + 1 (a star needs at most one character of its own).
        const expected = universe.some((s) => fits(a, s, ignoreCase) && fits(b, s, ignoreCase));
        expect(intersects(a, b, ignoreCase)).toBe(expected);
        seen[expected ? 'yes' : 'no']++;
        if ((a[0]?.t === 'lit' && b[0]?.t === 'lit') || (a.at(-1)?.t === 'lit' && b.at(-1)?.t === 'lit')) seen.headOrTailLiteral++;
      }),
      { numRuns: 3000, seed: 20261203 },
    );
    // The generator reaches both answers and the literal-head/tail shortcut.
    expect(seen.yes).toBeGreaterThan(300);
    expect(seen.no).toBeGreaterThan(300);
    expect(seen.headOrTailLiteral).toBeGreaterThan(1000);
  });
});
