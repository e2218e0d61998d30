/**
 * `check --all-profiles`: one result per user profile or space, and a summary that says
 * what fails and for how many.
 */
import type { CheckResult } from '../../notebook-jobs/check.js';

export interface ProfileCheck {
  readonly label: string;
  readonly result: CheckResult;
}

export type ProfilesFormat = 'text' | 'json' | 'markdown' | 'sarif' | 'html';

/** Failing required steps across profiles: step id → profiles it fails for. */
export function failuresByStep(results: readonly ProfileCheck[]): Map<string, { title: string; phase: string; labels: string[] }> {
  const out = new Map<string, { title: string; phase: string; labels: string[] }>();
  for (const r of results) {
    for (const s of r.result.steps) {
      if (s.status !== 'fail') continue;
      const entry = out.get(s.step.id) ?? { title: s.step.title, phase: s.step.phase, labels: [] };
      entry.labels.push(r.label);
      out.set(s.step.id, entry);
    }
  }
  return new Map([...out.entries()].sort((a, b) => b[1].labels.length - a[1].labels.length || a[0].localeCompare(b[0])));
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

function clip(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}

export function renderProfilesSummary(results: readonly ProfileCheck[], format: ProfilesFormat, renderOne: (r: CheckResult) => string): string {
  const total = results.length;
  const failing = results.filter((r) => !r.result.summary.ok).length;
  const byStep = failuresByStep(results);
  switch (format) {
    case 'json': {
      const body = {
        summary: {
          profiles: total,
          failing,
          failuresByStep: Object.fromEntries([...byStep.entries()].map(([id, e]) => [id, { title: e.title, phase: e.phase, count: e.labels.length, profiles: e.labels }])),
        },
        profiles: results.map((r) => ({ label: r.label, ok: r.result.summary.ok, result: JSON.parse(renderOne(r.result)) as unknown })),
      };
      return `${JSON.stringify(body, null, 2)}\n`;
    }
    case 'sarif': {
      const logs = results.map((r) => JSON.parse(renderOne(r.result)) as { $schema?: string; version: string; runs: unknown[] });
      const first = logs[0];
      return `${JSON.stringify({ ...(first?.$schema ? { $schema: first.$schema } : {}), version: first?.version ?? '2.1.0', runs: logs.flatMap((l) => l.runs) }, null, 2)}\n`;
    }
    case 'markdown': {
      const lines = [
        '## Notebook jobs: every profile and space',
        '',
        `${failing} of ${total} fail.`,
        '',
        '| profile or space | required failures | at run time | status |',
        '| --- | ---: | ---: | --- |',
        ...results.map((r) => `| ${r.label.replace(/\|/g, '\\|')} | ${r.result.summary.fail} | ${r.result.summary.failuresAtRunTime} | ${r.result.summary.ok ? '✅ works' : '❌ fails'} |`),
        '',
      ];
      if (byStep.size) {
        lines.push('### What fails, for how many', '', '| step | phase | profiles |', '| --- | --- | ---: |');
        for (const [id, e] of byStep) lines.push(`| \`${id}\` ${e.title.replace(/\|/g, '\\|')} | ${e.phase} | ${e.labels.length} of ${total} |`);
        lines.push('');
      }
      for (const r of results) lines.push(`<details><summary>${r.label.replace(/</g, '&lt;')}</summary>`, '', renderOne(r.result), '', '</details>', '');
      return lines.join('\n');
    }
    case 'html':
      // One self-contained page per profile; several would need a page of their own.
      return results.map((r) => renderOne(r.result)).join('\n');
    case 'text': {
      const width = Math.min(40, Math.max(20, ...results.map((r) => r.label.length)));
      const lines = [
        'Notebook jobs: every profile and space',
        '',
        `${pad('profile or space', width)}  fail  at run  status`,
        ...results.map((r) => `${pad(clip(r.label, width), width)}  ${pad(String(r.result.summary.fail), 4)}  ${pad(String(r.result.summary.failuresAtRunTime), 6)}  ${r.result.summary.ok ? 'works' : 'FAILS'}`),
        '',
        `${failing} of ${total} fail.`,
      ];
      if (byStep.size) {
        lines.push('', 'What fails, for how many:');
        for (const [id, e] of byStep) lines.push(`  ${pad(`${e.labels.length}/${total}`, 6)} ${clip(`${id}: ${e.title}`, 70)}`);
      }
      for (const r of results) lines.push('', `==== ${r.label} ${'='.repeat(Math.max(0, 73 - r.label.length))}`.slice(0, 80), '', renderOne(r.result));
      return lines.join('\n');
    }
  }
}
