/**
 * An implicit deny has no deciding statement ("Policy evaluation logic": a request that no
 * applicable statement allows is implicitly denied). The explanation must not name the
 * layer's first policy as if it had decided: it lists every policy of the blocking layer
 * and shows the nearest miss, the Allow statement whose action matches but whose resource,
 * principal or conditions do not, with what did not match ("Troubleshooting IAM permissions").
 */
import { describe, expect, it } from 'vitest';
import { simulateScenario } from '../../src/engine/simulate.js';
import { implicitDenyDetail } from '../../src/engine/implicit-deny.js';
import type { Scenario } from '../../src/engine/types.js';
import { A, SESSION, ROLE, allow, doc } from './helpers.js';

const OBJECT = 'arn:aws:s3:::bucket-a/in/data.csv';

function scenario(policies: Scenario['policies'], context: Record<string, string> = {}): Scenario {
  return { name: 't', request: { principal: SESSION, principalRoleArn: ROLE, action: 's3:GetObject', resource: OBJECT, context }, policies };
}

describe('implicit deny at the identity layer: every policy listed, the nearest miss shown', () => {
  const identity = [
    doc(allow('logs:*', '*', { Sid: 'Logs' })),
    doc(allow('s3:GetObject', ['arn:aws:s3:::bucket-b/*', 'arn:aws:s3:::bucket-c/*'], { Sid: 'ReadOther' }), allow('s3:Get*', '*', { Sid: 'ReadTeam', Condition: { StringEquals: { 'aws:ResourceTag/team': 'blue' }, Bool: { 'aws:SecureTransport': 'true' } } })),
  ];
  const r = simulateScenario(scenario({ identity }, { 'aws:ResourceTag/team': 'red' }));

  it('names no deciding policy, lists both policies', () => {
    expect(r.decision).toBe('ImplicitDeny');
    expect(r.decidedBy?.layer).toBe('identity');
    expect(r.decidedBy?.policy).toBeUndefined();
    expect(r.decidedBy?.noAllowIn).toEqual(['policies.identity[0]', 'policies.identity[1]']);
  });

  it('the nearest miss is the statement with the fewest mismatches (the resource), with its Resource entries', () => {
    expect(r.decidedBy?.nearestMiss).toMatchObject({ layer: 'identity', policy: 'policies.identity[1]', sid: 'ReadOther', statementIndex: 0 });
    expect(r.decidedBy?.nearestMiss?.misses).toEqual([`resource ${OBJECT} is not in Resource (arn:aws:s3:::bucket-b/*, arn:aws:s3:::bucket-c/*)`]);
  });

  it('the explanation says it in words', () => {
    expect(r.explanation).toContain('No statement of policies.identity[0], policies.identity[1] allows it.');
    expect(r.explanation).toMatch(/Nearest miss: policies\.identity\[1\], Sid "ReadOther": resource .* is not in Resource/);
  });

  it('a condition miss names the operator, key, policy value and request value', () => {
    const only = simulateScenario(scenario({ identity: [identity[1] as object].map((d) => ({ ...(d as object), Statement: [(d as { Statement: object[] }).Statement[1]] })) }, { 'aws:ResourceTag/team': 'red', 'aws:SecureTransport': 'true' }));
    expect(only.decidedBy?.nearestMiss?.misses).toEqual(['condition StringEquals aws:ResourceTag/team "blue" is false (request value "red")']);
  });

  it('no statement matches the action: the policies are listed, no nearest miss', () => {
    const none = simulateScenario(scenario({ identity: [identity[0] as object] }));
    expect(none.decidedBy?.noAllowIn).toEqual(['policies.identity[0]']);
    expect(none.decidedBy?.nearestMiss).toBeUndefined();
    expect(none.explanation).not.toContain('Nearest miss');
  });
});

describe('implicit deny at an SCP level, a boundary and a bucket policy', () => {
  it('an SCP level without an Allow for the action: its SCPs are listed, the nearest miss is the Allow that misses', () => {
    const full = doc(allow('*'));
    const scp = [[full], [doc(allow('s3:GetObject', 'arn:aws:s3:::bucket-z/*', { Sid: 'OnlyZ' })), doc(allow('ec2:*'))]];
    const r = simulateScenario(scenario({ identity: [doc(allow('s3:*'))], scp }));
    expect(r.decidedBy).toMatchObject({ layer: 'scp', level: 1, noAllowIn: ['policies.scp[1][0]', 'policies.scp[1][1]'] });
    expect(r.decidedBy?.nearestMiss).toMatchObject({ policy: 'policies.scp[1][0]', sid: 'OnlyZ', level: 1 });
  });

  it('a permissions boundary keeps naming its one policy, and shows the nearest miss', () => {
    const r = simulateScenario(scenario({ identity: [doc(allow('s3:*'))], permissionsBoundary: doc(allow('s3:GetObject', 'arn:aws:s3:::bucket-b/*', { Sid: 'B' })) }));
    expect(r.decidedBy).toMatchObject({ layer: 'permissionsBoundary', policy: 'policies.permissionsBoundary', noAllowIn: ['policies.permissionsBoundary'] });
    expect(r.decidedBy?.nearestMiss?.sid).toBe('B');
  });

  it('a cross-account bucket policy that names another principal: the miss is the principal', () => {
    const bucket = doc({ Sid: 'Other', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:role/Other` }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket-a/*' });
    const s = scenario({ identity: [doc(allow('s3:*'))], resource: bucket });
    s.request.resourceAccount = '222222222222';
    const r = simulateScenario(s);
    expect(r.decision).toBe('ImplicitDeny');
    expect(r.decidedBy?.nearestMiss).toMatchObject({ sid: 'Other', misses: ['Principal does not name the caller'] });
  });
});

// Survivors of Stryker's evening run of implicit-deny.ts (docs/mutation.md): the nearest miss
// and its words, checked exactly on hand-made traces ("Troubleshooting IAM permissions":
// find the Allow statement that comes closest and say what it lacks).
describe('implicitDenyDetail on hand-made traces: the nearest miss and exactly what it lacks', () => {
  type St = import('../../src/engine/result.js').StatementTrace;
  type Cond = St['conditions'][number];
  const R = 'arn:aws:s3:::b/k';
  const st = (over: Partial<St>): St => ({
    statementIndex: 0,
    effect: 'Allow',
    line: 3,
    column: 5,
    outcome: 'no-match',
    reasons: [],
    action: { matched: true },
    conditions: [],
    ...over,
  });
  const cond = (over: Partial<Cond>): Cond => ({ operator: 'StringEquals', key: 'aws:PrincipalTag/team', line: 4, column: 7, contextValues: ['blue'], policyValues: ['red'], result: false, ...over });
  const layer = (statements: St[], level?: number): import('../../src/engine/result.js').LayerTrace[] => [
    { layer: 'scp', ...(level !== undefined ? { level } : {}), applies: true, policies: [{ policy: 'P', statements }] },
  ];
  const detail = (statements: St[], level?: number) => implicitDenyDetail(layer(statements, level), 'scp', level, R);

  it('a resource miss names the Resource or NotResource entries, and lists none when there are none', () => {
    expect(detail([st({ resource: { matched: false, entries: ['arn:aws:s3:::a/*', 'arn:aws:s3:::c/*'] } })])?.nearestMiss?.misses).toEqual([
      `resource ${R} is not in Resource (arn:aws:s3:::a/*, arn:aws:s3:::c/*)`,
    ]);
    expect(detail([st({ resource: { matched: false, entries: ['arn:aws:s3:::b/*'], not: true } })])?.nearestMiss?.misses).toEqual([`resource ${R} is excluded by NotResource (arn:aws:s3:::b/*)`]);
    expect(detail([st({ resource: { matched: false, entries: [] } })])?.nearestMiss?.misses).toEqual([`resource ${R} is not in Resource`]);
    expect(detail([st({ resource: { matched: false } })])?.nearestMiss?.misses).toEqual([`resource ${R} is not in Resource`]);
    // A resource that matched, or is unknown, is no miss.
    expect(detail([st({ resource: { matched: 'unknown' }, outcome: 'unknown' })])?.nearestMiss?.misses).toEqual(['it depends on unknown context keys']);
  });

  it('a principal miss says which: not named by Principal, or listed in NotPrincipal; a match is no miss', () => {
    expect(detail([st({ principal: { matchClass: 'NONE', notPrincipal: false } })])?.nearestMiss?.misses).toEqual(['Principal does not name the caller']);
    expect(detail([st({ principal: { matchClass: 'NONE', notPrincipal: true } })])?.nearestMiss?.misses).toEqual(['the caller is listed in NotPrincipal']);
    expect(detail([st({ principal: { matchClass: 'DIRECT', notPrincipal: false }, conditions: [cond({})] })])?.nearestMiss?.misses).toHaveLength(1);
  });

  it('a condition miss shows one value bare and several as a list, an absent key as absent, and the note', () => {
    const m = (c: Partial<Cond>) => detail([st({ conditions: [cond(c)] })])?.nearestMiss?.misses;
    expect(m({})).toEqual(['condition StringEquals aws:PrincipalTag/team "red" is false (request value "blue")']);
    expect(m({ contextValues: ['a', 'b'], policyValues: ['x', 'y'] })).toEqual(['condition StringEquals aws:PrincipalTag/team ["x","y"] is false (request value ["a","b"])']);
    expect(m({ contextValues: null, note: 'the key is absent' })).toEqual(['condition StringEquals aws:PrincipalTag/team "red" is false (request value absent); the key is absent']);
    // A condition that held, or is unknown, is no miss.
    expect(detail([st({ conditions: [cond({ result: true }), cond({ result: 'unknown' })], outcome: 'unknown' })])?.nearestMiss?.misses).toEqual(['it depends on unknown context keys']);
  });

  it('only Allow statements whose action matches and that did not match are candidates; the one with the fewest misses wins, the first on a tie', () => {
    const two = st({ statementIndex: 0, sid: 'Two', resource: { matched: false }, principal: { matchClass: 'NONE', notPrincipal: false } });
    const one = st({ statementIndex: 1, sid: 'One', resource: { matched: false } });
    const alsoOne = st({ statementIndex: 2, sid: 'AlsoOne', principal: { matchClass: 'NONE', notPrincipal: false } });
    expect(detail([two, one, alsoOne])?.nearestMiss).toMatchObject({ sid: 'One', statementIndex: 1 });
    expect(detail([alsoOne, one])?.nearestMiss).toMatchObject({ sid: 'AlsoOne' });
    // Deny statements, statements whose action does not match, and a matching Allow are never the miss.
    const deny = st({ effect: 'Deny', sid: 'D', resource: { matched: false } });
    const otherAction = st({ sid: 'A', action: { matched: false }, resource: { matched: false } });
    const matched = st({ sid: 'M', outcome: 'match' });
    expect(detail([deny, otherAction, matched])?.nearestMiss).toBeUndefined();
    expect(detail([deny, otherAction, matched, two])?.nearestMiss).toMatchObject({ sid: 'Two' });
    // A statement with nothing to name (unknown keys) ranks after any with a named miss.
    const unknown = st({ sid: 'U', outcome: 'unknown' });
    expect(detail([unknown, two])?.nearestMiss).toMatchObject({ sid: 'Two' });
    expect(detail([unknown])?.nearestMiss).toMatchObject({ sid: 'U', misses: ['it depends on unknown context keys'] });
    expect(detail([st({ sid: 'N' })])?.nearestMiss).toMatchObject({ sid: 'N', misses: [] });
  });

  it('the miss carries the layer, its level only when there is one, the policy, Sid (only when written), index, line and column', () => {
    const withLevel = detail([st({ sid: 'S', statementIndex: 4, line: 9, column: 11, resource: { matched: false } })], 2);
    expect(withLevel).toEqual({
      noAllowIn: ['P'],
      nearestMiss: { layer: 'scp', level: 2, policy: 'P', sid: 'S', statementIndex: 4, line: 9, column: 11, misses: [`resource ${R} is not in Resource`] },
    });
    const plain = detail([st({ resource: { matched: false } })]);
    expect(plain?.nearestMiss).not.toHaveProperty('level');
    expect(plain?.nearestMiss).not.toHaveProperty('sid');
    // A layer that does not apply, or another level, has nothing to say.
    expect(implicitDenyDetail(layer([st({})], 1), 'scp', 0, R)).toBeUndefined();
    expect(implicitDenyDetail([{ layer: 'scp', applies: false, policies: [] }], 'scp', undefined, R)).toBeUndefined();
  });
});
