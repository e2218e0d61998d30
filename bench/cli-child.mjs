/**
 * One CLI run for a benchmark, in its own process: `node bench/cli-child.mjs MAIN.js ARGS...`
 * runs the CLI at MAIN.js in-process with ARGS and reports, at exit, its CPU time, wall time
 * and peak resident memory on stderr (a JSON line starting with "run:").
 */
import { pathToFileURL } from 'node:url';

const [main, ...args] = process.argv.slice(2);
const t0 = process.hrtime.bigint();
process.on('exit', (code) => {
  const u = process.resourceUsage();
  process.stderr.write(`run:${JSON.stringify({ code, wallMs: Number(process.hrtime.bigint() - t0) / 1e6, cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000, maxRssMB: u.maxRSS / 1024 })}\n`);
});
process.argv = [process.argv[0], main, ...args];
await import(pathToFileURL(main).href);
