/** The library API the README shows: `import { validatePolicyText, simulateScenario } from 'nbjob-iam'`. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderFindingsJson, simulateScenario, validatePolicyText } from '../../src/index.js';
import type { Scenario } from '../../src/index.js';
import { ROOT } from './helpers.js';

describe('library entry point', () => {
  it('validatePolicyText returns findings with positions', () => {
    const { findings } = validatePolicyText('{"Version":"2012-10-17","Statement":{"Effect":"allow","Action":"s3:GetObject","Resource":"*"}}', {
      kind: 'identity',
      name: 'p.json',
    });
    expect(findings.find((f) => f.code === 'invalid-effect')).toMatchObject({ severity: 'error', line: 1 });
    expect(JSON.parse(renderFindingsJson([{ file: 'p.json', findings }]))).toEqual(expect.any(Array));
  });

  it('simulateScenario decides a scenario object and explains it', () => {
    const scenario = JSON.parse(readFileSync(path.join(ROOT, 'reference/scenarios/sagemaker-assumes-job-role.json'), 'utf8')) as Scenario;
    const result = simulateScenario(scenario);
    expect(result.decision).toBe('Allow');
    expect(result.pass).toBe(true);
    expect(result.explanation).toMatch(/^Allow/);
  });
});
