/**
 * The bundled example account rendered in every format: each shows the five mistakes of
 * the example (test/notebook-jobs/example.test.ts) with where they are and how to fix them.
 */
import { describe, expect, it } from 'vitest';
import { CHECK_FORMATS, renderCheck } from '../../../src/report/check/index.js';
import type { CheckFormat } from '../../../src/report/check/index.js';
import { checkExample, JOB_ROLE, KEY } from './fixture.js';

const result = checkExample('schedule');
const rendered = Object.fromEntries(CHECK_FORMATS.map((f) => [f, renderCheck(result, f, {})])) as Record<CheckFormat, string>;
/** Text as a format shows it: HTML entities decoded, Markdown escapes and JSON string escapes undone. */
function plain(format: CheckFormat): string {
  const t = rendered[format];
  if (format === 'html') return t.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  if (format === 'markdown') return t.replace(/\\([\\`*_[\]|~#!])/g, '$1');
  if (format === 'json' || format === 'sarif') return t.replace(/\\"/g, '"');
  return t;
}

const MISTAKES: Record<string, string[]> = {
  'the job role does not trust events.amazonaws.com': ['run.events-assume-job-role', 'events.amazonaws.com', 'sts:AssumeRole', 'trust policy of role NotebookJobRole'],
  'iam:PassRole to EventBridge is missing': ['schedule.pass-job-role-events', 'iam:PassRole', '"iam:PassedToService":"events.amazonaws.com"', JOB_ROLE],
  'the endpoint policy lacks sagemakerheadlessexecution-*': ['run.driver-get-object', 'vpce-0a1b2c3d4e5f60719', 'sagemakerheadlessexecution-*'],
  'the key policy forgets the job role': ['run.volume-key-grant', 'run.output-key-generate', 'kms:CreateGrant', 'kms:GenerateDataKey', KEY],
  'the SCP requires a cost-center tag': ['run.create-training-job', 'RequireCostCenterOnTraining', 'DenyUntaggedTraining', 'cost-center', 'REPLACE-ME'],
};

describe('the example account in every format', () => {
  for (const format of CHECK_FORMATS) {
    describe(format, () => {
      for (const [mistake, needles] of Object.entries(MISTAKES)) {
        it(`shows that ${mistake}`, () => {
          const text = plain(format).replace(/"\s*:\s*"/g, '":"');
          for (const n of needles) expect(text, n).toContain(n.replace(/"\s*:\s*"/g, '":"'));
        });
      }
    });
  }

  it('every format that states timing puts the SCP failure at run time, after scheduling succeeded', () => {
    for (const format of ['text', 'markdown', 'html', 'sarif'] as const) {
      expect(plain(format), format).toMatch(/later, at every run, hours after scheduling/i);
    }
    const json = JSON.parse(rendered.json) as { steps: { id: string; phase: string; status: string }[]; summary: { failuresAtRunTime: number } };
    expect(json.steps.find((s) => s.id === 'run.create-training-job')).toMatchObject({ phase: 'run', status: 'fail' });
    expect(json.summary.failuresAtRunTime).toBe(9);
  });

  it('renderCheck passes options through (colour for text, tool for SARIF)', () => {
    expect(renderCheck(result, 'text', { color: true })).toContain('\u001b[');
    expect(rendered.text).not.toContain('\u001b[');
    expect(renderCheck(result, 'sarif', { tool: { name: 'nbjob-iam', version: '9.9.9', informationUri: 'https://example.com' } })).toContain('"version": "9.9.9"');
  });
});
