/**
 * Every validate code has its nearest Access Analyzer finding (or none, said so), and
 * docs/access-analyzer.md is that table (UPDATE_DOCS=1 rewrites it).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ACCESS_ANALYZER_CODES } from '../../src/policy/access-analyzer.js';
import { CATALOG_RULE_CODES } from '../../src/policy/rules/catalog-rules.js';
import { FORMAT_RULE_CODES } from '../../src/policy/rules/format-rules.js';
import { GRAMMAR_RULE_CODES } from '../../src/policy/rules/grammar-rules.js';
import { READER_CODES } from '../../src/policy/rules/reader-codes.js';
import { SECURITY_RULE_CODES } from '../../src/policy/rules/security-rules.js';

const DOC = new URL('../../docs/access-analyzer.md', import.meta.url);
const ALL = [...READER_CODES, ...GRAMMAR_RULE_CODES, ...FORMAT_RULE_CODES, ...CATALOG_RULE_CODES, ...SECURITY_RULE_CODES];

function render(): string {
  const mapped = ALL.filter((c) => (ACCESS_ANALYZER_CODES[c.code] ?? []).length > 0).length;
  const lines = [
    '# `validate` codes and IAM Access Analyzer findings',
    '',
    'For teams that already triage IAM Access Analyzer policy validation (`ValidatePolicy`,',
    'the IAM console policy editor, `cfn-policy-validator`): each `nbjob-iam validate` code',
    'with the nearest Access Analyzer issue code(s), from the AWS page "IAM Access Analyzer',
    'policy check reference". The mapping is the *nearest* finding, not an equivalence: the',
    'two tools may flag different shapes of the same problem. "none" means Access Analyzer',
    'has no check of that kind (nbjob-iam goes further there: the security warnings on',
    'NotAction, wildcard principals, StringEquals with `*`, and the notebook-job checks).',
    '',
    'In SARIF (`validate --format sarif`), a rule that has a nearest finding carries it in',
    '`properties.accessAnalyzer`. Generated from `src/policy/access-analyzer.ts` by',
    '`test/validate/access-analyzer.test.ts` (`UPDATE_DOCS=1` rewrites this file).',
    '',
    '| validate code | severity | nearest Access Analyzer issue code |',
    '| --- | --- | --- |',
    ...ALL.map((c) => `| \`${c.code}\` | ${c.severity} | ${(ACCESS_ANALYZER_CODES[c.code] ?? []).map((a) => `\`${a}\``).join(', ') || 'none'} |`),
    '',
    `${mapped} of ${ALL.length} codes have a nearest Access Analyzer finding.`,
    '',
  ];
  return lines.join('\n');
}

describe('Access Analyzer mapping', () => {
  it('covers every validate code, and only those', () => {
    expect(Object.keys(ACCESS_ANALYZER_CODES).sort()).toEqual(ALL.map((c) => c.code).sort());
    for (const codes of Object.values(ACCESS_ANALYZER_CODES)) for (const c of codes) expect(c).toMatch(/^[A-Z][A-Z0-9_]+$/);
    expect(ACCESS_ANALYZER_CODES['passrole-wildcard-without-passedtoservice']).toEqual(['PASS_ROLE_WITH_STAR_IN_RESOURCE']);
    expect(ACCESS_ANALYZER_CODES['version-missing']).toEqual(['MISSING_VERSION']);
  });

  it('docs/access-analyzer.md is the table', () => {
    const want = render();
    if (process.env['UPDATE_DOCS'] === '1') writeFileSync(DOC, want);
    expect(readFileSync(DOC, 'utf8')).toBe(want);
  });
});
