/**
 * ARNs: `arn:partition:service:region:account-id:resource`, split on the first five colons;
 * the resource part keeps any further colons ("Amazon Resource Names (ARNs)").
 *
 * Matching (spec §1.5, §2.9): partition, service, region and account are compared
 * case-insensitively, each on its own, so a `*` there cannot absorb a colon; the resource
 * part is compared case-sensitively (ambiguity A10, docs/decisions/a10-resource-arn-case.md)
 * and a `*` there may span `/` and `:`.
 */
import { compileWildcard } from './wildcard.js';
import type { WildcardMatcher } from './wildcard.js';

export interface ArnParts {
  readonly partition: string;
  readonly service: string;
  readonly region: string;
  readonly account: string;
  readonly resource: string;
}

/** Splits an ARN on its first five colons. Undefined when it has fewer than five or does not start with `arn`. */
export function splitArn(arn: string): ArnParts | undefined {
  const c1 = arn.indexOf(':');
  if (c1 !== 3 || arn.slice(0, 3).toLowerCase() !== 'arn') return undefined;
  const c2 = arn.indexOf(':', c1 + 1);
  if (c2 < 0) return undefined;
  const c3 = arn.indexOf(':', c2 + 1);
  if (c3 < 0) return undefined;
  const c4 = arn.indexOf(':', c3 + 1);
  if (c4 < 0) return undefined;
  const c5 = arn.indexOf(':', c4 + 1);
  if (c5 < 0) return undefined;
  return {
    partition: arn.slice(c1 + 1, c2),
    service: arn.slice(c2 + 1, c3),
    region: arn.slice(c3 + 1, c4),
    account: arn.slice(c4 + 1, c5),
    resource: arn.slice(c5 + 1),
  };
}

/**
 * A17 fallback (docs/decisions/a17-short-arns.md): a pattern that starts with `arn:` but has
 * fewer than six parts is padded with `*` for the missing trailing parts. Undefined when the
 * text is not ARN-like at all.
 */
export function splitArnPadded(arn: string): ArnParts | undefined {
  const full = splitArn(arn);
  if (full) return full;
  if (!/^arn:/i.test(arn)) return undefined;
  const parts = arn.split(':');
  while (parts.length < 6) parts.push('*');
  return { partition: parts[1] as string, service: parts[2] as string, region: parts[3] as string, account: parts[4] as string, resource: parts[5] as string };
}

/** The four head parts of an ARN pattern, compiled once (case-insensitive). */
export interface ArnHeadMatcher {
  readonly partition: WildcardMatcher;
  readonly service: WildcardMatcher;
  readonly region: WildcardMatcher;
  readonly account: WildcardMatcher;
}

export function compileArnHead(p: ArnParts): ArnHeadMatcher {
  const ci = { ignoreCase: true };
  return {
    partition: compileWildcard(p.partition, ci),
    service: compileWildcard(p.service, ci),
    region: compileWildcard(p.region, ci),
    account: compileWildcard(p.account, ci),
  };
}

export function matchArnHead(h: ArnHeadMatcher, r: ArnParts): boolean {
  return h.partition.test(r.partition) && h.service.test(r.service) && h.region.test(r.region) && h.account.test(r.account);
}

/** A resource-part matcher that can be case-sensitive or not (A10), compiled lazily per mode. */
export class ResourcePartMatcher {
  private sensitive?: WildcardMatcher;
  private insensitive?: WildcardMatcher;
  constructor(readonly pattern: string) {}
  test(resource: string, caseSensitive: boolean): boolean {
    if (caseSensitive) {
      this.sensitive ??= compileWildcard(this.pattern);
      return this.sensitive.test(resource);
    }
    this.insensitive ??= compileWildcard(this.pattern, { ignoreCase: true });
    return this.insensitive.test(resource);
  }
}

/** One-off ARN pattern match (compiles each call): the ArnLike semantics of §2.9. */
export function arnLike(pattern: string, value: string, caseSensitiveResource = true): boolean {
  const p = splitArn(pattern);
  const v = splitArn(value);
  if (!p || !v) return false;
  return matchArnHead(compileArnHead(p), v) && new ResourcePartMatcher(p.resource).test(v.resource, caseSensitiveResource);
}
