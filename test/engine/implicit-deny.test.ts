/**
 * An implicit deny has no deciding statement ("Policy evaluation logic": a request that no
 * applicable statement allows is implicitly denied). The explanation must not name the
 * layer's first policy as if it had decided: it lists every policy of the blocking layer
 * and shows the nearest miss, the Allow statement whose action matches but whose resource,
 * principal or conditions do not, with what did not match ("Troubleshooting IAM permissions").
 */
import { describe, expect, it } from 'vitest';
import { simulateScenario } from '../../src/engine/simulate.js';
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
