/** Every JSON error has the real line and column: a file cut short is reported where it stops, never at 1:1. */
import { describe, expect, it } from 'vitest';
import { parseJson } from '../../src/policy/json.js';

describe('JSON that ends too early', () => {
  it('is reported at the end of the text, with what is wrong', () => {
    const full = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: '*' }] }, null, 2);
    let cut = 0;
    for (let n = 0; n < 50; n++) {
      // Cut after a random structural character, where the parser needs more input.
      const stops = [...full.matchAll(/[[{:,]/g)].map((m) => (m.index ?? 0) + 1);
      const at = stops[Math.floor(Math.random() * stops.length)]!;
      const text = full.slice(0, at) + '\n'.repeat(Math.floor(Math.random() * 3));
      const r = parseJson(text);
      expect(r.ok).toBe(false);
      if (r.ok) continue;
      const lines = full.slice(0, at).split('\n');
      if (/ends too early/.test(r.error.message)) {
        cut++;
        expect(r.error, JSON.stringify(text)).toMatchObject({ line: lines.length, column: lines[lines.length - 1]!.length + 1 });
      } else {
        // Another message (an unexpected token): still a real position inside the text.
        expect(r.error.line).toBeGreaterThanOrEqual(1);
      }
    }
    expect(cut).toBeGreaterThan(10);
  });
  it('an empty or blank file says so', () => {
    for (const text of ['', '   ', '\n\n']) {
      const r = parseJson(text);
      expect(!r.ok && r.error.message).toMatch(/the file is empty/);
    }
  });
});
