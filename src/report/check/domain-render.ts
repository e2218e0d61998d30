/**
 * Renderers of a domain report (see domain.ts): each writes a beginning, one section per
 * profile as it comes, and an end holding the summary ("what fails, for how many", and a
 * matrix of steps × profiles in Markdown and HTML). The concatenation is one document:
 * JSON that validates against schemas/check-result.schema.json, one SARIF run, one
 * self-contained HTML page (unique element ids: each profile's start with `p<n>-`),
 * Markdown, text. A renderer keeps nothing per profile but SARIF's rule table.
 */
import type { StepStatus } from '../../notebook-jobs/check.js';
import { checkResultToJson, CHECK_JSON_VERSION } from './json.js';
import type { CheckJson } from './json.js';
import { checkReportHtml, escapeHtml, htmlPageEnd, htmlPageStart, stepAnchor } from './html.js';
import { mdCode, mdText, renderCheckMarkdown } from './markdown.js';
import { MARK, STATUS_LABEL } from './model.js';
import { checkSarifResults, DEFAULT_TOOL, sarifArtifact, sarifDriver, SarifRules } from './sarif.js';
import type { CheckSarifOptions } from './sarif.js';
import { SARIF_SCHEMA_URI } from '../sarif.js';
import { renderCheckText } from './text.js';
import type { CheckTextOptions } from './text.js';
import { DomainTally, domainVerdict, profileRef, profilesWith, statusOfCode, whatFails } from './domain.js';
import type { DomainSummary, ProfileCheck, ProfileRef, ProfileRow, StepTally } from './domain.js';

export const DOMAIN_FORMATS = ['text', 'markdown', 'json', 'sarif', 'html'] as const;
export type DomainFormat = (typeof DOMAIN_FORMATS)[number];

export type DomainRenderOptions = CheckTextOptions & CheckSarifOptions;

/** Writes a domain report in pieces: `begin()`, `profile(p, n)` for n = 1, 2, …, `end(summary)`. */
export interface DomainRenderer {
  begin(): string;
  /** `n` is the profile's 1-based position (`DomainTally.add` returns it). */
  profile(p: ProfileCheck, n: number): string;
  end(summary: DomainSummary): string;
}

/** At most this many profiles get a column of the matrix (and are listed by name in human summaries). */
export const MATRIX_PROFILES = 40;

// ---------------------------------------------------------------------------------------
// JSON

/** A profile of a domain report (schemas/check-result.schema.json `$defs/domainProfile`). */
export interface DomainJsonProfile extends ProfileRef {
  readonly label: string;
  readonly ok: boolean;
  readonly result: CheckJson;
}

export interface DomainJsonStep {
  readonly id: string;
  readonly number: string;
  readonly title: string;
  readonly phase: string;
  readonly required: boolean;
  readonly counts: Readonly<Record<StepStatus, number>>;
  /** Labels of the profiles the step fails, is undecided or warns for. */
  readonly profiles: { readonly fail: readonly string[]; readonly undecided: readonly string[]; readonly warn: readonly string[] };
}

export interface DomainJsonSummary {
  readonly profiles: number;
  readonly ok: number;
  readonly failing: number;
  readonly undecided: number;
  readonly verdict: string;
  /** What fails, for how many: the steps that fail, are undecided or warn anywhere, the most failing first. */
  readonly whatFails: readonly DomainJsonStep[];
}

export function domainSummaryJson(s: DomainSummary): DomainJsonSummary {
  return {
    profiles: s.profiles,
    ok: s.ok,
    failing: s.failing,
    undecided: s.undecided,
    verdict: domainVerdict(s),
    whatFails: whatFails(s).map(({ step, index }) => ({
      id: step.id,
      number: step.number,
      title: step.title,
      phase: step.phase,
      required: step.required,
      counts: step.counts,
      profiles: { fail: profilesWith(s, index, 'fail'), undecided: profilesWith(s, index, 'undecided'), warn: profilesWith(s, index, 'warn') },
    })),
  };
}

function indent(text: string, by: string): string {
  return text
    .split('\n')
    .map((l) => by + l)
    .join('\n');
}

function jsonRenderer(): DomainRenderer {
  return {
    begin: () => `{\n  "version": ${CHECK_JSON_VERSION},\n  "kind": "domain",\n  "profiles": [`,
    profile: (p, n) => {
      const body: DomainJsonProfile = { label: p.label, ...profileRef(p.result.setup), ok: p.result.summary.ok, result: checkResultToJson(p.result) };
      return `${n > 1 ? ',' : ''}\n${indent(JSON.stringify(body, null, 2), '    ')}`;
    },
    end: (s) => `${s.profiles ? '\n  ' : ''}],\n  "ok": ${s.ok === s.profiles},\n  "summary": ${indent(JSON.stringify(domainSummaryJson(s), null, 2), '  ').trimStart()}\n}\n`,
  };
}

// ---------------------------------------------------------------------------------------
// SARIF: one run; results of every profile; rules and the summary written at the end.

function sarifRenderer(options: CheckSarifOptions): DomainRenderer {
  const rules = new SarifRules();
  const artifact = sarifArtifact(options);
  let written = 0;
  return {
    begin: () => `{\n  "$schema": ${JSON.stringify(SARIF_SCHEMA_URI)},\n  "version": "2.1.0",\n  "runs": [\n    {\n      "results": [`,
    profile: (p) =>
      checkSarifResults(p.result, rules, artifact)
        .map((r) => `${written++ ? ',' : ''}\n${indent(JSON.stringify(r, null, 2), '        ')}`)
        .join(''),
    end: (s) => {
      const rest = {
        tool: sarifDriver(options.tool ?? DEFAULT_TOOL, rules.rules),
        ...(artifact ? { artifacts: [{ location: artifact.location }] } : {}),
        ...(artifact?.originalUriBaseIds ? { originalUriBaseIds: artifact.originalUriBaseIds } : {}),
        properties: { kind: 'domain', variants: s.variants, accountIds: s.accountIds, summary: domainSummaryJson(s) },
      };
      const members = Object.entries(rest).map(([k, v]) => `      ${JSON.stringify(k)}: ${indent(JSON.stringify(v, null, 2), '      ').trimStart()}`);
      return `${written ? '\n      ' : ''}],\n${members.join(',\n')}\n    }\n  ]\n}\n`;
    },
  };
}

// ---------------------------------------------------------------------------------------
// Markdown

function mdCell(code: string | undefined): string {
  const st = statusOfCode(code);
  if (!st) return '';
  return st === 'warn' ? '\\!' : MARK[st];
}

function markdownSummary(s: DomainSummary): string[] {
  const out = [`## ${s.ok === s.profiles ? '✅' : '❌'} Summary: ${mdText(domainVerdict(s))}`, ''];
  out.push('| profile or space | fail | at run time | undecided | status |', '| --- | ---: | ---: | ---: | --- |');
  for (const r of s.rows.slice(0, MATRIX_PROFILES * 5)) out.push(`| ${mdText(r.label)} | ${r.fail} | ${r.failuresAtRunTime} | ${r.undecided} | ${r.ok ? '✅ works' : r.fail ? '❌ fails' : '❔ undecided'} |`);
  if (s.rows.length > MATRIX_PROFILES * 5) out.push(`| … and ${s.rows.length - MATRIX_PROFILES * 5} more | | | | |`);
  out.push('');
  const wf = whatFails(s);
  if (wf.length) {
    out.push('### What fails, for how many', '', '| step | phase | fail | undecided | warn |', '| --- | --- | ---: | ---: | ---: |');
    for (const { step } of wf) out.push(`| ${mdCode(step.number)} ${mdText(step.title)} ${mdCode(step.id)} | ${mdText(step.phase)} | ${step.counts.fail} of ${s.profiles} | ${step.counts.undecided} | ${step.counts.warn} |`);
    out.push('');
    const cols = s.rows.slice(0, MATRIX_PROFILES);
    out.push(`### Steps × profiles${cols.length < s.rows.length ? ` (the first ${cols.length} of ${s.rows.length})` : ''}`, '');
    out.push(`| step | ${cols.map((r, i) => `P${i + 1}`).join(' | ')} |`, `| --- | ${cols.map(() => ':-:').join(' | ')} |`);
    for (const { step, index } of wf) out.push(`| ${mdCode(step.id)} | ${cols.map((r) => mdCell(r.codes[index])).join(' | ')} |`);
    out.push('', cols.map((r, i) => `P${i + 1}: ${mdText(r.label)}`).join('<br>\n'), '');
    out.push(`${MARK.pass} pass, ${MARK.fail} fail, \\${MARK.warn} warning, ${MARK.undecided} undecided, ${MARK.conditional} conditional; empty: the step is not in that profile's flow.`, '');
  }
  return out;
}

function markdownRenderer(): DomainRenderer {
  return {
    begin: () => '# nbjob-iam check: every profile and space of the domain\n\nEach profile in detail, then the summary: what fails, for how many.\n\n',
    profile: (p) => {
      const r = p.result.summary;
      const status = r.ok ? '✅ works' : r.fail ? `❌ ${r.fail} failure${r.fail === 1 ? '' : 's'}` : `❔ ${r.undecided} undecided`;
      return ['<details>', `<summary>${escapeHtml(p.label)}: ${status}</summary>`, '', renderCheckMarkdown(p.result, { headingLevel: 3 }), '</details>', '', ''].join('\n');
    },
    end: (s) => markdownSummary(s).join('\n'),
  };
}

// ---------------------------------------------------------------------------------------
// HTML: one page; each profile a <section id="p<n>">, the summary first on screen (CSS
// order), though written last.

const e = escapeHtml;

function cellHtml(row: ProfileRow, n: number, step: StepTally, index: number): string {
  const st = statusOfCode(row.codes[index]);
  if (!st) return '<td></td>';
  const mark = `<span class="m s-${st}" title="${e(`${STATUS_LABEL[st]}: ${row.label}`)}">${e(MARK[st])}</span>`;
  return st === 'pass' ? `<td>${mark}</td>` : `<td><a href="#${stepAnchor(`p${n}-`, step.id)}">${mark}</a></td>`;
}

function htmlSummary(s: DomainSummary): string {
  const out: string[] = [`<section id="domain-summary"><header><p class="sub">nbjob-iam check · SageMaker Studio notebook jobs · every profile and space</p>`];
  out.push(`<h1 class="verdict${s.ok === s.profiles ? ' ok' : s.failing ? '' : ' und'}">${e(domainVerdict(s))}</h1></header>`);
  out.push('<h2>Profiles and spaces</h2><table class="matrix"><thead><tr><th class="step">profile or space</th><th>fail</th><th>at run time</th><th>undecided</th><th>status</th></tr></thead><tbody>');
  for (const [i, r] of s.rows.entries()) {
    out.push(`<tr><td class="step"><a href="#p${i + 1}">${e(r.label)}</a></td><td>${r.fail}</td><td>${r.failuresAtRunTime}</td><td>${r.undecided}</td><td class="${r.ok ? 'c-pass' : r.fail ? 'c-fail' : 'c-undecided'}">${r.ok ? 'works' : r.fail ? 'fails' : 'undecided'}</td></tr>`);
  }
  out.push('</tbody></table>');
  const wf = whatFails(s);
  if (wf.length) {
    const cols = s.rows.slice(0, MATRIX_PROFILES);
    out.push(`<h2 id="what-fails">What fails, for how many</h2><div class="matrix-wrap"><table class="matrix"><thead><tr><th class="step">step</th><th>fails for</th><th>undecided</th><th>warns</th>`);
    out.push(...cols.map((r, i) => `<th title="${e(r.label)}"><a href="#p${i + 1}">P${i + 1}</a></th>`));
    out.push('</tr></thead><tbody>');
    for (const { step, index } of wf) {
      out.push(`<tr><td class="step">${e(step.number)} ${e(step.title)} <code>${e(step.id)}</code></td><td>${step.counts.fail} of ${s.profiles}</td><td>${step.counts.undecided}</td><td>${step.counts.warn}</td>`);
      out.push(...cols.map((r, i) => cellHtml(r, i + 1, step, index)), '</tr>');
    }
    out.push('</tbody></table></div>');
    if (cols.length < s.rows.length) out.push(`<p class="n">Columns: the first ${cols.length} of ${s.rows.length} profiles; every profile is counted.</p>`);
    out.push(`<p class="n">${cols.map((r, i) => `P${i + 1}: ${e(r.label)}`).join(' · ')}</p>`);
  } else {
    out.push(`<p class="c-pass">No step fails, warns or is undecided for any profile.</p>`);
  }
  out.push('</section>');
  return out.join('\n');
}

function htmlRenderer(): DomainRenderer {
  return {
    begin: () => htmlPageStart('nbjob-iam check: every profile and space', 'domain'),
    profile: (p, n) => `<section class="profile" id="p${n}">\n${checkReportHtml(p.result, { idPrefix: `p${n}-`, titleTag: 'h2', notableOnly: true }, undefined, `P${n}: ${p.label}`)}\n</section>\n`,
    end: (s) => `${htmlSummary(s)}\n${htmlPageEnd()}`,
  };
}

// ---------------------------------------------------------------------------------------
// Text

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

function clip(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}

function textRenderer(options: CheckTextOptions): DomainRenderer {
  const width = Math.max(40, options.width ?? 80);
  return {
    begin: () => '',
    profile: (p) => {
      const title = `==== ${p.label} `;
      return `${clip(pad(title, width), width).replace(/ +$/, (m) => '='.repeat(m.length))}\n\n${renderCheckText(p.result, options)}\n`;
    },
    end: (s) => {
      const w = Math.min(40, Math.max(20, ...s.rows.map((r) => r.label.length)));
      const lines = ['Notebook jobs: every profile and space', '', `${pad('profile or space', w)}  fail  at run  status`];
      for (const r of s.rows) lines.push(`${pad(clip(r.label, w), w)}  ${pad(String(r.fail), 4)}  ${pad(String(r.failuresAtRunTime), 6)}  ${r.ok ? 'works' : r.fail ? 'FAILS' : 'undecided'}`);
      lines.push('', domainVerdict(s));
      const wf = whatFails(s);
      if (wf.length) {
        lines.push('', 'What fails, for how many:');
        for (const { step } of wf) {
          const c = step.counts;
          const n = c.fail ? `${c.fail}/${s.profiles}` : c.undecided ? `${c.undecided}/${s.profiles}?` : `${c.warn}/${s.profiles}!`;
          lines.push(clip(`  ${pad(n, 8)} ${step.number} ${step.id}`, width));
        }
        lines.push('', '(n/N: fails for n of N; ?: undecided; !: optional step denied)');
      }
      return `${lines.join('\n')}\n`;
    },
  };
}

export function domainRenderer(format: DomainFormat, options: DomainRenderOptions = {}): DomainRenderer {
  switch (format) {
    case 'json':
      return jsonRenderer();
    case 'sarif':
      return sarifRenderer(options);
    case 'markdown':
      return markdownRenderer();
    case 'html':
      return htmlRenderer();
    case 'text':
      return textRenderer(options);
  }
}

/** The chunks of a domain report, one per profile as `results` yields them, the summary last. */
export function* domainChunks(results: Iterable<ProfileCheck>, format: DomainFormat, options: DomainRenderOptions = {}): Generator<string> {
  const r = domainRenderer(format, options);
  const t = new DomainTally();
  yield r.begin();
  for (const p of results) yield r.profile(p, t.add(p));
  yield r.end(t.summary());
}

/** The whole domain report as one string (results already in memory). */
export function renderDomain(results: Iterable<ProfileCheck>, format: DomainFormat, options: DomainRenderOptions = {}): string {
  return [...domainChunks(results, format, options)].join('');
}
