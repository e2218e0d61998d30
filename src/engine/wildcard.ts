/**
 * Glob matching for IAM patterns: `*` matches zero or more characters, `?` exactly one
 * ("IAM JSON policy elements: Action", "…: Resource", "Condition operators: StringLike").
 *
 * A pattern is compiled once into segments (the text between stars). Matching anchors the
 * first segment as a prefix and the last as a suffix, then finds each middle segment at its
 * leftmost position. Greedy leftmost placement is correct because segments have a fixed
 * length (`?` is one character), so the cost is linear-ish in the input and never
 * exponential: `*a*a*a…*b` against 64 KB is one scan. No RegExp is ever built from policy
 * text.
 */

/** A piece of a glob: policy text (`*`/`?` active) is tokenized; substituted variable values are `lit`. */
export type GlobToken = { readonly t: 'lit'; readonly s: string } | { readonly t: 'star' } | { readonly t: 'q' };

export interface WildcardOptions {
  /** Compare case-insensitively (locale-independent `toLowerCase`). */
  readonly ignoreCase?: boolean;
}

export interface WildcardMatcher {
  /** The pattern as written (for traces). */
  readonly pattern: string;
  readonly ignoreCase: boolean;
  /** True when the pattern is only stars: matches everything. */
  readonly matchesAll: boolean;
  /** Matches `input`, lower-casing it first when the matcher ignores case. */
  test(input: string): boolean;
  /** Matches an input the caller has already lower-cased (hot path for actions). */
  testLower(lowered: string): boolean;
}

interface Segment {
  readonly text: string;
  /** `mask[i]` is true where the pattern has `?`; null when the segment has none. */
  readonly mask: readonly boolean[] | null;
  /** Longest run without `?`, used to find candidate positions with indexOf. */
  readonly anchor: string;
  readonly anchorOffset: number;
}

const PLACEHOLDER = '\u0000';

/** Splits policy text into glob tokens. */
export function tokenize(pattern: string): GlobToken[] {
  const out: GlobToken[] = [];
  let lit = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '*' || c === '?') {
      if (lit) out.push({ t: 'lit', s: lit });
      lit = '';
      out.push(c === '*' ? { t: 'star' } : { t: 'q' });
    } else lit += c;
  }
  if (lit) out.push({ t: 'lit', s: lit });
  return out;
}

function makeSegment(chars: string, mask: boolean[], hasQ: boolean): Segment {
  if (!hasQ) return { text: chars, mask: null, anchor: chars, anchorOffset: 0 };
  let best = '';
  let bestOff = 0;
  let runStart = -1;
  for (let i = 0; i <= chars.length; i++) {
    if (i < chars.length && !mask[i]) {
      if (runStart < 0) runStart = i;
    } else if (runStart >= 0) {
      if (i - runStart > best.length) {
        best = chars.slice(runStart, i);
        bestOff = runStart;
      }
      runStart = -1;
    }
  }
  return { text: chars, mask, anchor: best, anchorOffset: bestOff };
}

function segmentAt(seg: Segment, input: string, pos: number): boolean {
  const { text, mask } = seg;
  if (mask === null) return input.startsWith(text, pos);
  for (let i = 0; i < text.length; i++) {
    if (!mask[i] && input.charCodeAt(pos + i) !== text.charCodeAt(i)) return false;
  }
  return true;
}

/** Leftmost index >= from where seg matches and ends at or before `end`, or -1. */
function findSegment(seg: Segment, input: string, from: number, end: number): number {
  const len = seg.text.length;
  if (seg.mask === null) {
    const i = input.indexOf(seg.text, from);
    return i >= 0 && i + len <= end ? i : -1;
  }
  if (seg.anchor.length === 0) return from + len <= end ? from : -1;
  let j = input.indexOf(seg.anchor, from + seg.anchorOffset);
  while (j >= 0) {
    const i = j - seg.anchorOffset;
    if (i + len > end) return -1;
    if (segmentAt(seg, input, i)) return i;
    j = input.indexOf(seg.anchor, j + 1);
  }
  return -1;
}

class Matcher implements WildcardMatcher {
  readonly matchesAll: boolean;
  private readonly segs: readonly Segment[];
  private readonly stars: number;
  private readonly literal: string | null;
  private readonly minLength: number;

  constructor(
    readonly pattern: string,
    readonly ignoreCase: boolean,
    tokens: readonly GlobToken[],
  ) {
    const segs: Segment[] = [];
    let chars = '';
    let mask: boolean[] = [];
    let hasQ = false;
    let stars = 0;
    for (const tok of tokens) {
      if (tok.t === 'star') {
        segs.push(makeSegment(chars, mask, hasQ));
        chars = '';
        mask = [];
        hasQ = false;
        stars++;
      } else if (tok.t === 'q') {
        chars += PLACEHOLDER;
        mask.push(true);
        hasQ = true;
      } else {
        const s = ignoreCase ? tok.s.toLowerCase() : tok.s;
        chars += s;
        for (let i = 0; i < s.length; i++) mask.push(false);
      }
    }
    segs.push(makeSegment(chars, mask, hasQ));
    this.segs = segs;
    this.stars = stars;
    this.matchesAll = stars > 0 && segs.every((s) => s.text.length === 0);
    const only = segs[0] as Segment;
    this.literal = stars === 0 && only.mask === null ? only.text : null;
    this.minLength = segs.reduce((n, s) => n + s.text.length, 0);
  }

  test(input: string): boolean {
    return this.testLower(this.ignoreCase ? input.toLowerCase() : input);
  }

  testLower(input: string): boolean {
    if (this.literal !== null) return input === this.literal;
    if (this.matchesAll) return true;
    const n = input.length;
    if (n < this.minLength) return false;
    const segs = this.segs;
    const first = segs[0] as Segment;
    if (this.stars === 0) return n === first.text.length && segmentAt(first, input, 0);
    const last = segs[segs.length - 1] as Segment;
    if (!segmentAt(first, input, 0)) return false;
    const end = n - last.text.length;
    if (!segmentAt(last, input, end)) return false;
    let pos = first.text.length;
    for (let k = 1; k < segs.length - 1; k++) {
      const seg = segs[k] as Segment;
      if (seg.text.length === 0) continue;
      const at = findSegment(seg, input, pos, end);
      if (at < 0) return false;
      pos = at + seg.text.length;
    }
    return pos <= end;
  }
}

/** Compiles a policy pattern (`*` and `?` active). */
export function compileWildcard(pattern: string, options: WildcardOptions = {}): WildcardMatcher {
  return new Matcher(pattern, options.ignoreCase === true, tokenize(pattern));
}

/** Compiles a pattern given as tokens (used after variable substitution: substituted text is literal). */
export function compileWildcardTokens(tokens: readonly GlobToken[], options: WildcardOptions = {}, display?: string): WildcardMatcher {
  const pattern =
    display ?? tokens.map((t) => (t.t === 'star' ? '*' : t.t === 'q' ? '?' : t.s)).join('');
  return new Matcher(pattern, options.ignoreCase === true, tokens);
}

/** One-off match (compiles each call; use compileWildcard on hot paths). */
export function wildcardMatch(pattern: string, input: string, options: WildcardOptions = {}): boolean {
  return compileWildcard(pattern, options).test(input);
}
