/**
 * Reading a snapshot makes equal policy documents of its principals one object (a managed
 * policy attached to 10,000 roles is listed 10,000 times): the snapshot's content is
 * unchanged, documents that differ stay apart, and a fix to one role changes no other.
 */
import { describe, expect, it } from 'vitest';
// @ts-expect-error: no type declarations for a .mjs script
import { generateAccount } from '../../bench/gen-account.mjs';
import { readSnapshotText } from '../../src/account/read-snapshot.js';
import { withSnapshotDefaults } from '../../src/account/snapshot-defaults.js';
import type { AccountSnapshot, PolicyJson } from '../../src/account/snapshot.js';
import { applyFix, FIX_POLICY_NAME } from '../../src/notebook-jobs/fixes.js';

const text = JSON.stringify((generateAccount as (o: object) => unknown)({ profiles: 40, spaces: 2, seed: 5 }));

function read(t: string): AccountSnapshot {
  const { snapshot, errors } = readSnapshotText(t, 'domain.json');
  expect(errors).toEqual([]);
  return snapshot!;
}

describe('equal policy documents are shared when a snapshot is read', () => {
  const snapshot = read(text);
  const attached = snapshot.roles.flatMap((r) => r.attachedPolicies.map((p) => p.document));

  it('the content is exactly what the file says (with the documented defaults)', () => {
    expect(JSON.stringify(snapshot)).toBe(JSON.stringify(withSnapshotDefaults(JSON.parse(text) as AccountSnapshot)));
  });

  it('one object per distinct document: managed policies and trust policies across roles', () => {
    const distinct = new Set(attached.map((d) => JSON.stringify(d)));
    expect(attached.length).toBeGreaterThan(distinct.size * 3); // the generator does repeat them
    expect(new Set(attached).size).toBe(distinct.size);
    const trust = snapshot.roles.map((r) => r.trustPolicy);
    expect(new Set(trust).size).toBe(new Set(trust.map((d) => JSON.stringify(d))).size);
  });

  it('documents that differ (each role its own inline policy) stay different objects', () => {
    const inline = snapshot.roles.flatMap((r) => r.inlinePolicies.map((p) => p.document));
    expect(new Set(inline).size).toBe(new Set(inline.map((d) => JSON.stringify(d))).size);
    expect(new Set(inline).size).toBeGreaterThan(30);
  });

  it('documents equal in content but not in key order are not merged', () => {
    const doc: PolicyJson = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] };
    const reordered: PolicyJson = { Statement: doc.Statement, Version: '2012-10-17' };
    const raw = JSON.parse(text) as { roles: { attachedPolicies: { name: string; arn?: string; document: PolicyJson }[] }[] };
    raw.roles[0]!.attachedPolicies.push({ name: 'A', arn: 'arn:aws:iam::111122223333:policy/A', document: doc });
    raw.roles[1]!.attachedPolicies.push({ name: 'A', arn: 'arn:aws:iam::111122223333:policy/A', document: reordered });
    const s = read(JSON.stringify(raw));
    const a = s.roles[0]!.attachedPolicies.at(-1)!.document;
    const b = s.roles[1]!.attachedPolicies.at(-1)!.document;
    expect(a).not.toBe(b);
    expect(Object.keys(b)).toEqual(['Statement', 'Version']);
  });

  it('a fix to one role leaves every other role that shared its documents as it was', () => {
    const [first, second] = snapshot.roles.filter((r) => r.trustPolicy === snapshot.roles[0]!.trustPolicy);
    expect(second).toBeDefined();
    const before = JSON.stringify(second);
    const fixed = applyFix(snapshot, { target: { kind: 'trust-policy', roleArn: first!.arn }, statement: { Effect: 'Allow', Principal: { Service: 'x.amazonaws.com' }, Action: 'sts:AssumeRole' }, owner: 'account', summary: 't' });
    const fixed2 = applyFix(fixed, { target: { kind: 'role-policy', roleArn: first!.arn, policyName: FIX_POLICY_NAME }, statement: { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }, owner: 'account', summary: 't' });
    expect(JSON.stringify(fixed2.roles.find((r) => r.arn === first!.arn)!.trustPolicy)).toContain('x.amazonaws.com');
    expect(JSON.stringify(fixed2.roles.find((r) => r.arn === second!.arn))).toBe(before);
    expect(JSON.stringify(first!.trustPolicy)).not.toContain('x.amazonaws.com');
  });
});
