/**
 * Scenario transformations for the metamorphic relations. Every function returns a new
 * scenario and leaves its input untouched.
 */
import type { Scenario } from '../../src/engine/types.js';
import type { LayerKind } from './generators.js';

type Json = unknown;
type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function clone(s: Scenario): Scenario {
  return structuredClone(s);
}

/** A place that holds one policy document in a (cloned) scenario. */
export interface PolicySlot {
  kind: LayerKind;
  get(): Json;
  set(doc: Json): void;
}

export function policySlots(s: Scenario): PolicySlot[] {
  const p = s.policies;
  const out: PolicySlot[] = [];
  const arraySlots = (kind: LayerKind, list: Json[] | undefined): void => {
    if (!list) return;
    list.forEach((_d, i) => out.push({ kind, get: () => list[i], set: (d) => (list[i] = d) }));
  };
  arraySlots('identity', p.identity);
  if (p.permissionsBoundary !== undefined) out.push({ kind: 'permissionsBoundary', get: () => p.permissionsBoundary, set: (d) => (p.permissionsBoundary = d) });
  arraySlots('session', p.session);
  if (p.resource !== undefined) out.push({ kind: 'resource', get: () => p.resource, set: (d) => (p.resource = d) });
  for (const level of p.scp ?? []) arraySlots('scp', level);
  for (const level of p.rcp ?? []) arraySlots('rcp', level);
  if (p.vpcEndpoint !== undefined) out.push({ kind: 'vpcEndpoint', get: () => p.vpcEndpoint, set: (d) => (p.vpcEndpoint = d) });
  return out;
}

function statementsOf(doc: Json): Json[] {
  if (!isObj(doc)) return [];
  const st = doc.Statement;
  return Array.isArray(st) ? st : st === undefined ? [] : [st];
}

function withStatements(doc: Json, statements: Json[]): Json {
  if (!isObj(doc)) return doc;
  return { ...doc, Statement: statements };
}

/** Add `statement` to the policy in slot `index` (modulo the slot count). Null if there is none. */
export function addStatement(s: Scenario, index: number, statement: Obj): { scenario: Scenario; kind: LayerKind } | null {
  const c = clone(s);
  const slots = policySlots(c);
  if (slots.length === 0) return null;
  const slot = slots[index % slots.length];
  if (slot === undefined) return null;
  slot.set(withStatements(slot.get(), [...statementsOf(slot.get()), statement]));
  return { scenario: c, kind: slot.kind };
}

/** A deterministic pseudo-random sequence from a seed (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle<T>(items: T[], r: () => number): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    const x = a[i] as T;
    a[i] = a[j] as T;
    a[j] = x;
  }
  return a;
}

/** Shuffle statements in every policy, duplicate some, and shuffle every policy list and level list. */
export function reorderAndDuplicate(s: Scenario, seed: number): Scenario {
  const r = rng(seed);
  const c = clone(s);
  for (const slot of policySlots(c)) {
    let sts = shuffle(statementsOf(slot.get()), r);
    if (sts.length > 0 && r() < 0.5) sts = [...sts, sts[Math.floor(r() * sts.length)]];
    slot.set(withStatements(slot.get(), sts));
  }
  const p = c.policies;
  if (p.identity) p.identity = shuffle(p.identity, r);
  if (p.session) p.session = shuffle(p.session, r);
  if (p.scp) p.scp = shuffle(p.scp.map((l) => shuffle(l, r)), r);
  if (p.rcp) p.rcp = shuffle(p.rcp.map((l) => shuffle(l, r)), r);
  return c;
}

/** Rewrite every "string or list" place: `toList` makes bare strings one-element lists, `toString` the reverse. */
export function relist(s: Scenario, mode: 'toList' | 'toString'): Scenario {
  const c = clone(s);
  const conv = (v: Json): Json => {
    if (mode === 'toList' && typeof v === 'string') return [v];
    if (mode === 'toString' && Array.isArray(v) && v.length === 1) return v[0];
    return v;
  };
  for (const slot of policySlots(c)) {
    const doc = slot.get();
    if (!isObj(doc)) continue;
    const sts = statementsOf(doc).map((st) => {
      if (!isObj(st)) return st;
      const out: Obj = { ...st };
      for (const k of ['Action', 'NotAction', 'Resource', 'NotResource']) if (k in out) out[k] = conv(out[k]);
      for (const k of ['Principal', 'NotPrincipal']) {
        const pr = out[k];
        if (isObj(pr)) out[k] = Object.fromEntries(Object.entries(pr).map(([pk, pv]) => [pk, conv(pv)]));
      }
      if (isObj(out.Condition)) {
        out.Condition = Object.fromEntries(
          Object.entries(out.Condition).map(([op, body]) => [op, isObj(body) ? Object.fromEntries(Object.entries(body).map(([ck, cv]) => [ck, conv(cv)])) : body]),
        );
      }
      return out;
    });
    const statement: Json = mode === 'toString' && sts.length === 1 ? sts[0] : sts;
    slot.set({ ...doc, Statement: statement });
  }
  return c;
}

/** Split identity policy `index` into two policies (same Version) at a cut point. Null when nothing to split. */
export function splitIdentity(s: Scenario, index: number, cut: number): Scenario | null {
  const ids = s.policies.identity ?? [];
  const candidates = ids.map((d, i) => [i, statementsOf(d).length] as const).filter(([, n]) => n >= 2);
  if (candidates.length === 0) return null;
  const pick = candidates[index % candidates.length];
  if (pick === undefined) return null;
  const [i, n] = pick;
  const c = clone(s);
  const list = c.policies.identity ?? [];
  const doc = list[i];
  const sts = statementsOf(doc);
  const at = 1 + (cut % (n - 1));
  list.splice(i, 1, withStatements(doc, sts.slice(0, at)), withStatements(doc, sts.slice(at)));
  return c;
}

function caseOf(s: string, r: () => number): string {
  const x = r();
  if (x < 0.33) return s.toUpperCase();
  if (x < 0.66) return s.toLowerCase();
  return Array.from(s, (ch) => (r() < 0.5 ? ch.toUpperCase() : ch.toLowerCase())).join('');
}

/**
 * Change the case of context key names, condition key names, the request action and
 * action patterns (keys and actions are case-insensitive, §1.4, §2.2). Null when a rename
 * would merge two keys that differ only in case.
 */
export function recase(s: Scenario, seed: number): Scenario | null {
  const r = rng(seed);
  const c = clone(s);
  const ctx = c.request.context;
  if (ctx) {
    const lower = Object.keys(ctx).map((k) => k.toLowerCase());
    if (new Set(lower).size !== lower.length) return null;
    c.request.context = Object.fromEntries(Object.entries(ctx).map(([k, v]) => [caseOf(k, r), v]));
  }
  c.request.action = caseOf(c.request.action, r);
  for (const slot of policySlots(c)) {
    const doc = slot.get();
    if (!isObj(doc)) continue;
    let collision = false;
    const sts = statementsOf(doc).map((st) => {
      if (!isObj(st)) return st;
      const out: Obj = { ...st };
      for (const k of ['Action', 'NotAction']) {
        const v = out[k];
        if (typeof v === 'string') out[k] = caseOf(v, r);
        else if (Array.isArray(v)) out[k] = v.map((x) => (typeof x === 'string' ? caseOf(x, r) : x));
      }
      if (isObj(out.Condition)) {
        out.Condition = Object.fromEntries(
          Object.entries(out.Condition).map(([op, body]) => {
            if (!isObj(body)) return [op, body];
            const keys = Object.keys(body).map((k) => k.toLowerCase());
            if (new Set(keys).size !== keys.length) collision = true;
            return [op, Object.fromEntries(Object.entries(body).map(([ck, cv]) => [caseOf(ck, r), cv]))];
          }),
        );
      }
      return out;
    });
    if (collision) return null;
    slot.set(withStatements(doc, sts));
  }
  return c;
}

/** Swap the equivalent principal spellings: "*" ↔ {"AWS":"*"}, "A" ↔ "arn:aws:iam::A:root" (§1.6). */
export function respellPrincipals(s: Scenario): Scenario {
  const c = clone(s);
  const swapAws = (v: Json): Json => {
    if (typeof v !== 'string') return v;
    if (/^\d{12}$/.test(v)) return `arn:aws:iam::${v}:root`;
    const m = /^arn:aws:iam::(\d{12}):root$/.exec(v);
    return m ? m[1] : v;
  };
  for (const slot of policySlots(c)) {
    const doc = slot.get();
    if (!isObj(doc)) continue;
    const sts = statementsOf(doc).map((st) => {
      if (!isObj(st)) return st;
      const out: Obj = { ...st };
      for (const k of ['Principal', 'NotPrincipal']) {
        const pr = out[k];
        if (pr === '*') out[k] = { AWS: '*' };
        else if (isObj(pr)) {
          const keys = Object.keys(pr);
          if (keys.length === 1 && keys[0] === 'AWS' && pr.AWS === '*') out[k] = '*';
          else {
            const aws = pr.AWS;
            out[k] = { ...pr, ...(aws === undefined ? {} : { AWS: Array.isArray(aws) ? aws.map(swapAws) : swapAws(aws) }) };
          }
        }
      }
      return out;
    });
    slot.set(withStatements(doc, sts));
  }
  return c;
}

/** Statements that can never match: an action of no service. */
export function inertStatement(effect: 'Allow' | 'Deny', withPrincipal: boolean): Obj {
  const st: Obj = { Effect: effect, Action: 'nosuchservice:NoSuchAction', Resource: '*' };
  if (withPrincipal) st.Principal = '*';
  return st;
}

/** Add a level that allows everything (SCP) or that holds nothing beyond RCPFullAWSAccess (RCP). */
export function addNeutralLevels(s: Scenario): Scenario {
  const c = clone(s);
  if (c.policies.scp) c.policies.scp.push([{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }]);
  if (c.policies.rcp) c.policies.rcp.push([]);
  return c;
}
