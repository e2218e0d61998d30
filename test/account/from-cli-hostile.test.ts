/**
 * snapshot --from-cli on what a real folder of saved outputs can hold when a save went
 * wrong: empty files, error text, FIFOs and directories under expected names, required
 * files missing, hostile tag keys. Each class with a fresh, random variant.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { commandForFile, snapshotFromCliDir } from '../../src/account/from-cli.js';
import type { AccountSnapshot } from '../../src/account/snapshot.js';
import { writeCliDir } from './cli-writer.js';

const example = JSON.parse(readFileSync(new URL('../../examples/account.json', import.meta.url), 'utf8')) as AccountSnapshot;
const dirs: string[] = [];
function fullDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'nbjob-hostile-cli-'));
  dirs.push(d);
  writeCliDir(example, d, { urlEncodeIam: false });
  return d;
}
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)]!;
const OPTIONAL = ['ec2-describe-vpc-endpoints.json', 'kms-list-aliases.json', 'organizations-list-roots.json', 'kms-get-key-policy-5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d.json'];
const ERROR_TEXTS = [
  'An error occurred (AccessDenied) when calling the GetBucketPolicy operation: Access Denied',
  '\nUnable to locate credentials. You can configure credentials by running "aws configure".\n',
  'aws: error: argument --domain-id: expected one argument',
  'Error when retrieving token from sso: Token has expired and refresh failed',
];

describe('a save that went wrong is a gap naming the command to re-run, never an error that stops the import', () => {
  it('an empty or whitespace-only optional file', () => {
    const dir = fullDir();
    const file = pick(OPTIONAL);
    writeFileSync(join(dir, file), pick(['', '\n', '  \r\n\t']));
    const { errors, gaps, missingRequired } = snapshotFromCliDir(dir);
    expect(errors).toEqual([]);
    expect(missingRequired).toEqual([]);
    const gap = gaps.find((g) => g.file === file && /is empty/.test(g.message));
    expect(gap?.message).toContain(`re-run: ${commandForFile(file)} > ${file}`);
  });
  it('an error message saved instead of the output', () => {
    const dir = fullDir();
    const file = pick(OPTIONAL);
    const text = pick(ERROR_TEXTS);
    writeFileSync(join(dir, file), text);
    const { errors, gaps } = snapshotFromCliDir(dir);
    expect(errors).toEqual([]);
    const gap = gaps.find((g) => g.file === file && /holds an error/.test(g.message));
    expect(gap?.message).toContain(text.trim().split('\n')[0]!);
    expect(gap?.message).toContain(commandForFile(file)!);
  });
});

describe('what is not a regular file is refused by name, never read (no hang)', () => {
  it('a FIFO, a directory or a symlink loop under an expected name', () => {
    const dir = fullDir();
    const file = pick(OPTIONAL);
    rmSync(join(dir, file));
    const kind = pick(['fifo', 'dir', 'loop'] as const);
    if (kind === 'fifo') execFileSync('mkfifo', [join(dir, file)]);
    if (kind === 'dir') mkdirSync(join(dir, file));
    if (kind === 'loop') execFileSync('ln', ['-s', file, join(dir, file)]);
    const { errors } = snapshotFromCliDir(dir);
    expect(errors).toEqual([expect.objectContaining({ file, message: expect.stringMatching(kind === 'loop' ? /symlink loop/ : /expected a regular file/) })]);
  });
});

describe('required outputs', () => {
  it('an empty folder: every required file is listed with its command, and no account or region is invented', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nbjob-empty-cli-'));
    dirs.push(dir);
    const { snapshot, missingRequired } = snapshotFromCliDir(dir);
    expect(missingRequired.map((m) => m.command)).toEqual([
      'aws sts get-caller-identity',
      'aws iam get-account-authorization-details',
      'aws sagemaker describe-domain --domain-id <domain-id>',
    ]);
    expect(snapshot.accountId).not.toBe('000000000000');
    expect(snapshot.accountId).toBe('');
    expect(snapshot.region).toBe('');
  });
  it('a required file that is missing, empty or an error message is listed', () => {
    const dir = fullDir();
    const required = pick(['sts-get-caller-identity.json', 'iam-get-account-authorization-details.json', 'sagemaker-describe-domain-d-exampledomain1.json']);
    const how = pick(['remove', 'empty', 'error'] as const);
    if (how === 'remove') rmSync(join(dir, required));
    else writeFileSync(join(dir, required), how === 'empty' ? '' : pick(ERROR_TEXTS));
    const { missingRequired } = snapshotFromCliDir(dir);
    expect(missingRequired).toHaveLength(1);
    // With the only describe-domain output gone, nothing names the domain: the gap names
    // the file by its pattern (and the command with <domain-id>), never an invented id.
    const domainGone = how === 'remove' && required.startsWith('sagemaker-describe-domain-');
    expect(missingRequired[0]?.file).toBe(domainGone ? 'sagemaker-describe-domain-<domain-id>.json' : required);
  });
});

describe('positions and keys', () => {
  it('a value of the wrong shape is located at its line and column, not 1:1', () => {
    const dir = fullDir();
    const pad = '\n'.repeat(1 + Math.floor(Math.random() * 5));
    writeFileSync(join(dir, 'organizations-describe-organization.json'), `{${pad}  "Organization": "not an object"\n}`);
    const { errors } = snapshotFromCliDir(dir);
    expect(errors).toEqual([expect.objectContaining({ file: 'organizations-describe-organization.json', line: pad.length + 1, column: 19, path: '$.Organization' })]);
  });
  it('a tag keyed __proto__ or constructor is kept as data and pollutes nothing', () => {
    const dir = fullDir();
    const tagsFile = readdirSync(dir).find((f) => f.startsWith('sagemaker-list-tags-d-exampledomain1-'))!;
    const body = JSON.parse(readFileSync(join(dir, tagsFile), 'utf8')) as { Tags: Array<{ Key: string; Value: string }> };
    const key = pick(['__proto__', 'constructor', 'hasOwnProperty', 'toString']);
    body.Tags.push({ Key: key, Value: 'v1' });
    writeFileSync(join(dir, tagsFile), JSON.stringify(body));
    const { snapshot } = snapshotFromCliDir(dir);
    const owner = [...snapshot.sagemaker.userProfiles, ...snapshot.sagemaker.spaces].find((p) => Object.prototype.hasOwnProperty.call(p.tags, key));
    expect(owner?.tags[key]).toBe('v1');
    expect(JSON.parse(JSON.stringify(owner?.tags))[key]).toBe('v1');
    expect(({} as Record<string, unknown>)['v1']).toBeUndefined();
    expect(Object.getPrototypeOf(owner?.tags)).toBe(Object.prototype);
  });
});

describe('commandForFile', () => {
  it('fills the placeholders from the file name', () => {
    expect(commandForFile('kms-describe-key-1234abcd.json')).toBe('aws kms describe-key --key-id 1234abcd');
    expect(commandForFile('sagemaker-describe-user-profile-d-abc123-alice-b.json')).toBe('aws sagemaker describe-user-profile --domain-id d-abc123 --user-profile-name alice-b');
    expect(commandForFile('organizations-list-policies-for-target-ou-x1-y2-scp.json')).toBe('aws organizations list-policies-for-target --target-id ou-x1-y2 --filter SERVICE_CONTROL_POLICY');
    expect(commandForFile('nothing-we-read.json')).toBeUndefined();
  });
});
