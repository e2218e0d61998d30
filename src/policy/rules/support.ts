/**
 * Helpers shared by the grammar, format and security rule modules: a rule constructor,
 * the codes-table type, condition-operator parsing, ARN splitting, a linear wildcard
 * matcher and a policy-variable scanner. Everything keyed by policy text lives in a Map
 * or a Set, never in a plain object, so an operator or key called `constructor` or
 * `__proto__` is only ever data (architecture.md, "What to avoid").
 */
import type { SourcePosition } from '../json.js';
import { childPath } from '../json.js';
import type { Finding, Severity } from '../findings.js';
import { finding } from '../findings.js';
import type { ConditionClause, Located, PolicyKind, Statement } from '../model.js';
import type { Rule, RuleContext } from '../validate.js';

/** One line of a module's codes table (documented in docs/checks.md). */
export interface RuleCodeInfo {
  readonly code: string;
  /** The usual severity; a description says when a finding is raised at another level. */
  readonly severity: Severity;
  readonly description: string;
  /** The AWS page (or spec section) the rule rests on. */
  readonly source: string;
}

/** A rule that emits exactly one code. */
export function rule(code: string, check: (ctx: RuleContext) => Finding[]): Rule {
  return { codes: [code], check };
}

export interface Where {
  readonly path: string;
  readonly loc: SourcePosition;
}

export function at(x: { path: string; loc: SourcePosition }): Where {
  return { path: x.path, loc: x.loc };
}

export function make(severity: Severity, code: string, message: string, where: Where): Finding {
  return finding(severity, code, message, where);
}

/** Kinds that IAM itself stores and checks (Sid characters, size counted without whitespace). */
export const IAM_KINDS: ReadonlySet<PolicyKind> = new Set<PolicyKind>(['identity', 'permissions-boundary', 'session', 'trust']);

/** Kinds whose Sid may only hold [A-Za-z0-9] ("IAM JSON policy elements: Sid"; Organizations "SCP syntax", "RCP syntax"). */
export const ALNUM_SID_KINDS: ReadonlySet<PolicyKind> = new Set<PolicyKind>([
  'identity',
  'permissions-boundary',
  'session',
  'trust',
  'scp',
  'rcp',
]);

/** Kinds whose Allow statements grant permissions (boundaries, session policies, SCPs, RCPs and endpoint policies only filter). */
export const GRANTING_KINDS: ReadonlySet<PolicyKind> = new Set<PolicyKind>([
  'identity',
  'resource',
  'bucket',
  'key',
  'trust',
  'ecr-repository',
]);

/** Resource-based kinds that name principals and grant (not filters such as RCPs or endpoint policies). */
export const RESOURCE_GRANTING_KINDS: ReadonlySet<PolicyKind> = new Set<PolicyKind>([
  'resource',
  'bucket',
  'key',
  'trust',
  'ecr-repository',
]);

// ---------------------------------------------------------------------------------------
// Element helpers

/** The entries of Action, or of NotAction, whichever the statement has. */
export function actionsOf(st: Statement): readonly Located<string>[] {
  return st.action ?? st.notAction ?? [];
}

export function resourcesOf(st: Statement): readonly Located<string>[] {
  return st.resource ?? st.notResource ?? [];
}

/** Where a whole element sits: its first entry if any, else the statement. */
export function elementWhere(st: Statement, entries: readonly Located<string>[] | undefined, element: string): Where {
  const first = entries?.[0];
  if (first) return { path: first.path.replace(/\[0\]$/, ''), loc: first.loc };
  return { path: childPath(st.path, element), loc: st.loc };
}

/** The JSON path of a condition operator inside a statement. */
export function operatorPath(st: Statement, clause: ConditionClause): string {
  return childPath(childPath(st.path, 'Condition'), clause.operator);
}

/** True if any clause of the statement tests this key (case-insensitive), whatever the operator. */
export function hasConditionKey(st: Statement, key: string): boolean {
  const k = key.toLowerCase();
  return st.condition.some((c) => c.key.toLowerCase() === k);
}

export function isWildcardString(s: string): boolean {
  return s.includes('*') || s.includes('?');
}

// ---------------------------------------------------------------------------------------
// Wildcard matching ("IAM JSON policy elements: Action / Resource": `*` any run, `?` one character)

/**
 * Matches `text` against a pattern where `*` is any run and `?` exactly one character.
 * Greedy with one backtrack point: O(pattern × text) at worst, never exponential, no RegExp.
 */
export function globMatch(pattern: string, text: string, ignoreCase = false): boolean {
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  const t = ignoreCase ? text.toLowerCase() : text;
  let pi = 0;
  let ti = 0;
  let star = -1;
  let mark = 0;
  while (ti < t.length) {
    if (pi < p.length && (p[pi] === '?' || p[pi] === t[ti])) {
      pi++;
      ti++;
    } else if (pi < p.length && p[pi] === '*') {
      star = pi++;
      mark = ti;
    } else if (star >= 0) {
      pi = star + 1;
      ti = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === '*') pi++;
  return pi === p.length;
}

/** Does an action pattern (as written in Action/NotAction) match this action? Case-insensitive ("IAM JSON policy elements: Action"). */
export function actionPatternMatches(pattern: string, action: string): boolean {
  return globMatch(pattern, action, true);
}

/** Does a statement's Action/NotAction cover this action? */
export function statementCoversAction(st: Statement, action: string): boolean {
  if (st.action) return st.action.some((a) => actionPatternMatches(a.value, action));
  if (st.notAction) return !st.notAction.some((a) => actionPatternMatches(a.value, action));
  return false;
}

// ---------------------------------------------------------------------------------------
// ARNs ("Amazon Resource Names (ARNs)"): split on the first five colons.

export interface ArnParts {
  readonly prefix: string;
  readonly partition: string;
  readonly service: string;
  readonly region: string;
  readonly account: string;
  readonly resource: string;
}

/** Splits on the first five colons; undefined when there are fewer than five. */
export function splitArn(s: string): ArnParts | undefined {
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < 5; i++) {
    const c = s.indexOf(':', start);
    if (c < 0) return undefined;
    parts.push(s.slice(start, c));
    start = c + 1;
  }
  const [prefix, partition, service, region, account] = parts as [string, string, string, string, string];
  return { prefix, partition, service, region, account, resource: s.slice(start) };
}

export const KNOWN_PARTITIONS: readonly string[] = [
  'aws',
  'aws-cn',
  'aws-us-gov',
  'aws-iso',
  'aws-iso-b',
  'aws-iso-e',
  'aws-iso-f',
  'aws-eusc',
];

export function isKnownPartition(p: string): boolean {
  if (isWildcardString(p)) return KNOWN_PARTITIONS.some((k) => globMatch(p, k, true));
  return KNOWN_PARTITIONS.includes(p);
}

/**
 * Does a Resource pattern cover every IAM role (in some or every account)? Tested with
 * two probe role ARNs whose names no real pattern would single out.
 */
export function coversEveryRole(pattern: string): boolean {
  if (pattern === '*') return true;
  const parts = splitArn(pattern);
  if (!parts) return false;
  const account = /^\d{12}$/.test(parts.account) ? parts.account : '111122223333';
  const probes = [
    `arn:aws:iam::${account}:role/zq-probe-7f3a`,
    `arn:aws:iam::${account}:role/service-role/other-probe-91`,
  ];
  return probes.every((probe) => {
    const r = splitArn(probe);
    if (!r) return false;
    return (
      globMatch(parts.prefix, r.prefix, true) &&
      globMatch(parts.partition, r.partition, true) &&
      globMatch(parts.service, r.service, true) &&
      globMatch(parts.region, r.region, true) &&
      globMatch(parts.account, r.account, true) &&
      globMatch(parts.resource, r.resource, false)
    );
  });
}

// ---------------------------------------------------------------------------------------
// Condition operators ("IAM JSON policy elements: Condition operators")

export type OperatorFamily = 'string' | 'numeric' | 'date' | 'bool' | 'binary' | 'ip' | 'arn' | 'null';

const OPERATOR_FAMILIES: ReadonlyMap<string, OperatorFamily> = new Map<string, OperatorFamily>([
  ['StringEquals', 'string'],
  ['StringNotEquals', 'string'],
  ['StringEqualsIgnoreCase', 'string'],
  ['StringNotEqualsIgnoreCase', 'string'],
  ['StringLike', 'string'],
  ['StringNotLike', 'string'],
  ['NumericEquals', 'numeric'],
  ['NumericNotEquals', 'numeric'],
  ['NumericLessThan', 'numeric'],
  ['NumericLessThanEquals', 'numeric'],
  ['NumericGreaterThan', 'numeric'],
  ['NumericGreaterThanEquals', 'numeric'],
  ['DateEquals', 'date'],
  ['DateNotEquals', 'date'],
  ['DateLessThan', 'date'],
  ['DateLessThanEquals', 'date'],
  ['DateGreaterThan', 'date'],
  ['DateGreaterThanEquals', 'date'],
  ['Bool', 'bool'],
  ['BinaryEquals', 'binary'],
  ['IpAddress', 'ip'],
  ['NotIpAddress', 'ip'],
  ['ArnEquals', 'arn'],
  ['ArnLike', 'arn'],
  ['ArnNotEquals', 'arn'],
  ['ArnNotLike', 'arn'],
  ['Null', 'null'],
]);

/** Canonical base operator names. */
export const BASE_OPERATORS: readonly string[] = [...OPERATOR_FAMILIES.keys()];

const BASE_BY_LOWER: ReadonlyMap<string, string> = new Map(BASE_OPERATORS.map((b) => [b.toLowerCase(), b]));

export type SetPrefix = 'ForAllValues' | 'ForAnyValue';

export type ParsedOperator =
  | {
      readonly ok: true;
      readonly set?: SetPrefix;
      /** Canonical base name, e.g. `StringLike`. */
      readonly base: string;
      readonly family: OperatorFamily;
      readonly ifExists: boolean;
      /** The whole operator spelt canonically. */
      readonly canonical: string;
      /** Whether it was written exactly as `canonical`. */
      readonly exact: boolean;
    }
  | {
      readonly ok: false;
      readonly reason: 'unknown' | 'null-if-exists';
      /** A canonical spelling close to what was written, if any. */
      readonly suggestion?: string;
    };

/**
 * Edit distance, or Infinity once it is certainly above `max`: lengths further apart than
 * `max`, or a row whose every cell is above it. An operator written with 900,000 characters
 * cost minutes against the 27 operator names before this bound.
 */
function levenshtein(a: string, b: string, max: number): number {
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) > max) return Infinity;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const d = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      cur.push(d);
      if (d < rowMin) rowMin = d;
    }
    if (rowMin > max) return Infinity;
    prev = cur;
  }
  const d = prev[b.length] ?? Infinity;
  return d > max ? Infinity : d;
}

/** The largest distance suggestOperator accepts for any operator name (see its last check). */
const MAX_OPERATOR_DISTANCE = Math.max(2, ...[...OPERATOR_FAMILIES.keys()].map((b) => Math.floor(b.length / 4)));

/** Parses `ForAnyValue:StringLikeIfExists` and the like. Case mismatches parse, with `exact: false`. */
export function parseOperator(raw: string): ParsedOperator {
  let rest = raw;
  let set: SetPrefix | undefined;
  let prefixWritten = '';
  const colon = rest.indexOf(':');
  if (colon >= 0) {
    prefixWritten = rest.slice(0, colon);
    const lower = prefixWritten.toLowerCase();
    if (lower === 'forallvalues') set = 'ForAllValues';
    else if (lower === 'foranyvalue') set = 'ForAnyValue';
    else return { ok: false, reason: 'unknown', suggestion: suggestOperator(raw) };
    rest = rest.slice(colon + 1);
  }
  let ifExists = false;
  let suffixWritten = '';
  if (rest.length > 8 && rest.toLowerCase().endsWith('ifexists') && BASE_BY_LOWER.has(rest.slice(0, -8).toLowerCase())) {
    ifExists = true;
    suffixWritten = rest.slice(-8);
    rest = rest.slice(0, -8);
  }
  const base = BASE_BY_LOWER.get(rest.toLowerCase());
  const family = base === undefined ? undefined : OPERATOR_FAMILIES.get(base);
  if (base === undefined || family === undefined) return { ok: false, reason: 'unknown', suggestion: suggestOperator(raw) };
  if (base === 'Null' && ifExists) return { ok: false, reason: 'null-if-exists' };
  const canonical = `${set ? `${set}:` : ''}${base}${ifExists ? 'IfExists' : ''}`;
  const exact = (set === undefined || prefixWritten === set) && rest === base && (!ifExists || suffixWritten === 'IfExists');
  return { ok: true, set, base, family, ifExists, canonical, exact };
}

/** The closest canonical operator (prefix and IfExists kept), if it is close enough to be a typo. */
function suggestOperator(raw: string): string | undefined {
  const trimmed = raw.trim();
  if (trimmed !== raw) {
    const p = parseOperator(trimmed);
    if (p.ok) return p.canonical;
  }
  let body = trimmed;
  let prefix = '';
  const colon = body.indexOf(':');
  if (colon >= 0) {
    const pre = body.slice(0, colon).toLowerCase();
    const setCands: readonly SetPrefix[] = ['ForAllValues', 'ForAnyValue'];
    let bestSet: SetPrefix | undefined;
    let bestSetD = Infinity;
    for (const s of setCands) {
      const d = levenshtein(pre, s.toLowerCase(), 3);
      if (d < bestSetD) {
        bestSetD = d;
        bestSet = s;
      }
    }
    if (bestSet === undefined || bestSetD > 3) return undefined;
    prefix = `${bestSet}:`;
    body = body.slice(colon + 1);
  }
  let suffix = '';
  if (body.toLowerCase().endsWith('ifexists') && body.length > 8) {
    suffix = 'IfExists';
    body = body.slice(0, -8);
  }
  const lower = body.toLowerCase();
  let best: string | undefined;
  let bestD = Infinity;
  for (const b of BASE_OPERATORS) {
    const d = levenshtein(lower, b.toLowerCase(), MAX_OPERATOR_DISTANCE);
    if (d < bestD) {
      bestD = d;
      best = b;
    }
  }
  if (best === undefined || bestD > Math.max(2, Math.floor(best.length / 4))) return undefined;
  if (best === 'Null' && suffix) return 'Null';
  return `${prefix}${best}${suffix}`;
}

export function isNegatedOperator(base: string): boolean {
  return base.includes('Not');
}

// ---------------------------------------------------------------------------------------
// Policy variables ("IAM policy elements: Variables and tags")

export interface VariableRef {
  /** Offset of `$` in the string. */
  readonly start: number;
  /** The text from `${` to `}` (or to the end, when unclosed). */
  readonly text: string;
  readonly key?: string;
  readonly defaultValue?: string;
  /** Why the reference is malformed, if it is. */
  readonly problem?: string;
}

const ESCAPES = new Set(['*', '?', '$']);

/** Finds every `${...}` in a string. Escapes `${*}`, `${?}`, `${$}` are returned with their key. */
export function scanVariables(s: string): VariableRef[] {
  const out: VariableRef[] = [];
  let i = s.indexOf('${');
  while (i >= 0) {
    const close = s.indexOf('}', i + 2);
    if (close < 0) {
      out.push({ start: i, text: s.slice(i), problem: 'it has no closing "}"' });
      break;
    }
    const text = s.slice(i, close + 1);
    const inner = s.slice(i + 2, close);
    out.push({ start: i, text, ...parseVariableBody(inner) });
    i = s.indexOf('${', close + 1);
  }
  return out;
}

function parseVariableBody(inner: string): { key?: string; defaultValue?: string; problem?: string } {
  if (ESCAPES.has(inner)) return { key: inner };
  const comma = inner.indexOf(',');
  const keyPart = comma < 0 ? inner : inner.slice(0, comma);
  const key = keyPart.trim();
  if (key === '') return { problem: 'the variable has no key name' };
  if (key !== keyPart) return { key, problem: 'the key name is surrounded by spaces' };
  if (/[\s'${]/.test(key)) return { key, problem: `the key name "${key}" contains a space, quote, "$" or "{"` };
  if (!/^[^:/]+:.+/.test(key)) return { key, problem: `the key name "${key}" has no service prefix (e.g. aws:username)` };
  if (comma < 0) return { key };
  const def = inner.slice(comma + 1).trim();
  const m = /^'([^']*)'$/.exec(def);
  if (!m) return { key, problem: `the default must be written as \${${key}, 'value'} (a comma, a space and a value in single quotes)` };
  return { key, defaultValue: m[1] };
}

/** True if the string holds a real variable (escapes such as `${*}` do not count). */
export function hasVariable(s: string): boolean {
  return scanVariables(s).some((v) => v.problem !== undefined || (v.key !== undefined && !ESCAPES.has(v.key)));
}

/** The string with escape sequences and variables removed, to look for wildcards written literally. */
export function withoutVariables(s: string): string {
  let out = '';
  let last = 0;
  for (const v of scanVariables(s)) {
    out += s.slice(last, v.start);
    last = v.start + v.text.length;
  }
  return out + s.slice(last);
}
