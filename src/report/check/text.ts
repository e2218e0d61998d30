/**
 * A check result for the terminal: fits the width (80 by default), colour only when asked.
 * Order: who and what was checked; the verdict; every phase in time order, passing steps
 * summarised; then each failure in detail, those seen at once apart from those that only
 * show when the job runs; warnings, open questions; the merged changes to apply; notes.
 */
import type { CheckResult, StepOutcome } from '../../notebook-jobs/check.js';
import type { Fix } from '../../notebook-jobs/fixes.js';
import type { Style } from '../text-util.js';
import { painter, wrap } from '../text-util.js';
import { jsonLines } from './layout.js';
import {
  byPhase,
  callerLabel,
  decidedByText,
  nearestMissText,
  decisionText,
  dependsOnLines,
  fixContent,
  fixTitle,
  isNotable,
  MARK,
  OPEN_QUESTION,
  OWNER_LABEL,
  phaseTitle,
  setupRows,
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
import type { Phase, Variant } from '../../notebook-jobs/flow.js';

function whenShort(phase: Phase, variant: Variant): string {
  const t: Record<Phase, string> = { form: 'when the form opens', submit: 'at submit', 'run-now': 'at submit', schedule: 'when scheduling', run: variant === 'schedule' ? 'at every run' : 'when the job runs', manage: 'when managing jobs' };
  return t[phase];
}

export interface CheckTextOptions {
  /** ANSI colour; the CLI decides (a TTY, and NO_COLOR unset). */
  readonly color?: boolean;
  /** List every step, not only the ones to look at. */
  readonly verbose?: boolean;
  /** Columns; 80 by default. */
  readonly width?: number;
}

/**
 * Account text is untrusted: control characters (an escape sequence in a policy name could
 * drive the terminal) and bidirectional overrides are shown as \\u escapes.
 */
export function terminalSafe(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const MARK_STYLE: Record<StepOutcome['status'], Style> = { pass: 'green', fail: 'red', warn: 'yellow', undecided: 'cyan', conditional: 'cyan' };
const LABEL = 12;

class Out {
  readonly lines: string[] = [];
  constructor(
    readonly width: number,
    readonly paint: (style: Style, text: string) => string,
  ) {}

  blank(): void {
    if (this.lines.length && this.lines[this.lines.length - 1] !== '') this.lines.push('');
  }
  heading(text: string): void {
    this.blank();
    const t = text.length > this.width ? wrap(text, this.width) : [text];
    for (const l of t) this.lines.push(this.paint('bold', l));
    this.lines.push(this.paint('dim', '─'.repeat(Math.min(this.width, Math.max(...t.map((l) => l.length))))));
  }
  para(text: string, indent = '', first = indent): void {
    this.lines.push(...wrap(terminalSafe(text), this.width, indent, first));
  }
  /**
   * `label      value`, the value wrapped under itself; a value with a word too long for
   * that column (a long ARN) goes under the label, indented less; a word longer than
   * even that line stays whole (wrap never cuts a word).
   */
  row(indent: string, label: string, raw: string, style?: Style): void {
    const value = terminalSafe(raw);
    const pad = indent + label.padEnd(LABEL - 1) + ' ';
    const longest = Math.max(0, ...value.split(/\s+/).map((w) => w.length));
    const under = indent + '  ';
    const lines =
      longest > this.width - pad.length && label !== ''
        ? [indent + label, ...wrap(value, this.width, under, under)]
        : wrap(value, this.width, ' '.repeat(pad.length), pad);
    this.lines.push(...lines.map((l, i) => (i === 0 && style && label ? indent + this.paint(style, label) + l.slice(indent.length + label.length) : l)));
  }
  /** A line starting with a status mark at `indent`, coloured after wrapping. */
  marked(indent: string, o: StepOutcome, text: string): void {
    const lines = wrap(terminalSafe(text), this.width, indent + '    ', `${indent}${MARK[o.status]} `);
    lines[0] = indent + this.paint(MARK_STYLE[o.status], MARK[o.status]) + lines[0]!.slice(indent.length + 1);
    this.lines.push(...lines);
  }
  /**
   * JSON laid out to the width where it can be; a string longer than the line is never
   * cut (JSON has no line continuation), so every block pastes as valid JSON.
   */
  json(value: unknown, indent: string): void {
    this.lines.push(...jsonLines(value, this.width, indent).map(terminalSafe));
  }
}

function stepLine(o: StepOutcome): string {
  const tail = o.status === 'warn' ? ' (optional)' : o.status === 'conditional' ? ' (conditional)' : o.status === 'undecided' ? ' (undecided)' : '';
  const q = o.dependsOn?.length ? ' [open question]' : '';
  const action = o.step.title.includes(o.step.action) ? '' : `: ${o.step.action}`;
  return `${o.step.number} ${o.step.title}${action}${tail}${q}`;
}

/** The fix of one step: where it goes, who makes it, which merged change carries it, the JSON. */
function fixBlock(out: Out, f: Fix, indent: string, change: number | undefined, withJson: boolean): void {
  const where = f.target.kind === 'profile-tags' ? f.summary : `add to the ${targetText(f.target)}`;
  const ref = change !== undefined ? `; change ${change} below` : '';
  out.row(indent, 'fix', `${where} (${OWNER_LABEL[f.owner]}${ref})${withJson ? ':' : ''}`, 'green');
  if (withJson) out.json(fixContent(f), indent + '  ');
}

function detail(out: Out, o: StepOutcome, result: CheckResult, brief: boolean, change: (o: StepOutcome) => number | undefined): void {
  out.blank();
  out.marked('', o, `${o.step.number} ${o.step.title} [${o.step.id}]`);
  const ind = '  ';
  out.row(ind, 'request', `${callerLabel(o, result)} calls ${o.step.action} on ${o.step.resource}`);
  if (!brief) out.row(ind, 'principal', o.principal);
  out.row(ind, 'decision', decisionText(o), o.status === 'fail' ? 'red' : o.status === 'warn' ? 'yellow' : 'cyan');
  const by = decidedByText(o);
  if (by) out.row(ind, 'decided by', by);
  const miss = nearestMissText(o);
  if (miss) out.row(ind, 'near miss', miss);
  if (o.status === 'fail') out.row(ind, 'fails', whenItFails(o.step.phase, result.variant), 'red');
  if (o.status === 'warn') out.row(ind, 'denied', `${whenShort(o.step.phase, result.variant)}; optional: jobs still work`);
  if (o.allowWhen) out.row(ind, 'allowed when', o.allowWhen);
  if (o.missing?.length) out.row(ind, 'missing', o.missing.join('; '));
  if (o.dependsOn?.length) {
    out.row(ind, 'depends on', `open question ${OPEN_QUESTION[o.dependsOn[0]!.option]}`);
    for (const line of dependsOnLines(o)) out.row(ind, '', `if ${line}`);
  }
  if (!brief) out.row(ind, 'why', `${o.step.why}${o.step.evidence === 'inferred' ? ' (inferred: likely required)' : ''}`);
  if (o.fix) fixBlock(out, o.fix, ind, change(o), !brief);
  if (o.ownerChange) out.row(ind, o.fix ? 'also' : 'owner change', `${o.ownerChange.summary} (${OWNER_LABEL[o.ownerChange.owner]})`, 'yellow');
  if (!o.fix && !o.ownerChange && (o.status === 'fail' || o.status === 'warn')) out.row(ind, 'fix', 'none proven: see the deciding policy above');
}

export function renderCheckText(result: CheckResult, options: CheckTextOptions = {}): string {
  const width = Math.max(40, options.width ?? 80);
  const paint = painter(options.color ?? false);
  const out = new Out(width, paint);
  const s = result.summary;

  out.para(`nbjob-iam check: SageMaker Studio notebook jobs, ${result.variant}`);
  out.lines[0] = paint('bold', out.lines[0]!);
  for (const [label, value] of setupRows(result)) out.row('  ', label, value);

  out.blank();
  const verdict = wrap(verdictLine(result), width, '  ', `${s.ok ? MARK.pass : s.fail ? MARK.fail : MARK.undecided} `);
  out.lines.push(...verdict.map((l) => paint(s.ok ? 'green' : s.fail ? 'red' : 'cyan', l)));
  if (s.failuresAtSubmit) out.para(`${s.failuresAtSubmit} fail ${whenItFails(result.variant === 'schedule' ? 'schedule' : 'submit', result.variant)}.`, '    ', '  ');
  if (s.failuresAtRunTime) out.para(`${s.failuresAtRunTime} fail ${whenItFails('run', result.variant)}.`, '    ', '  ');
  const manage = s.fail - s.failuresAtSubmit - s.failuresAtRunTime;
  if (manage > 0) out.para(`${manage} fail ${whenItFails('manage', result.variant)}.`, '    ', '  ');

  // Every phase, in time order.
  out.heading(options.verbose ? 'Steps, in the order they happen' : 'Steps, in the order they happen (passing steps summarised)');
  for (const [i, g] of byPhase(result).entries()) {
    out.blank();
    const counts = (['fail', 'warn', 'undecided', 'conditional', 'pass'] as const)
      .map((st) => [st, g.steps.filter((o) => o.status === st).length] as const)
      .filter(([, n]) => n > 0)
      .map(([st, n]) => `${n} ${MARK[st]}`)
      .join(' ');
    out.para(`${i + 1}. ${phaseTitle(g.phase, result.variant)}: ${counts}`, '   ');
    const shown = options.verbose ? g.steps : g.steps.filter(isNotable);
    const hidden = g.steps.length - shown.length;
    for (const o of shown) out.marked('   ', o, stepLine(o));
    if (hidden > 0) out.lines.push(`   ${paint('green', MARK.pass)} ${shown.length ? `${hidden} other step${hidden === 1 ? '' : 's'} pass` : `all ${hidden} step${hidden === 1 ? '' : 's'} pass`}`);
  }

  const list = changes(result);
  const change = (o: StepOutcome): number | undefined => changeNumber(list, o);

  // Failures in detail, by when they show.
  for (const timing of ['at-once', 'run-time', 'manage'] as Timing[]) {
    const fails = result.steps.filter((o) => o.status === 'fail' && timingOf(o.step.phase) === timing);
    if (!fails.length) continue;
    out.heading(`${timingTitle(timing, result.variant)}: ${fails.length}`);
    for (const o of fails) detail(out, o, result, false, change);
  }
  const undecided = result.steps.filter((o) => o.status === 'undecided');
  if (undecided.length) {
    out.heading(`Cannot decide (the snapshot lacks something): ${undecided.length}`);
    for (const o of undecided) detail(out, o, result, false, change);
  }
  const warns = result.steps.filter((o) => o.status === 'warn');
  if (warns.length) {
    out.heading(`Warnings (optional steps: jobs still work): ${warns.length}`);
    for (const o of warns) detail(out, o, result, true, change);
  }
  const conditional = result.steps.filter((o) => o.status === 'conditional');
  if (conditional.length) {
    out.heading(`Passes only under a condition: ${conditional.length}`);
    for (const o of conditional) detail(out, o, result, true, change);
  }
  const openPasses = result.steps.filter((o) => o.status === 'pass' && o.dependsOn?.length);
  if (openPasses.length) {
    out.heading(`Passes, but depends on an open question: ${openPasses.length}`);
    for (const o of openPasses) detail(out, o, result, true, change);
  }

  if (result.fixes.length) {
    out.heading(`Apply these ${result.fixes.length} change${result.fixes.length === 1 ? '' : 's'}`);
    for (const [i, { fix: f, steps, optional }] of list.entries()) {
      out.blank();
      const n = `${i + 1}. `.padEnd(4);
      out.para(`${fixTitle(f)}${optional ? ' (optional: clears warnings only)' : ''}`, ' '.repeat(n.length), n);
      out.row('    ', 'who', OWNER_LABEL[f.owner]);
      const ids = steps.map((o) => `${o.step.number} ${o.step.id}${o.status === 'warn' ? ' (optional)' : ''}`);
      if (ids.length) out.row('    ', 'fixes', ids.join(', '));
      out.json(fixContent(f), '    ');
    }
    const owners = [...new Set(result.fixes.map((f) => f.owner))].filter((o) => o !== 'account');
    if (owners.length) {
      out.blank();
      out.para(`Some changes belong to others: ${owners.map((o) => OWNER_LABEL[o]).join(', ')}.`);
    }
  }
  const ownerOnly = result.steps.filter((o) => o.ownerChange && !o.fix);
  if (ownerOnly.length) {
    out.heading(`Changes only their owners can make: ${ownerOnly.length}`);
    for (const o of ownerOnly) out.para(`${o.step.number} ${o.step.id}: ${o.ownerChange!.summary} (${OWNER_LABEL[o.ownerChange!.owner]})`, '    ', '  - ');
  }

  if (result.notes.length) {
    out.heading('Notes');
    for (const n of result.notes) out.para(n, '    ', '  - ');
  }

  out.blank();
  const line = wrap(`${s.ok ? MARK.pass : MARK.fail} ${summaryText(result)}`, width, '  ');
  out.lines.push(...line.map((l) => paint('bold', l)));
  return out.lines.join('\n') + '\n';
}

