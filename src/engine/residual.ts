/**
 * Partial evaluation (Cedar-style): a condition on a context key whose value is unknown is
 * neither true nor false but a residual clause. Everything the authorizer combines goes
 * through these constructors, so with no unknown keys every formula folds to a constant
 * and the concrete decision is exactly the partial one made concrete.
 */

export interface ResidualClause {
  readonly kind: 'clause';
  /** The condition key as written in the policy. */
  readonly key: string;
  /** The operator as written, e.g. `StringLike` or `ForAnyValue:StringEquals`. */
  readonly operator: string;
  readonly values: readonly string[];
}

export type ResidualNode =
  | ResidualClause
  | { readonly kind: 'and'; readonly items: readonly ResidualNode[] }
  | { readonly kind: 'or'; readonly items: readonly ResidualNode[] }
  | { readonly kind: 'not'; readonly item: ResidualNode };

/** A truth value that may be unknown: `true`, `false`, or a residual formula. */
export type Tri = boolean | ResidualNode;

export function and(a: Tri, b: Tri): Tri {
  if (a === false || b === false) return false;
  if (a === true) return b;
  if (b === true) return a;
  const items = [...(a.kind === 'and' ? a.items : [a]), ...(b.kind === 'and' ? b.items : [b])];
  return { kind: 'and', items };
}

export function or(a: Tri, b: Tri): Tri {
  if (a === true || b === true) return true;
  if (a === false) return b;
  if (b === false) return a;
  const items = [...(a.kind === 'or' ? a.items : [a]), ...(b.kind === 'or' ? b.items : [b])];
  return { kind: 'or', items };
}

export function not(a: Tri): Tri {
  if (a === true) return false;
  if (a === false) return true;
  if (a.kind === 'not') return a.item;
  return { kind: 'not', item: a };
}

function quote(v: string): string {
  return JSON.stringify(v);
}

/** Renders a formula for people: `iam:PassedToService StringLike ["sagemaker.amazonaws.com"]`. */
export function renderResidual(t: Tri): string {
  if (t === true) return 'always';
  if (t === false) return 'never';
  return render(t, false);
}

function render(n: ResidualNode, nested: boolean): string {
  switch (n.kind) {
    case 'clause':
      return `${n.key} ${n.operator} [${n.values.map(quote).join(', ')}]`;
    case 'not':
      return `not (${render(n.item, false)})`;
    case 'and':
    case 'or': {
      const s = n.items.map((i) => render(i, true)).join(n.kind === 'and' ? ' and ' : ' or ');
      return nested ? `(${s})` : s;
    }
  }
}

/** Evaluates a formula under an assignment of the clauses (used by tests and the reference check). */
export function evaluateResidual(t: Tri, clause: (c: ResidualClause) => boolean): boolean {
  if (typeof t === 'boolean') return t;
  switch (t.kind) {
    case 'clause':
      return clause(t);
    case 'not':
      return !evaluateResidual(t.item, clause);
    case 'and':
      return t.items.every((i) => evaluateResidual(i, clause));
    case 'or':
      return t.items.some((i) => evaluateResidual(i, clause));
  }
}
