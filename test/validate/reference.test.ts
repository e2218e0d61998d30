/**
 * The policies of the SageMaker AI Developer Guide page "Set up policies and permissions
 * for Studio" (scheduled notebook jobs) are valid: no error-level finding. A careful
 * reviewer would still raise a few points, and exactly those are asserted here.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { PolicyKind } from '../../src/policy/model.js';
import { FORMAT_RULE_CODES } from '../../src/policy/rules/format-rules.js';
import { GRAMMAR_RULE_CODES } from '../../src/policy/rules/grammar-rules.js';
import { READER_CODES } from '../../src/policy/rules/reader-codes.js';
import { SECURITY_RULE_CODES } from '../../src/policy/rules/security-rules.js';
import { validatePolicyText } from '../../src/policy/validate.js';
import { posOf } from './helpers.js';

const OWN_CODES = new Set([...READER_CODES, ...GRAMMAR_RULE_CODES, ...FORMAT_RULE_CODES, ...SECURITY_RULE_CODES].map((c) => c.code));

function load(file: string): string {
  return readFileSync(new URL(`./fixtures/reference/${file}`, import.meta.url), 'utf8');
}

interface Expected {
  readonly code: string;
  readonly severity: string;
  readonly needle: string;
  readonly nth?: number;
}

const CASES: readonly { file: string; kind: PolicyKind; expected: readonly Expected[] }[] = [
  {
    file: 'job-role-trust.json',
    kind: 'trust',
    expected: [
      // The confused deputy problem: neither service statement checks aws:SourceAccount/SourceArn.
      { code: 'trust-service-without-source-condition', severity: 'suggestion', needle: '"sagemaker.amazonaws.com"' },
      { code: 'trust-service-without-source-condition', severity: 'suggestion', needle: '"events.amazonaws.com"' },
    ],
  },
  {
    file: 'notebook-job-permissions.json',
    kind: 'identity',
    expected: [
      // PassRole on every role of every account; only iam:PassedToService limits it.
      { code: 'passrole-any-role', severity: 'suggestion', needle: '"arn:aws:iam::*:role/*"' },
      // StringLike without a wildcard: StringEquals says the same.
      { code: 'stringlike-without-wildcard', severity: 'suggestion', needle: '"iam:PassedToService"' },
      // s3:GetObject/PutObject/DeleteObject on "*": every bucket.
      { code: 's3-object-access-all-buckets', severity: 'warning', needle: '"Resource": "*"', nth: 1 },
    ],
  },
  { file: 's3-vpc-endpoint-statement.json', kind: 'vpc-endpoint', expected: [] },
  { file: 'custom-kms-key.json', kind: 'identity', expected: [] },
];

describe('reference policies (SageMaker AI Developer Guide, scheduled notebook jobs)', () => {
  for (const c of CASES) {
    it(`${c.file} (${c.kind}) has no error-level finding`, () => {
      const findings = validatePolicyText(load(c.file), { kind: c.kind }).findings;
      expect(findings.filter((f) => f.severity === 'error'), JSON.stringify(findings, null, 1)).toEqual([]);
    });

    it(`${c.file} (${c.kind}) gets exactly the reviewer's warnings and suggestions`, () => {
      const text = load(c.file);
      const got = validatePolicyText(text, { kind: c.kind })
        .findings.filter((f) => OWN_CODES.has(f.code))
        .map((f) => ({ code: f.code, severity: f.severity, line: f.line, column: f.column }));
      const want = c.expected.map((e) => {
        const p = posOf(text, e.needle, e.nth ?? 0);
        const column = e.needle.startsWith('"Resource": ') ? p.column + '"Resource": '.length : p.column;
        return { code: e.code, severity: e.severity, line: p.line, column };
      });
      expect(got).toEqual(want);
    });
  }

  it('the permissions policy raises no NotAction, NotResource, full-admin or PassRole-without-service warning', () => {
    const codes = validatePolicyText(load('notebook-job-permissions.json'), { kind: 'identity' }).findings.map((f) => f.code);
    for (const absent of ['notaction-with-allow', 'notresource-with-allow', 'full-admin', 'passrole-wildcard-without-passedtoservice', 'stringequals-with-wildcard']) {
      expect(codes).not.toContain(absent);
    }
  });

  it('the wrapped endpoint statement keeps Principal "*", as gateway endpoints require', () => {
    const codes = validatePolicyText(load('s3-vpc-endpoint-statement.json'), { kind: 'vpc-endpoint' }).findings.map((f) => f.code);
    expect(codes).not.toContain('gateway-endpoint-principal-not-wildcard');
    expect(codes).not.toContain('wildcard-principal-without-condition');
  });

  it('the KMS policy carries the substituted key ARN, not the placeholder', () => {
    const text = load('custom-kms-key.json');
    expect(text).not.toContain('your_KMS_key_ARN');
    expect(text).toContain('arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab');
  });
});
