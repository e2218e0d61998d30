/**
 * The engine keeps no state between calls. A module-level cache (a WeakMap keyed by policy
 * or principal objects, a "last value" memo, a lazily loaded mutable list) outlives the call
 * that filled it: it holds memory until a major GC, and whatever it remembers was computed
 * under that call's options (allDigitDates, resourceArnCaseSensitive, …), so the next call
 * can be answered with the previous call's options. Reuse is explicit instead: the caller
 * keeps a CompiledPolicy, a PolicyCompiler or a LoadedScenario.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { authorize } from '../../src/engine/authorize.js';
import { compilePolicy } from '../../src/engine/compile.js';
import { readPolicyValue } from '../../src/policy/read.js';
import { simulateScenario } from '../../src/engine/simulate.js';
import type { Scenario } from '../../src/engine/types.js';

const ENGINE = join(import.meta.dirname, '../../src/engine');

/** Top-level declarations that can only be state: `let`, `var`, identity maps, and empty Maps/Sets filled later. */
function moduleState(source: string): string[] {
  const out: string[] = [];
  source.split('\n').forEach((line, i) => {
    // A constant typed ReadonlyMap/ReadonlySet cannot be filled through its binding: data, not state.
    if (/^(export\s+)?const\s+\w+\s*:\s*Readonly(Map|Set)</.test(line)) return;
    if (/^(export\s+)?(let|var)\s/.test(line)) out.push(`${i + 1}: ${line.trim()}`);
    else if (/^(export\s+)?const\s+\w+[^=]*=\s*new\s+(WeakMap|WeakSet|WeakRef)\b/.test(line)) out.push(`${i + 1}: ${line.trim()}`);
    else if (/^(export\s+)?const\s+\w+[^=]*=\s*new\s+(Map|Set)\s*(<[^>]*(<[^>]*>[^>]*)*>)?\s*\(\s*\)/.test(line)) out.push(`${i + 1}: ${line.trim()}`);
  });
  return out;
}

describe('the engine keeps no module-level mutable state', () => {
  it('the detector finds the shapes it looks for (it can fail)', () => {
    expect(moduleState('let cache: X | undefined;\nconst c = new WeakMap<A, B>();\nconst m = new Map<string, { v: string }>();\nconst s = new Set();\nconst T = new Set(["a"]);\nconst E: ReadonlySet<string> = new Set();\n')).toHaveLength(4);
  });

  it('no src/engine module declares a cache, a memo or a mutable variable at top level', () => {
    const files = readdirSync(ENGINE).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(15);
    const found = files.flatMap((f) => moduleState(readFileSync(join(ENGINE, f), 'utf8')).map((l) => `${f}:${l}`));
    expect(found).toEqual([]);
  });
});

describe('options never leak from one call to the next', () => {
  const scenario = (): Scenario => ({
    name: 'digits and case',
    request: {
      principal: 'arn:aws:sts::111122223333:assumed-role/r/s',
      principalRoleArn: 'arn:aws:iam::111122223333:role/r',
      action: 's3:GetObject',
      resource: 'arn:aws:s3:::bucket/Key',
      // 1700000000000: 2023 read as epoch milliseconds, far in the future as epoch seconds.
      context: { 'aws:CurrentTime': '1700000000000', 'aws:PrincipalTag/team': 'key' },
    },
    policies: {
      identity: [
        {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket/${aws:PrincipalTag/team}', Condition: { DateLessThan: { 'aws:CurrentTime': '2030-01-01T00:00:00Z' } } }],
        },
      ],
    },
  });
  const combos = [
    { allDigitDates: 'epochSeconds', resourceArnCaseSensitive: true },
    { allDigitDates: 'epochMilliseconds', resourceArnCaseSensitive: true },
    { allDigitDates: 'epochMilliseconds', resourceArnCaseSensitive: false },
    { allDigitDates: 'epochSeconds', resourceArnCaseSensitive: false },
  ] as const;
  // "Date condition operators" / A19 (allDigitDates) and A7 (resource ARN case): only both lenient readings allow.
  const expected = ['ImplicitDeny', 'ImplicitDeny', 'Allow', 'ImplicitDeny'];

  it('simulateScenario on the same object, options alternating, answers as a fresh call would', () => {
    const s = scenario();
    for (let round = 0; round < 3; round++) {
      for (const [i, o] of combos.entries()) {
        expect(simulateScenario(s, { ...o, trace: false }).decision, JSON.stringify(o)).toBe(expected[i]);
        expect(simulateScenario(scenario(), { ...o, trace: true }).decision, JSON.stringify(o)).toBe(expected[i]);
      }
    }
  });

  it('one CompiledPolicy held by the caller, options alternating, answers as a fresh compile would', () => {
    const s = scenario();
    const held = compilePolicy(readPolicyValue(s.policies.identity![0], { kind: 'identity', name: 'p' }).policy!);
    for (let round = 0; round < 3; round++) {
      for (const [i, o] of [...combos.entries()].reverse()) {
        const fresh = compilePolicy(readPolicyValue(scenario().policies.identity![0], { kind: 'identity', name: 'p' }).policy!);
        expect(authorize(s.request, { identity: [held] }, { ...o, trace: false }).decision).toBe(expected[i]);
        expect(authorize(s.request, { identity: [fresh] }, { ...o, trace: false }).decision).toBe(expected[i]);
      }
    }
  });
});
