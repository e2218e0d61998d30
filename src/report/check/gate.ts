/**
 * The CI gate of `check`: which failures a pipeline already knows about. Two sources:
 *
 * - a baseline (`--baseline FILE`): an earlier `check --format json` report, of one
 *   profile or a whole domain; a failure, warning or undecided step it already holds, for
 *   the same profile, variant and step, is not new;
 * - suppressions (`--suppressions FILE`): accepted failures, each with the reason it is
 *   accepted and, if wanted, the day the acceptance ends (docs/ci.md).
 *
 * `applyGate` returns the result with the accepted steps left out (and the fixes only they
 * needed), the summary counted again, and a note naming every step left out and why: what
 * is shown, and what decides the exit status, is what is new. Nothing is ever turned into
 * a pass.
 */
import type { CheckResult, StepOutcome, StepStatus } from '../../notebook-jobs/check.js';
import { summarize } from '../../notebook-jobs/check.js';
import type { FlowSetup, Variant } from '../../notebook-jobs/flow.js';
import { profileKey } from './domain.js';
import { NOT_SHOWN, stepsPerFix } from './model.js';

/** An accepted failure. */
export interface Suppression {
  /** A step id, e.g. `run.create-log-group`. */
  readonly step: string;
  /** `DOMAIN/user-profile/NAME` or `DOMAIN/space/NAME`; absent: every profile and space. */
  readonly profile?: string;
  /** Why it is accepted: required, shown in the report. */
  readonly reason: string;
  /** Last day (YYYY-MM-DD, UTC) it is accepted; after it the failure shows again. */
  readonly until?: string;
}

export interface GateOptions {
  /** Keys of the findings of the baseline (`baselineKeys`). */
  readonly baseline?: ReadonlySet<string>;
  readonly baselineFile?: string;
  readonly suppressions?: readonly Suppression[];
  readonly suppressionsFile?: string;
  /** Today (YYYY-MM-DD), for `until`; the caller's clock. */
  readonly today: string;
}

const FINDING: readonly StepStatus[] = ['fail', 'warn', 'undecided'];

/** A finding as the gate keys it: the profile, variant, step and status. */
export function findingKey(setup: FlowSetup, variant: Variant, stepId: string, status: StepStatus): string {
  return `${profileKey(setup)}/${variant}/${stepId}/${status}`;
}

export interface GateInputError {
  readonly file: string;
  /** JSON path of the problem. */
  readonly path: string;
  readonly message: string;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The finding keys of an earlier JSON report (one profile, or `kind: "domain"`), or the
 * error that says why it is not one.
 */
export function baselineKeys(text: string, file: string): { keys: Set<string> } | { error: GateInputError } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { error: { file, path: '$', message: `not JSON (${(e as Error).message}); give a report of check --format json` } };
  }
  const results: { value: unknown; path: string }[] = [];
  if (isObject(json) && json['kind'] === 'domain' && Array.isArray(json['profiles'])) {
    json['profiles'].forEach((p, i) => results.push({ value: isObject(p) ? p['result'] : undefined, path: `$.profiles[${i}].result` }));
  } else results.push({ value: json, path: '$' });
  const keys = new Set<string>();
  for (const { value, path } of results) {
    if (!isObject(value) || !isObject(value['setup']) || typeof value['variant'] !== 'string' || !Array.isArray(value['steps'])) {
      return { error: { file, path, message: 'expected a report of check --format json (setup, variant, steps)' } };
    }
    const setup = value['setup'] as unknown as FlowSetup;
    if (typeof setup.domainId !== 'string') return { error: { file, path: `${path}.setup.domainId`, message: 'expected a string' } };
    for (const [i, s] of (value['steps'] as unknown[]).entries()) {
      if (!isObject(s) || typeof s['id'] !== 'string' || typeof s['status'] !== 'string') {
        return { error: { file, path: `${path}.steps[${i}]`, message: 'expected a step with id and status' } };
      }
      if (FINDING.includes(s['status'] as StepStatus)) keys.add(findingKey(setup, value['variant'] as Variant, s['id'], s['status'] as StepStatus));
    }
  }
  return { keys };
}

/**
 * Suppressions from their file: `{"version": 1, "suppressions": [{"step", "reason",
 * "profile"?, "until"?}]}`. Every problem is returned with its JSON path; none is skipped.
 */
export function readSuppressions(text: string, file: string): { suppressions: Suppression[]; errors: GateInputError[] } {
  const errors: GateInputError[] = [];
  const err = (path: string, message: string): void => {
    errors.push({ file, path, message });
  };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    err('$', `not JSON (${(e as Error).message})`);
    return { suppressions: [], errors };
  }
  if (!isObject(json)) {
    err('$', 'expected {"version": 1, "suppressions": [...]}');
    return { suppressions: [], errors };
  }
  if (json['version'] !== 1) err('$.version', 'expected 1');
  for (const k of Object.keys(json)) if (k !== 'version' && k !== 'suppressions' && k !== '$schema') err(`$.${k}`, 'unknown key (expected version, suppressions)');
  const list = json['suppressions'];
  if (!Array.isArray(list)) {
    err('$.suppressions', 'expected an array');
    return { suppressions: [], errors };
  }
  const suppressions: Suppression[] = [];
  list.forEach((s, i) => {
    const at = `$.suppressions[${i}]`;
    if (!isObject(s)) return err(at, 'expected an object with step and reason');
    for (const k of Object.keys(s)) if (!['step', 'profile', 'reason', 'until'].includes(k)) err(`${at}.${k}`, 'unknown key (expected step, profile, reason, until)');
    const { step, profile, reason, until } = s;
    if (typeof step !== 'string' || !/^[a-z]+\.[a-z0-9.-]+$/.test(step)) return err(`${at}.step`, 'expected a step id, e.g. run.create-log-group');
    if (typeof reason !== 'string' || reason.trim().length < 10) return err(`${at}.reason`, 'expected the reason the failure is accepted (at least 10 characters)');
    if (profile !== undefined && (typeof profile !== 'string' || !/^[^/]+\/(user-profile|space)\/[^/]+$/.test(profile))) {
      return err(`${at}.profile`, 'expected DOMAIN/user-profile/NAME or DOMAIN/space/NAME');
    }
    if (until !== undefined && (typeof until !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(until))) return err(`${at}.until`, 'expected a day, YYYY-MM-DD');
    suppressions.push({ step, reason, ...(profile !== undefined ? { profile } : {}), ...(until !== undefined ? { until } : {}) });
  });
  return { suppressions, errors };
}

/** The result with what the gate accepts left out, said in the notes. */
export function applyGate(result: CheckResult, g: GateOptions): CheckResult {
  const key = profileKey(result.setup);
  const accepted = new Map<StepOutcome, string>();
  const notes: string[] = [];
  for (const o of result.steps) {
    if (!FINDING.includes(o.status)) continue;
    if (g.baseline?.has(findingKey(result.setup, result.variant, o.step.id, o.status))) {
      accepted.set(o, `known in the baseline${g.baselineFile ? ` ${g.baselineFile}` : ''}`);
      continue;
    }
    for (const s of g.suppressions ?? []) {
      if (s.step !== o.step.id || (s.profile !== undefined && s.profile !== key)) continue;
      if (s.until !== undefined && s.until < g.today) {
        notes.push(`the suppression of ${o.step.id} ended on ${s.until}: it is shown again (${s.reason})`);
        continue;
      }
      accepted.set(o, `suppressed${g.suppressionsFile ? ` by ${g.suppressionsFile}` : ''}: ${s.reason}${s.until ? ` (until ${s.until})` : ''}`);
      break;
    }
  }
  if (!accepted.size && !notes.length) return result;
  const per = stepsPerFix(result);
  const steps = result.steps.filter((o) => !accepted.has(o));
  const fixes = result.fixes.filter((_, i) => {
    const fixed = per[i] ?? [];
    return fixed.length === 0 || fixed.some((o) => !accepted.has(o));
  });
  for (const [o, why] of accepted) notes.push(`${NOT_SHOWN}${o.step.number} ${o.step.id} (${o.status}), ${why}`);
  return { ...result, steps, fixes, summary: summarize(steps), notes: [...result.notes, ...notes] };
}
