/**
 * Fail closed: a policy document that the reader cannot fully read (an error finding, so a
 * statement is missing from the model) is refused by every public path that turns a
 * document into a compiled policy, instead of being evaluated without that statement.
 * Sources: "Grammar of the IAM JSON policy language" and "IAM JSON policy elements:
 * Effect" / "…: Principal" (AWS rejects these documents when they are saved); the
 * scenarios are tools/findings/deny-*.json (found by the differential run, where the
 * compiled API returned Allow).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { authorize } from '../../src/engine/authorize.js';
import type { PolicySet } from '../../src/engine/authorize.js';
import { compilePolicy, compilePolicyDocument, PolicyCompileError } from '../../src/engine/compile.js';
import { simulateScenario } from '../../src/engine/simulate.js';
import type { Scenario } from '../../src/engine/types.js';
import { readPolicyText, readPolicyValue } from '../../src/policy/read.js';
import type { PolicyKind } from '../../src/policy/model.js';
import { ALICE, allow, deny, doc } from './helpers.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const FINDINGS = join(HERE, '..', '..', 'tools', 'findings');
const files = readdirSync(FINDINGS)
  .filter((f) => f.startsWith('deny-') && f.endsWith('.json'))
  .sort();

interface Doc {
  readonly layer: 'identity' | 'resource';
  readonly index: number;
  readonly kind: PolicyKind;
  readonly value: unknown;
}

/** The scenario's policies with the kinds the scenario reader gives them (S3 resource: bucket policy). */
function docsOf(s: Scenario): Doc[] {
  const out: Doc[] = [];
  (s.policies.identity ?? []).forEach((value, index) => out.push({ layer: 'identity', index, kind: 'identity', value }));
  if (s.policies.resource !== undefined) out.push({ layer: 'resource', index: 0, kind: s.request.action.toLowerCase().startsWith('s3:') ? 'bucket' : 'resource', value: s.policies.resource });
  return out;
}

function load(f: string): Scenario {
  return JSON.parse(readFileSync(join(FINDINGS, f), 'utf8')) as Scenario;
}

describe('fail closed: documents with read errors are refused (tools/findings/deny-*.json)', () => {
  it('finds the four deny-* findings', () => {
    expect(files.length).toBe(4);
  });

  for (const f of files) {
    describe(f, () => {
      const s = load(f);
      const docs = docsOf(s);
      const bad = docs.filter((d) => readPolicyValue(d.value, { kind: d.kind, name: `${d.layer}-${d.index}` }).findings.some((x) => x.severity === 'error'));

      it('has exactly one document with an error finding (the Deny the reader leaves out)', () => {
        expect(bad).toHaveLength(1);
      });

      it('readPolicyValue → compilePolicy → authorize throws PolicyCompileError, traces on and off; never Allow', () => {
        const compiled = (d: Doc) => {
          const r = readPolicyValue(d.value, { kind: d.kind, name: `${d.layer}-${d.index}` });
          if (!r.policy) throw new Error('no policy');
          return compilePolicy(r.policy);
        };
        const set: PolicySet = {
          identity: docs.filter((d) => d.layer === 'identity').map(compiled),
          ...(docs.some((d) => d.layer === 'resource') ? { resource: compiled(docs.find((d) => d.layer === 'resource') as Doc) } : {}),
        };
        const bad0 = bad[0] as Doc;
        const cp = compiled(bad0);
        expect(cp.errors.length).toBeGreaterThan(0);
        for (const trace of [true, false]) {
          let decision: string | undefined;
          let error: unknown;
          try {
            decision = authorize(s.request as Parameters<typeof authorize>[0], set, { trace }).decision;
          } catch (e) {
            error = e;
          }
          expect(decision).toBeUndefined();
          expect(error).toBeInstanceOf(PolicyCompileError);
          expect((error as PolicyCompileError).policyName).toBe(`${bad0.layer}-${bad0.index}`);
        }
      });

      it('uncompiled Policy objects in the policy set are refused too', () => {
        const set: PolicySet = {
          identity: docs.filter((d) => d.layer === 'identity').map((d) => readPolicyValue(d.value, { kind: d.kind }).policy!),
          ...(docs.some((d) => d.layer === 'resource') ? { resource: readPolicyValue((docs.find((d) => d.layer === 'resource') as Doc).value, { kind: (docs.find((d) => d.layer === 'resource') as Doc).kind }).policy! } : {}),
        };
        expect(() => authorize(s.request as Parameters<typeof authorize>[0], set, { trace: false })).toThrow(PolicyCompileError);
      });

      it('compilePolicyDocument throws with the first error message, line and column (object and JSON text)', () => {
        const d = bad[0] as Doc;
        const text = JSON.stringify(d.value, null, 2);
        const first = readPolicyText(text, { kind: d.kind }).findings.find((x) => x.severity === 'error');
        expect(first).toBeDefined();
        expect(() => compilePolicyDocument(text, d.kind, 'doc')).toThrow(`policy doc is invalid: ${first?.message} (line ${first?.line}, column ${first?.column})`);
        expect(() => compilePolicyDocument(d.value, d.kind, 'doc')).toThrow(PolicyCompileError);
        // The clean documents of the same scenario compile.
        for (const ok of docs.filter((x) => x !== d)) expect(compilePolicyDocument(ok.value, ok.kind).errors).toEqual([]);
      });

      it('simulateScenario refuses it (an error, no decision)', () => {
        const r = simulateScenario(s);
        expect(r.decision).toBeUndefined();
        expect(r.error).toBeDefined();
      });
    });
  }

  it('a clean policy read from text or a value carries no readErrors and still decides', () => {
    const value = doc(allow('s3:*'), deny('s3:DeleteObject'));
    const r = readPolicyValue(value, { kind: 'identity' });
    expect(r.policy?.readErrors).toBeUndefined();
    expect(readPolicyText(JSON.stringify(value), { kind: 'identity' }).policy?.readErrors).toBeUndefined();
    const cp = compilePolicyDocument(value, 'identity', 'clean');
    expect(authorize({ principal: ALICE, action: 's3:GetObject', resource: 'arn:aws:s3:::b/k' }, { identity: [cp] }).decision).toBe('Allow');
    expect(authorize({ principal: ALICE, action: 's3:DeleteObject', resource: 'arn:aws:s3:::b/k' }, { identity: [cp] }, { trace: false }).decision).toBe('ExplicitDeny');
  });

  it('a duplicate key (only the JSON text reader sees it) is refused too', () => {
    const text = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Resource":"arn:aws:s3:::b/*"}]}';
    const r = readPolicyText(text, { kind: 'identity' });
    expect(r.policy?.readErrors?.[0]?.code).toBe('duplicate-key');
    expect(compilePolicy(r.policy!).errors.length).toBeGreaterThan(0);
    expect(() => compilePolicyDocument(text, 'identity')).toThrow(/duplicate key/);
  });

  it('not a policy at all: compilePolicyDocument throws', () => {
    expect(() => compilePolicyDocument('[1, 2]', 'identity')).toThrow(PolicyCompileError);
    expect(() => compilePolicyDocument('{', 'identity')).toThrow(PolicyCompileError);
  });
});

describe('simulateScenario with validate: what `validate` calls an error is refused, with its position', () => {
  const full = doc(allow('*'));
  const scenario = (deny: Record<string, unknown>): Scenario => ({
    name: 'scp with a bad Deny',
    request: { principal: ALICE, action: 'sagemaker:CreateTrainingJob', resource: 'arn:aws:sagemaker:us-east-1:111111111111:training-job/j' },
    policies: { identity: [full], scp: [[full, doc(deny)]] },
  });
  const cases: ReadonlyArray<readonly [string, Record<string, unknown>, string]> = [
    ['Null "tru"', deny('sagemaker:CreateTrainingJob', '*', { Condition: { Null: { 'aws:RequestTag/cc': 'tru' } } }), 'null-operator-value'],
    ['Bool "flase"', deny('sagemaker:CreateTrainingJob', '*', { Condition: { Bool: { 'aws:SecureTransport': 'flase' } } }), 'invalid-bool-value'],
    ['a zero-width space in the action', deny('sagemaker:Create\u200bTrainingJob'), 'unknown-action'],
  ];
  for (const [what, st, code] of cases) {
    it(`${what}: an error naming policies.scp[0][1] and ${code}, no decision; the engine alone decides Allow (the Deny matches nothing)`, () => {
      const r = simulateScenario(scenario(st), { validate: true });
      expect(r.decision).toBeUndefined();
      expect(r.invalidPolicy).toMatchObject({ slot: 'policies.scp[0][1]', kind: 'scp', code });
      expect(r.error).toContain('policies.scp[0][1]');
      // What AWS would store is still decided by the engine (validate off): here the Deny is inert.
      expect(simulateScenario(scenario(st)).decision).toBe('Allow');
    });
  }
});
