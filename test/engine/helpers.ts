/** Test helpers: scenarios as values, decided through the public entry point. */
import { simulateScenario } from '../../src/engine/simulate.js';
import type { SimulationResult } from '../../src/engine/simulate.js';
import type { EvaluationOptions, Scenario, ScenarioPolicies, ScenarioRequest } from '../../src/engine/types.js';
import { readPolicyValue } from '../../src/policy/read.js';
import type { Policy, PolicyKind } from '../../src/policy/model.js';

export const A = '111111111111';
export const B = '222222222222';
export const ALICE = `arn:aws:iam::${A}:user/alice`;
export const SESSION = `arn:aws:sts::${A}:assumed-role/App/s1`;
export const ROLE = `arn:aws:iam::${A}:role/App`;

type St = Record<string, unknown>;
export function doc(...statements: St[]): Record<string, unknown> {
  return { Version: '2012-10-17', Statement: statements };
}
export const allow = (action: string | string[], resource: string | string[] = '*', extra: St = {}): St => ({ Effect: 'Allow', Action: action, Resource: resource, ...extra });
export const deny = (action: string | string[], resource: string | string[] = '*', extra: St = {}): St => ({ Effect: 'Deny', Action: action, Resource: resource, ...extra });

export function run(
  request: Partial<ScenarioRequest> & { action: string; resource: string },
  policies: ScenarioPolicies,
  options?: Partial<EvaluationOptions>,
): SimulationResult {
  const scenario: Scenario = { name: 't', request: { principal: ALICE, ...request }, policies, ...(options ? { options } : {}) };
  const r = simulateScenario(scenario);
  if (r.error) throw new Error(r.error);
  return r;
}

export function decision(
  request: Partial<ScenarioRequest> & { action: string; resource: string },
  policies: ScenarioPolicies,
  options?: Partial<EvaluationOptions>,
): string | undefined {
  return run(request, policies, options).decision;
}

export function policy(value: unknown, kind: PolicyKind = 'identity', name = 'p'): Policy {
  const r = readPolicyValue(value, { kind, name });
  const err = r.findings.find((f) => f.severity === 'error');
  if (err || !r.policy) throw new Error(`bad test policy: ${err?.message}`);
  return r.policy;
}
