/**
 * Regressions found by the fuzzer (test/fuzz): AWS CLI files with values of the wrong type
 * must give an error naming the file and JSON path, never an exception.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { snapshotFromCliDir } from '../../src/account/from-cli.js';

const example = new URL('../../examples/aws-cli/', import.meta.url).pathname;
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function withFile(name: string, body: unknown): string {
  const d = mkdtempSync(join(tmpdir(), 'nbjob-cli-fuzz-'));
  dirs.push(d);
  cpSync(example, d, { recursive: true });
  writeFileSync(join(d, name), JSON.stringify(body, null, 4));
  return d;
}

describe('snapshot --from-cli: tag values of the wrong type ("Tagging AWS resources": values are strings)', () => {
  it.each([[{}], [[]], [{ a: 1 }], [5], [true]])('a SageMaker tag whose Value is %j is an error at its path, the other tags kept', (value) => {
    const d = withFile('sagemaker-list-tags-d-exampledomain1-alice.json', { Tags: [{ Key: 'team', Value: value }, { Key: 'cost-center', Value: 'ml' }] });
    const r = snapshotFromCliDir(d);
    const profile = r.snapshot?.sagemaker.userProfiles.find((p) => p.name === 'alice');
    expect(profile?.tags).toEqual({ 'cost-center': 'ml' });
    expect(r.errors).toContainEqual(
      expect.objectContaining({ file: 'sagemaker-list-tags-d-exampledomain1-alice.json', path: '$.Tags[0].Value', message: 'expected a tag value (a string)' }),
    );
  });
});

describe('snapshot --from-cli: an alias name of the wrong type (AWS KMS API, ListAliases: AliasName is a string)', () => {
  it.each([[{ '__defineGetter__': 'x' }], [[]], [7], [null]])('an AliasName %j is an error at its path, never an exception', (name) => {
    const d = withFile('kms-list-aliases.json', {
      Aliases: [
        { AliasName: name, AliasArn: 'arn:aws:kms:us-east-1:111122223333:alias/x', TargetKeyId: '5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d' },
        { AliasName: 'alias/notebook-jobs', AliasArn: 'arn:aws:kms:us-east-1:111122223333:alias/notebook-jobs', TargetKeyId: '5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d' },
      ],
    });
    const r = snapshotFromCliDir(d);
    const key = r.snapshot?.kmsKeys.find((k) => k.keyId === '5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d');
    expect(key?.aliases).toEqual(['alias/notebook-jobs']);
    expect(r.errors).toContainEqual(expect.objectContaining({ file: 'kms-list-aliases.json', path: '$.Aliases[0].AliasName' }));
  });
});

