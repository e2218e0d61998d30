import { describe, expect, it } from 'vitest';
import { renderCheckText } from '../../../src/report/check/index.js';
import { terminalSafe } from '../../../src/report/check/text.js';
import { changes } from '../../../src/report/check/model.js';
import { overlong } from '../width.js';
import { checkExample, EVIL, RUN_FAILURES, SCHEDULE_FAILURES, variedExample } from './fixture.js';

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;
const schedule = checkExample('schedule');
const runNow = checkExample('run-now');

/** The lines from a heading that starts with `title` to the next heading (a line followed by a rule). */
function section(text: string, title: string): string {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith(title));
  expect(start, `section ${title}`).toBeGreaterThanOrEqual(0);
  let end = lines.length;
  for (let i = start + 2; i < lines.length - 1; i++) if (/^─+$/.test(lines[i + 1]!)) end = Math.min(end, i);
  return lines.slice(start, end).join('\n');
}

describe('text report', () => {
  it('fits 80 columns for the example, every variant and mode', () => {
    for (const r of [schedule, runNow, variedExample()]) {
      for (const verbose of [false, true]) {
        const lines = renderCheckText(r, { verbose }).split('\n');
        expect(overlong(lines.join('\n'), 80)).toEqual([]);
      }
    }
  });

  it('never cuts an ARN or a JSON string: every fix pastes as the JSON it shows', () => {
    for (const r of [schedule, runNow, variedExample()]) {
      const text = renderCheckText(r, { verbose: true });
      const lines = text.split('\n');
      const start = lines.findIndex((l) => /^Apply these \d+ changes?$/.test(l));
      const blocks: unknown[] = [];
      for (let i = start; i < lines.length; i++) {
        if (/^ {4}\{.*\}$/.test(lines[i]!)) {
          blocks.push(JSON.parse(lines[i]!));
          continue;
        }
        if (lines[i] !== '    {') continue;
        const end = lines.indexOf('    }', i);
        blocks.push(JSON.parse(lines.slice(i, end + 1).join('\n')));
        i = end;
      }
      expect(blocks).toEqual(changes(r).map((c) => c.fix.statement ?? c.fix.tags));
      // The request line of every failure names its resource whole, however long.
      for (const o of r.steps.filter((x) => x.status === 'fail')) expect(text).toContain(o.step.resource);
    }
  });

  it('keeps to a narrower width when asked', () => {
    const text = renderCheckText(schedule, { width: 60 });
    expect(overlong(text, 60)).toEqual([]);
  });

  it('has no ANSI codes without colour, and the same text with colour', () => {
    const plain = renderCheckText(schedule, { color: false, verbose: true });
    expect(plain).not.toMatch(ANSI);
    expect(plain).not.toContain('\u001b');
    const coloured = renderCheckText(schedule, { color: true, verbose: true });
    expect(coloured).toMatch(ANSI);
    expect(coloured.replace(ANSI, '')).toBe(plain);
  });

  it('starts with who and what was checked', () => {
    const head = renderCheckText(schedule).split('\n').slice(0, 18).join('\n');
    for (const s of ['111122223333', 'us-east-1', 'd-exampledomain1', 'alice', 'role/service-role/StudioExecutionRole', 'role/NotebookJobRole', 'variant     schedule']) {
      expect(head).toContain(s);
    }
    expect(head).toContain('✗ Notebook jobs will not work: 14 failures.');
  });

  it('separates failures seen when scheduling from those at every run', () => {
    const text = renderCheckText(schedule);
    const atOnce = section(text, 'Fails when you schedule');
    const later = section(text, 'Fails later, at every run (hours after scheduling');
    for (const id of SCHEDULE_FAILURES) {
      expect(atOnce).toContain(`[${id}]`);
      expect(later).not.toContain(`[${id}]`);
    }
    for (const id of RUN_FAILURES) {
      expect(later).toContain(`[${id}]`);
      expect(atOnce).not.toContain(`[${id}]`);
    }
    expect(later.split('\n')[0]).toBe('Fails later, at every run (hours after scheduling; scheduling succeeds): 9');
    expect(later).toContain('fails       later, at every run, hours after scheduling');
  });

  it('says "when the job runs" for a one-off job', () => {
    const text = renderCheckText(runNow);
    expect(section(text, 'Fails later, when the job runs')).toContain('[run.driver-get-object]');
    expect(section(text, 'Fails when you submit')).toContain('[run-now.create-training-job]');
  });

  it('names the decision, the layer, the policy and the Sid of a failure, and its fix', () => {
    const later = section(renderCheckText(schedule), 'Fails later');
    const block = later.slice(later.indexOf('[run.create-training-job]'), later.indexOf('[run.volume-key-grant]'));
    expect(block).toContain('ExplicitDeny');
    expect(block).toContain('service control policy: SCP RequireCostCenterOnTraining');
    expect(block).toContain('statement DenyUntaggedTraining');
    expect(block).toContain('{ "cost-center": "REPLACE-ME" }');
  });

  it('shows both outcomes of a step that depends on an open question', () => {
    const text = renderCheckText(schedule);
    const block = text.slice(text.indexOf('[schedule.put-rule]'), text.indexOf('[schedule.tag-rule]'));
    expect(block).toContain('if createTimeResourceTags = absent: ImplicitDeny (assumed here)');
    expect(block).toContain('if createTimeResourceTags = fromRequestTags: Allow');
  });

  it('summarises passing steps per phase unless verbose', () => {
    const brief = renderCheckText(schedule);
    // Submitting passes on the example (managing no longer does: the reference page forgets UpdatePipeline).
    const submit = schedule.steps.filter((o) => o.step.phase === 'submit');
    expect(submit.every((o) => o.status === 'pass')).toBe(true);
    expect(brief).toContain(`✓ all ${submit.length} steps pass`);
    const runPasses = schedule.steps.filter((o) => o.step.phase === 'run' && o.status === 'pass').length;
    expect(brief).toContain(`✓ ${runPasses} other steps pass`);
    expect(brief).not.toContain('#40 List notebook jobs');
    const verbose = renderCheckText(schedule, { verbose: true });
    for (const o of schedule.steps) expect(verbose).toContain(`${o.step.number} ${o.step.title.slice(0, 12)}`);
    expect(verbose).not.toContain('other steps pass');
  });

  it('lists the merged changes to apply, each with the steps it fixes', () => {
    const text = renderCheckText(schedule);
    const apply = section(text, `Apply these ${schedule.fixes.length} changes`);
    expect(apply).toContain('Add to the trust policy of role NotebookJobRole: allow sts:AssumeRole');
    expect(apply).toContain('"Action": ["events:PutRule", "events:TagResource"]');
    expect(apply).toMatch(/fixes\s+#21 schedule\.put-rule, #22 schedule\.tag-rule/);
    expect(apply).toContain('Add tags cost-center=REPLACE-ME to the tags of user profile alice');
    const s = schedule.summary;
    expect(text.trimEnd().split('\n').slice(-2).join(' ').replace(/\s+/g, ' ')).toContain(
      `${s.steps} steps: ${s.pass} pass, ${s.fail} fail (3 when you schedule, 9 at run time, 2 when managing), ${s.warn} warn`,
    );
  });

  it('numbers the changes that fix required steps first, and marks optional ones', () => {
    const apply = section(renderCheckText(schedule), `Apply these ${schedule.fixes.length} changes`);
    const titles = apply.split('\n').filter((l) => /^\d+\. /.test(l));
    expect(titles).toHaveLength(schedule.fixes.length);
    expect(titles[0]).not.toContain('optional');
    const flat = apply.replace(/\s+/g, ' ');
    expect(flat.match(/\(optional: clears warnings only\)/g)).toHaveLength(changes(schedule).filter((c) => c.optional).length);
    expect(changes(schedule).filter((c) => c.optional).length).toBeGreaterThanOrEqual(2);
    expect(flat.indexOf('s3:PutEncryptionConfiguration (optional: clears warnings only)')).toBeGreaterThan(flat.indexOf('kms:GenerateDataKey'));
    // A failure points at the change that carries its fix.
    const text = renderCheckText(schedule);
    const n = titles.findIndex((l) => l.includes('trust policy of role NotebookJobRole')) + 1;
    expect(text.slice(text.indexOf('[run.events-assume-job-role]'))).toContain(`change ${n} below`);
  });

  it('shows conditions, undecided steps and owner-only changes', () => {
    const text = renderCheckText(variedExample());
    expect(section(text, 'Passes only under a condition')).toContain('allowed when aws:SourceIp is in 10.0.0.0/8');
    expect(section(text, 'Cannot decide')).toContain('missing     the SCPs of OU ml-workloads');
    expect(section(text, 'Changes only their owners can make')).toContain('run.create-training-job');
    expect(text).toContain('~ #40');
    expect(text).toContain('? #46');
    expect(text).toContain(EVIL.slice(0, 20));
  });

  it('never lets account text drive the terminal', () => {
    const r = variedExample();
    const evil = { ...r, notes: ['policy \u001b]0;pwned\u0007 \u001b[2J name \u202e'] };
    const text = renderCheckText(evil, { color: false });
    expect(text).not.toContain('\u001b');
    expect(text).not.toContain('\u202e');
    expect(text).toContain('\\u001b]0;pwned\\u0007');
    expect(terminalSafe('a\tb\nc')).toBe('a\tb\nc');
  });

  it('says so when everything passes', () => {
    const ok = { ...schedule, steps: schedule.steps.filter((o) => o.status === 'pass'), fixes: [], summary: { ...schedule.summary, fail: 0, warn: 0, failuresAtRunTime: 0, failuresAtSubmit: 0, ok: true } };
    const text = renderCheckText(ok);
    expect(text).toContain('✓ Notebook jobs will work.');
    expect(text).not.toContain('Apply these');
    expect(text).not.toContain('Fails ');
  });
});
