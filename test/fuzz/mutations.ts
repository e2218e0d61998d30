/**
 * Hostile variants of valid files, as fast-check arbitraries. A case is the bytes of a file
 * (what a user or an attacker can put on disk): a valid seed file changed by one to three
 * mutations, each at the JSON level (wrong type at any JSON path, a deleted or added key,
 * `__proto__` / `constructor` keys, deep nesting, huge strings and arrays) or at the byte
 * level (bit flips, truncation, control characters, a BOM, UTF-16, invalid UTF-8, spliced
 * slices). Every mutation keeps the file under MAX_CASE_BYTES, so a case's cost is bounded.
 */
import fc from 'fast-check';

/** The largest case (bytes): the tool must refuse or read it in bounded time. */
export const MAX_CASE_BYTES = 3 * 1024 * 1024;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Every path in a JSON value (object keys and array indices), the root first. */
export function jsonPaths(v: Json): (string | number)[][] {
  const out: (string | number)[][] = [];
  const stack: [Json, (string | number)[]][] = [[v, []]];
  while (stack.length) {
    const [x, p] = stack.pop() as [Json, (string | number)[]];
    out.push(p);
    // Deep nesting (a mutation may have made some) is walked to a bounded depth.
    if (p.length > 64) continue;
    if (Array.isArray(x)) x.forEach((y, i) => stack.push([y, [...p, i]]));
    else if (x !== null && typeof x === 'object') for (const k of Object.keys(x)) stack.push([x[k] as Json, [...p, k]]);
  }
  return out;
}

/** Sets an own property even when the key is `__proto__` (plain assignment would change the prototype). */
function defineKey(o: Record<string, Json>, key: string, value: Json): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}

function clone(v: Json): Json {
  return JSON.parse(JSON.stringify(v)) as Json;
}

/** Replaces the value at `path` (the root when empty) and returns the new document. */
function replaceAt(doc: Json, path: (string | number)[], f: (old: Json) => Json | undefined): Json {
  if (path.length === 0) return f(doc) ?? null;
  const root = clone(doc);
  let parent: Json = root;
  for (const step of path.slice(0, -1)) parent = (parent as Record<string | number, Json>)[step] as Json;
  const last = path[path.length - 1] as string | number;
  if (Array.isArray(parent)) {
    const next = f(parent[last as number] as Json);
    if (next === undefined) parent.splice(last as number, 1);
    else parent[last as number] = next;
  } else if (parent !== null && typeof parent === 'object') {
    const next = f(parent[last as string] as Json);
    if (next === undefined) delete parent[last as string];
    else defineKey(parent, last as string, next);
  }
  return root;
}

function nested(depth: number, open: 'array' | 'object'): Json {
  let v: Json = 'x';
  for (let i = 0; i < depth; i++) v = open === 'array' ? [v] : { a: v };
  return v;
}

const CONTROL = ['\u0000', '\u0007', '\u0008', '\u001b', '\u001b[2J', '\u001b]0;pwned\u0007', '\r', '\u007f', '\u009b', '\u2028', '\u202e', '\ufeff', '\ud800'];
const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'];

/** A value built when a mutation needs it (huge values cost nothing when unused). */
export class Lazy {
  constructor(
    readonly get: () => Json,
    /** How fast-check shows the value in a counterexample. */
    readonly label: string,
  ) {}
  toString(): string {
    return this.label;
  }
}

function lazy(v: Json): Lazy {
  return new Lazy(() => v, JSON.stringify(v));
}

/**
 * Values of every JSON type, including the hostile ones. Huge values (long strings, long
 * arrays, deep nesting) are rarer than small ones, so a run spends its time on many cases.
 */
const hostileValue: fc.Arbitrary<Lazy> = fc.oneof(
  { weight: 60, arbitrary: fc.constantFrom<Json>(null, true, false, 0, -1, 1.5, 1e308, -0, 2 ** 53 + 1, '', [], {}, '*', '${aws:username}', 'arn:aws:iam::111122223333:root').map(lazy) },
  { weight: 20, arbitrary: fc.string({ maxLength: 12 }).map(lazy) },
  { weight: 5, arbitrary: fc.constantFrom(...CONTROL).map((c) => lazy(`a${c}b`)) },
  // Built only when the mutation uses the value (most draws do not).
  { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 1_000_000 }).map((n) => new Lazy(() => 'x'.repeat(n), `"x" × ${n}`)) },
  { weight: 1, arbitrary: fc.integer({ min: 100, max: 20_000 }).map((n) => new Lazy(() => Array.from({ length: n }, (_, i) => `s3:Get${i}`), `${n} actions`)) },
  { weight: 2, arbitrary: fc.integer({ min: 10, max: 2_000 }).map((n) => new Lazy(() => nested(n, 'array'), `${n} nested arrays`)) },
  { weight: 2, arbitrary: fc.integer({ min: 10, max: 2_000 }).map((n) => new Lazy(() => nested(n, 'object'), `${n} nested objects`)) },
  { weight: 5, arbitrary: fc.constantFrom(...PROTO_KEYS).map((k) => lazy(JSON.parse(`{"${k}": {"polluted": "yes"}}`) as Json)) },
  { weight: 5, arbitrary: fc.dictionary(fc.string({ maxLength: 6 }), fc.constantFrom<Json>(null, 1, 'a', []), { maxKeys: 4 }).map(lazy) },
);

type ValueMutation = (doc: Json, pick: number, value: Json, key: string) => Json;

const VALUE_MUTATIONS: readonly ValueMutation[] = [
  // Wrong type (or a hostile value) at a JSON path.
  (doc, pick, value) => {
    const paths = jsonPaths(doc);
    return replaceAt(doc, paths[pick % paths.length] ?? [], () => value);
  },
  // A key or element removed.
  (doc, pick) => {
    const paths = jsonPaths(doc).filter((p) => p.length > 0);
    return paths.length ? replaceAt(doc, paths[pick % paths.length] ?? [], () => undefined) : doc;
  },
  // A key added to an object (often a key named after an Object.prototype member).
  (doc, pick, value, key) => {
    const objects = jsonPaths(doc).filter((p) => {
      let v: Json = doc;
      for (const s of p) v = (v as Record<string | number, Json>)[s] as Json;
      return v !== null && typeof v === 'object' && !Array.isArray(v);
    });
    if (!objects.length) return doc;
    return replaceAt(doc, objects[pick % objects.length] ?? [], (old) => {
      const o = { ...(old as Record<string, Json>) };
      defineKey(o, key, value);
      return o;
    });
  },
  // A value wrapped in an array, or an array replaced by its first element.
  (doc, pick) => {
    const paths = jsonPaths(doc);
    return replaceAt(doc, paths[pick % paths.length] ?? [], (old) => (Array.isArray(old) ? (old[0] ?? null) : [old]));
  },
  // A key renamed to another case (JSON keys are case-sensitive; AWS element names too).
  (doc, pick) => {
    const paths = jsonPaths(doc).filter((p) => typeof p[p.length - 1] === 'string');
    if (!paths.length) return doc;
    const path = paths[pick % paths.length] ?? [];
    const parentPath = path.slice(0, -1);
    const key = path[path.length - 1] as string;
    return replaceAt(doc, parentPath, (parent) => {
      const o: Record<string, Json> = {};
      for (const [k, v] of Object.entries(parent as Record<string, Json>)) defineKey(o, k === key ? (pick % 2 ? k.toUpperCase() : k.toLowerCase()) : k, v);
      return o;
    });
  },
];

export interface ValueMutationSpec {
  readonly op: number;
  readonly pick: number;
  readonly value: Lazy;
  readonly key: string;
}

const valueMutationArb: fc.Arbitrary<ValueMutationSpec> = fc.record({
  op: fc.nat({ max: VALUE_MUTATIONS.length - 1 }),
  pick: fc.nat(),
  value: hostileValue,
  key: fc.oneof(fc.constantFrom(...PROTO_KEYS), fc.string({ maxLength: 8 })),
});

type ByteMutation = (bytes: Buffer, pick: number, extra: number) => Buffer;

const encodeUtf16 = (bytes: Buffer, bigEndian: boolean): Buffer => {
  const le = Buffer.from(`\ufeff${bytes.toString('utf8')}`, 'utf16le');
  return bigEndian ? le.swap16() : le;
};

const BYTE_MUTATIONS: readonly ByteMutation[] = [
  // One bit flipped.
  (b, pick, extra) => {
    if (!b.length) return b;
    const out = Buffer.from(b);
    const i = pick % out.length;
    out[i] = (out[i] as number) ^ (1 << extra % 8);
    return out;
  },
  // One byte set to a random value (invalid UTF-8 lead and continuation bytes included).
  (b, pick, extra) => {
    if (!b.length) return b;
    const out = Buffer.from(b);
    out[pick % out.length] = extra % 256;
    return out;
  },
  // Truncated (the file a failed `aws ... > file` or a full disk leaves).
  (b, pick) => b.subarray(0, b.length ? pick % b.length : 0),
  // A control character or a bidi/line-separator character inserted.
  (b, pick, extra) => {
    const i = b.length ? pick % b.length : 0;
    return Buffer.concat([b.subarray(0, i), Buffer.from(CONTROL[extra % CONTROL.length] as string, 'utf8'), b.subarray(i)]);
  },
  // A byte-order mark, in front or twice.
  (b, _pick, extra) => Buffer.concat([Buffer.from(extra % 2 ? [0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf] : [0xef, 0xbb, 0xbf]), b]),
  // Saved as UTF-16 (PowerShell's `>`), little- or big-endian.
  (b, _pick, extra) => encodeUtf16(b, extra % 2 === 1),
  // A slice deleted.
  (b, pick, extra) => {
    const i = b.length ? pick % b.length : 0;
    return Buffer.concat([b.subarray(0, i), b.subarray(Math.min(b.length, i + 1 + (extra % 64)))]);
  },
  // A slice duplicated in place.
  (b, pick, extra) => {
    const i = b.length ? pick % b.length : 0;
    const slice = b.subarray(i, Math.min(b.length, i + 1 + (extra % 200)));
    return Buffer.concat([b.subarray(0, i), slice, slice, b.subarray(i)]);
  },
  // Structural characters inserted: unbalanced brackets, quotes, commas.
  (b, pick, extra) => {
    const i = b.length ? pick % b.length : 0;
    const s = ['{', '}', '[', ']', '"', ',', ':', '\\', '\\u', '\\ud800', 'null', '-', '1e999', '/*', '//'][extra % 15] as string;
    return Buffer.concat([b.subarray(0, i), Buffer.from(s), b.subarray(i)]);
  },
  // Deep nesting around the whole file.
  (b, _pick, extra) => {
    const n = 10 + (extra % 20_000);
    return Buffer.concat([Buffer.from('['.repeat(n)), b, Buffer.from(']'.repeat(n))]);
  },
  // A huge run of one character spliced in (inside a string or not).
  (b, pick, extra) => {
    const i = b.length ? pick % b.length : 0;
    // Mostly up to 200 KB; one in ten up to 2 MB.
    const n = 1_000 + ((extra * 7919) % (extra % 10 === 0 ? 2_000_000 : 200_000));
    return Buffer.concat([b.subarray(0, i), Buffer.alloc(n, extra % 2 ? 0x41 : 0x20), b.subarray(i)]);
  },
  // Not JSON at all: what `aws ...` prints on failure, or an empty file.
  (_b, _pick, extra) =>
    Buffer.from(
      [
        '',
        '\n',
        'An error occurred (AccessDenied) when calling the GetAccountAuthorizationDetails operation: User is not authorized\n',
        '\nUnable to locate credentials. You can configure credentials by running "aws configure".\n',
        'null',
        '[]',
        '"string"',
        '0',
        '\u0000\u0000\u0000\u0000',
      ][extra % 9] as string,
    ),
];

export interface ByteMutationSpec {
  readonly op: number;
  readonly pick: number;
  readonly extra: number;
}

/** Deep nesting and huge runs (the last-but-one two) are drawn a fortieth as often as the others. */
const HUGE_BYTE_OPS = new Set([9, 10]);
const byteOpArb = fc.oneof(
  { weight: 40, arbitrary: fc.constantFrom(...BYTE_MUTATIONS.keys()).filter((i) => !HUGE_BYTE_OPS.has(i)) },
  { weight: 1, arbitrary: fc.constantFrom(...HUGE_BYTE_OPS) },
);

const byteMutationArb: fc.Arbitrary<ByteMutationSpec> = fc.record({
  op: byteOpArb,
  pick: fc.nat(),
  extra: fc.nat(),
});

export type MutationSpec = { readonly level: 'value'; readonly m: ValueMutationSpec } | { readonly level: 'bytes'; readonly m: ByteMutationSpec };

export const mutationArb: fc.Arbitrary<MutationSpec> = fc.oneof(
  { weight: 3, arbitrary: valueMutationArb.map((m) => ({ level: 'value' as const, m })) },
  { weight: 2, arbitrary: byteMutationArb.map((m) => ({ level: 'bytes' as const, m })) },
);

/** How a value is written back: pretty-printed like the AWS CLI, or compact. */
function serialize(v: Json, pretty: boolean): Buffer {
  return Buffer.from(JSON.stringify(v, null, pretty ? 4 : undefined) ?? 'null', 'utf8');
}

/** Applies the mutations in order; value mutations apply while the file is still JSON. */
export function applyMutations(seed: Buffer, mutations: readonly MutationSpec[], pretty = true): Buffer {
  let bytes = seed;
  let doc: Json | undefined;
  try {
    doc = JSON.parse(seed.toString('utf8')) as Json;
  } catch {
    doc = undefined;
  }
  for (const mut of mutations) {
    if (mut.level === 'value' && doc !== undefined) {
      const { op, pick, value, key } = mut.m;
      doc = (VALUE_MUTATIONS[op] as ValueMutation)(doc, pick, value.get(), key);
      bytes = serialize(doc, pretty);
    } else if (mut.level === 'bytes') {
      const { op, pick, extra } = mut.m;
      bytes = (BYTE_MUTATIONS[op] as ByteMutation)(bytes, pick, extra);
      doc = undefined;
    }
    if (bytes.length > MAX_CASE_BYTES) bytes = bytes.subarray(0, MAX_CASE_BYTES);
  }
  return bytes;
}

export interface Case {
  readonly seed: number;
  readonly mutations: readonly MutationSpec[];
  readonly bytes: Buffer;
}

/** A mutated copy of one of `seeds` (by index), with one to three mutations. */
export function caseArb(seeds: readonly Buffer[]): fc.Arbitrary<Case> {
  return fc
    .record({
      seed: fc.nat({ max: seeds.length - 1 }),
      mutations: fc.array(mutationArb, { minLength: 1, maxLength: 3 }),
      pretty: fc.boolean(),
    })
    .map(({ seed, mutations, pretty }) => ({ seed, mutations, bytes: applyMutations(seeds[seed] as Buffer, mutations, pretty) }));
}

/** The number of mutation kinds (the coverage test checks each one is drawn). */
export const MUTATION_KINDS = { value: VALUE_MUTATIONS.length, bytes: BYTE_MUTATIONS.length };
