/**
 * The request context: condition keys, looked up case-insensitively ("IAM JSON policy
 * elements: Condition": key names are case-insensitive, tag-key suffixes too, spec §2.2).
 *
 * Keys are lower-cased once when the request is prepared. Two input keys that differ only
 * in case (a resource tagged both `EC2` and `ec2`) are kept as variants of one key; the
 * condition evaluator applies option A16 to them.
 */

export type ContextValue = string | readonly string[];
export type ContextInputValue = string | number | boolean | readonly (string | number | boolean)[];

const NO_UNKNOWN: ReadonlySet<string> = new Set();

export class RequestContext {
  /** Lower-cased key → its (first) value. */
  private readonly map = new Map<string, ContextValue>();
  /** Keys given in several case variants (A16) → every variant, in input order. Rare. */
  private more: Map<string, ContextValue[]> | undefined;
  private readonly unknown: ReadonlySet<string>;
  /**
   * Keys derived from the principal, shared by every request of that principal and looked up
   * only when the caller did not give the key (a key given explicitly wins) and it is not unknown.
   */
  private derived: ReadonlyMap<string, ContextValue> | undefined;

  constructor(unknownKeys: Iterable<string> = []) {
    let u: Set<string> | undefined;
    for (const k of unknownKeys) (u ??= new Set()).add(k.toLowerCase());
    this.unknown = u ?? NO_UNKNOWN;
  }

  /** Adds a key as given by the caller (a variant if the lower-cased key is already there). */
  add(key: string, value: ContextInputValue): void {
    const k = key.toLowerCase();
    const v: ContextValue = typeof value === 'string' ? value : Array.isArray(value) ? (value as readonly unknown[]).map((x) => String(x)) : String(value);
    const first = this.map.get(k);
    if (first === undefined) {
      this.map.set(k, v);
      return;
    }
    this.more ??= new Map();
    const list = this.more.get(k);
    if (list) list.push(v);
    else this.more.set(k, [first, v]);
  }

  /** Adds a derived key unless the caller gave it (a key given explicitly wins) or it is unknown. */
  addDerived(key: string, value: ContextValue): void {
    this.addDerivedLower(key.toLowerCase(), value);
  }

  /** `addDerived` for a key that is already lower-cased. */
  addDerivedLower(keyLower: string, value: ContextValue): void {
    if (this.map.has(keyLower) || (this.unknown.size > 0 && this.unknown.has(keyLower)) || this.derivedValue(keyLower) !== undefined) return;
    this.map.set(keyLower, value);
  }

  /** Uses derived keys (lower-cased) behind the caller's: like `addDerivedLower` for each, without copying them. */
  useDerived(derived: ReadonlyMap<string, ContextValue>): void {
    if (this.derived === undefined) {
      this.derived = derived;
      return;
    }
    for (const [k, v] of derived) this.addDerivedLower(k, v);
  }

  private derivedValue(keyLower: string): ContextValue | undefined {
    if (this.derived === undefined || (this.unknown.size > 0 && this.unknown.has(keyLower))) return undefined;
    return this.derived.get(keyLower);
  }

  /** The values of a lower-cased key: one entry normally, several for case variants (A16). */
  variants(keyLower: string): readonly ContextValue[] | undefined {
    const more = this.more?.get(keyLower);
    if (more) return more;
    const v = this.get(keyLower);
    return v === undefined ? undefined : [v];
  }

  /** The key was given in several case variants (A16). */
  hasVariants(keyLower: string): boolean {
    return this.more !== undefined && this.more.has(keyLower);
  }

  /** The first value of a lower-cased key. */
  get(keyLower: string): ContextValue | undefined {
    const v = this.map.get(keyLower);
    return v !== undefined || this.derived === undefined ? v : this.derivedValue(keyLower);
  }

  isUnknown(keyLower: string): boolean {
    return this.unknown.size > 0 && this.unknown.has(keyLower);
  }

  get hasUnknown(): boolean {
    return this.unknown.size > 0;
  }

  /** Every key and value, for traces and tests. */
  entries(): Array<[string, readonly ContextValue[]]> {
    const out: Array<[string, readonly ContextValue[]]> = [];
    for (const [k, v] of this.map) out.push([k, this.more?.get(k) ?? [v]]);
    if (this.derived) for (const [k, v] of this.derived) if (!this.map.has(k) && !this.isUnknown(k)) out.push([k, [v]]);
    return out;
  }

  unknownKeys(): string[] {
    return [...this.unknown];
  }
}

/** Builds a context from a plain record or map (own keys only; `__proto__` is just a key). */
export function contextFrom(
  input: Readonly<Record<string, ContextInputValue>> | ReadonlyMap<string, ContextInputValue> | undefined,
  unknownKeys?: Iterable<string>,
): RequestContext {
  const ctx = new RequestContext(unknownKeys);
  if (!input) return ctx;
  if (input instanceof Map) {
    for (const [k, v] of input as ReadonlyMap<string, ContextInputValue>) ctx.add(k, v);
  } else {
    const rec = input as Readonly<Record<string, ContextInputValue>>;
    for (const k of Object.keys(rec)) {
      const v = rec[k];
      if (v !== undefined && v !== null) ctx.add(k, v);
    }
  }
  return ctx;
}
