/**
 * Grammar rules that depend on the kind of policy (spec §1.1, §1.2, §1.7–§1.9): Version,
 * Id and Sid, element restrictions per policy type, size limits and the IAM character set.
 * The reader (read.ts) already rejects what is wrong for every kind; these rules add what
 * is wrong only for some kinds, or what AWS accepts but a reviewer should know.
 */
import type { Finding } from '../findings.js';
import type { PolicyKind, PrincipalBlock, Statement } from '../model.js';
import type { Rule, RuleContext } from '../validate.js';
import type { RuleCodeInfo, Where } from './support.js';
import {
  ALNUM_SID_KINDS,
  IAM_KINDS,
  actionPatternMatches,
  at,
  elementWhere,
  isWildcardString,
  make,
  operatorPath,
  rule,
} from './support.js';
import type { SourcePosition } from '../json.js';
import { childPath } from '../json.js';

export const GRAMMAR_RULE_CODES: readonly RuleCodeInfo[] = [
  {
    code: 'version-missing',
    severity: 'warning',
    description: 'No Version element: the 2008-10-17 rules apply and policy variables are literal text (an error for SCPs and RCPs, which require 2012-10-17).',
    source: 'IAM JSON policy elements: Version; Organizations "SCP syntax", "RCP syntax"',
  },
  {
    code: 'legacy-version',
    severity: 'warning',
    description: 'Version 2008-10-17: policy variables are literal text (an error for SCPs and RCPs).',
    source: 'IAM JSON policy elements: Version',
  },
  {
    code: 'id-in-identity-policy',
    severity: 'warning',
    description: 'Id in an identity-based policy (identity, boundary or session policy); the grammar notes say it must not be there (A9).',
    source: 'Grammar of the IAM JSON policy language (notes); IAM JSON policy elements: Id',
  },
  {
    code: 'sid-invalid-characters',
    severity: 'error',
    description: 'Sid with characters other than A-Z, a-z, 0-9 in a policy IAM or Organizations stores (identity, boundary, session, trust, SCP, RCP).',
    source: 'IAM JSON policy elements: Sid',
  },
  {
    code: 'duplicate-sid',
    severity: 'error',
    description: 'Two statements share a Sid (an error for IAM and Organizations policies, a warning for other resource policies).',
    source: 'IAM JSON policy elements: Sid ("Statement IDs (SID) in a single policy must be unique")',
  },
  {
    code: 'notprincipal-in-trust',
    severity: 'error',
    description: 'NotPrincipal in a role trust policy, where it is not allowed.',
    source: 'AWS JSON policy elements: NotPrincipal',
  },
  {
    code: 'notprincipal-with-allow',
    severity: 'error',
    description: 'NotPrincipal with Effect Allow, which most services reject.',
    source: 'AWS JSON policy elements: NotPrincipal',
  },
  {
    code: 'trust-action-not-sts',
    severity: 'error',
    description: 'A trust policy action other than sts:AssumeRole, AssumeRoleWithSAML, AssumeRoleWithWebIdentity, TagSession, SetSourceIdentity or SetContext (or NotAction).',
    source: 'IAM roles: "How IAM roles differ from resource-based policies"; spec §1.9',
  },
  {
    code: 'scp-trailing-wildcard',
    severity: 'warning',
    description: 'SCP action with a wildcard that is not at the end; the older SCP syntax allowed wildcards only at the end (A7).',
    source: 'Organizations "SCP syntax" (2023 version)',
  },
  {
    code: 'scp-legacy-allow-element',
    severity: 'warning',
    description: 'SCP Allow statement with Condition, NotAction or a specific Resource, which the older SCP syntax allowed only in Deny statements (A7).',
    source: 'Organizations "SCP syntax" (2023 version)',
  },
  {
    code: 'rcp-forbidden-element',
    severity: 'error',
    description: 'RCP with NotAction or NotPrincipal, or an Allow statement other than RCPFullAWSAccess.',
    source: 'Organizations "RCP syntax"',
  },
  {
    code: 'rcp-principal-not-wildcard',
    severity: 'error',
    description: 'RCP Principal other than "*" (narrow callers with conditions instead).',
    source: 'Organizations "RCP syntax"',
  },
  {
    code: 'gateway-endpoint-principal-not-wildcard',
    severity: 'warning',
    description: 'VPC endpoint policy Principal other than "*": gateway endpoints (S3, DynamoDB) require "*", and an account principal there means its root user only (G41).',
    source: 'Control access to VPC endpoints using endpoint policies',
  },
  {
    code: 'policy-too-large',
    severity: 'error',
    description: 'Policy over its size quota, counted as AWS counts it for that kind (whitespace not counted for IAM policies; counted for SCPs, RCPs and endpoint policies).',
    source: 'IAM and AWS STS quotas; Quotas for AWS Organizations; VPC endpoint policies; KMS key policies',
  },
  {
    code: 'invalid-characters',
    severity: 'error',
    description: 'Character outside TAB, LF, CR and U+0020–U+00FF in an IAM policy.',
    source: 'IAM and AWS STS quotas ("IAM policy documents can contain only the following Unicode characters")',
  },
];

// ---------------------------------------------------------------------------------------

const rootWhere = (ctx: RuleContext): Where => ({ path: '$', loc: ctx.policy.loc });

const versionMissing = rule('version-missing', (ctx) => {
  if (ctx.policy.version !== undefined || ctx.policy.versionLoc !== undefined) return [];
  const strict = ctx.kind === 'scp' || ctx.kind === 'rcp';
  return [
    make(
      strict ? 'error' : 'warning',
      'version-missing',
      strict
        ? `${ctx.kind.toUpperCase()}s require "Version": "2012-10-17"; this policy has no Version`
        : 'no Version element: the 2008-10-17 rules apply and policy variables such as ${aws:username} stay literal text; expected "Version": "2012-10-17"',
      rootWhere(ctx),
    ),
  ];
});

const legacyVersion = rule('legacy-version', (ctx) => {
  if (ctx.policy.version !== '2008-10-17') return [];
  const strict = ctx.kind === 'scp' || ctx.kind === 'rcp';
  const where = { path: '$.Version', loc: ctx.policy.versionLoc ?? ctx.policy.loc };
  return [
    make(
      strict ? 'error' : 'warning',
      'legacy-version',
      strict
        ? `${ctx.kind.toUpperCase()}s require "Version": "2012-10-17", found "2008-10-17"`
        : 'Version "2008-10-17" is the legacy grammar: policy variables such as ${aws:username} stay literal text; expected "2012-10-17"',
      where,
    ),
  ];
});

const idInIdentity = rule('id-in-identity-policy', (ctx) => {
  const id = ctx.policy.id;
  if (!id || !(ctx.kind === 'identity' || ctx.kind === 'permissions-boundary' || ctx.kind === 'session')) return [];
  return [
    make(
      'warning',
      'id-in-identity-policy',
      `Id "${id.value}" in ${ctx.kind === 'identity' ? 'an identity' : `a ${ctx.kind}`} policy: the IAM grammar says identity-based policies must not carry an Id; remove it (use a Sid per statement instead)`,
      at(id),
    ),
  ];
});

const sidInvalid = rule('sid-invalid-characters', (ctx) => {
  if (!ALNUM_SID_KINDS.has(ctx.kind)) return [];
  const out: Finding[] = [];
  for (const st of ctx.policy.statements) {
    const sid = st.sid;
    if (!sid || /^[A-Za-z0-9]*$/.test(sid.value)) continue;
    const bad = [...new Set([...sid.value].filter((c) => !/[A-Za-z0-9]/.test(c)))].map((c) => JSON.stringify(c)).join(', ');
    out.push(
      make(
        'error',
        'sid-invalid-characters',
        `Sid "${sid.value}" contains ${bad}; in ${ctx.kind} policies a Sid may hold only letters and digits (A-Z, a-z, 0-9), e.g. "${sid.value.replace(/[^A-Za-z0-9]/g, '') || 'Stmt1'}"`,
        at(sid),
      ),
    );
  }
  return out;
});

const duplicateSid = rule('duplicate-sid', (ctx) => {
  const seen = new Map<string, SourcePosition>();
  const out: Finding[] = [];
  const severity = ALNUM_SID_KINDS.has(ctx.kind) ? 'error' : 'warning';
  for (const st of ctx.policy.statements) {
    const sid = st.sid;
    if (!sid || sid.value === '') continue;
    const first = seen.get(sid.value);
    if (first) {
      out.push(
        make(
          severity,
          'duplicate-sid',
          `Sid "${sid.value}" is already used by the statement at line ${first.line}, column ${first.column}; Sids must be unique within a policy`,
          at(sid),
        ),
      );
    } else seen.set(sid.value, sid.loc);
  }
  return out;
});

const notPrincipalInTrust = rule('notprincipal-in-trust', (ctx) => {
  if (ctx.kind !== 'trust') return [];
  return ctx.policy.statements
    .filter((st) => st.notPrincipal)
    .map((st) =>
      make(
        'error',
        'notprincipal-in-trust',
        'NotPrincipal is not allowed in a role trust policy; name the principals that may assume the role with Principal',
        at(st.notPrincipal as PrincipalBlock),
      ),
    );
});

const notPrincipalWithAllow = rule('notprincipal-with-allow', (ctx) => {
  if (ctx.kind === 'trust' || ctx.kind === 'rcp') return []; // reported by their own rules
  return ctx.policy.statements
    .filter((st) => st.notPrincipal && st.effect === 'Allow')
    .map((st) =>
      make(
        'error',
        'notprincipal-with-allow',
        'NotPrincipal with "Effect": "Allow" is rejected by most services and would grant everyone not listed; use Principal, or NotPrincipal only with Deny',
        at(st.notPrincipal as PrincipalBlock),
      ),
    );
});

const TRUST_ACTIONS = [
  'sts:AssumeRole',
  'sts:AssumeRoleWithSAML',
  'sts:AssumeRoleWithWebIdentity',
  'sts:TagSession',
  'sts:SetSourceIdentity',
  'sts:SetContext',
];
const TRUST_ACTIONS_LOWER = new Set(TRUST_ACTIONS.map((a) => a.toLowerCase()));

const trustActionNotSts = rule('trust-action-not-sts', (ctx) => {
  if (ctx.kind !== 'trust') return [];
  const out: Finding[] = [];
  const expected = `expected one of ${TRUST_ACTIONS.join(', ')}`;
  for (const st of ctx.policy.statements) {
    if (st.notAction) {
      out.push(
        make('error', 'trust-action-not-sts', `a trust policy lists the actions it allows with Action, not NotAction; ${expected}`, elementWhere(st, st.notAction, 'NotAction')),
      );
      continue;
    }
    for (const a of st.action ?? []) {
      const v = a.value;
      if (TRUST_ACTIONS_LOWER.has(v.toLowerCase())) continue;
      const okWildcard = isWildcardString(v) && v.toLowerCase().startsWith('sts:') && TRUST_ACTIONS.some((t) => actionPatternMatches(v, t));
      if (okWildcard) continue;
      out.push(make('error', 'trust-action-not-sts', `"${v}" is not an action a role trust policy can allow; ${expected}`, at(a)));
    }
  }
  return out;
});

const scpTrailingWildcard = rule('scp-trailing-wildcard', (ctx) => {
  if (ctx.kind !== 'scp') return [];
  const out: Finding[] = [];
  for (const st of ctx.policy.statements) {
    for (const a of st.action ?? st.notAction ?? []) {
      const v = a.value;
      if (v === '*' || !isWildcardString(v.slice(0, -1))) continue;
      out.push(
        make(
          'warning',
          'scp-trailing-wildcard',
          `"${v}" has a wildcard before its end; older SCP syntax allows "*" or "?" only at the end of an action (e.g. "ec2:Describe*"); list the actions or end the pattern with the wildcard`,
          at(a),
        ),
      );
    }
  }
  return out;
});

const scpLegacyAllow = rule('scp-legacy-allow-element', (ctx) => {
  if (ctx.kind !== 'scp') return [];
  const out: Finding[] = [];
  for (const st of ctx.policy.statements) {
    if (st.effect !== 'Allow') continue;
    const msg = (what: string): string =>
      `${what} in an SCP Allow statement: older SCP syntax allowed it only in Deny statements; current Organizations accepts it, older tooling may not`;
    const firstClause = st.condition[0];
    if (firstClause) out.push(make('warning', 'scp-legacy-allow-element', msg('Condition'), { path: childPath(st.path, 'Condition'), loc: firstClause.operatorLoc }));
    if (st.notAction) out.push(make('warning', 'scp-legacy-allow-element', msg('NotAction'), elementWhere(st, st.notAction, 'NotAction')));
    const specific = (st.resource ?? []).find((r) => r.value !== '*');
    if (specific) out.push(make('warning', 'scp-legacy-allow-element', msg(`Resource "${specific.value}"`), at(specific)));
    if (st.notResource) out.push(make('warning', 'scp-legacy-allow-element', msg('NotResource'), elementWhere(st, st.notResource, 'NotResource')));
  }
  return out;
});

/** RCPFullAWSAccess: Allow, Principal "*", Action "*", Resource "*", no condition. */
function isRcpFullAwsAccess(st: Statement): boolean {
  return (
    st.effect === 'Allow' &&
    st.principal?.wildcard === true &&
    st.action?.length === 1 &&
    st.action[0]?.value === '*' &&
    st.resource?.length === 1 &&
    st.resource[0]?.value === '*' &&
    st.condition.length === 0
  );
}

const rcpForbidden = rule('rcp-forbidden-element', (ctx) => {
  if (ctx.kind !== 'rcp') return [];
  const out: Finding[] = [];
  for (const st of ctx.policy.statements) {
    if (st.notAction) {
      out.push(make('error', 'rcp-forbidden-element', 'NotAction is not supported in RCPs; list the actions with Action', elementWhere(st, st.notAction, 'NotAction')));
    }
    if (st.notPrincipal) {
      out.push(make('error', 'rcp-forbidden-element', 'NotPrincipal is not supported in RCPs; use "Principal": "*" and narrow callers with conditions such as aws:PrincipalArn', at(st.notPrincipal)));
    }
    if (st.effect === 'Allow' && !isRcpFullAwsAccess(st)) {
      out.push(
        make(
          'error',
          'rcp-forbidden-element',
          'RCP statements must use "Effect": "Deny"; the only Allow is the AWS-managed RCPFullAWSAccess ({"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"})',
          { path: `${st.path}.Effect`, loc: st.effectLoc },
        ),
      );
    }
  }
  return out;
});

const rcpPrincipal = rule('rcp-principal-not-wildcard', (ctx) => {
  if (ctx.kind !== 'rcp') return [];
  return ctx.policy.statements
    .filter((st) => st.principal && !st.principal.wildcard)
    .map((st) =>
      make(
        'error',
        'rcp-principal-not-wildcard',
        'an RCP Principal must be "*"; to limit whom it applies to, add a condition such as {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-..."}}',
        at(st.principal as PrincipalBlock),
      ),
    );
});

const gatewayPrincipal = rule('gateway-endpoint-principal-not-wildcard', (ctx) => {
  if (ctx.kind !== 'vpc-endpoint') return [];
  const out: Finding[] = [];
  for (const st of ctx.policy.statements) {
    const p = st.principal;
    if (!p || p.wildcard) continue;
    if (p.entries.length > 0 && p.entries.every((e) => e.type === 'AWS' && e.value === '*')) continue;
    out.push(
      make(
        'warning',
        'gateway-endpoint-principal-not-wildcard',
        'gateway endpoint policies (S3, DynamoDB) need "Principal": "*"; an account principal such as {"AWS": "111122223333"} there means only that account\'s root user (G41). Use "*" and a condition on aws:PrincipalArn or aws:PrincipalAccount',
        at(p),
      ),
    );
  }
  return out;
});

// ---------------------------------------------------------------------------------------
// Size quotas (spec §1.8)

type Counting = 'iam-chars' | 'all-chars' | 'utf8-bytes';

interface SizeQuota {
  readonly limit: number;
  readonly counting: Counting;
  readonly what: string;
}

/** Default quotas per kind; `ValidateOptions.sizeLimits` overrides the number. */
export const DEFAULT_SIZE_QUOTAS: ReadonlyMap<PolicyKind, SizeQuota> = new Map<PolicyKind, SizeQuota>([
  ['identity', { limit: 6144, counting: 'iam-chars', what: 'customer managed policy' }],
  ['permissions-boundary', { limit: 6144, counting: 'iam-chars', what: 'managed policy used as a permissions boundary' }],
  ['trust', { limit: 2048, counting: 'iam-chars', what: 'role trust policy (default quota; raisable, A6)' }],
  ['session', { limit: 2048, counting: 'all-chars', what: 'session policy (plaintext, as sent)' }],
  ['scp', { limit: 5120, counting: 'utf8-bytes', what: 'SCP' }],
  ['rcp', { limit: 5120, counting: 'utf8-bytes', what: 'RCP' }],
  ['vpc-endpoint', { limit: 20480, counting: 'all-chars', what: 'VPC endpoint policy' }],
  ['key', { limit: 32768, counting: 'utf8-bytes', what: 'KMS key policy' }],
  ['bucket', { limit: 20480, counting: 'utf8-bytes', what: 'S3 bucket policy' }],
]);

function isJsonWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/** Characters IAM counts: whitespace outside string literals is not counted. */
export function countIamChars(text: string): number {
  let n = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      n++;
      if (c === 92 && i + 1 < text.length) {
        n++;
        i++;
      } else if (c === 34) inString = false;
      continue;
    }
    if (isJsonWhitespace(c)) continue;
    n++;
    if (c === 34) inString = true;
  }
  return n;
}

export function countUtf8Bytes(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

const policyTooLarge = rule('policy-too-large', (ctx) => {
  const text = ctx.text ?? ctx.policy.sourceText;
  const quota = DEFAULT_SIZE_QUOTAS.get(ctx.kind);
  if (text === undefined || !quota) return [];
  const override = ctx.options?.sizeLimits?.[ctx.kind];
  const limit = typeof override === 'number' && override > 0 ? override : quota.limit;
  const size = quota.counting === 'iam-chars' ? countIamChars(text) : quota.counting === 'utf8-bytes' ? countUtf8Bytes(text) : text.length;
  if (size <= limit) return [];
  const unit =
    quota.counting === 'iam-chars'
      ? 'characters (whitespace outside strings not counted)'
      : quota.counting === 'utf8-bytes'
        ? 'bytes (every character counts, whitespace included)'
        : 'characters (whitespace included)';
  return [
    make(
      'error',
      'policy-too-large',
      `policy is ${size} ${unit}; a ${quota.what} may have at most ${limit}. Split it into several policies or use wildcards`,
      rootWhere(ctx),
    ),
  ];
});

// ---------------------------------------------------------------------------------------
// Character set (IAM and AWS STS quotas)

function allowedIamChar(c: number): boolean {
  return c === 0x09 || c === 0x0a || c === 0x0d || (c >= 0x20 && c <= 0xff);
}

const MAX_CHARACTER_FINDINGS = 10;

/**
 * Converts ascending offsets to 1-based lines and columns the way the JSON reader counts
 * (CRLF, CR or LF end a line; columns in UTF-16 units), in one pass over the text.
 */
export function positionsAt(text: string, offsets: readonly number[]): SourcePosition[] {
  const out: SourcePosition[] = [];
  let line = 1;
  let lineStart = 0;
  let i = 0;
  for (const offset of offsets) {
    for (; i < offset && i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) {
        line++;
        lineStart = i + 1;
      } else if (c === 13) {
        if (text.charCodeAt(i + 1) === 10 && i + 1 < offset) i++;
        line++;
        lineStart = i + 1;
      }
    }
    out.push({ line, column: offset - lineStart + 1, offset });
  }
  return out;
}

/** Every string of the model with its place, to name the element a bad character sits in. */
function locatedStrings(ctx: RuleContext): { value: string; path: string; loc: SourcePosition }[] {
  const out: { value: string; path: string; loc: SourcePosition }[] = [];
  const p = ctx.policy;
  if (p.id) out.push(p.id);
  for (const st of p.statements) {
    if (st.sid) out.push(st.sid);
    for (const list of [st.action, st.notAction, st.resource, st.notResource]) for (const x of list ?? []) out.push(x);
    for (const block of [st.principal, st.notPrincipal]) {
      if (block && !block.wildcard) for (const e of block.entries) out.push(e);
    }
    for (const c of st.condition) {
      out.push({ value: c.operator, path: operatorPath(st, c), loc: c.operatorLoc });
      out.push({ value: c.key, path: c.path, loc: c.keyLoc });
      for (const v of c.values) out.push(v);
    }
  }
  return out;
}

function describeChar(cp: number): string {
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
}

const invalidCharacters = rule('invalid-characters', (ctx) => {
  if (!IAM_KINDS.has(ctx.kind)) return [];
  const text = ctx.text ?? ctx.policy.sourceText;
  const expected = 'IAM policies may contain only TAB, LF, CR and the characters U+0020 to U+00FF';
  const out: Finding[] = [];
  if (text === undefined) {
    for (const s of locatedStrings(ctx)) {
      for (const ch of s.value) {
        const cp = ch.codePointAt(0) ?? 0;
        if (allowedIamChar(cp)) continue;
        out.push(make('error', 'invalid-characters', `"${s.value}" contains ${describeChar(cp)}; ${expected}`, at(s)));
        break;
      }
      if (out.length >= MAX_CHARACTER_FINDINGS) break;
    }
    return out;
  }
  const bad: number[] = [];
  let total = 0;
  for (let i = 0; i < text.length; i++) {
    if (allowedIamChar(text.charCodeAt(i))) continue;
    total++;
    if (bad.length < MAX_CHARACTER_FINDINGS) bad.push(i);
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) i++;
  }
  if (bad.length === 0) return out;
  const strings = locatedStrings(ctx).filter((s) => s.loc.offset >= 0).sort((a, b) => a.loc.offset - b.loc.offset);
  const positions = positionsAt(text, bad);
  bad.forEach((offset, n) => {
    const cp = text.codePointAt(offset) ?? 0;
    let path = '$';
    for (const s of strings) {
      if (s.loc.offset <= offset) path = s.path;
      else break;
    }
    const more = n === bad.length - 1 && total > bad.length ? ` (${total - bad.length} more not listed)` : '';
    out.push(make('error', 'invalid-characters', `character ${describeChar(cp)} is not allowed; ${expected}${more}`, { path, loc: positions[n] ?? positionsAt(text, [offset])[0] ?? ctx.policy.loc }));
  });
  return out;
});

export const GRAMMAR_RULES: readonly Rule[] = [
  versionMissing,
  legacyVersion,
  idInIdentity,
  sidInvalid,
  duplicateSid,
  notPrincipalInTrust,
  notPrincipalWithAllow,
  trustActionNotSts,
  scpTrailingWildcard,
  scpLegacyAllow,
  rcpForbidden,
  rcpPrincipal,
  gatewayPrincipal,
  policyTooLarge,
  invalidCharacters,
];
