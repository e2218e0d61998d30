#!/usr/bin/env node
// Summarises Stryker results, while a run goes on or after it: the per-mutant event files
// (reports/mutation/<group>-events, written by the event-recorder reporter) or a finished
// JSON report. Prints the score per file and every surviving or uncovered mutant with its
// source line. Usage: node scripts/mutation-summary.mjs reports/mutation/g1-events
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const target = process.argv[2] ?? 'reports/mutation';
const results = [];
const collect = (p) => {
  if (statSync(p).isDirectory()) {
    for (const f of readdirSync(p).sort()) collect(path.join(p, f));
  } else if (p.endsWith('-onMutantTested.json')) {
    results.push(JSON.parse(readFileSync(p, 'utf8')));
  } else if (p.endsWith('.json') && !p.includes('-events') && !p.endsWith('.incremental.json')) {
    const report = JSON.parse(readFileSync(p, 'utf8'));
    for (const [fileName, file] of Object.entries(report.files ?? {})) {
      for (const m of file.mutants) results.push({ ...m, fileName, replacement: m.replacement ?? m.mutatorName });
    }
  }
};
collect(target);

const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);
const byFile = new Map();
for (const r of results) {
  const f = path.relative(process.cwd(), r.fileName);
  if (!byFile.has(f)) byFile.set(f, []);
  byFile.get(f).push(r);
}
let det = 0;
let undet = 0;
const lines = ['| file | tested | killed | timeout | survived | no coverage | errors | score |', '| --- | --- | --- | --- | --- | --- | --- | --- |'];
for (const [f, rs] of [...byFile].sort()) {
  const n = (s) => rs.filter((r) => r.status === s).length;
  const d = rs.filter((r) => DETECTED.has(r.status)).length;
  const u = rs.filter((r) => UNDETECTED.has(r.status)).length;
  det += d;
  undet += u;
  const errs = n('CompileError') + n('RuntimeError');
  lines.push(`| ${f} | ${rs.length} | ${n('Killed')} | ${n('Timeout')} | ${n('Survived')} | ${n('NoCoverage')} | ${errs} | ${d + u ? ((100 * d) / (d + u)).toFixed(1) : '-'}% |`);
}
lines.push(`| **all** | ${results.length} | | | | | | **${det + undet ? ((100 * det) / (det + undet)).toFixed(1) : '-'}%** |`);
console.log(lines.join('\n'));
console.log('\nUndetected mutants:');
const sources = new Map();
for (const [f, rs] of [...byFile].sort()) {
  for (const r of rs.filter((x) => UNDETECTED.has(x.status)).sort((a, b) => a.location.start.line - b.location.start.line)) {
    if (!sources.has(f)) sources.set(f, readFileSync(f, 'utf8').split('\n'));
    const src = (sources.get(f)[r.location.start.line - 1] ?? '').trim();
    console.log(`- ${f}:${r.location.start.line}:${r.location.start.column} ${r.status} ${r.mutatorName} → \`${String(r.replacement).replace(/\s+/g, ' ').slice(0, 80)}\`  (line: \`${src.slice(0, 110)}\`)`);
  }
}
