/** Both settings of every EvaluationOptions option (spec §8; docs/decisions/). */
import { describe, expect, it } from 'vitest';
import { DEFAULT_EVALUATION_OPTIONS } from '../../src/engine/types.js';
import { A, ALICE, ROLE, SESSION, allow, decision, deny, doc } from './helpers.js';

const sess = { principal: SESSION, principalRoleArn: ROLE };
const bucketGrant = (p: string): Record<string, unknown> => doc({ Effect: 'Allow', Principal: { AWS: p }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' });
const get = { action: 's3:GetObject', resource: 'arn:aws:s3:::b/k' };

describe('EvaluationOptions', () => {
  it('every option has a test below and a documented default', () => {
    expect(Object.keys(DEFAULT_EVALUATION_OPTIONS).sort()).toEqual(
      [
        'allDigitDates',
        'caseVariantTagKeys',
        'emptyStringIsPresent',
        'expandVariablesInBool',
        'negatedOperatorOnUnresolvedVariable',
        'notPrincipalDenyAlwaysDeniesBoundedCallers',
        'notPrincipalDenyChain',
        'plainOperatorOnMultivaluedKey',
        'rcpExemptServiceLinkedRoles',
        'resourceArnCaseSensitive',
        'sessionArnGrantBypassesSessionPolicy',
        'setOperatorIfExistsOnAbsentKey',
        'wildcardPrincipalMatchesServices',
      ].sort(),
    );
  });

  it('A1 sessionArnGrantBypassesSessionPolicy ("Session policies"): true allows, false denies', () => {
    const p = { session: [doc(allow('ec2:*'))], resource: bucketGrant(SESSION) };
    expect(decision({ ...sess, ...get }, p, { sessionArnGrantBypassesSessionPolicy: true })).toBe('Allow');
    expect(decision({ ...sess, ...get }, p, { sessionArnGrantBypassesSessionPolicy: false })).toBe('ImplicitDeny');
  });

  it('A2 plainOperatorOnMultivaluedKey ("Single-valued vs. multivalued context keys"): false vs anyValue', () => {
    const p = { identity: [doc(allow('*', '*', { Condition: { StringEquals: { 'aws:TagKeys': 'env' } } }))] };
    const req = { action: 'ec2:CreateTags', resource: '*', context: { 'aws:TagKeys': ['env', 'x'] } };
    expect(decision(req, p, { plainOperatorOnMultivaluedKey: 'false' })).toBe('ImplicitDeny');
    expect(decision(req, p, { plainOperatorOnMultivaluedKey: 'anyValue' })).toBe('Allow');
    const neg = { identity: [doc(allow('*'), deny('*', '*', { Condition: { StringNotEquals: { 'aws:TagKeys': 'env' } } }))] };
    expect(decision(req, neg, { plainOperatorOnMultivaluedKey: 'false' })).toBe('Allow');
    expect(decision(req, neg, { plainOperatorOnMultivaluedKey: 'anyValue' })).toBe('ExplicitDeny');
  });

  it('A3 negatedOperatorOnUnresolvedVariable ("Policy variables with no value"): true fires the Deny, false does not', () => {
    const p = { identity: [doc(allow('*'), deny('*', '*', { Condition: { StringNotEquals: { 's3:ExistingObjectTag/Team': '${aws:PrincipalTag/Team}' } } }))] };
    const req = { ...get, context: { 's3:ExistingObjectTag/Team': 'red' } };
    expect(decision(req, p, { negatedOperatorOnUnresolvedVariable: true })).toBe('ExplicitDeny');
    expect(decision(req, p, { negatedOperatorOnUnresolvedVariable: false })).toBe('Allow');
  });

  it('A5 expandVariablesInBool ("Condition operators" 2023 vs "Policy variables")', () => {
    const p = { identity: [doc(allow('*', '*', { Condition: { Bool: { 'aws:SecureTransport': '${aws:PrincipalTag/secure}' } } }))] };
    const req = { ...get, context: { 'aws:SecureTransport': 'true', 'aws:PrincipalTag/secure': 'true' } };
    expect(decision(req, p, { expandVariablesInBool: true })).toBe('Allow');
    expect(decision(req, p, { expandVariablesInBool: false })).toBe('ImplicitDeny');
  });

  it('A10 resourceArnCaseSensitive ("Amazon Resource Names"): resource part compared with or without case', () => {
    const p = { identity: [doc(allow('s3:GetObject', 'arn:aws:s3:::b/Reports/*'))] };
    const req = { action: 's3:GetObject', resource: 'arn:aws:s3:::b/reports/x' };
    expect(decision(req, p, { resourceArnCaseSensitive: true })).toBe('ImplicitDeny');
    expect(decision(req, p, { resourceArnCaseSensitive: false })).toBe('Allow');
  });

  it('A11 wildcardPrincipalMatchesServices ("Principal"): "*" matches a service principal or not', () => {
    const trust = doc({ Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' });
    const req = { principal: 'sagemaker.amazonaws.com', action: 'sts:AssumeRole', resource: `arn:aws:iam::${A}:role/R` };
    expect(decision(req, { resource: trust }, { wildcardPrincipalMatchesServices: true })).toBe('Allow');
    expect(decision(req, { resource: trust }, { wildcardPrincipalMatchesServices: false })).toBe('ImplicitDeny');
  });

  it('A12 emptyStringIsPresent ("Condition"): "" is a present value or absent', () => {
    const p = { identity: [doc(allow('*', '*', { Condition: { Null: { 'aws:RequestTag/env': 'false' } } }))] };
    const req = { action: 'ec2:CreateTags', resource: '*', context: { 'aws:RequestTag/env': '' } };
    expect(decision(req, p, { emptyStringIsPresent: true })).toBe('Allow');
    expect(decision(req, p, { emptyStringIsPresent: false })).toBe('ImplicitDeny');
  });

  it('A13 rcpExemptServiceLinkedRoles ("RCPs"): RCPs apply to service-linked roles unless exempted', () => {
    const slrArn = `arn:aws:iam::${A}:role/aws-service-role/x.amazonaws.com/AWSServiceRoleForX`;
    const req = { principal: `arn:aws:sts::${A}:assumed-role/AWSServiceRoleForX/s`, principalRoleArn: slrArn, principalIsServiceLinkedRole: true, ...get };
    const p = { identity: [doc(allow('s3:*'))], rcp: [[doc({ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: '*' })]] };
    expect(decision(req, p, { rcpExemptServiceLinkedRoles: false })).toBe('ExplicitDeny');
    expect(decision(req, p, { rcpExemptServiceLinkedRoles: true })).toBe('Allow');
  });

  it('A15 notPrincipalDenyChain ("NotPrincipal"): strict needs the whole chain listed, sessionOnly the caller', () => {
    const p = { identity: [doc(allow('s3:*'))], resource: doc({ Effect: 'Deny', NotPrincipal: { AWS: SESSION }, Action: 's3:*', Resource: 'arn:aws:s3:::b/*' }) };
    expect(decision({ ...sess, ...get }, p, { notPrincipalDenyChain: 'strict' })).toBe('ExplicitDeny');
    expect(decision({ ...sess, ...get }, p, { notPrincipalDenyChain: 'sessionOnly' })).toBe('Allow');
  });

  it('notPrincipalDenyAlwaysDeniesBoundedCallers ("Permissions boundaries")', () => {
    const p = {
      identity: [doc(allow('s3:*'))],
      permissionsBoundary: doc(allow('*')),
      resource: doc({ Effect: 'Deny', NotPrincipal: { AWS: [ALICE, `arn:aws:iam::${A}:root`] }, Action: 's3:*', Resource: 'arn:aws:s3:::b/*' }),
    };
    expect(decision(get, p, { notPrincipalDenyAlwaysDeniesBoundedCallers: true })).toBe('ExplicitDeny');
    expect(decision(get, p, { notPrincipalDenyAlwaysDeniesBoundedCallers: false })).toBe('Allow');
  });

  it('A16 caseVariantTagKeys ("Condition": tag keys): all variants must hold, or any', () => {
    const p = { identity: [doc(allow('*', '*', { Condition: { StringEquals: { 'aws:ResourceTag/EC2': 'test1' } } }))] };
    const req = { action: 'ec2:StartInstances', resource: '*', context: { 'aws:ResourceTag/EC2': 'test1', 'aws:ResourceTag/ec2': 'test2' } };
    expect(decision(req, p, { caseVariantTagKeys: 'all' })).toBe('ImplicitDeny');
    expect(decision(req, p, { caseVariantTagKeys: 'any' })).toBe('Allow');
  });

  it('A18 allDigitDates ("Condition operators": date): epoch seconds or milliseconds', () => {
    const p = { identity: [doc(allow('*', '*', { Condition: { DateLessThan: { 'aws:CurrentTime': '1767225600' } } }))] };
    const req = { ...get, context: { 'aws:CurrentTime': '2025-06-01T00:00:00Z' } };
    expect(decision(req, p, { allDigitDates: 'epochSeconds' })).toBe('Allow');
    expect(decision(req, p, { allDigitDates: 'epochMilliseconds' })).toBe('ImplicitDeny');
  });

  it('A19 setOperatorIfExistsOnAbsentKey (re:Post "ForAnyValue:StringEqualsIfExists behaving unexpectedly"): set rule vs IfExists rule', () => {
    const p = { identity: [doc(allow('sqs:*', '*', { Condition: { 'ForAnyValue:StringEqualsIfExists': { 'aws:TagKeys': ['team'] } } }))] };
    const req = { action: 'sqs:ListQueues', resource: '*' };
    expect(decision(req, p, { setOperatorIfExistsOnAbsentKey: 'setRule' })).toBe('ImplicitDeny');
    expect(decision(req, p, { setOperatorIfExistsOnAbsentKey: 'ifExistsRule' })).toBe('Allow');
  });
});
