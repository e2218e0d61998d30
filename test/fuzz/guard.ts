/**
 * The invariants every fuzz case must keep besides "no internal error": bounded time per
 * case, bounded memory, and no prototype pollution (Object.prototype, Array.prototype and
 * Function.prototype keep exactly their own properties; no object the tool returns has a
 * prototype that came from the input).
 */
import { appendFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

/** A bug the fuzzer found: what it is, for the failure message. */
export class FuzzBug extends Error {
  override readonly name = 'FuzzBug';
}

/** A case may take this long (ms) on a loaded 2-core machine: the largest case is 3 MB. */
export const MAX_CASE_MS = 15_000;
/** Resident memory the fuzzing worker may reach (bytes); the issue saw 2–3.5 GB before the fix. */
export const MAX_RSS_BYTES = 1.5 * 1024 * 1024 * 1024;

const PROTOS: readonly [string, object][] = [
  ['Object.prototype', Object.prototype],
  ['Array.prototype', Array.prototype],
  ['Function.prototype', Function.prototype],
  ['String.prototype', String.prototype],
];

function shape(o: object): string {
  return Reflect.ownKeys(o)
    .map((k) => String(k))
    .sort()
    .join(',');
}

const BEFORE = new Map(PROTOS.map(([name, o]) => [name, shape(o)]));

/** Fails when a built-in prototype gained or lost a property. */
export function checkPrototypes(): void {
  for (const [name, o] of PROTOS) {
    if (shape(o) !== BEFORE.get(name)) throw new FuzzBug(`prototype pollution: ${name} now has ${shape(o)}`);
  }
  const probe = {} as Record<string, unknown>;
  for (const key of ['polluted', 'isAdmin', 'x']) if (probe[key] !== undefined) throw new FuzzBug(`prototype pollution: ({}).${key} is ${String(probe[key])}`);
}

/**
 * Fails when a value returned by the tool holds an object whose prototype is a plain object
 * from the input (what `o[key] = v` does with key `__proto__`). Class instances are fine: their
 * prototype has its own `constructor`.
 */
export function checkNoForeignPrototype(value: unknown, budget = 200_000): void {
  const seen = new Set<object>();
  const stack: unknown[] = [value];
  while (stack.length && seen.size < budget) {
    const v = stack.pop();
    if (v === null || typeof v !== 'object' || seen.has(v)) continue;
    seen.add(v);
    const proto = Object.getPrototypeOf(v) as object | null;
    if (proto !== null && proto !== Object.prototype && proto !== Array.prototype && !Object.prototype.hasOwnProperty.call(proto, 'constructor')) {
      throw new FuzzBug(`an object the tool returned has a prototype taken from the input: ${JSON.stringify(proto).slice(0, 200)}`);
    }
    if (v instanceof Map) for (const [k, x] of v) stack.push(k, x);
    else if (v instanceof Set) for (const x of v) stack.push(x);
    else for (const k of Object.keys(v)) stack.push((v as Record<string, unknown>)[k]);
  }
}

export interface GuardStats {
  cases: number;
  maxMs: number;
  maxMsBytes: number;
  maxRss: number;
  outcomes: Record<string, number>;
  /** Under `npm run fuzz`: a progress line every `every` cases, appended to `file`. */
  progress?: { readonly label: string; readonly every: number; readonly file: string; readonly start: number };
}

export function newStats(progress?: GuardStats['progress']): GuardStats {
  return { cases: 0, maxMs: 0, maxMsBytes: 0, maxRss: 0, outcomes: {}, ...(progress ? { progress } : {}) };
}

/** Runs one case under the guards and records its time, memory and outcome. */
export function guarded<T extends string>(stats: GuardStats, bytes: number, fn: () => T): T {
  const t0 = performance.now();
  const outcome = fn();
  const ms = performance.now() - t0;
  after(stats, bytes, ms, outcome);
  return outcome;
}

export async function guardedAsync<T extends string>(stats: GuardStats, bytes: number, fn: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const outcome = await fn();
  const ms = performance.now() - t0;
  after(stats, bytes, ms, outcome);
  return outcome;
}

function after(stats: GuardStats, bytes: number, ms: number, outcome: string): void {
  stats.cases++;
  stats.outcomes[outcome] = (stats.outcomes[outcome] ?? 0) + 1;
  if (ms > stats.maxMs) {
    stats.maxMs = ms;
    stats.maxMsBytes = bytes;
  }
  if (ms > MAX_CASE_MS) throw new FuzzBug(`a case of ${bytes} bytes took ${Math.round(ms)} ms (limit ${MAX_CASE_MS} ms)`);
  checkPrototypes();
  const p = stats.progress;
  if (p && stats.cases % p.every === 0) {
    const s = ((performance.now() - p.start) / 1000).toFixed(0);
    appendFileSync(p.file, `${new Date().toISOString()} ${p.label}: ${stats.cases} cases in ${s} s, slowest ${Math.round(stats.maxMs)} ms, max RSS ${Math.round(stats.maxRss / 2 ** 20)} MB\n`);
  }
  if (stats.cases % 200 === 0 || bytes > 100_000) {
    const rss = process.memoryUsage.rss();
    if (rss > stats.maxRss) stats.maxRss = rss;
    if (rss > MAX_RSS_BYTES) throw new FuzzBug(`resident memory reached ${Math.round(rss / 2 ** 20)} MB after a case of ${bytes} bytes`);
  }
}
