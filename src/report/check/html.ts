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
#filters{position:sticky;top:0;background:var(--bg);border-bottom:1px solid var(--line);padding:8px 0;z-index:1;display:flex;flex-wrap:wrap;gap:6px 18px;align-items:center}
#filters fieldset{border:0;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:4px 10px;align-items:center}
#filters legend{float:left;color:var(--muted);margin-right:6px}
#filters label{white-space:nowrap}
.hidden{display:none!important}
.notes li{overflow-wrap:anywhere}
footer{margin-top:2em;color:var(--muted);font-size:.9em}
@media print{#filters,button{display:none}details.step{break-inside:avoid}}
`;

const JS = `
(function(){
  var f=document.getElementById('filters');if(!f)return;f.classList.remove('hidden');
  function apply(){
    var st={},ph={};
    f.querySelectorAll('input[data-status]').forEach(function(i){st[i.dataset.status]=i.checked});
    f.querySelectorAll('input[data-phase]').forEach(function(i){ph[i.dataset.phase]=i.checked});
    document.querySelectorAll('#all .step').forEach(function(s){
      s.classList.toggle('hidden',!(st[s.dataset.status]&&ph[s.dataset.phase]));
    });
    document.querySelectorAll('#all .phase-group').forEach(function(g){
      g.classList.toggle('hidden',!g.querySelector('.step:not(.hidden)'));
    });
    var n=document.querySelectorAll('#all .step:not(.hidden)').length;
    document.getElementById('shown').textContent=n+' shown';
  }
  f.addEventListener('change',apply);
  document.getElementById('expand').addEventListener('click',function(){document.querySelectorAll('#all details.step:not(.hidden)').forEach(function(d){d.open=true})});
  document.getElementById('collapse').addEventListener('click',function(){document.querySelectorAll('#all details.step').forEach(function(d){d.open=false})});
  apply();
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
export const CSS_SHA256 = '2tFNAQVY4SPwTBLGNvW6A6vZoGNURC/XauFeLruow/k=';
export const JS_SHA256 = 'OAcKkaWF3w1JgsCDyX7FWjoAKk6kUd7foW4NS3gWv2I=';

function json(value: unknown): string {
  return `<pre class="json"><code>${e(JSON.stringify(value, null, 2))}</code></pre>`;
}

function mark(status: StepOutcome['status']): string {
  return `<span class="m s-${status}" title="${e(STATUS_LABEL[status])}">${e(MARK[status])}</span>`;
}

function row(label: string, html: string, cls = ''): string {
  return `<dt>${e(label)}</dt><dd${cls ? ` class="${cls}"` : ''}>${html}</dd>`;
}

function fixHtml(f: Fix, change: number | undefined): string {
  const where = f.target.kind === 'profile-tags' ? f.summary : `add to the ${targetText(f.target)}`;
  const ref = change !== undefined ? ` (<a href="#change-${change}">change ${change}</a>)` : '';
  return `${e(where)} <span class="c-pass">(${e(OWNER_LABEL[f.owner])})</span>${ref}${json(fixContent(f))}`;
}

function stepHtml(o: StepOutcome, result: CheckResult, change: number | undefined, open: boolean): string {
  const rows: string[] = [];
  rows.push(row('request', `${e(callerLabel(o, result))} calls <code>${e(o.step.action)}</code> on <code>${e(o.step.resource)}</code>`));
  rows.push(row('principal', `<code>${e(o.principal)}</code>`));
  rows.push(row('decision', `<span class="c-${o.status}">${e(decisionText(o))}</span>`));
  const by = o.decidedBy;
  if (by) {
    const st = by.sid !== undefined ? `, statement <code>${e(by.sid)}</code>` : by.statementIndex !== undefined ? `, statement #${by.statementIndex + 1}` : '';
    rows.push(row('decided by', `${e(LAYER_LABEL[by.layer] ?? by.layer)}: <b>${e(by.policy)}</b>${st}`));
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
  if (o.fix) rows.push(row('fix', fixHtml(o.fix, change)));
  if (o.ownerChange) rows.push(row(o.fix ? 'also' : 'owner change', `${e(o.ownerChange.summary)} <span class="c-warn">(${e(OWNER_LABEL[o.ownerChange.owner])})</span>`));
  const q = o.dependsOn?.length ? ' <span class="id">[open question]</span>' : '';
  return (
    `<details class="step s-${o.status}" data-status="${e(o.status)}" data-phase="${e(o.step.phase)}"${open ? ' open' : ''}>` +
    `<summary>${mark(o.status)} ${e(o.step.number)} ${e(o.step.title)}<code class="act">${e(o.step.action)}</code><span class="id">${e(o.step.id)}</span>${q}</summary>` +
    `<div class="body"><dl>${rows.join('')}</dl></div></details>`
  );
}

export function renderCheckHtml(result: CheckResult, options: CheckHtmlOptions = {}): string {
  const s = result.summary;
  const list = changes(result);
  const change = (o: StepOutcome): number | undefined => changeNumber(list, o);
  const verdict = verdictLine(result);
  const body: string[] = [];
  body.push(`<header><p class="sub">nbjob-iam check · SageMaker Studio notebook jobs${options.subtitle ? ` · ${e(options.subtitle)}` : ''}</p>`);
  body.push(`<h1 class="verdict${s.ok ? ' ok' : s.fail ? '' : ' und'}">${e(verdict)}</h1>`);
  body.push(`<dl class="setup">${setupRows(result).map(([k, v]) => `<dt>${e(k)}</dt><dd>${e(v)}</dd>`).join('')}</dl></header>`);

  // Summary: counts, then the phases as a timeline.
  const cards: string[] = [];
  cards.push(`<div class="card"><span class="c-fail">${MARK.fail} fail</span><b>${s.fail}</b>${s.failuresAtSubmit} at once, <span class="when-run">${s.failuresAtRunTime} at run time</span></div>`);
  for (const st of ['warn', 'conditional', 'undecided', 'pass'] as const) cards.push(`<div class="card"><span class="c-${st}">${e(MARK[st])} ${e(STATUS_LABEL[st])}</span><b>${s[st]}</b></div>`);
  body.push(`<section id="summary"><h2>Summary</h2><div class="cards">${cards.join('')}</div><div class="timeline">`);
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
    body.push(`<section class="failures"><h2 class="${timing === 'run-time' ? 'when-run' : 'c-fail'}">${e(timingTitle(timing, result.variant))}: ${fails.length}</h2>`);
    body.push(...fails.map((o) => stepHtml(o, result, change(o), true)), '</section>');
  }

  if (result.fixes.length) {
    body.push(`<section id="fixes"><h2>Apply these ${result.fixes.length} change${result.fixes.length === 1 ? '' : 's'}</h2>`);
    for (const [i, c] of list.entries()) {
      const f = c.fix;
      const steps = c.steps.map((o) => `<code>${e(o.step.id)}</code>${o.status === 'warn' ? ' (optional)' : ''}`).join(', ');
      body.push(`<div class="fix" id="change-${i + 1}"><h3>${i + 1}. ${e(fixTitle(f))}${c.optional ? ' <span class="c-warn">(optional: clears warnings only)</span>' : ''}</h3><div>Who: ${e(OWNER_LABEL[f.owner])}${steps ? ` · fixes ${steps}` : ''}</div>${json(fixContent(f))}</div>`);
    }
    body.push('</section>');
  }

  // Every step, filterable.
  const phases = byPhase(result).map((g) => g.phase);
  const statuses = STATUS_ORDER.filter((st) => result.steps.some((o) => o.status === st));
  body.push(`<section id="all"><h2>All ${s.steps} steps, in the order they happen</h2>`);
  body.push(
    `<div id="filters" class="hidden"><fieldset><legend>Status</legend>${statuses
      .map((st) => `<label><input type="checkbox" data-status="${e(st)}" checked> ${mark(st)} ${e(STATUS_LABEL[st])}</label>`)
      .join('')}</fieldset><fieldset><legend>Phase</legend>${PHASE_ORDER.filter((p) => phases.includes(p))
      .map((p) => `<label><input type="checkbox" data-phase="${e(p)}" checked> ${e(p)}</label>`)
      .join('')}</fieldset><span><button type="button" id="expand">Expand all</button> <button type="button" id="collapse">Collapse all</button> <span id="shown"></span></span></div>`,
  );
  for (const [i, g] of byPhase(result).entries()) {
    body.push(`<div class="phase-group"><h3>${i + 1}. ${e(phaseTitle(g.phase, result.variant))}</h3>`);
    body.push(...g.steps.map((o) => stepHtml(o, result, change(o), false)), '</div>');
  }
  body.push('</section>');

  if (result.notes.length) body.push(`<section class="notes"><h2>Notes</h2><ul>${result.notes.map((n) => `<li>${e(n)}</li>`).join('')}</ul></section>`);
  body.push(`<footer>${e(summaryText(result))}</footer>`);

  const csp = `default-src 'none'; style-src 'sha256-${CSS_SHA256}'; script-src 'sha256-${JS_SHA256}'; img-src data:; base-uri 'none'; form-action 'none'`;
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta http-equiv="Content-Security-Policy" content="${e(csp)}">`,
    `<title>${e(`nbjob-iam check: ${verdict}`)}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body><main>',
    ...body,
    '</main>',
    `<script>${JS}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
