import { describe, expect, it } from 'vitest';
import { parseTemplate, resolveToString, resolveToTokens, UNKNOWN, UNRESOLVED } from '../../src/engine/variables.js';
import type { VariableLookup } from '../../src/engine/variables.js';
import { compileWildcardTokens } from '../../src/engine/wildcard.js';
import { ALICE, allow, decision, doc, SESSION, ROLE } from './helpers.js';

const ctx = (o: Record<string, string | string[]>): VariableLookup => (k) => o[k];

describe('Policy variables ("IAM policy elements: Variables and tags")', () => {
  it('`${key}` and `${key, \'default\'}`; key names are case-insensitive', () => {
    const t = parseTemplate("home/${AWS:UserName}/${aws:PrincipalTag/team, 'none'}")!;
    expect(resolveToString(t, ctx({ 'aws:username': 'alice' }))).toBe('home/alice/none');
    expect(resolveToString(t, ctx({}))).toBe(UNRESOLVED);
  });

  it("tolerates extra spaces around the comma of a default", () => {
    const t = parseTemplate("${aws:x ,  'd'}")!;
    expect(resolveToString(t, ctx({}))).toBe('d');
  });

  it('escapes ${*} ${?} ${$} give literal characters, not wildcards', () => {
    const t = parseTemplate('a${*}b${?}c${$}')!;
    expect(resolveToString(t, ctx({}))).toBe('a*b?c$');
    const m = compileWildcardTokens(resolveToTokens(t, ctx({})) as never);
    expect(m.test('a*b?c$')).toBe(true);
    expect(m.test('aXbYc$')).toBe(false);
  });

  it('substituted text is literal: a `*` in the value is not a wildcard', () => {
    const t = parseTemplate('home/${aws:username}/*')!;
    const toks = resolveToTokens(t, ctx({ 'aws:username': '*' }));
    const m = compileWildcardTokens(toks as never);
    expect(m.test('home/*/x')).toBe(true);
    expect(m.test('home/bob/x')).toBe(false);
  });

  it('multivalued keys cannot be policy variables ("Single-valued vs. multivalued context keys")', () => {
    expect(resolveToString(parseTemplate('${aws:TagKeys}')!, ctx({ 'aws:tagkeys': ['a'] }))).toBe(UNRESOLVED);
  });

  it('unknown keys (partial evaluation) resolve to UNKNOWN', () => {
    expect(resolveToString(parseTemplate('${k}')!, () => UNKNOWN)).toBe(UNKNOWN);
  });

  it('text without `${` is not a template; unterminated `${` stays literal', () => {
    expect(parseTemplate('plain')).toBeUndefined();
    expect(parseTemplate('a${b')).toBeUndefined();
  });

  it('only in the resource part of Resource: ${aws:username} for a user (Resource)', () => {
    const id = [doc(allow('s3:GetObject', 'arn:aws:s3:::b/${aws:username}/*'))];
    expect(decision({ principal: ALICE, action: 's3:GetObject', resource: 'arn:aws:s3:::b/alice/x' }, { identity: id })).toBe('Allow');
    expect(decision({ principal: ALICE, action: 's3:GetObject', resource: 'arn:aws:s3:::b/bob/x' }, { identity: id })).toBe('ImplicitDeny');
  });

  it('aws:username is absent for role sessions, so the entry matches nothing (G19)', () => {
    const id = [doc(allow('s3:GetObject', 'arn:aws:s3:::b/${aws:username}/*'))];
    expect(decision({ principal: SESSION, principalRoleArn: ROLE, action: 's3:GetObject', resource: 'arn:aws:s3:::b/s1/x' }, { identity: id })).toBe('ImplicitDeny');
  });

  it('variables in Action stay literal ("Policy variables": only Resource and Condition)', () => {
    const id = [doc(allow('s3:${aws:username}', '*'))];
    expect(decision({ principal: ALICE, action: 's3:alice', resource: '*' }, { identity: id })).toBe('ImplicitDeny');
  });
});
