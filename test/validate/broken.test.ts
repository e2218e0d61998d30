/**
 * End to end: each policy in fixtures/broken/ gives exactly the findings its sibling
 * `.expect.json` lists (code, severity, line, column), for the codes of the reader and of
 * the grammar, format and security modules (see fixtures/broken/README.md).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Severity } from '../../src/policy/findings.js';
import { POLICY_KINDS } from '../../src/policy/model.js';
import type { PolicyKind } from '../../src/policy/model.js';
import { FORMAT_RULE_CODES } from '../../src/policy/rules/format-rules.js';
import { GRAMMAR_RULE_CODES } from '../../src/policy/rules/grammar-rules.js';
import { READER_CODES } from '../../src/policy/rules/reader-codes.js';
import { SECURITY_RULE_CODES } from '../../src/policy/rules/security-rules.js';
import { validatePolicyText } from '../../src/policy/validate.js';

interface Expectation {
  readonly kind: PolicyKind;
  readonly findings: readonly { code: string; severity: Severity; line: number; column: number }[];
}

const DIR = new URL('./fixtures/broken/', import.meta.url);
const OWN_CODES = new Set([...READER_CODES, ...GRAMMAR_RULE_CODES, ...FORMAT_RULE_CODES, ...SECURITY_RULE_CODES].map((c) => c.code));
const files = readdirSync(DIR).filter((f) => f.endsWith('.json') && !f.endsWith('.expect.json')).sort();

describe('broken policies, end to end', () => {
  it('has fixtures, each with an expectation file', () => {
    expect(files.length).toBe(10);
    for (const f of files) expect(readdirSync(DIR)).toContain(f.replace(/\.json$/, '.expect.json'));
  });

  for (const file of files) {
    it(`${file} gives exactly the expected findings`, () => {
      const text = readFileSync(new URL(file, DIR), 'utf8');
      const exp = JSON.parse(readFileSync(new URL(file.replace(/\.json$/, '.expect.json'), DIR), 'utf8')) as Expectation;
      expect(POLICY_KINDS).toContain(exp.kind);
      expect(exp.findings.length).toBeGreaterThan(0);
      const got = validatePolicyText(text, { kind: exp.kind })
        .findings.filter((f) => OWN_CODES.has(f.code))
        .map((f) => ({ code: f.code, severity: f.severity, line: f.line, column: f.column }));
      expect(got).toEqual(exp.findings);
    });
  }

  it('every finding names a JSON path and a message that says what was expected', () => {
    for (const file of files) {
      const text = readFileSync(new URL(file, DIR), 'utf8');
      const exp = JSON.parse(readFileSync(new URL(file.replace(/\.json$/, '.expect.json'), DIR), 'utf8')) as Expectation;
      for (const f of validatePolicyText(text, { kind: exp.kind }).findings) {
        expect(f.path.startsWith('$')).toBe(true);
        expect(f.line).toBeGreaterThan(0);
        expect(f.message.length).toBeGreaterThan(20);
      }
    }
  });
});
