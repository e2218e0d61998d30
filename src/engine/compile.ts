/**
 * Compiling a read policy once into matchers (architecture: "compile once, run many";
 * Ajv's cache by identity). Actions are lower-cased ("Action": case-insensitive), resource
 * ARNs are split into parts, operators are resolved, principals classified. A policy that
 * cannot be compiled (unknown operator, bad date, short ARN in an SCP/RCP) is invalid:
 * evaluating it throws rather than silently ignoring a statement (fail closed).
 */
import type { Policy, PolicyKind, Statement } from '../policy/model.js';
import { variablesEnabled } from '../policy/model.js';
import type { ArnHeadMatcher, ArnParts } from './arn.js';
import { compileArnHead, matchArnHead, ResourcePartMatcher, splitArn } from './arn.js';
import type { CompiledCondition } from './conditions.js';
import { compileCondition } from './conditions.js';
import type { CompiledPrincipalBlock } from './principal.js';
import { compilePrincipalBlock } from './principal.js';
import type { Template, VariableLookup } from './variables.js';
import { parseTemplate, resolveToTokens, UNKNOWN } from './variables.js';
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

export class CompiledPolicy {
  /** Lazily built: lower-cased action → indexes of statements whose Action/NotAction matches it. */
  private readonly actionIndex = new Map<string, readonly number[]>();

  constructor(
    readonly policy: Policy,
    readonly statements: readonly CompiledStatement[],
    readonly errors: readonly CompileError[],
  ) {}

  get name(): string {
    return this.policy.name;
  }
  get kind(): PolicyKind {
    return this.policy.kind;
  }
  get variables(): boolean {
    return variablesEnabled(this.policy);
  }

  /** Positions (in `statements`) of statements whose action element matches (the per-action index; bounded). */
  statementsForAction(actionLower: string): readonly number[] {
    let hit = this.actionIndex.get(actionLower);
    if (hit) return hit;
    const out: number[] = [];
    for (let i = 0; i < this.statements.length; i++) if (actionMatches(this.statements[i] as CompiledStatement, actionLower)) out.push(i);
    if (this.actionIndex.size >= 512) this.actionIndex.clear();
    hit = out;
    this.actionIndex.set(actionLower, hit);
    return hit;
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
    const toks = resolveToTokens(e.tmpl, lookup);
    if (toks === UNKNOWN) return UNKNOWN;
    if (!Array.isArray(toks)) return false; // unresolvable variable: the entry matches nothing
    return compileWildcardTokens(toks, caseSensitive ? {} : { ignoreCase: true }).test(parts.resource);
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

const cache = new WeakMap<Policy, CompiledPolicy>();

/** Compiles a policy (cached by the policy object's identity). Check `errors` before use. */
export function compilePolicy(policy: Policy): CompiledPolicy {
  let cp = cache.get(policy);
  if (cp) return cp;
  const errors: CompileError[] = [];
  const statements = policy.statements.map((st) => compileStatement(st, policy, errors));
  cp = new CompiledPolicy(policy, statements, errors);
  cache.set(policy, cp);
  return cp;
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
