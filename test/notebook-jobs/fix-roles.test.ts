/**
 * A fix to a role copies the roles list (positions kept) and the copy shares the original's
 * index: findRole on the fixed snapshot must see the fixed role, by ARN and by name, through
 * chains of fixes, and never the role it replaced; every other role stays the same object.
 * (Re-indexing all roles per fix tried made `check --all-profiles` quadratic.)
 */
import { describe, expect, it } from 'vitest';
// @ts-expect-error: no type declarations for a .mjs script
import { generateAccount } from '../../bench/gen-account.mjs';
import type { AccountSnapshot, PolicyJson, Role } from '../../src/account/snapshot.js';
import { applyFix, FIX_POLICY_NAME } from '../../src/notebook-jobs/fixes.js';
import type { Fix } from '../../src/notebook-jobs/fixes.js';
import { findRole } from '../../src/notebook-jobs/setup.js';

const account = (generateAccount as (o: object) => AccountSnapshot)({ profiles: 30, spaces: 2, seed: 3 });
const statement: PolicyJson = { Sid: 'Added', Effect: 'Allow', Action: 's3:GetObject', Resource: '*' };
const inlineFix = (roleArn: string): Fix => ({ target: { kind: 'role-policy', roleArn, policyName: FIX_POLICY_NAME }, statement, owner: 'account', summary: 'test' });
const trustFix = (roleArn: string): Fix => ({ target: { kind: 'trust-policy', roleArn }, statement, owner: 'account', summary: 'test' });

/** What applyFix did before the shared index: map every role, replacing those of the ARN. */
function naive(snapshot: AccountSnapshot, arn: string, change: (r: Role) => Role): AccountSnapshot {
  return { ...snapshot, roles: snapshot.roles.map((r) => (r.arn === arn ? change(r) : r)) };
}

describe('a fix to a role in a large roles list', () => {
  it('has at least 16 roles (findRole uses its index, not a scan)', () => {
    expect(account.roles.length).toBeGreaterThanOrEqual(16);
  });

  it('replaces the role in place, keeps every other role, and findRole sees the new role by ARN and by name', () => {
    const i = 11;
    const target = account.roles[i]!;
    expect(findRole(account, target.arn)).toBe(target); // the original's index is built first
    const fixed = applyFix(account, inlineFix(target.arn));
    expect(fixed.roles).not.toBe(account.roles);
    expect(fixed.roles.length).toBe(account.roles.length);
    for (const [j, r] of fixed.roles.entries()) if (j !== i) expect(r).toBe(account.roles[j]);
    const now = fixed.roles[i]!;
    expect(now).not.toBe(target);
    expect(now.inlinePolicies.map((p) => p.name)).toContain(FIX_POLICY_NAME);
    expect(findRole(fixed, target.arn)).toBe(now);
    expect(findRole(fixed, target.name)).toBe(now);
    expect(findRole(fixed, account.roles[3]!.arn)).toBe(account.roles[3]);
    expect(findRole(fixed, 'arn:aws:iam::111122223333:role/NoSuchRole')).toBeUndefined();
    // The input is not changed, nor is its index.
    expect(findRole(account, target.arn)).toBe(target);
    expect(target.inlinePolicies.map((p) => p.name)).not.toContain(FIX_POLICY_NAME);
    expect(fixed).toEqual(naive(account, target.arn, (r) => ({ ...r, inlinePolicies: [...r.inlinePolicies, { name: FIX_POLICY_NAME, document: { Version: '2012-10-17', Statement: [statement] } }] })));
  });

  it('a chain of fixes (inline, then trust, then another role) is seen through every step', () => {
    const a = account.roles[5]!;
    const b = account.roles[20]!;
    const once = applyFix(account, inlineFix(a.arn));
    const twice = applyFix(once, trustFix(a.arn));
    const thrice = applyFix(twice, inlineFix(b.arn));
    const finalA = thrice.roles[5]!;
    expect(finalA).toBe(twice.roles[5]);
    expect(findRole(thrice, a.arn)).toBe(finalA);
    expect(findRole(thrice, a.name)).toBe(finalA);
    expect(findRole(thrice, b.arn)).toBe(thrice.roles[20]);
    expect(findRole(thrice, b.arn)).not.toBe(b);
    expect(findRole(once, a.arn)).toBe(once.roles[5]);
    expect(finalA.inlinePolicies.map((p) => p.name)).toContain(FIX_POLICY_NAME);
    expect(JSON.stringify(finalA.trustPolicy)).toContain('"Sid":"Added"');
    expect(JSON.stringify(findRole(twice, b.arn))).toBe(JSON.stringify(b));
  });

  it('replaces every role of a repeated ARN, as mapping the list did, and findRole answers the first', () => {
    const dup: Role = { ...account.roles[2]!, name: 'SameArnOtherName' };
    const snapshot: AccountSnapshot = { ...account, roles: [...account.roles, dup] };
    const fixed = applyFix(snapshot, inlineFix(dup.arn));
    const last = fixed.roles.length - 1;
    expect(fixed.roles[2]!.inlinePolicies.map((p) => p.name)).toContain(FIX_POLICY_NAME);
    expect(fixed.roles[last]!.inlinePolicies.map((p) => p.name)).toContain(FIX_POLICY_NAME);
    expect(findRole(fixed, dup.arn)).toBe(fixed.roles[2]);
    expect(findRole(fixed, 'SameArnOtherName')).toBe(fixed.roles[last]);
  });

  it('a fix to a role the snapshot does not have changes no role', () => {
    const fixed = applyFix(account, inlineFix('arn:aws:iam::111122223333:role/NoSuchRole'));
    expect(fixed.roles).toEqual(account.roles);
    for (const [j, r] of fixed.roles.entries()) expect(r).toBe(account.roles[j]);
  });
});
