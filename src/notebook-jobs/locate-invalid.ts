/**
 * Where an invalid policy of the account is in the snapshot file the user has. `check`
 * reads the snapshot as values (fast, no positions) and the engine refuses a policy that
 * `validate` calls an error with a position in the policy printed as JSON, which is not a
 * file anyone has. On that rare path this finds the policy's JSON path in the snapshot (by
 * identity: the scenario holds the snapshot's own document object), parses the snapshot
 * text once with positions (src/policy/json.ts) and reads the policy from its positioned
 * node with the same rules, so the error is `account.json:118:37 at
 * $.organization.path[0].scps[1].document.Statement[0].Condition...`.
 *
 * Nothing is computed until a step has an invalid policy; a `SnapshotLocator` is held by
 * one run of the caller (explicit reuse, no module state) and parses the text at most once.
 */
import type { AccountSnapshot } from '../account/snapshot.js';
import { compilePolicy } from '../engine/compile.js';
import { childPath, nodeAtPointer, parseJson } from '../policy/json.js';
import type { JsonNode, JsonParseResult } from '../policy/json.js';
import type { Finding } from '../policy/findings.js';
import type { PolicyKind } from '../policy/model.js';
import { readPolicyNode } from '../policy/read.js';
import { ruleFindings } from '../policy/validate.js';
import { documentAt, invalidPolicyText } from './check.js';
import type { InvalidPolicyRef, StepOutcome } from './check.js';

/** Policy documents lie a few levels down (organization.path[i].scps[j].document is 5). */
const MAX_DEPTH = 12;

interface Place {
  readonly pointer: string;
  readonly path: string;
}

interface Located {
  readonly path: string;
  readonly line: number;
  readonly column: number;
}

export class SnapshotLocator {
  private parsed: JsonParseResult | undefined;
  /**
   * Every policy document of the snapshot (an object with a Statement) → its JSON Pointers
   * and paths, in file order: the reader makes equal documents one object (a managed policy
   * listed under each role it is attached to), so one object can sit in several places.
   */
  private pointers: Map<object, Place[]> | undefined;
  private readonly done = new Map<Place, Located | null>();

  constructor(
    private readonly snapshot: AccountSnapshot,
    /** The snapshot's text, as read. */
    private readonly text: string,
    /** The file as shown to people. */
    private readonly file: string,
  ) {}

  /** The step with its invalid policy located in the snapshot file; unchanged when it cannot be. */
  step(o: StepOutcome): StepOutcome {
    const ref = o.invalidPolicy;
    if (!ref || ref.inFile || ref.slot === undefined || ref.kind === undefined) return o;
    const doc = documentAt(o.scenario, ref.slot);
    if (doc === null || typeof doc !== 'object') return o;
    const at = this.locate(doc, ref, o);
    if (!at) return o;
    const located: InvalidPolicyRef = { ...ref, inFile: { file: this.file, ...at } };
    const before = invalidPolicyText(ref);
    return { ...o, invalidPolicy: located, missing: (o.missing ?? []).map((m) => (m === before ? invalidPolicyText(located) : m)) };
  }

  private locate(doc: object, ref: InvalidPolicyRef, o: StepOutcome): Located | undefined {
    const place = this.placeOf(doc, o);
    if (place === undefined) return undefined;
    if (this.done.has(place)) return this.done.get(place) ?? undefined;
    const found = this.find(place, ref);
    this.done.set(place, found ?? null);
    return found;
  }

  private find(place: Place, ref: InvalidPolicyRef): Located | undefined {
    this.parsed ??= parseJson(this.text);
    if (!this.parsed.ok) return undefined;
    const node = nodeAtPointer(this.parsed.root, place.pointer);
    // nodeAtPointer stops at the deepest node on the way: only the very node will do.
    if (node.path !== place.path) return undefined;
    const f = sameFinding(node, ref.kind!, ref);
    // The policy itself when the finding cannot be found again (it always can: same rules).
    return f ? { path: f.path, line: f.line, column: f.column } : { path: node.path, line: node.loc.line, column: node.loc.column };
  }

  /** Where `doc` is: of several places, the one under the role the step's request is about (its caller's role, else the role it acts on). */
  private placeOf(doc: object, o: StepOutcome): Place | undefined {
    if (!this.pointers) {
      this.pointers = new Map();
      collect(this.snapshot, '', '$', 0, this.pointers);
    }
    const places = this.pointers.get(doc);
    if (places === undefined || places.length < 2) return places?.[0];
    const request = o.scenario.request;
    for (const arn of [request.principalRoleArn, request.resource]) {
      const under = places.find((p) => {
        const m = /^\/roles\/(\d+)\//.exec(p.pointer);
        return m !== null && this.snapshot.roles[Number(m[1])]?.arn === arn;
      });
      if (under) return under;
    }
    return places[0];
  }
}

/** Records every policy-like object (one with a Statement) below `value` with its pointer and path. */
function collect(value: unknown, pointer: string, path: string, depth: number, out: Map<object, Place[]>): void {
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) collect(value[i], `${pointer}/${i}`, childPath(path, i), depth + 1, out);
    return;
  }
  if (Object.prototype.hasOwnProperty.call(value, 'Statement')) {
    const places = out.get(value);
    if (places) places.push({ pointer, path });
    else out.set(value, [{ pointer, path }]);
    return;
  }
  for (const k of Object.keys(value)) {
    collect((value as Record<string, unknown>)[k], `${pointer}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, childPath(path, k), depth + 1, out);
  }
}

/** The error the engine refused the policy for, read again from the positioned node with the same rules. */
function sameFinding(node: JsonNode, kind: PolicyKind, ref: InvalidPolicyRef): Pick<Finding, 'path' | 'line' | 'column'> | undefined {
  const read = readPolicyNode(node, { kind });
  const errors: Array<Pick<Finding, 'path' | 'line' | 'column' | 'message'> & { code?: string }> = read.findings.filter((f) => f.severity === 'error');
  if (read.policy) {
    errors.push(...compilePolicy(read.policy).errors);
    errors.push(...ruleFindings(read.policy, { kind }).filter((f) => f.severity === 'error'));
  }
  const located = errors.filter((f) => f.line > 0);
  return (
    located.find((f) => ref.code !== undefined && f.code === ref.code && f.message === ref.message) ??
    located.find((f) => ref.code !== undefined && f.code === ref.code) ??
    located.find((f) => f.message === ref.message) ??
    located[0]
  );
}
