/**
 * Compiling a read policy once into matchers (architecture: "compile once, run many";
 * Ajv's cache by identity). Actions are lower-cased ("Action": case-insensitive), resource
 * ARNs are split into parts, operators are resolved, principals classified. A policy that
 * cannot be compiled (unknown operator, bad date, short ARN in an SCP/RCP) is invalid:
 * evaluating it throws rather than silently ignoring a statement (fail closed).
 */
import type { Policy, PolicyKind, Statement } from '../policy/model.js';
import { variablesEnabled } from '../policy/model.js';
import { readPolicyValue } from '../policy/read.js';
import type { ArnHeadMatcher, ArnParts } from './arn.js';
import { compileArnHead, matchArnHead, ResourcePartMatcher, splitArn } from './arn.js';
import type { CompiledCondition } from './conditions.js';
import { compileCondition } from './conditions.js';
import type { CompiledPrincipalBlock } from './principal.js';
import { compilePrincipalBlock } from './principal.js';
import type { Template, VariableLookup } from './variables.js';
import { parseTemplate, resolutionKey, resolveToTokens, UNKNOWN, UNRESOLVED } from './variables.js';
import { compileWildcard, compileWildcardTokens } from './wildcard.js';
import type { WildcardMatcher } from './wildcard.js';

export interface CompileError {
  readonly message: string;
  readonly line: number;
  readonly column: number;
  readonly path: string;
}

/** One Resource/NotResource entry. */
export interface CompiledResource {
  readonly raw: string;
  readonly line: number;
  readonly column: number;
  /** `*`: every resource, including "*" (actions with no resource type). */
  readonly any: boolean;
  /** Head parts, or undefined when the entry never matches (not an ARN, or A17 in resource/endpoint policies). */
  readonly head?: ArnHeadMatcher;
  readonly res?: ResourcePartMatcher;
  /** The resource part holds policy variables (Version 2012-10-17). */
  readonly tmpl?: Template;
  /** Non-ARN text other than "*": compared with the whole request resource. */
  readonly whole?: WildcardMatcher;
  /** The matcher last compiled for substituted variable values (reused while they repeat). */
  varMemo?: { readonly key: string; readonly caseSensitive: boolean; readonly matcher: WildcardMatcher };
}

export interface CompiledStatement {
  readonly index: number;
  readonly sid?: string;
  readonly effect: 'Allow' | 'Deny';
  readonly line: number;
  readonly column: number;
  readonly notAction: boolean;
  readonly actions: readonly WildcardMatcher[];
  /** Undefined when the statement has neither Resource nor NotResource (the attached resource). */
  readonly resources?: readonly CompiledResource[];
  readonly notResource: boolean;
  readonly principal?: CompiledPrincipalBlock;
  readonly notPrincipal?: CompiledPrincipalBlock;
  readonly conditions: readonly CompiledCondition[];
}

/** The statements of a policy whose Action/NotAction matches one action, in statement order. */
export interface ActionSlice {
  /** Positions in `statements`, ascending (statement order decides which Deny/Allow is reported). */
  readonly positions: readonly number[];
  /** How many of them are Deny statements (0: the policy cannot deny this action). */
  readonly denies: number;
}

/** Per-statement memo kept by `authorize` (the reference to the statement in its layer, built once). */
export interface StatementMemo {
  readonly layer: string;
  readonly level: number | undefined;
  readonly value: object;
}

const EMPTY: readonly number[] = [];

export class CompiledPolicy {
  /** Lazily built: lower-cased action → the statements whose Action/NotAction matches it (bounded). */
  private readonly actionCache = new Map<string, ActionSlice>();
  /** Literal lower-cased actions → statements naming them exactly. */
  private readonly exact = new Map<string, number[]>();
  /** Service prefix (`s3`) → statements with a wildcard pattern under that literal service (`s3:Get*`). */
  private readonly byService = new Map<string, number[]>();
  /** NotAction statements and patterns whose service part has a wildcard (`*`, `s3*`): tested for every action. */
  private readonly anyService: number[] = [];
  /** Policy variables are expanded (Version 2012-10-17); computed once. */
  readonly variables: boolean;
  /** Per-statement memo slots for `authorize` (indexed like `statements`). */
  readonly memo: (StatementMemo | undefined)[];

  constructor(
    readonly policy: Policy,
    readonly statements: readonly CompiledStatement[],
    readonly errors: readonly CompileError[],
  ) {
    this.variables = variablesEnabled(policy);
    this.memo = new Array<StatementMemo | undefined>(statements.length).fill(undefined);
    const add = (m: Map<string, number[]>, k: string, i: number): void => {
      const l = m.get(k);
      if (!l) m.set(k, [i]);
      else if (l[l.length - 1] !== i) l.push(i);
    };
    for (let i = 0; i < statements.length; i++) {
      const st = statements[i] as CompiledStatement;
      if (st.notAction) {
        this.anyService.push(i);
        continue;
      }
      let wide = false;
      for (const a of st.actions) {
        const p = a.pattern.toLowerCase();
        const colon = p.indexOf(':');
        const wild = p.includes('*') || p.includes('?');
        if (!wild) add(this.exact, p, i);
        else if (colon > 0 && !p.slice(0, colon).includes('*') && !p.slice(0, colon).includes('?')) add(this.byService, p.slice(0, colon), i);
        else wide = true;
      }
      if (wide) this.anyService.push(i);
    }
  }

  get name(): string {
    return this.policy.name;
  }
  get kind(): PolicyKind {
    return this.policy.kind;
  }

  /** Positions (in `statements`) of statements whose action element matches (the per-action index; bounded). */
  statementsForAction(actionLower: string): readonly number[] {
    return this.forAction(actionLower).positions;
  }

  /**
   * The statements whose action element matches, from the pre-built index: exact names, then
   * the statements under the action's service, then the wildcard/NotAction fallback list;
   * only the last two are tested. Cached per action (bounded).
   */
  forAction(actionLower: string): ActionSlice {
    const hit = this.actionCache.get(actionLower);
    if (hit) return hit;
    const colon = actionLower.indexOf(':');
    const service = colon < 0 ? actionLower : actionLower.slice(0, colon);
    const exact = this.exact.get(actionLower) ?? EMPTY;
    const svc = this.byService.get(service) ?? EMPTY;
    const seen = new Set<number>(exact);
    for (const i of svc) if (!seen.has(i) && actionMatches(this.statements[i] as CompiledStatement, actionLower)) seen.add(i);
    for (const i of this.anyService) if (!seen.has(i) && actionMatches(this.statements[i] as CompiledStatement, actionLower)) seen.add(i);
    const positions = [...seen].sort((a, b) => a - b);
    let denies = 0;
    for (const i of positions) if ((this.statements[i] as CompiledStatement).effect === 'Deny') denies++;
    const slice: ActionSlice = { positions, denies };
    if (this.actionCache.size >= 512) this.actionCache.clear();
    this.actionCache.set(actionLower, slice);
    return slice;
  }
}

/** Action/NotAction test ("NotAction": applies to every action matching none of the entries). */
export function actionMatches(st: CompiledStatement, actionLower: string): boolean {
  let any = false;
  for (const m of st.actions) {
    if (m.testLower(actionLower)) {
      any = true;
      break;
    }
  }
  return st.notAction ? !any : any;
}

/** Which action pattern matched (for traces). */
export function matchingAction(st: CompiledStatement, actionLower: string): string | undefined {
  return st.actions.find((m) => m.testLower(actionLower))?.pattern;
}

function compileResource(raw: string, line: number, column: number, kind: PolicyKind, variables: boolean, errors: CompileError[], path: string): CompiledResource {
  if (raw === '*') return { raw, line, column, any: true };
  let parts: ArnParts | undefined = splitArn(raw);
  if (!parts && /^arn:/i.test(raw)) {
    // A17 (docs/decisions/a17-short-arns.md): fewer than six parts.
    if (kind === 'scp' || kind === 'rcp') {
      errors.push({ message: `resource "${raw}" has fewer than six ARN parts; AWS rejects it in ${kind.toUpperCase()}s`, line, column, path });
      return { raw, line, column, any: false };
    }
    if (kind === 'resource' || kind === 'bucket' || kind === 'key' || kind === 'trust' || kind === 'ecr-repository' || kind === 'vpc-endpoint') {
      return { raw, line, column, any: false };
    }
    const segs = raw.split(':');
    while (segs.length < 6) segs.push('*');
    parts = { partition: segs[1] as string, service: segs[2] as string, region: segs[3] as string, account: segs[4] as string, resource: segs[5] as string };
  }
  if (!parts) return { raw, line, column, any: false, whole: compileWildcard(raw) };
  const tmpl = variables ? parseTemplate(parts.resource) : undefined;
  return { raw, line, column, any: false, head: compileArnHead(parts), res: new ResourcePartMatcher(parts.resource), tmpl };
}

/** Does one entry match the request resource? `parts` is the split request resource (undefined if not an ARN). */
export function resourceEntryMatches(
  e: CompiledResource,
  resource: string,
  parts: ArnParts | undefined,
  caseSensitive: boolean,
  variables: boolean,
  lookup: VariableLookup,
): boolean | typeof UNKNOWN {
  if (e.any) return true;
  // Actions with no resource type: only a literal "*" matches (spec §1.5, G9).
  if (resource === '*') return false;
  if (e.whole) return e.whole.test(resource);
  if (!e.head || !parts) return false;
  if (!matchArnHead(e.head, parts)) return false;
  if (e.tmpl && variables) {
    const key = resolutionKey(e.tmpl, lookup);
    if (key === UNKNOWN) return UNKNOWN;
    if (key === UNRESOLVED) return false; // unresolvable variable: the entry matches nothing
    const memo = e.varMemo;
    if (memo !== undefined && memo.key === key && memo.caseSensitive === caseSensitive) return memo.matcher.test(parts.resource);
    const toks = resolveToTokens(e.tmpl, lookup);
    if (!Array.isArray(toks)) return toks === UNKNOWN ? UNKNOWN : false;
    const matcher = compileWildcardTokens(toks, caseSensitive ? {} : { ignoreCase: true });
    e.varMemo = { key, caseSensitive, matcher };
    return matcher.test(parts.resource);
  }
  return (e.res as ResourcePartMatcher).test(parts.resource, caseSensitive);
}

function compileStatement(st: Statement, policy: Policy, errors: CompileError[]): CompiledStatement {
  const variables = variablesEnabled(policy);
  const actionList = st.action ?? st.notAction ?? [];
  const actions = actionList.map((a) => compileWildcard(a.value, { ignoreCase: true }));
  const resList = st.resource ?? st.notResource;
  const resources = resList?.map((r) => compileResource(r.value, r.loc.line, r.loc.column, policy.kind, variables, errors, r.path));
  const conditions: CompiledCondition[] = [];
  for (const c of st.condition) {
    const cc = compileCondition(c, variables);
    if ('error' in cc) errors.push({ message: cc.error, line: c.operatorLoc.line, column: c.operatorLoc.column, path: c.path });
    else conditions.push(cc);
  }
  return {
    index: st.index,
    sid: st.sid?.value,
    effect: st.effect,
    line: st.loc.line,
    column: st.loc.column,
    notAction: st.action === undefined && st.notAction !== undefined,
    actions,
    resources,
    notResource: st.resource === undefined && st.notResource !== undefined,
    principal: st.principal ? compilePrincipalBlock(st.principal) : undefined,
    notPrincipal: st.notPrincipal ? compilePrincipalBlock(st.notPrincipal) : undefined,
    conditions,
  };
}

/**
 * Compiles a policy. Nothing is cached between calls (no module-level state: a cache that
 * outlives a call would leak options and memory); a caller that evaluates the same policy
 * again keeps the CompiledPolicy (or a CompiledPolicySet) and passes it. Check `errors` before use:
 * `authorize` throws PolicyCompileError for a policy with errors. A policy read with error
 * findings (`readErrors`: the model lacks what could not be read, e.g. a Deny written
 * `"Effect": "deny"`) carries those findings as compile errors, so it is refused rather
 * than evaluated without the statement (fail closed; "Grammar of the IAM JSON policy
 * language": AWS rejects such a policy when it is saved).
 */
export function compilePolicy(policy: Policy): CompiledPolicy {
  const errors: CompileError[] = [];
  for (const f of policy.readErrors ?? []) errors.push({ message: f.message, line: f.line, column: f.column, path: f.path });
  const statements = policy.statements.map((st) => compileStatement(st, policy, errors));
  return new CompiledPolicy(policy, statements, errors);
}

/** Thrown when an invalid policy is evaluated: never silently skip a statement. */
export class PolicyCompileError extends Error {
  constructor(
    readonly policyName: string,
    readonly errors: readonly CompileError[],
  ) {
    const e = errors[0] as CompileError;
    super(`policy ${policyName} is invalid: ${e.message} (line ${e.line}, column ${e.column})`);
    this.name = 'PolicyCompileError';
  }
}

/**
 * Reads and compiles a policy document (an object, or JSON text) in one step, refusing it
 * when the reader or the compiler reports an error: throws PolicyCompileError with the first
 * error's message, line and column. Never returns a policy with a statement left out.
 */
export function compilePolicyDocument(value: unknown, kind: PolicyKind, name: string = kind): CompiledPolicy {
  const read = readPolicyValue(value, { kind, name });
  const errors: CompileError[] = [];
  for (const f of read.findings) if (f.severity === 'error') errors.push({ message: f.message, line: f.line, column: f.column, path: f.path });
  if (errors.length > 0 || !read.policy) {
    if (errors.length === 0) errors.push({ message: 'not a policy', line: 0, column: 0, path: '$' });
    throw new PolicyCompileError(name, errors);
  }
  const cp = compilePolicy(read.policy);
  if (cp.errors.length > 0) throw new PolicyCompileError(name, cp.errors);
  return cp;
}
