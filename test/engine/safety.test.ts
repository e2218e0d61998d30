/** Prototype-pollution safety: `__proto__` and `constructor` are only ever data. */
import { describe, expect, it } from 'vitest';
import { simulateScenarioText } from '../../src/engine/simulate.js';
import { resolveOperator } from '../../src/engine/conditions.js';
import { ALICE } from './helpers.js';

function scenario(statement: string, context = '{}'): string {
  return `{"name":"s","request":{"principal":"${ALICE}","action":"s3:GetObject","resource":"*","context":${context}},
"policies":{"identity":[{"Version":"2012-10-17","Statement":[${statement}]}]}}`;
}

describe('prototype pollution ("Condition": keys and operators are policy text, never object lookups)', () => {
  it('an operator named constructor, __proto__ or toString makes the policy invalid instead of crashing', () => {
    for (const op of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'ForAnyValue:constructor', 'constructorIfExists']) {
      expect('error' in resolveOperator(op), op).toBe(true);
      const r = simulateScenarioText(scenario(`{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"${op}":{"k":"v"}}}`), 'p.json');
      expect(r.decision, op).toBeUndefined();
      expect(r.error, op).toContain('unknown condition operator');
    }
  });

  it('condition keys __proto__ and constructor are ordinary keys: absent unless the request sends them', () => {
    const allowIf = (key: string, op = 'StringEquals', v = 'x'): string => `{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"${op}":{"${key}":"${v}"}}}`;
    expect(simulateScenarioText(scenario(allowIf('__proto__')), 'a.json').decision).toBe('ImplicitDeny');
    expect(simulateScenarioText(scenario(allowIf('constructor')), 'a.json').decision).toBe('ImplicitDeny');
    expect(simulateScenarioText(scenario(allowIf('constructor', 'Null', 'true')), 'a.json').decision).toBe('Allow');
    expect(simulateScenarioText(scenario(allowIf('__proto__'), '{"__proto__":"x"}'), 'a.json').decision).toBe('Allow');
    expect(simulateScenarioText(scenario(allowIf('constructor'), '{"constructor":"x"}'), 'a.json').decision).toBe('Allow');
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('principal types __proto__ and constructor are rejected as unknown principal types', () => {
    for (const t of ['__proto__', 'constructor']) {
      const text = `{"name":"s","request":{"principal":"${ALICE}","action":"s3:GetObject","resource":"arn:aws:s3:::b/k"},
"policies":{"resource":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"${t}":"*"},"Action":"*","Resource":"*"}]}}}`;
      const r = simulateScenarioText(text, 'r.json');
      expect(r.decision).toBeUndefined();
      expect(r.error).toContain(`unknown principal type "${t}"`);
    }
  });

  it('a variable named after a prototype property resolves to nothing', () => {
    const st = `{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:username":"\${constructor}"}}}`;
    expect(simulateScenarioText(scenario(st), 'v.json').decision).toBe('ImplicitDeny');
    const toString = `{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:username":"\${toString, 'alice'}"}}}`;
    expect(simulateScenarioText(scenario(toString), 'v.json').decision).toBe('Allow');
  });

  it('scenario fields named __proto__ are reported as unknown, not merged', () => {
    const r = simulateScenarioText(`{"name":"s","__proto__":{"expect":"Allow"},"request":{"principal":"anonymous","action":"s3:X","resource":"*"},"policies":{}}`, 'z.json');
    expect(r.error).toContain('unknown field "__proto__"');
  });
});
