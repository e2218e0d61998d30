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
    // The real count when this guard was last raised (935 scenarios, examples, fixtures): a lost folder fails here.
    expect(files.length).toBeGreaterThanOrEqual(988);
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

describe('JSON paths', () => {
  it('a key is written `.key` exactly when it matches /^[A-Za-z_][A-Za-z0-9_]*$/, else quoted (random keys, every character class)', () => {
    const pick = 'aZ_09$-. é\u0000"\\\u2028';
    const keys = ['', '_', '0', 'a0', '0a', 'Statement', 'aws:SourceIp', 'a b', '__proto__', 'é', 'A_Z_9'];
    // Random keys from the interesting characters (deterministic seed-free LCG: varied, reproducible).
    let x = 12345;
    for (let n = 0; n < 2000; n++) {
      let k = '';
      const len = n % 6;
      for (let i = 0; i < len; i++) {
        x = (x * 1103515245 + 12345) % 2 ** 31;
        k += pick[x % pick.length];
      }
      keys.push(k);
    }
    let plain = 0;
    for (const k of keys) {
      const ident = /^[A-Za-z_][A-Za-z0-9_]*$/.test(k);
      if (ident) plain++;
      const text = JSON.stringify({ [k]: 1 });
      const tree = parsePositioned(text) ?? parseJsonMomoa(text);
      const root = 'root' in tree ? tree.root : undefined;
      expect(root?.type).toBe('object');
      const member = root?.type === 'object' ? root.members[0] : undefined;
      expect(member?.value.path, JSON.stringify(k)).toBe(ident ? `$.${k}` : `$[${JSON.stringify(k)}]`);
    }
    // Both kinds were reached.
    expect(plain).toBeGreaterThan(100);
    expect(keys.length - plain).toBeGreaterThan(100);
  });
});

describe('SubtreeCache: an object found again is the tree a fresh reading gives', () => {
  function cache() {
    const held = new Map<string, import('../../src/policy/json-fast.js').CachedSubtree>();
    return { held, c: { wants: (p: string) => p === '$.p', get: (k: string) => held.get(k), set: (k: string, v: import('../../src/policy/json-fast.js').CachedSubtree) => void held.set(k, v) } };
  }
  const withoutOffsets = (v: unknown): unknown => JSON.parse(JSON.stringify(v, (k, x: unknown) => (k === 'offset' ? undefined : x)));

  it('same place, other text before and after: paths, lines and columns inside, and every position after it, as a fresh reading', () => {
    const p = '{"Statement": [\n    {"Effect": "Allow",\r\n     "Action": "s3:GetObject", "x": 1, "x": 2}\n  ]}';
    const a = `{"a": "x",\n"p": ${p},\n"z": 1}`;
    const b = `{"a": "yyyyyy",\n"p": ${p}, "w": [1,\n  2]}`;
    const { held, c } = cache();
    const first = parsePositioned(a, c)!;
    expect(held.size).toBe(1);
    const shared = parsePositioned(b, c)!;
    const fresh = parsePositioned(b)!;
    expect(shared.root.type === 'object' && shared.root.members[1]!.value).toBe(first.root.type === 'object' && first.root.members[1]!.value);
    // Outside the shared object: exactly the fresh tree (offsets too).
    const outside = (t: typeof fresh) => (t.root.type === 'object' ? t.root.members.filter((m) => m.key !== 'p') : []);
    expect(outside(shared)).toEqual(outside(fresh));
    // Inside: the same lines, columns and paths (offsets are the first text's, and unused).
    expect(withoutOffsets(shared.root)).toEqual(withoutOffsets(fresh.root));
    // The duplicate key inside is listed again for the second text.
    expect(withoutOffsets(shared.duplicates)).toEqual(withoutOffsets(fresh.duplicates));
    expect(fresh.duplicates).toHaveLength(1);
  });

  it('the same text at another line or column is read afresh', () => {
    const p = '{"k": [1, 2]}';
    const { held, c } = cache();
    parsePositioned(`{"p": ${p}}`, c);
    const moved = parsePositioned(`{ "p": ${p}}`, c)!;
    const down = parsePositioned(`{\n"p": ${p}}`, c)!;
    expect(held.size).toBe(3);
    expect(moved.root).toEqual(parsePositioned(`{ "p": ${p}}`)!.root);
    expect(down.root).toEqual(parsePositioned(`{\n"p": ${p}}`)!.root);
  });
});
