/**
 * `validatePolicy`: the grammar findings of the reader plus every rule module's findings.
 * A rule is a pure function of the read policy; rules never throw (a rule that fails is a
 * bug, reported as an internal finding rather than a crash).
 */
import type { Finding } from './findings.js';
import { finding, sortFindings } from './findings.js';
import type { Policy, PolicyKind } from './model.js';
import { readPolicyText, readPolicyValue } from './read.js';
import { RULES } from './rules/index.js';

export interface ValidateOptions {
  readonly kind: PolicyKind;
  readonly name?: string;
  /**
   * Size limits that differ per account, in the unit of the kind's quota (spec §1.8; the
   * role trust policy quota is ambiguity A6, default 2,048). See rules/grammar-rules.ts.
   */
  readonly sizeLimits?: Partial<Readonly<Record<PolicyKind, number>>>;
}

/** What a rule sees. */
export interface RuleContext {
  readonly policy: Policy;
  readonly kind: PolicyKind;
  /** The source text, when the policy came from text (size limits count characters of it). */
  readonly text?: string;
  /** The options the caller validated with. */
  readonly options?: ValidateOptions;
}

export interface Rule {
  /** The codes this rule can emit (documented in docs/checks.md). */
  readonly codes: readonly string[];
  readonly check: (ctx: RuleContext) => Finding[];
}

function runRules(policy: Policy, kind: PolicyKind, text: string | undefined, options?: ValidateOptions): Finding[] {
  const out: Finding[] = [];
  for (const rule of RULES) {
    try {
      out.push(...rule.check({ policy, kind, text, options }));
    } catch (e) {
      out.push(
        finding('error', 'internal-error', `internal error in check ${rule.codes.join('/')}: ${String(e)}; please report it`, {
          path: '$',
          line: 1,
          column: 1,
        }),
      );
    }
  }
  return out;
}

/**
 * The rule findings of a policy already read (what `validatePolicyText` adds to the reader's
 * own findings), sorted by position. The scenario reader uses it so that every command that
 * decides a request refuses what `validate` calls an error, from the same rules.
 */
export function ruleFindings(policy: Policy, options: ValidateOptions): Finding[] {
  return sortFindings(runRules(policy, options.kind, undefined, options));
}

/**
 * Errors of `validate` that AWS stores and that evaluate exactly as written: an Action or
 * NotAction entry naming a service or an action AWS does not have. IAM saves such a policy
 * (its policy summary lists them as "unrecognized services" and "unrecognized actions":
 * "Troubleshoot IAM policies", "Policy summary (list of services)") and the entry never
 * matches a request for any other action, which is what the engine does with it too: it
 * compares action text and never consults the catalog. So a decision over such a policy is
 * the one AWS makes even when the catalog is older than the service (an SCP that still names
 * `deepracer:*`): the finding is reported, never a reason to leave a step undecided.
 *
 * Only for an entry of plain printable ASCII: a look-alike letter, an invisible or a space
 * character (`sagemaker:CreateTrainingJоb` with a Cyrillic о) is what no AWS page says how
 * it is stored or matched, so such a policy stays refused (undecided, never a pass).
 */
export const DECIDABLE_ERROR_CODES: ReadonlySet<string> = new Set(['unknown-service', 'unknown-action']);

const PLAIN_ENTRY = /^[\x21-\x7e]+$/;

/** The Action and NotAction entries of a policy by JSON path. */
function actionEntries(policy: Policy): Map<string, string> {
  const out = new Map<string, string>();
  for (const st of policy.statements) for (const e of [...(st.action ?? []), ...(st.notAction ?? [])]) out.set(e.path, e.value);
  return out;
}

/**
 * The finding that keeps `policy` from being evaluated (`check`, `explain`, `simulate`): the
 * first error of `validate` whose effect on a decision is not known, if any.
 */
export function refusingFinding(findings: readonly Finding[], policy: Policy): Finding | undefined {
  let entries: Map<string, string> | undefined;
  return findings.find((f) => {
    if (f.severity !== 'error') return false;
    if (!DECIDABLE_ERROR_CODES.has(f.code)) return true;
    const value = (entries ??= actionEntries(policy)).get(f.path);
    return value === undefined || !PLAIN_ENTRY.test(value);
  });
}

/** Validates policy text: grammar errors first, then every rule, sorted by position. */
export function validatePolicyText(text: string, options: ValidateOptions): { policy?: Policy; findings: Finding[] } {
  const read = readPolicyText(text, options);
  const findings = [...read.findings];
  if (read.policy) findings.push(...runRules(read.policy, options.kind, text, options));
  return { policy: read.policy, findings: sortFindings(findings) };
}

/** Validates a policy given as a value (object, or JSON text). */
export function validatePolicyValue(value: unknown, options: ValidateOptions): { policy?: Policy; findings: Finding[] } {
  if (typeof value === 'string') return validatePolicyText(value, options);
  const read = readPolicyValue(value, options);
  const findings = [...read.findings];
  if (read.policy) findings.push(...runRules(read.policy, options.kind, undefined, options));
  return { policy: read.policy, findings: sortFindings(findings) };
}
