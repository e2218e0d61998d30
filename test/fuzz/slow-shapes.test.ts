/**
 * Inputs the full fuzz run (`npm run fuzz`, docs/fuzzing.md) found to take far longer than
 * their size: each was over the 15 s bound of a case, most for minutes. Each is now linear;
 * these tests keep the shapes, with what the tool must say about them. They assert results,
 * not times (speed is measured by benchmarks): the test timeout only stops a regression that
 * would hang the suite.
 */
import { describe, expect, it } from 'vitest';
import { simulateScenarioText } from '../../src/engine/simulate.js';
import { validatePolicyText } from '../../src/policy/validate.js';
import { trimEndOf, trimStartOf } from '../../src/text/trim.js';

const SPACES = ' '.repeat(900_000);

function policyWith(condition: Record<string, unknown>): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ec2:RunInstances', Resource: '*', Condition: condition }] }, null, 2);
}

describe('shapes that were quadratic', () => {
  // Both keys below are longer than any policy AWS accepts (32,768 characters): the reader
  // refuses them by path (value-too-long, docs/input.md "Long values") before any rule or
  // suggestion looks at them, so neither the operator nor the key lookup is reached.
  it('a condition operator of 900,000 characters: refused by its path, no suggestion ("IAM JSON policy elements: Condition operators")', () => {
    const r = validatePolicyText(policyWith({ [`ForAllValues:StringEqu${SPACES}als`]: { 'aws:TagKeys': ['a'] } }), { kind: 'identity' });
    expect(r.findings.map((x) => x.code)).toEqual(['value-too-long']);
    expect(r.findings[0]?.path).toMatch(/^\$\.Statement\[0\]\.Condition\["ForAllValues:StringEqu +…"\]$/);
    expect(r.findings[0]?.message).not.toMatch(/did you mean/);
  });

  it('an operator one letter off still gets its suggestion (the bound keeps close names)', () => {
    const r = validatePolicyText(policyWith({ StringEqals: { 'aws:PrincipalTag/team': 'ml' } }), { kind: 'identity' });
    expect(r.findings.find((x) => x.code === 'unknown-condition-operator')?.message).toContain('StringEquals');
  });

  it('a condition key of 200,000 characters: refused by its path, read once ("AWS global condition context keys")', () => {
    const r = validatePolicyText(policyWith({ StringEquals: { [`aws:TagKeys${SPACES.slice(0, 200_000)}`]: 'a' } }), { kind: 'identity' });
    expect(r.findings.map((x) => x.code)).toEqual(['value-too-long']);
    expect(r.findings[0]?.message).toContain('a key of 200,011 characters at $.Statement[0].Condition.StringEquals["aws:TagKeys');
  });

  it('a scenario cut short inside a string of 400,000 spaces: "ends too early", with its line', () => {
    const whole = JSON.stringify({ name: `n${SPACES.slice(0, 400_000)}x`, doc: 'd', request: {}, policies: {} }, null, 2);
    const text = whole.slice(0, whole.indexOf('x"') + 1); // the run of spaces is not at the end
    const r = simulateScenarioText(text, 'cut.json');
    expect(r.error).toMatch(/^cut\.json:2:\d+: invalid JSON: the JSON ends too early/);
  });
});

describe('trimEndOf and trimStartOf: what the quadratic regular expressions did, in linear time', () => {
  it.each([
    ['arn:aws:s3:::b/k.).', '.,;)', 'arn:aws:s3:::b/k'],
    ['...', '.', ''],
    ['abc', '.', 'abc'],
    ['', '.', ''],
  ])('trimEndOf(%j, %j) is %j', (s, chars, expected) => {
    expect(trimEndOf(s, chars)).toBe(expected);
    expect(s.replace(new RegExp(`[${chars.replace(/[\]\\^-]/g, '\\$&')}]+$`), '')).toBe(expected);
  });

  it('trimStartOf keeps what follows the run', () => {
    expect(trimStartOf('__a_b__', '_')).toBe('a_b__');
    expect(trimStartOf('___', '_')).toBe('');
    expect(trimEndOf(`${'.'.repeat(1_000_000)}x${'.'.repeat(10)}`, '.')).toHaveLength(1_000_001);
  });
});
