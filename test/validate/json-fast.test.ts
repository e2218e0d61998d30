/**
 * The one-pass positioned JSON reader gives exactly the tree momoa gives (values, paths,
 * line/column/offset of every value and key, duplicates), and hands everything it does not
 * handle exactly like momoa back to momoa.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseJson, parseJsonMomoa } from '../../src/policy/json.js';
import { parsePositioned } from '../../src/policy/json-fast.js';

const root = path.join(import.meta.dirname, '../..');

function jsonFiles(dir: string, out: string[] = []): string[] {
  for (const f of readdirSync(dir)) {
    const p = path.join(dir, f);
    if (statSync(p).isDirectory()) jsonFiles(p, out);
    else if (f.endsWith('.json')) out.push(p);
  }
  return out;
}

describe('parsePositioned', () => {
  const files = [...jsonFiles(path.join(root, 'test/conformance/scenarios')), ...jsonFiles(path.join(root, 'examples')), ...jsonFiles(path.join(root, 'test/validate/fixtures'))];

  it('builds the same tree as momoa for every scenario, example and fixture file', () => {
    expect(files.length).toBeGreaterThan(900);
    let fast = 0;
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      const viaMomoa = parseJsonMomoa(text);
      const mine = parsePositioned(text);
      if (!viaMomoa.ok) {
        expect(mine, f).toBeUndefined();
        continue;
      }
      if (mine === undefined) continue; // handed to momoa (e.g. a character outside the BMP): fine, counted below
      fast++;
      expect(mine.root, f).toEqual(viaMomoa.root);
      expect(mine.duplicates, f).toEqual(viaMomoa.duplicates);
    }
    // Nearly every file is read by the fast path (only odd ones go to momoa).
    expect(fast).toBeGreaterThan(files.length * 0.9);
  });

  it('same positions and duplicates on hand-made text with escapes, numbers and nesting', () => {
    const text = '{\n  "a": [1, -2.5e3, 0, true, false, null],\n\t"b\\u0041": {"c": "x\\"y", "c": {}},\n  "": []\n}\n';
    const mine = parsePositioned(text)!;
    const ref = parseJsonMomoa(text);
    expect(ref.ok).toBe(true);
    expect(mine.root).toEqual(ref.ok && ref.root);
    expect(mine.duplicates).toEqual(ref.ok && ref.duplicates);
    expect(mine.duplicates).toHaveLength(1);
  });

  it('CR LF and lone CR line breaks: the same positions as momoa, on the fast path (Windows files)', () => {
    for (const text of ['{\r\n  "a": [1,\r\n    2],\r\n  "b": {"c": "x"}\r\n}\r\n', '{\r "a":\r\n  1,\r "b": 2,\n"c": 3}', '\r\n\r\n[\r\n"x"\r]']) {
      const mine = parsePositioned(text);
      const ref = parseJsonMomoa(text);
      expect(ref.ok, JSON.stringify(text)).toBe(true);
      expect(mine, JSON.stringify(text)).toBeDefined();
      expect(mine!.root).toEqual(ref.ok && ref.root);
    }
  });

  it('hands invalid or unusual text to momoa, which reports it as before', () => {
    for (const bad of ['{"a":}', '{"a":1,}', '[01]', '{"a":1} x', '"\u0001"', '{"a":"\\x"}', '\ufeff{}', '{"a":"😀"}', '[' .repeat(70) + ']'.repeat(70), '']) {
      expect(parsePositioned(bad), JSON.stringify(bad)).toBeUndefined();
      expect(parseJson(bad)).toEqual(parseJsonMomoa(bad));
    }
  });
});
