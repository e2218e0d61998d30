/** docs/checks.md lists every finding code with its severity and the AWS page it rests on. */
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CATALOG_RULE_CODES } from '../../src/policy/rules/catalog-rules.js';
import { FORMAT_RULE_CODES } from '../../src/policy/rules/format-rules.js';
import { GRAMMAR_RULE_CODES } from '../../src/policy/rules/grammar-rules.js';
import { READER_CODES } from '../../src/policy/rules/reader-codes.js';
import { SECURITY_RULE_CODES } from '../../src/policy/rules/security-rules.js';

const DOC = new URL('../../docs/checks.md', import.meta.url);
const TABLES = [
  ['Reading the policy (grammar AWS rejects at save time)', READER_CODES],
  ['Grammar by policy kind', GRAMMAR_RULE_CODES],
  ['Formats of values', FORMAT_RULE_CODES],
  ['The catalog of actions, resource types and condition keys', CATALOG_RULE_CODES],
  ['Security warnings', SECURITY_RULE_CODES],
] as const;

function render(): string {
  const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const lines = [
    '# Validation checks',
    '',
    '`nbjob-iam validate` reports these codes (stable: a code never changes meaning). Severity:',
    '`error` (AWS rejects the policy, or it can never work as written), `warning` (it works, but',
    'probably not as meant), `suggestion`. Generated from the rule modules by',
    '`test/validate/checks-doc.test.ts` (`UPDATE_DOCS=1` rewrites this file).',
    '',
  ];
  let total = 0;
  for (const [title, table] of TABLES) {
    lines.push(`## ${title}`, '', '| code | severity | what | AWS page |', '| --- | --- | --- | --- |');
    for (const c of table) lines.push(`| \`${c.code}\` | ${c.severity} | ${cell(c.description)} | ${cell(c.source)} |`);
    lines.push('');
    total += table.length;
  }
  lines.push(`${total} checks in all.`, '');
  return lines.join('\n');
}

describe('docs/checks.md', () => {
  it('lists exactly the codes the rule modules emit', () => {
    const expected = render();
    if (process.env.UPDATE_DOCS === '1') writeFileSync(DOC, expected);
    expect(readFileSync(DOC, 'utf8')).toBe(expected);
  });

  it('there are at least 40 distinct checks (issue 2)', () => {
    const codes = new Set(TABLES.flatMap(([, t]) => t.map((c) => c.code)));
    expect(codes.size).toBe(84);
  });
});
