import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { escapeHtml, renderCheckHtml } from '../../../src/report/check/index.js';
import { checkExample, EVIL, RUN_FAILURES, SCHEDULE_FAILURES, variedExample } from './fixture.js';

const schedule = checkExample('schedule');

function sha(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

describe('html report', () => {
  const html = renderCheckHtml(schedule);

  it('is one self-contained file: inline CSS and JS only, nothing loaded', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/\ssrc=/i);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html.match(/<script>/g)).toHaveLength(1);
    expect(html.match(/<style>/g)).toHaveLength(1);
    // The CSP allows exactly this file's style and script, by hash, and nothing from the network.
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)![1]!.replace(/&#39;/g, "'");
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)![1]!;
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain(`script-src ${sha(script)}`);
    expect(csp).toContain(`style-src ${sha(style)}`);
  });

  it('has the summary, the failures by when they show, and every step expandable', () => {
    expect(html).toContain('<h1 class="verdict">Notebook jobs will not work: 14 failures.</h1>');
    const later = html.slice(html.indexOf('Fails later, at every run'), html.indexOf('id="fixes"'));
    const atOnce = html.slice(html.indexOf('Fails when you schedule'), html.indexOf('Fails later, at every run'));
    for (const id of RUN_FAILURES) expect(later).toContain(`<span class="id">${id}</span>`);
    for (const id of SCHEDULE_FAILURES) expect(atOnce).toContain(`<span class="id">${id}</span>`);
    const all = html.slice(html.indexOf('<section id="all" class="all">'));
    expect(all.match(/<details id="step-[^"]+" class="step/g)).toHaveLength(schedule.steps.length);
    for (const o of schedule.steps) expect(all).toContain(`data-status="${o.status}" data-phase="${o.step.phase}"`);
    expect(html).toContain(`Apply these ${schedule.fixes.length} changes`);
    expect(html.match(/<pre class="json">/g)!.length).toBeGreaterThanOrEqual(schedule.fixes.length);
  });

  it('reads without JS: filters hidden until the script shows them, failures open', () => {
    expect(html).toContain('<div id="filters" class="filters hidden">');
    expect(html).toContain('f.classList.remove(\'hidden\')');
    expect(html).toContain('<details class="step s-fail" data-status="fail" data-phase="run" open>');
    expect(html).toContain("navigator.clipboard");
    for (const st of ['fail', 'warn', 'pass']) expect(html).toContain(`data-status="${st}" checked`);
    for (const p of ['form', 'submit', 'schedule', 'run', 'manage']) expect(html).toContain(`data-phase="${p}" checked`);
  });

  it('escapes untrusted text everywhere: a policy named <script> stays text', () => {
    const evil = renderCheckHtml(variedExample(), { subtitle: EVIL });
    expect(evil.match(/<script/g)).toHaveLength(1);
    expect(evil).not.toContain('<img');
    expect(evil).not.toContain('<b>\'');
    expect(evil).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(evil).toContain('Deny&quot;Sid&#39;&lt;b&gt;');
    expect(escapeHtml(`<a href="x" onclick='y'>&`)).toBe('&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;');
  });

  it('shows conditions, undecided steps and open questions', () => {
    const varied = renderCheckHtml(variedExample());
    expect(varied).toContain('<code>aws:SourceIp is in 10.0.0.0/8</code>');
    expect(varied).toContain('the SCPs of OU ml-workloads');
    expect(html).toContain('<li>createTimeResourceTags = fromRequestTags: Allow</li>');
  });
});
