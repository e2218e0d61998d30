/**
 * A check result as GitHub-flavoured Markdown, for pull requests: verdict, a table per
 * phase, each failure with its details and fix in fenced JSON, the merged changes, and
 * every step in a collapsible <details>. Everything from the account (policy names, Sids,
 * ARNs, notes) is escaped: a name cannot inject HTML, links or table cells.
 */
import type { CheckResult, StepOutcome } from '../../notebook-jobs/check.js';
import type { Fix } from '../../notebook-jobs/fixes.js';
import {
  byPhase,
  callerLabel,
  LAYER_LABEL,
  decisionText,
  dependsOnLines,
  fixContent,
  fixTitle,
  MARK,
  OPEN_QUESTION,
  OWNER_LABEL,
  phaseTitle,
  setupRows,
  STATUS_LABEL,
  changeNumber,
  changes,
  summaryText,
  targetText,
  timingOf,
  timingTitle,
  verdictLine,
  whenItFails,
} from './model.js';
import type { Timing } from './model.js';

export interface CheckMarkdownOptions {
  /** Heading level of the title (2 by default), so the report can sit inside a larger comment. */
  readonly headingLevel?: number;
}

/** Text for Markdown: HTML and Markdown punctuation escaped, on one line. */
export function mdText(text: string): string {
  return text
    .replace(/[\r\n]+/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]|~#!]/g, (c) => `\\${c}`);
}

/** A code span that no content can break out of (GFM: a longer backtick run; `|` escaped for tables). */
export function mdCode(text: string): string {
  const flat = text.replace(/[\r\n]+/g, ' ').replace(/\|/g, '\\|');
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** A fenced block that its content cannot close. */
export function mdFence(lang: string, content: string): string {
  const longest = Math.max(2, ...(content.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${lang}\n${content}\n${fence}`;
}

/**
 * The deciding policy and statement. Names from the account go in code spans: GitHub does
 * not turn `#12` or `@team` inside code into issue links or mentions.
 */
function mdDecidedBy(o: StepOutcome): string {
  const d = o.decidedBy;
  if (!d) return '';
  if (d.noAllowIn) return `${mdText(LAYER_LABEL[d.layer] ?? d.layer)}: no statement of ${(d.noAllowIn.length > 0 ? d.noAllowIn : [d.policy]).map(mdCode).join(', ')} allows it`;
  const st = d.sid !== undefined ? `, statement ${mdCode(d.sid)}` : d.statementIndex !== undefined ? `, statement ${mdCode(`#${d.statementIndex + 1}`)}` : '';
  return `${mdText(LAYER_LABEL[d.layer] ?? d.layer)}: ${mdCode(d.policy)}${st}`;
}

function htmlText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function fixLines(f: Fix, change: number | undefined): string[] {
  const where = f.target.kind === 'profile-tags' ? f.summary : `add to the ${targetText(f.target)}`;
  const ref = change !== undefined ? ` (change ${change} below)` : '';
  return [`- **Fix** (${mdText(OWNER_LABEL[f.owner])}): ${mdText(where)}${ref}`, '', mdFence('json', JSON.stringify(fixContent(f), null, 2)), ''];
}

function failureBlock(o: StepOutcome, result: CheckResult, level: number, change: number | undefined): string[] {
  const h = '#'.repeat(Math.min(6, level));
  const out = [`${h} ${MARK[o.status]} ${mdCode(o.step.number)} ${mdText(o.step.title)} ${mdCode(o.step.id)}`, ''];
  out.push(`- **Request:** ${mdText(callerLabel(o, result))} calls ${mdCode(o.step.action)} on ${mdCode(o.step.resource)}`);
  out.push(`- **Principal:** ${mdCode(o.principal)}`);
  out.push(`- **Decision:** ${mdText(decisionText(o))}`);
  const by = mdDecidedBy(o);
  if (by) out.push(`- **Decided by:** ${by}`);
  const m = o.decidedBy?.nearestMiss;
  if (m) {
    const st = mdCode(m.sid !== undefined ? m.sid : `#${m.statementIndex + 1}`);
    out.push(`- **Nearest miss:** ${mdCode(m.policy)}, statement ${st}${m.line > 0 ? `, line ${m.line}` : ''}: ${m.misses.length > 0 ? m.misses.map(mdText).join('; ') : 'its action matches'}`);
  }
  if (o.status === 'fail') out.push(`- **Fails:** ${mdText(whenItFails(o.step.phase, result.variant))}`);
  if (o.allowWhen) out.push(`- **Allowed when:** ${mdCode(o.allowWhen)}`);
  if (o.missing?.length) out.push(`- **Missing:** ${o.missing.map(mdText).join('; ')}`);
  if (o.dependsOn?.length) {
    out.push(`- **Depends on an open question:** ${mdText(OPEN_QUESTION[o.dependsOn[0]!.option])}`);
    for (const line of dependsOnLines(o)) out.push(`  - ${mdText(line)}`);
  }
  out.push(`- **Why:** ${mdText(o.step.why)}${o.step.evidence === 'inferred' ? ' (inferred: likely required)' : ''}`);
  if (o.ownerChange) out.push(`- **${o.fix ? 'Also' : 'Owner change'}** (${mdText(OWNER_LABEL[o.ownerChange.owner])}): ${mdText(o.ownerChange.summary)}`);
  if (o.fix) out.push(...fixLines(o.fix, change));
  else if (!o.ownerChange) out.push('- **Fix:** none proven; see the deciding policy.', '');
  else out.push('');
  return out;
}

function shortFix(o: StepOutcome, change: number | undefined): string {
  if (o.fix) return `${mdText(o.fix.summary)}${change !== undefined ? ` (change ${change})` : ''}`;
  if (o.ownerChange) return mdText(o.ownerChange.summary);
  return '';
}

export function renderCheckMarkdown(result: CheckResult, options: CheckMarkdownOptions = {}): string {
  const level = Math.max(1, Math.min(4, options.headingLevel ?? 2));
  const h = (n: number): string => '#'.repeat(Math.min(6, level + n));
  const s = result.summary;
  const list = changes(result);
  const change = (o: StepOutcome): number | undefined => changeNumber(list, o);
  const icon = s.ok ? '✅' : s.fail ? '❌' : '❔';
  const out: string[] = [`${h(0)} ${icon} nbjob-iam check: ${mdText(verdictLine(result))}`, ''];

  out.push(setupRows(result).map(([k, v]) => `**${mdText(k)}:** ${mdText(v)}`).join('<br>\n'), '');
  if (s.failuresAtSubmit) out.push(`- ${s.failuresAtSubmit} fail ${mdText(whenItFails(result.variant === 'schedule' ? 'schedule' : 'submit', result.variant))}.`);
  if (s.failuresAtRunTime) out.push(`- **${s.failuresAtRunTime} fail ${mdText(whenItFails('run', result.variant))}.**`);
  if (s.failuresAtSubmit || s.failuresAtRunTime) out.push('');

  // The summary table: one row per phase, in time order.
  out.push(`| Phase | ${MARK.pass} pass | ${MARK.fail} fail | \\${MARK.warn} warn | ${MARK.conditional} conditional | ? undecided | A failure shows |`);
  out.push('|---|---:|---:|---:|---:|---:|---|');
  for (const [i, g] of byPhase(result).entries()) {
    const n = (st: StepOutcome['status']): number => g.steps.filter((o) => o.status === st).length;
    out.push(`| ${i + 1}. ${mdText(phaseTitle(g.phase, result.variant))} | ${n('pass')} | ${n('fail') ? `**${n('fail')}**` : 0} | ${n('warn')} | ${n('conditional')} | ${n('undecided')} | ${mdText(whenItFails(g.phase, result.variant))} |`);
  }
  out.push(`| **All ${s.steps} steps** | ${s.pass} | **${s.fail}** | ${s.warn} | ${s.conditional} | ${s.undecided} | |`, '');

  for (const timing of ['at-once', 'run-time', 'manage'] as Timing[]) {
    const fails = result.steps.filter((o) => o.status === 'fail' && timingOf(o.step.phase) === timing);
    if (!fails.length) continue;
    out.push(`${h(1)} ${MARK.fail} ${mdText(timingTitle(timing, result.variant))}: ${fails.length}`, '');
    for (const o of fails) out.push(...failureBlock(o, result, level + 2, change(o)));
  }
  const others: [string, StepOutcome[]][] = [
    ['Cannot decide (the snapshot lacks something)', result.steps.filter((o) => o.status === 'undecided')],
    ['Passes only under a condition', result.steps.filter((o) => o.status === 'conditional')],
    ['Passes, but depends on an open question', result.steps.filter((o) => o.status === 'pass' && o.dependsOn?.length)],
  ];
  for (const [title, steps] of others) {
    if (!steps.length) continue;
    out.push(`${h(1)} ${mdText(title)}: ${steps.length}`, '');
    for (const o of steps) out.push(...failureBlock(o, result, level + 2, change(o)));
  }
  const warns = result.steps.filter((o) => o.status === 'warn');
  if (warns.length) {
    out.push(`${h(1)} \\${MARK.warn} Warnings (optional steps: jobs still work): ${warns.length}`, '');
    out.push('| Step | Action | Decided by | Fix |', '|---|---|---|---|');
    for (const o of warns) out.push(`| ${mdCode(o.step.number)} ${mdText(o.step.title)} | ${mdCode(o.step.action)} | ${mdDecidedBy(o)} | ${shortFix(o, change(o))} |`);
    out.push('');
  }

  if (result.fixes.length) {
    out.push(`${h(1)} Apply these ${result.fixes.length} change${result.fixes.length === 1 ? '' : 's'}`, '');
    for (const [i, c] of list.entries()) {
      const f = c.fix;
      const steps = c.steps.map((o) => mdCode(o.step.id)).join(', ');
      out.push(`${i + 1}. **${mdText(fixTitle(f))}**${c.optional ? ' (optional: clears warnings only)' : ''}<br>`, `   Who: ${mdText(OWNER_LABEL[f.owner])}${steps ? `. Fixes ${steps}` : ''}.`, '');
      out.push(
        mdFence('json', JSON.stringify(fixContent(f), null, 2))
          .split('\n')
          .map((l) => `   ${l}`)
          .join('\n'),
        '',
      );
    }
  }

  out.push('<details>', `<summary>All ${s.steps} steps</summary>`, '');
  out.push('| | # | Step | Phase | Caller | Action | Decision | Decided by |', '|---|---|---|---|---|---|---|---|');
  for (const o of result.steps) {
    out.push(
      `| ${MARK[o.status] === '!' ? '\\!' : MARK[o.status]} ${mdText(STATUS_LABEL[o.status])} | ${mdCode(o.step.number)} | ${mdText(o.step.title)} ${mdCode(o.step.id)} | ${mdText(o.step.phase)} | ${mdText(callerLabel(o, result))} | ${mdCode(o.step.action)} | ${mdText(o.decision)}${o.allowWhen ? ` when ${mdCode(o.allowWhen)}` : ''} | ${mdDecidedBy(o)} |`,
    );
  }
  out.push('', '</details>', '');

  if (result.notes.length) {
    out.push(`${h(1)} Notes`, '', ...result.notes.map((n) => `- ${mdText(n)}`), '');
  }
  out.push(`<sub>${htmlText(summaryText(result))}</sub>`, '');
  return out.join('\n');
}
