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

  it('a 10 MB string value in a trust policy is refused by its path (value-too-long), not read further', () => {
    const text = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: '111122223333' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': 'x'.repeat(10 * 1024 * 1024) } } }],
    });
    const { findings, policy } = validatePolicyText(text, { kind: 'trust' });
    expect(policy).toBeUndefined();
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ code: 'value-too-long', severity: 'error', path: '$.Statement[0].Condition.StringEquals["sts:ExternalId"]', line: 1 });
    expect(findings[0]!.message).toContain('a value of 10,485,760 characters at $.Statement[0].Condition.StringEquals["sts:ExternalId"]');
    expect(findings[0]!.message.length).toBeLessThan(1000);
  });

  /**
   * Measured before the limit (node, /usr/bin/time -v max RSS, a 10 MiB value): a Resource
   * cost 2.0 GB and 11 s in validate (the catalog rule turned it into one token per
   * character), a Condition key 1.0 GB, a StringLike value 0.8 GB in simulate; after: about
   * 75 MB, as for a small policy (docs/fuzzing.md). No memory is asserted here: the point is
   * the finding and its path, for a value and for a key, at the limit and one past it.
   */
  it('the limit is 32,768 characters, for values and keys, wherever they are', () => {
    const at = (n: number) => 'a'.repeat(n);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ Resource: `arn:aws:s3:::${at(40_000)}` }, '$.Statement[0].Resource'],
      [{ Action: ['s3:GetObject', `s3:${at(40_000)}`] }, '$.Statement[0].Action[1]'],
      [{ Sid: at(32_769) }, '$.Statement[0].Sid'],
      [{ Condition: { StringLike: { 's3:prefix': [at(32_769)] } } }, '$.Statement[0].Condition.StringLike["s3:prefix"][0]'],
      [{ Condition: { StringEquals: { [`aws:PrincipalTag/${at(40_000)}`]: 'x' } } }, '$.Statement[0].Condition.StringEquals["aws:PrincipalTag/aaaaaaaaaaaaaaaaaaaaaaa…"]'],
    ];
    for (const [extra, path] of cases) {
      const text = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*', ...extra }] }, null, 2);
      const f = validatePolicyText(text, { kind: 'identity' }).findings;
      expect(f.map((x) => x.code), path).toEqual(['value-too-long']);
      expect(f[0]!.path, path).toBe(path);
      expect(f[0]!.line).toBeGreaterThan(1);
    }
    // 32,768 characters is still read (policy-too-large says the policy is too large, by the kind's quota).
    const atLimit = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'S', Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${'b'.repeat(32_768 - 13)}` }] });
    const ok = validatePolicyText(atLimit, { kind: 'identity' });
    expect(withCode(ok.findings, 'value-too-long')).toEqual([]);
    expect(ok.policy).toBeDefined();
  });
});

describe('a huge string in a file that is not valid JSON', () => {
  it('is named at its line and column before momoa reads it (momoa cost 400 MB on a 10 MB escaped string)', () => {
    const big = 'a\\"'.repeat(400_000); // 1.2 million characters, escapes included
    const text = `{\r\n  "Version": "2012-10-17",\r\n  "Statement": [{"Sid": "${big}", }]\r\n}`;
    const f = validatePolicyText(text, { kind: 'identity' }).findings;
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ code: 'invalid-json', line: 3, column: 25 });
    expect(f[0]!.message).toMatch(/a string of more than 1,048,576 characters starts here/);
    // Under the cap, the syntax error itself is reported, as before.
    const small = text.replace(big, 'x');
    expect(validatePolicyText(small, { kind: 'identity' }).findings[0]!.message).toMatch(/^invalid JSON: Unexpected token/);
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
