/**
 * Reading a snapshot fast: JSON.parse, a duplicate-key scan and the validator generated from
 * the schema; momoa only to say where something is wrong.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSnapshotText } from '../../src/account/read-snapshot.js';
import { needsSlowPath, parseJsonFast } from '../../src/policy/json-fast.js';
// @ts-expect-error: a plain .mjs build script, no type declarations
import { generatedValidator, OUTPUT } from '../../scripts/gen-snapshot-validator.mjs';

const root = path.join(import.meta.dirname, '../..');

describe('the generated snapshot validator', () => {
  it('is what scripts/gen-snapshot-validator.mjs writes for the current schema (regenerate after a schema change)', () => {
    expect(readFileSync(OUTPUT as string, 'utf8')).toBe((generatedValidator as () => string)());
  });
});

describe('needsSlowPath: the duplicate-key and depth scan', () => {
  it('finds a duplicate key wherever it is, compared after unescaping', () => {
    expect(needsSlowPath('{"a":1,"a":2}')).toBe(true);
    expect(needsSlowPath('{"x":[{"b":1},{"c":{"d":1,"d":[]}}]}')).toBe(true);
    expect(needsSlowPath('{"a":1,"\\u0061":2}')).toBe(true);
    expect(needsSlowPath('{"Statement":[{"Effect":"Allow","Effect":"Deny"}]}')).toBe(true);
  });

  it('does not confuse siblings, values, nested objects or strings with keys', () => {
    expect(needsSlowPath('{"a":{"a":1},"b":{"a":2}}')).toBe(false);
    expect(needsSlowPath('{"a":"a","b":["a","a"],"c":{"b":"}{,\\"a\\":"},"d":"\\\\"}')).toBe(false);
    expect(needsSlowPath('[{"a":1},{"a":1}]')).toBe(false);
    expect(needsSlowPath('{"a":{"x":1},"c":[{"x":2,"y":{}}],"x":3}')).toBe(false);
    expect(needsSlowPath(' { "k" : [ ] , "l" : { } } ')).toBe(false);
  });

  it('reports nesting deeper than the limit', () => {
    expect(needsSlowPath('['.repeat(65) + ']'.repeat(65))).toBe(true);
    expect(needsSlowPath('['.repeat(64) + ']'.repeat(64))).toBe(false);
  });

  it('parseJsonFast gives JSON.parse\'s value, or sends the text to the positioned reader', () => {
    expect(parseJsonFast('{"a":[1,"x"]}')).toEqual({ ok: true, value: { a: [1, 'x'] } });
    expect(parseJsonFast('{"a":1,"a":2}')).toEqual({ ok: false });
    expect(parseJsonFast('{"a":')).toEqual({ ok: false });
  });
});

describe('readSnapshotText', () => {
  const text = readFileSync(path.join(root, 'examples/account.json'), 'utf8');

  it('reads a valid snapshot to the same value as before (JSON.parse of the file)', () => {
    const r = readSnapshotText(text, 'account.json');
    expect(r.errors).toEqual([]);
    expect(r.snapshot).toEqual(JSON.parse(text));
  });

  it('a duplicate key is still reported with its line and column', () => {
    const dup = text.replace('"accountId": "111122223333",', '"accountId": "111122223333",\n  "accountId": "111122223333",');
    expect(dup).not.toBe(text);
    const r = readSnapshotText(dup, 'account.json');
    expect(r.snapshot).toBeUndefined();
    expect(r.errors[0]).toMatchObject({ file: 'account.json', message: 'duplicate key "accountId"' });
    expect(r.errors[0]!.line).toBeGreaterThan(1);
  });

  it('a schema error is still reported with its line, column and JSON path', () => {
    const bad = text.replace('"appNetworkAccessType": "VpcOnly"', '"appNetworkAccessType": "Sometimes"');
    expect(bad).not.toBe(text);
    const r = readSnapshotText(bad, 'account.json');
    expect(r.snapshot).toBeUndefined();
    expect(r.errors.some((e) => e.path.includes('appNetworkAccessType') && e.line > 1 && e.column > 1)).toBe(true);
  });
});
