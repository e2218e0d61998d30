/** Untrusted text shown safely: no control or bidi character ever reaches an output raw. */
import { describe, expect, it } from 'vitest';
import { cutForDisplay, cutLongWords, displayValue, escapeControlChars, escapeOutputControls, hasControlChars, maxOf, pushAll } from '../../src/text/sanitize.js';

const DANGEROUS = [
  ...Array.from({ length: 32 }, (_, i) => i).filter((i) => i !== 9 && i !== 10),
  0x7f,
  ...Array.from({ length: 32 }, (_, i) => 0x80 + i),
  0x061c, 0x200e, 0x200f, 0x2028, 0x2029, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069,
].map((c) => String.fromCharCode(c));

describe('escapeControlChars', () => {
  it('escapes every C0, DEL, C1 and bidi control, and nothing else', () => {
    for (const c of DANGEROUS) {
      const out = escapeControlChars(`a${c}b`);
      expect(hasControlChars(out), c.charCodeAt(0).toString(16)).toBe(false);
      expect(out).toMatch(/^a\\(u[0-9a-f]{4}|r)b$/);
    }
    expect(escapeControlChars('tab\there\nnext é ü 日本 ─')).toBe('tab\there\nnext é ü 日本 ─');
    expect(escapeControlChars('a\nb\tc', { singleLine: true })).toBe('a\\nb\\tc');
  });

  it('hasControlChars finds each dangerous character anywhere in plain ASCII, and nothing in safe text', () => {
    const plain = `${' ~'.repeat(40)}\t\n{"a": [1, 2]}`;
    expect(hasControlChars(plain)).toBe(false);
    expect(hasControlChars('tab\there\nnext é ü 日本 ─')).toBe(false);
    for (const c of DANGEROUS) {
      for (const at of [0, 7, plain.length]) expect(hasControlChars(plain.slice(0, at) + c + plain.slice(at)), c.charCodeAt(0).toString(16)).toBe(true);
      // Beside a safe non-ASCII letter (the fast ASCII test fails, the full one decides).
      expect(hasControlChars(`é${c}`), c.charCodeAt(0).toString(16)).toBe(true);
    }
  });
});

describe('escapeOutputControls (the backstop over a whole output)', () => {
  it('keeps the painter colours only when asked, escapes every other ESC', () => {
    const painted = '\u001b[31mFAIL\u001b[0m';
    const hostile = 'Sid \u001b]0;owned\u0007\u001b[2J\u009b31m';
    const colored = escapeOutputControls(`${painted} ${hostile}`, { keepColor: true });
    expect(colored.startsWith(painted)).toBe(true);
    expect(colored.slice(painted.length)).toBe(' Sid \\u001b]0;owned\\u0007\\u001b[2J\\u009b31m');
    expect(hasControlChars(escapeOutputControls(`${painted} ${hostile}`))).toBe(false);
  });
  it('keeps JSON valid and its values recoverable', () => {
    const value = { sid: 'x\u009b\u202e\u2028y' };
    const json = JSON.stringify(value);
    expect(JSON.parse(escapeOutputControls(json))).toEqual(value);
  });
});

describe('cutting long values', () => {
  it('cuts, says how much was left out, and never splits a surrogate pair', () => {
    expect(cutForDisplay('a'.repeat(10_000_000), 10)).toBe(`${'a'.repeat(9)}… (9999991 more characters)`);
    expect(cutForDisplay('short', 10)).toBe('short');
    const emoji = 'x'.repeat(8) + '😀'.repeat(5);
    expect(cutForDisplay(emoji, 10).startsWith('x'.repeat(8) + '…')).toBe(true);
    expect(displayValue('a\u001bb\nc'.repeat(100), 12)).toBe('a\\u001bb\\nca\\u001bb\\nca… (489 more characters)');
  });
  it('pushAll and maxOf take arrays far larger than the argument limit', () => {
    const big = Array.from({ length: 500_000 }, (_, i) => i);
    expect(pushAll([-1], big).length).toBe(500_001);
    expect(maxOf(big)).toBe(499_999);
    expect(maxOf([], 7)).toBe(7);
  });
});

describe('cutLongWords', () => {
  it('cuts only the long words of a message, however long they are', () => {
    const msg = `Action "s3:${'a'.repeat(10_000_000)}" is not an action; see "docs"`;
    const out = cutLongWords(msg, 20);
    expect(out).toBe(`Action "s3:${'a'.repeat(15)}… (9999986 more characters) is not an action; see "docs"`);
    expect(cutLongWords(out, 20)).toBe(out);
    expect(cutLongWords('short words stay', 5)).toBe('short words stay');
    expect(cutLongWords(`x ${'b'.repeat(30)}\n${'c'.repeat(30)} y`, 10)).toBe(`x ${'b'.repeat(9)}… (21 more characters)\n${'c'.repeat(9)}… (21 more characters) y`);
  });
});
