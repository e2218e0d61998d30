/**
 * SARIF output checked against the official OASIS SARIF 2.1.0 schema (draft-07), vendored
 * in fixtures/ (see fixtures/SOURCE.md for where it comes from).
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FormatsPlugin } from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';
import { validatePolicyText } from '../../src/policy/validate.js';
import { fileToUri, findingsToSarif, renderFindingsSarif } from '../../src/report/index.js';
import type { FileReport, SarifLog } from '../../src/report/index.js';

// ajv-formats is CommonJS: under NodeNext its default export arrives as the module object.
const addFormats: FormatsPlugin =
  (addFormatsModule as unknown as { default?: FormatsPlugin }).default ?? (addFormatsModule as unknown as FormatsPlugin);

const TOOL = { name: 'nbjob-iam', version: '1.2.3', informationUri: 'https://www.npmjs.com/package/nbjob-iam' };
const SCHEMA_PATH = new URL('./fixtures/sarif-schema-2.1.0.json', import.meta.url);

let validateSarif: ValidateFunction;

beforeAll(() => {
  const schema = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as Record<string, unknown>;
  expect(schema['$schema']).toBe('http://json-schema.org/draft-07/schema#');
  expect(schema['title']).toBe('Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema');
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  validateSarif = ajv.compile(schema);
});

function expectValid(log: unknown): void {
  const ok = validateSarif(log);
  expect(validateSarif.errors ?? [], JSON.stringify(validateSarif.errors, null, 2)).toEqual([]);
  expect(ok).toBe(true);
}

const BAD_IDENTITY = `{
  "Version": "2012-10-17",
  "Statement": [
    { "Effect": "allow", "Action": "s3:GetObject", "Resource": "*", "Principal": "*" },
    { "Effect": "Allow", "Actions": "s3:PutObject", "Resource": "*" }
  ]
}`;

function reports(): FileReport[] {
  return [
    { file: 'policies/bad identity.json', source: BAD_IDENTITY, findings: validatePolicyText(BAD_IDENTITY, { kind: 'identity' }).findings },
    { file: 'policies/ok.json', findings: [] },
    { file: '<stdin>', findings: validatePolicyText('{"Version": 1', { kind: 'identity' }).findings },
    {
      file: '../outside/x.json',
      findings: [
        { severity: 'warning', code: 'some-warning', message: 'w', path: '$.Statement', line: 3, column: 5 },
        { severity: 'suggestion', code: 'some-suggestion', message: 's', path: '$', line: 1, column: 1 },
      ],
    },
  ];
}

describe('SARIF renderer', () => {
  it('validates against the official SARIF 2.1.0 schema', () => {
    expectValid(JSON.parse(renderFindingsSarif(reports(), TOOL)));
  });

  it('validates with no findings at all', () => {
    expectValid(findingsToSarif([], TOOL));
    expectValid(findingsToSarif([{ file: 'a.json', findings: [] }], TOOL));
  });

  it('is checked for real: a log the schema rejects is rejected', () => {
    const log = findingsToSarif(reports(), TOOL) as unknown as { runs: Array<{ results: Array<Record<string, unknown>> }> };
    const first = log.runs[0]?.results[0];
    expect(first).toBeDefined();
    if (first) first['level'] = 'fatal';
    expect(validateSarif(log)).toBe(false);
  });

  it('takes rule descriptions, default levels and sources from a codes table, and still validates', () => {
    const codes = new Map([
      ['invalid-effect', { description: 'Effect is not exactly "Allow" or "Deny".', severity: 'error' as const, source: 'IAM JSON policy elements: Effect' }],
    ]);
    const log = findingsToSarif(reports(), TOOL, codes);
    expectValid(log);
    const rule = log.runs[0]?.tool.driver.rules.find((r) => r.id === 'invalid-effect');
    expect(rule).toEqual({
      id: 'invalid-effect',
      shortDescription: { text: 'Effect is not exactly "Allow" or "Deny".' },
      fullDescription: { text: 'Effect is not exactly "Allow" or "Deny". Source: IAM JSON policy elements: Effect.' },
      defaultConfiguration: { level: 'error' },
      // The nearest IAM Access Analyzer finding (docs/access-analyzer.md).
      properties: { accessAnalyzer: ['INVALID_EFFECT'] },
    });
    // A code the table does not know still gets a description.
    expect(log.runs[0]?.tool.driver.rules.find((r) => r.id === 'some-warning')?.shortDescription.text).toBe('Some warning.');
  });

  it('names the tool with name, version and information URI', () => {
    const log: SarifLog = findingsToSarif(reports(), TOOL);
    expect(log.version).toBe('2.1.0');
    expect(log.runs[0]?.tool.driver).toMatchObject(TOOL);
  });

  it('has one rule per finding code, with a short description, referenced by ruleId and ruleIndex', () => {
    const run = findingsToSarif(reports(), TOOL).runs[0];
    expect(run).toBeDefined();
    if (!run) return;
    const ids = run.tool.driver.rules.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining(['invalid-effect', 'unknown-statement-element', 'invalid-json', 'some-warning']));
    for (const rule of run.tool.driver.rules) expect(rule.shortDescription.text.length).toBeGreaterThan(3);
    for (const result of run.results) expect(run.tool.driver.rules[result.ruleIndex]?.id).toBe(result.ruleId);
  });

  it('maps severities to levels: error → error, warning → warning, suggestion → note', () => {
    const results = findingsToSarif(reports(), TOOL).runs[0]?.results ?? [];
    const level = (code: string) => results.find((r) => r.ruleId === code)?.level;
    expect(level('invalid-effect')).toBe('error');
    expect(level('some-warning')).toBe('warning');
    expect(level('some-suggestion')).toBe('note');
  });

  it('locates results by artifact URI relative to the working directory, with start line and column', () => {
    const results = findingsToSarif(reports(), TOOL).runs[0]?.results ?? [];
    const effect = results.find((r) => r.ruleId === 'invalid-effect');
    expect(effect?.locations[0]?.physicalLocation).toEqual({
      artifactLocation: { uri: 'policies/bad%20identity.json', index: 0 },
      region: { startLine: 4, startColumn: 17 },
    });
    const uris = results.map((r) => r.locations[0]?.physicalLocation.artifactLocation.uri);
    expect(uris).toContain('%3Cstdin%3E');
    expect(uris).toContain('../outside/x.json');
    for (const uri of uris) expect(uri).not.toMatch(/^\//);
  });

  it('turns file names into URI references', () => {
    expect(fileToUri('a/b c.json')).toBe('a/b%20c.json');
    expect(fileToUri('a\\b.json')).toBe('a/b.json');
    expect(fileToUri('<stdin>')).toBe('%3Cstdin%3E');
  });
});
