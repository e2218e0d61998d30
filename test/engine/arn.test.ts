import { describe, expect, it } from 'vitest';
import { arnLike, splitArn, splitArnPadded } from '../../src/engine/arn.js';
import { compilePolicy } from '../../src/engine/compile.js';
import { A, allow, decision, doc, policy } from './helpers.js';

describe('ARNs ("Amazon Resource Names (ARNs)")', () => {
  it('splits on the first five colons; the resource part keeps further colons', () => {
    expect(splitArn('arn:aws:sns:us-east-1:111:topic:sub:x')).toEqual({ partition: 'aws', service: 'sns', region: 'us-east-1', account: '111', resource: 'topic:sub:x' });
    expect(splitArn('arn:aws:s3:::b/k')?.resource).toBe('b/k');
    expect(splitArn('arn:aws:s3::b')).toBeUndefined();
    expect(splitArn('not-an-arn')).toBeUndefined();
  });

  it('ArnLike compares part by part: a `*` in region cannot absorb colons (spec §2.9, G22)', () => {
    const p = 'arn:aws:someservice:*:111122223333:finance/*';
    const v = 'arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt';
    expect(arnLike(p, v)).toBe(false);
    expect(arnLike('arn:aws:sns:*:111:topic-*', 'arn:aws:sns:us-east-1:111:topic-a')).toBe(true);
  });

  it('partition/service/region/account are case-insensitive, the resource part case-sensitive (A10)', () => {
    expect(arnLike('arn:AWS:S3:::b/x', 'arn:aws:s3:::b/x')).toBe(true);
    expect(arnLike('arn:aws:s3:::b/X', 'arn:aws:s3:::b/x')).toBe(false);
    expect(arnLike('arn:aws:s3:::b/X', 'arn:aws:s3:::b/x', false)).toBe(true);
  });

  it('`*` in a part matches the empty part: arn:aws:s3:*:*:b matches arn:aws:s3:::b ("Resource")', () => {
    expect(decision({ action: 's3:ListBucket', resource: 'arn:aws:s3:::b' }, { identity: [doc(allow('s3:ListBucket', 'arn:aws:s3:*:*:b'))] })).toBe('Allow');
  });

  it('A17: short ARNs are padded with `*` in identity policies', () => {
    expect(splitArnPadded('arn:aws:s3')).toEqual({ partition: 'aws', service: 's3', region: '*', account: '*', resource: '*' });
    expect(decision({ action: 's3:GetObject', resource: 'arn:aws:s3:::b/k' }, { identity: [doc(allow('s3:GetObject', 'arn:aws:s3'))] })).toBe('Allow');
  });

  it('A17: short ARNs never match in resource policies', () => {
    const res = doc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:user/alice` }, Action: 's3:GetObject', Resource: 'arn:aws:s3' });
    expect(decision({ action: 's3:GetObject', resource: 'arn:aws:s3:::b/k' }, { resource: res })).toBe('ImplicitDeny');
  });

  it('A17: short ARNs make an SCP invalid (AWS rejects them there)', () => {
    const cp = compilePolicy(policy(doc(allow('*', 'arn:aws:s3')), 'scp'));
    expect(cp.errors[0]?.message).toContain('fewer than six ARN parts');
  });
});
