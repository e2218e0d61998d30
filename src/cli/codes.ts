/** Every finding code the validator can emit, from the rule modules' own tables, for reports. */
import { CATALOG_RULE_CODES } from '../policy/rules/catalog-rules.js';
import { FORMAT_RULE_CODES } from '../policy/rules/format-rules.js';
import { GRAMMAR_RULE_CODES } from '../policy/rules/grammar-rules.js';
import { READER_CODES } from '../policy/rules/reader-codes.js';
import { SECURITY_RULE_CODES } from '../policy/rules/security-rules.js';
import type { CodeInfo } from '../report/index.js';

export function findingCodes(): ReadonlyMap<string, CodeInfo> {
  const map = new Map<string, CodeInfo>();
  for (const table of [READER_CODES, GRAMMAR_RULE_CODES, FORMAT_RULE_CODES, SECURITY_RULE_CODES, CATALOG_RULE_CODES]) {
    for (const c of table) if (!map.has(c.code)) map.set(c.code, { description: c.description, severity: c.severity, source: c.source });
  }
  return map;
}
