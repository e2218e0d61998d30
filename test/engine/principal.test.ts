import { describe, expect, it } from 'vitest';
import { compilePrincipalBlock, matchPrincipal, notPrincipalApplies, parsePrincipal } from '../../src/engine/principal.js';
import type { RequestPrincipal } from '../../src/engine/principal.js';
import { prepareRequest } from '../../src/engine/request.js';
import { NO_POSITION } from '../../src/policy/json.js';
import { A, ALICE, ROLE, SESSION } from './helpers.js';

const env = { wildcardMatchesServices: true, gatewayEndpoint: false };
function block(entries: Record<string, string | string[]>): ReturnType<typeof compilePrincipalBlock> {
  return compilePrincipalBlock({
    wildcard: false,
    loc: NO_POSITION,
    path: '$',
    entries: Object.entries(entries).flatMap(([type, v]) => (Array.isArray(v) ? v : [v]).map((value) => ({ type, value, loc: NO_POSITION, path: '$' }))),
  });
}
function p(text: string, extras = {}): RequestPrincipal {
  const r = parsePrincipal(text, extras);
  if (!r.ok) throw new Error(r.message);
  return r.principal;
}
const keys = (principal: string, extra: Record<string, unknown> = {}): Record<string, unknown> =>
  Object.fromEntries(prepareRequest({ principal, action: 's3:GetObject', resource: '*', ...extra }).context.entries().map(([k, v]) => [k, v[0]]));

describe('principals ("AWS JSON policy elements: Principal"; "AWS global condition context keys")', () => {
  it('parses every principal form of the scenario format', () => {
    expect(p(ALICE)).toMatchObject({ kind: 'iamUser', accountId: A, userName: 'alice' });
    expect(p(SESSION)).toMatchObject({ kind: 'roleSession', roleArn: ROLE, roleName: 'App', sessionName: 's1' });
    expect(p(`arn:aws:sts::${A}:federated-user/bob`)).toMatchObject({ kind: 'federatedUserSession', sessionName: 'bob' });
    expect(p(`arn:aws:iam::${A}:root`)).toMatchObject({ kind: 'root', accountId: A });
    expect(p('sagemaker.amazonaws.com')).toMatchObject({ kind: 'service', servicePrincipal: 'sagemaker.amazonaws.com' });
    expect(p('anonymous')).toMatchObject({ kind: 'anonymous' });
    expect(parsePrincipal(ROLE).ok).toBe(false);
    expect(parsePrincipal('alice').ok).toBe(false);
    expect(p(SESSION, { roleArn: `arn:aws:iam::${A}:role/aws-service-role/x.amazonaws.com/R` }).isServiceLinkedRole).toBe(true);
  });

  it('derives aws:PrincipalArn (role ARN with path for sessions; root ARN for root), aws:username only for users (§3 table)', () => {
    expect(keys(SESSION, { principalRoleArn: `arn:aws:iam::${A}:role/svc/App` })).toMatchObject({
      'aws:principalarn': `arn:aws:iam::${A}:role/svc/App`,
      'aws:principaltype': 'AssumedRole',
      'aws:principalaccount': A,
      'aws:principalisawsservice': 'false',
    });
    expect(keys(SESSION)['aws:username']).toBeUndefined();
    expect(keys(ALICE)).toMatchObject({ 'aws:username': 'alice', 'aws:principaltype': 'User', 'aws:principalarn': ALICE });
    expect(keys(`arn:aws:iam::${A}:root`)).toMatchObject({ 'aws:principalarn': `arn:aws:iam::${A}:root`, 'aws:principaltype': 'Account', 'aws:userid': A });
    expect(keys(`arn:aws:sts::${A}:federated-user/bob`)).toMatchObject({ 'aws:principaltype': 'FederatedUser', 'aws:userid': `${A}:bob` });
    expect(keys('sagemaker.amazonaws.com')).toMatchObject({ 'aws:principalisawsservice': 'true', 'aws:principalservicename': 'sagemaker.amazonaws.com' });
    expect(keys('sagemaker.amazonaws.com')['aws:principalaccount']).toBeUndefined();
    expect(keys(ALICE)['aws:requestedregion']).toBeUndefined();
  });

  it('a key given explicitly in context wins over the derived one (scenario-format.md)', () => {
    expect(keys(ALICE, { context: { 'AWS:PrincipalArn': 'arn:aws:iam::999999999999:user/x' } })['aws:principalarn']).toBe('arn:aws:iam::999999999999:user/x');
  });

  it('match classes (spec §4.4): DIRECT, ENTITY, ACCOUNT, WILDCARD, NONE', () => {
    const s = p(SESSION);
    expect(matchPrincipal(block({ AWS: SESSION }), s, env).cls).toBe('DIRECT');
    expect(matchPrincipal(block({ AWS: ROLE }), s, env).cls).toBe('ENTITY');
    expect(matchPrincipal(block({ AWS: A }), s, env).cls).toBe('ACCOUNT');
    expect(matchPrincipal(block({ AWS: `arn:aws:iam::${A}:root` }), s, env).cls).toBe('ACCOUNT');
    expect(matchPrincipal(block({ AWS: '*' }), s, env).cls).toBe('WILDCARD');
    expect(matchPrincipal(block({ AWS: `arn:aws:iam::${A}:role/Other` }), s, env).cls).toBe('NONE');
    expect(matchPrincipal(block({ AWS: [A, ROLE, SESSION] }), s, env).cls).toBe('DIRECT');
    expect(matchPrincipal(block({ AWS: ALICE }), p(ALICE), env).cls).toBe('DIRECT');
    expect(matchPrincipal(block({ AWS: ALICE }), p(`arn:aws:sts::${A}:federated-user/bob`, { sourceUserArn: ALICE }), env).cls).toBe('ENTITY');
    expect(matchPrincipal(block({ Service: 'SageMaker.amazonaws.com' }), p('sagemaker.amazonaws.com'), env).cls).toBe('DIRECT');
    expect(matchPrincipal(block({ AWS: A }), p('anonymous'), env).cls).toBe('NONE');
  });

  it('unique-ID principals (AROA…/AIDA…) compare with the caller\'s unique ID ("Principal": role trust)', () => {
    expect(matchPrincipal(block({ AWS: 'AROAEXAMPLEID1' }), p(SESSION, { uniqueId: 'AROAEXAMPLEID1' }), env).cls).toBe('ENTITY');
    expect(matchPrincipal(block({ AWS: 'AIDAEXAMPLEID1' }), p(ALICE, { uniqueId: 'AIDAEXAMPLEID1' }), env).cls).toBe('DIRECT');
    expect(matchPrincipal(block({ AWS: 'AROAEXAMPLEID1' }), p(SESSION), env).cls).toBe('NONE');
    expect(prepareRequest({ principal: SESSION, action: 'x:y', resource: '*', context: { 'aws:userid': 'AROAEXAMPLEID1:s1' } }).principal.uniqueId).toBe('AROAEXAMPLEID1');
  });

  it('gateway endpoint policies: an account principal matches only the root user (G41)', () => {
    const g = { ...env, gatewayEndpoint: true };
    expect(matchPrincipal(block({ AWS: A }), p(ALICE), g).cls).toBe('NONE');
    expect(matchPrincipal(block({ AWS: A }), p(`arn:aws:iam::${A}:root`), g).cls).toBe('DIRECT');
  });

  it('NotPrincipal with Deny (A15): strict exempts only when the whole chain is listed', () => {
    const s = p(SESSION);
    const strict = { ...env, chain: 'strict' as const, alwaysApplies: false };
    expect(notPrincipalApplies(block({ AWS: SESSION }), s, strict)).toBe(true);
    expect(notPrincipalApplies(block({ AWS: [SESSION, ROLE, A] }), s, strict)).toBe(false);
    expect(notPrincipalApplies(block({ AWS: SESSION }), s, { ...strict, chain: 'sessionOnly' })).toBe(false);
    expect(notPrincipalApplies(block({ AWS: [SESSION, ROLE, A] }), s, { ...strict, alwaysApplies: true })).toBe(true);
    expect(notPrincipalApplies(block({ AWS: A }), p('anonymous'), strict)).toBe(true);
  });
});
