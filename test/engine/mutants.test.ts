/**
 * Behaviours that mutation testing (docs/mutation.md) showed no test pinned down: each test
 * here fails on a named mutant of the engine. They state what AWS documents, not how the
 * engine is written, so they hold whatever caching or structure the engine uses.
 */
import { describe, expect, it } from 'vitest';
import { authorize } from '../../src/engine/authorize.js';
import { explainResult } from '../../src/engine/explain.js';
import type { StatementTrace, Trace } from '../../src/engine/result.js';
import { isPreparedRequest, prepareRequest, RequestError } from '../../src/engine/request.js';
import { compilePolicy, compilePolicyDocument, PolicyCompileError, resourceEntryMatches } from '../../src/engine/compile.js';
import { evalCondition, resolveOperator } from '../../src/engine/conditions.js';
import type { ConditionTrace } from '../../src/engine/conditions.js';
import { contextFrom, RequestContext } from '../../src/engine/context.js';
import type { ContextInputValue } from '../../src/engine/context.js';
import { DEFAULT_EVALUATION_OPTIONS } from '../../src/engine/types.js';
import type { EvaluationOptions } from '../../src/engine/types.js';
import { arnLike, splitArn, splitArnPadded } from '../../src/engine/arn.js';
import { and, not, or, renderResidual } from '../../src/engine/residual.js';
import { decodeBase64, networkContains, parseDate, parseIpNetwork, parseNumber } from '../../src/engine/values.js';
import type { ResidualClause } from '../../src/engine/residual.js';
import { parseTemplate, resolveToString, resolveToTokens, templateText, UNKNOWN, UNRESOLVED } from '../../src/engine/variables.js';
import { compileWildcard, compileWildcardTokens, tokenize, wildcardMatch } from '../../src/engine/wildcard.js';
import { betterClass, compilePrincipalBlock, entryClass, matchPrincipal, notPrincipalApplies, parsePrincipal, principalKeys, principalNamesCaller } from '../../src/engine/principal.js';
import type { RequestPrincipal } from '../../src/engine/principal.js';
import { NO_POSITION } from '../../src/policy/json.js';
import { readPolicyValue } from '../../src/policy/read.js';
import type { PolicyKind } from '../../src/policy/model.js';
import { A, ALICE, allow, B, decision, deny, doc, policy, ROLE, run, SESSION } from './helpers.js';

const opts = (o: Partial<EvaluationOptions>): { trace: false } & Partial<EvaluationOptions> => ({ trace: false, ...o });

describe('wildcard search ("IAM JSON policy elements: Resource", "Condition operators: StringLike")', () => {
  it('a middle segment with `?` is retried at the next occurrence of its anchor, overlapping the first', () => {
    // `a?b` first fits at index 0 (a, a, x: no), then at index 1 (a, x, b: yes).
    expect(wildcardMatch('*a?b*', 'aaxb')).toBe(true);
    // The anchor `aa` of `aa?b` occurs at 0 and, overlapping, at 1: the match is at 1.
    expect(wildcardMatch('*aa?b*', 'aaaxb')).toBe(true);
    expect(wildcardMatch('x*a?b*y', 'xaaxby')).toBe(true);
    expect(wildcardMatch('*ab?d*', 'abababxd')).toBe(true);
    expect(compileWildcard('*ab?d*').test('abababxe')).toBe(false);
  });

  it('a middle segment of only `?` that no longer fits before the last segment fails the match', () => {
    // `b` is found at 2, so `?` would need index 3, which the last segment `c` holds.
    expect(wildcardMatch('a*b*?*c', 'axbc')).toBe(false);
    expect(wildcardMatch('a*b*?*c', 'abxc')).toBe(true);
  });

  it('a matcher built from tokens shows its pattern with `*` and `?` (traces quote it)', () => {
    expect(compileWildcardTokens([{ t: 'lit', s: 'a/' }, { t: 'star' }, { t: 'q' }]).pattern).toBe('a/*?');
  });

  it('policy text splits into literals, `*` and `?`, with no empty literal between adjacent wildcards', () => {
    // "IAM JSON policy elements: Resource": `*` matches any combination of characters, `?` any single one;
    // everything else is literal. Substituted variable values are appended to these tokens as literals.
    expect(tokenize('a*?b')).toEqual([{ t: 'lit', s: 'a' }, { t: 'star' }, { t: 'q' }, { t: 'lit', s: 'b' }]);
    expect(tokenize('*?')).toEqual([{ t: 'star' }, { t: 'q' }]);
    expect(tokenize('')).toEqual([]);
    expect(tokenize('s3:GetObject')).toEqual([{ t: 'lit', s: 's3:GetObject' }]);
  });

  it('a pattern of only `*` says it matches everything; any other text or `?` does not', () => {
    // "IAM JSON policy elements: Resource": "Resource": "*" matches every resource.
    expect(compileWildcard('*').matchesAll).toBe(true);
    expect(compileWildcard('**').matchesAll).toBe(true);
    expect(compileWildcard('*a*').matchesAll).toBe(false);
    expect(compileWildcard('*?').matchesAll).toBe(false);
    expect(compileWildcard('').matchesAll).toBe(false);
    expect(compileWildcard('a').matchesAll).toBe(false);
  });
});

describe('ArnLike one-off matching ("Condition operators: ARN")', () => {
  it('a pattern or value that is not an ARN never matches', () => {
    expect(arnLike('not-an-arn', 'arn:aws:s3:::b')).toBe(false);
    expect(arnLike('arn:aws:s3:::b', 'not-an-arn')).toBe(false);
    expect(arnLike('*', 'arn:aws:s3:::b')).toBe(false);
  });

  it('A17 padding applies only to short text that starts with arn: (docs/decisions/a17-short-arns.md)', () => {
    // A full ARN keeps the colons of its resource part; padding would cut them off.
    expect(splitArnPadded('arn:aws:sns:us-east-1:111122223333:topic:sub')).toEqual(splitArn('arn:aws:sns:us-east-1:111122223333:topic:sub'));
    expect(splitArnPadded('arn:aws:sns:us-east-1:111122223333:topic:sub')?.resource).toBe('topic:sub');
    expect(splitArnPadded('bucket-name')).toBeUndefined();
    expect(splitArnPadded('x-arn:aws:s3')).toBeUndefined();
    expect(splitArnPadded('ARN:aws:s3')?.service).toBe('s3');
  });
});

describe('policy variable templates ("IAM policy elements: Variables and tags")', () => {
  it('a malformed default or an empty ${} stays literal text', () => {
    expect(parseTemplate("b/${aws:username, nodefault}/x")).toBeUndefined();
    expect(parseTemplate('b/${}/x')).toBeUndefined();
    const t = parseTemplate("b/${ }/${aws:username, bad}/${aws:userid}");
    expect(t?.keys).toEqual(['aws:userid']);
    expect(t?.parts).toEqual([
      { kind: 'text', text: 'b/${ }/${aws:username, bad}/' },
      { kind: 'var', key: 'aws:userid', raw: '${aws:userid}' },
    ]);
  });

  it('a default in single quotes is kept, and templateText gives back the text as written', () => {
    const t = parseTemplate("home/${aws:username, 'guest'}/${*}");
    expect(t?.parts).toEqual([
      { kind: 'text', text: 'home/' },
      { kind: 'var', key: 'aws:username', raw: "${aws:username, 'guest'}", defaultValue: 'guest' },
      { kind: 'text', text: '/' },
      { kind: 'literal', text: '*' },
    ]);
    expect(templateText(t!)).toBe("home/${aws:username, 'guest'}/*");
  });

  // "IAM policy elements: Variables and tags" (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html):
  // a default value is written after a comma, in single quotes: ${aws:username, 'guest'}.
  it('a default value is the text between single quotes after the comma; anything else keeps the ${…} literal ("IAM policy elements: Variables and tags")', () => {
    const users = (o: Record<string, string | string[]>) => (k: string): string | readonly string[] | undefined => o[k];
    for (const bad of ["${aws:username, x'}", "${aws:username, 'x}", "${aws:username, '}", "${, 'x'}"]) expect(parseTemplate(`b/${bad}/k`)).toBeUndefined();
    expect(resolveToString(parseTemplate("b/${aws:username, ''}/k")!, users({}))).toBe('b//k');
    expect(resolveToString(parseTemplate("b/${aws:username , 'guest'}/k")!, users({ 'aws:username': 'alice' }))).toBe('b/alice/k');
    // Multivalued keys cannot be policy variables, and a default does not stand in for one ("Single-valued vs. multivalued context keys").
    expect(resolveToString(parseTemplate("${aws:TagKeys, 'none'}")!, users({ 'aws:tagkeys': ['a', 'b'] }))).toBe(UNRESOLVED);
  });

  it('a template is the policy text cut at each variable and escape, with no empty pieces; an unterminated ${ stays text', () => {
    expect(parseTemplate('${aws:username}')?.parts).toStrictEqual([{ kind: 'var', key: 'aws:username', raw: '${aws:username}' }]);
    expect(parseTemplate('${*}')?.parts).toStrictEqual([{ kind: 'literal', text: '*' }]);
    const open = parseTemplate('${aws:username}/${oops');
    expect(open?.parts).toStrictEqual([
      { kind: 'var', key: 'aws:username', raw: '${aws:username}' },
      { kind: 'text', text: '/${oops' },
    ]);
    expect(templateText(open!)).toBe('${aws:username}/${oops');
  });

  it('substituted values and escapes become literal tokens, and an empty value adds none ("IAM policy elements: Variables and tags")', () => {
    const t = parseTemplate('a${*}${aws:username}')!;
    expect(resolveToTokens(t, (k) => (k === 'aws:username' ? '' : undefined))).toStrictEqual([
      { t: 'lit', s: 'a' },
      { t: 'lit', s: '*' },
    ]);
    expect(resolveToTokens(t, (k) => (k === 'aws:username' ? 'bob' : undefined))).toStrictEqual([
      { t: 'lit', s: 'a' },
      { t: 'lit', s: '*' },
      { t: 'lit', s: 'bob' },
    ]);
  });

  it('a Resource with variables is matched with each request\'s own values, also when one compiled policy serves many requests', () => {
    // "IAM policy elements: Variables and tags": each variable is replaced by the request's value of its key.
    const p = compilePolicy(policy(doc(allow('s3:GetObject', 'arn:aws:s3:::b/${aws:username}/${aws:PrincipalTag/team}/*'))));
    const req = (team: string): Parameters<typeof authorize>[0] => ({
      principal: ALICE,
      action: 's3:GetObject',
      resource: `arn:aws:s3:::b/alice/${team}/x`,
      context: { 'aws:PrincipalTag/team': team },
    });
    for (let i = 0; i < 2; i++) {
      expect(authorize(req('red'), { identity: [p] }, opts({})).decision).toBe('Allow');
      expect(authorize(req('blue'), { identity: [p] }, opts({})).decision).toBe('Allow');
      expect(authorize({ ...req('blue'), resource: 'arn:aws:s3:::b/alice/red/x' }, { identity: [p] }, opts({})).decision).toBe('ImplicitDeny');
    }
  });
});

describe('residual formulas for people', () => {
  it('a formula that always or never holds is written as such', () => {
    expect(renderResidual(true)).toBe('always');
    expect(renderResidual(false)).toBe('never');
  });

  it('nested conjunctions and disjunctions are flattened, from either side', () => {
    const c = (key: string): ResidualClause => ({ kind: 'clause', key, operator: 'StringEquals', values: ['v'] });
    const [x, y, z, w] = [c('x'), c('y'), c('z'), c('w')];
    expect(and(and(x, y), z)).toEqual({ kind: 'and', items: [x, y, z] });
    expect(and(x, and(y, z))).toEqual({ kind: 'and', items: [x, y, z] });
    expect(and(and(x, y), and(z, w))).toEqual({ kind: 'and', items: [x, y, z, w] });
    expect(or(or(x, y), z)).toEqual({ kind: 'or', items: [x, y, z] });
    expect(or(x, or(y, z))).toEqual({ kind: 'or', items: [x, y, z] });
    expect(renderResidual(and(and(x, y), z))).toBe(renderResidual({ kind: 'and', items: [x, y, z] }));
  });

  it('true and false are identities and absorbers; not(not(x)) is x', () => {
    const x: ResidualClause = { kind: 'clause', key: 'k', operator: 'StringEquals', values: ['v'] };
    expect(or(x, false)).toBe(x);
    expect(or(false, x)).toBe(x);
    expect(or(x, true)).toBe(true);
    expect(and(x, true)).toBe(x);
    expect(and(true, x)).toBe(x);
    expect(and(x, false)).toBe(false);
    expect(not(not(x))).toBe(x);
    expect(not(true)).toBe(false);
  });

  it('renders clauses with their values, nested groups in parentheses, not without doubling them', () => {
    const c = (key: string, ...values: string[]): ResidualClause => ({ kind: 'clause', key, operator: 'StringEquals', values });
    const [x, y, z] = [c('x', 'a', 'b'), c('y', 'c'), c('z', 'd')];
    expect(renderResidual(x)).toBe('x StringEquals ["a", "b"]');
    expect(renderResidual(or(y, z))).toBe('y StringEquals ["c"] or z StringEquals ["d"]');
    expect(renderResidual(and(x, or(y, z)))).toBe('x StringEquals ["a", "b"] and (y StringEquals ["c"] or z StringEquals ["d"])');
    expect(renderResidual(or(and(x, y), z))).toBe('(x StringEquals ["a", "b"] and y StringEquals ["c"]) or z StringEquals ["d"]');
    expect(renderResidual(not(and(y, z)))).toBe('not (y StringEquals ["c"] and z StringEquals ["d"])');
  });
});

describe('numeric condition values ("Condition operators: Numeric")', () => {
  it('only decimal numbers are numbers: no empty string, hex, exponent or padding', () => {
    expect(parseNumber('10')).toBe(10);
    expect(parseNumber('-1.5')).toBe(-1.5);
    expect(parseNumber('.5')).toBe(0.5);
    for (const s of ['', ' 5', '0x10', '1e3', 'Infinity', '5 ']) expect(parseNumber(s), JSON.stringify(s)).toBeUndefined();
  });
});

describe('date condition values ("Condition operators: Date", W3C profile of ISO 8601)', () => {
  it('a component out of range makes the text not a date', () => {
    for (const s of ['2026-00-10', '2026-13-10', '2026-01-00', '2026-01-32', '2026-01-10T25:00Z', '2026-01-10T10:60Z', '2026-01-10T10:00:61Z']) {
      expect(parseDate(s, 'epochSeconds'), s).toBeUndefined();
    }
    // The largest values of each component are dates (24:00 and a leap second included).
    for (const s of ['2026-12-31', '2026-01-31T23:59:60Z', '2026-01-10T24:00Z']) expect(parseDate(s, 'epochSeconds'), s).toBeDefined();
  });

  it('a missing day is the first, a fraction counts in milliseconds, an epoch too large is not a date', () => {
    expect(parseDate('2026-03', 'epochSeconds')).toBe(Date.UTC(2026, 2, 1));
    expect(parseDate('2026-03-05T10:00:00.25Z', 'epochSeconds')).toBe(Date.UTC(2026, 2, 5, 10, 0, 0) + 250);
    expect(parseDate('9'.repeat(400), 'epochSeconds')).toBeUndefined();
    expect(parseDate('9'.repeat(400), 'epochMilliseconds')).toBeUndefined();
  });

  it('a zone offset counts its hours and its minutes: 05:30 is five and a half hours ("Condition operators: Date", W3C profile of ISO 8601: TZD = Z or +hh:mm / -hh:mm)', () => {
    const utc = Date.UTC(2026, 0, 1, 0, 0, 0);
    expect(parseDate('2026-01-01T05:30:00+05:30', 'epochSeconds')).toBe(utc);
    expect(parseDate('2025-12-31T18:15:00-05:45', 'epochSeconds')).toBe(utc);
    expect(parseDate('2026-01-01T05:30:00+0530', 'epochSeconds')).toBe(utc);
  });
});

// "IAM JSON policy elements: Condition operators", IP address condition operators
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_IPAddress):
// values in standard CIDR format, IPv4 (203.0.113.0/24) or IPv6 (2001:DB8:1234:5678::/64, RFC 4291 text forms).
describe('IP address and binary condition values ("Condition operators: IP address", "…: Binary")', () => {
  it('an IPv4 address has exactly four decimal parts of 0 to 255', () => {
    for (const s of ['10.0.0', '10.0.0.0.1', '10.0.0.x', '10.0.0.256']) expect(parseIpNetwork(s), s).toBeUndefined();
    expect(parseIpNetwork('10.0.0.255')).toEqual({ v6: false, words: [0x0a0000ff], prefix: 32 });
  });

  it('a prefix length is 0 to 32 (IPv4) or 0 to 128 (IPv6) in decimal digits; anything else is not a network', () => {
    for (const s of ['10.0.0.0/', '10.0.0.0/x', '10.0.0.0/a8', '10.0.0.0/8x', '10.0.0.0/33', '2001:db8::/129']) expect(parseIpNetwork(s), s).toBeUndefined();
    expect(parseIpNetwork('10.0.0.1/32')).toEqual({ v6: false, words: [0x0a000001], prefix: 32 });
    expect(parseIpNetwork('2001:db8::1/128')?.prefix).toBe(128);
    // A network with a prefix that is not a number would contain every address.
    expect(clause('IpAddress', 'aws:SourceIp', '10.0.0.0/x', { 'aws:SourceIp': '192.0.2.1' })).toBe(false);
  });

  it('an IPv6 address has eight groups of up to four hex digits, "::" standing for at least one group of zeros', () => {
    for (const s of ['1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7:8::', '::1:2:3:4:5:6:7:8', '2001:db8::xyz', 'x::1', '1::x', '::1.2.3.4:5']) {
      expect(parseIpNetwork(s), s).toBeUndefined();
    }
    expect(parseIpNetwork('1:2:3:4:5:6:7::')?.words).toEqual([0x00010002, 0x00030004, 0x00050006, 0x00070000]);
    expect(parseIpNetwork('::2:3:4:5:6:7:8')?.words).toEqual([0x00000002, 0x00030004, 0x00050006, 0x00070008]);
    expect(parseIpNetwork('1:2:3:4:5:6:7:8')?.words).toEqual([0x00010002, 0x00030004, 0x00050006, 0x00070008]);
  });

  it('an IPv6 address may end in a dotted IPv4 address (RFC 4291 2.2), itself valid, counted as two groups', () => {
    expect(parseIpNetwork('::ffff:192.0.2.1')).toEqual({ v6: true, words: [0, 0, 0x0000ffff, 0xc0000201], prefix: 128 });
    expect(parseIpNetwork('::ffff:192.0.2.256')).toBeUndefined();
    const net = parseIpNetwork('::ffff:192.0.2.0/120')!;
    expect(networkContains(net, parseIpNetwork('::ffff:192.0.2.77')!)).toBe(true);
    expect(networkContains(net, parseIpNetwork('::ffff:198.51.100.1')!)).toBe(false);
  });

  it('base64 of a Binary condition value may be broken by whitespace ("Condition operators: Binary")', () => {
    expect(decodeBase64('aGVs bG8=')).toBe('hello');
    expect(decodeBase64('aGVs\nbG8=')).toBe('hello');
  });
});

describe('A18 all-digit dates, decided per call (docs/decisions/a18-all-digit-dates.md)', () => {
  // 1800000000 is 2027-01-15 as epoch seconds and 1970-01-21 as epoch milliseconds.
  const policyDigits = [doc(allow('s3:GetObject', '*', { Condition: { DateLessThan: { 'aws:CurrentTime': '1800000000' } } }))];
  const contextDigits = [doc(allow('s3:GetObject', '*', { Condition: { DateGreaterThan: { 'aws:CurrentTime': '2026-06-01T00:00:00Z' } } }))];
  const at = (t: string): { action: string; resource: string; context: Record<string, string> } => ({
    action: 's3:GetObject',
    resource: 'arn:aws:s3:::b/k',
    context: { 'aws:CurrentTime': t },
  });

  it('the same all-digit policy value alternates with the option, call after call', () => {
    for (let i = 0; i < 2; i++) {
      expect(decision(at('2026-06-01T00:00:00Z'), { identity: policyDigits }, { allDigitDates: 'epochSeconds' })).toBe('Allow');
      expect(decision(at('2026-06-01T00:00:00Z'), { identity: policyDigits }, { allDigitDates: 'epochMilliseconds' })).toBe('ImplicitDeny');
    }
  });

  it('the same all-digit context value alternates with the option, call after call', () => {
    for (let i = 0; i < 2; i++) {
      expect(decision(at('1800000000'), { identity: contextDigits }, { allDigitDates: 'epochSeconds' })).toBe('Allow');
      expect(decision(at('1800000000'), { identity: contextDigits }, { allDigitDates: 'epochMilliseconds' })).toBe('ImplicitDeny');
    }
  });
});

describe('A10 case of the ARN resource part, decided per call (docs/decisions/a10-resource-arn-case.md)', () => {
  it('one compiled policy with a Resource variable follows the option of each call', () => {
    // The same Policy object (compiled once, reused) under both options, alternately.
    const p = policy(doc(allow('s3:GetObject', 'arn:aws:s3:::b/${aws:username}/*')));
    const req = { principal: ALICE, action: 's3:GetObject', resource: 'arn:aws:s3:::b/ALICE/x' };
    for (let i = 0; i < 2; i++) {
      expect(authorize(req, { identity: [p] }, opts({ resourceArnCaseSensitive: true })).decision).toBe('ImplicitDeny');
      expect(authorize(req, { identity: [p] }, opts({ resourceArnCaseSensitive: false })).decision).toBe('Allow');
    }
    expect(authorize({ ...req, resource: 'arn:aws:s3:::b/alice/x' }, { identity: [p] }, opts({ resourceArnCaseSensitive: true })).decision).toBe('Allow');
  });

  it('ArnLike with a policy variable compares the resource part as the option says', () => {
    const p = policy(doc(allow('sqs:SendMessage', '*', { Condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:sns:*:*:${aws:username}-topic' } } })));
    const req = (src: string): Parameters<typeof authorize>[0] => ({
      principal: ALICE,
      action: 'sqs:SendMessage',
      resource: `arn:aws:sqs:us-east-1:${A}:q`,
      context: { 'aws:SourceArn': src },
    });
    const upper = req(`arn:aws:sns:us-east-1:${A}:ALICE-topic`);
    expect(authorize(upper, { identity: [p] }, opts({ resourceArnCaseSensitive: true })).decision).toBe('ImplicitDeny');
    expect(authorize(upper, { identity: [p] }, opts({ resourceArnCaseSensitive: false })).decision).toBe('Allow');
    // The partition, service, region and account parts are case-insensitive either way.
    const mixed = req(`arn:AWS:SNS:US-EAST-1:${A}:alice-topic`);
    expect(authorize(mixed, { identity: [p] }, opts({ resourceArnCaseSensitive: true })).decision).toBe('Allow');
  });
});

describe('partial evaluation: a variable on an unknown key is unknown, never a miss ("Policy evaluation logic")', () => {
  const req = { principal: SESSION, action: 's3:ListBucket', resource: 'arn:aws:s3:::b', context: { 's3:prefix': 'blue' }, unknownContextKeys: ['aws:PrincipalTag/team'] };

  it.each(['StringEquals', 'StringLike', 'StringEqualsIgnoreCase'])('%s against ${aws:PrincipalTag/team} leaves a residual', (op) => {
    const r = run(req, { identity: [doc(allow('s3:ListBucket', '*', { Condition: { [op]: { 's3:prefix': '${aws:PrincipalTag/team}' } } }))] });
    expect(r.decision).toBe('ImplicitDeny');
    expect(r.residual?.allowWhen).toBeDefined();
    expect(r.residual?.text).toMatch(/^Allow when /);
  });

  it('ArnLike against a variable on an unknown key leaves a residual', () => {
    const r = run(
      { ...req, context: { 'aws:SourceArn': `arn:aws:sns:us-east-1:${A}:blue` } },
      { identity: [doc(allow('s3:ListBucket', '*', { Condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:sns:*:*:${aws:PrincipalTag/team}' } } }))] },
    );
    expect(r.residual?.allowWhen).toBeDefined();
  });

  it('a Deny whose negated condition names an unknown variable is not read as "does not apply" (no confident Allow)', () => {
    const r = run(req, {
      identity: [doc(allow('s3:ListBucket'), deny('s3:ListBucket', '*', { Condition: { StringNotEquals: { 's3:prefix': '${aws:PrincipalTag/team}' } } }))],
    });
    expect(r.decision).not.toBe('Allow');
    expect(r.residual?.explicitDenyWhen).toBeDefined();
  });
});

/** One condition clause of an Allow statement, evaluated against a context; the trace, when asked for, is filled. */
function clause(
  op: string,
  key: string,
  values: unknown,
  context: Record<string, ContextInputValue>,
  trace: ConditionTrace[] | null = null,
  options: Partial<EvaluationOptions> = {},
  unknownKeys: string[] = [],
): unknown {
  const cp = compilePolicy(policy(doc(allow('*', '*', { Condition: { [op]: { [key]: values } } }))));
  if (cp.errors.length) throw new Error(cp.errors[0]?.message);
  const ctx = contextFrom(context, unknownKeys);
  return evalCondition(cp.statements[0]!.conditions[0]!, { context: ctx, options: { ...DEFAULT_EVALUATION_OPTIONS, ...options }, variables: true, lookup: (k) => (ctx.isUnknown(k) ? UNKNOWN : ctx.get(k)) }, trace);
}

describe('condition operators ("IAM JSON policy elements: Condition operators")', () => {
  it('Null takes no set operator either ("Condition operator to check existence of condition keys")', () => {
    for (const name of ['ForAnyValue:Null', 'ForAllValues:Null', 'NullIfExists']) {
      const r = resolveOperator(name);
      expect('error' in r && r.error, name).toContain('Null takes neither IfExists nor ForAllValues/ForAnyValue');
    }
  });

  it('ArnLike: a policy value that is not an ARN never matches, so ArnNotLike holds ("ARN condition operators")', () => {
    const ctx = { 'aws:SourceArn': `arn:aws:sns:us-east-1:${A}:t` };
    expect(clause('ArnLike', 'aws:SourceArn', 'not-an-arn', ctx)).toBe(false);
    expect(clause('ArnEquals', 'aws:SourceArn', 'not-an-arn', ctx)).toBe(false);
    expect(clause('ArnNotLike', 'aws:SourceArn', 'not-an-arn', ctx)).toBe(true);
  });

  it('ArnLike with a variable: the value is still split into six colon-separated parts, the first being arn', () => {
    const ctx = { 'aws:SourceArn': `arn:aws:sns:us-east-1:${A}:topic:alice`, 'aws:username': 'alice' };
    // The resource part keeps its own colons (topic:alice), also when they sit in the same text as the fifth colon.
    expect(clause('ArnLike', 'aws:SourceArn', 'arn:aws:sns:*:*:topic:${aws:username}', ctx)).toBe(true);
    expect(clause('ArnLike', 'aws:SourceArn', 'arn:aws:sns:*:*:topic:${aws:username}', { ...ctx, 'aws:username': 'bob' })).toBe(false);
    // Fewer than six parts: not an ARN pattern, never a match (and no crash).
    expect(clause('ArnLike', 'aws:SourceArn', 'arn:aws:${aws:username}', ctx)).toBe(false);
    expect(clause('ArnLike', 'aws:SourceArn', 'arn:aws:sns:${aws:username}', ctx)).toBe(false);
    // Five parts that all match, and no resource part: still not an ARN pattern.
    expect(clause('ArnLike', 'aws:SourceArn', 'arn:aws:sns:us-east-1:${aws:PrincipalAccount}', { ...ctx, 'aws:PrincipalAccount': A })).toBe(false);
    // Each of partition, service, region and account must match on its own (case-insensitively).
    const v = 'arn:${aws:PrincipalTag/p}:${aws:PrincipalTag/s}:${aws:PrincipalTag/r}:${aws:PrincipalTag/a}:topic:alice';
    const tags = { 'aws:PrincipalTag/p': 'AWS', 'aws:PrincipalTag/s': 'SNS', 'aws:PrincipalTag/r': 'US-EAST-1', 'aws:PrincipalTag/a': A };
    expect(clause('ArnLike', 'aws:SourceArn', v, { ...ctx, ...tags })).toBe(true);
    for (const [k, wrong] of [['p', 'aws-cn'], ['s', 'sqs'], ['r', 'eu-west-1'], ['a', '999999999999']]) {
      expect(clause('ArnLike', 'aws:SourceArn', v, { ...ctx, ...tags, [`aws:PrincipalTag/${k}`]: wrong }), k).toBe(false);
    }
    // The first part must be arn (in any case).
    expect(clause('ArnLike', 'aws:SourceArn', 'urn:aws:sns:*:*:topic:${aws:username}', ctx)).toBe(false);
    expect(clause('ArnLike', 'aws:SourceArn', 'ARN:aws:sns:*:*:topic:${aws:username}', ctx)).toBe(true);
  });

  it('a context value that is not of the operator\'s type makes the comparison false and the trace says so (A4)', () => {
    for (const [op, key, pv, cv, family] of [
      ['Bool', 'aws:SecureTransport', 'true', 'yes', 'Bool'],
      ['BinaryEquals', 'k', 'QmluYXJ5', 'not base64!', 'Binary'],
      ['ForAnyValue:NumericLessThan', 'n', '10', ['abc'], 'Numeric'],
      ['ForAllValues:NumericLessThan', 'n', '10', ['5', 'abc'], 'Numeric'],
    ] as const) {
      const trace: ConditionTrace[] = [];
      expect(clause(op, key, pv, { [key]: cv as ContextInputValue }, trace), op).toBe(false);
      expect(trace[0]?.note, op).toContain(`is not a valid ${family} value`);
      // Without a trace, the same answer.
      expect(clause(op, key, pv, { [key]: cv as ContextInputValue }), op).toBe(false);
    }
  });

  it('StringEquals with a variable is case-sensitive, StringEqualsIgnoreCase is not, after substitution ("Policy variables")', () => {
    const ctx = { 's3:prefix': 'alice', 'aws:PrincipalTag/owner': 'ALICE' };
    expect(clause('StringEquals', 's3:prefix', '${aws:PrincipalTag/owner}', ctx)).toBe(false);
    expect(clause('StringEquals', 's3:prefix', '${aws:PrincipalTag/owner}', { ...ctx, 's3:prefix': 'ALICE' })).toBe(true);
    expect(clause('StringEqualsIgnoreCase', 's3:prefix', '${aws:PrincipalTag/owner}', ctx)).toBe(true);
    expect(clause('StringNotEqualsIgnoreCase', 's3:prefix', '${aws:PrincipalTag/owner}', ctx)).toBe(false);
  });

  it('Bool with a variable (A5 on): the substituted value is compared case-insensitively; a missing one never matches', () => {
    const ctx = { 'aws:SecureTransport': 'true' };
    expect(clause('Bool', 'aws:SecureTransport', '${aws:PrincipalTag/tls}', { ...ctx, 'aws:PrincipalTag/tls': 'TRUE' })).toBe(true);
    expect(clause('Bool', 'aws:SecureTransport', '${aws:PrincipalTag/tls}', { ...ctx, 'aws:PrincipalTag/tls': 'false' })).toBe(false);
    expect(clause('Bool', 'aws:SecureTransport', '${aws:PrincipalTag/tls}', ctx)).toBe(false);
  });

  it('Null with both "true" and "false" holds whether the key is there or not (several values are ORed)', () => {
    expect(clause('Null', 'aws:TokenIssueTime', ['true', 'false'], {})).toBe(true);
    expect(clause('Null', 'aws:TokenIssueTime', ['true', 'false'], { 'aws:TokenIssueTime': '2026-01-01T00:00:00Z' })).toBe(true);
  });

  it('A12 off: an empty string is an absent key for set operators too, ForAllValues vacuously true (docs/decisions/a12-empty-string-present.md)', () => {
    const off = { emptyStringIsPresent: false };
    expect(clause('ForAllValues:StringEquals', 'aws:TagKeys', ['env'], { 'aws:TagKeys': '' }, null, off)).toBe(true);
    expect(clause('ForAnyValue:StringEquals', 'aws:TagKeys', [''], { 'aws:TagKeys': '' }, null, off)).toBe(false);
    expect(clause('ForAnyValue:StringEquals', 'aws:TagKeys', [''], { 'aws:TagKeys': '' })).toBe(true);
    // Only the empty string is absent.
    expect(clause('StringEquals', 'k', 'x', { k: 'x' }, null, off)).toBe(true);
    expect(clause('Null', 'k', 'true', { k: '' }, null, off)).toBe(true);
  });

  it('A3 off: only an unresolved variable makes a negated clause false; resolved values keep the NOR rule (docs/decisions/a03-negated-unresolved-variable.md)', () => {
    const off = { negatedOperatorOnUnresolvedVariable: false };
    const ctx = { 's3:prefix': 'alice', 'aws:username': 'bob' };
    expect(clause('StringNotEquals', 's3:prefix', ['${aws:username}', 'carol'], ctx, null, off)).toBe(true);
    expect(clause('StringNotEquals', 's3:prefix', ['${aws:username}', 'alice'], ctx, null, off)).toBe(false);
    expect(clause('StringNotEquals', 's3:prefix', ['${aws:PrincipalTag/team}', 'carol'], ctx, null, off)).toBe(false);
    expect(clause('StringNotEquals', 's3:prefix', ['${aws:PrincipalTag/team}', 'carol'], ctx)).toBe(true);
  });

  it('A2: a plain operator on a multivalued key is false and the trace says why, or, as anyValue, holds when one value matches (docs/decisions/a02-plain-operator-multivalued.md)', () => {
    const trace: ConditionTrace[] = [];
    expect(clause('StringEquals', 'aws:TagKeys', 'x', { 'aws:TagKeys': ['x', 'y'] }, trace)).toBe(false);
    expect(trace[0]?.note).toContain('plain operator on a multivalued key is false (A2)');
    expect(trace[0]?.contextValues).toEqual(['x', 'y']);
    const any = { plainOperatorOnMultivaluedKey: 'anyValue' } as const;
    expect(clause('StringEquals', 'aws:TagKeys', 'x', { 'aws:TagKeys': ['a', 'b'] }, null, any)).toBe(false);
    expect(clause('StringEquals', 'aws:TagKeys', 'x', { 'aws:TagKeys': ['a', 'x'] }, null, any)).toBe(true);
  });

  it('A2 as anyValue: a variable on an unknown key leaves the clause undecided (partial evaluation)', () => {
    const r = clause('StringEquals', 'aws:TagKeys', '${aws:PrincipalTag/team}', { 'aws:TagKeys': ['a', 'b'] }, null, { plainOperatorOnMultivaluedKey: 'anyValue' }, ['aws:PrincipalTag/team']);
    // One residual clause per context value, ORed.
    expect(r).toMatchObject({ kind: 'or', items: [{ kind: 'clause', key: 'aws:TagKeys' }, { kind: 'clause', key: 'aws:TagKeys' }] });
  });

  it('A4: the trace says that a negated clause on a value of the wrong type is false too', () => {
    const trace: ConditionTrace[] = [];
    expect(clause('NumericNotEquals', 'n', '10', { n: 'ten' }, trace)).toBe(false);
    expect(clause('NumericEquals', 'n', '10', { n: 'ten' }, trace)).toBe(false);
    expect(trace.map((t) => t.note)).toEqual([
      '"ten" is not a valid Numeric value, so the comparison is false and the negated clause is false too (A4)',
      '"ten" is not a valid Numeric value, so the comparison is false (A4)',
    ]);
  });

  it('the trace shows a Bool variable substituted only when A5 expands it; String variables always (docs/decisions/a05-bool-variables.md)', () => {
    const ctx = { 'aws:SecureTransport': 'true', 'aws:PrincipalTag/tls': 'true', k: 'true' };
    const policyValues = (op: string, key: string, a5: boolean): readonly string[] | undefined => {
      const trace: ConditionTrace[] = [];
      clause(op, key, '${aws:PrincipalTag/tls}', ctx, trace, { expandVariablesInBool: a5 });
      return trace[0]?.policyValues;
    };
    expect(policyValues('Bool', 'aws:SecureTransport', true)).toEqual(['true']);
    expect(policyValues('Bool', 'aws:SecureTransport', false)).toEqual(['${aws:PrincipalTag/tls}']);
    expect(policyValues('StringEquals', 'k', false)).toEqual(['true']);
  });

  it('the trace marks a variable with no value as unresolved and one on an unknown key as unknown ("Policy variables")', () => {
    const trace: ConditionTrace[] = [];
    clause('StringEquals', 'k', '${aws:PrincipalTag/team}', { k: 'blue' }, trace);
    clause('StringEquals', 'k', '${aws:PrincipalTag/team}', { k: 'blue' }, trace, {}, ['aws:PrincipalTag/team']);
    expect(trace.map((t) => t.policyValues)).toEqual([['<unresolved ${aws:PrincipalTag/team}>'], ['<unknown ${aws:PrincipalTag/team}>']]);
  });

  it('Null values are never variables, and the trace shows them as written ("Policy variables": where variables can be used)', () => {
    const trace: ConditionTrace[] = [];
    expect(clause('Null', 'aws:TokenIssueTime', '${aws:username}', { 'aws:username': 'true' }, trace)).toBe(false);
    expect(trace[0]?.policyValues).toEqual(['${aws:username}']);
  });

  it('a plain operator with a variable on an unknown key is a residual clause (partial evaluation)', () => {
    expect(clause('StringEquals', 'k', '${aws:PrincipalTag/team}', { k: 'blue' }, null, {}, ['aws:PrincipalTag/team'])).toMatchObject({ kind: 'clause', key: 'k' });
  });

  it('the trace shows an absent key (A12 off: an empty string) as no values, and each present case variant\'s values', () => {
    const off = { emptyStringIsPresent: false };
    const trace: ConditionTrace[] = [];
    clause('StringEquals', 'k', 'x', { k: '' }, trace, off);
    clause('StringEquals', 'aws:ResourceTag/team', 'x', { 'aws:ResourceTag/Team': '', 'aws:ResourceTag/team': 'blue' }, trace, off);
    clause('StringEquals', 'aws:ResourceTag/team', 'x', { 'aws:ResourceTag/Team': '', 'aws:ResourceTag/team': '' }, trace, off);
    expect(trace.map((t) => t.contextValues)).toEqual([null, ['', 'blue'], null]);
  });

  it('the trace of a clause on an unknown key says so and gives the result as unknown (partial evaluation)', () => {
    const trace: ConditionTrace[] = [];
    clause('StringEquals', 'aws:ResourceTag/team', 'blue', {}, trace, {}, ['aws:ResourceTag/team']);
    expect(trace[0]).toMatchObject({ result: 'unknown', note: 'the key is unknown (partial evaluation)' });
  });

  it('A16: the trace names the case variants of a tag key and what the clause needs of them (docs/decisions/a16-case-variant-tag-keys.md)', () => {
    const ctx = { 'aws:ResourceTag/Cost': 'ten', 'aws:ResourceTag/cost': '5' };
    for (const mode of ['any', 'all'] as const) {
      const trace: ConditionTrace[] = [];
      expect(clause('NumericLessThan', 'aws:ResourceTag/cost', '10', ctx, trace, { caseVariantTagKeys: mode }), mode).toBe(mode === 'any');
      expect(trace[0]?.note).toBe(`"ten" is not a valid Numeric value, so the comparison is false (A4); the key has 2 case variants; the clause needs ${mode} of them to hold (A16)`);
    }
  });

  it('ForAnyValue/ForAllValues with a variable on an unknown key leave the clause undecided, never false (partial evaluation)', () => {
    const v = '${aws:PrincipalTag/team}';
    for (const op of ['ForAnyValue:StringEquals', 'ForAllValues:StringEquals']) {
      const r = clause(op, 'aws:TagKeys', [v], { 'aws:TagKeys': ['blue'] }, null, {}, ['aws:PrincipalTag/team']);
      expect(r, op).toMatchObject({ kind: 'clause', key: 'aws:TagKeys', operator: op });
    }
  });

  it('ForAnyValue is decided by its first matching value: later values are not read, so no A4 note for them', () => {
    const trace: ConditionTrace[] = [];
    expect(clause('ForAnyValue:NumericEquals', 'n', '1', { n: ['1', 'abc'] }, trace)).toBe(true);
    expect(trace[0]?.note).toBeUndefined();
    expect(clause('ForAllValues:NumericEquals', 'n', '1', { n: ['2', 'abc'] }, trace)).toBe(false);
    expect(trace[1]?.note).toBeUndefined();
  });

  it('IpAddress: a context address written with a prefix length is compared as that address ("IP address condition operators")', () => {
    expect(clause('IpAddress', 'aws:SourceIp', '10.0.0.0/24', { 'aws:SourceIp': '10.0.0.5/8' })).toBe(true);
    expect(clause('IpAddress', 'aws:SourceIp', '10.0.0.0/24', { 'aws:SourceIp': '10.0.1.5/8' })).toBe(false);
    expect(clause('IpAddress', 'aws:SourceIp', '2001:db8::/64', { 'aws:SourceIp': '2001:db8::5/16' })).toBe(true);
    expect(clause('IpAddress', 'aws:SourceIp', '2001:db8::/64', { 'aws:SourceIp': '2001:db8:0:1::5/16' })).toBe(false);
  });
});

describe('decision flow: who decided, and the trace ("Policy evaluation logic")', () => {
  const get = { principal: ALICE, action: 's3:GetObject', resource: 'arn:aws:s3:::b/k' };
  const full = (): ReturnType<typeof policy> => policy(doc(allow('*')), 'scp', 'FullAWSAccess');

  it('an explicit deny names its policy, Sid and layer, with the SCP level ("Policy evaluation logic": explicit deny)', () => {
    const id = authorize(get, { identity: [policy(doc({ Sid: 'NoGet', ...deny('s3:GetObject') }), 'identity', 'inline')] });
    expect(id.reason).toBe('explicitly denied by inline (NoGet) in the identity layer');
    expect(id.decidedBy).toMatchObject({ layer: 'identity', reason: 'a Deny statement in the identity layer matches', policy: 'inline', sid: 'NoGet' });
    expect(id.decidedBy && 'level' in id.decidedBy).toBe(false);
    const scp = authorize(get, { identity: [policy(doc(allow('*')))], scp: [[full()], [full(), policy(doc(deny('s3:*')), 'scp', 'NoS3')]] });
    expect(scp.reason).toBe('explicitly denied by NoS3 in the scp level 1 layer');
    expect(Object.keys(scp.decidedBy ?? {})).not.toContain('sid');
    expect(scp.decidedBy).toMatchObject({ layer: 'scp', level: 1, reason: 'a Deny statement in the scp level 1 layer matches', policy: 'NoS3' });
  });

  it('one compiled policy reused in other layers and levels is named in the layer and level of each call', () => {
    const cp = compilePolicy(policy(doc(deny('s3:GetObject')), 'scp', 'Shared'));
    const idp = policy(doc(allow('*')));
    for (let i = 0; i < 2; i++) {
      expect(authorize(get, { identity: [idp], scp: [[cp]] }).decidedBy).toMatchObject({ layer: 'scp', level: 0 });
      expect(authorize(get, { identity: [idp], scp: [[full()], [cp]] }).decidedBy).toMatchObject({ layer: 'scp', level: 1 });
      // Two layers without levels: identity, then permissions boundary.
      expect(authorize(get, { identity: [cp] }).decidedBy).toMatchObject({ layer: 'identity' });
      expect(authorize(get, { identity: [idp], permissionsBoundary: cp }).decidedBy).toMatchObject({ layer: 'permissionsBoundary' });
      expect(authorize(get, { identity: [idp], permissionsBoundary: cp }).decidedBy).not.toHaveProperty('level');
    }
  });

  it('the statements that allowed a request carry no level outside SCP and RCP layers', () => {
    const r = authorize(get, { identity: [policy(doc(allow('s3:*')))] });
    expect(r.decision).toBe('Allow');
    expect(r.allowedBy?.[0]).toMatchObject({ layer: 'identity', statementIndex: 0 });
    expect(Object.keys(r.allowedBy?.[0] ?? {})).not.toContain('level');
    expect(Object.keys(r.allowedBy?.[0] ?? {})).not.toContain('sid');
  });

  it('an Allow names its policy, Sid and layer', () => {
    const withSid = authorize(get, { identity: [policy(doc({ Sid: 'ReadAll', ...allow('s3:*') }), 'identity', 'inline')] });
    expect(withSid.reason).toBe('allowed by inline (ReadAll) in the identity layer');
    expect(withSid.decidedBy).toMatchObject({ layer: 'identity', reason: 'an Allow statement in the identity layer grants it', sid: 'ReadAll' });
    expect(authorize(get, { identity: [policy(doc(allow('s3:*')), 'identity', 'inline')] }).reason).toBe('allowed by inline in the identity layer');
  });

  it('a Resource entry whose variable names an unknown key is a residual saying so (partial evaluation, "Policy variables")', () => {
    const res = 'arn:aws:s3:::b/${aws:PrincipalTag/team}/${aws:PrincipalTag/unit}/*';
    const r = authorize({ ...get, resource: 'arn:aws:s3:::b/blue/x/k', unknownContextKeys: ['aws:PrincipalTag/team', 'aws:PrincipalTag/unit'] }, { identity: [policy(doc(allow('s3:GetObject', res)))] });
    expect(r.residual?.allowWhen).toEqual({ kind: 'clause', key: 'aws:principaltag/team, aws:principaltag/unit', operator: 'Resource variable', values: [res] });
  });

  it('the root user: implicitly allowed on the identity side, identity policies do not apply ("AWS account root user")', () => {
    const root = { ...get, principal: `arn:aws:iam::${A}:root` };
    const r = authorize(root, { identity: [policy(doc(deny('*')))] });
    expect(r.decision).toBe('Allow');
    expect(r.reason).toBe('allowed: the root user is implicitly allowed on the identity side');
    expect(r.trace?.notes).toContain('the root user has no identity policies; it is implicitly allowed on the identity side');
    expect(r.trace?.layers[0]).toMatchObject({ layer: 'identity', applies: false, note: 'root user: implicitly allowed on the identity side' });
  });

  it('layers that do not apply say why: a service-linked role has no boundary, a user no session policy ("Permissions boundaries", "Session policies")', () => {
    const slr = { ...get, principal: `arn:aws:sts::${A}:assumed-role/AWSServiceRoleForX/s`, principalRoleArn: `arn:aws:iam::${A}:role/aws-service-role/x.amazonaws.com/AWSServiceRoleForX` };
    const pb = authorize(slr, { identity: [policy(doc(allow('*')))], permissionsBoundary: policy(doc(allow('ec2:*'))) });
    expect(pb.decision).toBe('Allow');
    expect(pb.trace?.layers.find((l) => l.layer === 'permissionsBoundary')).toEqual({ layer: 'permissionsBoundary', applies: false, note: 'a service-linked role cannot have a permissions boundary', policies: [] });
    const root = authorize({ ...get, principal: `arn:aws:iam::${A}:root` }, { permissionsBoundary: policy(doc(allow('ec2:*'))) });
    expect(root.trace?.layers.find((l) => l.layer === 'permissionsBoundary')).toMatchObject({ applies: false, note: 'a root caller has no permissions boundary' });
    const user = authorize(get, { identity: [policy(doc(allow('*')))], session: [policy(doc(allow('ec2:*')))] });
    expect(user.decision).toBe('Allow');
    expect(user.trace?.layers.find((l) => l.layer === 'session')).toEqual({ layer: 'session', applies: false, note: 'a iamUser caller has no session policy', policies: [] });
  });
});

describe('statement traces say why each statement matched or not ("Policy evaluation logic")', () => {
  const get = { principal: ALICE, action: 's3:GetObject', resource: 'arn:aws:s3:::b/k', resourceAccount: A };
  const reasons = (r: ReturnType<typeof authorize>, layer = 'identity'): string[][] =>
    (r.trace?.layers.find((l) => l.layer === layer)?.policies[0]?.statements ?? []).map((s) => [...s.reasons]);

  it('NotAction and NotResource: excluded or not, by which pattern ("IAM JSON policy elements: NotAction, NotResource")', () => {
    const r = authorize(get, {
      identity: [
        policy(
          doc(
            { Effect: 'Allow', NotAction: 'iam:*', Resource: '*' },
            { Effect: 'Allow', NotAction: 's3:Get*', Resource: '*' },
            { Effect: 'Allow', Action: 's3:*', NotResource: 'arn:aws:s3:::other/*' },
            { Effect: 'Allow', Action: 's3:*', NotResource: ['arn:aws:s3:::other/*', 'arn:aws:s3:::b/*'] },
            { Effect: 'Allow', Action: ['ec2:*', 's3:Put*'], Resource: ['arn:aws:s3:::other/*', 'arn:aws:s3:::b/*'] },
            { Effect: 'Allow', Action: 's3:Get*', Resource: 'arn:aws:s3:::other/*' },
          ),
        ),
      ],
    });
    expect(reasons(r)).toEqual([
      ['action s3:GetObject is not excluded by NotAction', 'resource arn:aws:s3:::b/k matches *'],
      ['action s3:GetObject is excluded by NotAction', 'resource arn:aws:s3:::b/k matches *'],
      ['action s3:GetObject matches s3:*', 'resource arn:aws:s3:::b/k is not excluded by NotResource'],
      ['action s3:GetObject matches s3:*', 'resource arn:aws:s3:::b/k is excluded by NotResource arn:aws:s3:::b/*'],
      ['action s3:GetObject is not in Action', 'resource arn:aws:s3:::b/k matches arn:aws:s3:::b/*'],
      ['action s3:GetObject matches s3:Get*', 'resource arn:aws:s3:::b/k is not in Resource'],
    ]);
  });

  it('Resource and NotResource with a variable on an unknown key depend on it (partial evaluation)', () => {
    const unknown = { ...get, unknownContextKeys: ['aws:PrincipalTag/team'] };
    const r = authorize(unknown, {
      identity: [policy(doc(allow('s3:*', 'arn:aws:s3:::${aws:PrincipalTag/team}/*'), { Effect: 'Allow', Action: 's3:*', NotResource: 'arn:aws:s3:::${aws:PrincipalTag/team}/*' }))],
    });
    expect(reasons(r)).toEqual([
      ['action s3:GetObject matches s3:*', 'Resource depends on unknown keys'],
      ['action s3:GetObject matches s3:*', 'NotResource depends on unknown keys'],
    ]);
  });

  it('Principal and NotPrincipal in a bucket policy: whether and how the caller is named ("IAM JSON policy elements: Principal, NotPrincipal")', () => {
    const bob = `arn:aws:iam::${A}:user/bob`;
    const r = authorize(get, {
      identity: [policy(doc(allow('s3:*')))],
      resource: policy(
        doc(
          { Effect: 'Allow', Principal: { AWS: ALICE }, Action: 's3:*', Resource: '*' },
          { Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: '*' },
          { Effect: 'Allow', Principal: { AWS: bob }, Action: 's3:*', Resource: '*' },
          { Effect: 'Deny', Principal: { AWS: ALICE }, Action: 's3:PutObject', Resource: '*' },
          { Effect: 'Deny', NotPrincipal: { AWS: [ALICE, `arn:aws:iam::${A}:root`] }, Action: 's3:*', Resource: '*' },
          { Effect: 'Deny', NotPrincipal: { AWS: bob }, Action: 's3:PutObject', Resource: '*' },
        ),
        'bucket',
        'bucket-policy',
      ),
    });
    expect(r.decision).toBe('Allow');
    expect(reasons(r, 'resource').map((x) => x[2])).toEqual([
      `the principal names the caller (DIRECT via ${ALICE})`,
      'the principal names the caller (WILDCARD via *)',
      'the principal does not name the caller',
      `the principal names the caller (DIRECT via ${ALICE})`,
      'the caller is listed in NotPrincipal',
      'the caller is not listed in NotPrincipal',
    ]);
  });

  it('a Deny with NotPrincipal that lists the caller and its account does not apply to it, with or without a trace ("NotPrincipal with Deny", A15 strict)', () => {
    const set = {
      identity: [policy(doc(allow('s3:*')))],
      resource: policy(doc({ Effect: 'Deny', NotPrincipal: { AWS: [ALICE, `arn:aws:iam::${A}:root`] }, Action: 's3:*', Resource: '*' }), 'bucket'),
    };
    expect(authorize(get, set).decision).toBe('Allow');
    expect(authorize(get, set, { trace: false }).decision).toBe('Allow');
    expect(authorize({ ...get, principal: `arn:aws:iam::${A}:user/bob` }, set, { trace: false }).decision).toBe('ExplicitDeny');
  });

  it('a Deny with NotPrincipal applies to every caller with a permissions boundary, and the trace says so ("Permissions boundaries", docs/decisions/a15b-notprincipal-bounded-callers.md)', () => {
    const set = {
      identity: [policy(doc(allow('s3:*')))],
      permissionsBoundary: policy(doc(allow('s3:*'))),
      resource: policy(doc({ Effect: 'Deny', NotPrincipal: { AWS: [ALICE, `arn:aws:iam::${A}:root`] }, Action: 's3:*', Resource: '*' }), 'bucket'),
    };
    const on = authorize(get, set);
    expect(on.decision).toBe('ExplicitDeny');
    expect(reasons(on, 'resource')[0]?.[2]).toBe('NotPrincipal with Deny applies to every caller with a permissions boundary');
    const off = authorize(get, set, { notPrincipalDenyAlwaysDeniesBoundedCallers: false });
    expect(off.decision).toBe('Allow');
    expect(reasons(off, 'resource')[0]?.[2]).toBe('the caller is listed in NotPrincipal');
  });
});

describe('statement traces: conditions, outcome, principal, and the first deciding Deny', () => {
  const get = { principal: ALICE, action: 's3:GetObject', resource: 'arn:aws:s3:::b/k', resourceAccount: A };
  const stmts = (r: ReturnType<typeof authorize>, layer = 'identity') => r.trace?.layers.find((l) => l.layer === layer)?.policies[0]?.statements ?? [];

  it('the trace says whether every condition holds, one does not, or they depend on unknown keys, and the outcome', () => {
    const cond = (v: string): Record<string, unknown> => ({ Condition: { StringEquals: { 'aws:PrincipalTag/team': v } } });
    const r = authorize(
      { ...get, context: { 'aws:PrincipalTag/team': 'blue', 'aws:SourceVpc': 'vpc-1' }, unknownContextKeys: ['aws:ResourceTag/x'] },
      { identity: [policy(doc(allow('s3:*', '*', cond('blue')), allow('s3:*', '*', cond('red')), allow('s3:*', '*', { Condition: { StringEquals: { 'aws:ResourceTag/x': 'y' } } })))] },
    );
    const s = stmts(r);
    expect(s.map((x) => x.reasons[2])).toEqual(['every condition holds', 'a condition does not hold', 'conditions depend on unknown keys']);
    expect(s.map((x) => x.outcome)).toEqual(['match', 'no-match', 'unknown']);
  });

  it('the trace of a resource-policy statement gives the match class, the entry that named the caller, and whether it was NotPrincipal', () => {
    const r = authorize(get, {
      identity: [policy(doc(allow('s3:*')))],
      resource: policy(
        doc(
          { Effect: 'Allow', Principal: { AWS: ALICE }, Action: 's3:*', Resource: '*' },
          { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:user/bob` }, Action: 's3:*', Resource: '*' },
          { Effect: 'Deny', NotPrincipal: { AWS: [ALICE, `arn:aws:iam::${A}:root`] }, Action: 's3:*', Resource: '*' },
          { Effect: 'Deny', NotPrincipal: { AWS: `arn:aws:iam::${A}:user/bob` }, Action: 's3:PutObject', Resource: '*' },
        ),
        'bucket',
      ),
    });
    expect(stmts(r, 'resource').map((x) => x.principal)).toStrictEqual([
      { matchClass: 'DIRECT', entry: ALICE, notPrincipal: false },
      { matchClass: 'NONE', notPrincipal: false },
      { matchClass: 'NONE', notPrincipal: true },
      { matchClass: 'WILDCARD', notPrincipal: true },
    ]);
  });

  it('an explicit deny is credited to the first Deny that certainly matches, not to one that depends on unknown keys', () => {
    const p = policy(doc({ Sid: 'Maybe', ...deny('s3:*', '*', { Condition: { StringEquals: { 'aws:ResourceTag/x': 'y' } } }) }, { Sid: 'Always', ...deny('s3:*') }));
    for (const trace of [true, false]) {
      const r = authorize({ ...get, unknownContextKeys: ['aws:ResourceTag/x'] }, { identity: [p] }, { trace });
      expect(r.decision).toBe('ExplicitDeny');
      expect(r.decidedBy?.sid).toBe('Always');
    }
  });

  it('an Allow is credited to the first Allow that certainly matches, not to one that depends on unknown keys', () => {
    const p = policy(doc({ Sid: 'Maybe', ...allow('s3:*', '*', { Condition: { StringEquals: { 'aws:ResourceTag/x': 'y' } } }) }, { Sid: 'Sure', ...allow('s3:*') }));
    const r = authorize({ ...get, unknownContextKeys: ['aws:ResourceTag/x'] }, { identity: [p] });
    expect(r.decision).toBe('Allow');
    expect(r.decidedBy?.sid).toBe('Sure');
  });

  it('a traced explicit deny still shows the layer that denied, with its statements', () => {
    const r = authorize(get, { identity: [policy(doc(deny('s3:*')))] });
    expect(r.trace?.layers.map((l) => l.layer)).toEqual(['identity']);
    expect(stmts(r)[0]?.outcome).toBe('match');
  });

  it('the trace shows tag keys given in several cases with all their values (A16, docs/decisions/a16-case-variant-tag-keys.md)', () => {
    const r = authorize({ ...get, context: { 'aws:RequestTag/Team': 'blue', 'aws:RequestTag/team': ['red', 'green'], 'aws:SourceVpc': 'vpc-1' } }, { identity: [policy(doc(allow('s3:*')))] });
    expect(r.trace?.context['aws:requesttag/team']).toEqual(['blue', 'red,green']);
    expect(r.trace?.context['aws:sourcevpc']).toBe('vpc-1');
  });
});

describe('which layers apply, and the trace says why not ("Policy evaluation logic", spec §4.2)', () => {
  const get = { principal: ALICE, action: 's3:GetObject', resource: 'arn:aws:s3:::b/k', resourceAccount: A };
  const all = policy(doc(allow('*')));
  const layers = (r: ReturnType<typeof authorize>): unknown[] => (r.trace?.layers ?? []).map((l) => ({ layer: l.layer, ...(l.level !== undefined ? { level: l.level } : {}), applies: l.applies, ...(l.note ? { note: l.note } : {}) }));

  it('sts:GetCallerIdentity is allowed for every signed caller, whatever denies it; not for anonymous callers (STS API reference: GetCallerIdentity)', () => {
    const denyAll = { identity: [policy(doc(deny('*')))] };
    const r = authorize({ ...get, action: 'sts:GetCallerIdentity', resource: '*' }, denyAll);
    expect(r).toMatchObject({ decision: 'Allow', reason: 'sts:GetCallerIdentity is always allowed for a signed request', decidedBy: { layer: 'request', reason: 'sts:GetCallerIdentity is always allowed' } });
    expect(r.trace?.notes).toEqual(['sts:GetCallerIdentity needs no permission; explicit denies do not apply (G44)']);
    expect(authorize({ ...get, principal: 'anonymous', action: 'sts:GetCallerIdentity', resource: '*' }, {}).decision).toBe('ImplicitDeny');
  });

  it('the root user cannot assume a role; a role of another account cannot be passed ("AssumeRole", "Granting a user permissions to pass a role")', () => {
    const root = authorize({ ...get, principal: `arn:aws:iam::${A}:root`, action: 'sts:AssumeRole', resource: `arn:aws:iam::${A}:role/R` }, { resource: policy(doc({ Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' }), 'trust') });
    expect(root).toMatchObject({ decision: 'ImplicitDeny', reason: 'the root user cannot call sts:AssumeRole', decidedBy: { layer: 'request', reason: 'root credentials cannot assume roles' } });
    expect(root.trace?.notes).toEqual(['STS AssumeRole API: root user credentials cannot assume roles']);
    const pass = authorize({ principal: ALICE, action: 'iam:PassRole', resource: `arn:aws:iam::${B}:role/R` }, { identity: [all] });
    expect(pass).toMatchObject({ decision: 'ImplicitDeny', reason: 'a role in another account cannot be passed', decidedBy: { layer: 'request', reason: 'cross-account iam:PassRole is never allowed' } });
    expect(pass.trace?.notes).toEqual(['"Granting a user permissions to pass a role": a role of another account cannot be passed']);
  });

  it('service principals and anonymous callers have no identity side and no SCPs ("SCP effects on permissions")', () => {
    const bucket = policy(doc({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: '*' }), 'bucket');
    const svc = authorize({ ...get, principal: 'sagemaker.amazonaws.com' }, { identity: [all], resource: bucket, scp: [[all]] });
    expect(svc.decision).toBe('Allow');
    expect(layers(svc)).toEqual([
      { layer: 'identity', applies: false, note: 'no identity policies for a service caller' },
      { layer: 'resource', applies: true },
      { layer: 'scp', applies: false, note: 'SCPs do not apply to service principals' },
    ]);
    expect(svc.trace?.notes).toEqual(['a service caller has no identity policies', 'SCPs do not apply to service principals']);
    // No account for a service caller on an S3 object (no account in its ARN): none in the trace either.
    const noAccount = authorize({ principal: 'sagemaker.amazonaws.com', action: 's3:GetObject', resource: 'arn:aws:s3:::b/k' }, { resource: bucket });
    expect(Object.keys(noAccount.trace ?? {})).not.toContain('resourceAccount');
    const anon = authorize({ ...get, principal: 'anonymous' }, { resource: bucket, scp: [[all]] });
    expect(layers(anon)).toContainEqual({ layer: 'scp', applies: false, note: 'SCPs do not apply to anonymous callers' });
  });

  it('SCPs do not apply to the management account or to service-linked roles; each SCP level is traced ("SCP effects on permissions")', () => {
    const mgmt = authorize({ ...get, principalIsManagementAccount: true }, { identity: [all], scp: [[]] });
    expect(mgmt.decision).toBe('Allow');
    expect(layers(mgmt)).toEqual([{ layer: 'identity', applies: true }, { layer: 'scp', applies: false, note: 'SCPs do not apply to the management account' }]);
    const slr = authorize({ ...get, principal: `arn:aws:sts::${A}:assumed-role/AWSServiceRoleForX/s`, principalRoleArn: `arn:aws:iam::${A}:role/aws-service-role/x.amazonaws.com/AWSServiceRoleForX` }, { identity: [all], scp: [[]] });
    expect(slr.trace?.notes).toContain('SCPs do not apply to service-linked roles');
    const lv = authorize(get, { identity: [all], scp: [[all], []] });
    expect(lv.decision).toBe('ImplicitDeny');
    expect(layers(lv)).toEqual([{ layer: 'identity', applies: true }, { layer: 'scp', level: 0, applies: true }, { layer: 'scp', level: 1, applies: true, note: 'no SCP attached at this level: nothing is allowed' }]);
  });

  it('RCP levels: RCPFullAWSAccess implied or not, an RCP Deny names its layer and level ("Resource control policies")', () => {
    const rcpDeny = policy(doc({ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: '*' }), 'rcp', 'NoS3');
    const implied = authorize(get, { identity: [all], rcp: [[], []] });
    expect(implied.decision).toBe('Allow');
    expect(layers(implied).slice(1)).toEqual([
      { layer: 'rcp', level: 0, applies: true, note: 'RCPFullAWSAccess is implied at this level' },
      { layer: 'rcp', level: 1, applies: true, note: 'RCPFullAWSAccess is implied at this level' },
    ]);
    const explicit = authorize(get, { identity: [all], rcp: [[policy(doc({ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }), 'rcp')]], rcpFullAccessImplied: false });
    expect(explicit.decision).toBe('Allow');
    expect(layers(explicit).slice(1)).toEqual([{ layer: 'rcp', level: 0, applies: true }]);
    const denied = authorize(get, { identity: [all], rcp: [[], [rcpDeny]] });
    expect(denied.decidedBy).toMatchObject({ layer: 'rcp', level: 1, policy: 'NoS3' });
  });

  it('a session policy is a layer of its own; a federated-user session without one has no permissions ("Session policies", GetFederationToken)', () => {
    const sess = { ...get, principal: SESSION, principalRoleArn: `arn:aws:iam::${A}:role/App` };
    const denied = authorize(sess, { identity: [all], session: [policy(doc(deny('s3:*')), 'session', 'sp')] });
    expect(denied.decidedBy).toMatchObject({ layer: 'session', policy: 'sp' });
    const ok = authorize(sess, { identity: [all], session: [policy(doc(allow('s3:*')), 'session')] });
    expect(layers(ok)).toEqual([{ layer: 'identity', applies: true }, { layer: 'session', applies: true }]);
    const fed = authorize({ ...get, principal: `arn:aws:sts::${A}:federated-user/bob` }, { identity: [all] });
    expect(fed.decision).toBe('ImplicitDeny');
    expect(fed.trace?.notes).toContain('GetFederationToken: a federated-user session without a session policy has no permissions');
  });

  it('a policy of a kind without Principal given as the resource-based policy is refused, never read as allowing every caller ("IAM JSON policy elements: Principal": a resource-based policy names its principals)', () => {
    // It was decided: an identity-kind "Allow s3:*" given as the resource policy allowed the anonymous caller (Stryker 267:25).
    const allowAll = (kind: 'identity' | 'scp' | 'session' | 'permissions-boundary') => policy(doc(allow('s3:*')), kind, `as-${kind}`);
    const named = { identity: 'an identity policy', scp: 'an SCP', session: 'a session policy', 'permissions-boundary': 'a permissions boundary' } as const;
    for (const kind of ['identity', 'scp', 'session', 'permissions-boundary'] as const) {
      for (const principal of ['*', ALICE]) {
        expect(() => authorize({ ...get, principal }, { resource: allowAll(kind) }), `${kind} ${principal}`).toThrow(PolicyCompileError);
        expect(() => authorize({ ...get, principal }, { resource: allowAll(kind) }, { trace: false })).toThrow(`${named[kind]} cannot be the resource-based policy`);
      }
    }
    // A resource-based policy that names the caller still grants.
    const bucket = policy(doc({ Effect: 'Allow', Principal: { AWS: ALICE }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }), 'bucket');
    expect(authorize(get, { resource: bucket }).decision).toBe('Allow');
  });

  it('a policy of a kind without Principal (e.g. an SCP) given where Principal is read applies to every caller, as written', () => {
    const scpDeny = policy(doc(deny('s3:*')), 'scp', 'NoS3');
    expect(authorize(get, { identity: [all], vpcEndpoint: scpDeny }, { trace: false }).decision).toBe('ExplicitDeny');
    expect(authorize(get, { identity: [all], rcp: [[scpDeny]] }, { trace: false }).decision).toBe('ExplicitDeny');
  });
});

describe('RCPs that do not apply, resource-policy grants, and A12 for variables', () => {
  const get = { principal: ALICE, action: 's3:GetObject', resource: 'arn:aws:s3:::b/k', resourceAccount: A };
  const all = policy(doc(allow('*')));
  const rcpDeny = [[policy(doc({ Effect: 'Deny', Principal: '*', Action: '*', Resource: '*' }), 'rcp')]];
  const rcpLayer = (r: ReturnType<typeof authorize>): unknown => r.trace?.layers.find((l) => l.layer === 'rcp');

  it('the trace says why RCPs do not apply: unsupported service, management account, AWS managed key, kms:RetireGrant, service-linked role under A13 ("Resource control policies")', () => {
    const key = `arn:aws:kms:us-east-1:${A}:key/k`;
    const keyPolicy = policy(doc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:root` }, Action: 'kms:*', Resource: '*' }), 'key');
    const slr = { principal: `arn:aws:sts::${A}:assumed-role/AWSServiceRoleForX/s`, principalRoleArn: `arn:aws:iam::${A}:role/aws-service-role/x.amazonaws.com/AWSServiceRoleForX` };
    const cases: [Parameters<typeof authorize>[0], string, Partial<EvaluationOptions>?][] = [
      [{ ...get, action: 'iam:ListRoles', resource: '*' }, 'RCPs do not apply to the iam service'],
      [{ ...get, resourceIsManagementAccount: true }, 'RCPs do not apply to resources of the management account'],
      [{ ...get, action: 'kms:Decrypt', resource: key, resourceIsAwsManagedKey: true }, 'RCPs do not apply to AWS managed KMS keys'],
      [{ ...get, action: 'kms:RetireGrant', resource: key }, 'kms:RetireGrant cannot be restricted by RCPs'],
      [{ ...get, ...slr }, 'RCPs do not apply to service-linked roles (A13)', { rcpExemptServiceLinkedRoles: true }],
    ];
    for (const [req, why, o] of cases) {
      const r = authorize(req, { identity: [all], resource: req.action.startsWith('kms') ? keyPolicy : undefined, rcp: rcpDeny }, o);
      expect(r.decision, why).toBe('Allow');
      expect(rcpLayer(r), why).toEqual({ layer: 'rcp', applies: false, note: why, policies: [] });
      expect(r.trace?.notes, why).toContain(why);
    }
  });

  it('an RCP statement is matched against the caller through its Principal, and its trace shows the match ("Resource control policies (RCPs)": RCP syntax, Principal "*")', () => {
    // RCPs apply level by level; with several policies at a level each one is read with its Principal.
    const rcpAllow = policy(doc({ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }), 'rcp', 'rcp-all');
    const r = authorize(get, { identity: [all], rcp: [[rcpAllow, rcpAllow]], rcpFullAccessImplied: false });
    expect(r.decision).toBe('Allow');
    const layer = r.trace?.layers.find((l) => l.layer === 'rcp');
    const st = layer?.policies[0]?.statements[0];
    expect(st?.principal).toEqual({ matchClass: 'WILDCARD', entry: '*', notPrincipal: false });
    expect(st?.reasons).toContain('the principal names the caller (WILDCARD via *)');
  });

  it('a bucket policy that names the caller decides the Allow and is listed first in allowedBy ("Cross-account policy evaluation logic")', () => {
    const bucket = policy(doc({ Sid: 'Maybe', Effect: 'Allow', Principal: { AWS: ALICE }, Action: 's3:*', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/x': 'y' } } }, { Sid: 'Named', Effect: 'Allow', Principal: { AWS: ALICE }, Action: 's3:*', Resource: '*' }), 'bucket', 'bp');
    for (const trace of [true, false]) {
      const r = authorize({ ...get, unknownContextKeys: ['aws:ResourceTag/x'] }, { resource: bucket }, { trace });
      expect(r.decision).toBe('Allow');
      expect(r.decidedBy).toMatchObject({ layer: 'resource', policy: 'bp', sid: 'Named', reason: 'an Allow statement in the resource layer grants it' });
      expect(r.allowedBy?.map((s) => s.sid)).toEqual(['Named']);
    }
    // Of two certain grants, the first one decides (traced: both are looked at).
    const two = policy(doc({ Sid: 'First', Effect: 'Allow', Principal: { AWS: ALICE }, Action: 's3:*', Resource: '*' }, { Sid: 'Second', Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: '*' }), 'bucket');
    expect(authorize(get, { resource: two }).decidedBy?.sid).toBe('First');
    expect(authorize(get, { resource: two }, { trace: false }).decidedBy?.sid).toBe('First');
    // Cross-account: the resource policy and the identity policy both count.
    const x = authorize({ ...get, principal: `arn:aws:iam::${B}:user/bob` }, { identity: [all], resource: policy(doc({ Sid: 'Bob', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${B}:user/bob` }, Action: 's3:*', Resource: '*' }), 'bucket') });
    expect(x.decision).toBe('Allow');
    expect(x.allowedBy?.map((s) => s.layer)).toEqual(['resource', 'identity']);
  });

  it('A12 off: a variable whose key is an empty string has no value, so its default is used (docs/decisions/a12-empty-string-present.md)', () => {
    const p = policy(doc(allow('s3:GetObject', "arn:aws:s3:::b/${aws:PrincipalTag/team, 'shared'}/*")));
    const req = (team: string): Parameters<typeof authorize>[0] => ({ ...get, resource: `arn:aws:s3:::b/${team}/k`, context: { 'aws:PrincipalTag/team': '' } });
    expect(authorize(req('shared'), { identity: [p] }, { emptyStringIsPresent: false }).decision).toBe('Allow');
    expect(authorize(req('shared'), { identity: [p] }).decision).toBe('ImplicitDeny');
    // Other values and unknown keys are unchanged by the option.
    expect(authorize({ ...get, resource: 'arn:aws:s3:::b/blue/k', context: { 'aws:PrincipalTag/team': 'blue' } }, { identity: [p] }, { emptyStringIsPresent: false }).decision).toBe('Allow');
    const unknown = authorize({ ...get, resource: 'arn:aws:s3:::b/blue/k', unknownContextKeys: ['aws:PrincipalTag/team'] }, { identity: [p] }, { emptyStringIsPresent: false });
    expect(unknown.residual?.allowWhen).toBeDefined();
  });
});

describe('an implicit deny names the layer that blocked and why ("Policy evaluation logic": implicit deny)', () => {
  const get = { principal: ALICE, action: 's3:GetObject', resource: 'arn:aws:s3:::b/k', resourceAccount: A };
  const all = policy(doc(allow('*')));
  const role = `arn:aws:iam::${A}:role/R`;
  const key = `arn:aws:kms:us-east-1:${A}:key/k`;
  const sess = { principal: SESSION, principalRoleArn: `arn:aws:iam::${A}:role/App` };
  const by = (req: Parameters<typeof authorize>[0], set: Parameters<typeof authorize>[1]): unknown => {
    const r = authorize(req, set, { trace: false });
    expect(r.decision).toBe('ImplicitDeny');
    expect(r.reason).toBe(`implicitly denied: ${r.decidedBy?.reason}`);
    return r.decidedBy;
  };

  it('gates: an SCP or RCP level without Allow, the VPC endpoint policy', () => {
    expect(by(get, { identity: [all], scp: [[all], [policy(doc(allow('ec2:*')), 'scp')]] })).toEqual({ layer: 'scp', level: 1, reason: 'no SCP at level 1 allows the action (every level from the root down needs an Allow)' });
    expect(by(get, { identity: [all], scp: [[policy(doc(allow('ec2:*')), 'scp')]] })).toEqual({ layer: 'scp', level: 0, reason: 'no SCP at level 0 allows the action (every level from the root down needs an Allow)' });
    expect(by(get, { identity: [all], rcp: [[]], rcpFullAccessImplied: false })).toEqual({ layer: 'rcp', level: 0, reason: 'no RCP at level 0 allows the action' });
    expect(by(get, { identity: [all], vpcEndpoint: policy(doc({ Effect: 'Allow', Principal: '*', Action: 'ec2:*', Resource: '*' }), 'vpc-endpoint', 'vpce') })).toEqual({ layer: 'vpcEndpoint', policy: 'vpce', reason: 'the VPC endpoint policy does not allow the request' });
  });

  it('a VPC endpoint policy that allows is not named when another layer blocks ("Control access to VPC endpoints using endpoint policies"; "Policy evaluation logic")', () => {
    // The endpoint policy allows the request; the deny comes from the identity side, the SCPs or the session.
    const vpce = policy(doc({ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }), 'vpc-endpoint', 'vpce');
    expect(by(get, { identity: [], vpcEndpoint: vpce })).toEqual({ layer: 'identity', reason: 'no identity policy allows the action, and no resource policy grants it' });
    expect(by(get, { identity: [all], scp: [[policy(doc(allow('ec2:*')), 'scp')]], vpcEndpoint: vpce })).toEqual({ layer: 'scp', level: 0, reason: 'no SCP at level 0 allows the action (every level from the root down needs an Allow)' });
    expect(by({ ...get, ...sess }, { identity: [all], session: [policy(doc(allow('ec2:*')), 'session')], vpcEndpoint: vpce })).toEqual({ layer: 'session', reason: 'the session policy does not allow the action' });
  });

  it('a role trust policy and a KMS key policy must allow the caller themselves ("How IAM roles differ from resource-based policies", "Key policies in AWS KMS")', () => {
    const assume = { ...get, action: 'sts:AssumeRole', resource: role };
    expect(by(assume, { identity: [all] })).toEqual({ layer: 'resource', reason: 'a trust policy is required and none was given' });
    const trustBob = policy(doc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:user/bob` }, Action: 'sts:AssumeRole' }), 'trust', 'trust');
    expect(by(assume, { identity: [all], resource: trustBob })).toEqual({ layer: 'resource', policy: 'trust', reason: 'the trust policy has no Allow for this caller; an identity policy alone is never enough' });
    const decrypt = { ...get, action: 'kms:Decrypt', resource: key };
    expect(by(decrypt, { identity: [all] })).toEqual({ layer: 'resource', reason: 'a key policy is required and none was given' });
    const keyBob = policy(doc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:user/bob` }, Action: 'kms:*', Resource: '*' }), 'key', 'kp-bob');
    expect(by(decrypt, { identity: [all], resource: keyBob })).toEqual({ layer: 'resource', policy: 'kp-bob', reason: 'the key policy has no Allow for this caller; an identity policy alone is never enough' });
    const delegating = policy(doc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:root` }, Action: 'kms:*', Resource: '*' }), 'key', 'kp');
    expect(by(decrypt, { identity: [policy(doc(allow('s3:*')))], resource: delegating })).toEqual({ layer: 'identity', reason: 'the resource policy delegates to the account, but no identity policy allows the action' });
  });

  it('a resource that is not a role, or not a key, needs no trust or key policy; a KMS alias is governed by IAM policies alone ("Controlling access to aliases")', () => {
    expect(authorize({ ...get, action: 'sts:TagSession', resource: `arn:aws:iam::${A}:user/bob` }, { identity: [all] }).decision).toBe('Allow');
    expect(authorize({ ...get, action: 'sts:TagSession', resource: 'arn:aws:s3:::role/x' }, { identity: [all] }).decision).toBe('Allow');
    expect(authorize({ ...get, action: 'kms:CreateAlias', resource: `arn:aws:kms:us-east-1:${A}:alias/a` }, { identity: [all] }).decision).toBe('Allow');
    expect(authorize({ ...get, action: 'kms:Decrypt', resource: 'arn:aws:s3:::key/k' }, { identity: [all] }).decision).toBe('Allow');
    // A key policy is needed for KMS actions on keys, not for another service's action naming a key.
    expect(authorize({ ...get, action: 's3:GetObject', resource: `arn:aws:kms:us-east-1:${A}:key/k` }, { identity: [all] }).decision).toBe('Allow');
  });

  it('callers and sides: service caller, identity, cross-account, boundary, session, federated user', () => {
    expect(by({ ...get, principal: 'sagemaker.amazonaws.com' }, {})).toEqual({ layer: 'resource', reason: 'a service caller is allowed only by a resource policy that names it, and none does' });
    expect(by(get, { identity: [] })).toEqual({ layer: 'identity', reason: 'no identity policy allows the action, and no resource policy grants it' });
    const bob = { ...get, principal: `arn:aws:iam::${B}:user/bob` };
    expect(by(bob, { identity: [] })).toEqual({ layer: 'identity', reason: "cross-account: the caller's identity policies do not allow the action" });
    expect(by(bob, { identity: [all] })).toEqual({ layer: 'resource', reason: `cross-account: the resource policy in account ${A} does not allow the caller` });
    expect(by(get, { identity: [all], permissionsBoundary: policy(doc(allow('ec2:*')), 'permissions-boundary', 'pb') })).toEqual({ layer: 'permissionsBoundary', policy: 'pb', reason: 'the permissions boundary does not allow the action' });
    expect(by({ ...get, ...sess }, { identity: [all], session: [policy(doc(allow('ec2:*')), 'session')] })).toEqual({ layer: 'session', reason: 'the session policy does not allow the action' });
    expect(by({ ...get, principal: `arn:aws:sts::${A}:federated-user/bob` }, { identity: [all] })).toEqual({ layer: 'session', reason: 'a federated-user session without a session policy has no permissions' });
  });

  it('undecided: the reason is the residual, and the blocked layer says it depends on unknown keys (partial evaluation)', () => {
    const r = authorize({ ...get, unknownContextKeys: ['aws:ResourceTag/x'] }, { identity: [policy(doc(allow('s3:*', '*', { Condition: { StringEquals: { 'aws:ResourceTag/x': 'y' } } })))] }, { trace: false });
    expect(r.decidedBy).toEqual({ layer: 'resource', reason: 'the decision depends on unknown context keys' });
    expect(r.reason).toBe('not allowed unless: aws:ResourceTag/x StringEquals ["y"]');
    expect(r.residual?.text).toBe('Allow when aws:ResourceTag/x StringEquals ["y"]');
    const d = authorize(
      { ...get, unknownContextKeys: ['aws:ResourceTag/x'] },
      { identity: [policy(doc(allow('s3:*'), deny('s3:*', '*', { Condition: { StringEquals: { 'aws:ResourceTag/x': 'y' } } })))] },
      { trace: false },
    );
    expect(d.residual?.text).toBe('Allow when not (aws:ResourceTag/x StringEquals ["y"]); explicitly denied when aws:ResourceTag/x StringEquals ["y"]');
  });
});

describe('allowedBy lists the statements the Allow rests on; notes name the extra rules ("Policy evaluation logic", spec §4.4)', () => {
  const get = { principal: SESSION, principalRoleArn: `arn:aws:iam::${A}:role/App`, action: 's3:GetObject', resource: 'arn:aws:s3:::b/k', resourceAccount: A };
  const set = (principal: unknown): Parameters<typeof authorize>[1] => ({
    identity: [policy(doc({ Sid: 'Id', ...allow('s3:*') }))],
    permissionsBoundary: policy(doc({ Sid: 'Pb', ...allow('s3:*') }), 'permissions-boundary'),
    session: [policy(doc({ Sid: 'Sess', ...allow('s3:*') }), 'session')],
    resource: policy(doc({ Sid: 'Res', Effect: 'Allow', Principal: principal, Action: 's3:*', Resource: '*' }), 'bucket'),
  });
  const sids = (principal: unknown): (string | undefined)[] | undefined => authorize(get, set(principal)).allowedBy?.map((s) => s.sid);

  it('a grant to the session itself stands alone; to the role, with boundary and session policy; to the account, with the identity side too', () => {
    expect(sids({ AWS: SESSION })).toEqual(['Res']);
    expect(sids({ AWS: `arn:aws:iam::${A}:role/App` })).toEqual(['Res', 'Pb', 'Sess']);
    expect(sids({ AWS: `arn:aws:iam::${A}:root` })).toEqual(['Res', 'Id', 'Pb', 'Sess']);
    // No resource grant: the identity side alone.
    const noRes = authorize(get, { ...set('*'), resource: undefined });
    expect(noRes.allowedBy?.map((s) => [s.layer, s.sid])).toEqual([['identity', 'Id'], ['permissionsBoundary', 'Pb'], ['session', 'Sess']]);
  });

  it('the root user is allowed by the request itself when nothing else decides', () => {
    const r = authorize({ principal: `arn:aws:iam::${A}:root`, action: 's3:GetObject', resource: 'arn:aws:s3:::b/k' }, {});
    expect(r.decidedBy).toEqual({ layer: 'request', reason: 'allowed: the root user is implicitly allowed on the identity side' });
    // Optional fields are absent, not undefined: no statement allowed it, nothing is undecided.
    expect(Object.keys(r)).toEqual(['decision', 'reason', 'decidedBy', 'trace']);
  });

  it('notes: a role trust policy, a key policy, a cross-account request; a gateway endpoint reads an account principal as its root user (G41)', () => {
    const all = policy(doc(allow('*')));
    const trust = authorize({ ...get, action: 'sts:AssumeRole', resource: `arn:aws:iam::${A}:role/R` }, { identity: [all] });
    expect(trust.trace?.notes).toContain('the role trust policy must allow this action explicitly ("How IAM roles differ from resource-based policies")');
    const kms = authorize({ ...get, action: 'kms:Decrypt', resource: `arn:aws:kms:us-east-1:${A}:key/k` }, { identity: [all] });
    expect(kms.trace?.notes).toContain('the KMS key policy must allow the caller, directly or by delegating to the account ("Key policies in AWS KMS")');
    const x = authorize({ ...get, resourceAccount: B }, { identity: [all] });
    expect(x.trace?.notes).toContain(`cross-account request (caller ${A}, resource ${B}): both the identity side and the resource policy must allow`);
    expect(x.trace?.resourceAccount).toBe(B);
    expect(x.trace?.principal).toStrictEqual({ kind: 'roleSession', arn: SESSION, accountId: A, roleArn: `arn:aws:iam::${A}:role/App` });
    const vpce = policy(doc({ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }), 'vpc-endpoint');
    const gw = authorize({ ...get, vpcEndpointType: 'gateway' }, { identity: [all], vpcEndpoint: vpce });
    expect(gw.trace?.layers.find((l) => l.layer === 'vpcEndpoint')).toMatchObject({ applies: true, note: 'gateway endpoint: an account principal means its root user only (G41)' });
    const itf = authorize({ ...get, vpcEndpointType: 'interface' }, { identity: [all], vpcEndpoint: vpce });
    expect(itf.trace?.layers.find((l) => l.layer === 'vpcEndpoint')).toStrictEqual({ layer: 'vpcEndpoint', applies: true, policies: expect.any(Array) });
    const denied = authorize(get, { identity: [all], vpcEndpoint: policy(doc({ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: '*' }), 'vpc-endpoint') });
    expect(denied.decidedBy?.layer).toBe('vpcEndpoint');
  });
});

describe('evaluation options given as undefined keep their documented defaults (docs/decisions)', () => {
  it('an option set to undefined is ignored, not read as a value', () => {
    const p = [doc(allow('s3:GetObject', '*', { Condition: { DateLessThan: { 'aws:CurrentTime': '1800000000' } } }))];
    const req = { action: 's3:GetObject', resource: 'arn:aws:s3:::b/k', context: { 'aws:CurrentTime': '2026-06-01T00:00:00Z' } };
    // A18 default: all-digit dates are epoch seconds (1800000000 is in 2027).
    expect(decision(req, { identity: p })).toBe('Allow');
    expect(authorize({ principal: ALICE, ...req }, { identity: [policy(p[0])] }, { trace: false, allDigitDates: undefined }).decision).toBe('Allow');
    expect(authorize({ principal: ALICE, ...req }, { identity: [policy(p[0])] }, { trace: false, allDigitDates: 'epochMilliseconds' }).decision).toBe('ImplicitDeny');
  });
});

describe('the shape of a statement trace (what `explain` and the reports read)', () => {
  it('only the fields that apply: no Sid, pattern or entries when there are none; unknown resources as "unknown"', () => {
    const get = { principal: ALICE, action: 's3:GetObject', resource: 'arn:aws:s3:::b/k', unknownContextKeys: ['aws:PrincipalTag/team'] };
    const r = authorize(get, {
      identity: [
        policy(
          doc(
            { Effect: 'Allow', NotAction: 'iam:*', Resource: '*' },
            { Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::other/*' },
            { Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::${aws:PrincipalTag/team}/*' },
          ),
        ),
      ],
    });
    const s = r.trace?.layers[0]?.policies[0]?.statements ?? [];
    const common = { effect: 'Allow', line: expect.any(Number), column: expect.any(Number), conditions: [] };
    expect(s).toStrictEqual([
      { ...common, statementIndex: 0, outcome: 'match', reasons: ['action s3:GetObject is not excluded by NotAction', 'resource arn:aws:s3:::b/k matches *'], action: { matched: true }, resource: { matched: true, pattern: '*' } },
      {
        ...common,
        statementIndex: 1,
        outcome: 'no-match',
        reasons: ['action s3:GetObject matches s3:*', 'resource arn:aws:s3:::b/k is not in Resource'],
        action: { matched: true, pattern: 's3:*' },
        resource: { matched: false, entries: ['arn:aws:s3:::other/*'], not: false },
      },
      {
        ...common,
        statementIndex: 2,
        outcome: 'unknown',
        reasons: ['action s3:GetObject matches s3:*', 'Resource depends on unknown keys'],
        action: { matched: true, pattern: 's3:*' },
        resource: { matched: 'unknown', entries: ['arn:aws:s3:::${aws:PrincipalTag/team}/*'], not: false },
      },
    ]);
  });
});

/**
 * NotPrincipal and permissions boundaries, "AWS JSON policy elements: NotPrincipal"
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html):
 * NotPrincipal "must be used with Effect Deny" (with Allow it grants "all principals except
 * the one named" at most, docs/decisions/a20-notprincipal-allow.md), and "the NotPrincipal
 * element with a Deny effect will always deny any IAM principal that has a permissions
 * boundary policy attached, regardless of the values specified in the NotPrincipal element"
 * (option notPrincipalDenyAlwaysDeniesBoundedCallers, docs/decisions/a15b-...). That rule is
 * for Deny only: the `isDeny &&` mutants in authorize.ts carry it over to Allow.
 */
describe('NotPrincipal with a permissions boundary: the always-applies rule is for Deny only', () => {
  const BOB = `arn:aws:iam::${A}:user/bob`;
  const bucket = { action: 's3:GetObject', resource: 'arn:aws:s3:::b/k' };
  const boundary = doc(allow('s3:*'));
  // With Deny the caller's account is listed too, as the page advises; with Allow an account
  // entry would name every caller of the account, so only the user is listed.
  const notPrincipal = (effect: 'Allow' | 'Deny', listed: string) =>
    doc({ Effect: effect, NotPrincipal: { AWS: effect === 'Deny' ? [listed, `arn:aws:iam::${A}:root`] : listed }, Action: 's3:GetObject', Resource: '*' });
  /** The reasons the trace gives for the resource policy's statement. */
  function resourceReasons(r: ReturnType<typeof run>): string[] {
    const layer = r.trace?.layers.find((l) => l.layer === 'resource');
    return layer?.policies.flatMap((p) => p.statements.flatMap((s) => s.reasons)) ?? [];
  }

  it.each([true, false])('Allow + NotPrincipal, bounded caller not listed (bounded-callers rule %s): "not listed", never the Deny rule', (rule) => {
    // Bob is not listed: the statement applies to him because he is not named, not because he has a boundary.
    const r = run({ ...bucket, principal: BOB }, { identity: [doc(allow('s3:GetObject'))], permissionsBoundary: boundary, resource: notPrincipal('Allow', ALICE) }, { notPrincipalDenyAlwaysDeniesBoundedCallers: rule });
    const reasons = resourceReasons(r);
    expect(reasons).toContain('the caller is not listed in NotPrincipal');
    expect(reasons).not.toContain('NotPrincipal with Deny applies to every caller with a permissions boundary');
  });

  it.each([true, false])('Allow + NotPrincipal never grants to the caller it lists, bounded or not (bounded-callers rule %s)', (rule) => {
    // Only the resource policy could grant: no identity policy, so the listed caller is denied.
    for (const withBoundary of [true, false]) {
      const policies = { resource: notPrincipal('Allow', ALICE), ...(withBoundary ? { permissionsBoundary: boundary } : {}) };
      const r = run({ ...bucket, principal: ALICE }, policies, { notPrincipalDenyAlwaysDeniesBoundedCallers: rule });
      expect(r.decision, `boundary ${withBoundary}`).toBe('ImplicitDeny');
      expect(resourceReasons(r)).toContain('the caller is listed in NotPrincipal');
    }
  });

  it('Deny + NotPrincipal: a bounded caller it lists is denied with the rule on (and says why), excluded with it off', () => {
    const policies = { identity: [doc(allow('s3:GetObject'))], permissionsBoundary: boundary, resource: notPrincipal('Deny', ALICE) };
    const on = run({ ...bucket, principal: ALICE }, policies, { notPrincipalDenyAlwaysDeniesBoundedCallers: true });
    expect(on.decision).toBe('ExplicitDeny');
    expect(resourceReasons(on)).toContain('NotPrincipal with Deny applies to every caller with a permissions boundary');
    const off = run({ ...bucket, principal: ALICE }, policies, { notPrincipalDenyAlwaysDeniesBoundedCallers: false });
    expect(off.decision).toBe('Allow');
    expect(resourceReasons(off)).toContain('the caller is listed in NotPrincipal');
  });
});

describe('principals: parsing, derived keys and matching ("AWS JSON policy elements: Principal", "…: NotPrincipal")', () => {
  const penv = { wildcardMatchesServices: true, gatewayEndpoint: false };
  const blk = (entries: Record<string, string | string[]>): ReturnType<typeof compilePrincipalBlock> =>
    compilePrincipalBlock({
      wildcard: false,
      loc: NO_POSITION,
      path: '$',
      entries: Object.entries(entries).flatMap(([type, v]) => (Array.isArray(v) ? v : [v]).map((value) => ({ type, value, loc: NO_POSITION, path: '$' }))),
    });
  const pr = (text: string, extras = {}): RequestPrincipal => {
    const r = parsePrincipal(text, extras);
    if (!r.ok) throw new Error(r.message);
    return r.principal;
  };
  const FED = `arn:aws:sts::${A}:federated-user/bob`;
  const ROOT = `arn:aws:iam::${A}:root`;

  it('a service principal is a whole DNS name ending in amazonaws.com; other text is refused with what was expected', () => {
    // "AWS JSON policy elements: Principal": AWS service principals, e.g. sagemaker.amazonaws.com.
    expect(parsePrincipal('sagemaker.amazonaws.com.evil.example').ok).toBe(false);
    expect(parsePrincipal('-sagemaker.amazonaws.com').ok).toBe(false);
    const bad = parsePrincipal('alice');
    expect(bad.ok === false && bad.message).toMatch(/^principal "alice" is not understood; expected an IAM user ARN/);
    const other = parsePrincipal(`arn:aws:sts::${A}:foo/bar`);
    expect(other.ok === false && other.message).toMatch(/is not understood/);
    expect(parsePrincipal(`arn:aws:iam::${A}:federated-user/bob`).ok).toBe(false);
  });

  it('a role ARN cannot sign: the error gives the session ARN to use instead; a session ARN needs a session name', () => {
    // "IAM identifiers": a role is assumed; requests are signed by its session (assumed-role/ROLE/SESSION).
    const r = parsePrincipal(`arn:aws:iam::${A}:role/path/App`);
    expect(r.ok === false && r.message).toBe(
      `a role cannot sign a request; give the session ARN (arn:aws:sts::${A}:assumed-role/App/SESSION) and put the role ARN in principalRoleArn`,
    );
    const s = parsePrincipal(`arn:aws:sts::${A}:assumed-role/App`);
    expect(s.ok === false && s.message).toBe(`role session ARN "arn:aws:sts::${A}:assumed-role/App" needs assumed-role/ROLE/SESSION`);
  });

  it('derived keys: aws:userid and aws:PrincipalServiceNamesList per kind ("AWS global condition context keys")', () => {
    const user = principalKeys(pr(ALICE, { uniqueId: 'AIDAEXAMPLE' }));
    expect(user.get('aws:userid')).toBe('AIDAEXAMPLE');
    expect(user.get('aws:principalarn')).toBe(ALICE);
    expect(principalKeys(pr(ALICE)).has('aws:userid')).toBe(false);
    expect(principalKeys({ kind: 'iamUser', accountId: A }).has('aws:principalarn')).toBe(false);
    expect(principalKeys({ kind: 'iamUser', accountId: A }).has('aws:username')).toBe(false);
    const fed = principalKeys(pr(FED));
    expect(fed.get('aws:userid')).toBe(`${A}:bob`);
    expect(fed.get('aws:principalarn')).toBe(FED);
    expect(fed.get('aws:principaltype')).toBe('FederatedUser');
    expect(principalKeys({ kind: 'federatedUserSession', sessionName: 'bob' }).has('aws:userid')).toBe(false);
    expect(principalKeys({ kind: 'federatedUserSession', accountId: A }).has('aws:userid')).toBe(false);
    expect(principalKeys({ kind: 'federatedUserSession', accountId: A }).has('aws:principalarn')).toBe(false);
    expect(principalKeys({ kind: 'roleSession', accountId: A, sessionName: 's1' }).has('aws:userid')).toBe(false);
    expect(principalKeys({ kind: 'root', accountId: A }).get('aws:principalarn')).toBe(ROOT);
    expect(principalKeys({ kind: 'root', arn: ROOT }).has('aws:userid')).toBe(false);
    const svc = principalKeys(pr('sagemaker.amazonaws.com'));
    expect(svc.get('aws:principalservicenameslist')).toEqual(['sagemaker.amazonaws.com']);
    expect(principalKeys({ kind: 'service' }).has('aws:principalservicename')).toBe(false);
    expect(principalKeys({ kind: 'service' }).has('aws:principalservicenameslist')).toBe(false);
  });

  it('an AWS entry names a user, a role or the account by its ARN; other text names nobody', () => {
    const alice = pr(ALICE);
    expect(matchPrincipal(blk({ AWS: `arn:aws:iam::${A}:user/bob` }), alice, penv).cls).toBe('NONE');
    expect(matchPrincipal(blk({ AWS: ROLE }), pr(SESSION), penv).cls).toBe('ENTITY');
    expect(matchPrincipal(blk({ AWS: 'not-an-arn' }), alice, penv).cls).toBe('NONE');
    expect(matchPrincipal(blk({ AWS: `arn:aws:s3:::bucket` }), alice, penv).cls).toBe('NONE');
    expect(matchPrincipal(blk({ AWS: `arn:aws:iam::${A}:root` }), alice, penv).cls).toBe('ACCOUNT');
  });

  it('each kind of entry names only its own kind of caller, by its exact ARN or ID ("AWS JSON policy elements: Principal")', () => {
    const alice = pr(ALICE);
    const session = pr(SESSION);
    const fed = pr(FED, { sourceUserArn: ALICE });
    const svc = pr('sagemaker.amazonaws.com');
    // An account entry: every IAM caller of that account, no one of another account.
    expect(matchPrincipal(blk({ AWS: B }), alice, penv).cls).toBe('NONE');
    expect(matchPrincipal(blk({ AWS: A }), svc, penv).cls).toBe('NONE');
    // A user entry: that user (DIRECT), a federated session it started (ENTITY), nobody else.
    expect(matchPrincipal(blk({ AWS: ALICE }), alice, penv).cls).toBe('DIRECT');
    expect(matchPrincipal(blk({ AWS: ALICE }), fed, penv).cls).toBe('ENTITY');
    expect(matchPrincipal(blk({ AWS: ALICE }), pr(FED), penv).cls).toBe('NONE');
    expect(matchPrincipal(blk({ AWS: ALICE }), session, penv).cls).toBe('NONE');
    // A role entry: sessions of that role only.
    expect(matchPrincipal(blk({ AWS: ROLE }), alice, penv).cls).toBe('NONE');
    expect(matchPrincipal(blk({ AWS: `arn:aws:iam::${A}:role/Other` }), session, penv).cls).toBe('NONE');
    // A session entry and a federated-user entry: that session only.
    expect(matchPrincipal(blk({ AWS: SESSION }), session, penv).cls).toBe('DIRECT');
    expect(matchPrincipal(blk({ AWS: `arn:aws:sts::${A}:assumed-role/App/s2` }), session, penv).cls).toBe('NONE');
    expect(matchPrincipal(blk({ AWS: SESSION }), fed, penv).cls).toBe('NONE');
    expect(matchPrincipal(blk({ AWS: FED }), fed, penv).cls).toBe('DIRECT');
    expect(matchPrincipal(blk({ AWS: `arn:aws:sts::${A}:federated-user/eve` }), fed, penv).cls).toBe('NONE');
    expect(matchPrincipal(blk({ AWS: FED }), session, penv).cls).toBe('NONE');
    // A unique ID: the user or role that has it (role: its sessions, ENTITY).
    expect(matchPrincipal(blk({ AWS: 'AIDAEXAMPLE1' }), pr(ALICE, { uniqueId: 'AIDAEXAMPLE1' }), penv).cls).toBe('DIRECT');
    expect(matchPrincipal(blk({ AWS: 'AROAEXAMPLE1' }), pr(SESSION, { uniqueId: 'AROAEXAMPLE1' }), penv).cls).toBe('ENTITY');
    expect(matchPrincipal(blk({ AWS: 'AIDAEXAMPLE1' }), pr(ALICE, { uniqueId: 'AIDAEXAMPLE2' }), penv).cls).toBe('NONE');
    expect(matchPrincipal(blk({ AWS: 'AIDAEXAMPLE1' }), alice, penv).cls).toBe('NONE');
    // A service entry: that service only; a Federated entry names no IAM caller.
    expect(matchPrincipal(blk({ Service: 'glue.amazonaws.com' }), svc, penv).cls).toBe('NONE');
    expect(matchPrincipal(blk({ Service: 'sagemaker.amazonaws.com' }), alice, penv).cls).toBe('NONE');
    expect(matchPrincipal(blk({ Federated: 'cognito-identity.amazonaws.com' }), alice, penv).cls).toBe('NONE');
    expect(matchPrincipal(blk({ Federated: 'cognito-identity.amazonaws.com' }), svc, penv).cls).toBe('NONE');
    // `{"AWS": "*"}` among other entries is the everyone principal.
    expect(blk({ AWS: [ALICE, '*'] }).wildcard).toBe(true);
    expect(blk({ AWS: [ALICE] }).wildcard).toBe(false);
    expect(matchPrincipal(blk({ AWS: [ROLE, '*'] }), alice, penv).cls).toBe('WILDCARD');
    expect(matchPrincipal(blk({}), alice, penv).cls).toBe('NONE');
  });

  it('a CanonicalUser entry names only the caller with that canonical ID (S3 bucket policies)', () => {
    const withId: RequestPrincipal = { ...pr(ALICE), canonicalUserId: 'c0ffee' };
    expect(matchPrincipal(blk({ CanonicalUser: 'c0ffee' }), withId, penv).cls).toBe('DIRECT');
    expect(matchPrincipal(blk({ CanonicalUser: 'c0ffee' }), { ...withId, canonicalUserId: 'beef' }, penv).cls).toBe('NONE');
    expect(matchPrincipal(blk({ CanonicalUser: 'c0ffee' }), pr(ALICE), penv).cls).toBe('NONE');
    expect(matchPrincipal(blk({ Other: 'c0ffee' }), withId, penv).cls).toBe('NONE');
  });

  it('of two classes, the stronger wins: WILDCARD > DIRECT > ENTITY > ACCOUNT > NONE', () => {
    expect(betterClass('ACCOUNT', 'ENTITY')).toBe('ENTITY');
    expect(betterClass('DIRECT', 'ENTITY')).toBe('DIRECT');
    expect(betterClass('WILDCARD', 'DIRECT')).toBe('WILDCARD');
    expect(betterClass('NONE', 'ACCOUNT')).toBe('ACCOUNT');
    expect(betterClass('ACCOUNT', 'ACCOUNT')).toBe('ACCOUNT');
  });

  it('Deny with NotPrincipal excludes root, a service and a federated user only as the A15 chain says', () => {
    // "AWS JSON policy elements: NotPrincipal": with Deny, list the account as well as the
    // principal; the root user is excluded by its account, a service by its name.
    const strict = { ...penv, chain: 'strict' as const, alwaysApplies: false };
    const sessionOnly = { ...penv, chain: 'sessionOnly' as const, alwaysApplies: false };
    const root = pr(ROOT);
    expect(notPrincipalApplies(blk({ AWS: A }), root, strict)).toBe(false);
    expect(notPrincipalApplies(blk({ AWS: B }), root, strict)).toBe(true);
    const svc = pr('sagemaker.amazonaws.com');
    expect(notPrincipalApplies(blk({ Service: 'sagemaker.amazonaws.com' }), svc, strict)).toBe(false);
    expect(notPrincipalApplies(blk({ Service: 'glue.amazonaws.com' }), svc, strict)).toBe(true);
    const fed = pr(FED);
    expect(notPrincipalApplies(blk({ AWS: [FED, A] }), fed, strict)).toBe(false);
    expect(notPrincipalApplies(blk({ AWS: FED }), fed, strict)).toBe(true);
    expect(notPrincipalApplies(blk({ AWS: A }), fed, strict)).toBe(true);
    expect(notPrincipalApplies(blk({ AWS: FED }), fed, sessionOnly)).toBe(false);
    expect(notPrincipalApplies(compilePrincipalBlock({ wildcard: true, loc: NO_POSITION, path: '$' }), fed, strict)).toBe(false);
    expect(notPrincipalApplies(compilePrincipalBlock({ wildcard: true, loc: NO_POSITION, path: '$' }), fed, sessionOnly)).toBe(false);
  });

  it('Deny with NotPrincipal under A15 strict: a role session or a federated session is excluded only when every identity in its chain is listed', () => {
    // "AWS JSON policy elements: NotPrincipal": list the session, the role (or the IAM user behind
    // a federated session) and the account; spec A15 (docs/decisions).
    const strict = { ...penv, chain: 'strict' as const, alwaysApplies: false };
    const session = pr(SESSION);
    expect(notPrincipalApplies(blk({ AWS: [SESSION, ROLE, A] }), session, strict)).toBe(false);
    expect(notPrincipalApplies(blk({ AWS: [SESSION, A] }), session, strict)).toBe(true);
    expect(notPrincipalApplies(blk({ AWS: [ROLE, A] }), session, strict)).toBe(true);
    expect(notPrincipalApplies(blk({ AWS: [SESSION, ROLE] }), session, strict)).toBe(true);
    const fed = pr(FED, { sourceUserArn: ALICE });
    expect(notPrincipalApplies(blk({ AWS: [FED, ALICE, A] }), fed, strict)).toBe(false);
    expect(notPrincipalApplies(blk({ AWS: [FED, A] }), fed, strict)).toBe(true);
    expect(notPrincipalApplies(blk({ AWS: [ALICE, A] }), fed, strict)).toBe(true);
    expect(notPrincipalApplies(blk({ AWS: [FED, ALICE] }), fed, strict)).toBe(true);
  });

  it('the best class over all entries wins, and of equals the first entry is the one named', () => {
    const alice = pr(ALICE);
    expect(matchPrincipal(blk({ AWS: [ALICE, A] }), alice, penv)).toMatchObject({ cls: 'DIRECT', entry: { value: ALICE } });
    expect(matchPrincipal(blk({ AWS: [A, ALICE] }), alice, penv)).toMatchObject({ cls: 'DIRECT', entry: { value: ALICE } });
    expect(matchPrincipal(blk({ AWS: [A, `arn:aws:iam::${A}:root`] }), alice, penv)).toMatchObject({ cls: 'ACCOUNT', entry: { value: A } });
    expect(matchPrincipal(blk({ AWS: [ALICE, `arn:aws:iam::${A}:user/bob`] }), alice, penv)).toMatchObject({ cls: 'DIRECT', entry: { value: ALICE } });
    expect(blk({ Service: '*' }).wildcard).toBe(true);
  });

  it('an empty Principal names nobody; the everyone principal names a service only with A11 on', () => {
    // "AWS JSON policy elements: Principal"; docs/decisions/a11-wildcard-principal-services.md.
    const svc = pr('sagemaker.amazonaws.com');
    const star = compilePrincipalBlock({ wildcard: true, loc: NO_POSITION, path: '$' });
    expect(principalNamesCaller(blk({}), pr(ALICE), penv)).toBe(false);
    expect(principalNamesCaller(star, pr(ALICE), { ...penv, wildcardMatchesServices: false })).toBe(true);
    expect(principalNamesCaller(star, svc, { ...penv, wildcardMatchesServices: false })).toBe(false);
    expect(principalNamesCaller(star, svc, penv)).toBe(true);
  });

  it('"*" as the signer is the anonymous caller; each ARN form is read only with its own service: iam for root, users and roles, sts for sessions and federated users ("IAM identifiers")', () => {
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html: arn:aws:iam::ACCOUNT:root / user/NAME / role/NAME,
    // arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION and federated-user/NAME; "AWS JSON policy elements: Principal" (anonymous users: "*").
    expect(parsePrincipal('*')).toEqual({ ok: true, principal: { kind: 'anonymous' } });
    for (const text of [`arn:aws:sts::${A}:root`, `arn:aws:sts::${A}:user/alice`, `arn:aws:iam::${A}:assumed-role/App/s1`, `arn:aws:iam::${A}:group/devs`, `arn:aws:sts::${A}:role/App`]) {
      const r = parsePrincipal(text);
      expect(r.ok === false && r.message.startsWith(`principal "${text}" is not understood; expected an IAM user ARN`)).toBe(true);
    }
    const noRole = `arn:aws:sts::${A}:assumed-role//s1`;
    const r = parsePrincipal(noRole);
    expect(r.ok === false && r.message).toBe(`role session ARN "${noRole}" needs assumed-role/ROLE/SESSION`);
  });

  it('derived keys come only from what the principal carries: aws:PrincipalAccount, aws:PrincipalArn of a session, aws:userid "ROLEID:SESSION" ("AWS global condition context keys")', () => {
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html: aws:PrincipalArn of a
    // role session is the role's ARN; aws:userid of a role session is "role-id:caller-specified-role-name".
    expect(principalKeys({ kind: 'iamUser', arn: ALICE }).has('aws:principalaccount')).toBe(false);
    expect(principalKeys(pr(ALICE)).get('aws:principalaccount')).toBe(A);
    expect(principalKeys({ kind: 'roleSession', arn: SESSION, accountId: A, sessionName: 's1' }).has('aws:principalarn')).toBe(false);
    expect(principalKeys({ kind: 'roleSession', accountId: A, roleArn: ROLE, uniqueId: 'AROAEXAMPLE1' }).has('aws:userid')).toBe(false);
    expect(principalKeys(pr(SESSION, { uniqueId: 'AROAEXAMPLE1' })).get('aws:userid')).toBe('AROAEXAMPLE1:s1');
  });

  it('a Principal entry names a root user, user or role only with an iam ARN, and a session or federated user only with an sts ARN ("IAM identifiers")', () => {
    // The caller's own fields may hold any text (principalRoleArn and principalSourceUserArn are taken as given,
    // and a prepared request accepts a principal object): an entry of the wrong service still names nobody.
    const alice = pr(ALICE);
    expect(matchPrincipal(blk({ AWS: `arn:aws:sts::${A}:root` }), alice, penv).cls).toBe('NONE');
    const stsUser = `arn:aws:sts::${A}:user/alice`;
    expect(matchPrincipal(blk({ AWS: stsUser }), pr(FED, { sourceUserArn: stsUser }), penv).cls).toBe('NONE');
    for (const roleArn of [`arn:aws:sts::${A}:role/App`, `arn:aws:iam::${A}:group/devs`]) {
      expect(matchPrincipal(blk({ AWS: roleArn }), pr(SESSION, { roleArn }), penv).cls).toBe('NONE');
    }
    const iamSession = `arn:aws:iam::${A}:assumed-role/App/s1`;
    expect(matchPrincipal(blk({ AWS: iamSession }), { kind: 'roleSession', arn: iamSession, accountId: A, roleArn: ROLE }, penv).cls).toBe('NONE');
    for (const arn of [`arn:aws:iam::${A}:federated-user/bob`, `arn:aws:sts::${A}:foo/bob`]) {
      expect(matchPrincipal(blk({ AWS: arn }), { kind: 'federatedUserSession', arn, accountId: A, sessionName: 'bob' }, penv).cls).toBe('NONE');
    }
  });

  it('each kind of entry names only its own kind of caller, even a caller object that carries another kind\'s fields ("AWS JSON policy elements: Principal")', () => {
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html: an account
    // principal names the account's IAM identities (not services, not anonymous callers); a user ARN the user, a role
    // ARN the role's sessions, a session ARN that session, a service name that service.
    const cls = (entries: Record<string, string>, p: RequestPrincipal): string => {
      const [e] = blk(entries).entries;
      if (!e) throw new Error('no entry');
      return entryClass(e, p, penv);
    };
    expect(cls({ AWS: A }, { kind: 'service', servicePrincipal: 'sagemaker.amazonaws.com', accountId: A })).toBe('NONE');
    expect(cls({ AWS: A }, { kind: 'anonymous', accountId: A })).toBe('NONE');
    expect(cls({ AWS: ALICE }, { kind: 'roleSession', arn: ALICE, accountId: A })).toBe('NONE');
    expect(cls({ AWS: ALICE }, { kind: 'roleSession', arn: SESSION, accountId: A, sourceUserArn: ALICE })).toBe('NONE');
    expect(cls({ AWS: ROLE }, { kind: 'iamUser', arn: ALICE, accountId: A, roleArn: ROLE })).toBe('NONE');
    expect(cls({ AWS: SESSION }, { kind: 'federatedUserSession', arn: SESSION, accountId: A })).toBe('NONE');
    expect(cls({ AWS: FED }, { kind: 'roleSession', arn: FED, accountId: A })).toBe('NONE');
    expect(cls({ AWS: 'AIDAEXAMPLE1' }, { kind: 'root', arn: ROOT, accountId: A, uniqueId: 'AIDAEXAMPLE1' })).toBe('NONE');
    expect(cls({ Service: 'sagemaker.amazonaws.com' }, { kind: 'iamUser', arn: ALICE, accountId: A, servicePrincipal: 'sagemaker.amazonaws.com' })).toBe('NONE');
    // An entry that does not name the caller says so with NONE (a Deny reads any other class as a match).
    const alice = pr(ALICE);
    expect(cls({ AWS: FED }, alice)).toBe('NONE');
    expect(cls({ CanonicalUser: 'c0ffee' }, alice)).toBe('NONE');
    expect(cls({ Federated: 'cognito-identity.amazonaws.com' }, alice)).toBe('NONE');
    expect(principalNamesCaller(blk({ AWS: FED, CanonicalUser: 'c0ffee', Federated: 'cognito-identity.amazonaws.com' }), alice, penv)).toBe(false);
  });

  it('a Principal element compiles to one entry per principal it lists, in order (the trace names the entry that matched)', () => {
    // "AWS JSON policy elements: Principal": each value of "AWS", "Service", … is one principal.
    expect(blk({ AWS: [ALICE, A], Service: 'sagemaker.amazonaws.com' }).entries.map((e) => [e.type, e.value])).toEqual([
      ['AWS', ALICE],
      ['AWS', A],
      ['Service', 'sagemaker.amazonaws.com'],
    ]);
    expect(blk({}).entries).toEqual([]);
  });
});

describe('compiling policies: Resource entries, short ARNs (A17) and refused documents', () => {
  const firstResource = (value: unknown, kind: PolicyKind): ReturnType<typeof compilePolicy> => {
    const r = readPolicyValue(value, { kind, name: 'p' });
    if (!r.policy) throw new Error('not read');
    return compilePolicy(r.policy);
  };
  const matches = (raw: string, kind: PolicyKind, resource: string): unknown => {
    const cp = firstResource(doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: raw, ...(kind === 'identity' ? {} : { Principal: '*' }) }), kind);
    const e = cp.statements[0]?.resources?.[0];
    if (!e) throw new Error('no resource entry');
    expect(e.raw).toBe(raw); // what the trace lists as the statement's entries
    return resourceEntryMatches(e, resource, splitArn(resource), true, true, () => undefined);
  };

  it('a Resource that is not an ARN is compared with the request resource as a whole; only text starting with "arn:" is an ARN, short or not ("IAM JSON policy elements: Resource"; docs/decisions/a17-short-arns.md)', () => {
    expect(matches('b/k*', 'identity', 'b/key')).toBe(true);
    expect(matches('b/k*', 'identity', 'b/other')).toBe(false);
    expect(matches('b/k*', 'identity', 'arn:aws:s3:::b/key')).toBe(false);
    expect(matches('my-arn:x', 'identity', 'my-arn:x')).toBe(true);
  });

  it('a Resource ARN matches only a request ARN with the same partition, service, region and account: the resource part alone is not enough ("IAM JSON policy elements: Resource")', () => {
    expect(matches('arn:aws:s3:::b/*', 'identity', `arn:aws:sqs:us-east-1:${A}:b/x`)).toBe(false);
    expect(matches(`arn:aws:iam::${A}:role/*`, 'identity', `arn:aws:iam::${B}:role/x`)).toBe(false);
    expect(matches(`arn:aws:iam::${A}:role/*`, 'identity', `arn:aws:iam::${A}:role/x`)).toBe(true);
  });

  it('an action with no resource type (request resource "*") is matched only by the Resource "*", not by a pattern that would match the text "*" (spec §1.5, G9)', () => {
    for (const raw of ['**', '?', '*?']) expect(matches(raw, 'identity', '*'), raw).toBe(false);
  });

  it('A17: a Resource ARN with fewer than six parts is padded in identity policies and matches nothing in resource-based and endpoint policies', () => {
    expect(matches('arn:aws:s3', 'identity', 'arn:aws:s3:::b/k')).toBe(true);
    for (const kind of ['resource', 'bucket', 'key', 'trust', 'ecr-repository', 'vpc-endpoint'] as const) {
      expect(matches('arn:aws:s3', kind, 'arn:aws:s3:::b/k'), kind).toBe(false);
    }
  });

  it('A17: a Resource ARN with fewer than six parts makes an SCP or an RCP invalid, and the error says which', () => {
    for (const kind of ['scp', 'rcp'] as const) {
      const cp = firstResource(doc({ Effect: 'Deny', Action: 's3:GetObject', Resource: 'arn:aws:s3', ...(kind === 'rcp' ? { Principal: '*' } : {}) }), kind);
      expect(cp.errors.map((e) => e.message)).toEqual([`resource "arn:aws:s3" has fewer than six ARN parts; AWS rejects it in ${kind.toUpperCase()}s`]);
    }
  });

  it('a policy the reader refuses carries the reader\'s errors, with their positions, into the compiled policy ("Grammar of the IAM JSON policy language")', () => {
    const read = readPolicyValue('{"Version":"2012-10-17","Statement":[{"Effect":"deny","Action":"s3:*","Resource":"*"}]}', { kind: 'identity', name: 'p' });
    const finding = read.findings[0]!;
    expect(compilePolicy(read.policy!).errors).toEqual([{ message: finding.message, line: finding.line, column: finding.column, path: finding.path }]);
    expect(finding.line).toBeGreaterThan(0);
  });

  it('compilePolicyDocument refuses what cannot be read with PolicyCompileError and the reader\'s own first error; the compiler does not run on it', () => {
    const refused = (value: unknown): PolicyCompileError => {
      try {
        compilePolicyDocument(value, 'identity', 'p1');
      } catch (e) {
        if (e instanceof PolicyCompileError) return e;
        throw e;
      }
      throw new Error('not refused');
    };
    const json = refused('not json');
    expect(json.name).toBe('PolicyCompileError');
    expect(json.policyName).toBe('p1');
    expect(json.message).toMatch(/^policy p1 is invalid: invalid JSON: .* \(line 1, column 1\)$/);
    // A Deny written "deny", then a statement with an unknown operator (a compile error of its own): the reader's error only.
    const both = refused(doc({ Effect: 'deny', Action: 's3:*', Resource: '*' }, allow('s3:GetObject', '*', { Condition: { NoSuchOperator: { 'aws:username': 'x' } } })));
    expect(both.errors.map((e) => e.message)).toEqual(['Effect is case-sensitive: write "Deny", not "deny"']);
    expect(compilePolicyDocument(doc(allow('s3:GetObject')), 'identity', 'ok').statements).toHaveLength(1);
    expect(() => compilePolicyDocument(doc(allow('s3:GetObject', '*', { Condition: { NoSuchOperator: { 'aws:username': 'x' } } })), 'identity', 'p2')).toThrow(PolicyCompileError);
  });
});

describe('the per-action index of a compiled policy finds every statement whose Action matches ("IAM JSON policy elements: Action")', () => {
  it('a wildcard in the service prefix matches like any other wildcard', () => {
    for (const pattern of ['s*:GetObject', '*:GetObject', 's?:GetObject', 'S3:Get*', '*3:*']) {
      const cp = compilePolicy(policy(doc(allow(pattern))));
      expect(cp.statementsForAction('s3:getobject'), pattern).toEqual([0]);
      expect(decision({ action: 's3:GetObject', resource: 'arn:aws:s3:::b/k' }, { identity: [doc(allow(pattern))] }), pattern).toBe('Allow');
    }
    expect(compilePolicy(policy(doc(allow('s*:GetObject')))).statementsForAction('ec2:getobject')).toEqual([]);
  });
});

// "IAM JSON policy elements: Condition" (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html):
// condition key names are not case-sensitive. The context is public API (RequestContext, contextFrom).
describe('the request context: keys without case, case variants (A16), derived keys behind given ones, unknown keys', () => {
  it('keys are found whatever their case, from a record or a Map; each case variant of a key is kept (A16)', () => {
    expect(contextFrom(new Map([['AWS:SourceIp', '192.0.2.1']])).get('aws:sourceip')).toBe('192.0.2.1');
    const ctx = contextFrom({ 'aws:ResourceTag/EC2': 'a', 'aws:ResourceTag/ec2': 'b', 'AWS:RESOURCETAG/Ec2': 'c', 'aws:username': 'alice' });
    expect(ctx.variants('aws:resourcetag/ec2')).toEqual(['a', 'b', 'c']);
    expect(ctx.hasVariants('aws:username')).toBe(false);
    expect(ctx.variants('aws:username')).toEqual(['alice']);
    expect(ctx.variants('aws:userid')).toBeUndefined();
    expect(contextFrom({ 'aws:username': 'alice' }).variants('aws:username')).toEqual(['alice']);
  });

  it('a derived key (from the principal) is used only when the caller did not give the key and it is not unknown ("AWS global condition context keys")', () => {
    const given = contextFrom({ 'aws:username': 'given' });
    given.addDerived('AWS:UserName', 'derived');
    expect(given.get('aws:username')).toBe('given');
    const fresh = new RequestContext();
    fresh.addDerived('AWS:UserName', 'derived');
    expect(fresh.get('aws:username')).toBe('derived');
    const unknown = contextFrom({}, ['AWS:UserName', 'aws:SourceIp']);
    unknown.addDerived('aws:username', 'derived');
    unknown.addDerived('aws:principalaccount', A);
    expect(unknown.get('aws:username')).toBeUndefined();
    expect(unknown.get('aws:principalaccount')).toBe(A);
    // Keys used behind the caller's (useDerived): the first source of a key wins, unknown keys stay unknown.
    const shared = contextFrom({}, ['aws:userid']);
    shared.useDerived(new Map([['aws:username', 'first'], ['aws:userid', 'AIDAEXAMPLE']]));
    shared.addDerivedLower('aws:username', 'second');
    expect(shared.get('aws:username')).toBe('first');
    expect(shared.get('aws:userid')).toBeUndefined();
    expect(shared.entries()).toEqual([['aws:username', ['first']]]);
  });

  it('partial evaluation: a key listed as unknown is unknown even when the principal would give it ("Policy evaluation logic")', () => {
    const p = [policy(doc(allow('s3:GetObject', '*', { Condition: { StringEquals: { 'aws:username': 'alice' } } })))];
    const req = { principal: ALICE, action: 's3:GetObject', resource: 'arn:aws:s3:::b/k' };
    expect(authorize(req, { identity: p }, opts({})).decision).toBe('Allow');
    const r = authorize({ ...req, unknownContextKeys: ['aws:username'] }, { identity: p }, opts({}));
    expect(r.decision).not.toBe('Allow');
    expect(r.residual).toBeDefined();
    // Another key being unknown hides nothing else.
    expect(authorize({ ...req, unknownContextKeys: ['aws:SourceIp'] }, { identity: p }, opts({})).decision).toBe('Allow');
  });

  it('a key given as undefined or null is absent, not the text "undefined" or "null" ("Condition operator to check existence of condition keys": Null)', () => {
    const input = { 'aws:SourceVpc': undefined, 'aws:SourceVpce': null, 'aws:SourceIp': '192.0.2.1' } as unknown as Record<string, ContextInputValue>;
    const ctx = contextFrom(input);
    expect(ctx.get('aws:sourcevpc')).toBeUndefined();
    expect(ctx.get('aws:sourcevpce')).toBeUndefined();
    expect(ctx.entries()).toEqual([['aws:sourceip', ['192.0.2.1']]]);
    const p = [policy(doc(allow('s3:GetObject', '*', { Condition: { Null: { 'aws:SourceVpc': 'true', 'aws:SourceVpce': 'true' } } })))];
    expect(authorize({ principal: ALICE, action: 's3:GetObject', resource: 'arn:aws:s3:::b/k', context: input }, { identity: p }, opts({})).decision).toBe('Allow');
  });

  it('the context says which keys are unknown, lower-cased', () => {
    expect(contextFrom({}).hasUnknown).toBe(false);
    expect(contextFrom({}).unknownKeys()).toEqual([]);
    const u = contextFrom({}, ['AWS:PrincipalTag/Team']);
    expect(u.hasUnknown).toBe(true);
    expect(u.unknownKeys()).toEqual(['aws:principaltag/team']);
    expect(u.isUnknown('aws:principaltag/team')).toBe(true);
  });
});

describe('preparing a request once (prepareRequest)', () => {
  const get = { principal: ALICE, action: 's3:GetObject', resource: 'arn:aws:s3:::b/k' };

  it('a prepared request is used as it is, context included, and recognised as prepared', () => {
    const prepared = prepareRequest({ ...get, context: { 'aws:SourceIp': '192.0.2.1' } });
    expect(isPreparedRequest(prepared)).toBe(true);
    expect(isPreparedRequest(get)).toBe(false);
    const p = [policy(doc(allow('s3:GetObject', '*', { Condition: { IpAddress: { 'aws:SourceIp': '192.0.2.0/24' } } })))];
    for (let i = 0; i < 2; i++) expect(authorize(prepared, { identity: p }, opts({})).decision).toBe('Allow');
  });

  it('a request without an action (empty, or not a string) is refused with RequestError, which says what is expected', () => {
    for (const action of ['', 42 as unknown as string, undefined as unknown as string]) {
      let err: unknown;
      try {
        prepareRequest({ ...get, action });
      } catch (e) {
        err = e;
      }
      expect(err, String(action)).toBeInstanceOf(RequestError);
      expect((err as RequestError).name).toBe('RequestError');
      expect((err as RequestError).message).toBe('request.action must be a non-empty string such as "s3:GetObject"');
    }
  });

  it('the service of an action is the text before its first colon, lower-cased ("IAM JSON policy elements: Action": service prefix)', () => {
    expect(prepareRequest({ ...get, action: 'S3:GetObject' }).service).toBe('s3');
    expect(prepareRequest({ ...get, action: ':GetObject' }).service).toBe('');
    expect(prepareRequest({ ...get, action: 'GetObject' }).service).toBe('getobject');
  });

  it('a principal given as an object (already parsed) is used as given', () => {
    const principal: RequestPrincipal = { kind: 'iamUser', arn: ALICE, accountId: A, userName: 'alice' };
    expect(prepareRequest({ ...get, principal }).principal).toBe(principal);
  });

  it('a unique ID is taken from aws:userid only when the value starts with AIDA or AROA ("IAM identifiers": unique identifiers; aws:userid "role-id:session")', () => {
    const uid = (userid: string, principal = ALICE): string | undefined => prepareRequest({ ...get, principal, context: { 'aws:userid': userid } }).principal.uniqueId;
    expect(uid('AIDAEXAMPLE1')).toBe('AIDAEXAMPLE1');
    expect(uid('AROAEXAMPLE1:s1', SESSION)).toBe('AROAEXAMPLE1');
    expect(uid('xAIDAEXAMPLE1')).toBeUndefined();
    expect(uid(`${A}:AROAEXAMPLE1`, SESSION)).toBeUndefined();
    // A unique ID given with the request wins; only users and role sessions have one.
    expect(prepareRequest({ ...get, principalUniqueId: 'AIDAEXAMPLE1', context: { 'aws:userid': 'AIDAEXAMPLE2' } }).principal.uniqueId).toBe('AIDAEXAMPLE1');
    expect(uid('AIDAEXAMPLE1', `arn:aws:sts::${A}:federated-user/bob`)).toBeUndefined();
    expect(uid('AIDAEXAMPLE1', `arn:aws:iam::${A}:root`)).toBeUndefined();
  });

  it('without a VPC endpoint type given, S3 and DynamoDB go through a gateway endpoint and every other service through an interface endpoint ("Gateway endpoints", AWS PrivateLink guide)', () => {
    // https://docs.aws.amazon.com/vpc/latest/privatelink/gateway-endpoints.html: gateway endpoints exist for Amazon S3 and DynamoDB only.
    expect(prepareRequest(get).vpcEndpointType).toBe('gateway');
    expect(prepareRequest({ ...get, action: 'dynamodb:GetItem', resource: `arn:aws:dynamodb:us-east-1:${A}:table/t` }).vpcEndpointType).toBe('gateway');
    expect(prepareRequest({ ...get, action: 'sqs:SendMessage', resource: `arn:aws:sqs:us-east-1:${A}:q` }).vpcEndpointType).toBe('interface');
    expect(prepareRequest({ ...get, action: 'sqs:SendMessage', resource: `arn:aws:sqs:us-east-1:${A}:q`, vpcEndpointType: 'gateway' }).vpcEndpointType).toBe('gateway');
  });
});

describe('explanations for people: the decision, who decided, what came closest ("Policy evaluation logic")', () => {
  const ref = { policy: 'p', statementIndex: 2, effect: 'Allow' as const, line: 3, column: 5 };

  it('the decision, against the expected one when a scenario gives it; an error alone when the scenario could not run', () => {
    expect(explainResult({ error: 'boom' })).toBe('error: boom');
    expect(explainResult({})).toBe('ImplicitDeny');
    expect(explainResult({ decision: 'Allow', expected: 'Allow' })).toBe('Allow (as expected)');
    expect(explainResult({ decision: 'Allow', expected: 'ExplicitDeny' })).toBe('Allow (expected ExplicitDeny)');
    expect(explainResult({ decision: 'ImplicitDeny', reason: 'no policy grants the action' })).toBe('ImplicitDeny\n  no policy grants the action');
    expect(explainResult({ decision: 'Allow', reason: 'GetCallerIdentity needs no permission', decidedBy: { layer: 'request', reason: 'r' } })).toBe(
      'Allow\n  GetCallerIdentity needs no permission',
    );
    expect(explainResult({ decision: 'ImplicitDeny', reason: 'hidden', decidedBy: { layer: 'identity', reason: 'no statement allows it' } })).toBe(
      'ImplicitDeny\n  Blocked at the identity policies: no statement allows it',
    );
  });

  it('an Allow names every statement it rests on: policy, Sid or statement number, and line (or file:line:column), with the SCP/RCP level', () => {
    const allowedBy = [
      { ...ref, layer: 'identity' as const, sid: 'Read' },
      { ...ref, layer: 'scp' as const, level: 0 },
      { ...ref, layer: 'rcp' as const, level: 2, line: 0 },
      { ...ref, layer: 'vpcEndpoint' as const },
    ];
    expect(explainResult({ decision: 'Allow', decidedBy: { layer: 'identity', reason: 'r' }, allowedBy })).toBe(
      [
        'Allow',
        '  Allowed by:',
        '    - identity policies: p, Sid "Read", line 3',
        '    - service control policies (level 0, organization root): p, statement 2, line 3',
        '    - resource control policies (level 2): p, statement 2',
        '    - VPC endpoint policy: p, statement 2, line 3',
      ].join('\n'),
    );
    const { column: _c, ...noColumn } = ref;
    expect(explainResult({ decision: 'Allow', file: 'a.json', decidedBy: { layer: 'identity', reason: 'r' }, allowedBy: [{ ...ref, layer: 'session' }, { ...noColumn, column: undefined as unknown as number, layer: 'permissionsBoundary' }] })).toBe(
      ['Allow', '  Allowed by:', '    - session policy: p, statement 2, a.json:3:5', '    - permissions boundary: p, statement 2, a.json:3:1'].join('\n'),
    );
    expect(explainResult({ decision: 'Allow', decidedBy: { layer: 'identity', reason: 'r' }, allowedBy: [] })).toBe('Allow');
  });

  it('an explicit deny names the statement and its layer; an implicit deny the blocking layer, the policies with no Allow and the nearest miss', () => {
    expect(explainResult({ decision: 'ExplicitDeny', decidedBy: { layer: 'resource', reason: 'r', policy: 'bucket', sid: 'NoDelete', line: 7, column: 3 } })).toBe(
      'ExplicitDeny\n  Denied by the resource policy: bucket, Sid "NoDelete", line 7',
    );
    const miss = { layer: 'identity' as const, policy: 'p', statementIndex: 1, line: 4, column: 2 };
    expect(
      explainResult({
        decision: 'ImplicitDeny',
        decidedBy: { layer: 'identity', reason: 'no statement allows it', policy: 'p', noAllowIn: ['p', 'q'], nearestMiss: { ...miss, misses: ['resource x is not in Resource', 'condition false'] } },
      }),
    ).toBe(
      [
        'ImplicitDeny',
        '  Blocked at the identity policies (p): no statement allows it',
        '  No statement of p, q allows it.',
        '  Nearest miss: p, statement 1, line 4: resource x is not in Resource; condition false',
      ].join('\n'),
    );
    expect(explainResult({ decision: 'ImplicitDeny', decidedBy: { layer: 'scp', level: 1, reason: 'r', noAllowIn: [], nearestMiss: { ...miss, misses: [] } } })).toBe(
      'ImplicitDeny\n  Blocked at the service control policies (level 1): r\n  Nearest miss: p, statement 1, line 4: its action matches',
    );
  });

  it('what depends on unknown keys, the notes, and for a denial every false condition of a statement that would otherwise apply', () => {
    const st = (o: Partial<StatementTrace>): StatementTrace => ({
      statementIndex: 0,
      effect: 'Allow',
      line: 2,
      column: 1,
      outcome: 'no-match',
      reasons: [],
      action: { matched: true },
      conditions: [
        { operator: 'StringEquals', key: 'aws:username', line: 3, column: 1, contextValues: null, policyValues: ['bob'], result: false },
        { operator: 'StringLike', key: 's3:prefix', line: 4, column: 1, contextValues: ['a', 'b'], policyValues: ['c*'], result: false, note: 'A2' },
        { operator: 'Bool', key: 'aws:SecureTransport', line: 5, column: 1, contextValues: ['true'], policyValues: ['true'], result: true },
      ],
      ...o,
    });
    const trace: Trace = {
      principal: { kind: 'iamUser' },
      action: 's3:GetObject',
      resource: '*',
      crossAccount: false,
      context: {},
      notes: ['A11 applies'],
      layers: [
        {
          layer: 'identity',
          applies: true,
          policies: [
            {
              policy: 'p',
              statements: [
                st({ sid: 'S' }),
                st({ outcome: 'match' }),
                st({ action: { matched: false } }),
                st({ resource: { matched: false } }),
                st({ principal: { matchClass: 'NONE', notPrincipal: false } }),
                st({ conditions: [] }),
                st({ statementIndex: 6, resource: { matched: true }, principal: { matchClass: 'DIRECT', notPrincipal: false }, conditions: [] }),
              ],
            },
          ],
        },
      ],
    };
    const residual = { allowWhen: true as const, explicitDenyWhen: false as const, text: 'aws:username StringEquals ["bob"]' };
    expect(explainResult({ decision: 'ImplicitDeny', residual, trace })).toBe(
      [
        'ImplicitDeny',
        '  Depends on unknown context keys: aws:username StringEquals ["bob"]',
        '  note: A11 applies',
        '  Allow p, Sid "S", line 2: condition StringEquals aws:username ["bob"] is false (request value absent)',
        '  Allow p, Sid "S", line 2: condition StringLike s3:prefix ["c*"] is false (request value ["a","b"]); A2',
      ].join('\n'),
    );
    expect(explainResult({ decision: 'Allow', trace })).toBe('Allow\n  note: A11 applies');
  });
});
