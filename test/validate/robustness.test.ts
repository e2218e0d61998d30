/**
 * Hostile input: a 10 MB policy, 100,000 nested arrays, and keys named after
 * Object.prototype members. The validator must answer with findings, never crash, and
 * never touch Object.prototype (architecture.md, "What to avoid": an operator named
 * `constructor` crashed a peer engine).
 */
import { describe, expect, it } from 'vitest';
import { validatePolicyText, validatePolicyValue } from '../../src/policy/validate.js';
import { posOf, withCode } from './helpers.js';

function prototypeSnapshot(): string[] {
  return Object.getOwnPropertyNames(Object.prototype).sort();
}

describe('size', () => {
  it('a 10 MB identity policy gives policy-too-large (and no internal error) without crashing', () => {
    const statements: string[] = [];
    let size = 0;
    for (let i = 0; size < 10 * 1024 * 1024; i++) {
      const s = `    {"Sid": "S${i}", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::bucket-${i}/*"}`;
      statements.push(s);
      size += s.length + 2;
    }
    const text = `{\n  "Version": "2012-10-17",\n  "Statement": [\n${statements.join(',\n')}\n  ]\n}\n`;
    expect(text.length).toBeGreaterThanOrEqual(10 * 1024 * 1024);
    const { findings, policy } = validatePolicyText(text, { kind: 'identity' });
    expect(policy?.statements.length).toBe(statements.length);
    expect(withCode(findings, 'internal-error')).toEqual([]);
    const big = withCode(findings, 'policy-too-large');
    expect(big).toHaveLength(1);
    expect(big[0]).toMatchObject({ severity: 'error', line: 1, column: 1, path: '$' });
    expect(findings.filter((f) => f.severity === 'error').map((f) => f.code)).toEqual(['policy-too-large']);
  });

  it('a 10 MB string value in a trust policy is measured, not choked on', () => {
    const text = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: '111122223333' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': 'x'.repeat(10 * 1024 * 1024) } } }],
    });
    const findings = validatePolicyText(text, { kind: 'trust' }).findings;
    expect(withCode(findings, 'policy-too-large')).toHaveLength(1);
    expect(withCode(findings, 'internal-error')).toEqual([]);
  });
});

describe('nesting', () => {
  it('100,000 nested arrays give invalid-json with a line and column', () => {
    const text = '['.repeat(100_000) + ']'.repeat(100_000);
    const findings = validatePolicyText(text, { kind: 'identity' }).findings;
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ code: 'invalid-json', severity: 'error', line: 1, column: 65 });
  });

  it('deep nesting inside a policy points at the first bracket past the limit', () => {
    const text = `{\n  "Version": "2012-10-17",\n  "Statement": ${'['.repeat(100_000)}${']'.repeat(100_000)}\n}`;
    const findings = validatePolicyText(text, { kind: 'identity' }).findings;
    const where = posOf(text, '[');
    expect(findings).toEqual([
      expect.objectContaining({ code: 'invalid-json', line: where.line, column: where.column + 63 }),
    ]);
  });
});

describe('keys named after Object.prototype members', () => {
  const names = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'];
  const text = [
    '{',
    '  "Version": "2012-10-17",',
    '  "Statement": [{',
    '    "Effect": "Allow",',
    '    "Principal": {',
    '      "__proto__": {"polluted": "yes"},',
    '      "constructor": "arn:aws:iam::111122223333:root",',
    '      "prototype": "x",',
    '      "AWS": "111122223333"',
    '    },',
    '    "Action": "s3:GetObject",',
    '    "Resource": "arn:aws:s3:::b/*",',
    '    "Condition": {',
    '      "__proto__": {"polluted": "yes"},',
    '      "constructor": {"aws:x": "y"},',
    '      "prototype": {"aws:x": "y"},',
    '      "StringEquals": {"__proto__": "a", "constructor": "b", "prototype": "c"}',
    '    }',
    '  }]',
    '}',
  ].join('\n');

  it('reports them as unknown principal types and unknown operators, at their places', () => {
    const before = prototypeSnapshot();
    const { findings } = validatePolicyText(text, { kind: 'bucket' });
    expect(withCode(findings, 'internal-error')).toEqual([]);
    const types = withCode(findings, 'unknown-principal-type');
    expect(types.map((f) => [f.line, f.column])).toEqual([
      [posOf(text, '"__proto__"').line, posOf(text, '"__proto__"').column],
      [posOf(text, '"constructor"').line, posOf(text, '"constructor"').column],
      [posOf(text, '"prototype"').line, posOf(text, '"prototype"').column],
    ]);
    const ops = withCode(findings, 'unknown-condition-operator');
    expect(ops.map((f) => f.line)).toEqual([14, 15, 16]);
    expect(ops.map((f) => f.column)).toEqual([7, 7, 7]);
    // "polluted" and the StringEquals keys are just (badly named) condition keys.
    expect(withCode(findings, 'condition-key-format').map((f) => f.line)).toEqual([14, 17, 17, 17]);
    expect(prototypeSnapshot()).toEqual(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype.toString.call([])).toBe('[object Array]');
  });

  it('an in-memory object with an own __proto__ key (from JSON.parse) does not pollute either', () => {
    const before = prototypeSnapshot();
    const value: unknown = JSON.parse(text);
    const { findings, policy } = validatePolicyValue(value, { kind: 'bucket' });
    expect(withCode(findings, 'unknown-principal-type')).toHaveLength(3);
    expect(withCode(findings, 'unknown-condition-operator')).toHaveLength(3);
    expect(policy?.statements[0]?.condition.map((c) => c.key)).toContain('__proto__');
    expect(prototypeSnapshot()).toEqual(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('handles every such name as an operator, a condition key and a principal type', () => {
    const before = prototypeSnapshot();
    for (const n of names) {
      const t = JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { [n]: 'x' }, Action: 's3:GetObject', Resource: '*', Condition: { [n]: { [n]: n }, StringEquals: { [n]: n } } }],
      });
      const { findings } = validatePolicyText(t, { kind: 'bucket' });
      expect(withCode(findings, 'internal-error')).toEqual([]);
      expect(withCode(findings, 'unknown-condition-operator')).toHaveLength(1);
      expect(withCode(findings, 'unknown-principal-type')).toHaveLength(1);
    }
    expect(prototypeSnapshot()).toEqual(before);
  });
});
