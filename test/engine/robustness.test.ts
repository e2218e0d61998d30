/** The scenario entry points never throw on bad input: errors are values (architecture: "Errors are values"). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { simulateScenario, simulateScenarioText } from '../../src/engine/simulate.js';
import type { Scenario } from '../../src/engine/types.js';

describe('robustness ("Policy evaluation logic": a bad scenario is reported, never a crash)', () => {
  it('arbitrary JSON text yields a decision or an error naming the file', () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        const r = simulateScenarioText(text, 'fuzz.json');
        expect(r.decision !== undefined || (r.error ?? '').startsWith('fuzz.json')).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('arbitrary policy-shaped values never throw', () => {
    const str = fc.oneof(fc.constantFrom('*', 's3:GetObject', 'arn:aws:s3:::b/*', '${aws:username}', 'StringEquals', 'constructor', '__proto__', 'Allow', 'Deny'), fc.string());
    const val = fc.oneof(str, fc.array(str, { maxLength: 3 }), fc.boolean(), fc.integer());
    const statement = fc.dictionary(fc.constantFrom('Effect', 'Action', 'NotAction', 'Resource', 'NotResource', 'Principal', 'Condition', 'Sid'), fc.oneof(val, fc.dictionary(str, fc.oneof(val, fc.dictionary(str, val)))));
    fc.assert(
      fc.property(fc.array(statement, { maxLength: 3 }), str, (statements, action) => {
        const s = {
          name: 'f',
          request: { principal: 'arn:aws:iam::111111111111:user/a', action: action || 's3:X', resource: '*' },
          policies: { identity: [{ Version: '2012-10-17', Statement: statements }], resource: { Version: '2012-10-17', Statement: statements } },
        } as unknown as Scenario;
        const r = simulateScenario(s);
        expect(r.decision !== undefined || typeof r.error === 'string').toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
