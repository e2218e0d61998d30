/**
 * A check result as one self-contained HTML file: inline CSS and JS, no network (a
 * Content-Security-Policy allows only this file's own style and script, by hash, so even
 * a missed escape could not run injected script or load anything). Reads without JS:
 * steps are <details> elements; JS only adds the filters, expand/collapse and the copy
 * buttons. Everything that comes from the account is escaped.
 */
import type { CheckResult, StepOutcome } from '../../notebook-jobs/check.js';
import type { Fix } from '../../notebook-jobs/fixes.js';
import {
  byPhase,
  callerLabel,
  decisionText,
  nearestMissText,
  dependsOnLines,
  fixContent,
  fixTitle,
  LAYER_LABEL,
  MARK,
  OPEN_QUESTION,
  OWNER_LABEL,
  PHASE_ORDER,
  phaseTitle,
  setupRows,
  STATUS_LABEL,
  STATUS_ORDER,
  changeNumber,
  changes,
  isNotable,
  summaryText,
  targetText,
  timingOf,
  timingTitle,
  verdictLine,
  whenItFails,
} from './model.js';
import type { Timing } from './model.js';

export interface CheckHtmlOptions {
  /** Shown under the title, e.g. the snapshot file and when it was taken. */
  readonly subtitle?: string;
}

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}
const e = escapeHtml;

const CSS = `
:root{--bg:#fff;--fg:#1b1f24;--muted:#59636e;--line:#d1d9e0;--card:#f6f8fa;--fail:#cf222e;--warn:#9a6700;--pass:#1a7f37;--cond:#0969da;--und:#8250df;--code:#eff2f5}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9198a1;--line:#3d444d;--card:#151b23;--fail:#ff7b72;--warn:#d29922;--pass:#3fb950;--cond:#58a6ff;--und:#bc8cff;--code:#1f2630}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:1100px;margin:0 auto;padding:24px 20px 48px}
h1{font-size:1.6em;margin:.2em 0}h2{font-size:1.25em;margin:1.6em 0 .6em;padding-bottom:.3em;border-bottom:1px solid var(--line)}h3{font-size:1.05em;margin:1.2em 0 .4em}
code,pre{font:13px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
code{background:var(--code);padding:.1em .3em;border-radius:4px;overflow-wrap:anywhere}
pre{background:var(--code);padding:10px 12px;border-radius:6px;overflow:auto;margin:.4em 0;position:relative}
pre code{background:none;padding:0}
.sub{color:var(--muted);margin:0 0 1em}
dl.setup{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:0}
dl.setup dt{color:var(--muted)}dl.setup dd{margin:0;overflow-wrap:anywhere}
.verdict{border-left:6px solid var(--fail);padding:6px 14px;background:var(--card);border-radius:6px}
.verdict.ok{border-color:var(--pass)}.verdict.und{border-color:var(--und)}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin:14px 0}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:8px 14px;min-width:110px}
.card b{display:block;font-size:1.5em}
.timeline{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:8px;margin:10px 0}
.phase{border:1px solid var(--line);border-radius:8px;padding:8px 10px;background:var(--card)}
.phase.bad{border-color:var(--fail)}.phase .n{color:var(--muted);font-size:.85em}
.m{display:inline-block;width:1.3em;text-align:center;font-weight:700}
.s-fail .m,.m.s-fail,.c-fail{color:var(--fail)}.s-warn .m,.m.s-warn,.c-warn{color:var(--warn)}.s-pass .m,.m.s-pass,.c-pass{color:var(--pass)}
.s-conditional .m,.m.s-conditional,.c-conditional{color:var(--cond)}.s-undecided .m,.m.s-undecided,.c-undecided{color:var(--und)}
details.step{border:1px solid var(--line);border-radius:6px;margin:6px 0;background:var(--bg)}
details.step.s-fail{border-left:4px solid var(--fail)}details.step.s-warn{border-left:4px solid var(--warn)}
details.step.s-conditional{border-left:4px solid var(--cond)}details.step.s-undecided{border-left:4px solid var(--und)}
details.step>summary{cursor:pointer;padding:6px 10px;list-style-position:outside}
details.step>summary .id{color:var(--muted);font-size:.85em;margin-left:.4em}
details.step>summary .act{margin-left:.4em}
.body{padding:4px 14px 10px}
.body dl{display:grid;grid-template-columns:8.5em 1fr;gap:4px 14px;margin:0}
.body dt{color:var(--muted)}.body dd{margin:0;overflow-wrap:anywhere}
.when-run{color:var(--fail);font-weight:600}
.fix{border:1px solid var(--line);border-radius:8px;padding:8px 12px;margin:10px 0;background:var(--card)}
.fix h3{margin:.2em 0}
button{font:inherit;font-size:.85em;border:1px solid var(--line);background:var(--bg);color:var(--fg);border-radius:6px;padding:2px 10px;cursor:pointer}
button:hover{border-color:var(--muted)}
pre .copy{position:absolute;top:6px;right:6px}
.filters{position:sticky;top:0;background:var(--bg);border-bottom:1px solid var(--line);padding:8px 0;z-index:1;display:flex;flex-wrap:wrap;gap:6px 18px;align-items:center}
.filters fieldset{border:0;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:4px 10px;align-items:center}
.filters legend{float:left;color:var(--muted);margin-right:6px}
.filters label{white-space:nowrap}
.hidden{display:none!important}
.notes li{overflow-wrap:anywhere}
footer{margin-top:2em;color:var(--muted);font-size:.9em}
main.domain{display:flex;flex-direction:column}main.domain>#domain-summary{order:-1}
section.profile{border-top:3px solid var(--line);margin-top:2.5em}section.profile>h2.profile-title{border:0;font-size:1.4em}
table.matrix{border-collapse:collapse;margin:8px 0;font-size:.9em}table.matrix th,table.matrix td{border:1px solid var(--line);padding:2px 6px;text-align:center}
table.matrix th.step,table.matrix td.step{text-align:left}table.matrix thead th{vertical-align:bottom}
table.matrix td a{text-decoration:none;display:block}.matrix-wrap{overflow:auto;max-width:100%}
@media print{.filters,button{display:none}details.step{break-inside:avoid}}
`;

const JS = `
(function(){
  function applyIn(r){
    var f=r.querySelector('.filters');if(!f)return;
    var st={},ph={};
    f.querySelectorAll('input[data-status]').forEach(function(i){st[i.dataset.status]=i.checked});
    f.querySelectorAll('input[data-phase]').forEach(function(i){ph[i.dataset.phase]=i.checked});
    r.querySelectorAll('.all .step').forEach(function(s){
      s.classList.toggle('hidden',!(st[s.dataset.status]&&ph[s.dataset.phase]));
    });
    r.querySelectorAll('.all .phase-group').forEach(function(g){
      g.classList.toggle('hidden',!g.querySelector('.step:not(.hidden)'));
    });
    var n=r.querySelectorAll('.all .step:not(.hidden)').length;
    r.querySelector('.shown').textContent=n+' shown';
  }
  document.querySelectorAll('.report').forEach(function(r){
    var f=r.querySelector('.filters');if(!f)return;f.classList.remove('hidden');
    f.addEventListener('change',function(){applyIn(r)});
    r.querySelector('.expand').addEventListener('click',function(){r.querySelectorAll('.all details.step:not(.hidden)').forEach(function(d){d.open=true})});
    r.querySelector('.collapse').addEventListener('click',function(){r.querySelectorAll('.all details.step').forEach(function(d){d.open=false})});
    applyIn(r);
  });
  function reveal(){
    var id=decodeURIComponent(location.hash.slice(1));if(!id)return;
    var t=document.getElementById(id);if(!t)return;
    if(t.classList.contains('hidden')){
      var r=t.closest('.report');
      if(r){r.querySelectorAll('.filters input').forEach(function(i){i.checked=true});applyIn(r)}
    }
    if(t.tagName==='DETAILS')t.open=true;
    t.scrollIntoView();
  }
  window.addEventListener('hashchange',reveal);reveal();
  document.querySelectorAll('pre.json').forEach(function(p){
    var b=document.createElement('button');b.type='button';b.className='copy';b.textContent='Copy';
    b.addEventListener('click',function(){
      var t=p.querySelector('code').textContent;
      function done(){b.textContent='Copied';setTimeout(function(){b.textContent='Copy'},1500)}
      function fallback(){var a=document.createElement('textarea');a.value=t;document.body.appendChild(a);a.select();try{document.execCommand('copy');done()}catch(x){b.textContent='Select and copy'}a.remove()}
      if(navigator.clipboard&&navigator.clipboard.writeText){navigator.clipboard.writeText(t).then(done,fallback)}else{fallback()}
    });
    p.appendChild(b);
  });
})();
`;

/**
 * SHA-256 of CSS and JS, for the Content-Security-Policy. Constants, so the renderer needs
 * no crypto module (it can run in a browser); test/report/check/html.test.ts recomputes
 * them and fails, printing the new values, when CSS or JS change.
 */
export const CSS_SHA256 = 'lPNsQI7pB8EUmWQVLURtmrGd7MnEKV4ZnKBa296AGS0=';
export const JS_SHA256 = 'LA3gp10NLql4uChaaqHWvI0D2hEp7jPocZEt71+Pg9M=';

function json(value: unknown): string {
  return `<pre class="json"><code>${e(JSON.stringify(value, null, 2))}</code></pre>`;
}

function mark(status: StepOutcome['status']): string {
  return `<span class="m s-${status}" title="${e(STATUS_LABEL[status])}">${e(MARK[status])}</span>`;
}

function row(label: string, html: string, cls = ''): string {
  return `<dt>${e(label)}</dt><dd${cls ? ` class="${cls}"` : ''}>${html}</dd>`;
}

function fixHtml(f: Fix, change: number | undefined, idPrefix: string): string {
  const where = f.target.kind === 'profile-tags' ? f.summary : `add to the ${targetText(f.target)}`;
  const ref = change !== undefined ? ` (<a href="#${idPrefix}change-${change}">change ${change}</a>)` : '';
  return `${e(where)} <span class="c-pass">(${e(OWNER_LABEL[f.owner])})</span>${ref}${json(fixContent(f))}`;
}

function stepHtml(o: StepOutcome, result: CheckResult, change: number | undefined, open: boolean, idPrefix: string, id?: string): string {
  const rows: string[] = [];
  rows.push(row('request', `${e(callerLabel(o, result))} calls <code>${e(o.step.action)}</code> on <code>${e(o.step.resource)}</code>`));
  rows.push(row('principal', `<code>${e(o.principal)}</code>`));
  rows.push(row('decision', `<span class="c-${o.status}">${e(decisionText(o))}</span>`));
  const by = o.decidedBy;
  if (by) {
    const st = by.sid !== undefined ? `, statement <code>${e(by.sid)}</code>` : by.statementIndex !== undefined ? `, statement #${by.statementIndex + 1}` : '';
    if (by.noAllowIn) rows.push(row('decided by', `${e(LAYER_LABEL[by.layer] ?? by.layer)}: no statement of ${(by.noAllowIn.length > 0 ? by.noAllowIn : [by.policy]).map((n) => `<b>${e(n)}</b>`).join(', ')} allows it`));
    else rows.push(row('decided by', `${e(LAYER_LABEL[by.layer] ?? by.layer)}: <b>${e(by.policy)}</b>${st}`));
    const miss = nearestMissText(o);
    if (miss) rows.push(row('nearest miss', e(miss)));
  }
  if (o.status === 'fail') rows.push(row('fails', e(whenItFails(o.step.phase, result.variant)), timingOf(o.step.phase) === 'run-time' ? 'when-run' : ''));
  if (o.status === 'warn') rows.push(row('denied', `${e(whenItFails(o.step.phase, result.variant))}; optional step, notebook jobs still work`));
  if (o.allowWhen) rows.push(row('allowed when', `<code>${e(o.allowWhen)}</code>`));
  if (o.missing?.length) rows.push(row('missing', o.missing.map(e).join('<br>')));
  if (o.dependsOn?.length) {
    rows.push(row('open question', `${e(OPEN_QUESTION[o.dependsOn[0]!.option])}<ul>${dependsOnLines(o).map((l) => `<li>${e(l)}</li>`).join('')}</ul>`));
  }
  rows.push(row('why', `${e(o.step.why)}`));
  rows.push(row('evidence', `${e(o.step.evidence)}${o.step.required ? ', required' : ', optional'}; covered by reference statement ${e(o.step.coveredBy.join(', '))}`));
  if (o.fix) rows.push(row('fix', fixHtml(o.fix, change, idPrefix)));
  if (o.ownerChange) rows.push(row(o.fix ? 'also' : 'owner change', `${e(o.ownerChange.summary)} <span class="c-warn">(${e(OWNER_LABEL[o.ownerChange.owner])})</span>`));
  const q = o.dependsOn?.length ? ' <span class="id">[open question]</span>' : '';
  return (
    `<details${id ? ` id="${id}"` : ''} class="step s-${o.status}" data-status="${e(o.status)}" data-phase="${e(o.step.phase)}"${open ? ' open' : ''}>` +
    `<summary>${mark(o.status)} ${e(o.step.number)} ${e(o.step.title)}<code class="act">${e(o.step.action)}</code><span class="id">${e(o.step.id)}</span>${q}</summary>` +
    `<div class="body"><dl>${rows.join('')}</dl></div></details>`
  );
}

/** Where a report sits in the page: `''` for a page of its own, `p3-` for the third profile of a domain. */
export interface HtmlReportPlace {
  /** Prefix of every element id of the report, so several reports share one page. */
  readonly idPrefix: string;
  /** Heading of the report's title: `h1` on its own page, `h2` inside a domain page. */
  readonly titleTag: 'h1' | 'h2';
  /** List only the steps to look at (the rest counted), for pages holding many reports. */
  readonly notableOnly: boolean;
}

const OWN_PAGE: HtmlReportPlace = { idPrefix: '', titleTag: 'h1', notableOnly: false };

/** The id of a step's entry in the list of all steps (the target of links from a domain matrix). */
export function stepAnchor(idPrefix: string, stepId: string): string {
  return `${idPrefix}step-${stepId.replace(/[^A-Za-z0-9._-]/g, '_')}`;
}

/** One check result as a `<div class="report">`: every element id starts with `place.idPrefix`. */
export function checkReportHtml(result: CheckResult, place: HtmlReportPlace = OWN_PAGE, subtitle?: string, heading?: string): string {
  const p = place.idPrefix;
  const s = result.summary;
  const list = changes(result);
  const change = (o: StepOutcome): number | undefined => changeNumber(list, o);
  const verdict = verdictLine(result);
  const h = place.titleTag === 'h1' ? ['h2', 'h3'] : ['h3', 'h4'];
  const body: string[] = [];
  body.push(`<div class="report">`);
  body.push(`<header>${heading ? `<h2 class="profile-title">${e(heading)}</h2>` : ''}${subtitle !== undefined || place.titleTag === 'h1' ? `<p class="sub">nbjob-iam check · SageMaker Studio notebook jobs${subtitle ? ` · ${e(subtitle)}` : ''}</p>` : ''}`);
  body.push(`<${place.titleTag} class="verdict${s.ok ? ' ok' : s.fail ? '' : ' und'}">${e(verdict)}</${place.titleTag}>`);
  body.push(`<dl class="setup">${setupRows(result).map(([k, v]) => `<dt>${e(k)}</dt><dd>${e(v)}</dd>`).join('')}</dl></header>`);

  // Summary: counts, then the phases as a timeline.
  const cards: string[] = [];
  cards.push(`<div class="card"><span class="c-fail">${MARK.fail} fail</span><b>${s.fail}</b>${s.failuresAtSubmit} at once, <span class="when-run">${s.failuresAtRunTime} at run time</span></div>`);
  for (const st of ['warn', 'conditional', 'undecided', 'pass'] as const) cards.push(`<div class="card"><span class="c-${st}">${e(MARK[st])} ${e(STATUS_LABEL[st])}</span><b>${s[st]}</b></div>`);
  body.push(`<section id="${p}summary" class="summary"><${h[0]}>Summary</${h[0]}><div class="cards">${cards.join('')}</div><div class="timeline">`);
  for (const [i, g] of byPhase(result).entries()) {
    const n = (st: StepOutcome['status']): number => g.steps.filter((o) => o.status === st).length;
    const counts = STATUS_ORDER.filter((st) => n(st) > 0)
      .map((st) => `<span class="c-${st}">${n(st)} ${e(MARK[st])}</span>`)
      .join(' ');
    body.push(`<div class="phase${n('fail') ? ' bad' : ''}"><b>${i + 1}. ${e(phaseTitle(g.phase, result.variant))}</b><br>${counts}<br><span class="n">A failure shows ${e(whenItFails(g.phase, result.variant))}</span></div>`);
  }
  body.push('</div></section>');

  for (const timing of ['at-once', 'run-time', 'manage'] as Timing[]) {
    const fails = result.steps.filter((o) => o.status === 'fail' && timingOf(o.step.phase) === timing);
    if (!fails.length) continue;
    body.push(`<section class="failures"><${h[0]} class="${timing === 'run-time' ? 'when-run' : 'c-fail'}">${e(timingTitle(timing, result.variant))}: ${fails.length}</${h[0]}>`);
    body.push(...fails.map((o) => stepHtml(o, result, change(o), true, p)), '</section>');
  }

  if (result.fixes.length) {
    body.push(`<section id="${p}fixes" class="fixes"><${h[0]}>Apply these ${result.fixes.length} change${result.fixes.length === 1 ? '' : 's'}</${h[0]}>`);
    for (const [i, c] of list.entries()) {
      const f = c.fix;
      const steps = c.steps.map((o) => `<code>${e(o.step.id)}</code>${o.status === 'warn' ? ' (optional)' : ''}`).join(', ');
      body.push(`<div class="fix" id="${p}change-${i + 1}"><${h[1]}>${i + 1}. ${e(fixTitle(f))}${c.optional ? ' <span class="c-warn">(optional: clears warnings only)</span>' : ''}</${h[1]}><div>Who: ${e(OWNER_LABEL[f.owner])}${steps ? ` · fixes ${steps}` : ''}</div>${json(fixContent(f))}</div>`);
    }
    body.push('</section>');
  }

  // Every step (or every step to look at), filterable.
  const phases = byPhase(result).map((g) => g.phase);
  const statuses = STATUS_ORDER.filter((st) => result.steps.some((o) => o.status === st));
  const listed = place.notableOnly ? result.steps.filter(isNotable).length : s.steps;
  body.push(`<section id="${p}all" class="all"><${h[0]}>${place.notableOnly ? `The ${listed} step${listed === 1 ? '' : 's'} to look at (of ${s.steps}), in the order they happen` : `All ${s.steps} steps, in the order they happen`}</${h[0]}>`);
  body.push(
    `<div id="${p}filters" class="filters hidden"><fieldset><legend>Status</legend>${statuses
      .map((st) => `<label><input type="checkbox" data-status="${e(st)}" checked> ${mark(st)} ${e(STATUS_LABEL[st])}</label>`)
      .join('')}</fieldset><fieldset><legend>Phase</legend>${PHASE_ORDER.filter((ph) => phases.includes(ph))
      .map((ph) => `<label><input type="checkbox" data-phase="${e(ph)}" checked> ${e(ph)}</label>`)
      .join('')}</fieldset><span><button type="button" class="expand">Expand all</button> <button type="button" class="collapse">Collapse all</button> <span class="shown"></span></span></div>`,
  );
  for (const [i, g] of byPhase(result).entries()) {
    const shown = place.notableOnly ? g.steps.filter(isNotable) : g.steps;
    const others = g.steps.length - shown.length;
    body.push(`<div class="phase-group"><${h[1]}>${i + 1}. ${e(phaseTitle(g.phase, result.variant))}</${h[1]}>`);
    body.push(...shown.map((o) => stepHtml(o, result, change(o), false, p, stepAnchor(p, o.step.id))));
    if (others) body.push(`<p class="n">${mark('pass')} ${shown.length ? `${others} other step${others === 1 ? '' : 's'} pass` : `all ${others} step${others === 1 ? '' : 's'} pass`}</p>`);
    body.push('</div>');
  }
  body.push('</section>');

  if (result.notes.length) body.push(`<section class="notes"><${h[0]}>Notes</${h[0]}><ul>${result.notes.map((n) => `<li>${e(n)}</li>`).join('')}</ul></section>`);
  body.push(`<footer>${e(summaryText(result))}</footer>`);
  body.push('</div>');
  return body.join('\n');
}

const CSP = `default-src 'none'; style-src 'sha256-${CSS_SHA256}'; script-src 'sha256-${JS_SHA256}'; img-src data:; base-uri 'none'; form-action 'none'`;

/** The page around one or more reports, up to `<main>` (open). */
export function htmlPageStart(title: string, mainClass = ''): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta http-equiv="Content-Security-Policy" content="${e(CSP)}">`,
    `<title>${e(title)}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    `<body><main${mainClass ? ` class="${mainClass}"` : ''}>`,
    '',
  ].join('\n');
}

/** The end of the page: closes `<main>`, the script, the document. */
export function htmlPageEnd(): string {
  return ['</main>', `<script>${JS}</script>`, '</body>', '</html>', ''].join('\n');
}

export function renderCheckHtml(result: CheckResult, options: CheckHtmlOptions = {}): string {
  return htmlPageStart(`nbjob-iam check: ${verdictLine(result)}`) + checkReportHtml(result, OWN_PAGE, options.subtitle ?? '') + '\n' + htmlPageEnd();
}
