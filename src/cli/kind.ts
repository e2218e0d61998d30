/**
 * `--kind auto`: which kind of policy a file holds. The file name speaks first (people
 * name files after what they are: `*trust*.json`, `*scp*.json`); without a hint the content
 * decides: a Principal that may call sts:AssumeRole* is a role trust policy, any other
 * Principal a resource policy, no Principal an identity policy ("Policies and permissions
 * in IAM": only resource-based policies name a principal).
 */
import { parseJson, toPlain } from '../policy/json.js';
import type { PolicyKind } from '../policy/model.js';

export interface InferredKind {
  readonly kind: PolicyKind;
  /** Why: shown next to the kind in text output. */
  readonly reason: string;
}

/** File-name hints, most specific first; matched against the lower-cased base name. */
const NAME_HINTS: ReadonlyArray<readonly [RegExp, PolicyKind]> = [
  [/trust/, 'trust'],
  [/(^|[^a-z])rcps?([^a-z]|$)/, 'rcp'],
  [/(^|[^a-z])scps?([^a-z]|$)/, 'scp'],
  [/endpoint|vpce/, 'vpc-endpoint'],
  [/key[-_.]?policy/, 'key'],
  [/bucket[-_.]?policy/, 'bucket'],
  [/boundary/, 'permissions-boundary'],
  [/session[-_.]?policy/, 'session'],
  [/ecr|repository[-_.]?policy/, 'ecr-repository'],
];

function baseName(file: string): string {
  const parts = file.split(/[\\/]/);
  return (parts[parts.length - 1] ?? file).toLowerCase();
}

export function kindFromFileName(file: string): PolicyKind | undefined {
  const name = baseName(file);
  for (const [pattern, kind] of NAME_HINTS) if (pattern.test(name)) return kind;
  return undefined;
}

function asList(v: unknown): unknown[] {
  return Array.isArray(v) ? v : v === undefined ? [] : [v];
}

function isAssumeRoleAction(a: unknown): boolean {
  return typeof a === 'string' && /^sts:assumerole/i.test(a);
}

/** Infers from the content alone; unreadable JSON is called identity (the reader then reports it). */
export function kindFromContent(text: string): InferredKind {
  const parsed = parseJson(text);
  if (!parsed.ok) return { kind: 'identity', reason: 'default: the file is not readable JSON' };
  const doc = toPlain(parsed.root);
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    return { kind: 'identity', reason: 'default: the file is not a JSON object' };
  }
  const statements = asList((doc as Record<string, unknown>)['Statement']);
  let hasPrincipal = false;
  let assumeRole = false;
  for (const st of statements) {
    if (st === null || typeof st !== 'object' || Array.isArray(st)) continue;
    const s = st as Record<string, unknown>;
    if (!('Principal' in s) && !('NotPrincipal' in s)) continue;
    hasPrincipal = true;
    if (asList(s['Action']).some(isAssumeRoleAction)) assumeRole = true;
  }
  if (assumeRole) return { kind: 'trust', reason: 'content: a Principal with sts:AssumeRole*' };
  if (hasPrincipal) return { kind: 'resource', reason: 'content: a Principal without sts:AssumeRole*' };
  return { kind: 'identity', reason: 'content: no Principal' };
}

export function inferKind(file: string, text: string): InferredKind {
  const hinted = kindFromFileName(file);
  if (hinted) return { kind: hinted, reason: 'file name' };
  return kindFromContent(text);
}
