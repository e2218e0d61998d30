import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../../src/engine/compile.js';
import { BASE_OPERATORS, evalCondition, resolveOperator } from '../../src/engine/conditions.js';
import type { ConditionTrace } from '../../src/engine/conditions.js';
import { contextFrom } from '../../src/engine/context.js';
import type { ContextInputValue } from '../../src/engine/context.js';
import type { Tri } from '../../src/engine/residual.js';
import { UNKNOWN } from '../../src/engine/variables.js';
import { DEFAULT_EVALUATION_OPTIONS } from '../../src/engine/types.js';
import type { EvaluationOptions } from '../../src/engine/types.js';
import { policy } from './helpers.js';

function clause(
  op: string,
  key: string,
  values: unknown,
  context: Record<string, ContextInputValue> = {},
  opts: Partial<EvaluationOptions> = {},
  unknown: string[] = [],
  trace: ConditionTrace[] | null = null,
): Tri {
  const cp = compilePolicy(policy({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*', Condition: { [op]: { [key]: values } } }] }));
  if (cp.errors.length) throw new Error(cp.errors[0]?.message);
  const c = cp.statements[0]!.conditions[0]!;
  const ctx = contextFrom(context, unknown);
  return evalCondition(c, { context: ctx, options: { ...DEFAULT_EVALUATION_OPTIONS, ...opts }, variables: true, lookup: (k) => (ctx.isUnknown(k) ? UNKNOWN : ctx.get(k)) }, trace);
}

describe('Condition operators ("IAM JSON policy elements: Condition operators")', () => {
  it('every operator of spec §2.4 resolves, with IfExists and set prefixes', () => {
    expect(BASE_OPERATORS.size).toBe(27);
    for (const name of ['StringEquals', 'ForAllValues:StringLike', 'ForAnyValue:ArnLikeIfExists', 'BoolIfExists', 'NumericLessThanEqualsIfExists', 'DateGreaterThan', 'NotIpAddress', 'BinaryEquals', 'Null']) {
      expect('error' in resolveOperator(name), name).toBe(false);
    }
    expect('error' in resolveOperator('NullIfExists')).toBe(true);
    expect('error' in resolveOperator('StringEqualz')).toBe(true);
  });

  it('String: StringEquals is exact and case-sensitive; `*` is literal (G18)', () => {
    expect(clause('StringEquals', 's3:prefix', 'home/*', { 's3:prefix': 'home/alice' })).toBe(false);
    expect(clause('StringEquals', 's3:prefix', 'home/*', { 's3:prefix': 'home/*' })).toBe(true);
    expect(clause('StringLike', 's3:prefix', 'home/*', { 's3:prefix': 'home/alice' })).toBe(true);
    expect(clause('StringEquals', 'k', 'Alpha', { k: 'alpha' })).toBe(false);
    expect(clause('StringEqualsIgnoreCase', 'k', 'Alpha', { k: 'ALPHA' })).toBe(true);
    expect(clause('StringNotEqualsIgnoreCase', 'k', 'Alpha', { k: 'ALPHA' })).toBe(false);
  });

  it('Condition keys are case-insensitive ("Condition": key names) (spec §2.2)', () => {
    expect(clause('StringEquals', 'AWS:SourceVPCE', 'vpce-1', { 'aws:sourcevpce': 'vpce-1' })).toBe(true);
  });

  it('several values are OR under positive and NOR under negated operators (G13)', () => {
    expect(clause('StringEquals', 'aws:PrincipalAccount', ['111', '222'], { 'aws:PrincipalAccount': '222' })).toBe(true);
    expect(clause('StringNotEquals', 'aws:PrincipalAccount', ['111', '222'], { 'aws:PrincipalAccount': '111' })).toBe(false);
    expect(clause('StringNotEquals', 'aws:PrincipalAccount', ['111', '222'], { 'aws:PrincipalAccount': '333' })).toBe(true);
  });

  it('missing key: positive false, negated true, IfExists true (G10, G11, G12) (spec §2.3)', () => {
    expect(clause('StringEquals', 'k', 'v')).toBe(false);
    expect(clause('StringNotEquals', 'k', 'v')).toBe(true);
    expect(clause('StringEqualsIfExists', 'k', 'v')).toBe(true);
    expect(clause('StringNotEqualsIfExists', 'k', 'v')).toBe(true);
    expect(clause('StringEqualsIfExists', 'k', 'v', { k: 'w' })).toBe(false);
  });

  it('Null: "true" requires absence, "false" presence', () => {
    expect(clause('Null', 'k', 'true')).toBe(true);
    expect(clause('Null', 'k', 'false')).toBe(false);
    expect(clause('Null', 'k', 'true', { k: 'x' })).toBe(false);
    expect(clause('Null', 'k', false, { k: 'x' })).toBe(true);
    expect(clause('Null', 'k', 'true', { k: [] })).toBe(true);
  });

  it('ForAllValues is vacuously true and ForAnyValue false on a missing key (G14, G15)', () => {
    expect(clause('ForAllValues:StringEquals', 'aws:TagKeys', ['env', 'team'])).toBe(true);
    expect(clause('ForAnyValue:StringEquals', 'aws:TagKeys', ['admin'])).toBe(false);
    expect(clause('ForAllValues:StringEquals', 'aws:TagKeys', ['env', 'team'], { 'aws:TagKeys': ['env', 'owner'] })).toBe(false);
    expect(clause('ForAllValues:StringEquals', 'aws:TagKeys', ['env', 'team'], { 'aws:TagKeys': ['env'] })).toBe(true);
    expect(clause('ForAnyValue:StringEquals', 'aws:TagKeys', ['admin'], { 'aws:TagKeys': ['admin', 'x'] })).toBe(true);
  });

  it('IfExists with a set operator: the set rule decides an absent key (spec §2.5; re:Post "ForAnyValue:StringEqualsIfExists behaving unexpectedly"; A19)', () => {
    expect(clause('ForAnyValue:StringEqualsIfExists', 'aws:TagKeys', ['admin'])).toBe(false);
    expect(clause('ForAllValues:StringEqualsIfExists', 'aws:TagKeys', ['admin'])).toBe(true);
    expect(clause('ForAnyValue:StringEqualsIfExists', 'aws:TagKeys', ['admin'], {}, { setOperatorIfExistsOnAbsentKey: 'ifExistsRule' })).toBe(true);
    expect(clause('ForAnyValue:StringEqualsIfExists', 'aws:TagKeys', ['admin'], { 'aws:TagKeys': ['x'] })).toBe(false);
    expect(clause('ForAnyValue:StringEqualsIfExists', 'aws:TagKeys', ['admin'], { 'aws:TagKeys': ['x'] }, { setOperatorIfExistsOnAbsentKey: 'ifExistsRule' })).toBe(false);
  });

  it('set operators with negation: ForAllValues:StringNotEquals = none in list; ForAnyValue:StringNotEquals = one outside (spec §2.5)', () => {
    expect(clause('ForAllValues:StringNotEquals', 'k', ['a', 'b'], { k: ['c', 'd'] })).toBe(true);
    expect(clause('ForAllValues:StringNotEquals', 'k', ['a', 'b'], { k: ['a', 'd'] })).toBe(false);
    expect(clause('ForAnyValue:StringNotEquals', 'k', ['a', 'b'], { k: ['a', 'd'] })).toBe(true);
    expect(clause('ForAnyValue:StringNotEquals', 'k', ['a', 'b'], { k: ['a', 'b'] })).toBe(false);
    expect(clause('ForAnyValue:StringNotEquals', 'k', ['a'])).toBe(false);
  });

  it('a set operator treats a single value as a one-element set (G16)', () => {
    expect(clause('ForAllValues:StringEquals', 'aws:RequestTag/env', ['dev'], { 'aws:RequestTag/env': 'prod' })).toBe(false);
    expect(clause('ForAnyValue:StringEquals', 'aws:RequestTag/env', ['dev'], { 'aws:RequestTag/env': 'dev' })).toBe(true);
  });

  it('Numeric: "10" equals "10.0"; comparisons; a non-numeric context value is false, negated too (A4)', () => {
    expect(clause('NumericEquals', 'n', '10', { n: '10.0' })).toBe(true);
    expect(clause('NumericLessThan', 'n', 10, { n: '9.5' })).toBe(true);
    expect(clause('NumericLessThanEquals', 'n', '10', { n: '10' })).toBe(true);
    expect(clause('NumericGreaterThan', 'n', '10', { n: '10' })).toBe(false);
    expect(clause('NumericGreaterThanEquals', 'n', '10', { n: '10' })).toBe(true);
    expect(clause('NumericNotEquals', 'n', ['1', '2'], { n: '3' })).toBe(true);
    const trace: ConditionTrace[] = [];
    expect(clause('NumericEquals', 'n', '10', { n: 'ten' }, {}, [], trace)).toBe(false);
    expect(trace[0]?.note).toContain('A4');
    expect(clause('NumericNotEquals', 'n', '10', { n: 'ten' })).toBe(false);
  });

  it('Numeric/IP values are never variables: "${…}" never matches ("Policy variables")', () => {
    expect(clause('NumericLessThanEquals', 'n', '${aws:PrincipalTag/max}', { n: '1', 'aws:PrincipalTag/max': '5' })).toBe(false);
    expect(clause('IpAddress', 'aws:SourceIp', '${aws:PrincipalTag/cidr}', { 'aws:SourceIp': '10.0.0.1', 'aws:PrincipalTag/cidr': '10.0.0.0/8' })).toBe(false);
  });

  it('Date: ISO 8601 W3C profile and epoch seconds, compared in milliseconds (G24)', () => {
    expect(clause('DateLessThan', 'aws:CurrentTime', '1767225600', { 'aws:CurrentTime': '2025-06-01T00:00:00Z' })).toBe(true);
    expect(clause('DateLessThan', 'aws:CurrentTime', '2026-01-01', { 'aws:CurrentTime': '2025-12-31T23:59:59Z' })).toBe(true);
    expect(clause('DateEquals', 'aws:CurrentTime', '2026-01-01T01:00:00+01:00', { 'aws:CurrentTime': '2026-01-01T00:00:00Z' })).toBe(true);
    expect(clause('DateGreaterThan', 'aws:EpochTime', '2026-01-01T00:00:00Z', { 'aws:EpochTime': '1767225601' })).toBe(true);
    expect(clause('DateLessThan', 'aws:CurrentTime', '2026', { 'aws:CurrentTime': '1970-01-01T01:00:00Z' })).toBe(false);
    expect(clause('DateEquals', 'aws:CurrentTime', '2026-01-01T00:00:00.500Z', { 'aws:CurrentTime': '2026-01-01T00:00:00.5Z' })).toBe(true);
    expect(clause('DateNotEquals', 'd', '2026-01-01', { d: 'yesterday' })).toBe(false);
  });

  it('Date: an unparsable policy value makes the policy invalid (AWS rejects it at save)', () => {
    const cp = compilePolicy(policy({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateLessThan: { 'aws:CurrentTime': 'soon' } } }] }));
    expect(cp.errors[0]?.message).toContain('not a date');
  });

  it('IP: IPv4 and IPv6 CIDRs, bare address is /32; families never mix (G26)', () => {
    expect(clause('IpAddress', 'aws:SourceIp', '203.0.113.0/24', { 'aws:SourceIp': '203.0.113.7' })).toBe(true);
    expect(clause('IpAddress', 'aws:SourceIp', '203.0.113.7', { 'aws:SourceIp': '203.0.113.8' })).toBe(false);
    expect(clause('IpAddress', 'aws:SourceIp', '203.0.113.0/24', { 'aws:SourceIp': '2001:db8::1' })).toBe(false);
    expect(clause('NotIpAddress', 'aws:SourceIp', '203.0.113.0/24', { 'aws:SourceIp': '2001:db8::1' })).toBe(true);
    expect(clause('IpAddress', 'aws:SourceIp', '2001:DB8:1234:5678::/64', { 'aws:SourceIp': '2001:db8:1234:5678:abcd::1' })).toBe(true);
    expect(clause('IpAddress', 'aws:SourceIp', '2001:db8::/32', { 'aws:SourceIp': '2001:db9::1' })).toBe(false);
    expect(clause('IpAddress', 'aws:SourceIp', '0.0.0.0/0', { 'aws:SourceIp': '8.8.8.8' })).toBe(true);
    expect(clause('IpAddress', 'aws:SourceIp', '::ffff:10.0.0.0/120', { 'aws:SourceIp': '::ffff:10.0.0.9' })).toBe(true);
    expect(clause('NotIpAddress', 'aws:SourceIp', '10.0.0.0/8', { 'aws:SourceIp': 'garbage' })).toBe(false);
  });

  it('Bool: "true"/"false", booleans in JSON mean the same; case-insensitive (spec §2.10)', () => {
    expect(clause('Bool', 'aws:SecureTransport', false, { 'aws:SecureTransport': 'false' })).toBe(true);
    expect(clause('Bool', 'aws:SecureTransport', 'TRUE', { 'aws:SecureTransport': true })).toBe(true);
    expect(clause('Bool', 'aws:SecureTransport', 'true', { 'aws:SecureTransport': 'yes' })).toBe(false);
  });

  it('BinaryEquals compares base64-decoded bytes', () => {
    expect(clause('BinaryEquals', 'k', 'QmluYXJ5', { k: 'QmluYXJ5' })).toBe(true);
    expect(clause('BinaryEquals', 'k', 'QmluYXJ5', { k: 'QmluYXJ6' })).toBe(false);
  });

  it('ARN operators: ArnEquals accepts wildcards too; ARN vs string semantics (G22, spec §2.9)', () => {
    expect(clause('ArnEquals', 'aws:SourceArn', 'arn:aws:sns:*:111:topic-*', { 'aws:SourceArn': 'arn:aws:sns:us-east-1:111:topic-a' })).toBe(true);
    const p = 'arn:aws:svc:*:111:finance/*';
    const v = { 'aws:SourceArn': 'arn:aws:svc:us-east-2:999:store/abc:111:finance/doc' };
    expect(clause('ArnLike', 'aws:SourceArn', p, v)).toBe(false);
    expect(clause('StringLike', 'aws:SourceArn', p, v)).toBe(true);
    expect(clause('ArnNotLike', 'aws:SourceArn', p, v)).toBe(true);
    expect(clause('ArnLike', 'aws:SourceArn', p, { 'aws:SourceArn': 'not-an-arn' })).toBe(false);
    expect(clause('ArnNotLike', 'aws:SourceArn', p, { 'aws:SourceArn': 'not-an-arn' })).toBe(false);
  });

  it('ARN operators with a variable: substituted text is literal and parts are still split', () => {
    expect(clause('ArnLike', 'aws:SourceArn', 'arn:aws:sqs:*:${aws:PrincipalAccount}:q-*', { 'aws:SourceArn': 'arn:aws:sqs:eu-west-1:111:q-1', 'aws:PrincipalAccount': '111' })).toBe(true);
    expect(clause('ArnLike', 'aws:SourceArn', 'arn:aws:sqs:*:${aws:PrincipalAccount}:q-*', { 'aws:SourceArn': 'arn:aws:sqs:eu-west-1:222:q-1', 'aws:PrincipalAccount': '111' })).toBe(false);
  });

  it('tag-suffix keys are looked up case-insensitively (A16, G43)', () => {
    expect(clause('StringEquals', 'aws:ResourceTag/Project', 'alpha', { 'aws:ResourceTag/project': 'alpha' })).toBe(true);
    expect(clause('StringEquals', 'aws:ResourceTag/Project', 'alpha', { 'aws:ResourceTag/Project': 'Alpha' })).toBe(false);
  });

  it('the trace names operator, key, context values and policy values', () => {
    const t: ConditionTrace[] = [];
    clause('StringEquals', 'aws:PrincipalTag/team', '${aws:username}', { 'aws:PrincipalTag/team': 'blue', 'aws:username': 'blue' }, {}, [], t);
    expect(t[0]).toMatchObject({ operator: 'StringEquals', key: 'aws:PrincipalTag/team', contextValues: ['blue'], policyValues: ['blue'], result: true });
  });
});
