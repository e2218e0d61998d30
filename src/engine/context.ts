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

export class RequestContext {
  private readonly map = new Map<string, ContextValue[]>();
  private readonly unknown: ReadonlySet<string>;

  constructor(unknownKeys: Iterable<string> = []) {
    const u = new Set<string>();
    for (const k of unknownKeys) u.add(k.toLowerCase());
    this.unknown = u;
  }

  /** Adds a key as given by the caller (a variant if the lower-cased key is already there). */
  add(key: string, value: ContextInputValue): void {
    const k = key.toLowerCase();
    const v: ContextValue = Array.isArray(value) ? (value as readonly unknown[]).map((x) => String(x)) : String(value);
    const list = this.map.get(k);
    if (list) list.push(v);
    else this.map.set(k, [v]);
  }

  /** Adds a derived key unless the caller gave it (a key given explicitly wins) or it is unknown. */
  addDerived(key: string, value: ContextValue): void {
    const k = key.toLowerCase();
    if (this.map.has(k) || this.unknown.has(k)) return;
    this.map.set(k, [value]);
  }

  /** The values of a lower-cased key: one entry normally, several for case variants (A16). */
  variants(keyLower: string): readonly ContextValue[] | undefined {
    return this.map.get(keyLower);
  }

  /** The first value of a lower-cased key. */
  get(keyLower: string): ContextValue | undefined {
    const l = this.map.get(keyLower);
    return l ? l[0] : undefined;
  }

  isUnknown(keyLower: string): boolean {
    return this.unknown.size > 0 && this.unknown.has(keyLower);
  }

  get hasUnknown(): boolean {
    return this.unknown.size > 0;
  }

  /** Every key and value, for traces and tests. */
  entries(): Array<[string, readonly ContextValue[]]> {
    return [...this.map.entries()];
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
