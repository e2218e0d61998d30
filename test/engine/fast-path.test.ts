/**
 * Traces off is a short-circuiting fast path ("Policy evaluation logic": an explicit Deny
 * in any policy ends the evaluation; one Allow in a layer is enough for that layer). It must
 * decide exactly as the traced path: same decision, reason, decidedBy, allowedBy and
 * residual, on every conformance scenario and on partial requests (unknown keys).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { authorize } from '../../src/engine/authorize.js';
import { compilePolicy } from '../../src/engine/compile.js';
import { simulateScenarioText } from '../../src/engine/simulate.js';

/** decidedBy without what only the trace gives (an implicit deny's policies and nearest miss). */
function untraced<T extends { noAllowIn?: unknown; nearestMiss?: unknown } | undefined>(by: T): T {
  if (by === undefined) return by;
  const { noAllowIn: _n, nearestMiss: _m, ...rest } = by;
  return rest as T;
}
import { A, ALICE, SESSION, allow, deny, doc, policy } from './helpers.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const SCENARIOS = join(HERE, '..', 'conformance', 'scenarios');

function files(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else if (e.endsWith('.json') && !e.endsWith('.invalid.json')) out.push(p);
  }
  return out.sort();
}

describe('traces off decides exactly as traces on (Policy evaluation logic)', () => {
  const all = files(SCENARIOS);

  it('finds the conformance scenarios', () => {
    expect(all.length).toBe(928);
  });

  it('every conformance scenario: same decision, reason, decidedBy, allowedBy, residual', () => {
    let compared = 0;
    for (const f of all) {
      const text = readFileSync(f, 'utf8');
      const on = simulateScenarioText(text, f);
      const off = simulateScenarioText(text, f, { trace: false });
      expect(off.trace, f).toBeUndefined();
      expect(off.error, f).toBe(on.error);
      expect(off.decision, f).toBe(on.decision);
      expect(off.reason, f).toBe(on.reason);
      expect(off.decidedBy, f).toStrictEqual(untraced(on.decidedBy));
      expect(off.allowedBy, f).toStrictEqual(on.allowedBy);
      expect(off.residual, f).toStrictEqual(on.residual);
      compared++;
    }
    expect(compared).toBe(all.length);
  });

  it('the first matching Deny (in layer and statement order) is the one reported', () => {
    const p1 = policy(doc(allow('s3:*'), deny('s3:Get*', '*', { Sid: 'First' }), deny('s3:GetObject', '*', { Sid: 'Second' })), 'identity', 'p1');
    const p2 = policy(doc(deny('*', '*', { Sid: 'Third' })), 'identity', 'p2');
    for (const trace of [true, false]) {
      const r = authorize({ principal: ALICE, action: 's3:GetObject', resource: 'arn:aws:s3:::b/k' }, { identity: [p1, p2] }, { trace });
      expect(r.decision).toBe('ExplicitDeny');
      expect(r.decidedBy).toMatchObject({ layer: 'identity', policy: 'p1', sid: 'First', statementIndex: 1 });
    }
  });

  it('the first matching Allow is reported, and a later Deny still counts after an Allow matched', () => {
    const p1 = policy(doc(allow('s3:Get*', '*', { Sid: 'A1' }), allow('s3:GetObject', '*', { Sid: 'A2' })), 'identity', 'p1');
    const p2 = policy(doc(allow('s3:*', '*', { Sid: 'A3' })), 'identity', 'p2');
    const p3 = policy(doc(allow('s3:*'), deny('s3:GetObject', 'arn:aws:s3:::b/secret', { Sid: 'D' })), 'identity', 'p3');
    for (const trace of [true, false]) {
      const ok = authorize({ principal: ALICE, action: 's3:GetObject', resource: 'arn:aws:s3:::b/k' }, { identity: [p1, p2, p3] }, { trace });
      expect(ok.decision).toBe('Allow');
      expect(ok.decidedBy).toMatchObject({ layer: 'identity', policy: 'p1', sid: 'A1' });
      expect(ok.allowedBy?.map((r) => r.sid)).toEqual(['A1']);
      const no = authorize({ principal: ALICE, action: 's3:GetObject', resource: 'arn:aws:s3:::b/secret' }, { identity: [p1, p2, p3] }, { trace });
      expect(no.decision).toBe('ExplicitDeny');
      expect(no.decidedBy).toMatchObject({ policy: 'p3', sid: 'D' });
    }
  });

  it('the action index finds exact, service-wildcard, global-wildcard and NotAction statements, in order', () => {
    const cp = compilePolicy(
      policy(
        doc(
          allow('s3:GetObject'),
          allow('ec2:*'),
          allow('s3:Get*'),
          allow('*'),
          { Effect: 'Allow', NotAction: 's3:PutObject', Resource: '*' },
          allow('S3:GETOBJECT'),
          allow('s?:getobject'),
          allow('iam:PassRole'),
        ),
      ),
    );
    expect(cp.statementsForAction('s3:getobject')).toEqual([0, 2, 3, 4, 5, 6]);
    expect(cp.statementsForAction('s3:putobject')).toEqual([3]);
    expect(cp.statementsForAction('ec2:runinstances')).toEqual([1, 3, 4]);
    expect(cp.forAction('iam:passrole')).toEqual({ positions: [3, 4, 7], denies: 0 });
  });

  it('a resource-policy grant is classified the same way with traces off (DIRECT, ENTITY, ACCOUNT, WILDCARD)', () => {
    const roleArn = `arn:aws:iam::${A}:role/App`;
    const principals: unknown[] = [SESSION, roleArn, A, '*'];
    for (const who of principals) {
      const res = policy(doc({ Effect: 'Allow', Principal: who === '*' ? '*' : { AWS: who }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }), 'bucket', 'bp');
      for (const ident of [[], [policy(doc(allow('s3:GetObject')))]]) {
        const req = { principal: SESSION, principalRoleArn: roleArn, action: 's3:GetObject', resource: 'arn:aws:s3:::b/k', resourceAccount: A };
        const on = authorize(req, { identity: ident, resource: res, session: [policy(doc(allow('s3:List*')), 'session', 'sp')] });
        const off = authorize(req, { identity: ident, resource: res, session: [policy(doc(allow('s3:List*')), 'session', 'sp')] }, { trace: false });
        expect(off.decision, JSON.stringify(who)).toBe(on.decision);
        expect(off.decidedBy).toStrictEqual(untraced(on.decidedBy));
        expect(off.allowedBy).toStrictEqual(on.allowedBy);
      }
    }
  });

  it('partial evaluation: an unknown key never short-circuits, traces on or off', () => {
    const p = policy(
      doc(
        allow('s3:GetObject', '*', { Condition: { StringEquals: { 'aws:PrincipalTag/team': 'blue' } } }),
        allow('s3:GetObject', '*', { Condition: { StringEquals: { 'aws:PrincipalTag/team': 'red' } } }),
        deny('s3:GetObject', '*', { Condition: { StringEquals: { 'aws:PrincipalTag/team': 'green' } } }),
      ),
    );
    const req = { principal: ALICE, action: 's3:GetObject', resource: 'arn:aws:s3:::b/k', unknownContextKeys: ['aws:PrincipalTag/team'] };
    const on = authorize(req, { identity: [p] });
    const off = authorize(req, { identity: [p] }, { trace: false });
    expect(off.residual).toStrictEqual(on.residual);
    expect(off.residual?.text).toContain('"blue"');
    expect(off.residual?.text).toContain('"red"');
    expect(off.residual?.text).toContain('"green"');
  });
});
