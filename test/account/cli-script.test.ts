/**
 * The script `snapshot --cli-script` prints, run with bash against a stand-in for the AWS
 * CLI (fixtures/fake-aws.mjs) that answers from an account written out as saved outputs:
 * every file it writes has a name the importer reads (and reads), and the snapshot the
 * importer builds has the account's domains, profiles, spaces, tags, keys and buckets.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { bashQuote, cliScript } from '../../src/account/cli-script.js';
import { canonicalCliName, CLI_FILES, snapshotFromCliDir } from '../../src/account/from-cli.js';
import type { AccountSnapshot } from '../../src/account/snapshot.js';
import { exampleSnapshot } from '../report/check/fixture.js';
import { writeCliDir } from './cli-writer.js';

const FAKE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'fake-aws.mjs');
const work = mkdtempSync(path.join(tmpdir(), 'nbjob-cli-script-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The example with a second profile and a space named like the first profile (tags must not collide). */
function account(): AccountSnapshot {
  const s = exampleSnapshot();
  const alice = s.sagemaker.userProfiles[0]!;
  const d = alice.domainId;
  return {
    ...s,
    sagemaker: {
      ...s.sagemaker,
      userProfiles: [alice, { ...alice, name: 'bob', arn: `arn:aws:sagemaker:us-east-1:111122223333:user-profile/${d}/bob`, tags: { 'cost-center': 'ml-42' } }],
      spaces: [{ domainId: d, name: 'alice', arn: `arn:aws:sagemaker:us-east-1:111122223333:space/${d}/alice`, ownerUserProfileName: 'alice', tags: { team: 'shared-space' } }],
    },
  };
}

function runScript(script: string, source: AccountSnapshot): { out: string; status: number | null; stderr: string; calls: string[] } {
  const dir = mkdtempSync(path.join(work, 'run-'));
  const src = path.join(dir, 'source');
  writeCliDir(source, src, { urlEncodeIam: false });
  const tags: Record<string, Record<string, string>> = {};
  for (const x of [...source.sagemaker.domains, ...source.sagemaker.userProfiles, ...source.sagemaker.spaces]) if (x.arn) tags[x.arn] = { ...x.tags };
  writeFileSync(path.join(dir, 'tags.json'), JSON.stringify(tags));
  const bin = path.join(dir, 'bin');
  mkdirSync(bin);
  writeFileSync(path.join(bin, 'aws'), `#!/usr/bin/env bash\nexec node ${bashQuote(FAKE)} "$@"\n`);
  chmodSync(path.join(bin, 'aws'), 0o755);
  writeFileSync(path.join(dir, 'save.sh'), script);
  const r = spawnSync('bash', ['save.sh', 'acct'], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, PATH: `${bin}:${process.env['PATH'] ?? ''}`, FAKE_AWS_DIR: src, FAKE_AWS_TAGS: path.join(dir, 'tags.json'), FAKE_AWS_LOG: path.join(dir, 'calls.log'), AWS_REGION: 'us-east-1' },
  });
  const log = spawnSync('cat', [path.join(dir, 'calls.log')], { encoding: 'utf8' }).stdout;
  return { out: path.join(dir, 'acct'), status: r.status, stderr: r.stderr, calls: log.split('\n').filter(Boolean) };
}

/** A CLI_FILES name with its `<...>` parts as wildcards. */
const PATTERNS = CLI_FILES.map((f) => new RegExp(`^${f.file.replace(/[.]/g, '\\.').replace(/<[^>]+>/g, '.+')}$`));

describe('snapshot --cli-script', () => {
  const source = account();
  const run = runScript(cliScript({ kmsKeys: ['alias/notebook-jobs'] }), source);
  const files = readdirSync(run.out).sort();

  it('runs to the end with bash, making read calls only', () => {
    expect(run.stderr).toContain('saved ');
    expect(run.status).toBe(0);
    for (const call of run.calls) expect(call, call).toMatch(/^(\S+ (get|list|describe)-|configure get region$)/);
  });

  it('writes only names the importer reads, under their own (not natural) form', () => {
    expect(files.length).toBeGreaterThan(15);
    for (const f of files) {
      expect(canonicalCliName(f), f).toBe(f);
      expect(PATTERNS.some((p) => p.test(f)), f).toBe(true);
    }
    const { unused, errors } = snapshotFromCliDir(run.out);
    expect(unused).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('saves what check needs: the domain, every profile and space with its own tags, keys, buckets, the organization', () => {
    const { snapshot, gaps } = snapshotFromCliDir(run.out);
    expect(gaps).toEqual([]);
    expect(snapshot.accountId).toBe(source.accountId);
    expect(snapshot.sagemaker.domains.map((d) => d.id)).toEqual(source.sagemaker.domains.map((d) => d.id));
    expect(snapshot.sagemaker.userProfiles.map((p) => [p.name, p.tags]).sort()).toEqual([['alice', { team: 'data-science' }], ['bob', { 'cost-center': 'ml-42' }]]);
    expect(snapshot.sagemaker.spaces.map((p) => [p.name, p.tags])).toEqual([['alice', { team: 'shared-space' }]]);
    expect(snapshot.kmsKeys.map((k) => k.keyId)).toEqual(source.kmsKeys.map((k) => k.keyId));
    expect(snapshot.kmsKeys[0]!.policy).toEqual(source.kmsKeys[0]!.policy);
    expect(snapshot.s3Buckets.map((b) => b.name)).toEqual(['sagemaker-automated-execution-111122223333-us-east-1']);
    expect(snapshot.organization?.path.map((l) => [l.id, l.scps.map((p) => p.name)])).toEqual(source.organization?.path.map((l) => [l.id, l.scps.map((p) => p.name)]));
    expect(snapshot.roles.map((r) => r.name).sort()).toEqual(source.roles.map((r) => r.name).sort());
  });

  it('--domain limits the domains; a domain that is not there is skipped, said on stderr', () => {
    const r = runScript(cliScript({ domains: ['d-nosuchdomain1'] }), source);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('skipped sagemaker-describe-domain-d-nosuchdomain1.json');
    expect(readdirSync(r.out).filter((f) => f.startsWith('sagemaker-'))).toEqual([]);
  });

  it('quotes what it is given', () => {
    expect(cliScript({ buckets: ["it's; rm -rf /"] })).toContain(`BUCKETS=('it'\\''s; rm -rf /')`);
  });
});

describe('natural names', () => {
  it('the importer reads outputs saved under their command line', () => {
    const dir = mkdtempSync(path.join(work, 'natural-'));
    writeCliDir(account(), dir, { urlEncodeIam: false });
    const rename = (from: string, to: string): void => {
      spawnSync('mv', [path.join(dir, from), path.join(dir, to)]);
    };
    rename('sagemaker-describe-user-profile-d-exampledomain1-bob.json', 'sagemaker-describe-user-profile--domain-id-d-exampledomain1--user-profile-name-bob.json');
    rename('sagemaker-list-tags-d-exampledomain1-bob.json', 'sagemaker-list-tags--resource-arn-arn_aws_sagemaker_us-east-1_111122223333_user-profile_d-exampledomain1_bob.json');
    rename('organizations-list-policies-for-target-ou-a1b2-ml000001-scp.json', 'organizations-list-policies-for-target--target-id-ou-a1b2-ml000001--filter-SERVICE_CONTROL_POLICY.json');
    rename('s3api-get-bucket-location-sagemaker-automated-execution-111122223333-us-east-1.json', 's3api-get-bucket-location--bucket-sagemaker-automated-execution-111122223333-us-east-1.json');
    writeFileSync(path.join(dir, 'notes.json'), '{}');
    const { snapshot, unused, gaps } = snapshotFromCliDir(dir);
    expect(unused).toEqual(['notes.json']);
    expect(gaps).toEqual([]);
    expect(snapshot.sagemaker.userProfiles.find((p) => p.name === 'bob')?.tags).toEqual({ 'cost-center': 'ml-42' });
    expect(snapshot.organization?.path.find((l) => l.id === 'ou-a1b2-ml000001')?.scps.length).toBeGreaterThan(0);
    expect(snapshot.s3Buckets[0]?.region).toBe('us-east-1');
  });
});
