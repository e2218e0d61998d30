/**
 * The codes tables and the registry agree: every code a registered grammar, format or
 * security rule can emit is documented once, with a severity, a description and the AWS
 * page it rests on; and every documented code has a firing test in test/validate.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RULES } from '../../src/policy/rules/index.js';
import { FORMAT_RULE_CODES, FORMAT_RULES } from '../../src/policy/rules/format-rules.js';
import { GRAMMAR_RULE_CODES, GRAMMAR_RULES } from '../../src/policy/rules/grammar-rules.js';
import { READER_CODES } from '../../src/policy/rules/reader-codes.js';
import { SECURITY_RULE_CODES, SECURITY_RULES } from '../../src/policy/rules/security-rules.js';

const TABLES = [...READER_CODES, ...GRAMMAR_RULE_CODES, ...FORMAT_RULE_CODES, ...SECURITY_RULE_CODES];

describe('codes tables', () => {
  it('list each code once', () => {
    const codes = TABLES.map((c) => c.code);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('document exactly the codes each module registers', () => {
    const registered = (rules: readonly { codes: readonly string[] }[]): string[] => rules.flatMap((r) => r.codes).sort();
    expect(registered(GRAMMAR_RULES)).toEqual(GRAMMAR_RULE_CODES.map((c) => c.code).sort());
    expect(registered(FORMAT_RULES)).toEqual(FORMAT_RULE_CODES.map((c) => c.code).sort());
    expect(registered(SECURITY_RULES)).toEqual(SECURITY_RULE_CODES.map((c) => c.code).sort());
  });

  it('are all in the registry', () => {
    const inRegistry = new Set(RULES.flatMap((r) => r.codes));
    for (const rules of [GRAMMAR_RULES, FORMAT_RULES, SECURITY_RULES]) for (const r of rules) for (const c of r.codes) expect(inRegistry.has(c)).toBe(true);
  });

  it('every code is named in a test of test/validate (a firing test exists)', () => {
    const dir = new URL('./', import.meta.url);
    const tests = readdirSync(dir)
      .filter((f) => f.endsWith('.test.ts') && f !== 'codes.test.ts' && f !== 'catalog-rules.test.ts')
      .map((f) => readFileSync(new URL(f, dir), 'utf8'))
      .join('\n');
    const fixtures = readdirSync(new URL('./fixtures/broken/', dir))
      .filter((f) => f.endsWith('.expect.json'))
      .map((f) => readFileSync(new URL(`./fixtures/broken/${f}`, dir), 'utf8'))
      .join('\n');
    const missing = TABLES.map((c) => c.code).filter((code) => !tests.includes(`'${code}'`) && !fixtures.includes(`"${code}"`));
    expect(missing).toEqual([]);
  });
});
