#!/usr/bin/env node
/**
 * Scale benchmark: `check --all-profiles` on generated domains (bench/gen-account.mjs) of
 * 1,000 and 10,000 profiles, in every format, each run in its own process with its report
 * written to /dev/null. Reports peak resident memory and CPU time per run, and the time per
 * profile of the large domain against the small one (flat: ≤ 11× for 10× the profiles).
 *
 *   npm run bench:scale                             (builds, then runs this file)
 *   node bench/scale.mjs [--profiles 1000,10000] [--formats json,sarif,markdown,html,text] [--json FILE]
 *
 * CPU time (user + system) is the measure: on a shared machine wall time mostly says how
 * busy the neighbours are. Wall time is printed too.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateAccount } from './gen-account.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const opt = (n, d) => {
  const i = argv.indexOf(n);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : d;
};
const sizes = opt('--profiles', '1000,10000').split(',').map(Number);
const formats = opt('--formats', 'json,sarif,markdown,html,text').split(',');
const JSON_OUT = opt('--json', undefined);
const LIMIT_MB = 1024;

const tmp = mkdtempSync(join(os.tmpdir(), 'nbjob-scale-'));
const results = [];
try {
  console.log(`machine: nproc=${os.availableParallelism?.() ?? os.cpus().length} node=${process.version}; check --all-profiles, report to /dev/null, one process per run`);
  const files = {};
  for (const n of sizes) {
    const file = join(tmp, `domain-${n}.json`);
    writeFileSync(file, JSON.stringify(generateAccount({ profiles: n })));
    files[n] = file;
    console.log(`generated ${n} profiles + 50 spaces: ${(statSync(file).size / 1e6).toFixed(1)} MB`);
  }
  console.log('');
  console.log(`${'format'.padEnd(10)}${'profiles'.padStart(9)}${'exit'.padStart(6)}${'cpu s'.padStart(9)}${'wall s'.padStart(9)}${'ms/profile'.padStart(12)}${'peak MB'.padStart(9)}`);
  for (const format of formats) {
    for (const n of sizes) {
      const r = spawnSync(process.execPath, [join(here, 'scale-child.mjs'), files[n], format], { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 << 20 });
      const line = String(r.stderr).split('\n').find((l) => l.startsWith('scale:'));
      if (!line) {
        console.log(`${format.padEnd(10)}${String(n).padStart(9)}  FAILED: ${String(r.stderr).slice(-400)}`);
        results.push({ format, profiles: n, failed: true });
        continue;
      }
      const m = JSON.parse(line.slice('scale:'.length));
      const checked = n + 50;
      const row = { format, profiles: n, checked, ...m, msPerProfile: m.cpuMs / checked };
      results.push(row);
      console.log(`${format.padEnd(10)}${String(n).padStart(9)}${String(m.code).padStart(6)}${(m.cpuMs / 1000).toFixed(1).padStart(9)}${(m.wallMs / 1000).toFixed(1).padStart(9)}${row.msPerProfile.toFixed(2).padStart(12)}${m.maxRssMB.toFixed(0).padStart(9)}`);
    }
  }
  if (sizes.length >= 2) {
    const [small, large] = [Math.min(...sizes), Math.max(...sizes)];
    console.log(`\ngoals (${large} vs ${small} profiles):`);
    for (const format of formats) {
      const a = results.find((r) => r.format === format && r.profiles === small);
      const b = results.find((r) => r.format === format && r.profiles === large);
      if (!a || !b || a.failed || b.failed) {
        console.log(`  ${format.padEnd(9)} a run failed`);
        continue;
      }
      const ratio = b.cpuMs / a.cpuMs;
      const flat = ratio <= (large / small) * 1.1;
      const mem = b.maxRssMB < LIMIT_MB;
      console.log(`  ${format.padEnd(9)} time ${ratio.toFixed(2)}× for ${(large / small).toFixed(0)}× the profiles (${flat ? 'flat: met' : 'NOT MET'}); peak ${b.maxRssMB.toFixed(0)} MB (${mem ? '< 1 GB: met' : 'NOT MET'})`);
    }
  }
  if (JSON_OUT) writeFileSync(JSON_OUT, JSON.stringify({ date: new Date().toISOString(), results }, null, 2));
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
