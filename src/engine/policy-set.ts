/**
 * Explicit reuse of compiled policies. A `PolicyCompiler` is held by the caller for one run
 * (e.g. one `check` over a whole domain): it compiles each distinct policy document once,
 * keyed by its content (the JSON text, the policy kind and the name it is reported under),
 * and hands `authorize` a `CompiledPolicySet` directly. Nothing here is module-level: drop
 * the compiler and everything it compiled goes with it. Keyed by content, two copies of the
 * same document (a managed policy attached to 10,000 roles) compile once, and an edited copy
 * (a fix applied to a copy of the snapshot) is compiled afresh. The content key of a
 * document object is computed once per object: a document must not be changed in place
 * while the compiler that has seen it is in use (copy it, as fixes do).
 */
import type { PolicyKind } from '../policy/model.js';
import type { PolicySet } from './authorize.js';
import type { CompiledPolicy } from './compile.js';
import { compilePolicyDocument, PolicyCompileError } from './compile.js';
import { readPolicyValue } from '../policy/read.js';
import { refusingFinding, ruleFindings } from '../policy/validate.js';
import type { ScenarioPolicies } from './types.js';
import { Generations } from './generations.js';

/** A PolicySet whose every policy is compiled and free of errors: `authorize` uses it as is. */
export interface CompiledPolicySet extends PolicySet {
  readonly identity?: readonly CompiledPolicy[];
  readonly permissionsBoundary?: CompiledPolicy;
  readonly session?: readonly CompiledPolicy[];
  readonly resource?: CompiledPolicy;
  readonly scp?: readonly (readonly CompiledPolicy[])[];
  readonly rcp?: readonly (readonly CompiledPolicy[])[];
  readonly vpcEndpoint?: CompiledPolicy;
}

export interface PolicyCompilerOptions {
  /** Distinct documents kept at least (at most twice as many); default 4,096. */
  readonly capacity?: number;
  /**
   * JSON characters of compiled documents kept at least (at most twice as many, plus one
   * document); default 262,144 (about 20 MB of compiled policies held at most). A
   * 10,000-profile domain's inline policies would otherwise keep 4,096 to 8,192 compiled
   * documents (over 150 MB) that no other profile uses.
   */
  readonly maxChars?: number;
  /**
   * Refuse a document that `validate` calls an error (every rule, not only the grammar the
   * engine needs), as `check`, `explain` and `simulate` do: such a policy is never evaluated,
   * so a Deny with a typo cannot silently drop. Checked once per distinct document.
   */
  readonly validate?: boolean;
}

/** A document refused by the `validate` rules (see PolicyCompilerOptions.validate). */
export class InvalidPolicyDocumentError extends PolicyCompileError {}

export class PolicyCompiler {
  /** JSON text → `kind\u0000name` → compiled. Two levels: the text (one string per document object, its hash computed once) is never concatenated. */
  private readonly byContent: Generations<string, Map<string, CompiledPolicy | PolicyCompileError>>;
  private readonly validate: boolean;
  private count = 0;
  /** Document object → its JSON text (the content key), so a document is serialised once while it is in use. */
  private readonly texts: Generations<object, string>;

  constructor(options: PolicyCompilerOptions = {}) {
    const capacity = options.capacity ?? 4096;
    const maxChars = options.maxChars ?? 262_144;
    this.validate = options.validate === true;
    this.byContent = new Generations(capacity, maxChars);
    this.texts = new Generations(capacity * 4, maxChars);
  }
  /** Documents compiled (cache misses) and served from the cache (hits), for benchmarks and tests. */
  compiled = 0;
  reused = 0;

  /**
   * The compiled policy for a document (a plain value as AWS stores it). Throws
   * PolicyCompileError, naming `name`, for a document that cannot be read or compiled (and,
   * with `validate`, InvalidPolicyDocumentError for one that `validate` calls an error).
   */
  compile(document: unknown, kind: PolicyKind, name: string): CompiledPolicy {
    const text = this.text(document);
    let byName = this.byContent.get(text);
    if (byName === undefined) this.byContent.set(text, (byName = new Map()), 0);
    const key = `${kind}\u0000${name}`;
    const hit = byName.get(key);
    if (hit !== undefined) {
      this.reused++;
      if (hit instanceof PolicyCompileError) throw hit;
      return hit;
    }
    this.compiled++;
    this.count++;
    let result: CompiledPolicy | PolicyCompileError;
    try {
      result = compilePolicyDocument(document, kind, name);
      if (this.validate) {
        const read = readPolicyValue(document, { kind, name });
        const bad = read.policy ? refusingFinding(ruleFindings(read.policy, { kind, name }), read.policy) : undefined;
        if (bad) result = new InvalidPolicyDocumentError(name, [{ message: bad.message, line: bad.line, column: bad.column, path: bad.path }]);
      }
    } catch (e) {
      if (!(e instanceof PolicyCompileError)) throw e;
      result = e;
    }
    byName.set(key, result);
    // Weighed by the text: each name a document is compiled under is a compiled copy.
    this.byContent.grow(text, text.length);
    if (result instanceof PolicyCompileError) throw result;
    return result;
  }

  private text(document: unknown): string {
    if (document === null || typeof document !== 'object') return JSON.stringify(document) ?? 'undefined';
    let t = this.texts.get(document);
    if (t === undefined) {
      t = JSON.stringify(document);
      this.texts.set(document, t, t.length);
    }
    return t;
  }

  /** Distinct (document, kind, name) compiled so far (misses). */
  get size(): number {
    return this.count;
  }

  /** What the compiler holds now: distinct documents, their JSON characters (one per compiled copy), and texts kept. */
  get held(): { readonly documents: number; readonly chars: number; readonly texts: number; readonly textChars: number } {
    return { documents: this.byContent.size, chars: this.byContent.weight, texts: this.texts.size, textChars: this.texts.weight };
  }

  /**
   * A scenario's policies (scenario format) compiled, each named by its place in the
   * scenario (`policies.identity[0]`, `policies.scp[1][0]`) as `readScenarioValue` names them.
   * `resourceKind` is the kind of the resource policy (trust, key, bucket, resource).
   */
  policySet(p: ScenarioPolicies, resourceKind: PolicyKind): CompiledPolicySet {
    const set: { -readonly [K in keyof CompiledPolicySet]: CompiledPolicySet[K] } = {};
    if (p.identity) set.identity = p.identity.map((d, i) => this.compile(d, 'identity', `policies.identity[${i}]`));
    if (p.permissionsBoundary !== undefined) set.permissionsBoundary = this.compile(p.permissionsBoundary, 'permissions-boundary', 'policies.permissionsBoundary');
    if (p.session) set.session = p.session.map((d, i) => this.compile(d, 'session', `policies.session[${i}]`));
    if (p.resource !== undefined) set.resource = this.compile(p.resource, resourceKind, 'policies.resource');
    if (p.scp) set.scp = p.scp.map((lv, i) => lv.map((d, j) => this.compile(d, 'scp', `policies.scp[${i}][${j}]`)));
    if (p.rcp) set.rcp = p.rcp.map((lv, i) => lv.map((d, j) => this.compile(d, 'rcp', `policies.rcp[${i}][${j}]`)));
    if (p.vpcEndpoint !== undefined) set.vpcEndpoint = this.compile(p.vpcEndpoint, 'vpc-endpoint', 'policies.vpcEndpoint');
    return set;
  }
}
