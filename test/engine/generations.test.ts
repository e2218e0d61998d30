/**
 * Generations: the bounded map behind the caches a caller holds for one run (PolicyCompiler,
 * ScenarioPolicyCache). What is used stays, what is not is dropped after two generations, and
 * the weights it reports are the weights held. (Tests for the survivors of Stryker's run of
 * generations.ts, docs/mutation.md.)
 */
import { describe, expect, it } from 'vitest';
import { Generations } from '../../src/engine/generations.js';

describe('Generations', () => {
  it('a generation is full at `capacity` entries: the third of a two-entry generation starts a new one, and the one before is dropped', () => {
    const g = new Generations<string, number>(2, 1_000);
    for (const [i, k] of ['a', 'b', 'c', 'd', 'e'].entries()) g.set(k, i, 1);
    // a, b | c, d | e: the first generation is gone, the second is the old one.
    expect(g.get('a')).toBeUndefined();
    expect(g.get('b')).toBeUndefined();
    expect(g.size).toBe(3);
    expect(g.get('c')).toBe(2);
  });

  it('nothing is dropped while a generation has room (a set never starts a generation by itself)', () => {
    const g = new Generations<string, number>(10, 1_000);
    for (const [i, k] of ['a', 'b', 'c'].entries()) g.set(k, i, 1);
    expect(g.size).toBe(3);
    expect([g.get('a'), g.get('b'), g.get('c')]).toEqual([0, 1, 2]);
  });

  it('a generation is full when the next weight would pass `maxWeight` (reaching it exactly still fits)', () => {
    const g = new Generations<string, string>(10, 10);
    g.set('a', 'a', 5);
    g.set('b', 'b', 5); // 10: still fits
    g.set('c', 'c', 1); // 11: a new generation; a and b are old
    g.set('d', 'd', 1);
    g.set('e', 'e', 9); // 2 + 9 = 11: a new generation; a and b are dropped
    expect(g.get('b')).toBeUndefined();
    expect(g.get('a')).toBeUndefined();
    expect(g.get('c')).toBe('c');
  });

  it('setting a key again replaces its weight, growing adds to it, and weight counts both generations', () => {
    const g = new Generations<string, number>(2, 1_000);
    g.set('a', 1, 5);
    g.set('a', 2, 5);
    expect(g.weight).toBe(5);
    g.grow('a', 3);
    expect(g.weight).toBe(8);
    g.set('b', 3, 1);
    g.set('c', 4, 1); // a new generation: a (8) and b (1) are old
    expect(g.weight).toBe(10);
    expect(g.size).toBe(3);
    // Growing a key that is not in the young generation (old, or absent) changes nothing.
    expect(() => g.grow('a', 4)).not.toThrow();
    expect(() => g.grow('missing', 4)).not.toThrow();
    expect(g.weight).toBe(10);
  });

  it('an old entry that is used again moves back to the young generation and survives the next turn', () => {
    const g = new Generations<string, number>(2, 1_000);
    g.set('keep', 0, 1);
    g.set('x', 1, 1);
    g.set('y', 2, 1); // keep, x are old
    expect(g.get('keep')).toBe(0); // back to young: y, keep
    g.set('z', 3, 1); // young full: y, keep become old; x is dropped
    expect(g.get('x')).toBeUndefined();
    expect(g.get('keep')).toBe(0);
  });
});
