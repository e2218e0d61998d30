/**
 * Test helpers: build policy text, validate it, and find where a token sits in the text
 * by plain string search, so every position assertion is checked against the text itself
 * rather than against the parser that produced it.
 */
import { expect } from 'vitest';
import type { Finding, Severity } from '../../src/policy/findings.js';
import type { PolicyKind } from '../../src/policy/model.js';
import { validatePolicyText } from '../../src/policy/validate.js';
import type { ValidateOptions } from '../../src/policy/validate.js';

export interface Pos {
  readonly line: number;
  readonly column: number;
}

/** Line and column (1-based) of the `nth` occurrence of `needle` in `text`; LF line ends. */
export function posOf(text: string, needle: string, nth = 0): Pos {
  let idx = -1;
  for (let i = 0; i <= nth; i++) {
    idx = text.indexOf(needle, idx + 1);
    if (idx < 0) throw new Error(`test bug: ${JSON.stringify(needle)} (occurrence ${nth}) not in text`);
  }
  const before = text.slice(0, idx);
  const line = before.split('\n').length;
  const column = idx - before.lastIndexOf('\n');
  return { line, column };
}

/** A policy text with the given statements, pretty-printed. */
export function policyText(statements: unknown[] | unknown, top: Record<string, unknown> = { Version: '2012-10-17' }): string {
  return JSON.stringify({ ...top, Statement: statements }, null, 2);
}

export function validate(text: string, kind: PolicyKind, options: Partial<ValidateOptions> = {}): Finding[] {
  return validatePolicyText(text, { kind, ...options }).findings;
}

export function withCode(findings: readonly Finding[], code: string): Finding[] {
  return findings.filter((f) => f.code === code);
}

/**
 * Asserts that `code` fires exactly `count` times and that one of them has this severity
 * and points at the `nth` occurrence of `needle` (plus `shift` columns).
 */
export function expectFinding(
  text: string,
  kind: PolicyKind,
  code: string,
  severity: Severity,
  needle: string,
  opts: { nth?: number; count?: number; shift?: number; options?: Partial<ValidateOptions> } = {},
): Finding {
  const all = validate(text, kind, opts.options);
  const hits = withCode(all, code);
  const found = posOf(text, needle, opts.nth ?? 0);
  const where = { line: found.line, column: found.column + (opts.shift ?? 0) };
  expect(hits.length, `${code} findings in ${JSON.stringify(all, null, 1)}`).toBe(opts.count ?? 1);
  const hit = hits.find((f) => f.line === where.line && f.column === where.column);
  expect(hit, `${code} at ${where.line}:${where.column}; got ${JSON.stringify(hits)}`).toBeDefined();
  expect(hit?.severity).toBe(severity);
  expect(hit?.message.length).toBeGreaterThan(10);
  return hit as Finding;
}

export function expectNoFinding(text: string, kind: PolicyKind, code: string, options: Partial<ValidateOptions> = {}): void {
  const all = validate(text, kind, options);
  expect(withCode(all, code), JSON.stringify(all, null, 1)).toEqual([]);
}
