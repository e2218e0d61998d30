/**
 * Who signs the request, and how a Principal / NotPrincipal element matches it.
 * Sources: "AWS JSON policy elements: Principal", "…: NotPrincipal", "AWS global condition
 * context keys" (aws:PrincipalArn, aws:userid, …), "Policy evaluation logic" (the
 * same-account table of resource-policy grants, spec §4.4).
 */
import type { PrincipalBlock } from '../policy/model.js';
import { splitArn } from './arn.js';
import type { ContextValue, RequestContext } from './context.js';

export type PrincipalKind = 'iamUser' | 'roleSession' | 'federatedUserSession' | 'root' | 'service' | 'anonymous';

export interface RequestPrincipal {
  readonly kind: PrincipalKind;
  /** The ARN that signs: user, session, federated user or root ARN. */
  readonly arn?: string;
  readonly partition?: string;
  readonly accountId?: string;
  /** Role sessions: the role's full ARN, with its path (the session ARN drops the path, G30). */
  readonly roleArn?: string;
  readonly roleName?: string;
  readonly sessionName?: string;
  readonly userName?: string;
  /** Federated-user sessions: the IAM user that called GetFederationToken, when known. */
  readonly sourceUserArn?: string;
  /** Service principals: e.g. `sagemaker.amazonaws.com`. */
  readonly servicePrincipal?: string;
  readonly canonicalUserId?: string;
  /** The user's (AIDA…) or role's (AROA…) unique ID, when known. */
  readonly uniqueId?: string;
  readonly isServiceLinkedRole?: boolean;
}

export interface PrincipalExtras {
  readonly roleArn?: string;
  readonly sourceUserArn?: string;
  readonly uniqueId?: string;
  readonly isServiceLinkedRole?: boolean;
}

export type PrincipalParseResult = { ok: true; principal: RequestPrincipal } | { ok: false; message: string };

const EXPECTED =
  'expected an IAM user ARN (arn:aws:iam::111122223333:user/alice), a role session ARN (arn:aws:sts::111122223333:assumed-role/Role/session), a federated user ARN (arn:aws:sts::111122223333:federated-user/name), a root ARN (arn:aws:iam::111122223333:root), a service principal (sagemaker.amazonaws.com) or "anonymous"';

/** Parses the scenario's principal string. */
export function parsePrincipal(text: string, extras: PrincipalExtras = {}): PrincipalParseResult {
  if (text === 'anonymous' || text === '*') return { ok: true, principal: { kind: 'anonymous' } };
  const arn = splitArn(text);
  if (!arn) {
    if (/^[a-z0-9][a-z0-9.-]*\.amazonaws\.com(\.cn)?$/i.test(text)) {
      return { ok: true, principal: { kind: 'service', servicePrincipal: text.toLowerCase() } };
    }
    return { ok: false, message: `principal "${text}" is not understood; ${EXPECTED}` };
  }
  const { partition, service, account, resource } = arn;
  const svc = service.toLowerCase();
  if (svc === 'iam' && resource === 'root') {
    return { ok: true, principal: { kind: 'root', arn: text, partition, accountId: account } };
  }
  if (svc === 'iam' && resource.startsWith('user/')) {
    const userName = resource.slice(resource.lastIndexOf('/') + 1);
    return { ok: true, principal: { kind: 'iamUser', arn: text, partition, accountId: account, userName, uniqueId: extras.uniqueId } };
  }
  if (svc === 'sts' && resource.startsWith('assumed-role/')) {
    const rest = resource.slice('assumed-role/'.length);
    const slash = rest.indexOf('/');
    if (slash <= 0) return { ok: false, message: `role session ARN "${text}" needs assumed-role/ROLE/SESSION` };
    const roleName = rest.slice(0, slash);
    const sessionName = rest.slice(slash + 1);
    const roleArn = extras.roleArn ?? `arn:${partition}:iam::${account}:role/${roleName}`;
    const isServiceLinkedRole = extras.isServiceLinkedRole ?? roleArn.includes(':role/aws-service-role/');
    return {
      ok: true,
      principal: { kind: 'roleSession', arn: text, partition, accountId: account, roleArn, roleName, sessionName, uniqueId: extras.uniqueId, isServiceLinkedRole },
    };
  }
  if (svc === 'sts' && resource.startsWith('federated-user/')) {
    return {
      ok: true,
      principal: {
        kind: 'federatedUserSession',
        arn: text,
        partition,
        accountId: account,
        sessionName: resource.slice('federated-user/'.length),
        sourceUserArn: extras.sourceUserArn,
      },
    };
  }
  if (svc === 'iam' && resource.startsWith('role/')) {
    return { ok: false, message: `a role cannot sign a request; give the session ARN (arn:${partition}:sts::${account}:assumed-role/${resource.slice(resource.lastIndexOf('/') + 1)}/SESSION) and put the role ARN in principalRoleArn` };
  }
  return { ok: false, message: `principal "${text}" is not understood; ${EXPECTED}` };
}

/**
 * The keys `addPrincipalKeys` derives, in the same order. Built per call (no cache keyed by
 * the principal object: a caller that repeats a request keeps its PreparedRequest).
 */
export function principalKeys(p: RequestPrincipal): ReadonlyMap<string, ContextValue> {
  const keys = new Map<string, ContextValue>();
  addPrincipalKeys({ addDerivedLower: (k, v) => void (keys.has(k) || keys.set(k, v)) }, p);
  return keys;
}

/**
 * Context keys derived from the principal ("AWS global condition context keys"; spec §3
 * principal table). A key the caller gives explicitly wins (RequestContext.addDerived).
 * aws:RequestedRegion is deliberately not derived: it depends on the endpoint called.
 */
export function addPrincipalKeys(ctx: Pick<RequestContext, 'addDerivedLower'>, p: RequestPrincipal): void {
  switch (p.kind) {
    case 'anonymous':
      ctx.addDerivedLower('aws:principaltype', 'Anonymous');
      return;
    case 'service':
      ctx.addDerivedLower('aws:principalisawsservice', 'true');
      if (p.servicePrincipal) {
        ctx.addDerivedLower('aws:principalservicename', p.servicePrincipal);
        ctx.addDerivedLower('aws:principalservicenameslist', [p.servicePrincipal]);
      }
      return;
    default:
      break;
  }
  ctx.addDerivedLower('aws:principalisawsservice', 'false');
  if (p.accountId) ctx.addDerivedLower('aws:principalaccount', p.accountId);
  switch (p.kind) {
    case 'root':
      ctx.addDerivedLower('aws:principalarn', p.arn ?? `arn:aws:iam::${p.accountId}:root`);
      ctx.addDerivedLower('aws:principaltype', 'Account');
      if (p.accountId) ctx.addDerivedLower('aws:userid', p.accountId);
      return;
    case 'iamUser':
      if (p.arn) ctx.addDerivedLower('aws:principalarn', p.arn);
      ctx.addDerivedLower('aws:principaltype', 'User');
      if (p.userName) ctx.addDerivedLower('aws:username', p.userName);
      if (p.uniqueId) ctx.addDerivedLower('aws:userid', p.uniqueId);
      return;
    case 'roleSession':
      if (p.roleArn) ctx.addDerivedLower('aws:principalarn', p.roleArn);
      ctx.addDerivedLower('aws:principaltype', 'AssumedRole');
      if (p.uniqueId && p.sessionName !== undefined) ctx.addDerivedLower('aws:userid', `${p.uniqueId}:${p.sessionName}`);
      return;
    case 'federatedUserSession':
      if (p.arn) ctx.addDerivedLower('aws:principalarn', p.arn);
      ctx.addDerivedLower('aws:principaltype', 'FederatedUser');
      if (p.accountId && p.sessionName !== undefined) ctx.addDerivedLower('aws:userid', `${p.accountId}:${p.sessionName}`);
      return;
  }
}

/**
 * How a resource-policy statement names the caller (spec §4.4). DIRECT: exactly the
 * signer; ENTITY: the role behind a session or the user behind a federated session;
 * ACCOUNT: the caller's account (delegation); WILDCARD: `"*"`.
 */
export type MatchClass = 'DIRECT' | 'ENTITY' | 'ACCOUNT' | 'WILDCARD' | 'NONE';

type EntryKind = 'wildcard' | 'account' | 'user' | 'role' | 'session' | 'federatedUser' | 'uniqueId' | 'service' | 'federated' | 'canonical' | 'other';

export interface CompiledPrincipalEntry {
  readonly type: string;
  readonly value: string;
  readonly kind: EntryKind;
  /** Lower-cased for services; the account id for account entries; else the value. */
  readonly norm: string;
  readonly line: number;
  readonly column: number;
}

export interface CompiledPrincipalBlock {
  readonly wildcard: boolean;
  readonly entries: readonly CompiledPrincipalEntry[];
}

const ACCOUNT_ID = /^\d{12}$/;
const UNIQUE_ID = /^A(ROA|IDA)[A-Z0-9]{4,}$/;

function classifyAws(value: string): { kind: EntryKind; norm: string } {
  if (value === '*') return { kind: 'wildcard', norm: '*' };
  if (ACCOUNT_ID.test(value)) return { kind: 'account', norm: value };
  if (UNIQUE_ID.test(value)) return { kind: 'uniqueId', norm: value };
  const a = splitArn(value);
  if (!a) return { kind: 'other', norm: value };
  const svc = a.service.toLowerCase();
  if (svc === 'iam' && a.resource === 'root') return { kind: 'account', norm: a.account };
  if (svc === 'iam' && a.resource.startsWith('user/')) return { kind: 'user', norm: value };
  if (svc === 'iam' && a.resource.startsWith('role/')) return { kind: 'role', norm: value };
  if (svc === 'sts' && a.resource.startsWith('assumed-role/')) return { kind: 'session', norm: value };
  if (svc === 'sts' && a.resource.startsWith('federated-user/')) return { kind: 'federatedUser', norm: value };
  return { kind: 'other', norm: value };
}

export function compilePrincipalBlock(block: PrincipalBlock): CompiledPrincipalBlock {
  if (block.wildcard) return { wildcard: true, entries: [] };
  let wildcard = false;
  const entries: CompiledPrincipalEntry[] = [];
  for (const e of block.entries) {
    let c: { kind: EntryKind; norm: string };
    if (e.type === 'AWS') c = classifyAws(e.value);
    else if (e.type === 'Service') c = { kind: e.value === '*' ? 'wildcard' : 'service', norm: e.value.toLowerCase() };
    else if (e.type === 'Federated') c = { kind: 'federated', norm: e.value.toLowerCase() };
    else if (e.type === 'CanonicalUser') c = { kind: 'canonical', norm: e.value };
    else c = { kind: 'other', norm: e.value };
    // Only `"*"` and `{"AWS":"*"}` are the everyone principal; `{"Service":"*"}` is treated alike.
    if (c.kind === 'wildcard') wildcard = true;
    entries.push({ type: e.type, value: e.value, kind: c.kind, norm: c.norm, line: e.loc.line, column: e.loc.column });
  }
  return { wildcard, entries };
}

/** Situation-dependent rules of principal matching. */
export interface PrincipalMatchEnv {
  /** A11 (docs/decisions/a11-wildcard-principal-services.md). */
  readonly wildcardMatchesServices: boolean;
  /** In a gateway VPC endpoint policy an account principal means that account's root user only (G41). */
  readonly gatewayEndpoint: boolean;
}

const RANK: Readonly<Record<MatchClass, number>> = { NONE: 0, ACCOUNT: 1, ENTITY: 2, DIRECT: 3, WILDCARD: 4 };

/** The better of two match classes (WILDCARD and DIRECT both bypass identity-side implicit denies). */
export function betterClass(a: MatchClass, b: MatchClass): MatchClass {
  return RANK[a] >= RANK[b] ? a : b;
}

function sameArn(a: string | undefined, b: string): boolean {
  return a !== undefined && a === b;
}

/** The class with which one entry names the caller. */
export function entryClass(e: CompiledPrincipalEntry, p: RequestPrincipal, env: PrincipalMatchEnv): MatchClass {
  switch (e.kind) {
    case 'wildcard':
      if (p.kind === 'service' && !env.wildcardMatchesServices) return 'NONE';
      return 'WILDCARD';
    case 'account':
      if (p.kind === 'service' || p.kind === 'anonymous' || p.accountId !== e.norm) return 'NONE';
      if (env.gatewayEndpoint) return p.kind === 'root' ? 'DIRECT' : 'NONE';
      return 'ACCOUNT';
    case 'user':
      if (p.kind === 'iamUser' && sameArn(p.arn, e.norm)) return 'DIRECT';
      if (p.kind === 'federatedUserSession' && sameArn(p.sourceUserArn, e.norm)) return 'ENTITY';
      return 'NONE';
    case 'role':
      return p.kind === 'roleSession' && sameArn(p.roleArn, e.norm) ? 'ENTITY' : 'NONE';
    case 'session':
      return p.kind === 'roleSession' && sameArn(p.arn, e.norm) ? 'DIRECT' : 'NONE';
    case 'federatedUser':
      return p.kind === 'federatedUserSession' && sameArn(p.arn, e.norm) ? 'DIRECT' : 'NONE';
    case 'uniqueId':
      // Trust policies store unique IDs of named users and roles ("Principal", role trust).
      if (p.uniqueId === undefined || p.uniqueId !== e.norm) return 'NONE';
      if (p.kind === 'iamUser') return 'DIRECT';
      if (p.kind === 'roleSession') return 'ENTITY';
      return 'NONE';
    case 'service':
      return p.kind === 'service' && p.servicePrincipal === e.norm ? 'DIRECT' : 'NONE';
    case 'canonical':
      return p.canonicalUserId !== undefined && p.canonicalUserId === e.norm ? 'DIRECT' : 'NONE';
    default:
      return 'NONE';
  }
}

export interface PrincipalMatch {
  readonly cls: MatchClass;
  readonly entry?: CompiledPrincipalEntry;
}

const NO_MATCH: PrincipalMatch = { cls: 'NONE' };
const WILDCARD_MATCH: PrincipalMatch = { cls: 'WILDCARD' };

/** The best class with which a Principal block names the caller. */
export function matchPrincipal(block: CompiledPrincipalBlock, p: RequestPrincipal, env: PrincipalMatchEnv): PrincipalMatch {
  if (block.entries.length === 0) {
    if (!block.wildcard) return NO_MATCH;
    return p.kind === 'service' && !env.wildcardMatchesServices ? NO_MATCH : WILDCARD_MATCH;
  }
  let best: PrincipalMatch = NO_MATCH;
  for (const e of block.entries) {
    const c = entryClass(e, p, env);
    if (c !== 'NONE' && RANK[c] > RANK[best.cls]) {
      best = { cls: c, entry: e };
      if (c === 'WILDCARD') break; // nothing ranks higher: later entries cannot change the result
    }
  }
  return best;
}

/**
 * Does a Principal block name the caller at all (any class but NONE)? What a Deny needs:
 * stops at the first entry that names the caller, without ranking.
 */
export function principalNamesCaller(block: CompiledPrincipalBlock, p: RequestPrincipal, env: PrincipalMatchEnv): boolean {
  if (block.entries.length === 0) return block.wildcard && !(p.kind === 'service' && !env.wildcardMatchesServices);
  for (const e of block.entries) if (entryClass(e, p, env) !== 'NONE') return true;
  return false;
}

/**
 * The identities AWS may test one by one for NotPrincipal (spec A15, G28): the signer,
 * then the entity behind it, then the account.
 */
function chainListed(block: CompiledPrincipalBlock, p: RequestPrincipal, env: PrincipalMatchEnv): boolean[] {
  if (block.wildcard) return [true];
  const has = (pred: (c: MatchClass) => boolean): boolean => block.entries.some((e) => pred(entryClass(e, p, { ...env, gatewayEndpoint: false })));
  switch (p.kind) {
    case 'anonymous':
      return [false];
    case 'service':
      return [has((c) => c === 'DIRECT')];
    case 'root':
      return [has((c) => c === 'ACCOUNT')];
    case 'iamUser':
      return [has((c) => c === 'DIRECT'), has((c) => c === 'ACCOUNT')];
    case 'roleSession':
      return [has((c) => c === 'DIRECT'), has((c) => c === 'ENTITY'), has((c) => c === 'ACCOUNT')];
    case 'federatedUserSession':
      return p.sourceUserArn
        ? [has((c) => c === 'DIRECT'), has((c) => c === 'ENTITY'), has((c) => c === 'ACCOUNT')]
        : [has((c) => c === 'DIRECT'), has((c) => c === 'ACCOUNT')];
  }
}

export interface NotPrincipalEnv extends PrincipalMatchEnv {
  readonly chain: 'strict' | 'sessionOnly';
  /** The caller has a permissions boundary and the statement is a Deny with the bounded-callers rule on. */
  readonly alwaysApplies: boolean;
}

const NOT_GATEWAY: readonly [PrincipalMatchEnv, PrincipalMatchEnv] = [
  Object.freeze({ wildcardMatchesServices: false, gatewayEndpoint: false }),
  Object.freeze({ wildcardMatchesServices: true, gatewayEndpoint: false }),
];

/**
 * Does a NotPrincipal statement with Effect Allow apply to the caller? Only when no entry
 * names the caller in any way: its own ARN, the role behind its session, the IAM user behind
 * a federated session, its account or a wildcard ("AWS JSON policy elements: NotPrincipal":
 * Allow grants "all principals except the one named"; that page now calls the combination
 * unsupported, so the reading that grants least is the one taken; docs/decisions/
 * a20-notprincipal-allow.md). The A15 chain (every identity must be listed) is a rule for
 * Deny only: with Allow it would grant a session whose role is the one listed. As for Deny,
 * an account entry means the whole account even in a gateway endpoint policy.
 */
export function notPrincipalAllowApplies(block: CompiledPrincipalBlock, p: RequestPrincipal, env: PrincipalMatchEnv): boolean {
  return !principalNamesCaller(block, p, NOT_GATEWAY[env.wildcardMatchesServices ? 1 : 0]);
}

/** Does a NotPrincipal statement with Effect Deny apply to the caller (i.e. the caller is not excluded)? */
export function notPrincipalApplies(block: CompiledPrincipalBlock, p: RequestPrincipal, env: NotPrincipalEnv): boolean {
  if (env.alwaysApplies) return true;
  const listed = chainListed(block, p, env);
  const excluded = env.chain === 'strict' ? listed.every(Boolean) : listed[0] === true;
  return !excluded;
}
