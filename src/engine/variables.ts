/**
 * Policy variables ("IAM policy elements: Variables and tags"): `${key}`,
 * `${key, 'default'}`, and the escapes `${*}`, `${?}`, `${$}`.
 *
 * - Only under Version 2012-10-17; otherwise the text is literal (spec §3, G20).
 * - Only in the resource part of Resource/NotResource and in the values of String, ARN
 *   (and, per A5, Bool) condition operators; the compiler decides where templates are built.
 * - Substituted text is literal: a `*` that arrives through a value is not a wildcard.
 * - A missing key without default, or a multivalued key, cannot be resolved: the result is
 *   the UNRESOLVED marker ("effectively null").
 */
import type { GlobToken } from './wildcard.js';
import { tokenize } from './wildcard.js';

export type TemplatePart =
  /** Policy text: wildcards stay active in Like/ARN operators and resources. */
  | { readonly kind: 'text'; readonly text: string }
  /** An escape such as `${*}`: literal text. */
  | { readonly kind: 'literal'; readonly text: string }
  | { readonly kind: 'var'; readonly key: string; readonly raw: string; readonly defaultValue?: string };

export interface Template {
  readonly raw: string;
  readonly parts: readonly TemplatePart[];
  /** Variable keys referenced (lower-cased). */
  readonly keys: readonly string[];
}

/** Marker: a variable has no value (missing key without default, or a multivalued key). */
export const UNRESOLVED: unique symbol = Symbol('unresolved');
/** Marker: a variable refers to a key that partial evaluation treats as unknown. */
export const UNKNOWN: unique symbol = Symbol('unknown');

/** How a template reads a context key: a string, a list (multivalued), absent, or unknown. */
export type VariableLookup = (keyLower: string) => string | readonly string[] | undefined | typeof UNKNOWN;

const ESCAPES: ReadonlyMap<string, string> = new Map([
  ['*', '*'],
  ['?', '?'],
  ['$', '$'],
]);

/** Parses text into a template, or undefined when it holds no `${…}` at all. */
export function parseTemplate(raw: string): Template | undefined {
  if (!raw.includes('${')) return undefined;
  const parts: TemplatePart[] = [];
  const keys: string[] = [];
  let text = '';
  let i = 0;
  while (i < raw.length) {
    const start = raw.indexOf('${', i);
    if (start < 0) {
      text += raw.slice(i);
      break;
    }
    const close = raw.indexOf('}', start + 2);
    if (close < 0) {
      text += raw.slice(i);
      break;
    }
    text += raw.slice(i, start);
    const inner = raw.slice(start + 2, close);
    const esc = ESCAPES.get(inner);
    const body = inner.trim();
    if (esc !== undefined) {
      if (text) parts.push({ kind: 'text', text });
      text = '';
      parts.push({ kind: 'literal', text: esc });
    } else if (body.length > 0) {
      const comma = body.indexOf(',');
      let key = comma < 0 ? body : body.slice(0, comma).trim();
      let defaultValue: string | undefined;
      if (comma >= 0) {
        const d = body.slice(comma + 1).trim();
        if (d.length >= 2 && d.startsWith("'") && d.endsWith("'")) defaultValue = d.slice(1, -1);
        else key = ''; // malformed default: keep the text literal
      }
      if (key) {
        if (text) parts.push({ kind: 'text', text });
        text = '';
        const keyLower = key.toLowerCase();
        parts.push(defaultValue === undefined ? { kind: 'var', key: keyLower, raw: raw.slice(start, close + 1) } : { kind: 'var', key: keyLower, raw: raw.slice(start, close + 1), defaultValue });
        keys.push(keyLower);
      } else text += raw.slice(start, close + 1);
    } else text += raw.slice(start, close + 1);
    i = close + 1;
  }
  if (text) parts.push({ kind: 'text', text });
  if (keys.length === 0 && !parts.some((p) => p.kind === 'literal')) return undefined;
  return { raw, parts, keys };
}

function resolveVar(p: Extract<TemplatePart, { kind: 'var' }>, lookup: VariableLookup): string | typeof UNRESOLVED | typeof UNKNOWN {
  const v = lookup(p.key);
  if (v === UNKNOWN) return UNKNOWN;
  if (typeof v === 'string') return v;
  // Multivalued keys cannot be policy variables ("Single-valued vs. multivalued context keys").
  if (v !== undefined) return UNRESOLVED;
  return p.defaultValue ?? UNRESOLVED;
}

/** Substitutes into a plain string (for Equals operators, where nothing is a wildcard). */
export function resolveToString(t: Template, lookup: VariableLookup): string | typeof UNRESOLVED | typeof UNKNOWN {
  let out = '';
  for (const p of t.parts) {
    if (p.kind === 'var') {
      const v = resolveVar(p, lookup);
      if (typeof v !== 'string') return v;
      out += v;
    } else out += p.text;
  }
  return out;
}

/**
 * A key that identifies what `resolveToTokens` would return for this template (the
 * substituted values, length-prefixed so that no two different substitutions share a key),
 * or the marker it would return. Lets a caller reuse a matcher compiled for the same values.
 */
export function resolutionKey(t: Template, lookup: VariableLookup): string | typeof UNRESOLVED | typeof UNKNOWN {
  let key = '';
  for (const p of t.parts) {
    if (p.kind !== 'var') continue;
    const v = resolveVar(p, lookup);
    if (typeof v !== 'string') return v;
    key += `${v.length}:${v}`;
  }
  return key;
}

/** Substitutes into glob tokens: policy text keeps its wildcards, substituted values are literal. */
export function resolveToTokens(t: Template, lookup: VariableLookup): GlobToken[] | typeof UNRESOLVED | typeof UNKNOWN {
  const out: GlobToken[] = [];
  for (const p of t.parts) {
    if (p.kind === 'text') out.push(...tokenize(p.text));
    else if (p.kind === 'literal') out.push({ t: 'lit', s: p.text });
    else {
      const v = resolveVar(p, lookup);
      if (typeof v !== 'string') return v;
      if (v) out.push({ t: 'lit', s: v });
    }
  }
  return out;
}

/** The literal text a template denotes when no variable is substituted (escapes resolved). */
export function templateText(t: Template): string {
  return t.parts.map((p) => (p.kind === 'var' ? p.raw : p.text)).join('');
}
