/**
 * The catalog rules run as part of validation (kept apart from the rule tests so that a
 * rule module under edit elsewhere cannot break them).
 */
import { describe, expect, it } from 'vitest';
import { CATALOG_RULES } from '../../src/policy/rules/catalog-rules.js';
import { RULES } from '../../src/policy/rules/index.js';
import { validatePolicyText } from '../../src/policy/validate.js';

describe('registration', () => {
  it('lists the catalog rules in the rule registry', () => {
    for (const r of CATALOG_RULES) expect(RULES).toContain(r);
  });

  it('reports catalog findings through validatePolicyText (Service Authorization Reference: s3 actions)', () => {
    const text = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObjcet", "Resource": "*"}]}';
    const { findings } = validatePolicyText(text, { kind: 'identity' });
    expect(findings.filter((f) => f.code === 'unknown-action')).toEqual([
      expect.objectContaining({ severity: 'error', path: '$.Statement[0].Action', line: 1, column: 71 }),
    ]);
  });
});
