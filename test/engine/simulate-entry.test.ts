/**
 * simulateScenario / simulateScenarioText: the result of a scenario that cannot be read, the
 * fields of a decided one, and the reading options they pass on (validate, the run's policy
 * cache). Tests for the survivors of Stryker's evening run of simulate.ts (docs/mutation.md);
 * the format is docs/scenario-format.md.
 */
import { describe, expect, it } from 'vitest';
import { ScenarioPolicyCache } from '../../src/engine/scenario.js';
import { simulateScenario, simulateScenarioText } from '../../src/engine/simulate.js';
import type { Scenario } from '../../src/engine/types.js';

const request = { principal: 'arn:aws:sts::111122223333:assumed-role/App/s', principalRoleArn: 'arn:aws:iam::111122223333:role/App', action: 's3:GetObject', resource: 'arn:aws:s3:::b/k' };
const allow = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] };
// "IAM JSON policy elements: Condition operators", Null takes true or false: "tru" is an error of validate.
const nullTypo = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 's3:GetObject', Resource: '*', Condition: { Null: { 'aws:SourceIp': 'tru' } } }] };

describe('a scenario that cannot be read', () => {
  it('from text: named by its file, with the error as explanation, no decision', () => {
    const r = simulateScenarioText('{"name": ', 'bad.json');
    expect(r).toEqual({ name: 'bad.json', file: 'bad.json', pass: false, explanation: `error: ${r.error}`, error: r.error });
    expect(r.error).toMatch(/^bad\.json:1:\d+: /);
  });

  it('named by the scenario when it has a name, and "(scenario)" when given as a value without one; no file key without a file', () => {
    const named = simulateScenarioText(JSON.stringify({ name: 'mine', request: { action: 's3:GetObject' }, policies: {} }), 'x.json');
    expect(named.name).toBe('mine');
    expect(named.file).toBe('x.json');
    const value = simulateScenario({ request, policies: {} } as unknown as Scenario);
    expect(value.name).toBe('(scenario)');
    expect(value).not.toHaveProperty('file');
    expect(value.pass).toBe(false);
  });

  it('a policy refused by validate comes back as invalidPolicy, with its slot and position', () => {
    const r = simulateScenario({ name: 's', request, policies: { identity: [allow, nullTypo] } }, { validate: true });
    expect(r.decision).toBeUndefined();
    expect(r.invalidPolicy).toMatchObject({ slot: 'policies.identity[1]', kind: 'identity', code: 'null-operator-value' });
    expect(r.explanation).toBe(`error: ${r.error}`);
  });
});

describe('a decided scenario', () => {
  it('has no decidedBy, residual or options keys unless there is something to say', () => {
    const r = simulateScenario({ name: 's', request, policies: { identity: [allow] } });
    expect(r.decision).toBe('Allow');
    expect(r).not.toHaveProperty('residual');
    expect(r).not.toHaveProperty('options');
    const denied = simulateScenario({ name: 's', request, policies: {} });
    expect(denied.decision).toBe('ImplicitDeny');
    expect(denied.decidedBy).toBeDefined();
    const allowed = simulateScenario({ name: 's', request, policies: { identity: [allow] } }, { trace: false });
    expect(Object.keys(allowed).filter((k) => (allowed as unknown as Record<string, unknown>)[k] === undefined)).toEqual([]);
  });
});

describe('reading options are passed on', () => {
  it('validate: a policy validate calls an error is refused only when asked, from a value and from text', () => {
    const s: Scenario = { name: 's', request, policies: { identity: [allow, nullTypo] } };
    expect(simulateScenario(s).decision).toBe('Allow'); // decided as stored: the Null with "tru" never holds
    expect(simulateScenario(s, { validate: true }).error).toMatch(/null-operator-value|tru/);
    const text = JSON.stringify(s);
    expect(simulateScenarioText(text, 's.json').decision).toBe('Allow');
    expect(simulateScenarioText(text, 's.json', { validate: true }).error).toMatch(/^s\.json:\d+:\d+: policies\.identity\[1\]: /);
  });

  it("the run's policy cache is used when given (the second reading finds the policies of the first)", () => {
    const policies = new ScenarioPolicyCache();
    const text = JSON.stringify({ name: 's', request, policies: { identity: [allow] } });
    simulateScenarioText(text, 'a.json', { validate: true, policies });
    simulateScenarioText(text, 'b.json', { validate: true, policies });
    expect([policies.misses, policies.hits]).toEqual([1, 1]);
  });
});
