/**
 * The fast way to read trusted-shape JSON: `JSON.parse`, then one linear scan of the text for
 * what JSON.parse does not report (a duplicate key, which it silently resolves to the last
 * value; nesting deeper than MAX_JSON_DEPTH). When either shows up, or the text does not
 * parse, callers fall back to `parseJson` (momoa), which locates the problem by line and
 * column: positions are computed only to report an error.
 */
import { childPath, MAX_JSON_DEPTH } from './json.js';
import type { DuplicateKey, JsonMember, JsonNode, JsonObjectNode, SourcePosition } from './json.js';

export type FastParse = { readonly ok: true; readonly value: unknown } | { readonly ok: false };

/** One object being scanned: the keys seen so far (reused across objects of the same depth). */
interface Frame {
  object: boolean;
  expectKey: boolean;
  readonly keys: Set<string>;
}

/**
 * True when some object of the (valid) JSON text has two members with the same key, or the
 * nesting is deeper than `maxDepth`. Keys are compared after unescaping, as JSON.parse does.
 */
export function needsSlowPath(text: string, maxDepth = MAX_JSON_DEPTH): boolean {
  const frames: Frame[] = [];
  let depth = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      // a string: find its end, skipping escapes
      let j = i + 1;
      let escaped = false;
      for (; j < n; j++) {
        const d = text.charCodeAt(j);
        if (d === 92) {
          escaped = true;
          j++;
        } else if (d === 34) break;
      }
      const top = depth > 0 ? frames[depth - 1] : undefined;
      if (top !== undefined && top.object && top.expectKey) {
        const raw = text.slice(i + 1, j);
        const key = escaped ? (JSON.parse(text.slice(i, j + 1)) as string) : raw;
        if (top.keys.has(key)) return true;
        top.keys.add(key);
        top.expectKey = false;
      }
      i = j;
    } else if (c === 123 || c === 91) {
      depth++;
      if (depth > maxDepth) return true;
      const f = frames[depth - 1];
      if (f === undefined) frames.push({ object: c === 123, expectKey: c === 123, keys: new Set() });
      else {
        f.object = c === 123;
        f.expectKey = c === 123;
        if (f.keys.size) f.keys.clear();
      }
    } else if (c === 125 || c === 93) depth--;
    else if (c === 44) {
      const top = frames[depth - 1];
      if (top !== undefined && top.object) top.expectKey = true;
    }
  }
  return false;
}

/** JSON.parse, when the text has no duplicate key and no excessive nesting; else `{ ok: false }` (use parseJson). */
export function parseJsonFast(text: string): FastParse {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false };
  }
  return needsSlowPath(text) ? { ok: false } : { ok: true, value };
}

/**
 * A positioned tree for valid JSON, built in one pass without a token list: what
 * `parseJson` builds through momoa, several times faster. Returns undefined for anything it
 * does not handle exactly as momoa does (a syntax error, nesting past MAX_JSON_DEPTH, a
 * character outside the Basic Multilingual Plane, whose column momoa counts its own way):
 * the caller then uses momoa, which also words the error. Line breaks are LF, CR LF or a
 * lone CR, each one line, as momoa counts them (Windows files stay on the fast path).
 */
export function parsePositioned(text: string, subtrees?: SubtreeCache): { root: JsonNode; duplicates: DuplicateKey[] } | undefined {
  const p = new PositionedParser(text, subtrees);
  try {
    p.ws();
    const root = p.value('$', 1);
    p.ws();
    if (p.i !== text.length) return undefined;
    return { root, duplicates: p.duplicates };
  } catch (e) {
    if (e === BAIL) return undefined;
    throw e;
  }
}

const BAIL = Symbol('bail');

/** A positioned subtree read before, to be found again (SubtreeCache). */
export interface CachedSubtree {
  readonly node: JsonNode;
  /** Duplicate keys inside it, as the reader lists them. */
  readonly duplicates: readonly DuplicateKey[];
  /** Line breaks inside its text, and the characters after the last one: where the reader is after it. */
  readonly lines: number;
  readonly tail: number;
}

/**
 * Lets a caller share the positioned trees of chosen objects between texts (a scenario's
 * policies between the files of one run: ScenarioPolicyCache). An object is found again only
 * when it is the same text at the same JSON path, starting at the same line and column: every
 * node inside then has the same path, line and column as a fresh reading would give (its
 * `offset` is the first text's; offsets are not used for anything read this way). The caller
 * holds the cache for one run; nothing here keeps it.
 */
export interface SubtreeCache {
  /** True for the JSON paths of objects worth sharing. */
  wants(path: string): boolean;
  get(key: string): CachedSubtree | undefined;
  set(key: string, subtree: CachedSubtree, weight: number): void;
}

class PositionedParser {
  i = 0;
  private line = 1;
  private lineStart = 0;
  readonly duplicates: DuplicateKey[] = [];

  constructor(
    private readonly text: string,
    private readonly subtrees?: SubtreeCache,
  ) {}

  private pos(): SourcePosition {
    return { line: this.line, column: this.i - this.lineStart + 1, offset: this.i };
  }

  ws(): void {
    // The position is kept in a local while skipping: a field write per character was a
    // sixth of reading a pretty-printed scenario.
    const t = this.text;
    let i = this.i;
    for (;;) {
      const c = t.charCodeAt(i);
      if (c === 32 || c === 9) i++;
      else if (c === 10) {
        i++;
        this.line++;
        this.lineStart = i;
      } else if (c === 13) {
        // CR LF (Windows) or a lone CR: one line break, as momoa counts it.
        i += t.charCodeAt(i + 1) === 10 ? 2 : 1;
        this.line++;
        this.lineStart = i;
      } else break;
    }
    this.i = i;
  }

  private string(): string {
    const t = this.text;
    const start = this.i + 1;
    let j = start;
    let escaped = false;
    for (;;) {
      const c = t.charCodeAt(j);
      if (c === 34) break;
      if (c === 92) {
        escaped = true;
        j += 2;
        continue;
      }
      // End of text, control characters (never valid in a string), surrogates: momoa decides.
      if (Number.isNaN(c) || c < 32 || (c >= 0xd800 && c <= 0xdfff)) throw BAIL;
      j++;
    }
    this.i = j + 1;
    if (!escaped) return t.slice(start, j);
    try {
      return JSON.parse(t.slice(start - 1, j + 1)) as string;
    } catch {
      throw BAIL;
    }
  }

  /** An object; `this.i` is at its `{`. */
  private object(path: string, depth: number, loc: SourcePosition): JsonObjectNode {
    const t = this.text;
    this.i++;
    const members: JsonMember[] = [];
    let seen: Map<string, SourcePosition> | undefined;
    this.ws();
    if (t.charCodeAt(this.i) === 125) {
      this.i++;
      return { type: 'object', members, loc, path };
    }
    for (;;) {
      this.ws();
      if (t.charCodeAt(this.i) !== 34) throw BAIL;
      const keyLoc = this.pos();
      const key = this.string();
      this.ws();
      if (t.charCodeAt(this.i) !== 58) throw BAIL;
      this.i++;
      this.ws();
      const memberPath = childPath(path, key);
      seen ??= new Map();
      const first = seen.get(key);
      if (first) this.duplicates.push({ key, path: memberPath, loc: keyLoc, firstLoc: first });
      else seen.set(key, keyLoc);
      members.push({ key, keyLoc, value: this.value(memberPath, depth + 1) });
      this.ws();
      const d = t.charCodeAt(this.i++);
      if (d === 44) continue;
      if (d === 125) return { type: 'object', members, loc, path };
      throw BAIL;
    }
  }

  /** An object the caller shares between texts (SubtreeCache): found again, or read and kept. */
  private shared(subtrees: SubtreeCache, path: string, depth: number, loc: SourcePosition): JsonObjectNode {
    const end = containerEnd(this.text, this.i);
    if (end < 0) throw BAIL;
    const key = `${path}\u0000${loc.line}:${loc.column}:${depth}\u0000${this.text.slice(this.i, end)}`;
    const hit = subtrees.get(key);
    if (hit !== undefined && hit.node.type === 'object') {
      this.i = end;
      if (hit.lines > 0) {
        this.line += hit.lines;
        this.lineStart = end - hit.tail;
      }
      for (const d of hit.duplicates) this.duplicates.push(d);
      return hit.node;
    }
    const before = this.duplicates.length;
    const node = this.object(path, depth, loc);
    if (this.i !== end) throw BAIL;
    subtrees.set(key, { node, duplicates: this.duplicates.slice(before), lines: this.line - loc.line, tail: end - this.lineStart }, key.length);
    return node;
  }

  value(path: string, depth: number): JsonNode {
    if (depth > MAX_JSON_DEPTH) throw BAIL;
    const t = this.text;
    const loc = this.pos();
    const c = t.charCodeAt(this.i);
    if (c === 123 && this.subtrees !== undefined && this.subtrees.wants(path)) return this.shared(this.subtrees, path, depth, loc);
    if (c === 123) return this.object(path, depth, loc);
    if (c === 91) {
      this.i++;
      const elements: JsonNode[] = [];
      this.ws();
      if (t.charCodeAt(this.i) === 93) {
        this.i++;
        return { type: 'array', elements, loc, path };
      }
      for (;;) {
        this.ws();
        elements.push(this.value(`${path}[${elements.length}]`, depth + 1));
        this.ws();
        const d = t.charCodeAt(this.i++);
        if (d === 44) continue;
        if (d === 93) return { type: 'array', elements, loc, path };
        throw BAIL;
      }
    }
    if (c === 34) return { type: 'string', value: this.string(), loc, path };
    if (c === 116 && t.startsWith('true', this.i)) {
      this.i += 4;
      return { type: 'boolean', value: true, loc, path };
    }
    if (c === 102 && t.startsWith('false', this.i)) {
      this.i += 5;
      return { type: 'boolean', value: false, loc, path };
    }
    if (c === 110 && t.startsWith('null', this.i)) {
      this.i += 4;
      return { type: 'null', loc, path };
    }
    NUMBER.lastIndex = this.i;
    const m = NUMBER.exec(t);
    if (!m) throw BAIL;
    this.i += m[0].length;
    return { type: 'number', value: Number(m[0]), raw: m[0], loc, path };
  }
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

/**
 * The index just past the object or array that starts at `start` of valid JSON text (strings
 * and their escapes skipped), or -1 when `start` does not begin one or the text ends first.
 * Used to take a policy's own text out of a scenario file, as the key of a cache.
 */
export function containerEnd(text: string, start: number): number {
  const open = text.charCodeAt(start);
  if (open !== 123 && open !== 91) return -1;
  let depth = 0;
  const n = text.length;
  for (let i = start; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      for (i++; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d === 92) i++;
        else if (d === 34) break;
      }
    } else if (c === 123 || c === 91) depth++;
    else if (c === 125 || c === 93) {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}
