/**
 * The conformance suite: every scenario file below test/conformance/scenarios/ (format 1,
 * docs/scenario-format.md) is one test.
 *
 * - `<dir>/<file>.json`: the fast engine (`simulateScenarioText`, the same entry point as
 *   `nbjob-iam simulate`) must return no error and the file's `expect`; the reference
 *   model (`referenceDecide`, a plain transcription of the AWS flowchart) must agree.
 * - `<dir>/<file>.invalid.json`: a scenario whose policies AWS would refuse to store
 *   (duplicate JSON keys, G33; empty Action/NotAction/NotResource lists, G47). The engine
 *   must refuse it with an error that names the file, and must not return a decision.
 *
 * Each expectation rests on the AWS page named in the file's `doc` (spec tags [OBS] and
 * [REC] mark what the documentation does not settle). See test/conformance/README.md.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { referenceDecide } from '../../src/engine/reference.js';
import { simulateScenarioText } from '../../src/engine/simulate.js';
import type { DecisionResult, Scenario } from '../../src/engine/types.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = join(HERE, '..', '..');
const SCENARIO_ROOT = join(HERE, 'scenarios');
const INVALID_SUFFIX = '.invalid.json';
const DECISIONS: readonly string[] = ['Allow', 'ExplicitDeny', 'ImplicitDeny'] satisfies DecisionResult[];
/**
 * What the refusal of an *.invalid.json file must be about, by the gotcha its name starts
 * with, so that a file refused for some other reason does not pass by accident.
 */
const INVALID_REASONS: Readonly<Record<string, RegExp>> = {
  g33: /duplicate/i, // duplicate JSON keys (grammar notes)
  g47: /empty/i, // empty Action/NotAction/NotResource lists
  date: /date/i, // Date condition values that are neither ISO 8601 nor whole epoch seconds
};
/** The number of scenario files: adding one means raising this (a lost file must fail a test). */
const SCENARIO_FILES = 935;

interface ScenarioFile {
  /** Path from the repository root, as passed to the engine (and shown in its messages). */
  path: string;
  /** Folder below scenarios/, with forward slashes. */
  dir: string;
  base: string;
  text: string;
  invalid: boolean;
  /** The parsed document, or the reason it could not be parsed. */
  document: Record<string, unknown> | undefined;
  parseError: string | undefined;
}

function listJsonFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listJsonFiles(full));
    else if (entry.isFile() && entry.name.endsWith('.json')) out.push(full);
  }
  return out.sort();
}

function load(full: string): ScenarioFile {
  const text = readFileSync(full, 'utf8');
  const rel = relative(SCENARIO_ROOT, full).split(sep).join('/');
  const slash = rel.lastIndexOf('/');
  let document: Record<string, unknown> | undefined;
  let parseError: string | undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
      document = parsed as Record<string, unknown>;
    } else {
      parseError = 'the file is not a JSON object';
    }
  } catch (e) {
    parseError = e instanceof Error ? e.message : String(e);
  }
  return {
    path: relative(REPO_ROOT, full).split(sep).join('/'),
    dir: slash < 0 ? '.' : rel.slice(0, slash),
    base: slash < 0 ? rel : rel.slice(slash + 1),
    text,
    invalid: full.endsWith(INVALID_SUFFIX),
    document,
    parseError,
  };
}

function field(f: ScenarioFile, key: string): string | undefined {
  const value = f.document?.[key];
  return typeof value === 'string' ? value : undefined;
}

function title(f: ScenarioFile): string {
  return `${f.dir}/${f.base}: ${field(f, 'name') ?? '<no name>'} [${field(f, 'doc') ?? '<no doc>'}]`;
}

const files = listJsonFiles(SCENARIO_ROOT).map(load);

describe('scenario files', () => {
  it(`there are ${SCENARIO_FILES} scenario files`, () => {
    expect(files.length).toBe(SCENARIO_FILES);
  });

  it('every file is a JSON object with a name, a doc and (unless *.invalid.json) an expect', () => {
    const problems: string[] = [];
    for (const f of files) {
      if (f.parseError !== undefined) {
        // Duplicate keys are still valid JSON for JSON.parse, so only a broken file lands here.
        problems.push(`${f.path}: ${f.parseError}`);
        continue;
      }
      if (!field(f, 'name')) problems.push(`${f.path}: missing "name"`);
      if (!field(f, 'doc')) problems.push(`${f.path}: missing "doc"`);
      const expected = f.document?.['expect'];
      if (f.invalid) {
        if (expected !== undefined) problems.push(`${f.path}: an *.invalid.json file has no decision, so no "expect"`);
      } else if (typeof expected !== 'string' || !DECISIONS.includes(expected)) {
        problems.push(`${f.path}: "expect" must be one of ${DECISIONS.join(', ')} (got ${JSON.stringify(expected)})`);
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('conformance', () => {
  for (const f of files) {
    if (f.invalid) {
      it(title(f), () => {
        const result = simulateScenarioText(f.text, f.path);
        expect(result.decision, 'a refused scenario has no decision').toBeUndefined();
        expect(result.error, 'the engine must refuse this scenario').toEqual(expect.any(String));
        expect(result.error ?? '', 'the error names the file').toContain(f.base);
        const reason = INVALID_REASONS[f.base.split('-')[0] ?? ''];
        if (reason) expect(result.error ?? '', 'the error gives the reason this file is invalid').toMatch(reason);
      });
      continue;
    }
    it(title(f), () => {
      expect(f.parseError, 'the file must be valid JSON').toBeUndefined();
      const expected = f.document?.['expect'];
      const result = simulateScenarioText(f.text, f.path);
      expect.soft(result.error, 'engine error').toBeUndefined();
      expect.soft(result.decision, 'engine decision').toBe(expected);
      expect.soft(result.pass, 'engine reports pass').toBe(true);
      const scenario = f.document as unknown as Scenario;
      let reference: DecisionResult | string;
      try {
        reference = referenceDecide(scenario, { ...(scenario.options ?? {}) });
      } catch (e) {
        reference = `reference model threw: ${e instanceof Error ? e.message : String(e)}`;
      }
      expect.soft(reference, 'reference model decision').toBe(expected);
    });
  }
});
