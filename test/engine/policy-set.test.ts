/** PolicyCompiler: explicit, per-run reuse of compiled policies, keyed by content. */
import { describe, expect, it } from 'vitest';
import { authorize } from '../../src/engine/authorize.js';
import { PolicyCompileError } from '../../src/engine/compile.js';
import { InvalidPolicyDocumentError, PolicyCompiler } from '../../src/engine/policy-set.js';
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

  it('thousands of distinct documents (a domain of inline policies) keep at most twice maxChars of text compiled, and the shared ones stay', () => {
    const maxChars = 20_000;
    const c = new PolicyCompiler({ maxChars });
    const doc = (i: number) => ({ Version: '2012-10-17', Statement: [{ Sid: `Own${i}`, Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: `arn:aws:s3:::team-data/user${i}/*` }] });
    const scps = Array.from({ length: 5 }, (_, i) => ({ Version: '2012-10-17', Statement: [{ Sid: `Scp${i}`, Effect: 'Deny', Action: `ec2:Action${i}`, Resource: '*' }] }));
    const firstScp = scps.map((d, i) => c.compile(d, 'scp', `policies.scp[0][${i}]`));
    const longest = Math.max(...scps.map((d) => JSON.stringify(d).length), JSON.stringify(doc(9999)).length);
    let most = 0;
    for (let i = 0; i < 3_000; i++) {
      c.compile(doc(i), 'identity', 'policies.identity[0]');
      c.compile(doc(i), 'identity', 'policies.identity[0]'); // the profile's other steps
      for (const [j, d] of scps.entries()) expect(c.compile(structuredClone(d), 'scp', `policies.scp[0][${j}]`)).toBe(firstScp[j]);
      const held = c.held;
      most = Math.max(most, held.chars);
      expect(held.chars).toBeLessThanOrEqual(2 * maxChars + longest);
      expect(held.textChars).toBeLessThanOrEqual(2 * maxChars + longest);
    }
    // Bounded, not emptied: the bound is reached, and the shared documents were compiled once.
    expect(most).toBeGreaterThan(maxChars);
    expect(c.compiled).toBe(3_000 + scps.length);
    expect(c.held.documents).toBeLessThan(2 * (maxChars / 90));
  });

  it('a document compiled under several names weighs once per name', () => {
    const c = new PolicyCompiler({ maxChars: 1_000_000 });
    const text = JSON.stringify(allowGet()).length;
    c.compile(allowGet(), 'identity', 'policies.identity[0]');
    c.compile(allowGet(), 'identity', 'policies.identity[0]');
    expect(c.held.chars).toBe(text);
    c.compile(allowGet(), 'identity', 'policies.identity[1]');
    c.compile(allowGet(), 'scp', 'policies.scp[0][0]');
    expect(c.held).toMatchObject({ documents: 1, chars: 3 * text });
  });

  it('a document that cannot be compiled throws PolicyCompileError naming it', () => {
    const bad = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateLessThan: { 'aws:CurrentTime': 'tomorrow' } } }] };
    expect(() => new PolicyCompiler().policySet({ identity: [allowGet(), bad] }, 'resource')).toThrow(PolicyCompileError);
    expect(() => new PolicyCompiler().policySet({ identity: [allowGet(), bad] }, 'resource')).toThrow(/policies\.identity\[1\]/);
  });
});

// Survivors of Stryker's evening run of policy-set.ts (docs/mutation.md): the validate mode,
// refusals kept, content keys of documents given as JSON text, the text memo, every slot.
describe('PolicyCompiler: validate mode, refusals and content keys', () => {
  // "IAM JSON policy elements: Condition operators", Null: the value is true or false; "tru" is an error of validate.
  const nullTypo = () => ({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 's3:GetObject', Resource: '*', Condition: { Null: { 'aws:SourceIp': 'tru' } } }] });

  it('with validate, a document validate calls an error is refused (InvalidPolicyDocumentError naming it, with the position); without, it is compiled', () => {
    const strict = new PolicyCompiler({ validate: true });
    let thrown: unknown;
    try {
      strict.compile(nullTypo(), 'identity', 'policies.identity[0]');
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(InvalidPolicyDocumentError);
    const err = thrown as InvalidPolicyDocumentError;
    expect(err.policyName).toBe('policies.identity[0]');
    expect(err.errors[0]).toMatchObject({ path: expect.stringContaining('Null') });
    expect(err.errors[0]!.message).toMatch(/tru/);
    expect(err.message).toMatch(/^policy policies\.identity\[0\] is invalid: .*\(line \d+, column \d+\)$/);
    // The same document without validate: compiled (the engine decides what AWS stores).
    expect(new PolicyCompiler().compile(nullTypo(), 'identity', 'policies.identity[0]').policy.name).toBe('policies.identity[0]');
    expect(new PolicyCompiler({ validate: false }).compile(nullTypo(), 'identity', 'p').statements).toHaveLength(1);
    // A valid document passes validate mode.
    expect(strict.compile(allowGet(), 'identity', 'ok').statements).toHaveLength(1);
  });

  it('validate mode judges a document by the rules of its kind ("IAM JSON policy elements: Sid": letters and digits only in identity policies)', () => {
    const dashed = { Version: '2012-10-17', Statement: [{ Sid: 'Read-Objects', Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] };
    expect(() => new PolicyCompiler({ validate: true }).compile(dashed, 'identity', 'p')).toThrow(/Sid "Read-Objects"/);
    const bucket = { Version: '2012-10-17', Statement: [{ Sid: 'Read-Objects', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }] };
    expect(new PolicyCompiler({ validate: true }).compile(bucket, 'bucket', 'p').statements).toHaveLength(1);
  });

  it('a refusal is kept like a compilation: the same document is refused again without being compiled again', () => {
    const c = new PolicyCompiler({ validate: true });
    const first = (() => {
      try {
        c.compile(nullTypo(), 'scp', 's');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(first).toBeInstanceOf(PolicyCompileError);
    expect(() => c.compile(nullTypo(), 'scp', 's')).toThrow(first as Error);
    expect([c.compiled, c.reused]).toEqual([1, 1]);
    // The same for a document the compiler itself refuses (a date that is not a date).
    const badDate = () => ({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateLessThan: { 'aws:CurrentTime': 'tomorrow' } } }] });
    const plain = new PolicyCompiler();
    expect(() => plain.compile(badDate(), 'identity', 'd')).toThrow(PolicyCompileError);
    expect(() => plain.compile(badDate(), 'identity', 'd')).toThrow(PolicyCompileError);
    expect([plain.compiled, plain.reused]).toEqual([1, 1]);
  });

  it('an error that is not about the policy (a bug, a throwing getter) is thrown as it is, never kept as a verdict', () => {
    let reads = 0;
    const doc = {
      Version: '2012-10-17',
      get Statement(): unknown {
        reads++;
        if (reads > 1) throw new TypeError('getter failed');
        return [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }];
      },
    };
    const c = new PolicyCompiler();
    expect(() => c.compile(doc, 'identity', 'p')).toThrow(TypeError);
  });

  it('a document given as JSON text is keyed by that text: two different texts are two policies', () => {
    const c = new PolicyCompiler();
    const allow = JSON.stringify(allowGet());
    const deny = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 's3:GetObject', Resource: '*' }] });
    expect(authorize(request, { identity: [c.compile(allow, 'identity', 'p')] }).decision).toBe('Allow');
    expect(authorize(request, { identity: [c.compile(deny, 'identity', 'p')] }).decision).toBe('ExplicitDeny');
    expect(c.compiled).toBe(2);
    expect(() => c.compile(undefined, 'identity', 'nothing')).toThrow(PolicyCompileError);
    expect(() => c.compile(null, 'identity', 'nothing')).toThrow(PolicyCompileError);
    // Text, null and undefined need no memo of their JSON: only objects are serialised and remembered.
    expect(c.held.texts).toBe(0);
  });

  it('an object document is serialised once and remembered (up to four times the capacity), not once per use', () => {
    const c = new PolicyCompiler({ capacity: 4 });
    const docs = Array.from({ length: 10 }, (_, i) => ({ Version: '2012-10-17', Statement: [{ Sid: `S${i}`, Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] }));
    for (const d of docs) c.compile(d, 'identity', 'p');
    expect(c.held.texts).toBe(10);
  });

  it('policySet compiles every slot under its scenario name and kind (as readScenarioValue names them)', () => {
    const d = () => allowGet();
    const withPrincipal = () => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }] });
    const set = new PolicyCompiler().policySet(
      { identity: [d()], permissionsBoundary: d(), session: [d()], resource: withPrincipal(), scp: [[d()], [d(), d()]], rcp: [[withPrincipal()]], vpcEndpoint: withPrincipal() },
      'bucket',
    );
    const names = (ps: readonly { policy: { name: string; kind: string } }[] | undefined) => (ps ?? []).map((p) => `${p.policy.kind} ${p.policy.name}`);
    expect(names(set.identity)).toEqual(['identity policies.identity[0]']);
    expect(names(set.permissionsBoundary ? [set.permissionsBoundary] : [])).toEqual(['permissions-boundary policies.permissionsBoundary']);
    expect(names(set.session)).toEqual(['session policies.session[0]']);
    expect(names(set.resource ? [set.resource] : [])).toEqual(['bucket policies.resource']);
    expect((set.scp ?? []).map(names)).toEqual([['scp policies.scp[0][0]'], ['scp policies.scp[1][0]', 'scp policies.scp[1][1]']]);
    expect((set.rcp ?? []).map(names)).toEqual([['rcp policies.rcp[0][0]']]);
    expect(names(set.vpcEndpoint ? [set.vpcEndpoint] : [])).toEqual(['vpc-endpoint policies.vpcEndpoint']);
    // Absent slots stay absent.
    expect(Object.keys(new PolicyCompiler().policySet({ identity: [d()] }, 'resource'))).toEqual(['identity']);
    expect(Object.keys(new PolicyCompiler().policySet({ scp: [[d()]] }, 'resource'))).toEqual(['scp']);
  });
});
