/**
 * What to say about an implicit deny. No statement decided it, so no statement can be named
 * as "the deciding policy": say instead which policies were looked at and that none of
 * their statements allows the request, and show the nearest miss, the Allow statement
 * that matches the action but not the resource, the principal or a condition, with what did
 * not match ("Policy evaluation logic": a request is implicitly denied when no applicable
 * statement allows it; "Troubleshooting IAM permissions" recommends exactly this search).
 * Built from the trace, so it costs nothing when traces are off.
 */
import type { LayerTrace, NearestMiss, StatementTrace } from './result.js';
import type { LayerName } from './types.js';

/** Why one Allow statement does not apply, one phrase per element that failed. */
function missesOf(st: StatementTrace, resource: string): string[] {
  const out: string[] = [];
  const r = st.resource;
  if (r && r.matched === false) {
    const listed = r.entries && r.entries.length > 0 ? ` (${r.entries.join(', ')})` : '';
    out.push(r.not ? `resource ${resource} is excluded by NotResource${listed}` : `resource ${resource} is not in Resource${listed}`);
  }
  if (st.principal && st.principal.matchClass === 'NONE') {
    out.push(st.principal.notPrincipal ? 'the caller is listed in NotPrincipal' : 'Principal does not name the caller');
  }
  for (const c of st.conditions) {
    if (c.result !== false) continue;
    const request = c.contextValues === null ? 'absent' : JSON.stringify(c.contextValues.length === 1 ? c.contextValues[0] : c.contextValues);
    out.push(`condition ${c.operator} ${c.key} ${JSON.stringify(c.policyValues.length === 1 ? c.policyValues[0] : c.policyValues)} is false (request value ${request})${c.note ? `; ${c.note}` : ''}`);
  }
  return out;
}

export interface ImplicitDenyDetail {
  /** The policies of the blocking layer (level), none of whose statements allows the request. */
  readonly noAllowIn: readonly string[];
  readonly nearestMiss?: NearestMiss;
}

/**
 * The policies of the blocking layer and, among their Allow statements whose action
 * matches, the one with the fewest failed elements (the first in policy and statement order
 * on a tie). Undefined when the trace holds no such layer (traces off, or a built-in rule).
 */
export function implicitDenyDetail(layers: readonly LayerTrace[], layer: LayerName, level: number | undefined, resource: string): ImplicitDenyDetail | undefined {
  const lt = layers.find((l) => l.layer === layer && l.level === level && l.applies);
  if (!lt) return undefined;
  let best: { miss: NearestMiss; score: number } | undefined;
  for (const p of lt.policies) {
    for (const st of p.statements) {
      if (st.effect !== 'Allow' || !st.action.matched || st.outcome === 'match') continue;
      const misses = missesOf(st, resource);
      const score = misses.length === 0 ? Number.MAX_SAFE_INTEGER : misses.length;
      if (best !== undefined && best.score <= score) continue;
      best = {
        score,
        miss: {
          layer,
          ...(level !== undefined ? { level } : {}),
          policy: p.policy,
          ...(st.sid !== undefined ? { sid: st.sid } : {}),
          statementIndex: st.statementIndex,
          line: st.line,
          column: st.column,
          misses: misses.length > 0 ? misses : st.outcome === 'unknown' ? ['it depends on unknown context keys'] : [],
        },
      };
    }
  }
  return { noAllowIn: lt.policies.map((p) => p.policy), ...(best ? { nearestMiss: best.miss } : {}) };
}
