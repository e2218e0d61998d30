/** Sanity check of the random generator against iam-simulate alone: how many inputs it rejects, and why. */
import { runTheirs } from './adapter.ts';
import { randomScenario } from './gen.ts';

const n = Number(process.argv[2] ?? '500');
const errs = new Map<string, number>();
const dec = new Map<string, number>();
for (let i = 0; i < n; i++) {
  const t = await runTheirs(randomScenario(i));
  if (t.error) errs.set(t.error + (t.engine === 'runUnsafeSimulation' ? ' (unsafe fallback)' : ''), (errs.get(t.error) ?? 0) + 1);
  dec.set(t.decision ?? 'none', (dec.get(t.decision ?? 'none') ?? 0) + 1);
}
console.log({ decisions: Object.fromEntries(dec), errors: Object.fromEntries(errs) });
