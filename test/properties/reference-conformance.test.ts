/**
 * The reference model against the project's conformance scenarios (test/conformance):
 * every scenario with an `expect` must get it from the reference too. Scenarios that ask
 * for partial evaluation (`unknownContextKeys`) are left out: the reference decides only
 * concrete requests.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { referenceDecide } from '../../src/engine/reference.js';
import type { Scenario } from '../../src/engine/types.js';

const ROOT = fileURLToPath(new URL('../conformance/scenarios', import.meta.url));

function scenarioFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir, { recursive: true, encoding: 'utf8' });
  } catch {
    return [];
  }
  return entries.filter((f) => f.endsWith('.json')).map((f) => join(dir, f)).sort();
}

const cases: Array<[string, Scenario]> = [];
for (const file of scenarioFiles(ROOT)) {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    continue; // not a scenario file (the conformance suite reports those itself)
  }
  const s = parsed as Scenario;
  if (typeof s !== 'object' || s === null || s.expect === undefined || s.request === undefined) continue;
  if ((s.request.unknownContextKeys ?? []).length > 0) continue;
  cases.push([file.slice(ROOT.length + 1), s]);
}

describe('reference model vs test/conformance scenarios', () => {
  it('finds conformance scenarios to check', () => {
    expect(cases.length).toBe(928);
  });

  it.each(cases)('%s', (_file, s) => {
    expect(referenceDecide(s)).toBe(s.expect);
  });
});
