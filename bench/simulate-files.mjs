#!/usr/bin/env node
/**
 * `nbjob-iam simulate` on many scenario files, as a user runs it: one process, a folder of
 * N files (default 10,000: the conformance scenarios of test/conformance/scenarios, copied
 * round-robin under new names), output to /dev/null. With `--distinct`, the k-th copy of a
 * scenario starts with k blank lines, so no policy of a copy sits where it sat in an earlier
 * copy: the run's policy cache (ScenarioPolicyCache) then finds only what different
 * scenarios share, and the figure shows the cost of reading every copy afresh. Reports CPU time (user + system: on a
 * shared machine wall time mostly measures the neighbours), wall time and peak RSS.
 *
 * With `--baseline-ref REF` the same folder is also decided by the CLI built from git commit
 * REF (a temporary worktree sharing this checkout's node_modules), in the same run, and the
 * ratio baseline / current is printed. Runs alternate (baseline, current, baseline, ...) so a
 * neighbour's load falls on both alike; the figure is the median of `--rounds` runs each.
 *
 *   npm run bench:simulate                                   (builds, then runs this file)
 *   node bench/simulate-files.mjs [--files N] [--rounds R] [--format json|text] [--distinct] [--baseline-ref REF] [--json FILE]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const argv = process.argv.slice(2);
const opt = (n, d) => {
  const i = argv.indexOf(n);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : d;
};
const FILES = Number(opt('--files', '10000'));
const ROUNDS = Number(opt('--rounds', '3'));
const FORMAT = opt('--format', 'json');
const BASELINE = opt('--baseline-ref', undefined);
const JSON_OUT = opt('--json', undefined);
const DISTINCT = argv.includes('--distinct');

function scenarioFiles(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...scenarioFiles(p));
    else if (e.isFile() && e.name.endsWith('.json')) out.push(p);
  }
  return out.sort();
}

/** The CLI of git commit `ref`, built in a temporary worktree; returns its main.js. */
function buildRef(ref, tmp) {
  const wt = join(tmp, 'baseline');
  execFileSync('git', ['-C', root, 'worktree', 'add', '--detach', wt, ref], { stdio: 'ignore' });
  symlinkSync(join(root, 'node_modules'), join(wt, 'node_modules'));
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: wt, stdio: 'inherit' });
  return { main: join(wt, 'dist/cli/main.js'), cleanup: () => execFileSync('git', ['-C', root, 'worktree', 'remove', '--force', wt], { stdio: 'ignore' }) };
}

function once(main, dir) {
  const r = spawnSync(process.execPath, [join(here, 'cli-child.mjs'), main, 'simulate', '--format', FORMAT, dir], { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 26 });
  const line = String(r.stderr).split('\n').find((l) => l.startsWith('run:'));
  if (!line) throw new Error(`no timing from ${main}: ${String(r.stderr).slice(-400)}`);
  return JSON.parse(line.slice(4));
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const tmp = mkdtempSync(join(os.tmpdir(), 'nbjob-simfiles-'));
let cleanup = () => {};
try {
  const seeds = scenarioFiles(join(root, 'test/conformance/scenarios'));
  const dir = join(tmp, 'scenarios');
  for (let i = 0; i < FILES; i++) {
    const src = seeds[i % seeds.length];
    const sub = join(dir, String(Math.floor(i / 1000)).padStart(2, '0'));
    if (i % 1000 === 0) mkdirSync(sub, { recursive: true });
    const dest = join(sub, `${String(i).padStart(5, '0')}-${relative(join(root, 'test/conformance/scenarios'), src).replace(/[\\/]/g, '-')}`);
    if (DISTINCT) writeFileSync(dest, '\n'.repeat(Math.floor(i / seeds.length)) + readFileSync(src, 'utf8'));
    else cpSync(src, dest);
  }
  console.log(`machine: nproc=${os.availableParallelism?.() ?? os.cpus().length} node=${process.version}`);
  console.log(`simulate --format ${FORMAT} on ${FILES} files (${seeds.length} conformance scenarios, round-robin${DISTINCT ? ', each copy at new lines' : ''}); median of ${ROUNDS} runs; CPU = user + system`);
  const engines = [{ label: 'current', main: join(root, 'dist/cli/main.js') }];
  if (BASELINE) {
    const b = buildRef(BASELINE, tmp);
    cleanup = b.cleanup;
    engines.unshift({ label: `baseline ${BASELINE}`, main: b.main });
  }
  const runs = new Map(engines.map((e) => [e.label, []]));
  for (let r = 0; r < ROUNDS; r++) for (const e of engines) runs.get(e.label).push(once(e.main, dir));
  const rows = engines.map((e) => {
    const rs = runs.get(e.label);
    return { label: e.label, code: rs[0].code, cpuMs: median(rs.map((x) => x.cpuMs)), wallMs: median(rs.map((x) => x.wallMs)), maxRssMB: Math.max(...rs.map((x) => x.maxRssMB ?? 0)) };
  });
  console.log(`${'build'.padEnd(24)}${'exit'.padStart(5)}${'cpu s'.padStart(9)}${'wall s'.padStart(9)}${'µs/file'.padStart(10)}${'peak MB'.padStart(9)}`);
  for (const row of rows) {
    console.log(`${row.label.padEnd(24)}${String(row.code).padStart(5)}${(row.cpuMs / 1000).toFixed(2).padStart(9)}${(row.wallMs / 1000).toFixed(2).padStart(9)}${((row.cpuMs * 1000) / FILES).toFixed(0).padStart(10)}${row.maxRssMB.toFixed(0).padStart(9)}`);
  }
  if (rows.length === 2) {
    const [b, c] = rows;
    console.log(`\ncurrent is ${(b.cpuMs / c.cpuMs).toFixed(2)}× faster than ${b.label} in CPU time (${(b.wallMs / c.wallMs).toFixed(2)}× in wall time); goal ≥ 3×: ${b.cpuMs / c.cpuMs >= 3 ? 'met' : 'NOT MET'}`);
  }
  if (JSON_OUT) writeFileSync(JSON_OUT, JSON.stringify({ files: FILES, format: FORMAT, distinct: DISTINCT, rows }, null, 2));
} finally {
  try {
    cleanup();
  } catch {
    /* the worktree may already be gone */
  }
  rmSync(tmp, { recursive: true, force: true });
}
