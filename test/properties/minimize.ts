/**
 * Greedy JSON-level minimization of a failing scenario: repeatedly try deleting one
 * object property or array element (and unwrapping one-element arrays) anywhere in the
 * scenario, keeping each change for which `stillFails` holds. fast-check's shrinking works
 * on the random draws; this finishes the job on the scenario itself so the printed
 * counterexample is small enough to become a conformance file.
 */
import type { Scenario } from '../../src/engine/types.js';

type Path = Array<string | number>;

function paths(v: unknown, prefix: Path = []): Path[] {
  const out: Path[] = [];
  if (Array.isArray(v)) {
    v.forEach((x, i) => {
      out.push([...prefix, i]);
      out.push(...paths(x, [...prefix, i]));
    });
  } else if (typeof v === 'object' && v !== null) {
    for (const [k, x] of Object.entries(v)) {
      out.push([...prefix, k]);
      out.push(...paths(x, [...prefix, k]));
    }
  }
  return out;
}

/** Never delete what a scenario needs to be one. */
const KEEP = new Set(['name', 'request', 'policies', 'principal', 'action', 'resource', 'Effect']);

function without(s: Scenario, path: Path): Scenario | null {
  const last = path[path.length - 1];
  if (last === undefined || (typeof last === 'string' && KEEP.has(last) && path.length <= 2)) return null;
  if (typeof last === 'string' && KEEP.has(last) && path[0] === 'request') return null;
  const c = structuredClone(s) as unknown as Record<string, unknown>;
  let parent: unknown = c;
  for (const p of path.slice(0, -1)) parent = (parent as Record<string | number, unknown>)[p];
  if (Array.isArray(parent) && typeof last === 'number') parent.splice(last, 1);
  else if (typeof parent === 'object' && parent !== null && typeof last === 'string') delete (parent as Record<string, unknown>)[last];
  else return null;
  return c as unknown as Scenario;
}

export function minimize(s: Scenario, stillFails: (candidate: Scenario) => boolean, maxSteps = 2000): Scenario {
  let current = s;
  let steps = 0;
  let changed = true;
  while (changed && steps < maxSteps) {
    changed = false;
    for (const path of paths(current)) {
      if (steps++ >= maxSteps) break;
      const candidate = without(current, path);
      if (candidate === null) continue;
      let fails: boolean;
      try {
        fails = stillFails(candidate);
      } catch {
        fails = false;
      }
      if (fails) {
        current = candidate;
        changed = true;
        break;
      }
    }
  }
  return current;
}
