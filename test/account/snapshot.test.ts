import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readSnapshotText } from '../../src/account/read-snapshot.js';

const example = readFileSync(new URL('../../examples/account.json', import.meta.url), 'utf8');

describe('account snapshot reader (schemas/snapshot.schema.json)', () => {
  it('accepts the bundled example account', () => {
    const { snapshot, errors } = readSnapshotText(example, 'examples/account.json');
    expect(errors).toEqual([]);
    expect(snapshot?.accountId).toBe('111122223333');
    expect(snapshot?.organization?.path.map((l) => l.type)).toEqual(['ROOT', 'ORGANIZATIONAL_UNIT', 'ACCOUNT']);
  });

  it('names file, line and column of invalid JSON', () => {
    const { snapshot, errors } = readSnapshotText('{\n  "accountId": "1",,\n}', 'bad.json');
    expect(snapshot).toBeUndefined();
    expect(errors[0]).toMatchObject({ file: 'bad.json', line: 2 });
    expect(errors[0]?.message).toMatch(/invalid JSON/);
  });

  it('points a schema error at the offending value', () => {
    const broken = example.replace('"appNetworkAccessType": "VpcOnly"', '"appNetworkAccessType": "Private"');
    const line = broken.split('\n').findIndex((l) => l.includes('"Private"')) + 1;
    const { errors } = readSnapshotText(broken, 'acct.json');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ file: 'acct.json', line, path: '$.sagemaker.domains[0].appNetworkAccessType' });
    expect(errors[0]?.message).toMatch(/VpcOnly/);
  });

  it('reports a missing required property at its parent', () => {
    const value = JSON.parse(example) as Record<string, unknown>;
    delete value.accountId;
    const { errors } = readSnapshotText(JSON.stringify(value, null, 2), 'acct.json');
    expect(errors.map((e) => e.message)).toContain('missing required property "accountId"');
    expect(errors[0]?.line).toBe(1);
  });

  it('refuses a snapshot version it does not know', () => {
    const { errors } = readSnapshotText(example.replace('"snapshotVersion": 1', '"snapshotVersion": 2'), 'acct.json');
    expect(errors[0]?.message).toMatch(/version 2 is not supported/);
  });

  it('finds duplicate keys instead of keeping the last one', () => {
    const { errors } = readSnapshotText('{"accountId":"111122223333","accountId":"444455556666"}', 'dup.json');
    expect(errors.some((e) => e.message.includes('duplicate key "accountId"'))).toBe(true);
  });
});
