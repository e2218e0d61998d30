/** PolicyCompiler: explicit, per-run reuse of compiled policies, keyed by content. */
import { describe, expect, it } from 'vitest';
import { authorize } from '../../src/engine/authorize.js';
import { PolicyCompileError } from '../../src/engine/compile.js';
import { PolicyCompiler } from '../../src/engine/policy-set.js';
import { simulateScenario } from '../../src/engine/simulate.js';
import type { Scenario } from '../../src/engine/types.js';

const allowGet = () => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }] });
const request = { principal: 'arn:aws:iam::111122223333:user/alice', action: 's3:GetObject', resource: 'arn:aws:s3:::b/k' };

describe('PolicyCompiler', () => {
  it('compiles each distinct document once per (kind, name), whatever object holds it', () => {
    const c = new PolicyCompiler();
    const a = c.compile(allowGet(), 'identity', 'p');
    expect(c.compile(allowGet(), 'identity', 'p')).toBe(a);
    expect(c.compile(allowGet(), 'scp', 'p')).not.toBe(a);
    expect(c.compile(allowGet(), 'identity', 'q')).not.toBe(a);
    expect([c.compiled, c.reused, c.size]).toEqual([3, 1, 3]);
  });

  it('an edited copy of a document is compiled again, never answered with the old compilation', () => {
    const c = new PolicyCompiler();
    const doc = allowGet();
    expect(authorize(request, c.policySet({ identity: [doc] }, 'resource')).decision).toBe('Allow');
    const edited = structuredClone(doc);
    edited.Statement[0]!.Effect = 'Deny';
    expect(authorize(request, c.policySet({ identity: [edited] }, 'resource')).decision).toBe('ExplicitDeny');
    expect(authorize(request, c.policySet({ identity: [doc] }, 'resource')).decision).toBe('Allow');
  });

  it('names policies as readScenarioValue does, so decidedBy is the same as simulateScenario', () => {
    const deny = { Version: '2012-10-17', Statement: [{ Sid: 'No', Effect: 'Deny', Action: 's3:*', Resource: '*' }] };
    const s: Scenario = { name: 'x', request, policies: { identity: [allowGet()], scp: [[allowGet()], [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }, deny]] } };
    const viaCompiler = authorize(request, new PolicyCompiler().policySet(s.policies, 'resource'), { trace: false });
    const viaScenario = simulateScenario(s, { trace: false });
    expect(viaCompiler.decision).toBe('ExplicitDeny');
    expect(viaCompiler.decidedBy).toEqual(viaScenario.decidedBy);
    expect(viaCompiler.decidedBy).toMatchObject({ layer: 'scp', policy: 'policies.scp[1][1]', sid: 'No' });
  });

  it('keeps what is used, drops what is not: memory bounded however many documents a run sees', () => {
    const c = new PolicyCompiler({ capacity: 2 });
    const doc = (a: string) => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: a, Resource: '*' }] });
    const shared = doc('s3:GetObject');
    const first = c.compile(shared, 'identity', 'p');
    for (let i = 0; i < 50; i++) {
      expect(c.compile(shared, 'identity', 'p')).toBe(first); // used every time: never dropped
      c.compile(doc(`ec2:Action${i}`), 'identity', 'p');
    }
    expect(c.compiled).toBe(51);
    c.compile(doc('ec2:Action0'), 'identity', 'p'); // long unused: dropped, compiled again
    expect(c.compiled).toBe(52);
  });

  it('a document that cannot be compiled throws PolicyCompileError naming it', () => {
    const bad = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateLessThan: { 'aws:CurrentTime': 'tomorrow' } } }] };
    expect(() => new PolicyCompiler().policySet({ identity: [allowGet(), bad] }, 'resource')).toThrow(PolicyCompileError);
    expect(() => new PolicyCompiler().policySet({ identity: [allowGet(), bad] }, 'resource')).toThrow(/policies\.identity\[1\]/);
  });
});
