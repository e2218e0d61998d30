/** Scenario files (docs/scenario-format.md): reading with positions, errors, schema, simulate. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { simulateScenario, simulateScenarioText } from '../../src/engine/simulate.js';
import { explainResult } from '../../src/engine/explain.js';
import { OPTION_VALUES } from '../../src/engine/scenario.js';
import type { Scenario } from '../../src/engine/types.js';
import { A, ALICE, allow, deny, doc } from './helpers.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const schema = JSON.parse(readFileSync(join(ROOT, 'schemas', 'scenario.schema.json'), 'utf8')) as object;

const good: Scenario = {
  name: 'PassRole to SageMaker',
  doc: 'Granting a user permissions to pass a role',
  request: {
    principal: `arn:aws:sts::${A}:assumed-role/StudioRole/SageMaker`,
    principalRoleArn: `arn:aws:iam::${A}:role/service-role/StudioRole`,
    action: 'iam:PassRole',
    resource: `arn:aws:iam::${A}:role/NotebookJobRole`,
    context: { 'iam:PassedToService': 'sagemaker.amazonaws.com' },
  },
  policies: { identity: [doc(allow('iam:PassRole', `arn:aws:iam::${A}:role/NotebookJobRole`))], scp: [[doc(allow('*'))]], rcp: [[]] },
  expect: 'Allow',
};

const text = `{
  "name": "denied by identity",
  "request": { "principal": "${ALICE}", "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k" },
  "policies": {
    "identity": [
      { "Version": "2012-10-17", "Statement": [
        { "Effect": "Allow", "Action": "s3:*", "Resource": "*" },
        { "Sid": "NoDelete", "Effect": "Deny", "Action": "s3:Get*", "Resource": "arn:aws:s3:::b/*" }
      ] }
    ]
  },
  "expect": "ExplicitDeny"
}`;

describe('scenario reader and simulate (scenario-format.md)', () => {
  it('decides a scenario given as a value; pass = expected absent or equal', () => {
    const r = simulateScenario(good);
    expect(r).toMatchObject({ name: good.name, decision: 'Allow', expected: 'Allow', pass: true });
    expect(simulateScenario({ ...good, expect: 'ImplicitDeny' }).pass).toBe(false);
    const { expect: _e, ...noExpect } = good;
    expect(simulateScenario(noExpect).pass).toBe(true);
  });

  it('traces point at lines of the scenario file (policies read with readPolicyNode)', () => {
    const r = simulateScenarioText(text, 'x/deny.json');
    expect(r.decision).toBe('ExplicitDeny');
    expect(r.pass).toBe(true);
    expect(r.decidedBy).toMatchObject({ layer: 'identity', policy: 'policies.identity[0]', sid: 'NoDelete', statementIndex: 1, line: 8, column: 9 });
    expect(r.explanation).toContain('Denied by the identity policies: policies.identity[0], Sid "NoDelete", x/deny.json:8:9');
  });

  it('errors name the file, line and column and say what was expected', () => {
    expect(simulateScenarioText('{"name": "x", ', 'bad.json').error).toMatch(/^bad\.json:1:\d+: invalid JSON/);
    const wrongType = simulateScenarioText('{\n "name": "x",\n "request": {"principal": 5, "action": "s3:X", "resource": "*"},\n "policies": {}\n}', 'w.json');
    expect(wrongType.error).toBe('w.json:3:27: request.principal must be a string, found the number 5');
    expect(wrongType.decision).toBeUndefined();
    expect(wrongType.pass).toBe(false);
    const typo = simulateScenarioText('{"name":"x","request":{"principal":"anonymous","action":"s3:X","resource":"*"},"policies":{"identities":[]}}', 't.json');
    expect(typo.error).toContain('unknown field "identities" in policies; did you mean "identity"?');
    const badPrincipal = simulateScenarioText('{"name":"x","request":{"principal":"alice","action":"s3:X","resource":"*"},"policies":{}}', 'p.json');
    expect(badPrincipal.error).toMatch(/^p\.json:1:\d+: principal "alice" is not understood/);
    const missing = simulateScenarioText('{"name":"x","policies":{}}', 'm.json');
    expect(missing.error).toContain('request is required');
    const badOpt = simulateScenarioText('{"name":"x","request":{"principal":"anonymous","action":"s3:X","resource":"*"},"policies":{},"options":{"allDigitDates":"years"}}', 'o.json');
    expect(badOpt.error).toContain('option allDigitDates must be one of "epochSeconds", "epochMilliseconds"');
  });

  it('a policy with error findings makes the scenario invalid with that message (Effect is case-sensitive)', () => {
    const s = { ...good, policies: { identity: [{ Version: '2012-10-17', Statement: [{ Effect: 'allow', Action: '*', Resource: '*' }] }] } };
    expect(simulateScenario(s as Scenario).error).toContain('policies.identity[0]: Effect is case-sensitive');
  });

  it('an unknown condition operator makes the policy invalid: never silently ignored (fail closed)', () => {
    const s = { ...good, policies: { identity: [doc(allow('*'), deny('*', '*', { Condition: { StringEqualz: { 'aws:PrincipalTag/x': 'y' } } }))] } };
    const r = simulateScenario(s as Scenario);
    expect(r.decision).toBeUndefined();
    expect(r.error).toContain('unknown condition operator "StringEqualz"');
  });

  it('scenario-level options override the caller\'s', () => {
    const s: Scenario = {
      name: 'a18',
      request: { principal: ALICE, action: 's3:GetObject', resource: '*', context: { 'aws:CurrentTime': '2025-06-01T00:00:00Z' } },
      policies: { identity: [doc(allow('*', '*', { Condition: { DateLessThan: { 'aws:CurrentTime': '1767225600' } } }))] },
    };
    expect(simulateScenario(s, { allDigitDates: 'epochMilliseconds' }).decision).toBe('ImplicitDeny');
    expect(simulateScenario({ ...s, options: { allDigitDates: 'epochSeconds' } }, { allDigitDates: 'epochMilliseconds' }).decision).toBe('Allow');
  });

  it('the same policy object is compiled once and still gives the same answer (cache by identity)', () => {
    const a = simulateScenario(good);
    const b = simulateScenario(good);
    expect(b.decision).toBe(a.decision);
    expect(simulateScenario({ ...good, request: { ...good.request, resource: `arn:aws:iam::${A}:role/Other` } }).decision).toBe('ImplicitDeny');
  });

  it('explainResult: decision, deciding statements with policy, Sid and line; the layer for a denial', () => {
    const r = simulateScenario({ ...good, policies: { identity: [doc(allow('s3:*'))] } });
    const text2 = explainResult(r);
    expect(text2).toContain('ImplicitDeny (expected Allow)');
    expect(text2).toContain('Blocked at the identity policies: no identity policy allows the action');
    expect(explainResult(simulateScenario(good))).toContain('Allowed by:\n    - identity policies: policies.identity[0], statement 0');
  });
});

describe('schemas/scenario.schema.json (validated with ajv)', () => {
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
  const validate = ajv.compile(schema);

  it('accepts valid scenarios', () => {
    expect(validate(good), JSON.stringify(validate.errors)).toBe(true);
    expect(validate(JSON.parse(text))).toBe(true);
    expect(validate({ name: 'n', request: { principal: 'anonymous', action: 's3:GetObject', resource: '*', unknownContextKeys: ['k'], vpcEndpointType: 'gateway' }, policies: {}, options: { notPrincipalDenyChain: 'sessionOnly' } })).toBe(true);
  });

  it('rejects bad scenarios', () => {
    expect(validate({ request: good.request, policies: {} })).toBe(false);
    expect(validate({ ...good, expect: 'Deny' })).toBe(false);
    expect(validate({ ...good, extra: 1 })).toBe(false);
    expect(validate({ ...good, request: { ...good.request, context: { k: { nested: true } } } })).toBe(false);
    expect(validate({ ...good, policies: { scp: [doc(allow('*'))] } })).toBe(false);
    expect(validate({ ...good, options: { allDigitDates: 'years' } })).toBe(false);
  });

  it('lists every option with exactly the values the reader accepts', () => {
    const props = (schema as { properties: { options: { properties: Record<string, { type?: string; enum?: unknown[] }> } } }).properties.options.properties;
    expect(Object.keys(props).sort()).toEqual(Object.keys(OPTION_VALUES).sort());
    for (const [k, values] of Object.entries(OPTION_VALUES)) {
      const p = props[k]!;
      if (p.type === 'boolean') expect(values).toEqual([true, false]);
      else expect(p.enum).toEqual(values);
    }
  });
});
