/** JSON output validated against schemas/check-result.schema.json with ajv (draft 2020-12). */
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { checkResultToJson, renderCheckJson } from '../../../src/report/check/index.js';
import { checkExample, RUN_FAILURES, variedExample } from './fixture.js';

const schema = JSON.parse(readFileSync(new URL('../../../schemas/check-result.schema.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
const validate = ajv.compile(schema);

function expectValid(value: unknown): void {
  const ok = validate(value);
  expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
  expect(ok).toBe(true);
}

const STEP_KEYS = [
  'id', 'number', 'phase', 'title', 'caller', 'principal', 'action', 'resource', 'decision', 'status', 'decidedBy', 'fix',
  'ownerChange', 'allowWhen', 'dependsOn', 'missing', 'evidence', 'required', 'coveredBy', 'why',
].sort();

describe('json report', () => {
  const schedule = checkExample('schedule');

  it('validates against the schema: the example, both variants, and every status', () => {
    expect(schema['$id']).toMatch(/check-result\.schema\.json$/);
    for (const r of [schedule, checkExample('run-now'), variedExample()]) expectValid(JSON.parse(renderCheckJson(r)));
  });

  it('the schema rejects what it should', () => {
    const good = JSON.parse(renderCheckJson(schedule)) as { steps: Record<string, unknown>[] } & Record<string, unknown>;
    expect(validate({ ...good, extra: 1 })).toBe(false);
    expect(validate({ ...good, version: 2 })).toBe(false);
    const { fix: _fix, ...noFix } = good.steps[0]!;
    expect(validate({ ...good, steps: [noFix] })).toBe(false);
    expect(validate({ ...good, steps: [{ ...good.steps[0], status: 'ok' }] })).toBe(false);
    expect(validate({ ...good, steps: [{ ...good.steps[0], phase: 'later' }] })).toBe(false);
  });

  it('every step has every key, null when it does not apply', () => {
    const json = checkResultToJson(schedule);
    for (const s of json.steps) expect(Object.keys(s).sort()).toEqual(STEP_KEYS);
    const pass = json.steps.find((s) => s.id === 'manage.search')!;
    expect(pass).toMatchObject({ status: 'pass', fix: null, ownerChange: null, allowWhen: null, dependsOn: null, missing: null });
    const scp = json.steps.find((s) => s.id === 'run.create-training-job')!;
    expect(scp).toMatchObject({
      phase: 'run',
      status: 'fail',
      decision: 'ExplicitDeny',
      principal: 'arn:aws:sts::111122223333:assumed-role/NotebookJobRole/SageMaker',
      decidedBy: { layer: 'scp', sid: 'DenyUntaggedTraining', statementIndex: 0 },
      fix: { target: { kind: 'profile-tags' }, statement: null, tags: { 'cost-center': 'REPLACE-ME' } },
    });
    const rule = json.steps.find((s) => s.id === 'schedule.put-rule')!;
    expect(rule.dependsOn).toEqual([
      { option: 'createTimeResourceTags', value: 'absent', decision: 'ImplicitDeny' },
      { option: 'createTimeResourceTags', value: 'fromRequestTags', decision: 'Allow' },
    ]);
  });

  it('keeps summary, setup and notes, and says which steps each merged fix fixes', () => {
    const json = checkResultToJson(schedule);
    expect(json).toMatchObject({ version: 1, variant: 'schedule', ok: false, summary: schedule.summary, setup: schedule.setup, notes: schedule.notes });
    expect(json.fixes).toHaveLength(schedule.fixes.length);
    const fixed = json.fixes.flatMap((f) => f.steps);
    for (const id of RUN_FAILURES) expect(fixed).toContain(id);
    expect(json.fixes.find((f) => f.steps.includes('schedule.put-rule'))!.steps).toEqual(['schedule.put-rule', 'schedule.tag-rule']);
    // Merged summaries name what they add (the merged fix's own summary can name another step's action).
    const passRole = json.fixes.find((f) => f.steps.includes('schedule.pass-job-role-events'))!;
    expect(passRole.summary).toContain('iam:PassRole');
    expect(passRole.summary).not.toContain('events:PutRule');
  });

  it('is deterministic and ends with a newline', () => {
    const a = renderCheckJson(schedule);
    expect(renderCheckJson(checkExample('schedule'))).toBe(a);
    expect(a.endsWith('}\n')).toBe(true);
    expect(a).not.toContain('"scenario"');
  });
});
