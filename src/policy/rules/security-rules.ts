/**
 * Security rules: policies AWS accepts that grant more, or protect less, than their
 * authors usually mean. Each names the AWS page (or spec gotcha) it rests on. These are
 * warnings and suggestions, never errors: the policy is valid, it is just risky.
 */
import type { Finding } from '../findings.js';
import type { Statement } from '../model.js';
import type { Rule } from '../validate.js';
import type { RuleCodeInfo } from './support.js';
import {
  GRANTING_KINDS,
  RESOURCE_GRANTING_KINDS,
  at,
  coversEveryRole,
  elementWhere,
  globMatch,
  hasConditionKey,
  isNegatedOperator,
  make,
  parseOperator,
  rule,
  statementCoversAction,
  withoutVariables,
} from './support.js';

export const SECURITY_RULE_CODES: readonly RuleCodeInfo[] = [
  {
    code: 'passrole-wildcard-without-passedtoservice',
    severity: 'warning',
    description: 'iam:PassRole (also through iam:*, * or NotAction) on every role with no iam:PassedToService condition: the caller can hand any role to any service.',
    source: 'Granting a user permissions to pass a role to an AWS service; IAM condition keys (iam:PassedToService)',
  },
  {
    code: 'passrole-any-role',
    severity: 'suggestion',
    description: 'iam:PassRole on every role, even if limited by iam:PassedToService: scope Resource to the job execution role(s).',
    source: 'Granting a user permissions to pass a role to an AWS service',
  },
  {
    code: 'full-admin',
    severity: 'warning',
    description: 'Allow of Action "*" on Resource "*": full administrator access.',
    source: 'Security best practices in IAM (grant least privilege)',
  },
  {
    code: 'notaction-with-allow',
    severity: 'warning',
    description: 'Allow with NotAction grants every action not listed, in every service, including future ones (G2).',
    source: 'IAM JSON policy elements: NotAction',
  },
  {
    code: 'notresource-with-allow',
    severity: 'warning',
    description: 'Allow with NotResource grants the actions on every resource not listed, in every service (G3).',
    source: 'IAM JSON policy elements: NotResource',
  },
  {
    code: 'wildcard-principal-without-condition',
    severity: 'warning',
    description: 'A resource or trust policy Allow for Principal "*" with no condition: anyone, including anonymous callers, is allowed.',
    source: 'AWS JSON policy elements: Principal (anonymous users)',
  },
  {
    code: 'stringlike-without-wildcard',
    severity: 'suggestion',
    description: 'StringLike/StringNotLike whose values hold no wildcard: StringEquals/StringNotEquals says the same more plainly.',
    source: 'IAM JSON policy elements: Condition operators (String condition operators)',
  },
  {
    code: 'stringequals-with-wildcard',
    severity: 'warning',
    description: 'A "*" in a StringEquals-family value is literal, not a wildcard (G18): use StringLike.',
    source: 'IAM JSON policy elements: Condition operators (String condition operators)',
  },
  {
    code: 'bool-mfa-without-ifexists',
    severity: 'warning',
    description: 'A Deny on {"Bool": {"aws:MultiFactorAuthPresent": "false"}} misses long-term access keys, where the key is absent (G23): use BoolIfExists.',
    source: 'AWS global condition context keys (aws:MultiFactorAuthPresent)',
  },
  {
    code: 'forallvalues-without-null-check',
    severity: 'suggestion',
    description: 'An Allow with ForAllValues: is true when the key is missing (G14): add a Null check or a ForAnyValue condition on the same key.',
    source: 'Conditions with multiple context keys or values; Single-valued vs. multivalued context keys',
  },
  {
    code: 'trust-service-without-source-condition',
    severity: 'suggestion',
    description: 'A trust policy that lets a service assume the role with no aws:SourceAccount/aws:SourceArn condition (confused deputy).',
    source: 'The confused deputy problem',
  },
  {
    code: 'deny-notprincipal',
    severity: 'warning',
    description: 'Deny with NotPrincipal: AWS may test the account, the role and the session separately, so listing only one of them does not exempt the caller; callers with a permissions boundary are always denied (G28).',
    source: 'AWS JSON policy elements: NotPrincipal',
  },
  {
    code: 's3-object-access-all-buckets',
    severity: 'warning',
    description: 'An identity policy allows S3 object reads, writes or deletes on Resource "*" (every bucket of every account) with no condition: name the job buckets.',
    source: 'Security best practices in IAM (grant least privilege); Amazon S3 policy examples',
  },
];

// ---------------------------------------------------------------------------------------

function grantsEveryRole(st: Statement): boolean {
  if (st.resource) return st.resource.some((r) => coversEveryRole(r.value));
  if (st.notResource) return !st.notResource.some((r) => globMatch(r.value, 'arn:aws:iam::111122223333:role/zq-probe-7f3a'));
  return false;
}

function broadPassRole(st: Statement): boolean {
  return st.effect === 'Allow' && statementCoversAction(st, 'iam:PassRole') && grantsEveryRole(st);
}

function passRoleWhere(st: Statement): ReturnType<typeof elementWhere> {
  const a = (st.action ?? []).find((x) => globMatch(x.value, 'iam:PassRole', true));
  return a ? at(a) : elementWhere(st, st.action ?? st.notAction, st.action ? 'Action' : 'NotAction');
}

const passRoleNoService = rule('passrole-wildcard-without-passedtoservice', (ctx) => {
  if (ctx.kind !== 'identity') return [];
  return ctx.policy.statements
    .filter((st) => broadPassRole(st) && !hasConditionKey(st, 'iam:PassedToService'))
    .map((st) =>
      make(
        'warning',
        'passrole-wildcard-without-passedtoservice',
        'iam:PassRole is allowed on every role with no iam:PassedToService condition, so this principal can give any role (an admin role included) to any service. Add {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}} and name the job execution role in Resource',
        passRoleWhere(st),
      ),
    );
});

const passRoleAnyRole = rule('passrole-any-role', (ctx) => {
  if (ctx.kind !== 'identity') return [];
  return ctx.policy.statements
    .filter((st) => broadPassRole(st) && hasConditionKey(st, 'iam:PassedToService'))
    .map((st) => {
      const r = (st.resource ?? []).find((x) => coversEveryRole(x.value));
      return make(
        'suggestion',
        'passrole-any-role',
        'iam:PassRole is allowed on every role (limited only by iam:PassedToService); scope Resource to the job execution role, e.g. "arn:aws:iam::111122223333:role/SageMakerJobExecutionRole"',
        r ? at(r) : passRoleWhere(st),
      );
    });
});

const fullAdmin = rule('full-admin', (ctx) => {
  if (!GRANTING_KINDS.has(ctx.kind) || ctx.kind === 'trust') return [];
  const out: Finding[] = [];
  for (const st of ctx.policy.statements) {
    if (st.effect !== 'Allow') continue;
    const star = (st.action ?? []).find((a) => a.value === '*' || a.value === '*:*');
    if (!star) continue;
    const everyResource = st.resource ? st.resource.some((r) => r.value === '*') : st.notResource === undefined;
    if (!everyResource) continue;
    const cond = st.condition.length > 0 ? ' (its condition is the only limit)' : '';
    out.push(make('warning', 'full-admin', `Action "*" on Resource "*" grants full administrator access${cond}; list the actions and resources the job needs`, at(star)));
  }
  return out;
});

const notActionAllow = rule('notaction-with-allow', (ctx) => {
  if (!GRANTING_KINDS.has(ctx.kind) || ctx.kind === 'trust') return [];
  return ctx.policy.statements
    .filter((st) => st.effect === 'Allow' && st.notAction)
    .map((st) =>
      make(
        'warning',
        'notaction-with-allow',
        `Allow with NotAction grants every action except ${(st.notAction ?? []).map((a) => `"${a.value}"`).join(', ')} in every AWS service, including services added later; list the allowed actions with Action instead`,
        elementWhere(st, st.notAction, 'NotAction'),
      ),
    );
});

const notResourceAllow = rule('notresource-with-allow', (ctx) => {
  if (!GRANTING_KINDS.has(ctx.kind)) return [];
  return ctx.policy.statements
    .filter((st) => st.effect === 'Allow' && st.notResource)
    .map((st) =>
      make(
        'warning',
        'notresource-with-allow',
        'Allow with NotResource grants the actions on every resource except those listed, in every service; list the allowed resources with Resource instead',
        elementWhere(st, st.notResource, 'NotResource'),
      ),
    );
});

const wildcardPrincipal = rule('wildcard-principal-without-condition', (ctx) => {
  if (!RESOURCE_GRANTING_KINDS.has(ctx.kind)) return [];
  const out: Finding[] = [];
  for (const st of ctx.policy.statements) {
    const p = st.principal;
    if (st.effect !== 'Allow' || !p || st.condition.length > 0) continue;
    const star = p.wildcard ? p : p.entries.find((e) => e.type === 'AWS' && e.value === '*');
    if (!star) continue;
    out.push(
      make(
        'warning',
        'wildcard-principal-without-condition',
        'Principal "*" with no condition allows everyone, including anonymous callers and other accounts; name the principals, or add a condition such as {"StringEquals": {"aws:PrincipalAccount": "111122223333"}}',
        at(star),
      ),
    );
  }
  return out;
});

const stringLikeNoWildcard = rule('stringlike-without-wildcard', (ctx) => {
  const out: Finding[] = [];
  for (const st of ctx.policy.statements) {
    for (const c of st.condition) {
      const op = parseOperator(c.operator);
      if (!op.ok || (op.base !== 'StringLike' && op.base !== 'StringNotLike') || c.values.length === 0) continue;
      if (c.values.some((v) => /[*?]/.test(withoutVariables(v.value)))) continue;
      const plain = op.canonical.replace('StringLike', 'StringEquals').replace('StringNotLike', 'StringNotEquals');
      out.push(
        make(
          'suggestion',
          'stringlike-without-wildcard',
          `${op.canonical} on ${c.key} has no wildcard in its values; "${plain}" says the same and cannot be misread`,
          { path: c.path, loc: c.keyLoc },
        ),
      );
    }
  }
  return out;
});

const STRING_EQUALS_BASES = new Set(['StringEquals', 'StringNotEquals', 'StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase']);

const stringEqualsWildcard = rule('stringequals-with-wildcard', (ctx) => {
  const out: Finding[] = [];
  for (const st of ctx.policy.statements) {
    for (const c of st.condition) {
      const op = parseOperator(c.operator);
      if (!op.ok || !STRING_EQUALS_BASES.has(op.base)) continue;
      const like = isNegatedOperator(op.base) ? 'StringNotLike' : 'StringLike';
      for (const v of c.values) {
        if (!withoutVariables(v.value).includes('*')) continue;
        out.push(
          make(
            'warning',
            'stringequals-with-wildcard',
            `${op.canonical} compares "${v.value}" literally: "*" is not a wildcard under ${op.base}, so it matches only a value that contains a "*"; use ${like} to match a pattern`,
            at(v),
          ),
        );
      }
    }
  }
  return out;
});

const boolMfa = rule('bool-mfa-without-ifexists', (ctx) => {
  const out: Finding[] = [];
  for (const st of ctx.policy.statements) {
    if (st.effect !== 'Deny') continue;
    for (const c of st.condition) {
      const op = parseOperator(c.operator);
      if (!op.ok || op.base !== 'Bool' || op.ifExists || op.set) continue;
      if (c.key.toLowerCase() !== 'aws:multifactorauthpresent') continue;
      if (!c.values.some((v) => v.value.toLowerCase() === 'false')) continue;
      out.push(
        make(
          'warning',
          'bool-mfa-without-ifexists',
          'aws:MultiFactorAuthPresent is absent for long-term access keys, so this Deny does not apply to them; use "BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}',
          { path: c.path, loc: c.keyLoc },
        ),
      );
    }
  }
  return out;
});

const forAllValuesNull = rule('forallvalues-without-null-check', (ctx) => {
  const out: Finding[] = [];
  for (const st of ctx.policy.statements) {
    if (st.effect !== 'Allow') continue;
    for (const c of st.condition) {
      const op = parseOperator(c.operator);
      if (!op.ok || op.set !== 'ForAllValues' || op.base === 'Null') continue;
      const key = c.key.toLowerCase();
      const guarded = st.condition.some((o) => {
        if (o === c || o.key.toLowerCase() !== key) return false;
        const p = parseOperator(o.operator);
        if (!p.ok) return false;
        if (p.base === 'Null') return o.values.some((v) => v.value.toLowerCase() === 'false');
        return p.set === 'ForAnyValue' || (p.set === undefined && !p.ifExists);
      });
      if (guarded) continue;
      out.push(
        make(
          'suggestion',
          'forallvalues-without-null-check',
          `${op.canonical} on ${c.key} is true when the request has no ${c.key} at all; if the key must be present, add {"Null": {"${c.key}": "false"}}`,
          { path: c.path, loc: c.keyLoc },
        ),
      );
    }
  }
  return out;
});

const SOURCE_KEYS = ['aws:SourceAccount', 'aws:SourceArn', 'aws:SourceOrgID', 'aws:SourceOrgPaths'];

const trustServiceSource = rule('trust-service-without-source-condition', (ctx) => {
  if (ctx.kind !== 'trust') return [];
  const out: Finding[] = [];
  for (const st of ctx.policy.statements) {
    if (st.effect !== 'Allow' || !st.principal || st.principal.wildcard) continue;
    const service = st.principal.entries.find((e) => e.type === 'Service');
    if (!service || SOURCE_KEYS.some((k) => hasConditionKey(st, k))) continue;
    out.push(
      make(
        'suggestion',
        'trust-service-without-source-condition',
        `${service.value} may assume this role on behalf of any account (confused deputy); add {"StringEquals": {"aws:SourceAccount": "111122223333"}} or an ArnLike condition on aws:SourceArn, if the service sends them`,
        at(service),
      ),
    );
  }
  return out;
});

const denyNotPrincipal = rule('deny-notprincipal', (ctx) => {
  if (ctx.kind === 'trust' || ctx.kind === 'rcp') return []; // NotPrincipal is an error there
  return ctx.policy.statements
    .filter((st) => st.effect === 'Deny' && st.notPrincipal)
    .map((st) =>
      make(
        'warning',
        'deny-notprincipal',
        'Deny with NotPrincipal: AWS may check the account, the role and the session separately, so to exempt a role session list its session ARN, role ARN and account; callers with a permissions boundary are always denied. Prefer "Principal": "*" with a condition on aws:PrincipalArn',
        at(st.notPrincipal ?? st),
      ),
    );
});

const S3_OBJECT_ACTIONS = ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'];

const s3AllBuckets = rule('s3-object-access-all-buckets', (ctx) => {
  if (ctx.kind !== 'identity') return [];
  const out: Finding[] = [];
  for (const st of ctx.policy.statements) {
    if (st.effect !== 'Allow' || st.condition.length > 0 || !st.resource) continue;
    if ((st.action ?? []).some((a) => a.value === '*' || a.value === '*:*')) continue; // full-admin says it
    const everyBucket = st.resource.find((r) => globMatch(r.value, 'arn:aws:s3:::zq-probe-bucket-7f3a/some/key'));
    if (!everyBucket || !(everyBucket.value === '*' || globMatch(everyBucket.value, 'arn:aws:s3:::another-probe-91/k'))) continue;
    const actions = S3_OBJECT_ACTIONS.filter((a) => statementCoversAction(st, a));
    if (actions.length === 0) continue;
    out.push(
      make(
        'warning',
        's3-object-access-all-buckets',
        `${actions.join(', ')} allowed on "${everyBucket.value}", i.e. on objects in every bucket this principal can reach; scope Resource to the job buckets, e.g. "arn:aws:s3:::sagemaker-automated-execution-*/*"`,
        at(everyBucket),
      ),
    );
  }
  return out;
});

export const SECURITY_RULES: readonly Rule[] = [
  passRoleNoService,
  passRoleAnyRole,
  fullAdmin,
  notActionAllow,
  notResourceAllow,
  wildcardPrincipal,
  stringLikeNoWildcard,
  stringEqualsWildcard,
  boolMfa,
  forAllValuesNull,
  trustServiceSource,
  denyNotPrincipal,
  s3AllBuckets,
];
