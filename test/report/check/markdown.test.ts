import { describe, expect, it } from 'vitest';
import { mdCode, mdFence, mdText, renderCheckMarkdown } from '../../../src/report/check/index.js';
import { checkExample, EVIL, RUN_FAILURES, SCHEDULE_FAILURES, variedExample } from './fixture.js';

const schedule = checkExample('schedule');

/** The fenced json blocks of a Markdown text, parsed. */
function jsonBlocks(md: string): unknown[] {
  return [...md.matchAll(/^ *(`{3,})json\n([\s\S]*?)\n *\1$/gm)].map((m) => JSON.parse(m[2]!.replace(/^ {3}/gm, '')) as unknown);
}

describe('markdown report', () => {
  const md = renderCheckMarkdown(schedule);

  it('has the verdict and the summary table, one row per phase in time order', () => {
    expect(md.split('\n')[0]).toBe('## ❌ nbjob-iam check: Notebook jobs will not work: 14 failures.');
    expect(md).toContain('| Phase | ✓ pass | ✗ fail | \\! warn | ~ conditional | ? undecided | A failure shows |');
    const rows = md.split('\n').filter((l) => /^\| \d\. /.test(l));
    expect(rows.map((r) => r.split(' | ')[0])).toEqual([
      '| 1. Opening the Create notebook job form',
      '| 2. Submitting the job',
      '| 3. Scheduling the job (job definition)',
      '| 4. Every scheduled run (hours later)',
      '| 5. Viewing and managing jobs in Studio',
    ]);
    const run = schedule.steps.filter((o) => o.step.phase === 'run');
    const n = (st: string): number => run.filter((o) => o.status === st).length;
    expect(rows[3]).toContain(`| ${n('pass')} | **${n('fail')}** | ${n('warn')} | 0 | 0 | later, at every run, hours after scheduling`);
    const s = schedule.summary;
    expect(md).toContain(`| **All ${s.steps} steps** | ${s.pass} | **${s.fail}** | ${s.warn} | 0 | 0 | |`);
  });

  it('details each failure under when it shows, with its fix in fenced json', () => {
    const atOnce = md.slice(md.indexOf('### ✗ Fails when you schedule'), md.indexOf('### ✗ Fails later'));
    const later = md.slice(md.indexOf('### ✗ Fails later, at every run'), md.indexOf('### \\! Warnings'));
    for (const id of SCHEDULE_FAILURES) expect(atOnce).toContain(`\`${id}\``);
    for (const id of RUN_FAILURES) expect(later).toContain(`\`${id}\``);
    expect(later).toContain('- **Decided by:** service control policy: `SCP RequireCostCenterOnTraining (attached to OU ml-workloads)`, statement `DenyUntaggedTraining`');
    const blocks = jsonBlocks(md);
    expect(blocks).toContainEqual({ Sid: 'TrustEvents', Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sts:AssumeRole' });
    expect(blocks).toContainEqual({ 'cost-center': 'REPLACE-ME' });
  });

  it('lists the merged changes and every step in a collapsible block', () => {
    expect(md).toContain(`### Apply these ${schedule.fixes.length} changes`);
    const details = md.slice(md.indexOf('<details>'), md.indexOf('</details>'));
    expect(details).toContain(`<summary>All ${schedule.steps.length} steps</summary>`);
    for (const o of schedule.steps) expect(details).toContain(`\`${o.step.id}\``);
    expect(details.split('\n').filter((l) => l.startsWith('| ')).length).toBe(schedule.steps.length + 1);
  });

  it('puts step numbers and policy names in code, where GitHub makes no issue links or mentions', () => {
    expect(md).toContain('#### ✗ `#21` Create the EventBridge rule that fires the schedule `schedule.put-rule`');
    expect(md).not.toMatch(/(^|[^`])#\d/m);
  });

  it('escapes account text: no HTML, no broken tables, no escaping fences', () => {
    const evil = renderCheckMarkdown(variedExample());
    // Outside code spans (where GFM shows `<` as text), no markup survives.
    const outsideCode = evil.replace(/(`+)([\s\S]*?[^`])\1(?!`)/g, '');
    expect(outsideCode).not.toContain('<script');
    expect(outsideCode).not.toContain('<img');
    expect(evil).toContain('&lt;script&gt;');
    expect(evil).toContain('statement `Deny"Sid\'<b>`');
    // Every table row still has its number of cells.
    for (const line of evil.split('\n').filter((l) => l.startsWith('| ') && l.includes('run.create-training-job'))) {
      expect(line.split(/(?<!\\)\|/).length - 2).toBe(8);
    }
    expect(mdText('a|b<c>*d*')).toBe('a\\|b&lt;c&gt;\\*d\\*');
    expect(mdCode('x`y|z')).toBe('``x`y\\|z``');
    expect(mdFence('json', '"```"')).toBe('````json\n"```"\n````');
  });

  it('shows conditions and undecided steps, and can nest under another heading', () => {
    const varied = renderCheckMarkdown(variedExample(), { headingLevel: 3 });
    expect(varied.startsWith('### ')).toBe(true);
    expect(varied).toContain('- **Allowed when:** `aws:SourceIp is in 10.0.0.0/8`');
    expect(varied).toContain('- **Missing:** the SCPs of OU ml-workloads');
    expect(varied).toContain('**Owner change** (the organization admins (SCP/RCP))');
    expect(EVIL).toContain('<script>');
  });
});
