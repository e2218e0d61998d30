/**
 * Human text for a decision: the decision, the statements that decided it (policy name,
 * Sid, line), and for a denial the layer that denied it.
 */
import type { DecidedBy, Residual, StatementRef, Trace } from './result.js';
import type { DecisionResult } from './types.js';

export interface ExplainableResult {
  readonly name?: string;
  readonly file?: string;
  readonly decision?: DecisionResult;
  readonly expected?: DecisionResult;
  readonly reason?: string;
  readonly decidedBy?: DecidedBy;
  readonly allowedBy?: readonly StatementRef[];
  readonly residual?: Residual;
  readonly trace?: Trace;
  readonly error?: string;
}

const LAYER_NAMES: Readonly<Record<string, string>> = {
  identity: 'identity policies',
  permissionsBoundary: 'permissions boundary',
  session: 'session policy',
  resource: 'resource policy',
  scp: 'service control policies',
  rcp: 'resource control policies',
  vpcEndpoint: 'VPC endpoint policy',
  request: 'built-in rule',
};

function where(r: { policy?: string; sid?: string; statementIndex?: number; line?: number; column?: number }, file?: string): string {
  const parts: string[] = [];
  if (r.policy) parts.push(r.policy);
  if (r.sid) parts.push(`Sid "${r.sid}"`);
  else if (r.statementIndex !== undefined) parts.push(`statement ${r.statementIndex}`);
  if (r.line) parts.push(`${file ? `${file}:` : 'line '}${r.line}${file ? `:${r.column ?? 1}` : ''}`);
  return parts.join(', ');
}

function layerName(layer: string, level?: number): string {
  const n = LAYER_NAMES[layer] ?? layer;
  return level !== undefined ? `${n} (level ${level}${level === 0 ? ', organization root' : ''})` : n;
}

/** Renders a result for people. */
export function explainResult(result: ExplainableResult): string {
  if (result.error) return `error: ${result.error}`;
  const lines: string[] = [];
  const d = result.decision ?? 'ImplicitDeny';
  const exp = result.expected !== undefined ? (result.expected === d ? ` (as expected)` : ` (expected ${result.expected})`) : '';
  lines.push(`${d}${exp}`);
  const by = result.decidedBy;
  if (result.reason && (!by || by.layer === 'request')) lines.push(`  ${result.reason}`);
  if (by) {
    if (d === 'Allow') {
      const refs = result.allowedBy ?? [];
      if (refs.length) {
        lines.push('  Allowed by:');
        for (const r of refs) lines.push(`    - ${layerName(r.layer, r.level)}: ${where(r, result.file)}`);
      }
    } else if (d === 'ExplicitDeny') {
      lines.push(`  Denied by the ${layerName(by.layer, by.level)}: ${where(by, result.file)}`);
    } else {
      lines.push(`  Blocked at the ${layerName(by.layer, by.level)}${by.policy ? ` (${by.policy})` : ''}: ${by.reason}`);
      // No statement decided it: name every policy looked at, and the statement that came closest.
      if (by.noAllowIn && by.noAllowIn.length > 0) lines.push(`  No statement of ${by.noAllowIn.join(', ')} allows it.`);
      const miss = by.nearestMiss;
      if (miss) {
        lines.push(`  Nearest miss: ${where(miss, result.file)}: ${miss.misses.length > 0 ? miss.misses.join('; ') : 'its action matches'}`);
      }
    }
  }
  if (result.residual) lines.push(`  Depends on unknown context keys: ${result.residual.text}`);
  const notes = result.trace?.notes ?? [];
  for (const n of notes) lines.push(`  note: ${n}`);
  // Failed conditions of statements that would otherwise have applied help most.
  if (d !== 'Allow' && result.trace) {
    for (const layer of result.trace.layers) {
      for (const p of layer.policies) {
        for (const st of p.statements) {
          if (st.outcome === 'match' || !st.action.matched) continue;
          const failed = st.conditions.filter((c) => c.result === false);
          if (failed.length === 0 || st.resource?.matched === false || st.principal?.matchClass === 'NONE') continue;
          for (const c of failed) {
            const ctx = c.contextValues === null ? 'absent' : JSON.stringify(c.contextValues);
            lines.push(
              `  ${st.effect} ${where({ policy: p.policy, sid: st.sid, statementIndex: st.statementIndex, line: st.line, column: st.column }, result.file)}: condition ${c.operator} ${c.key} ${JSON.stringify(c.policyValues)} is false (request value ${ctx})${c.note ? `; ${c.note}` : ''}`,
            );
          }
        }
      }
    }
  }
  return lines.join('\n');
}
