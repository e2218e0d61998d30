/**
 * One `check --all-profiles` run for bench/scale.mjs, in its own process: runs the CLI
 * in-process and reports, at exit, its peak resident memory and CPU time on stderr (a JSON
 * line starting with "scale:"). Its standard output (the report) goes where the parent says.
 */
import { pathToFileURL } from 'node:url';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const [snapshot, format] = process.argv.slice(2);
const main = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli', 'main.js');
const t0 = process.hrtime.bigint();
process.on('exit', (code) => {
  const u = process.resourceUsage();
  process.stderr.write(`scale:${JSON.stringify({ code, wallMs: Number(process.hrtime.bigint() - t0) / 1e6, cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000, maxRssMB: u.maxRSS / 1024 })}\n`);
});
process.argv = [process.argv[0], main, 'check', '--snapshot', snapshot, '--all-profiles', '--format', format];
await import(pathToFileURL(main).href);
