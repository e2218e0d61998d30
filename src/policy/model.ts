/**
 * The typed policy model. Every element keeps the position it was read from, so a
 * finding or a trace can point at a line and column. Normalisation follows "Grammar of
 * the IAM JSON policy language": a string and a one-element list mean the same; one
 * statement and a list of one mean the same; numbers and booleans in condition values
 * are read as their string form.
 */
import type { SourcePosition } from './json.js';
import type { Finding } from './findings.js';

/**
 * Where a policy is attached decides its grammar and how it is evaluated.
 * `resource` is any resource-based policy without rules of its own (SQS, SNS, ...).
 */
export type PolicyKind =
  | 'identity'
  | 'permissions-boundary'
  | 'session'
  | 'resource'
  | 'bucket'
  | 'key'
  | 'trust'
  | 'ecr-repository'
  | 'scp'
  | 'rcp'
  | 'vpc-endpoint';

export const POLICY_KINDS: readonly PolicyKind[] = [
  'identity',
  'permissions-boundary',
  'session',
  'resource',
  'bucket',
  'key',
  'trust',
  'ecr-repository',
  'scp',
  'rcp',
  'vpc-endpoint',
];

/** Kinds whose statements name a Principal ("Policies and permissions in IAM"; "RCP syntax"). */
export function kindHasPrincipal(kind: PolicyKind): boolean {
  return !(kind === 'identity' || kind === 'permissions-boundary' || kind === 'session' || kind === 'scp');
}

/** A value with the place it was written. */
export interface Located<T> {
  readonly value: T;
  readonly loc: SourcePosition;
  readonly path: string;
}

export type PrincipalType = 'AWS' | 'Service' | 'Federated' | 'CanonicalUser';

export interface PrincipalEntry {
  /** `AWS`, `Service`, `Federated`, `CanonicalUser`, or an unknown key kept for the validator. */
  readonly type: string;
  readonly value: string;
  readonly loc: SourcePosition;
  readonly path: string;
}

/** `"Principal": "*"` is `wildcard`; a map is a list of entries. */
export type PrincipalBlock =
  | { readonly wildcard: true; readonly loc: SourcePosition; readonly path: string }
  | { readonly wildcard: false; readonly entries: readonly PrincipalEntry[]; readonly loc: SourcePosition; readonly path: string };

export interface ConditionClause {
  /** The operator as written, e.g. `ForAnyValue:StringLikeIfExists`. */
  readonly operator: string;
  readonly operatorLoc: SourcePosition;
  /** The key as written; compare lower-cased (keys are case-insensitive). */
  readonly key: string;
  readonly keyLoc: SourcePosition;
  /** Values in string form (`true` → "true", `10` → "10"). */
  readonly values: readonly Located<string>[];
  readonly path: string;
}

export type Effect = 'Allow' | 'Deny';

export interface Statement {
  /** Position in the policy's statement list. */
  readonly index: number;
  readonly sid?: Located<string>;
  readonly effect: Effect;
  readonly effectLoc: SourcePosition;
  readonly principal?: PrincipalBlock;
  readonly notPrincipal?: PrincipalBlock;
  readonly action?: readonly Located<string>[];
  readonly notAction?: readonly Located<string>[];
  readonly resource?: readonly Located<string>[];
  readonly notResource?: readonly Located<string>[];
  readonly condition: readonly ConditionClause[];
  readonly loc: SourcePosition;
  readonly path: string;
}

export interface Policy {
  /** A name for traces and findings: file name, policy name, or a label. */
  readonly name: string;
  readonly kind: PolicyKind;
  /** `2012-10-17`, `2008-10-17`, or undefined when absent (the 2008 rules then apply). */
  readonly version?: string;
  readonly versionLoc?: SourcePosition;
  readonly id?: Located<string>;
  readonly statements: readonly Statement[];
  readonly loc: SourcePosition;
  /** The source text when read from a file: size limits are counted on it. */
  readonly sourceText?: string;
  /**
   * The reader's error findings, when there were any: the model then lacks what could not be
   * read (e.g. a statement with `"Effect": "deny"`), so the policy must not be evaluated
   * (the engine's `compilePolicy` refuses it: fail closed). Absent for a clean read.
   */
  readonly readErrors?: readonly Finding[];
}

/** Policy variables are only expanded under this Version ("IAM JSON policy elements: Version"). */
export function variablesEnabled(policy: Pick<Policy, 'version'>): boolean {
  return policy.version === '2012-10-17';
}
