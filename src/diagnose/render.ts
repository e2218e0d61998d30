/**
 * `diagnose` reports: JSON (schemas/diagnose-result.schema.json), text for terminals and
 * Markdown for tickets and pull requests. Text and Markdown group the denials by step and
 * fix, so a CloudTrail file with a hundred denials of one step reads as one finding.
 */
import type { Fix } from '../notebook-jobs/fixes.js';
import { describeTarget } from '../notebook-jobs/fixes.js';
import { callerLabel, decidedByText, OWNER_LABEL } from '../report/check/model.js';
import { mdCode, mdFence, mdText } from '../report/check/markdown.js';
import { terminalSafe } from '../report/check/text.js';
import { painter, plural, wrap } from '../report/text-util.js';
import type { Diagnosis, Match, UnmatchedDenial } from './match.js';
import { layerName } from './match.js';
import type { Denial } from './parse.js';

export const DIAGNOSE_JSON_VERSION = 1;


interface FixJson {
  readonly target: Fix['target'];
  readonly statement: Record<string, unknown> | null;
  readonly tags: Readonly<Record<string, string>> | null;
  readonly owner: Fix['owner'];
  readonly summary: string;
}

function fixJson(f: Fix | undefined): FixJson | null {
  return f ? { target: f.target, statement: f.statement ?? null, tags: f.tags ?? null, owner: f.owner, summary: f.summary } : null;
}

function awsSaid(d: Denial): string {
  const layer = d.layer ? layerName(d.layer) : undefined;
  if (d.kind === 'explicit') return `explicit deny${layer ? ` in ${layer}` : ''}${d.policyArn ? ` (${d.policyArn})` : ''}`;
  if (d.kind === 'implicit') return `implicit deny: nothing allows it${layer ? ` in ${layer}` : ''}${d.policyArn ? ` (${d.policyArn})` : ''}`;
  if (layer) return `denied by ${layer}`;
  return `denied${d.errorCode ? ` (${d.errorCode})` : ''}, no policy type named`;
}

export interface DiagnoseJsonMeta {
  readonly snapshot: string;
  readonly accountId: string;
}

export function diagnosisToJson(r: Diagnosis, meta: DiagnoseJsonMeta): Record<string, unknown> {
  return {
    version: DIAGNOSE_JSON_VERSION,
    snapshot: meta.snapshot,
    accountId: meta.accountId,
    summary: {
      denials: r.denials,
      matched: new Set(r.matches.map((m) => m.denial)).size,
      unmatched: r.unmatched.length,
      skipped: r.skipped,
      agree: r.matches.filter((m) => m.agrees === true).length,
      disagree: r.matches.filter((m) => m.agrees === false).length,
      undecided: r.matches.filter((m) => m.agrees === null).length,
    },
    matches: r.matches.map((m) => {
      const o = m.outcome;
      const d = m.denial;
      const by = m.deciding;
      return {
        input: d.input,
        stepId: m.inFlow ? o.step.id : null,
        number: m.inFlow ? o.step.number : null,
        title: o.step.title,
        inFlow: m.inFlow,
        variant: m.variant,
        principal: d.principal ?? o.principal,
        sessionPrincipal: o.principal,
        action: d.action ?? o.step.action,
        resource: d.resource ?? o.step.resource,
        decision: o.decision,
        status: o.status,
        decidedBy: by
          ? {
              layer: by.layer,
              policy: by.policy,
              sid: by.sid ?? null,
              statementIndex: by.statementIndex ?? null,
              policyArn: by.policyArn ?? null,
              file: by.line !== undefined ? meta.snapshot : null,
              line: by.line ?? null,
              pointer: by.pointer ?? null,
              statement: by.statement ?? null,
            }
          : null,
        fix: fixJson(o.fix),
        ownerChange: o.ownerChange ? { owner: o.ownerChange.owner, summary: o.ownerChange.summary } : null,
        allowWhen: o.allowWhen ?? null,
        missing: o.missing?.length ? [...o.missing] : null,
        agrees: m.agrees,
        disagreements: m.disagreements,
        causes: m.causes,
        notes: m.notes,
        aws: {
          source: d.source,
          layer: d.layer ?? null,
          kind: d.kind ?? null,
          policyArn: d.policyArn ?? null,
          errorCode: d.errorCode ?? null,
          operation: d.operation ?? null,
          time: d.time ?? null,
          text: d.text,
        },
      };
    }),
    unmatched: r.unmatched.map((u) => ({
      input: u.input,
      reason: u.reason,
      text: u.text,
      principal: u.denial?.principal ?? null,
      action: u.denial?.action ?? null,
      resource: u.denial?.resource ?? null,
    })),
  };
}

export function renderDiagnoseJson(r: Diagnosis, meta: DiagnoseJsonMeta): string {
  return JSON.stringify(diagnosisToJson(r, meta), null, 2) + '\n';
}

/** Matches that share a step, a decision, a fix and a verdict: one finding. */
interface Group {
  readonly key: string;
  readonly matches: Match[];
}

function groupKey(m: Match): string {
  const o = m.outcome;
  return JSON.stringify([m.inFlow ? o.step.id : `${o.step.action} ${o.step.resource}`, o.decision, o.fix ?? null, o.ownerChange ?? null, m.agrees, m.disagreements]);
}

export function groupMatches(matches: readonly Match[]): Group[] {
  const groups = new Map<string, Match[]>();
  for (const m of matches) {
    const k = groupKey(m);
    groups.set(k, [...(groups.get(k) ?? []), m]);
  }
  return [...groups.entries()].map(([key, ms]) => ({ key, matches: ms }));
}

function stepLabel(m: Match): string {
  const s = m.outcome.step;
  return m.inFlow ? `${s.number} ${s.title} [${s.id}]` : `outside the notebook-job flow: ${s.action}`;
}

/** The resource as AWS named it, else the flow's. */
function requestResource(m: Match): string {
  const r = m.denial.resource;
  return r?.startsWith('arn:') ? r : m.outcome.step.resource;
}

/** Who calls, as people name it (as check's reports name it). */
export function callerText(m: Match): string {
  return callerLabel(m.outcome, m);
}

function verdictLabel(m: Match): string {
  if (m.agrees === true) return 'agrees with AWS';
  if (m.agrees === null) return 'cannot tell (the snapshot lacks what decides it)';
  return 'DISAGREES with AWS';
}

function shown(text: string, max = 400): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return terminalSafe(one.length > max ? `${one.slice(0, max)}…` : one);
}

function fixLines(f: Fix): { head: string; body: string } {
  return {
    head: `add to the ${describeTarget(f.target)}; owner: ${OWNER_LABEL[f.owner]}`,
    body: JSON.stringify(f.statement ?? f.tags ?? {}, null, 2),
  };
}

export interface DiagnoseTextOptions {
  readonly color?: boolean;
  readonly width?: number;
  readonly snapshot: string;
  readonly accountId: string;
}

function summaryLine(r: Diagnosis): string {
  const agree = r.matches.filter((m) => m.agrees === true).length;
  const disagree = r.matches.filter((m) => m.agrees === false).length;
  const undecided = r.matches.filter((m) => m.agrees === null).length;
  const parts = [`${plural(r.denials, 'denial')} read`];
  if (r.matches.length) parts.push(`${agree} explained by the snapshot`);
  if (disagree) parts.push(`${disagree} where it disagrees with AWS`);
  if (undecided) parts.push(`${undecided} it cannot decide`);
  if (r.unmatched.length) parts.push(`${r.unmatched.length} not matched`);
  if (r.skipped) parts.push(`${plural(r.skipped, 'record')} without an access error skipped`);
  return parts.join(', ');
}

export function renderDiagnoseText(r: Diagnosis, options: DiagnoseTextOptions): string {
  const width = options.width ?? 80;
  const paint = painter(options.color === true);
  const out: string[] = [];
  const row = (label: string, text: string): void => {
    const head = `  ${label.padEnd(11)} `;
    wrap(terminalSafe(text), width, ' '.repeat(head.length), head).forEach((l) => out.push(l));
  };
  out.push(`nbjob-iam diagnose: against ${options.snapshot} (account ${options.accountId})`);
  out.push(...wrap(summaryLine(r), width, '  ', '  '));
  if (!r.matches.length && !r.unmatched.length) {
    out.push('', paint('green', '✓ No access error in the input.'));
    return out.join('\n') + '\n';
  }
  for (const g of groupMatches(r.matches)) {
    const m = g.matches[0]!;
    const o = m.outcome;
    out.push('');
    const mark = m.agrees === false ? paint('yellow', '!') : paint('red', '✗');
    out.push(...wrap(terminalSafe(stepLabel(m)), width, '    ', `${mark} `));
    const inputs = [...new Set(g.matches.map((x) => x.denial.input))];
    row('input', inputs.length > 3 ? `${inputs.slice(0, 3).join(', ')} and ${inputs.length - 3} more` : inputs.join(', '));
    row('AWS said', awsSaid(m.denial));
    row('message', shown(m.denial.text, 200));
    row('request', `${callerText(m)} calls ${o.step.action} on ${requestResource(m)}`);
    row('snapshot', `${o.decision}${o.allowWhen ? ` when ${o.allowWhen}` : ''}: ${verdictLabel(m)}`);
    const by = m.deciding;
    if (by) {
      const text = decidedByText(o) ?? `${by.layer}: ${by.policy}`;
      row('decided by', `${text}${by.line !== undefined ? ` (${options.snapshot}:${by.line})` : ''}`);
    }
    if (o.missing?.length) row('missing', o.missing.join('; '));
    for (const n of m.notes) row('note', n);
    for (const d of m.disagreements) row(paint('yellow', 'differs'), d);
    if (m.causes.length) {
      out.push('  likely causes');
      for (const c of m.causes) out.push(...wrap(terminalSafe(c), width, '      ', '    - '));
    }
    if (o.fix) {
      const f = fixLines(o.fix);
      row('fix', f.head);
      for (const l of f.body.split('\n')) out.push(`    ${terminalSafe(l)}`);
      if (o.ownerChange) row('and', `${o.ownerChange.summary} (${OWNER_LABEL[o.ownerChange.owner]})`);
    } else if (o.ownerChange) {
      row('owner', `${OWNER_LABEL[o.ownerChange.owner]}: ${o.ownerChange.summary}`);
    } else if (o.decision !== 'Allow' && o.decision !== 'Undecided') {
      row('fix', 'none proven: no change we can make alone makes this request pass');
    }
  }
  if (r.unmatched.length) {
    out.push('', `Not matched (${r.unmatched.length})`);
    for (const u of r.unmatched) out.push(...renderUnmatched(u, width));
  }
  return out.join('\n') + '\n';
}

function renderUnmatched(u: UnmatchedDenial, width: number): string[] {
  return [
    ...wrap(terminalSafe(`${u.input}: ${u.reason}`), width, '    ', '  - '),
    ...wrap(`text: "${shown(u.text, 300)}"`, width, '      ', '    '),
  ];
}

export function renderDiagnoseMarkdown(r: Diagnosis, options: DiagnoseTextOptions): string {
  const out: string[] = [];
  out.push(`## nbjob-iam diagnose`, '', `Against ${mdCode(options.snapshot)} (account ${mdCode(options.accountId)}): ${mdText(summaryLine(r))}.`);
  for (const g of groupMatches(r.matches)) {
    const m = g.matches[0]!;
    const o = m.outcome;
    out.push('', `### ${m.agrees === false ? '⚠️' : '❌'} ${mdText(stepLabel(m))}`, '');
    const inputs = [...new Set(g.matches.map((x) => x.denial.input))];
    out.push(`- **Inputs:** ${inputs.map(mdCode).join(', ')}`);
    out.push(`- **AWS said:** ${mdText(awsSaid(m.denial))}`);
    out.push(`- **Request:** ${mdText(callerText(m))} calls ${mdCode(o.step.action)} on ${mdCode(requestResource(m))}`);
    out.push(`- **Snapshot:** ${o.decision}: ${mdText(verdictLabel(m))}`);
    if (m.deciding) out.push(`- **Decided by:** ${mdCode(decidedByText(o) ?? m.deciding.policy)}${m.deciding.line !== undefined ? ` (${mdCode(`${options.snapshot}:${m.deciding.line}`)})` : ''}`);
    for (const n of m.notes) out.push(`- **Note:** ${mdText(n)}`);
    for (const d of m.disagreements) out.push(`- **Differs:** ${mdText(d)}`);
    if (m.causes.length) {
      out.push('- **Likely causes:**');
      for (const c of m.causes) out.push(`  - ${mdText(c)}`);
    }
    if (o.fix) {
      out.push(`- **Fix:** ${mdText(fixLines(o.fix).head)}`, '', mdFence('json', fixLines(o.fix).body));
      if (o.ownerChange) out.push('', `- **And:** ${mdText(o.ownerChange.summary)} (${mdText(OWNER_LABEL[o.ownerChange.owner])})`);
    } else if (o.ownerChange) out.push(`- **Owner:** ${mdText(OWNER_LABEL[o.ownerChange.owner])}: ${mdText(o.ownerChange.summary)}`);
  }
  if (r.unmatched.length) {
    out.push('', `### Not matched (${r.unmatched.length})`, '');
    for (const u of r.unmatched) out.push(`- ${mdCode(u.input)}: ${mdText(u.reason)}`, '', mdFence('text', shown(u.text, 300)), '');
  }
  return out.join('\n') + '\n';
}
