/**
 * SARIF output checked against the official OASIS SARIF 2.1.0 schema that the report
 * tests vendor (test/report/fixtures/sarif-schema-2.1.0.json).
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FormatsPlugin } from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkResultToSarif, renderCheckSarif } from '../../../src/report/check/index.js';
import { checkExample, EVIL, variedExample } from './fixture.js';

// ajv-formats is CommonJS: under NodeNext its default export arrives as the module object.
const addFormats: FormatsPlugin = (addFormatsModule as unknown as { default?: FormatsPlugin }).default ?? (addFormatsModule as unknown as FormatsPlugin);
const TOOL = { name: 'nbjob-iam', version: '1.2.3', informationUri: 'https://www.npmjs.com/package/nbjob-iam' };

let validateSarif: ValidateFunction;
beforeAll(() => {
  const schema = JSON.parse(readFileSync(new URL('../fixtures/sarif-schema-2.1.0.json', import.meta.url), 'utf8')) as Record<string, unknown>;
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

describe('sarif report', () => {
  const schedule = checkExample('schedule');

  it('is valid SARIF 2.1.0, with and without a snapshot file, for every variant', () => {
    for (const r of [schedule, checkExample('run-now'), variedExample()]) {
      expectValid(JSON.parse(renderCheckSarif(r, { tool: TOOL })));
      expectValid(JSON.parse(renderCheckSarif(r, { tool: TOOL, artifactUri: 'snapshots/my account.json' })));
    }
    expectValid(checkResultToSarif(schedule));
  });

  it('has one result per failing or warning step, ruleId = step id', () => {
    const log = checkResultToSarif(schedule, { tool: TOOL });
    const run = log.runs[0]!;
    const expected = schedule.steps.filter((o) => o.status === 'fail' || o.status === 'warn');
    expect(run.results.map((r) => r.ruleId)).toEqual(expected.map((o) => o.step.id));
    expect(run.results.filter((r) => r.level === 'error')).toHaveLength(schedule.summary.fail);
    expect(run.results.filter((r) => r.level === 'warning')).toHaveLength(schedule.summary.warn);
    for (const r of run.results) expect(run.tool.driver.rules[r.ruleIndex]!.id).toBe(r.ruleId);
    expect(run.tool.driver).toMatchObject({ name: 'nbjob-iam', version: '1.2.3', semanticVersion: '1.2.3' });
  });

  it('locates a result logically, at the deciding policy and statement and the calling role', () => {
    const run = checkResultToSarif(schedule).runs[0]!;
    const scp = run.results.find((r) => r.ruleId === 'run.create-training-job')!;
    expect(scp.level).toBe('error');
    expect(scp.locations[0]!.physicalLocation).toBeUndefined();
    const names = scp.locations[0]!.logicalLocations.map((l) => l.fullyQualifiedName);
    expect(names[0]).toBe('111122223333/scp/SCP RequireCostCenterOnTraining (attached to OU ml-workloads)/DenyUntaggedTraining');
    expect(names[1]).toBe('arn:aws:iam::111122223333:role/NotebookJobRole');
    expect(scp.message.text).toContain('ExplicitDeny');
    expect(scp.message.text).toContain('Fails later, at every run, hours after scheduling');
    expect(scp.message.text).toContain('{"cost-center":"REPLACE-ME"}');
    expect(scp.properties).toMatchObject({ phase: 'run', timing: 'run-time', decision: 'ExplicitDeny' });
    const passRole = run.results.find((r) => r.ruleId === 'schedule.pass-job-role-events')!;
    expect(passRole.message.text).toContain('Fails when you schedule the job');
    expect(passRole.message.text).toContain('"iam:PassedToService":"events.amazonaws.com"');
  });

  it('adds a physical location when the snapshot file is named, relative to %SRCROOT%', () => {
    const run = checkResultToSarif(schedule, { artifactUri: 'snapshots/my account.json', artifactBase: 'file:///home/me/repo' }).runs[0]!;
    expect(run.artifacts).toEqual([{ location: { uri: 'snapshots/my%20account.json', uriBaseId: '%SRCROOT%' } }]);
    expect(run.originalUriBaseIds).toEqual({ '%SRCROOT%': { uri: 'file:///home/me/repo/' } });
    for (const r of run.results) expect(r.locations[0]!.physicalLocation).toEqual({ artifactLocation: { uri: 'snapshots/my%20account.json', uriBaseId: '%SRCROOT%', index: 0 } });
    expectValid(checkResultToSarif(schedule, { artifactUri: 'snapshots/my account.json', artifactBase: 'file:///home/me/repo/' }));
  });

  it('carries untrusted names as data only', () => {
    const text = renderCheckSarif(variedExample());
    const parsed = checkResultToSarif(variedExample());
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(parsed)));
    const r = parsed.runs[0]!.results.find((x) => x.ruleId === 'run.create-training-job')!;
    expect(r.locations[0]!.logicalLocations[0]!.name).toBe(EVIL);
    expect(r.message.text).toContain('Owner change (the organization admins (SCP/RCP))');
  });
});
