/**
 * The catalog's glob intersection ("IAM JSON policy elements: Resource": `*` any run, `?`
 * one character) and the bounded edit distance behind "did you mean".
 */
import { describe, expect, it } from 'vitest';
import { intersects, literalTokens, matchesText, policyTokens, templateTokens } from '../../src/catalog/glob.js';
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
