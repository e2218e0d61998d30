/**
 * `simulate` and `explain` refuse a scenario holding a policy that `validate` calls an error
 * (exit 2, naming the file, line and column, the policy's place in the scenario and the
 * finding code), and `explain` never exits 0 when the scenario's expectation is not met.
 * Before, the reader kept the readable part, the Deny silently dropped, and explain exited
 * 0 while printing "Expected: ExplicitDeny (NOT met)". Sources: "IAM JSON policy elements:
 * Condition operators" (Null takes true or false), "IAM JSON policy elements: Action".
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: no type declarations for a .mjs script
import { generateAccount } from '../../bench/gen-account.mjs';
import { BUILD_TIMEOUT_MS, ensureBuilt, runCli } from './helpers.js';

const DIR = 'test/cli/fixtures/scenarios-invalid';
const POL = 'test/cli/fixtures/policies';

beforeAll(() => {
  ensureBuilt();
}, BUILD_TIMEOUT_MS);

const CASES = [
  ['scp-null-tru.json', 46, 'null-operator-value'],
  ['scp-cyrillic-action.json', 42, 'unknown-action'],
] as const;

describe('simulate: a policy validate calls an error is refused, exit 2, with its position', () => {
  for (const [file, line, code] of CASES) {
    it(file, () => {
      const r = runCli(['simulate', `${DIR}/${file}`]);
      expect(r.status).toBe(2);
      expect(r.stdout).toMatch(/^ERROR /m);
      expect(r.stdout).toContain(`${DIR}/${file}:${line}:`);
      expect(r.stdout).toContain('policies.scp[0][1]');
      expect(r.stdout).toContain(code);
      expect(r.stdout).not.toMatch(/^PASS|Allow/m);
      const j = runCli(['simulate', '--format', 'json', `${DIR}/${file}`]);
      expect(j.status).toBe(2);
      const json = JSON.parse(j.stdout) as { decision?: string; invalidPolicy: { slot: string; code: string; line: number; column: number } };
      expect(json.decision).toBeUndefined();
      expect(json.invalidPolicy).toMatchObject({ slot: 'policies.scp[0][1]', code, line });
      expect(json.invalidPolicy.column).toBeGreaterThan(0);
    });
  }
});

describe('explain: the same scenario files exit 2 and name the policy; never a decision', () => {
  for (const [file, line, code] of CASES) {
    it(file, () => {
      const r = runCli(['explain', `${DIR}/${file}`]);
      expect(r.status).toBe(2);
      expect(r.stdout).not.toMatch(/Decision:/);
      expect(r.stdout).toContain(`${DIR}/${file}:${line}:`);
      expect(r.stdout).toContain(code);
      expect(r.stdout).toContain('never evaluated');
    });
  }

  it('explain from flags: a policy file with an error exits 2 (was 1) and shows its findings', () => {
    const r = runCli(['explain', '--principal', 'arn:aws:iam::111122223333:user/alice', '--action', 's3:GetObject', '--resource', 'arn:aws:s3:::b/k', '--identity', `${POL}/bad-effect.json`]);
    expect(r.status).toBe(2);
    expect(r.stdout).toContain(`${POL}/bad-effect.json:6:17 error invalid-effect`);
  });

  it('explain exits 1 when the request is allowed but the expectation is not met', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nbjob-explain-'));
    const file = path.join(dir, 'allowed-but-expected-deny.json');
    writeFileSync(
      file,
      JSON.stringify({
        name: 'allowed, expected denied',
        request: { principal: 'arn:aws:iam::111122223333:user/alice', action: 's3:GetObject', resource: 'arn:aws:s3:::b/k' },
        policies: { identity: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] }] },
        expect: 'ExplicitDeny',
      }),
    );
    const r = runCli(['explain', file]);
    expect(r.stdout).toMatch(/^Decision: Allow$/m);
    expect(r.stdout).toContain('Expected: ExplicitDeny (NOT met)');
    expect(r.status).toBe(1);
  });
});

describe('check: an invalid policy in the snapshot is bad input (exit 2), not failing steps (exit 1)', () => {
  function snapshotWithInvalidScp(): string {
    const snap = JSON.parse(readFileSync('examples/account.json', 'utf8')) as { organization: { path: { scps: unknown[] }[] } };
    // "Null" takes true or false ("IAM JSON policy elements: Condition operators"): "tru" is an error.
    snap.organization.path[0]?.scps.push({
      name: 'DenyUntaggedTraining',
      document: { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'sagemaker:CreateTrainingJob', Resource: '*', Condition: { Null: { 'aws:RequestTag/project': 'tru' } } }] },
    });
    const dir = mkdtempSync(path.join(tmpdir(), 'nbjob-check-invalid-'));
    const file = path.join(dir, 'account.json');
    writeFileSync(file, JSON.stringify(snap, null, 2));
    return file;
  }

  it('one profile and --all-profiles both exit 2 and name the policy', () => {
    const file = snapshotWithInvalidScp();
    for (const argv of [['check', '--snapshot', file], ['check', '--snapshot', file, '--all-profiles', '--format', 'json']]) {
      const r = runCli(argv);
      expect(r.status, argv.join(' ')).toBe(2);
      expect(r.stdout).toContain('DenyUntaggedTraining');
    }
  });

  /**
   * The error points into the snapshot file itself: the file, the line and column of the bad
   * value there, and its JSON path in the snapshot; not a position in the policy printed as
   * two-space JSON (a text the user does not have). Checked on a pretty-printed snapshot and
   * on the same snapshot on one line, where only the column moves.
   */
  it('names the file, line and column of the bad value in the snapshot, with its JSON path', () => {
    const pretty = readFileSync(snapshotWithInvalidScp(), 'utf8');
    const minified = JSON.stringify(JSON.parse(pretty));
    const dir = mkdtempSync(path.join(tmpdir(), 'nbjob-check-pos-'));
    const needle = '"aws:RequestTag/project": "tru"';
    for (const [name, text, valueAt] of [
      ['pretty.json', pretty, needle.length - '"tru"'.length],
      ['minified.json', minified, '"aws:RequestTag/project":"tru"'.length - '"tru"'.length],
    ] as const) {
      const file = path.join(dir, name);
      writeFileSync(file, text);
      // The known place of "tru" in the file, found in the text itself.
      const found = name === 'pretty.json' ? text.indexOf(needle) : text.indexOf('"aws:RequestTag/project":"tru"');
      const before = text.slice(0, found);
      const line = before.split('\n').length;
      const column = found - (before.lastIndexOf('\n') + 1) + valueAt + 1;
      expect(text.slice(found + valueAt, found + valueAt + 5)).toBe('"tru"');
      const expected = `${file}:${line}:${column} at $.organization.path[0].scps[1].document.Statement[0].Condition.Null["aws:RequestTag/project"]`;
      const j = runCli(['check', '--snapshot', file, '--format', 'json']);
      expect(j.status).toBe(2);
      const missing = (JSON.parse(j.stdout) as { steps: { missing: string[] | null }[] }).steps.flatMap((s) => s.missing ?? []).filter((m) => m.includes('DenyUntaggedTraining'));
      expect(missing.length).toBeGreaterThan(0);
      for (const m of missing) {
        expect(m).toContain(expected);
        expect(m).not.toMatch(/printed as JSON/);
      }
      const t = runCli(['check', '--snapshot', file, '--all-profiles']);
      expect(t.status).toBe(2);
      expect(t.stdout.replace(/\s+/g, '')).toContain(expected.replace(/\s+/g, ''));
    }
    expect(pretty.split('\n').length).toBeGreaterThan(40);
  });

  /**
   * The snapshot reader makes equal documents one object (a managed policy is listed under
   * every role it is attached to): the error still points at the copy under the profile's
   * own role, not at the first role that lists the policy.
   */
  it('an invalid managed policy attached to every role is located under each profile\'s own role', () => {
    const snap = (generateAccount as (o: object) => { roles: { name: string; attachedPolicies: unknown[] }[] })({ profiles: 4, spaces: 1, seed: 4 });
    const bad = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'sagemaker:CreateTrainingJob', Resource: '*', Condition: { Null: { 'aws:RequestTag/project': 'tru' } } }] };
    for (const r of snap.roles) r.attachedPolicies.push({ name: 'SharedBadPolicy', arn: 'arn:aws:iam::111122223333:policy/SharedBadPolicy', document: structuredClone(bad) });
    const dir = mkdtempSync(path.join(tmpdir(), 'nbjob-check-shared-'));
    const file = path.join(dir, 'domain.json');
    writeFileSync(file, JSON.stringify(snap, null, 2));
    const r = runCli(['check', '--snapshot', file, '--all-profiles', '--format', 'json']);
    expect(r.status).toBe(2);
    const report = JSON.parse(r.stdout) as { profiles: { kind: string; name: string; result: { steps: { missing: string[] | null }[] } }[] };
    const users = report.profiles.filter((p) => p.kind === 'user-profile');
    expect(users.length).toBe(4);
    for (const p of users) {
      const i = snap.roles.findIndex((role) => role.name === `StudioRole-${p.name}`);
      expect(i).toBeGreaterThanOrEqual(0);
      const k = snap.roles[i]!.attachedPolicies.length - 1;
      const missing = p.result.steps.flatMap((s) => s.missing ?? []).filter((m) => m.includes('SharedBadPolicy') && m.includes(`of role StudioRole-${p.name}`));
      expect(missing.length, p.name).toBeGreaterThan(0);
      for (const m of missing) expect(m.replace(/\s+/g, '')).toContain(`at$.roles[${i}].attachedPolicies[${k}].document.Statement[0].Condition.Null["aws:RequestTag/project"]`);
    }
  });

  it('the example without it still exits 1 (its steps fail)', () => {
    expect(runCli(['check', '--example']).status).toBe(1);
  });
});

/**
 * A policy whose only errors are Action entries naming a service or action AWS does not have
 * (plain ASCII) is decided as written: AWS stores it and the entry never matches another
 * action ("Troubleshoot IAM policies": unrecognized services and actions). simulate gives the
 * decision (exit 0 when expected), never a refusal.
 */
describe('simulate: an SCP naming a service AWS does not have is decided, not refused', () => {
  const scenario = (action: unknown, expect: string): string =>
    JSON.stringify({
      name: 'SCP with a retired service',
      doc: 'Troubleshoot IAM policies (unrecognized services and actions in a policy)',
      request: { principal: 'arn:aws:sts::111122223333:assumed-role/NotebookJobRole/SageMaker', principalRoleArn: 'arn:aws:iam::111122223333:role/NotebookJobRole', action: 'sagemaker:CreateTrainingJob', resource: 'arn:aws:sagemaker:us-east-1:111122223333:training-job/j1' },
      policies: {
        identity: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sagemaker:*', Resource: '*' }] }],
        scp: [[{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'Deny', Action: action, Resource: '*' }] }]],
      },
      expect,
    });
  const dir = mkdtempSync(path.join(tmpdir(), 'nbjob-decidable-'));

  it('Deny deepracer:* does not deny sagemaker:CreateTrainingJob: Allow, exit 0', () => {
    const file = path.join(dir, 'retired.json');
    writeFileSync(file, scenario('deepracer:*', 'Allow'));
    const r = runCli(['simulate', '--format', 'json', file]);
    expect(r.status).toBe(0);
    const json = JSON.parse(r.stdout) as { decision?: string; error?: string };
    expect(json.error).toBeUndefined();
    expect(json.decision).toBe('Allow');
  });

  it('the same Deny with the real action beside it: ExplicitDeny, exit 0', () => {
    const file = path.join(dir, 'retired-and-real.json');
    writeFileSync(file, scenario(['deepracer:*', 'sagemaker:CreateTrainingJob'], 'ExplicitDeny'));
    const r = runCli(['simulate', '--format', 'json', file]);
    expect(r.status).toBe(0);
    expect((JSON.parse(r.stdout) as { decision?: string }).decision).toBe('ExplicitDeny');
  });
});

