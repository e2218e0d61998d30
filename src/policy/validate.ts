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
