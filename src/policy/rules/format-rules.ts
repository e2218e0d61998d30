/**
 * Format rules: the shape of every string in a policy (actions, resources, principals,
 * condition operators, keys and values) and of policy variables. Sources: "IAM JSON
 * policy elements" (Action, Resource, Principal, Condition, Condition operators), "IAM
 * policy elements: Variables and tags", "Amazon Resource Names (ARNs)", and the save-time
 * errors moto copies from AWS (`moto/iam/policy_validation.py`), spec §1.4–§3.
 */
import type { Finding } from '../findings.js';
import type { ConditionClause, Located, PrincipalEntry, Statement } from '../model.js';
import { variablesEnabled } from '../model.js';
import type { Rule, RuleContext } from '../validate.js';
import type { OperatorFamily, ParsedOperator, RuleCodeInfo } from './support.js';
import {
  KNOWN_PARTITIONS,
  at,
  hasVariable,
  isKnownPartition,
  isWildcardString,
  make,
  operatorPath,
  parseOperator,
  rule,
  scanVariables,
  splitArn,
} from './support.js';

export const FORMAT_RULE_CODES: readonly RuleCodeInfo[] = [
  {
    code: 'action-format',
    severity: 'error',
    description: 'Action not of the form service:ActionName or "*": no colon, several colons, an invalid service prefix (e.g. "s*"), whitespace, or a comma (a "*" service prefix or odd characters in the name are warnings).',
    source: 'IAM JSON policy elements: Action; moto policy_validation ("Vendor ... is not valid")',
  },
  {
    code: 'variable-in-action',
    severity: 'warning',
    description: 'A policy variable in Action/NotAction, where variables are never expanded.',
    source: 'IAM policy elements: Variables and tags ("Where you can use policy variables")',
  },
  {
    code: 'variable-in-principal',
    severity: 'warning',
    description: 'A policy variable in Principal/NotPrincipal, where variables are never expanded.',
    source: 'IAM policy elements: Variables and tags',
  },
  {
    code: 'variable-under-legacy-version',
    severity: 'warning',
    description: 'A policy variable in a policy without "Version": "2012-10-17"; it stays literal text.',
    source: 'IAM JSON policy elements: Version; IAM policy elements: Variables and tags',
  },
  {
    code: 'malformed-variable',
    severity: 'warning',
    description: 'A "${" that does not form ${key} or ${key, \'default\'} (unclosed, empty key, bad default syntax).',
    source: 'IAM policy elements: Variables and tags ("Specifying default values")',
  },
  {
    code: 'resource-format',
    severity: 'error',
    description: 'Resource neither "*" nor an ARN: fewer than six parts (A17), unknown partition, wildcard or invalid service segment, region in an IAM or S3 bucket ARN, whitespace, or several ARNs in one string.',
    source: 'Amazon Resource Names (ARNs); IAM JSON policy elements: Resource; moto policy_validation',
  },
  {
    code: 'principal-format',
    severity: 'error',
    description: 'Principal value of the wrong shape: partial wildcard, malformed account ID, IAM group, bad ARN; an unusual service principal name is a warning.',
    source: 'AWS JSON policy elements: Principal',
  },
  {
    code: 'unknown-condition-operator',
    severity: 'error',
    description: 'Condition operator not known after removing ForAnyValue:/ForAllValues: and IfExists, NullIfExists, or a known operator in non-canonical case.',
    source: 'IAM JSON policy elements: Condition operators',
  },
  {
    code: 'invalid-date-value',
    severity: 'error',
    description: 'Date operator value that is neither W3C ISO 8601 (YYYY-MM-DD[Thh:mm[:ss[.s]][TZD]]) nor integer epoch seconds.',
    source: 'IAM JSON policy elements: Condition operators (Date condition operators)',
  },
  {
    code: 'invalid-numeric-value',
    severity: 'error',
    description: 'Numeric operator value that is not an integer or decimal number.',
    source: 'IAM JSON policy elements: Condition operators (Numeric condition operators)',
  },
  {
    code: 'invalid-ip-value',
    severity: 'error',
    description: 'IpAddress/NotIpAddress value that is not an IPv4 or IPv6 address or CIDR block.',
    source: 'IAM JSON policy elements: Condition operators (IP address condition operators)',
  },
  {
    code: 'invalid-bool-value',
    severity: 'error',
    description: 'Bool value other than true or false.',
    source: 'IAM JSON policy elements: Condition operators (Boolean condition operators)',
  },
  {
    code: 'invalid-arn-value',
    severity: 'warning',
    description: 'Arn* operator value that is not ARN-shaped and has no wildcard or variable: it never matches.',
    source: 'IAM JSON policy elements: Condition operators (Amazon Resource Name (ARN) condition operators)',
  },
  {
    code: 'invalid-binary-value',
    severity: 'error',
    description: 'BinaryEquals value that is not base64.',
    source: 'IAM JSON policy elements: Condition operators (Binary condition operators)',
  },
  {
    code: 'null-operator-value',
    severity: 'error',
    description: 'Null operator value other than true or false.',
    source: 'IAM JSON policy elements: Condition operators (Condition operator to check existence of condition keys)',
  },
  {
    code: 'condition-key-format',
    severity: 'error',
    description: 'Condition key without a service prefix (e.g. "SourceIp" for "aws:SourceIp"), with surrounding whitespace, or whitespace in the key name.',
    source: 'IAM JSON policy elements: Condition; moto ("Actions/Conditions must be prefaced by a vendor")',
  },
  {
    code: 'empty-condition-key',
    severity: 'error',
    description: 'An empty condition key name.',
    source: 'IAM JSON policy elements: Condition',
  },
  {
    code: 'variable-in-non-string-operator',
    severity: 'warning',
    description: 'A policy variable in a Numeric, Date, IpAddress, BinaryEquals or Null value, where variables are not expanded.',
    source: 'IAM policy elements: Variables and tags; spec §2.4 and ambiguity A5',
  },
];

// ---------------------------------------------------------------------------------------
// Actions (spec §1.3, §1.4)

function checkAction(a: Located<string>, element: string): Finding | undefined {
  const v = a.value;
  if (v === '*' || v.includes('${')) return undefined;
  const err = (msg: string): Finding => make('error', 'action-format', msg, at(a));
  if (/\s/.test(v)) {
    return err(
      `${element} "${v}" contains whitespace; IAM does not trim it, so it never matches. Expected "${v.replace(/\s+/g, '') || 'service:Action'}"`,
    );
  }
  const colons = v.split(':').length - 1;
  if (v.includes(',')) {
    return err(`${element} "${v}" holds several actions in one string, which is one literal value that never matches; write a list: ${JSON.stringify(v.split(','))}`);
  }
  if (colons === 0) return err(`${element} "${v}" has no service prefix; expected "service:ActionName" (e.g. "s3:GetObject") or "*"`);
  if (colons > 1) return err(`${element} "${v}" has ${colons} colons; expected exactly one, as in "service:ActionName"`);
  const [vendor = '', name = ''] = v.split(':');
  if (vendor === '*') {
    return make('warning', 'action-format', `${element} "${v}" has a wildcard service prefix, which matches that action name in every service; name the service (e.g. "s3:${name}")`, at(a));
  }
  if (!/^[A-Za-z0-9.-]+$/.test(vendor)) {
    return err(`${element} "${v}": vendor "${vendor}" is not valid; the service prefix may hold only letters, digits, "-" and "." and no wildcards`);
  }
  if (name === '') return err(`${element} "${v}" has no action name after the colon; expected e.g. "${vendor}:Get*" or "${vendor}:*"`);
  if (!/^[A-Za-z0-9*?]+$/.test(name)) {
    return make('warning', 'action-format', `${element} "${v}": action names hold only letters and digits (plus "*" and "?"), so this never matches an action`, at(a));
  }
  return undefined;
}

const actionFormat = rule('action-format', (ctx) => {
  const out: Finding[] = [];
  for (const st of ctx.policy.statements) {
    for (const a of st.action ?? []) {
      const f = checkAction(a, 'Action');
      if (f) out.push(f);
    }
    for (const a of st.notAction ?? []) {
      const f = checkAction(a, 'NotAction');
      if (f) out.push(f);
    }
  }
  return out;
});

const variableInAction = rule('variable-in-action', (ctx) => {
  const out: Finding[] = [];
  for (const st of ctx.policy.statements) {
    for (const [element, list] of [
      ['Action', st.action],
      ['NotAction', st.notAction],
    ] as const) {
      for (const a of list ?? []) {
        if (!a.value.includes('${')) continue;
        out.push(
          make('warning', 'variable-in-action', `${element} "${a.value}" contains a policy variable; variables are not expanded in ${element}, so it is literal text and never matches. Expected a plain action such as "s3:GetObject"`, at(a)),
        );
      }
    }
  }
  return out;
});

function principalEntries(st: Statement): PrincipalEntry[] {
  const out: PrincipalEntry[] = [];
  for (const b of [st.principal, st.notPrincipal]) if (b && !b.wildcard) out.push(...b.entries);
  return out;
}

const variableInPrincipal = rule('variable-in-principal', (ctx) =>
  ctx.policy.statements.flatMap((st) =>
    principalEntries(st)
      .filter((e) => e.value.includes('${'))
      .map((e) =>
        make(
          'warning',
          'variable-in-principal',
          `principal "${e.value}" contains a policy variable; variables are not expanded in Principal, so it is literal text. Expected a fixed principal, or "*" with a condition on aws:PrincipalArn`,
          at(e),
        ),
      ),
  ),
);

// ---------------------------------------------------------------------------------------
// Variables (spec §3)

/** Condition values whose operator expands variables (String, Arn, and Bool per A5). */
function expandsVariables(family: OperatorFamily): boolean {
  return family === 'string' || family === 'arn' || family === 'bool';
}

interface ParsedClause {
  readonly clause: ConditionClause;
  readonly op: ParsedOperator;
}

function clausesOf(st: Statement): ParsedClause[] {
  return st.condition.map((clause) => ({ clause, op: parseOperator(clause.operator) }));
}

const variableUnderLegacy = rule('variable-under-legacy-version', (ctx) => {
  if (variablesEnabled(ctx.policy)) return [];
  const out: Finding[] = [];
  const version = ctx.policy.version ? `"Version": "${ctx.policy.version}"` : 'no Version';
  const msg = (v: string): string =>
    `"${v}" contains a policy variable, but with ${version} variables are literal text; add "Version": "2012-10-17" at the top of the policy`;
  for (const st of ctx.policy.statements) {
    for (const r of st.resource ?? st.notResource ?? []) if (hasVariable(r.value)) out.push(make('warning', 'variable-under-legacy-version', msg(r.value), at(r)));
    for (const { clause, op } of clausesOf(st)) {
      if (op.ok && !expandsVariables(op.family)) continue;
      for (const v of clause.values) if (hasVariable(v.value)) out.push(make('warning', 'variable-under-legacy-version', msg(v.value), at(v)));
    }
  }
  return out;
});

const malformedVariable = rule('malformed-variable', (ctx) => {
  if (!variablesEnabled(ctx.policy)) return [];
  const out: Finding[] = [];
  const check = (x: Located<string>): void => {
    for (const ref of scanVariables(x.value)) {
      if (!ref.problem) continue;
      out.push(
        make(
          'warning',
          'malformed-variable',
          `"${ref.text}" in "${x.value}" is not a valid policy variable: ${ref.problem}. Expected \${key} or \${key, 'default'}, e.g. \${aws:username}`,
          at(x),
        ),
      );
    }
  };
  for (const st of ctx.policy.statements) {
    for (const r of st.resource ?? st.notResource ?? []) check(r);
    for (const { clause, op } of clausesOf(st)) if (!op.ok || expandsVariables(op.family)) clause.values.forEach(check);
  }
  return out;
});

// ---------------------------------------------------------------------------------------
// Resources (spec §1.5)

/** S3 resource types that carry a Region (access points, batch jobs, Storage Lens, Access Grants). */
const REGIONAL_S3_TYPES = ['accesspoint/', 'job/', 'storage-lens/', 'storage-lens-group/', 'access-grants/'];

function resourceProblem(v: string): string | undefined {
  if (v === '*') return undefined;
  if (v !== v.trim()) return `has leading or trailing whitespace, which IAM keeps, so it never matches; expected "${v.trim()}"`;
  if (!v.includes(':')) return 'must be an ARN (arn:partition:service:region:account:resource) or "*"';
  if (/,\s*arn:/i.test(v)) return 'holds several ARNs in one string, which is one literal value; write them as separate list entries';
  const parts = splitArn(v);
  if (!parts) {
    const n = v.split(':').length;
    return `has ${n} colon-separated parts; an ARN has six: arn:partition:service:region:account:resource (e.g. arn:aws:s3:::bucket/key)`;
  }
  const head = `${parts.prefix}:${parts.partition}:${parts.service}:${parts.region}:${parts.account}:`;
  if (head.includes('${') || head.includes('}')) {
    return 'uses a policy variable before the resource part; variables are expanded only after the fifth colon';
  }
  if (/\s/.test(head)) return 'contains whitespace in its partition, service, region or account';
  if (parts.prefix !== 'arn') return `starts with "${parts.prefix}"; an ARN starts with "arn:"`;
  if (!isKnownPartition(parts.partition)) return `has unknown partition "${parts.partition}"; expected one of ${KNOWN_PARTITIONS.join(', ')}`;
  if (parts.service === '') return 'has an empty service segment; expected e.g. arn:aws:s3:::bucket';
  if (isWildcardString(parts.service)) return `has a wildcard in the service segment ("${parts.service}"); the service must be fully qualified, wildcards are allowed only in the other segments`;
  if (!/^[A-Za-z0-9.-]+$/.test(parts.service)) return `has an invalid service segment "${parts.service}"`;
  if (parts.resource === '') return 'has an empty resource part; expected e.g. "bucket/*" or "role/name" after the fifth colon';
  const regionGiven = parts.region !== '' && !/^[*?]+$/.test(parts.region);
  if (parts.service.toLowerCase() === 'iam' && regionGiven) {
    return `is an IAM ARN with region "${parts.region}"; IAM ARNs have an empty region: arn:aws:iam::ACCOUNT:${parts.resource}`;
  }
  if (parts.service.toLowerCase() === 's3' && regionGiven && !REGIONAL_S3_TYPES.some((t) => parts.resource.startsWith(t))) {
    return `is an S3 bucket or object ARN with region "${parts.region}"; S3 bucket ARNs have no region or account: arn:aws:s3:::${parts.resource}`;
  }
  return undefined;
}

const resourceFormat = rule('resource-format', (ctx) => {
  const out: Finding[] = [];
  for (const st of ctx.policy.statements) {
    for (const [element, list] of [
      ['Resource', st.resource],
      ['NotResource', st.notResource],
    ] as const) {
      for (const r of list ?? []) {
        const problem = resourceProblem(r.value);
        if (problem) out.push(make('error', 'resource-format', `${element} "${r.value}" ${problem}`, at(r)));
      }
    }
  }
  return out;
});

// ---------------------------------------------------------------------------------------
// Principals (spec §1.6)

const SERVICE_PRINCIPAL = /^[a-z0-9][a-z0-9.-]*\.(amazonaws\.com|amazonaws\.com\.cn|amazon\.com|c2s\.ic\.gov|sc2s\.sgov\.gov)$/i;
const UNIQUE_ID = /^(AROA|AIDA)[A-Z0-9]{12,}$/;

function awsPrincipalProblem(v: string): string | undefined {
  if (v === '*') return undefined;
  if (/^\d{12}$/.test(v) || UNIQUE_ID.test(v)) return undefined;
  if (!v.toLowerCase().startsWith('arn:')) {
    if (/^\d+$/.test(v)) return `"${v}" is not an account ID; an account ID has exactly 12 digits`;
    return `"${v}" is not a valid AWS principal; expected "*", a 12-digit account ID, or an ARN such as arn:aws:iam::111122223333:role/name`;
  }
  if (isWildcardString(v)) {
    return `"${v}" uses a partial wildcard, which Principal does not allow; use "Principal": "*" with a condition such as {"ArnLike": {"aws:PrincipalArn": "${v}"}}`;
  }
  const parts = splitArn(v);
  if (!parts) return `"${v}" is not a complete ARN; expected arn:aws:iam::111122223333:role/name`;
  if (!isKnownPartition(parts.partition)) return `"${v}" has unknown partition "${parts.partition}"`;
  const service = parts.service.toLowerCase();
  if (service !== 'iam' && service !== 'sts') {
    return `"${v}" is not an IAM or STS ARN; principals are accounts, IAM users and roles, role sessions and federated users`;
  }
  if (!/^\d{12}$/.test(parts.account)) return `"${v}" has a malformed account ID "${parts.account}"; expected 12 digits`;
  if (service === 'iam') {
    if (parts.resource.startsWith('group/')) return `"${v}" is an IAM group; groups can never be principals. Name the users or roles, or the account`;
    if (parts.resource === 'root' || /^(user|role)\/./.test(parts.resource) || /^(saml-provider|oidc-provider)\/./.test(parts.resource)) return undefined;
    return `"${v}" is not a principal ARN; expected arn:aws:iam::ACCOUNT:root, :user/name or :role/name`;
  }
  if (/^assumed-role\/[^/]+\/.+/.test(parts.resource) || /^federated-user\/./.test(parts.resource)) return undefined;
  return `"${v}" is not a principal ARN; STS principals are arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION or :federated-user/NAME`;
}

function principalProblem(e: PrincipalEntry, kind: RuleContext['kind']): { severity: 'error' | 'warning'; message: string } | undefined {
  const v = e.value;
  if (v.includes('${')) return undefined; // variable-in-principal
  if (/\s/.test(v)) return { severity: 'error', message: `principal "${v}" contains whitespace; expected ${JSON.stringify(v.trim())}` };
  switch (e.type) {
    case 'AWS': {
      const m = awsPrincipalProblem(v);
      return m ? { severity: 'error', message: m } : undefined;
    }
    case 'Service':
      if (isWildcardString(v)) return { severity: 'error', message: `service principal "${v}" uses a wildcard; name each service, e.g. "sagemaker.amazonaws.com"` };
      if (!SERVICE_PRINCIPAL.test(v)) {
        return { severity: 'warning', message: `"${v}" does not look like a service principal; expected a name such as "sagemaker.amazonaws.com"` };
      }
      return undefined;
    case 'Federated':
      if (isWildcardString(v)) return { severity: 'error', message: `federated principal "${v}" uses a wildcard; name the identity provider` };
      if (v.toLowerCase().startsWith('arn:')) {
        const parts = splitArn(v);
        if (!parts || !/^(saml-provider|oidc-provider)\/./.test(parts.resource) || !/^\d{12}$/.test(parts.account)) {
          return { severity: 'error', message: `"${v}" is not an identity provider ARN; expected arn:aws:iam::ACCOUNT:saml-provider/NAME or :oidc-provider/HOST` };
        }
      }
      return undefined;
    case 'CanonicalUser':
      if (kind === 'trust' || kind === 'key' || kind === 'rcp' || kind === 'ecr-repository') {
        return { severity: 'error', message: 'CanonicalUser principals exist only in Amazon S3 policies' };
      }
      if (!/^[0-9a-f]{64}$/i.test(v)) return { severity: 'error', message: `canonical user ID "${v}" is malformed; expected 64 hexadecimal characters` };
      return undefined;
    default:
      return undefined;
  }
}

const principalFormat = rule('principal-format', (ctx) => {
  const out: Finding[] = [];
  for (const st of ctx.policy.statements) {
    for (const e of principalEntries(st)) {
      const p = principalProblem(e, ctx.kind);
      if (p) out.push(make(p.severity, 'principal-format', p.message, at(e)));
    }
  }
  return out;
});

// ---------------------------------------------------------------------------------------
// Condition operators, keys and values (spec §2)

const unknownOperator = rule('unknown-condition-operator', (ctx) => {
  const out: Finding[] = [];
  for (const st of ctx.policy.statements) {
    const done = new Set<string>();
    for (const { clause, op } of clausesOf(st)) {
      const path = operatorPath(st, clause);
      if (done.has(path)) continue;
      done.add(path);
      const where = { path, loc: clause.operatorLoc };
      if (!op.ok) {
        const message =
          op.reason === 'null-if-exists'
            ? `"${clause.operator}" is not valid: Null cannot take IfExists (Null already tests whether the key exists); use "Null"`
            : `unknown condition operator "${clause.operator}"${op.suggestion ? `; did you mean "${op.suggestion}"?` : ''}; expected an operator such as StringEquals, ArnLike, Bool or IpAddress, optionally with ForAnyValue:/ForAllValues: and IfExists`;
        out.push(make('error', 'unknown-condition-operator', message, where));
      } else if (!op.exact) {
        out.push(make('error', 'unknown-condition-operator', `condition operator names are case-sensitive: write "${op.canonical}", not "${clause.operator}"`, where));
      }
    }
  }
  return out;
});

// Date values: W3C profile of ISO 8601, or integer epoch seconds (spec §2.7, A18).
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?)?$/;

export function isValidDateValue(v: string): boolean {
  if (/^\d+$/.test(v)) return true;
  const m = ISO_DATE.exec(v);
  if (!m) return false;
  const [, y, mo, d, h, mi, s, tz] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1) return false;
  const daysIn = [31, year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 31;
  if (day > daysIn) return false;
  if (h !== undefined && (Number(h) > 23 || Number(mi) > 59)) return false;
  if (s !== undefined && Number(s) > 60) return false;
  if (tz !== undefined && tz.length > 1) {
    const digits = tz.replace(/[+:-]/g, '');
    if (Number(digits.slice(0, 2)) > 23 || Number(digits.slice(2)) > 59) return false;
  }
  return true;
}

export function isValidNumericValue(v: string): boolean {
  return /^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(v);
}

function isIPv4(s: string): boolean {
  const parts = s.split('.');
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

function isIPv6(s: string): boolean {
  if (s.length === 0 || s.length > 45) return false;
  let head = s;
  let v4Groups = 0;
  const lastColon = s.lastIndexOf(':');
  if (lastColon >= 0 && s.slice(lastColon + 1).includes('.')) {
    if (!isIPv4(s.slice(lastColon + 1))) return false;
    head = s.slice(0, lastColon + 1) + '0';
    v4Groups = 1; // the IPv4 tail takes two groups; the placeholder counts for one
  }
  const dbl = head.split('::');
  if (dbl.length > 2) return false;
  const group = (g: string): boolean => /^[0-9A-Fa-f]{1,4}$/.test(g);
  const side = (x: string): string[] | undefined => {
    if (x === '') return [];
    const gs = x.split(':');
    return gs.every(group) ? gs : undefined;
  };
  const left = side(dbl[0] ?? '');
  const right = dbl.length === 2 ? side(dbl[1] ?? '') : [];
  if (!left || !right) return false;
  const count = left.length + right.length + v4Groups;
  return dbl.length === 2 ? count <= 7 : count === 8;
}

export function isValidIpValue(v: string): boolean {
  const slash = v.indexOf('/');
  const addr = slash < 0 ? v : v.slice(0, slash);
  const prefix = slash < 0 ? undefined : v.slice(slash + 1);
  const v4 = isIPv4(addr);
  const v6 = !v4 && isIPv6(addr);
  if (!v4 && !v6) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (v4 ? 32 : 128);
}

export function isValidBase64(v: string): boolean {
  return v.length > 0 && v.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(v);
}

function looksLikeArn(v: string): boolean {
  const parts = splitArn(v);
  return parts !== undefined && parts.prefix === 'arn' && parts.partition !== '' && parts.service !== '';
}

interface ValueCheck {
  readonly code: string;
  readonly severity: 'error' | 'warning';
  readonly valid: (v: string) => boolean;
  readonly expected: string;
}

const VALUE_CHECKS: ReadonlyMap<OperatorFamily, ValueCheck> = new Map<OperatorFamily, ValueCheck>([
  [
    'date',
    {
      code: 'invalid-date-value',
      severity: 'error',
      valid: isValidDateValue,
      expected: 'an ISO 8601 date such as "2026-01-01" or "2026-01-01T00:00:00Z", or integer epoch seconds such as "1767225600"',
    },
  ],
  ['numeric', { code: 'invalid-numeric-value', severity: 'error', valid: isValidNumericValue, expected: 'an integer or decimal number such as "10" or "2.5"' }],
  ['ip', { code: 'invalid-ip-value', severity: 'error', valid: isValidIpValue, expected: 'an IPv4 or IPv6 address or CIDR block such as "203.0.113.0/24" or "2001:db8::/32"' }],
  ['bool', { code: 'invalid-bool-value', severity: 'error', valid: (v) => /^(true|false)$/i.test(v), expected: 'true or false' }],
  ['binary', { code: 'invalid-binary-value', severity: 'error', valid: isValidBase64, expected: 'base64-encoded bytes such as "QmluYXJ5VmFsdWU="' }],
  ['null', { code: 'null-operator-value', severity: 'error', valid: (v) => /^(true|false)$/i.test(v), expected: 'true (the key must be absent) or false (the key must be present)' }],
  [
    'arn',
    {
      code: 'invalid-arn-value',
      severity: 'warning',
      valid: (v) => v === '*' || isWildcardString(v) || looksLikeArn(v),
      expected: 'an ARN such as "arn:aws:sagemaker:us-east-1:111122223333:*" (it never matches otherwise; use a String operator for non-ARN values)',
    },
  ],
]);

const NON_EXPANDING: ReadonlySet<OperatorFamily> = new Set<OperatorFamily>(['numeric', 'date', 'ip', 'null', 'binary']);

function valueRule(code: string): Rule {
  return rule(code, (ctx) => {
    const out: Finding[] = [];
    for (const st of ctx.policy.statements) {
      for (const { clause, op } of clausesOf(st)) {
        if (!op.ok) continue;
        const check = VALUE_CHECKS.get(op.family);
        if (!check || check.code !== code) continue;
        for (const v of clause.values) {
          if (v.value.includes('${') && (NON_EXPANDING.has(op.family) || hasVariable(v.value))) continue; // variable rules report it
          if (check.valid(v.value)) continue;
          out.push(make(check.severity, code, `${op.canonical} on ${clause.key}: "${v.value}" is not valid; expected ${check.expected}`, at(v)));
        }
      }
    }
    return out;
  });
}

const variableInNonString = rule('variable-in-non-string-operator', (ctx) => {
  const out: Finding[] = [];
  for (const st of ctx.policy.statements) {
    for (const { clause, op } of clausesOf(st)) {
      if (!op.ok || !NON_EXPANDING.has(op.family)) continue;
      for (const v of clause.values) {
        if (!v.value.includes('${')) continue;
        out.push(
          make(
            'warning',
            'variable-in-non-string-operator',
            `${op.canonical} on ${clause.key}: "${v.value}" contains a policy variable, but ${op.base} values are not expanded, so it is compared as literal text; use a fixed value, or a String operator if the key is a string`,
            at(v),
          ),
        );
      }
    }
  }
  return out;
});

const KEY_PREFIX = /^[A-Za-z0-9._/-]+$/;

const conditionKeyFormat = rule('condition-key-format', (ctx) => {
  const out: Finding[] = [];
  for (const st of ctx.policy.statements) {
    for (const c of st.condition) {
      const k = c.key;
      if (k === '') continue; // empty-condition-key
      const where = { path: c.path, loc: c.keyLoc };
      let problem: string | undefined;
      if (k !== k.trim()) problem = `has leading or trailing whitespace; expected "${k.trim()}"`;
      else if (!k.includes(':')) problem = `has no service prefix; condition keys are written "service:Key", e.g. "aws:${k}"`;
      else {
        const prefix = k.slice(0, k.indexOf(':'));
        const rest = k.slice(k.indexOf(':') + 1);
        const name = rest.split('/')[0] ?? '';
        if (!KEY_PREFIX.test(prefix)) problem = `has an invalid service prefix "${prefix}"`;
        else if (name === '') problem = 'has no key name after the service prefix';
        else if (/\s/.test(name)) problem = `contains whitespace in the key name "${name}"`;
      }
      if (problem) out.push(make('error', 'condition-key-format', `condition key "${k}" ${problem}`, where));
    }
  }
  return out;
});

const emptyConditionKey = rule('empty-condition-key', (ctx) => {
  const out: Finding[] = [];
  for (const st of ctx.policy.statements) {
    for (const c of st.condition) {
      if (c.key !== '') continue;
      out.push(make('error', 'empty-condition-key', `condition ${c.operator} has an empty key name; expected a key such as "aws:SourceAccount"`, { path: c.path, loc: c.keyLoc }));
    }
  }
  return out;
});

export const FORMAT_RULES: readonly Rule[] = [
  actionFormat,
  variableInAction,
  variableInPrincipal,
  variableUnderLegacy,
  malformedVariable,
  resourceFormat,
  principalFormat,
  unknownOperator,
  valueRule('invalid-date-value'),
  valueRule('invalid-numeric-value'),
  valueRule('invalid-ip-value'),
  valueRule('invalid-bool-value'),
  valueRule('invalid-arn-value'),
  valueRule('invalid-binary-value'),
  valueRule('null-operator-value'),
  conditionKeyFormat,
  emptyConditionKey,
  variableInNonString,
];
