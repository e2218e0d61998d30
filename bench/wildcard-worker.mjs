/**
 * Runs iam-simulate on the pathological wildcard scenario in a worker thread, so the
 * bench can stop it after a time cap (its matchers are regular expressions built from
 * policy text, which backtrack on `*a*a…*b`).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

const { simulatePath, simulation, which } = workerData;
const sim = await import(pathToFileURL(simulatePath).href);
const t0 = performance.now();
let result;
if (which === 'runSimulation') {
  const r = await sim.runSimulation(simulation, {});
  result = r.resultType === 'error' ? `error: ${r.errors.message}` : r.overallResult;
} else {
  result = sim.runUnsafeSimulation(simulation, {});
}
parentPort.postMessage({ ms: performance.now() - t0, result });
