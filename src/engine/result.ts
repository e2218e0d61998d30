/**
 * What `authorize` returns: the decision, the statement or layer that decided it, an
 * optional residual (partial evaluation) and an optional trace that names, per layer and
 * policy, every statement and why it matched or not.
 */
import type { DecisionResult, LayerName } from './types.js';
import type { ConditionTrace } from './conditions.js';
import type { MatchClass, PrincipalKind } from './principal.js';
import type { Tri } from './residual.js';

/** Where a decision came from: a policy layer, or `request` for the built-in rules (GetCallerIdentity, root AssumeRole, …). */
export type DecisionLayer = LayerName | 'request';

export interface StatementRef {
  readonly layer: LayerName;
  /** SCP/RCP level (0 = organization root). */
  readonly level?: number;
  readonly policy: string;
  readonly sid?: string;
  /** Position of the statement in its policy's Statement list. */
  readonly statementIndex: number;
  readonly effect: 'Allow' | 'Deny';
  readonly line: number;
  readonly column: number;
}

/**
 * For an implicit deny: the Allow statement that came closest (its action matches) and what
 * did not match, one phrase per element (resource, principal, each false condition).
 */
export interface NearestMiss {
  readonly layer: LayerName;
  readonly level?: number;
  readonly policy: string;
  readonly sid?: string;
  readonly statementIndex: number;
  readonly line: number;
  readonly column: number;
  readonly misses: readonly string[];
}

export interface DecidedBy {
  readonly layer: DecisionLayer;
  /** One sentence: why this layer decided. */
  readonly reason: string;
  /**
   * ImplicitDeny (with traces on): the policies of the blocking layer, none of whose
   * statements allows the request. No statement decided it, so `policy` is absent unless the
   * layer holds a single policy (a resource, boundary or endpoint policy).
   */
  readonly noAllowIn?: readonly string[];
  /** ImplicitDeny (with traces on): the nearest miss in the blocking layer, if any Allow statement matches the action. */
  readonly nearestMiss?: NearestMiss;
  readonly level?: number;
  readonly policy?: string;
  readonly sid?: string;
  readonly statementIndex?: number;
  readonly line?: number;
  readonly column?: number;
}

export interface StatementTrace {
  readonly statementIndex: number;
  readonly sid?: string;
  readonly effect: 'Allow' | 'Deny';
  readonly line: number;
  readonly column: number;
  readonly outcome: 'match' | 'no-match' | 'unknown';
  /** One reason per element that decided the outcome, e.g. `action iam:PassRole matches iam:PassRole`. */
  readonly reasons: readonly string[];
  readonly action: { readonly matched: boolean; readonly pattern?: string };
  /** `entries`: the statement's Resource (or NotResource, `not`) entries, given when they do not match. */
  readonly resource?: { readonly matched: boolean | 'unknown'; readonly pattern?: string; readonly entries?: readonly string[]; readonly not?: boolean };
  readonly principal?: { readonly matchClass: MatchClass; readonly entry?: string; readonly notPrincipal: boolean };
  readonly conditions: readonly ConditionTrace[];
}

export interface PolicyTrace {
  readonly policy: string;
  readonly statements: readonly StatementTrace[];
}

export interface LayerTrace {
  readonly layer: LayerName;
  readonly level?: number;
  readonly applies: boolean;
  /** Why the layer does or does not apply, or what it decided. */
  readonly note?: string;
  readonly policies: readonly PolicyTrace[];
}

export interface Trace {
  readonly principal: { readonly kind: PrincipalKind; readonly arn?: string; readonly accountId?: string; readonly roleArn?: string };
  readonly action: string;
  readonly resource: string;
  readonly resourceAccount?: string;
  readonly crossAccount: boolean;
  readonly context: Readonly<Record<string, string | readonly string[]>>;
  readonly layers: readonly LayerTrace[];
  readonly notes: readonly string[];
}

export interface Residual {
  /** The request is allowed exactly when this holds. */
  readonly allowWhen: Tri;
  /** The request is explicitly denied exactly when this holds. */
  readonly explicitDenyWhen: Tri;
  readonly text: string;
}

export interface AuthorizationResult {
  /** With unknown context keys and an undecided residual: `ImplicitDeny` (not yet allowed); see `residual`. */
  readonly decision: DecisionResult;
  readonly reason: string;
  readonly decidedBy?: DecidedBy;
  /** For Allow: the statements that granted it (identity, boundary, session, resource). */
  readonly allowedBy?: readonly StatementRef[];
  readonly trace?: Trace;
  /** Present when the decision depends on unknown context keys. */
  readonly residual?: Residual;
}
