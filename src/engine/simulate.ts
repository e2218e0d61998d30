/**
 * `simulateScenario`: one scenario (docs/scenario-format.md) decided by `authorize`.
 * The same entry point serves scenario files, the CLI and library callers, so nothing builds
 * engine input twice. Scenario-level `options` override the caller's.
 */
import type { DecisionResult, EvaluationOptions, Scenario } from './types.js';
import { authorize } from './authorize.js';
import { PolicyCompileError } from './compile.js';
import { explainResult } from './explain.js';
import { RequestError } from './request.js';
import type { AuthorizationResult, DecidedBy, Residual, StatementRef, Trace } from './result.js';
import { readScenarioText, readScenarioValue } from './scenario.js';
import type { InvalidPolicy, ScenarioPolicyCache, ScenarioReadResult } from './scenario.js';

export interface SimulateOptions extends Partial<EvaluationOptions> {
  /** Build the trace (default true). */
  readonly trace?: boolean;
  /**
   * Refuse every policy that `validate` calls an error: the result is then an error naming
   * the policy, its line and column (`invalidPolicy`), never a decision. `check`, `explain`
   * and `simulate` always set it. Default false: only what the engine cannot read or compile
   * is refused, and the engine decides what AWS would store (its semantics tests, the
   * reference comparison).
   */
  readonly validate?: boolean;
  /**
   * With `simulateScenarioText`: policies read, validated and compiled by earlier calls of the
   * same run, found again by their text and place (ScenarioPolicyCache). The caller creates it
   * and drops it with the run; without it every call reads every policy.
   */
  readonly policies?: ScenarioPolicyCache;
}

export interface SimulationResult {
  readonly name: string;
  readonly file?: string;
  /** Absent when the scenario could not be read (see `error`). */
  readonly decision?: DecisionResult;
  readonly expected?: DecisionResult;
  /** `expected` absent or equal to `decision`; false on error. */
  readonly pass: boolean;
  readonly explanation: string;
  readonly reason?: string;
  readonly decidedBy?: DecidedBy;
  readonly allowedBy?: readonly StatementRef[];
  readonly trace?: Trace;
  readonly residual?: Residual;
  /** The options the decision was made with (only those that differ from the defaults). */
  readonly options?: Partial<EvaluationOptions>;
  /** A scenario that is not valid JSON or not a valid scenario: the message names file, line and column. */
  readonly error?: string;
  /** With `error`: the policy that was refused (unreadable, not compilable, or an error of `validate`). */
  readonly invalidPolicy?: InvalidPolicy;
}

function decide(read: ScenarioReadResult, file: string | undefined, options: SimulateOptions | undefined): SimulationResult {
  if (!read.ok) {
    return {
      name: read.name ?? file ?? '(scenario)',
      ...(file !== undefined ? { file } : {}),
      pass: false,
      explanation: `error: ${read.error}`,
      error: read.error,
      ...(read.invalidPolicy ? { invalidPolicy: read.invalidPolicy } : {}),
    };
  }
  const s = read.scenario;
  // The caller's evaluation options, then the scenario's (which win); `validate` and
  // `policies` are about reading, not deciding. Copied key by key (a rest pattern costs
  // microseconds on every call).
  const merged: Record<string, unknown> = {};
  if (options) for (const k of Object.keys(options)) if (k !== 'validate' && k !== 'policies') merged[k] = options[k as keyof SimulateOptions];
  if (s.options) for (const k of Object.keys(s.options)) merged[k] = s.options[k as keyof typeof s.options];
  let result: AuthorizationResult;
  try {
    result = authorize(s.request, s.policies, merged as SimulateOptions);
  } catch (e) {
    if (e instanceof PolicyCompileError || e instanceof RequestError) {
      const error = `${file ?? '(scenario)'}: ${e.message}`;
      return { name: s.name, ...(file !== undefined ? { file } : {}), pass: false, explanation: `error: ${error}`, error };
    }
    throw e;
  }
  // Assigned field by field in the order the JSON output shows them (spreads of optional
  // fields cost a temporary object each, on every scenario of a run).
  const base: { -readonly [K in keyof SimulationResult]?: SimulationResult[K] } = { name: s.name };
  if (file !== undefined) base.file = file;
  base.decision = result.decision;
  if (s.expect !== undefined) base.expected = s.expect;
  base.pass = s.expect === undefined || s.expect === result.decision;
  base.reason = result.reason;
  if (result.decidedBy) base.decidedBy = result.decidedBy;
  if (result.allowedBy) base.allowedBy = result.allowedBy;
  if (result.trace) base.trace = result.trace;
  if (result.residual) base.residual = result.residual;
  if (s.options) base.options = s.options;
  const decided = base as Omit<SimulationResult, 'explanation'> & { explanation?: string };
  base.explanation = explainResult(decided);
  return base as SimulationResult;
}

/** Decides a scenario given as a value. Never throws for a bad scenario: see `error`. */
export function simulateScenario(scenario: Scenario, options?: SimulateOptions): SimulationResult {
  return decide(readScenarioValue(scenario, undefined, { validate: options?.validate === true }), undefined, options);
}

/** Decides a scenario file's text; `file` is used in messages. Never throws for bad input. */
export function simulateScenarioText(text: string, file: string, options?: SimulateOptions): SimulationResult {
  return decide(readScenarioText(text, file, { validate: options?.validate === true, ...(options?.policies ? { policies: options.policies } : {}) }), file, options);
}
