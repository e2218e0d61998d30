/**
 * A bounded map for the caches a caller holds for one run (PolicyCompiler, ScenarioPolicyCache),
 * never module-level: dropped with the run.
 *
 * A map that keeps what is used: entries live in a young generation; when it is full it
 * becomes the old one (the previous old one is dropped), and an old entry that is used again
 * moves back to the young one. A domain's shared policies (SCPs, managed policies) stay; a
 * role's own inline policy goes soon after its profile is checked. A generation is full at
 * `capacity` entries or `maxWeight` weight (the JSON characters of the documents it holds:
 * what a compiled policy costs grows with its text, so a count alone bounds nothing when
 * documents are large). Memory is bounded by twice either bound however many profiles a
 * run checks.
 */
export class Generations<K, V> {
  private young = new Map<K, { readonly value: V; readonly weight: number }>();
  private old = new Map<K, { readonly value: V; readonly weight: number }>();
  private youngWeight = 0;

  constructor(
    private readonly capacity: number,
    private readonly maxWeight: number,
  ) {}

  get(k: K): V | undefined {
    const y = this.young.get(k);
    if (y !== undefined) return y.value;
    const o = this.old.get(k);
    if (o === undefined) return undefined;
    this.old.delete(k);
    this.set(k, o.value, o.weight);
    return o.value;
  }

  set(k: K, v: V, weight: number): void {
    if (this.young.size > 0 && (this.young.size >= this.capacity || this.youngWeight + weight > this.maxWeight)) {
      this.old = this.young;
      this.young = new Map();
      this.youngWeight = 0;
    }
    const before = this.young.get(k);
    if (before !== undefined) this.youngWeight -= before.weight;
    this.young.set(k, { value: v, weight });
    this.youngWeight += weight;
  }

  /** Adds to the weight of an entry of the young generation (e.g. a document compiled again under another name). */
  grow(k: K, weight: number): void {
    const y = this.young.get(k);
    if (y === undefined) return;
    this.young.set(k, { value: y.value, weight: y.weight + weight });
    this.youngWeight += weight;
  }

  /** Entries held (both generations), for tests. */
  get size(): number {
    return this.young.size + this.old.size;
  }

  /** Weight held (both generations), for tests. */
  get weight(): number {
    let w = this.youngWeight;
    for (const e of this.old.values()) w += e.weight;
    return w;
  }
}
