/**
 * NotPrincipal with Effect Allow grants every principal except those it names, and a caller
 * is named by its own ARN, the role behind its session, the IAM user behind a federated
 * session or its account ("AWS JSON policy elements: NotPrincipal"; the page now calls the
 * combination unsupported, so the reading that grants least is taken:
 * docs/decisions/a20-notprincipal-allow.md). The A15 chain (every identity listed) is a
 * Deny rule: applied to Allow it granted the very session whose role is listed. The
 * reference model (src/engine/reference.ts) decides these too; both must agree.
 */
import { describe, expect, it } from 'vitest';
import { referenceDecide } from '../../src/engine/reference.js';
import type { Scenario, ScenarioPolicies } from '../../src/engine/types.js';
import { A, ALICE, B, ROLE, SESSION, allow, decision, doc } from './helpers.js';

const OBJECT = 'arn:aws:s3:::bucket-a/data.csv';
const FED = `arn:aws:sts::${A}:federated-user/carol`;

function notPrincipalAllow(aws: string | string[]): Record<string, unknown> {
  return { Effect: 'Allow', NotPrincipal: { AWS: aws }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket-a/*' };
}

interface Case {
  readonly name: string;
  readonly principal: string;
  readonly listed: string | string[];
  readonly expect: 'Allow' | 'ImplicitDeny';
  readonly extra?: Partial<Scenario['request']>;
}

const CASES: readonly Case[] = [
  { name: 'session ARN listed: the session is excluded', principal: SESSION, listed: SESSION, expect: 'ImplicitDeny' },
  { name: 'role ARN listed: its sessions are excluded', principal: SESSION, listed: ROLE, expect: 'ImplicitDeny' },
  { name: 'session and role ARN listed, account not: excluded', principal: SESSION, listed: [SESSION, ROLE], expect: 'ImplicitDeny' },
  { name: 'account listed (12 digits): every caller of the account is excluded', principal: SESSION, listed: A, expect: 'ImplicitDeny' },
  { name: 'account root ARN listed: a user of the account is excluded', principal: ALICE, listed: `arn:aws:iam::${A}:root`, expect: 'ImplicitDeny' },
  { name: 'user ARN listed: the user is excluded', principal: ALICE, listed: ALICE, expect: 'ImplicitDeny' },
  { name: 'source user listed: its federated session is excluded', principal: FED, listed: ALICE, expect: 'ImplicitDeny', extra: { principalSourceUserArn: ALICE } },
  { name: 'someone else listed: the session is granted', principal: SESSION, listed: `arn:aws:iam::${A}:role/Other`, expect: 'Allow' },
  { name: 'another account listed: the user is granted', principal: ALICE, listed: B, expect: 'Allow' },
];

function scenario(c: Case, policies: ScenarioPolicies): Scenario {
  return { name: c.name, request: { principal: c.principal, action: 's3:GetObject', resource: OBJECT, ...(c.principal === SESSION ? { principalRoleArn: ROLE } : {}), ...c.extra }, policies };
}

describe('NotPrincipal + Allow in a bucket policy (the only grant: no identity policy)', () => {
  for (const c of CASES) {
    it(`${c.name} → ${c.expect}`, () => {
      const s = scenario(c, { resource: doc(notPrincipalAllow(c.listed)) });
      expect(decision(s.request, s.policies)).toBe(c.expect);
      expect(referenceDecide(s)).toBe(c.expect);
    });
  }
});

describe('NotPrincipal + Allow as the only statement of a VPC endpoint policy (the gate)', () => {
  for (const c of CASES) {
    for (const type of ['gateway', 'interface'] as const) {
      it(`${type} endpoint: ${c.name} → ${c.expect}`, () => {
        const s = scenario({ ...c, extra: { ...c.extra, vpcEndpointType: type } }, { identity: [doc(allow('s3:*'))], vpcEndpoint: doc(notPrincipalAllow(c.listed)) });
        expect(decision(s.request, s.policies)).toBe(c.expect);
        expect(referenceDecide(s)).toBe(c.expect);
      });
    }
  }
});

describe('NotPrincipal + Deny keeps the A15 chain (unchanged)', () => {
  it('session and role listed without the account: still denied (strict)', () => {
    const s = scenario(CASES[2] as Case, {
      identity: [doc(allow('s3:*'))],
      resource: doc({ Effect: 'Deny', NotPrincipal: { AWS: [SESSION, ROLE] }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket-a/*' }),
    });
    expect(decision(s.request, s.policies)).toBe('ExplicitDeny');
    expect(referenceDecide(s)).toBe('ExplicitDeny');
  });
});
