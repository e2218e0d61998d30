/**
 * Reading a policy document into the typed model, with the grammar errors AWS rejects
 * at save time. Sources: "IAM JSON policy elements reference" (each element's page),
 * "Grammar of the IAM JSON policy language", and the error strings moto copies from
 * AWS (`moto/iam/policy_validation.py`), which tell us what IAM refuses.
 *
 * The reader never throws on bad input. It keeps every element it can read and reports
 * the rest as findings; a policy with an error finding must not be evaluated.
 */
import { childPath, parseJson, nodeFromValue } from './json.js';
import type { JsonNode, JsonObjectNode, SourcePosition } from './json.js';
import { finding } from './findings.js';
import type { Finding } from './findings.js';
import { kindHasPrincipal } from './model.js';
import type {
  ConditionClause,
  Effect,
  Located,
  Policy,
  PolicyKind,
  PrincipalBlock,
  PrincipalEntry,
  Statement,
} from './model.js';

export interface ReadOptions {
  readonly kind: PolicyKind;
  /** Name used in traces and findings. */
  readonly name?: string;
}

export interface ReadResult {
  /** Present unless the input was not JSON or not an object. */
  readonly policy?: Policy;
  readonly findings: readonly Finding[];
}

const TOP_LEVEL_KEYS = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_KEYS = new Set([
  'Sid',
  'Effect',
  'Principal',
  'NotPrincipal',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Condition',
]);
export const PRINCIPAL_TYPES = new Set(['AWS', 'Service', 'Federated', 'CanonicalUser']);
export const VALID_VERSIONS = new Set(['2012-10-17', '2008-10-17']);

/** Kinds in which Resource/NotResource is required ("Policy statement must contain resources"). */
function resourceRequired(kind: PolicyKind): boolean {
  return kind === 'identity' || kind === 'permissions-boundary' || kind === 'session' || kind === 'scp';
}

function typeName(node: JsonNode): string {
  return node.type === 'object' ? 'an object' : node.type === 'array' ? 'a list' : `a ${node.type}`;
}

/** Reads policy text (JSON) into the model. */
export function readPolicyText(text: string, options: ReadOptions): ReadResult {
  const parsed = parseJson(text);
  if (!parsed.ok) {
    const e = parsed.error;
    return { findings: [finding('error', 'invalid-json', e.message, { path: e.path, line: e.line, column: e.column })] };
  }
  const findings: Finding[] = parsed.duplicates.map((d) =>
    finding(
      'error',
      'duplicate-key',
      `duplicate key "${d.key}" (first at line ${d.firstLoc.line}, column ${d.firstLoc.column}); IAM rejects duplicate keys and a JSON reader would silently keep only the last one`,
      { path: d.path, loc: d.loc },
    ),
  );
  const result = readPolicyNode(parsed.root, options);
  const all = [...findings, ...result.findings];
  const policy = result.policy ? withReadErrors({ ...result.policy, sourceText: text }, all) : undefined;
  return { policy, findings: all };
}

/** Reads a policy given as an in-memory value (a library caller's object, or a string of JSON). */
export function readPolicyValue(value: unknown, options: ReadOptions): ReadResult {
  if (typeof value === 'string') return readPolicyText(value, options);
  return readPolicyNode(nodeFromValue(value), options);
}

/**
 * The longest key or value a policy may hold, in characters. The largest policy AWS accepts
 * is a KMS key policy of 32,768 bytes in all ("AWS KMS quotas: key policy document size"),
 * so no key or value of a policy AWS accepts is longer. A longer one is an error
 * (`value-too-long`) naming its path, and the policy is not read further: a 10 MB Resource
 * would otherwise cost gigabytes in the rules and the engine (docs/input.md).
 */
export const MAX_POLICY_VALUE_CHARS = 32_768;

/** The first key or string value longer than MAX_POLICY_VALUE_CHARS, in document order. */
function firstTooLong(root: JsonNode): Finding | undefined {
  const stack: JsonNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.type === 'string') {
      if (node.value.length > MAX_POLICY_VALUE_CHARS) return tooLong('value', node.value.length, node.path, node.loc);
    } else if (node.type === 'array') {
      for (let i = node.elements.length - 1; i >= 0; i--) stack.push(node.elements[i]!);
    } else if (node.type === 'object') {
      for (const m of node.members) {
        // A key's path would hold the key itself: show its start.
        if (m.key.length > MAX_POLICY_VALUE_CHARS) return tooLong('key', m.key.length, `${node.path}[${JSON.stringify(`${m.key.slice(0, 40)}…`)}]`, m.keyLoc);
      }
      for (let i = node.members.length - 1; i >= 0; i--) stack.push(node.members[i]!.value);
    }
  }
  return undefined;
}

function tooLong(what: 'key' | 'value', length: number, path: string, loc: SourcePosition): Finding {
  return finding(
    'error',
    'value-too-long',
    `a ${what} of ${length.toLocaleString('en-US')} characters at ${path}; no policy AWS accepts holds one longer than ${MAX_POLICY_VALUE_CHARS.toLocaleString('en-US')} (the largest policy, a KMS key policy, is 32 KB in all), so the policy is not read further`,
    { path, loc },
  );
}

/** Reads a policy from an already-parsed positioned node (e.g. inside a scenario file). */
export function readPolicyNode(root: JsonNode, options: ReadOptions): ReadResult {
  const findings: Finding[] = [];
  const kind = options.kind;
  const name = options.name ?? kind;
  const long = firstTooLong(root);
  if (long) return { findings: [long] };
  if (root.type !== 'object') {
    findings.push(finding('error', 'policy-not-object', `a policy must be a JSON object, found ${typeName(root)}`, root));
    return { findings };
  }
  let version: string | undefined;
  let versionLoc: SourcePosition | undefined;
  let id: Located<string> | undefined;
  let statementNode: JsonNode | undefined;
  const seenTop = new Set<string>();
  for (const m of root.members) {
    const path = m.value.path;
    if (TOP_LEVEL_KEYS.has(m.key)) {
      // A duplicate is reported by the JSON reader; keep the first, as readStatement does.
      if (seenTop.has(m.key)) continue;
      seenTop.add(m.key);
    }
    if (!TOP_LEVEL_KEYS.has(m.key)) {
      const hint = [...TOP_LEVEL_KEYS].find((k) => k.toLowerCase() === m.key.toLowerCase());
      findings.push(
        finding(
          'error',
          'unknown-policy-element',
          hint
            ? `unknown policy element "${m.key}"; element names are case-sensitive: did you mean "${hint}"?`
            : `unknown policy element "${m.key}"; expected Version, Id or Statement`,
          { path, loc: m.keyLoc },
        ),
      );
      continue;
    }
    if (m.key === 'Version') {
      if (m.value.type !== 'string') {
        findings.push(finding('error', 'invalid-version', `Version must be the string "2012-10-17", found ${typeName(m.value)}`, m.value));
      } else if (!VALID_VERSIONS.has(m.value.value)) {
        findings.push(
          finding('error', 'invalid-version', `Version "${m.value.value}" is not valid; expected "2012-10-17" (or the legacy "2008-10-17")`, m.value),
        );
      } else {
        version = m.value.value;
        versionLoc = m.value.loc;
      }
    } else if (m.key === 'Id') {
      if (m.value.type !== 'string') findings.push(finding('error', 'invalid-id', `Id must be a string, found ${typeName(m.value)}`, m.value));
      else id = { value: m.value.value, loc: m.value.loc, path };
    } else {
      statementNode = m.value;
    }
  }

  const statements: Statement[] = [];
  if (!statementNode) {
    findings.push(finding('error', 'missing-statement', 'a policy needs a Statement element (one statement object or a list of them)', root));
  } else {
    const list = statementNode.type === 'array' ? statementNode.elements : [statementNode];
    if (statementNode.type === 'array' && list.length === 0) {
      findings.push(finding('error', 'empty-statement', 'Statement is an empty list; a policy needs at least one statement', statementNode));
    }
    list.forEach((node, index) => {
      if (node.type !== 'object') {
        findings.push(finding('error', 'statement-not-object', `a statement must be a JSON object, found ${typeName(node)}`, node));
        return;
      }
      const st = readStatement(node, index, kind, findings);
      if (st) statements.push(st);
    });
  }
  const policy: Policy = { name, kind, version, versionLoc, id, statements, loc: root.loc };
  return { policy: withReadErrors(policy, findings), findings };
}

/** Marks a policy read with error findings, so an evaluator can refuse it (fail closed). */
function withReadErrors(policy: Policy, findings: readonly Finding[]): Policy {
  const errors = findings.filter((f) => f.severity === 'error');
  return errors.length > 0 ? { ...policy, readErrors: errors } : policy;
}

function readStatement(node: JsonObjectNode, index: number, kind: PolicyKind, findings: Finding[]): Statement | undefined {
  let sid: Located<string> | undefined;
  let effect: Effect | undefined;
  let effectLoc: SourcePosition = node.loc;
  let principal: PrincipalBlock | undefined;
  let notPrincipal: PrincipalBlock | undefined;
  let action: Located<string>[] | undefined;
  let notAction: Located<string>[] | undefined;
  let resource: Located<string>[] | undefined;
  let notResource: Located<string>[] | undefined;
  let condition: ConditionClause[] = [];
  const seen = new Set<string>();

  for (const m of node.members) {
    const v = m.value;
    if (!STATEMENT_KEYS.has(m.key)) {
      const hint = [...STATEMENT_KEYS].find((k) => k.toLowerCase() === m.key.toLowerCase());
      findings.push(
        finding(
          'error',
          'unknown-statement-element',
          hint
            ? `unknown statement element "${m.key}"; element names are case-sensitive: did you mean "${hint}"?`
            : `unknown statement element "${m.key}"; expected one of ${[...STATEMENT_KEYS].join(', ')}`,
          { path: v.path, loc: m.keyLoc },
        ),
      );
      continue;
    }
    if (seen.has(m.key)) continue; // duplicate keys are reported by the JSON reader
    seen.add(m.key);
    switch (m.key) {
      case 'Sid':
        if (v.type !== 'string') findings.push(finding('error', 'invalid-sid', `Sid must be a string, found ${typeName(v)}`, v));
        else sid = { value: v.value, loc: v.loc, path: v.path };
        break;
      case 'Effect':
        effectLoc = v.loc;
        if (v.type === 'string' && (v.value === 'Allow' || v.value === 'Deny')) effect = v.value;
        else if (v.type === 'string' && (v.value.toLowerCase() === 'allow' || v.value.toLowerCase() === 'deny')) {
          const fixed = v.value.toLowerCase() === 'allow' ? 'Allow' : 'Deny';
          findings.push(finding('error', 'invalid-effect', `Effect is case-sensitive: write "${fixed}", not "${v.value}"`, v));
        } else {
          findings.push(
            finding('error', 'invalid-effect', `Effect must be "Allow" or "Deny", found ${v.type === 'string' ? `"${v.value}"` : typeName(v)}`, v),
          );
        }
        break;
      case 'Principal':
        principal = readPrincipal(v, 'Principal', findings);
        break;
      case 'NotPrincipal':
        notPrincipal = readPrincipal(v, 'NotPrincipal', findings);
        break;
      case 'Action':
        action = readStringList(v, 'Action', findings);
        break;
      case 'NotAction':
        notAction = readStringList(v, 'NotAction', findings);
        break;
      case 'Resource':
        resource = readStringList(v, 'Resource', findings);
        break;
      case 'NotResource':
        notResource = readStringList(v, 'NotResource', findings);
        break;
      case 'Condition':
        condition = readCondition(v, findings);
        break;
    }
  }

  const where = { path: node.path, loc: node.loc };
  if (!seen.has('Effect')) findings.push(finding('error', 'missing-effect', 'statement has no Effect; expected "Allow" or "Deny"', where));
  if (seen.has('Action') && seen.has('NotAction')) {
    findings.push(finding('error', 'action-and-notaction', 'a statement has either Action or NotAction, not both', where));
  } else if (!seen.has('Action') && !seen.has('NotAction')) {
    findings.push(finding('error', 'missing-action', 'statement has neither Action nor NotAction', where));
  }
  if (seen.has('Resource') && seen.has('NotResource')) {
    findings.push(finding('error', 'resource-and-notresource', 'a statement has either Resource or NotResource, not both', where));
  } else if (!seen.has('Resource') && !seen.has('NotResource') && resourceRequired(kind)) {
    findings.push(finding('error', 'missing-resource', `a statement in ${article(kind)} ${kind} policy needs Resource or NotResource`, where));
  }
  if (seen.has('Principal') && seen.has('NotPrincipal')) {
    findings.push(finding('error', 'principal-and-notprincipal', 'a statement has either Principal or NotPrincipal, not both', where));
  }
  if (kindHasPrincipal(kind)) {
    if (!seen.has('Principal') && !seen.has('NotPrincipal')) {
      findings.push(finding('error', 'missing-principal', `a statement in ${article(kind)} ${kind} policy needs a Principal`, where));
    }
  } else {
    for (const key of ['Principal', 'NotPrincipal'] as const) {
      const m = node.members.find((x) => x.key === key);
      if (m) {
        findings.push(
          finding('error', 'principal-not-allowed', `${key} is not allowed in ${article(kind)} ${kind} policy: the principal is whoever the policy is attached to`, {
            path: m.value.path,
            loc: m.keyLoc,
          }),
        );
      }
    }
  }
  if (!effect) return undefined;
  return {
    index,
    sid,
    effect,
    effectLoc,
    principal: kindHasPrincipal(kind) ? principal : undefined,
    notPrincipal: kindHasPrincipal(kind) ? notPrincipal : undefined,
    action,
    notAction,
    resource,
    notResource,
    condition,
    loc: node.loc,
    path: node.path,
  };
}

function article(kind: string): string {
  return /^[aeiou]/.test(kind) ? 'an' : 'a';
}

function readStringList(node: JsonNode, element: string, findings: Finding[]): Located<string>[] {
  const items = node.type === 'array' ? node.elements : [node];
  if (node.type === 'array' && items.length === 0) {
    findings.push(
      finding(
        'error',
        'empty-list',
        `${element} is an empty list; AWS rejects it${element.startsWith('Not') ? ` (an empty ${element} would match everything)` : ''}`,
        node,
      ),
    );
  }
  const out: Located<string>[] = [];
  for (const item of items) {
    if (item.type !== 'string') {
      findings.push(finding('error', 'not-a-string', `each ${element} entry must be a string, found ${typeName(item)}`, item));
      continue;
    }
    out.push({ value: item.value, loc: item.loc, path: item.path });
  }
  return out;
}

function readPrincipal(node: JsonNode, element: string, findings: Finding[]): PrincipalBlock | undefined {
  if (node.type === 'string') {
    if (node.value === '*') return { wildcard: true, loc: node.loc, path: node.path };
    findings.push(
      finding(
        'error',
        'invalid-principal',
        `${element} must be "*" or a map such as {"AWS": "arn:aws:iam::111122223333:root"} or {"Service": "sagemaker.amazonaws.com"}, found "${node.value}"`,
        node,
      ),
    );
    return undefined;
  }
  if (node.type !== 'object') {
    findings.push(finding('error', 'invalid-principal', `${element} must be "*" or a map of principal types, found ${typeName(node)}`, node));
    return undefined;
  }
  const entries: PrincipalEntry[] = [];
  if (node.members.length === 0) {
    findings.push(finding('error', 'invalid-principal', `${element} is an empty map; name at least one principal`, node));
  }
  for (const m of node.members) {
    if (!PRINCIPAL_TYPES.has(m.key)) {
      const hint = [...PRINCIPAL_TYPES].find((k) => k.toLowerCase() === m.key.toLowerCase());
      findings.push(
        finding(
          'error',
          'unknown-principal-type',
          hint
            ? `unknown principal type "${m.key}"; did you mean "${hint}"?`
            : `unknown principal type "${m.key}"; expected AWS, Service, Federated or CanonicalUser`,
          { path: m.value.path, loc: m.keyLoc },
        ),
      );
      continue;
    }
    for (const v of readStringList(m.value, `${element}.${m.key}`, findings)) {
      entries.push({ type: m.key, value: v.value, loc: v.loc, path: v.path });
    }
  }
  return { wildcard: false, entries, loc: node.loc, path: node.path };
}

function readCondition(node: JsonNode, findings: Finding[]): ConditionClause[] {
  if (node.type !== 'object') {
    findings.push(
      finding('error', 'invalid-condition', `Condition must be a map of operators, e.g. {"StringEquals": {"aws:PrincipalTag/team": "ml"}}, found ${typeName(node)}`, node),
    );
    return [];
  }
  const out: ConditionClause[] = [];
  for (const op of node.members) {
    if (op.value.type !== 'object') {
      findings.push(
        finding('error', 'invalid-condition', `the body of condition operator ${op.key} must be a map of condition keys to values, found ${typeName(op.value)}`, op.value),
      );
      continue;
    }
    for (const k of op.value.members) {
      const raw = k.value.type === 'array' ? k.value.elements : [k.value];
      if (k.value.type === 'array' && raw.length === 0) {
        findings.push(finding('error', 'empty-list', `condition ${op.key} on ${k.key} has an empty list of values`, k.value));
      }
      const values: Located<string>[] = [];
      for (const v of raw) {
        if (v.type === 'string') values.push({ value: v.value, loc: v.loc, path: v.path });
        else if (v.type === 'number') values.push({ value: v.raw, loc: v.loc, path: v.path });
        else if (v.type === 'boolean') values.push({ value: String(v.value), loc: v.loc, path: v.path });
        else {
          findings.push(
            finding('error', 'invalid-condition-value', `condition values must be strings, numbers or booleans, found ${typeName(v)} for ${k.key}`, v),
          );
        }
      }
      out.push({
        operator: op.key,
        operatorLoc: op.keyLoc,
        key: k.key,
        keyLoc: k.keyLoc,
        values,
        path: childPath(op.value.path, k.key),
      });
    }
  }
  return out;
}
