/**
 * A snapshot lists each role's managed policies with their documents, so a managed policy
 * attached to 10,000 roles is 10,000 equal objects once parsed (and most roles of a domain
 * have the same trust policy): two thirds of a generated 10,000-profile snapshot's memory.
 * `shareEqualDocuments` makes every principal's policy documents that are equal (the same
 * JSON text) one object. Nothing reads a document's identity but caches keyed by it (the
 * PolicyCompiler's content key), which then serialise each distinct document once.
 * Snapshots are immutable: fixes copy what they change.
 */
import type { AccountSnapshot, NamedPolicy, PolicyJson } from './snapshot.js';

interface Principalish {
  trustPolicy?: PolicyJson;
  readonly inlinePolicies?: readonly NamedPolicy[];
  readonly attachedPolicies?: readonly NamedPolicy[];
  readonly permissionsBoundary?: NamedPolicy;
}

/**
 * Makes equal documents of roles, users and groups one object, in place: `snapshot` must be
 * the reader's own freshly parsed value (no one else holds it). Returns it.
 */
export function shareEqualDocuments(snapshot: AccountSnapshot): AccountSnapshot {
  const byText = new Map<string, PolicyJson>();
  const share = (doc: PolicyJson): PolicyJson => {
    if (doc === null || typeof doc !== 'object') return doc;
    const text = JSON.stringify(doc);
    const found = byText.get(text);
    if (found !== undefined) return found;
    byText.set(text, doc);
    return doc;
  };
  const named = (list: readonly NamedPolicy[] | undefined): void => {
    if (!Array.isArray(list)) return;
    for (const p of list as { document: PolicyJson }[]) if (p && typeof p === 'object' && p.document !== undefined) p.document = share(p.document);
  };
  const principals: readonly (readonly Principalish[] | undefined)[] = [snapshot.roles, snapshot.users, snapshot.groups];
  for (const list of principals) {
    if (!Array.isArray(list)) continue;
    for (const p of list as Principalish[]) {
      if (!p || typeof p !== 'object') continue;
      if (p.trustPolicy !== undefined) p.trustPolicy = share(p.trustPolicy);
      named(p.attachedPolicies);
      named(p.inlinePolicies);
      if (p.permissionsBoundary) named([p.permissionsBoundary]);
    }
  }
  return snapshot;
}
