/** Partial evaluation (Cedar-style residuals) over request.unknownContextKeys. */
import { describe, expect, it } from 'vitest';
import { authorize } from '../../src/engine/authorize.js';
import { evaluateResidual } from '../../src/engine/residual.js';
import type { ResidualClause } from '../../src/engine/residual.js';
import { A, ROLE, SESSION, allow, deny, doc, policy, run } from './helpers.js';

const exec = `arn:aws:iam::${A}:role/NotebookJobRole`;
const passRole = { principal: SESSION, principalRoleArn: ROLE, action: 'iam:PassRole', resource: exec };

describe('partial evaluation ("Policy evaluation logic" with unknown context keys)', () => {
  it('a condition on an unknown key leaves a residual under which the decision becomes Allow', () => {
    const r = run({ ...passRole, unknownContextKeys: ['iam:PassedToService'] }, {
      identity: [doc(allow('iam:PassRole', exec, { Condition: { StringLike: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } } }))],
    });
    expect(r.decision).toBe('ImplicitDeny');
    expect(r.residual?.allowWhen).toEqual({ kind: 'clause', key: 'iam:PassedToService', operator: 'StringLike', values: ['sagemaker.amazonaws.com'] });
    expect(r.residual?.text).toBe('Allow when iam:PassedToService StringLike ["sagemaker.amazonaws.com"]');
    expect(r.trace?.layers[0]?.policies[0]?.statements[0]?.outcome).toBe('unknown');
  });

  it('a Deny on an unknown key gives an explicit-deny residual and a negated allow residual', () => {
    const r = run({ ...passRole, unknownContextKeys: ['aws:RequestedRegion'] }, {
      identity: [doc(allow('*'), deny('*', '*', { Condition: { StringNotEquals: { 'aws:RequestedRegion': 'eu-west-1' } } }))],
    });
    expect(r.residual?.explicitDenyWhen).toMatchObject({ kind: 'clause', key: 'aws:RequestedRegion', operator: 'StringNotEquals' });
    expect(r.residual?.allowWhen).toMatchObject({ kind: 'not' });
    expect(r.residual?.text).toContain('not (aws:RequestedRegion StringNotEquals ["eu-west-1"])');
  });

  it('known keys are decided; an explicit Deny that holds concretely wins over unknown allows', () => {
    const r = run({ ...passRole, unknownContextKeys: ['iam:PassedToService'] }, {
      identity: [doc(allow('iam:PassRole', exec, { Condition: { StringEquals: { 'iam:PassedToService': 'x' } } }), deny('iam:PassRole'))],
    });
    expect(r.decision).toBe('ExplicitDeny');
    expect(r.residual).toBeUndefined();
  });

  it('a Resource variable on an unknown key is a residual too', () => {
    const r = run({ action: 's3:GetObject', resource: 'arn:aws:s3:::b/blue/x', unknownContextKeys: ['aws:PrincipalTag/team'] }, {
      identity: [doc(allow('s3:GetObject', 'arn:aws:s3:::b/${aws:PrincipalTag/team}/*'))],
    });
    expect(r.residual?.allowWhen).toMatchObject({ kind: 'clause', key: 'aws:principaltag/team', operator: 'Resource variable' });
  });

  it('the concrete decision is the partial one made concrete (random policies, every value)', () => {
    // Integer LCG (Math.imul): the double `seed * 1103515245` lost its low bits past 2^53.
    let seed = 11;
    const rnd = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 16) % n;
    };
    const reached: Record<string, number> = {};
    const count = (k: string): void => {
      reached[k] = (reached[k] ?? 0) + 1;
    };
    const vals = ['a', 'b', 'c'];
    const ops = ['StringEquals', 'StringNotEquals', 'StringEqualsIfExists', 'StringNotEqualsIfExists'];
    for (let t = 0; t < 200; t++) {
      const statements = Array.from({ length: 1 + rnd(4) }, () => {
        const op = ops[rnd(ops.length)] as string;
        const values = vals.filter(() => rnd(2) === 0);
        const st = { Effect: rnd(3) === 0 ? 'Deny' : 'Allow', Action: '*', Resource: '*' } as Record<string, unknown>;
        if (values.length && rnd(4) !== 0) {
          st.Condition = { [op]: { k: values } };
          count(op);
        }
        count(st.Effect as string);
        return st;
      });
      const pol = policy(doc(...statements));
      const partial = authorize({ principal: SESSION, action: 's3:GetObject', resource: '*', unknownContextKeys: ['k'] }, { identity: [pol] }, { trace: false });
      count(partial.residual ? 'residual' : `decided ${partial.decision}`);
      for (const v of [...vals, undefined]) {
        const concrete = authorize({ principal: SESSION, action: 's3:GetObject', resource: '*', ...(v ? { context: { k: v } } : {}) }, { identity: [pol] }, { trace: false });
        const clause = (c: ResidualClause): boolean => {
          if (v === undefined) return c.operator.endsWith('IfExists') || c.operator.startsWith('StringNot');
          const hit = c.values.includes(v);
          return c.operator.startsWith('StringNot') ? !hit : hit;
        };
        const allowWhen = partial.residual ? evaluateResidual(partial.residual.allowWhen, clause) : partial.decision === 'Allow';
        const denyWhen = partial.residual ? evaluateResidual(partial.residual.explicitDenyWhen, clause) : partial.decision === 'ExplicitDeny';
        expect(concrete.decision === 'Allow', JSON.stringify({ statements, v })).toBe(allowWhen);
        expect(concrete.decision === 'ExplicitDeny', JSON.stringify({ statements, v })).toBe(denyWhen);
      }
    }
    // The generator reaches every operator, both effects, residuals and each concrete decision.
    expect(reached).toEqual({
      Allow: 339,
      Deny: 179,
      StringEquals: 93,
      StringEqualsIfExists: 93,
      StringNotEquals: 89,
      StringNotEqualsIfExists: 78,
      'decided Allow': 44,
      'decided ExplicitDeny': 52,
      residual: 104,
    });
  });
});
