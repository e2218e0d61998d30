/**
 * Condition operators ("IAM JSON policy elements: Condition operators"; "Conditions with
 * multiple context keys or values"; "Single-valued vs. multivalued context keys"; spec §2).
 *
 * Operators are resolved once, at compile time, through a Map: an operator named
 * `constructor` or `__proto__` is simply unknown, and an unknown operator makes the policy
 * invalid (fail closed) instead of being ignored.
 */
import type { ConditionClause } from '../policy/model.js';
import type { EvaluationOptions } from './types.js';
import type { ContextValue, RequestContext } from './context.js';
import type { ArnHeadMatcher, ArnParts } from './arn.js';
import { compileArnHead, matchArnHead, ResourcePartMatcher, splitArn } from './arn.js';
import { compileWildcard, compileWildcardTokens } from './wildcard.js';
import type { GlobToken, WildcardMatcher } from './wildcard.js';
import type { Template, VariableLookup } from './variables.js';
import { parseTemplate, resolveToString, resolveToTokens, UNKNOWN, UNRESOLVED } from './variables.js';
import { decodeBase64, networkContains, parseDate, parseIpNetwork, parseNumber } from './values.js';
import type { IpNetwork } from './values.js';
import type { ResidualClause, Tri } from './residual.js';
import { and, or } from './residual.js';

export type OperatorFamily = 'String' | 'StringIgnoreCase' | 'StringLike' | 'Numeric' | 'Date' | 'Bool' | 'Binary' | 'Ip' | 'Arn' | 'Null';
type Cmp = 'eq' | 'lt' | 'lte' | 'gt' | 'gte';

export interface BaseOperator {
  readonly name: string;
  readonly family: OperatorFamily;
  /** Negated operators use NOR over the policy values and are true when the key is missing. */
  readonly negated: boolean;
  readonly cmp: Cmp;
}

function op(name: string, family: OperatorFamily, negated = false, cmp: Cmp = 'eq'): [string, BaseOperator] {
  return [name.toLowerCase(), Object.freeze({ name, family, negated, cmp })];
}

/** Every base operator of spec §2.4, keyed by lower-cased name. */
export const BASE_OPERATORS: ReadonlyMap<string, BaseOperator> = new Map([
  op('StringEquals', 'String'),
  op('StringNotEquals', 'String', true),
  op('StringEqualsIgnoreCase', 'StringIgnoreCase'),
  op('StringNotEqualsIgnoreCase', 'StringIgnoreCase', true),
  op('StringLike', 'StringLike'),
  op('StringNotLike', 'StringLike', true),
  op('NumericEquals', 'Numeric'),
  op('NumericNotEquals', 'Numeric', true),
  op('NumericLessThan', 'Numeric', false, 'lt'),
  op('NumericLessThanEquals', 'Numeric', false, 'lte'),
  op('NumericGreaterThan', 'Numeric', false, 'gt'),
  op('NumericGreaterThanEquals', 'Numeric', false, 'gte'),
  op('DateEquals', 'Date'),
  op('DateNotEquals', 'Date', true),
  op('DateLessThan', 'Date', false, 'lt'),
  op('DateLessThanEquals', 'Date', false, 'lte'),
  op('DateGreaterThan', 'Date', false, 'gt'),
  op('DateGreaterThanEquals', 'Date', false, 'gte'),
  op('Bool', 'Bool'),
  op('BinaryEquals', 'Binary'),
  op('IpAddress', 'Ip'),
  op('NotIpAddress', 'Ip', true),
  op('ArnEquals', 'Arn'),
  op('ArnLike', 'Arn'),
  op('ArnNotEquals', 'Arn', true),
  op('ArnNotLike', 'Arn', true),
  op('Null', 'Null'),
]);

export type SetOperator = 'none' | 'ForAllValues' | 'ForAnyValue';

export interface ResolvedOperator {
  readonly raw: string;
  readonly base: BaseOperator;
  readonly set: SetOperator;
  readonly ifExists: boolean;
}

/** Resolves an operator name, or explains why it is not one. */
export function resolveOperator(raw: string): ResolvedOperator | { error: string } {
  let rest = raw;
  let set: SetOperator = 'none';
  const lower = raw.toLowerCase();
  if (lower.startsWith('forallvalues:')) {
    set = 'ForAllValues';
    rest = raw.slice('ForAllValues:'.length);
  } else if (lower.startsWith('foranyvalue:')) {
    set = 'ForAnyValue';
    rest = raw.slice('ForAnyValue:'.length);
  }
  let ifExists = false;
  let baseName = rest.toLowerCase();
  if (baseName.endsWith('ifexists')) {
    ifExists = true;
    baseName = baseName.slice(0, -'ifexists'.length);
  }
  const base = BASE_OPERATORS.get(baseName);
  if (!base) return { error: `unknown condition operator "${raw}"; a policy with it is invalid (expected e.g. StringEquals, ArnLike, ForAnyValue:StringLike, BoolIfExists)` };
  if (base.family === 'Null' && (ifExists || set !== 'none')) {
    return { error: `condition operator "${raw}" is invalid: Null takes neither IfExists nor ForAllValues/ForAnyValue` };
  }
  return { raw, base, set, ifExists };
}

/** One policy value, pre-processed for its operator family. */
interface CompiledValue {
  readonly raw: string;
  readonly tmpl?: Template;
  /** String/Bool/Null: the text (lower-cased for IgnoreCase/Bool/Null). */
  readonly text?: string;
  readonly glob?: WildcardMatcher;
  readonly num?: number;
  readonly dateSeconds?: number;
  readonly dateMillis?: number;
  readonly ip?: IpNetwork;
  readonly bin?: string;
  /** Arn operators: null when the value is not an ARN (never matches). */
  readonly arn?: { head: ArnHeadMatcher; res: ResourcePartMatcher } | null;
}

export interface CompiledCondition {
  readonly operator: ResolvedOperator;
  readonly key: string;
  readonly keyLower: string;
  readonly values: readonly CompiledValue[];
  readonly line: number;
  readonly column: number;
  readonly valuesRaw: readonly string[];
}

function compileArnValue(text: string): { head: ArnHeadMatcher; res: ResourcePartMatcher } | null {
  const p = splitArn(text);
  return p ? { head: compileArnHead(p), res: new ResourcePartMatcher(p.resource) } : null;
}

/**
 * Compiles one clause. `variables`: the policy is Version 2012-10-17, so `${…}` is a variable
 * in String, ARN and (A5) Bool values; never in Numeric, Date, IP, Binary or Null values.
 */
export function compileCondition(c: ConditionClause, variables: boolean): CompiledCondition | { error: string } {
  const r = resolveOperator(c.operator);
  if ('error' in r) return r;
  const fam = r.base.family;
  const values: CompiledValue[] = [];
  for (const v of c.values) {
    const raw = v.value;
    const tmpl = variables && (fam === 'String' || fam === 'StringIgnoreCase' || fam === 'StringLike' || fam === 'Arn' || fam === 'Bool') ? parseTemplate(raw) : undefined;
    switch (fam) {
      case 'String':
        values.push({ raw, tmpl, text: raw });
        break;
      case 'StringIgnoreCase':
        values.push({ raw, tmpl, text: raw.toLowerCase() });
        break;
      case 'StringLike':
        values.push({ raw, tmpl, glob: compileWildcard(raw) });
        break;
      case 'Bool':
      case 'Null':
        values.push({ raw, tmpl, text: raw.toLowerCase() });
        break;
      case 'Numeric':
        // Not a number (e.g. a variable, which Numeric values never expand): the value never matches.
        values.push({ raw, num: parseNumber(raw) });
        break;
      case 'Date': {
        // Whether the text is a date does not depend on A18: all-digit text is a date either way.
        const ms = parseDate(raw, 'epochMilliseconds');
        if (ms === undefined) {
          return { error: `condition ${c.operator} on ${c.key}: "${raw}" is not a date (ISO 8601, e.g. 2026-01-01T00:00:00Z, or epoch seconds)` };
        }
        values.push({ raw, dateSeconds: parseDate(raw, 'epochSeconds') as number, dateMillis: ms });
        break;
      }
      case 'Ip':
        // Not an address (e.g. a variable, which IP values never expand): the value never matches.
        values.push({ raw, ip: parseIpNetwork(raw) });
        break;
      case 'Binary':
        values.push({ raw, bin: decodeBase64(raw) });
        break;
      case 'Arn':
        values.push({ raw, tmpl, arn: tmpl ? undefined : compileArnValue(raw) });
        break;
    }
  }
  return {
    operator: r,
    key: c.key,
    keyLower: c.key.toLowerCase(),
    values,
    line: c.keyLoc.line,
    column: c.keyLoc.column,
    valuesRaw: c.values.map((v) => v.value),
  };
}

/** What a clause evaluation needs from the request. */
export interface ConditionEnv {
  readonly context: RequestContext;
  readonly options: EvaluationOptions;
  /** Variables are expanded (Version 2012-10-17). */
  variables: boolean;
  readonly lookup: VariableLookup;
  /** Per-call memo of the last coercion (never shared between calls). */
  readonly coerced?: CoercionMemo;
}

/** The trace of one clause: the values compared and the result. */
export interface ConditionTrace {
  readonly operator: string;
  readonly key: string;
  readonly line: number;
  readonly column: number;
  /** The request's values; null when the key is absent. */
  readonly contextValues: readonly string[] | null;
  /** The policy's values, after variable substitution (`<unresolved ${…}>` when a variable has no value). */
  readonly policyValues: readonly string[];
  readonly result: boolean | 'unknown';
  readonly note?: string;
}

/** Splits glob tokens on the first five colons (for ArnLike values with variables). */
function splitTokens(tokens: readonly GlobToken[]): GlobToken[][] | undefined {
  const parts: GlobToken[][] = [[]];
  for (const t of tokens) {
    const cur = parts[parts.length - 1] as GlobToken[];
    if (t.t !== 'lit' || parts.length === 6) {
      cur.push(t);
      continue;
    }
    let s = t.s;
    let cut = s.indexOf(':');
    while (cut >= 0 && parts.length < 6) {
      if (cut > 0) (parts[parts.length - 1] as GlobToken[]).push({ t: 'lit', s: s.slice(0, cut) });
      parts.push([]);
      s = s.slice(cut + 1);
      cut = s.indexOf(':');
    }
    if (s) (parts[parts.length - 1] as GlobToken[]).push({ t: 'lit', s });
  }
  return parts.length === 6 ? parts : undefined;
}

const COERCION_FAILED = Symbol('coercion');
type Outcome = boolean | typeof UNKNOWN | typeof COERCION_FAILED;

interface Coerced {
  readonly s: string;
  readonly n?: number;
  readonly ip?: IpNetwork;
  readonly arn?: ArnParts;
}

/**
 * Coerces a context value for an operator family. The last coercion is remembered in the
 * call's own ConditionEnv (a request compares the same context value, e.g. aws:CurrentTime,
 * against many clauses); nothing survives the call, so options never leak between calls.
 */
function coerce(fam: OperatorFamily, v: string, env: ConditionEnv): Coerced | undefined {
  const memo = env.coerced;
  if (memo !== undefined && memo.fam === fam && memo.v === v) return memo.c;
  const c = coerceOnce(fam, v, env.options);
  if (memo !== undefined) {
    memo.fam = fam;
    memo.v = v;
    memo.c = c;
  }
  return c;
}

/** The last coercion of one call (see `coerce`). */
export interface CoercionMemo {
  fam: OperatorFamily | '';
  v: string;
  c: Coerced | undefined;
}

/** A fresh per-call memo for `ConditionEnv.coerced`. */
export function coercionMemo(): CoercionMemo {
  return { fam: '', v: '', c: undefined };
}

function coerceOnce(fam: OperatorFamily, v: string, opts: EvaluationOptions): Coerced | undefined {
  switch (fam) {
    case 'Numeric': {
      const n = parseNumber(v);
      return n === undefined ? undefined : { s: v, n };
    }
    case 'Date': {
      const n = parseDate(v, opts.allDigitDates);
      return n === undefined ? undefined : { s: v, n };
    }
    case 'Ip': {
      const ip = parseIpNetwork(v);
      return ip ? { s: v, ip } : undefined; // a prefix length written after the address is not read (networkContains)
    }
    case 'Bool': {
      const l = v.toLowerCase();
      return l === 'true' || l === 'false' ? { s: l } : undefined;
    }
    case 'Binary': {
      const b = decodeBase64(v);
      return b === undefined ? undefined : { s: b };
    }
    case 'Arn': {
      const arn = splitArn(v);
      return arn ? { s: v, arn } : undefined;
    }
    case 'StringIgnoreCase':
      return { s: v.toLowerCase() };
    default:
      return { s: v };
  }
}

function cmpNum(c: Cmp, a: number, b: number): boolean {
  switch (c) {
    case 'eq':
      return a === b;
    case 'lt':
      return a < b;
    case 'lte':
      return a <= b;
    case 'gt':
      return a > b;
    case 'gte':
      return a >= b;
  }
}

/** Does one (coerced) context value match one policy value under the positive form? */
function valueHit(cc: CompiledCondition, pv: CompiledValue, v: Coerced, env: ConditionEnv): boolean | typeof UNRESOLVED | typeof UNKNOWN {
  const base = cc.operator.base;
  const tmpl = env.variables ? pv.tmpl : undefined;
  switch (base.family) {
    case 'String':
    case 'StringIgnoreCase': {
      if (!tmpl) return v.s === pv.text;
      const r = resolveToString(tmpl, env.lookup);
      if (typeof r !== 'string') return r;
      return v.s === (base.family === 'StringIgnoreCase' ? r.toLowerCase() : r);
    }
    case 'StringLike': {
      if (!tmpl) return (pv.glob as WildcardMatcher).test(v.s);
      const r = resolveToTokens(tmpl, env.lookup);
      if (!Array.isArray(r)) return r as typeof UNRESOLVED | typeof UNKNOWN;
      return compileWildcardTokens(r).test(v.s);
    }
    case 'Bool': {
      if (!tmpl || !env.options.expandVariablesInBool) return v.s === pv.text;
      const r = resolveToString(tmpl, env.lookup);
      if (typeof r !== 'string') return r;
      return v.s === r.toLowerCase();
    }
    case 'Numeric':
      return pv.num !== undefined && cmpNum(base.cmp, v.n as number, pv.num);
    case 'Date':
      return cmpNum(base.cmp, v.n as number, (env.options.allDigitDates === 'epochSeconds' ? pv.dateSeconds : pv.dateMillis) as number);
    case 'Ip':
      return pv.ip !== undefined && networkContains(pv.ip, v.ip as IpNetwork);
    case 'Binary':
      return pv.bin !== undefined && v.s === pv.bin;
    case 'Arn': {
      const cs = env.options.resourceArnCaseSensitive;
      const a = v.arn as ArnParts;
      if (!tmpl) {
        const m = pv.arn;
        return m ? matchArnHead(m.head, a) && m.res.test(a.resource, cs) : false;
      }
      const r = resolveToTokens(tmpl, env.lookup);
      if (!Array.isArray(r)) return r as typeof UNRESOLVED | typeof UNKNOWN;
      const parts = splitTokens(r);
      if (!parts) return false;
      const first = compileWildcardTokens(parts[0] as GlobToken[], { ignoreCase: true });
      if (!first.test('arn')) return false;
      const ci = { ignoreCase: true };
      return (
        compileWildcardTokens(parts[1] as GlobToken[], ci).test(a.partition) &&
        compileWildcardTokens(parts[2] as GlobToken[], ci).test(a.service) &&
        compileWildcardTokens(parts[3] as GlobToken[], ci).test(a.region) &&
        compileWildcardTokens(parts[4] as GlobToken[], ci).test(a.account) &&
        compileWildcardTokens(parts[5] as GlobToken[], cs ? {} : ci).test(a.resource)
      );
    }
    case 'Null':
      return false;
  }
}

/**
 * baseMatch of spec §2.5 for one context value: OR over the policy values for positive
 * operators, NOR for negated ones. A context value that cannot be coerced (A4) makes the
 * comparison false, and for a negated operator the whole clause false.
 */
function baseMatch(cc: CompiledCondition, v: string, env: ConditionEnv): Outcome {
  const c = coerce(cc.operator.base.family, v, env);
  if (!c) return COERCION_FAILED;
  const negated = cc.operator.base.negated;
  let unknown = false;
  for (const pv of cc.values) {
    const h = valueHit(cc, pv, c, env);
    if (h === true) return !negated;
    if (h === UNKNOWN) unknown = true;
    else if (h === UNRESOLVED && negated && !env.options.negatedOperatorOnUnresolvedVariable) return false; // A3
  }
  if (unknown) return UNKNOWN;
  return negated;
}

function residualOf(cc: CompiledCondition): ResidualClause {
  return { kind: 'clause', key: cc.key, operator: cc.operator.raw, values: cc.valuesRaw };
}

function isAbsent(v: ContextValue | undefined, opts: EvaluationOptions): boolean {
  if (v === undefined) return true;
  if (typeof v === 'string') return v === '' && !opts.emptyStringIsPresent; // A12
  return v.length === 0;
}

/** Evaluates a clause against one value of the key (one case variant). */
function evalWithValue(cc: CompiledCondition, value: ContextValue | undefined, env: ConditionEnv, notes: string[] | null): Tri {
  const o = cc.operator;
  const absent = isAbsent(value, env.options);
  if (o.base.family === 'Null') {
    const want = absent ? 'true' : 'false';
    return cc.values.some((pv) => pv.text === want);
  }
  if (o.set !== 'none') {
    const vals = absent || value === undefined ? [] : typeof value === 'string' ? [value] : value;
    // ForAllValues over nothing is vacuously true; ForAnyValue over nothing is false (G14, G15).
    // IfExists does not change that (spec §2.5; AWS as observed on re:Post), unless option A19
    // asks for §2.3's reading (docs/decisions/a19-set-operator-ifexists.md).
    if (vals.length === 0) return o.set === 'ForAllValues' || (o.ifExists && env.options.setOperatorIfExistsOnAbsentKey === 'ifExistsRule');
    let acc: Tri = o.set === 'ForAllValues';
    for (const v of vals) {
      const r = baseMatch(cc, v, env);
      if (r === COERCION_FAILED && notes) notes.push(`"${v}" is not a valid ${o.base.family} value (comparison false)`);
      const t: Tri = r === UNKNOWN ? residualOf(cc) : r === true;
      acc = o.set === 'ForAllValues' ? and(acc, t) : or(acc, t);
      if (acc === (o.set === 'ForAnyValue')) break;
    }
    return acc;
  }
  if (absent || value === undefined) return o.ifExists ? true : o.base.negated; // missing-key rule, spec §2.3
  if (typeof value !== 'string') {
    // A2: a plain operator on a multivalued key (docs/decisions/a02-plain-operator-multivalued.md).
    if (env.options.plainOperatorOnMultivaluedKey === 'false') {
      notes?.push('plain operator on a multivalued key is false (A2); use ForAnyValue or ForAllValues');
      return false;
    }
    let acc: Tri = false;
    for (const v of value) {
      const r = baseMatch(cc, v, env);
      acc = or(acc, r === UNKNOWN ? residualOf(cc) : r === true);
      if (acc === true) break;
    }
    return acc;
  }
  const r = baseMatch(cc, value, env);
  if (r === COERCION_FAILED) {
    notes?.push(`"${value}" is not a valid ${o.base.family} value, so the comparison is false${o.base.negated ? ' and the negated clause is false too' : ''} (A4)`);
    return false;
  }
  return r === UNKNOWN ? residualOf(cc) : r;
}

function policyValuesForTrace(cc: CompiledCondition, env: ConditionEnv): string[] {
  return cc.values.map((pv) => {
    const tmpl = env.variables ? pv.tmpl : undefined;
    if (!tmpl || (cc.operator.base.family === 'Bool' && !env.options.expandVariablesInBool)) return pv.raw;
    const r = resolveToString(tmpl, env.lookup);
    if (r === UNRESOLVED) return `<unresolved ${pv.raw}>`;
    if (r === UNKNOWN) return `<unknown ${pv.raw}>`;
    return r;
  });
}

/** Evaluates one clause: true, false, or a residual when it depends on an unknown key. */
export function evalCondition(cc: CompiledCondition, env: ConditionEnv, trace: ConditionTrace[] | null): Tri {
  let result: Tri;
  const notes: string[] | null = trace ? [] : null;
  let variants: readonly ContextValue[] | undefined;
  if (env.context.isUnknown(cc.keyLower)) result = residualOf(cc);
  else if (!env.context.hasVariants(cc.keyLower)) {
    const v = env.context.get(cc.keyLower);
    if (trace && v !== undefined) variants = [v];
    result = evalWithValue(cc, v, env, notes);
  } else {
    // A16: tag keys that differ only in case (docs/decisions/a16-case-variant-tag-keys.md).
    variants = env.context.variants(cc.keyLower) as readonly ContextValue[];
    const all = env.options.caseVariantTagKeys === 'all';
    result = all;
    for (const v of variants) {
      const r = evalWithValue(cc, v, env, notes);
      result = all ? and(result, r) : or(result, r);
    }
    notes?.push(`the key has ${variants.length} case variants; the clause needs ${all ? 'all' : 'any'} of them to hold (A16)`);
  }
  if (trace) {
    let ctxVals: string[] | null = null;
    if (variants) {
      ctxVals = [];
      for (const v of variants) {
        if (typeof v === 'string') ctxVals.push(v);
        else ctxVals.push(...v);
      }
      if (variants.every((v) => isAbsent(v, env.options))) ctxVals = null;
    }
    const note = notes && notes.length ? notes.join('; ') : env.context.isUnknown(cc.keyLower) ? 'the key is unknown (partial evaluation)' : undefined;
    trace.push({
      operator: cc.operator.raw,
      key: cc.key,
      line: cc.line,
      column: cc.column,
      contextValues: ctxVals,
      policyValues: policyValuesForTrace(cc, env),
      result: typeof result === 'boolean' ? result : 'unknown',
      ...(note ? { note } : {}),
    });
  }
  return result;
}
