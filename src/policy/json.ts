/**
 * JSON with source positions.
 *
 * IAM forbids duplicate keys in one object ("Grammar of the IAM JSON policy language",
 * notes), but `JSON.parse` silently keeps the last one, which can widen an Allow (spec
 * gotcha G33). So every policy goes through this parser: a real JSON parser
 * (@humanwhocodes/momoa) whose nodes keep their line and column, turned into a small
 * tree of our own in which objects are lists of members, never plain JS objects, so a
 * key such as `__proto__` or `constructor` is only ever data.
 */
import { parse as momoaParse } from '@humanwhocodes/momoa';
import type { AnyNode as MomoaNode, ValueNode as MomoaValueNode } from '@humanwhocodes/momoa';
import { parsePositioned } from './json-fast.js';
import type { SubtreeCache } from './json-fast.js';

/** A position in a source text. `line` and `column` are 1-based; 0 means "not from a file". */
export interface SourcePosition {
  readonly line: number;
  readonly column: number;
  readonly offset: number;
}

export const NO_POSITION: SourcePosition = Object.freeze({ line: 0, column: 0, offset: -1 });

interface NodeBase {
  /** Where the value starts. */
  readonly loc: SourcePosition;
  /** JSON path of the value, e.g. `$.Statement[0].Action`. */
  readonly path: string;
}

export interface JsonMember {
  readonly key: string;
  readonly keyLoc: SourcePosition;
  readonly value: JsonNode;
}

export interface JsonObjectNode extends NodeBase {
  readonly type: 'object';
  readonly members: readonly JsonMember[];
}
export interface JsonArrayNode extends NodeBase {
  readonly type: 'array';
  readonly elements: readonly JsonNode[];
}
export interface JsonStringNode extends NodeBase {
  readonly type: 'string';
  readonly value: string;
}
export interface JsonNumberNode extends NodeBase {
  readonly type: 'number';
  readonly value: number;
  /** The number as written, so `10.0` stays `10.0` when a policy value is read as a string. */
  readonly raw: string;
}
export interface JsonBooleanNode extends NodeBase {
  readonly type: 'boolean';
  readonly value: boolean;
}
export interface JsonNullNode extends NodeBase {
  readonly type: 'null';
}

export type JsonNode =
  | JsonObjectNode
  | JsonArrayNode
  | JsonStringNode
  | JsonNumberNode
  | JsonBooleanNode
  | JsonNullNode;

/** An error found while reading JSON: always with a position. */
export interface JsonSyntaxError {
  readonly message: string;
  readonly line: number;
  readonly column: number;
  readonly path: string;
}

export interface DuplicateKey {
  readonly key: string;
  readonly path: string;
  readonly loc: SourcePosition;
  readonly firstLoc: SourcePosition;
}

export type JsonParseResult =
  | { readonly ok: true; readonly root: JsonNode; readonly duplicates: readonly DuplicateKey[] }
  | { readonly ok: false; readonly error: JsonSyntaxError };

/**
 * Deeper than this is never a policy or a scenario (a policy nests about six levels);
 * the limit exists so that a hostile `[[[[...]]]]` is reported, not a stack overflow.
 */
export const MAX_JSON_DEPTH = 64;

/** Appends a key to a JSON path, quoting keys that are not plain identifiers. */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return isIdentifier(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}

/** `/^[A-Za-z_][A-Za-z0-9_]*$/`, by character code (the reader calls it for every key). */
function isIdentifier(key: string): boolean {
  const n = key.length;
  if (n === 0) return false;
  for (let i = 0; i < n; i++) {
    const c = key.charCodeAt(i);
    if (c === 95 || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (i > 0 && c >= 48 && c <= 57)) continue;
    return false;
  }
  return true;
}

/**
 * The longest string literal the positioned reader hands to momoa, in characters of the
 * file. momoa keeps a token per string and builds escaped strings piece by piece: a 10 MB
 * string with escapes cost 400 MB there. No file nbjob-iam reads holds a string this long
 * (a whole policy is at most 32 KB; docs/input.md).
 */
export const MAX_JSON_STRING_CHARS = 1024 * 1024;

/**
 * Finds the first place where nesting exceeds `maxDepth`, or a string literal longer than
 * MAX_JSON_STRING_CHARS starts, scanning linearly.
 */
function findExcessiveNesting(text: string, maxDepth: number): { loc: SourcePosition; what: 'nesting' | 'string' } | undefined {
  let depth = 0;
  let line = 1;
  let lineStart = 0;
  let inString = false;
  let stringStart = 0;
  let stringLoc: SourcePosition | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      line++;
      lineStart = i + 1;
      continue;
    }
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
      if (inString && i - stringStart > MAX_JSON_STRING_CHARS && stringLoc) return { loc: stringLoc, what: 'string' };
      continue;
    }
    if (c === 34) {
      inString = true;
      stringStart = i;
      stringLoc = { line, column: i - lineStart + 1, offset: i };
    } else if (c === 91 || c === 123) {
      depth++;
      if (depth > maxDepth) return { loc: { line, column: i - lineStart + 1, offset: i }, what: 'nesting' };
    } else if (c === 93 || c === 125) depth--;
  }
  return undefined;
}

/** The line and column just after the last character of `text` (trailing whitespace ignored). */
function endPosition(text: string): { line: number; column: number } {
  // trimEnd, not /\s+$/: the regular expression is quadratic on a long run of spaces mid-text.
  const body = text.trimEnd();
  const lines = body.split(/\r\n|\r|\n/);
  return { line: lines.length, column: (lines[lines.length - 1] ?? '').length + 1 };
}

function pos(p: { line: number; column: number; offset: number }): SourcePosition {
  return { line: p.line, column: p.column, offset: p.offset };
}

function convert(node: MomoaValueNode, path: string, duplicates: DuplicateKey[]): JsonNode {
  const loc = pos(node.loc.start);
  switch (node.type) {
    case 'Object': {
      const seen = new Map<string, SourcePosition>();
      const members: JsonMember[] = [];
      for (const m of node.members) {
        const key = m.name.type === 'String' ? m.name.value : m.name.name;
        const keyLoc = pos(m.name.loc.start);
        const first = seen.get(key);
        const memberPath = childPath(path, key);
        if (first) duplicates.push({ key, path: memberPath, loc: keyLoc, firstLoc: first });
        else seen.set(key, keyLoc);
        members.push({ key, keyLoc, value: convert(m.value, memberPath, duplicates) });
      }
      return { type: 'object', members, loc, path };
    }
    case 'Array':
      return {
        type: 'array',
        elements: node.elements.map((e, i) => convert(e.value, childPath(path, i), duplicates)),
        loc,
        path,
      };
    case 'String':
      return { type: 'string', value: node.value, loc, path };
    case 'Number':
      return { type: 'number', value: node.value, raw: rawNumber(node), loc, path };
    case 'Boolean':
      return { type: 'boolean', value: node.value, loc, path };
    case 'Null':
      return { type: 'null', loc, path };
    default:
      // JSON mode never yields NaN, Infinity or identifiers; report rather than guess.
      throw new Error(`unexpected JSON node ${(node as MomoaNode).type}`);
  }
}

let currentText = '';
function rawNumber(node: { loc: { start: { offset: number }; end: { offset: number } } }): string {
  return currentText.slice(node.loc.start.offset, node.loc.end.offset);
}

/**
 * Parses JSON text into a positioned tree. Never throws: bad input comes back as an
 * error with line and column. Duplicate keys are listed, not merged: the tree keeps
 * every member in order. With `subtrees`, objects the caller shares between texts are found
 * again instead of read (json-fast.ts, SubtreeCache).
 */
export function parseJson(text: string, subtrees?: SubtreeCache): JsonParseResult {
  // Valid JSON (the usual case) is read in one pass; anything else goes through momoa, which words the error.
  const fast = parsePositioned(text, subtrees);
  if (fast) return { ok: true, root: fast.root, duplicates: fast.duplicates };
  return parseJsonMomoa(text);
}

/** `parseJson` through momoa: the reference reading, and the one that reports errors. */
export function parseJsonMomoa(text: string): JsonParseResult {
  const hazard = findExcessiveNesting(text, MAX_JSON_DEPTH);
  if (hazard) {
    const message =
      hazard.what === 'nesting'
        ? `JSON nested deeper than ${MAX_JSON_DEPTH} levels; a policy nests only a few levels`
        : `a string of more than ${MAX_JSON_STRING_CHARS.toLocaleString('en-US')} characters starts here (in a file that is not valid JSON as it stands); no policy, scenario or snapshot holds one this long`;
    return { ok: false, error: { message, line: hazard.loc.line, column: hazard.loc.column, path: '$' } };
  }
  let doc;
  try {
    doc = momoaParse(text, { mode: 'json', ranges: true });
  } catch (e) {
    const err = e as { message?: string; line?: number; column?: number };
    const message = String(err.message ?? e).replace(/\s*\(\d+:\d+\)\s*$/, '');
    if (/^Unexpected end of input/.test(message)) {
      // The parser reports the end of input at 1:1; the user needs where the text stops.
      const end = endPosition(text);
      const what = text.trim() === '' ? 'the file is empty (no JSON value)' : 'the JSON ends too early (an object, array or string is not closed)';
      return { ok: false, error: { message: `invalid JSON: ${what}`, line: end.line, column: end.column, path: '$' } };
    }
    return {
      ok: false,
      error: { message: `invalid JSON: ${message}`, line: err.line ?? 1, column: err.column ?? 1, path: '$' },
    };
  }
  const duplicates: DuplicateKey[] = [];
  currentText = text;
  try {
    const root = convert(doc.body, '$', duplicates);
    return { ok: true, root, duplicates };
  } finally {
    currentText = '';
  }
}

/**
 * Builds a positioned tree from a value that is already in memory (a policy given as an
 * object by a library caller). Positions are zero: there is no file. Keys of plain
 * objects are read with Object.keys, so inherited properties never leak in.
 */
export function nodeFromValue(value: unknown, path = '$'): JsonNode {
  const loc = NO_POSITION;
  if (value === null || value === undefined) return { type: 'null', loc, path };
  if (typeof value === 'string') return { type: 'string', value, loc, path };
  if (typeof value === 'number') return { type: 'number', value, raw: String(value), loc, path };
  if (typeof value === 'boolean') return { type: 'boolean', value, loc, path };
  if (Array.isArray(value)) {
    return { type: 'array', elements: value.map((v, i) => nodeFromValue(v, childPath(path, i))), loc, path };
  }
  if (typeof value === 'object') {
    const members: JsonMember[] = Object.keys(value).map((key) => ({
      key,
      keyLoc: loc,
      value: nodeFromValue((value as Record<string, unknown>)[key], childPath(path, key)),
    }));
    return { type: 'object', members, loc, path };
  }
  return { type: 'string', value: String(value), loc, path };
}

/** The member of an object node with this exact key (the first, if duplicated). */
export function member(node: JsonObjectNode, key: string): JsonMember | undefined {
  return node.members.find((m) => m.key === key);
}

/**
 * Turns a node back into a plain value. Objects become null-prototype objects, so that
 * keys like `__proto__` are ordinary own properties and nothing is polluted.
 */
export function toPlain(node: JsonNode): unknown {
  switch (node.type) {
    case 'object': {
      const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
      for (const m of node.members) out[m.key] = toPlain(m.value);
      return out;
    }
    case 'array':
      return node.elements.map(toPlain);
    case 'null':
      return null;
    default:
      return node.value;
  }
}

/**
 * Finds the node at a JSON Pointer (RFC 6901, as Ajv reports `instancePath`), or the
 * deepest node on the way, so a schema error can be given a line and column.
 */
export function nodeAtPointer(root: JsonNode, pointer: string): JsonNode {
  if (pointer === '' || pointer === '/') return root;
  let node: JsonNode = root;
  for (const raw of pointer.split('/').slice(1)) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (node.type === 'object') {
      const m = member(node, token);
      if (!m) return node;
      node = m.value;
    } else if (node.type === 'array') {
      const next = node.elements[Number(token)];
      if (!next) return node;
      node = next;
    } else {
      return node;
    }
  }
  return node;
}

/** Converts a JSON Pointer to the `$.a.b[0]` form used in findings. */
export function pointerToPath(pointer: string): string {
  let path = '$';
  for (const raw of pointer.split('/').slice(1)) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    path = /^\d+$/.test(token) ? childPath(path, Number(token)) : childPath(path, token);
  }
  return path;
}
