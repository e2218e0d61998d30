/** `nbjob-iam diagnose`, run as a user would: exit codes, formats, standard input. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILD_TIMEOUT_MS, ensureBuilt, ROOT, runCli } from './helpers.js';

beforeAll(() => {
  ensureBuilt();
}, BUILD_TIMEOUT_MS);

const tmp = mkdtempSync(path.join(tmpdir(), 'nbjob-cli-diagnose-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const schema = JSON.parse(readFileSync(path.join(ROOT, 'schemas', 'diagnose-result.schema.json'), 'utf8')) as object;
const validate = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true }).compile(schema);

const PUT_RULE =
  'An error occurred (AccessDeniedException) when calling the PutRule operation: User: arn:aws:sts::111122223333:assumed-role/StudioExecutionRole/SageMaker is not authorized to perform: events:PutRule on resource: arn:aws:events:us-east-1:111122223333:rule/nightly-report-notebook-5e6f7a8b because no identity-based policy allows the events:PutRule action';

describe('diagnose', () => {
  it('--example reads the bundled errors, names the steps and fixes, exits 1', () => {
    const r = runCli(['diagnose', '--example']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(1);
    for (const id of ['schedule.put-rule', 'run.create-training-job', 'run.volume-key-grant', 'run.driver-get-object', 'run.output-key-generate']) expect(r.stdout).toContain(`[${id}]`);
    expect(r.stdout).toMatch(/examples\/account\.json:\d+/);
    expect(r.stdout).not.toMatch(/DISAGREES/);
  });

  it('--format json follows the schema', () => {
    const r = runCli(['diagnose', '--example', '--format', 'json']);
    expect(r.status).toBe(1);
    const j = JSON.parse(r.stdout) as { matches: unknown[] };
    expect(validate(j), JSON.stringify(validate.errors)).toBe(true);
    expect(j.matches).toHaveLength(5);
  });

  it('--format markdown', () => {
    const r = runCli(['diagnose', '--example', '--format', 'markdown']);
    expect(r.stdout).toMatch(/^## nbjob-iam diagnose/);
    expect(r.stdout).toMatch(/```json/);
  });

  it('reads standard input with -, and says when the snapshot disagrees', () => {
    const msg = PUT_RULE.replace('because no identity-based policy allows the events:PutRule action', 'with an explicit deny in a permissions boundary');
    const r = runCli(['diagnose', '--example', '-'], { input: msg });
    expect(r.status).toBe(1);
    const out = r.stdout.replace(/\s+/g, ' ');
    expect(out).toMatch(/DISAGREES with AWS/);
    expect(out).toMatch(/the snapshot has no permissions boundary on role StudioExecutionRole/);
  });

  it('exits 0 when the input holds no access error (a trail of successful calls)', () => {
    const f = path.join(tmp, 'ok-trail.json');
    writeFileSync(f, JSON.stringify({ Records: [{ eventSource: 'sagemaker.amazonaws.com', eventName: 'CreateTrainingJob', userIdentity: { type: 'AssumedRole' } }] }));
    const r = runCli(['diagnose', '--example', f]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/No access error in the input/);
  });

  it('exits 2 when nothing could be read, showing the text', () => {
    const f = path.join(tmp, 'junk.txt');
    writeFileSync(f, 'the kernel restarted');
    const r = runCli(['diagnose', '--example', f]);
    expect(r.status).toBe(2);
    const out = r.stdout.replace(/\s+/g, ' ');
    expect(out).toMatch(/could not read an access error/);
    expect(out).toMatch(/text: "the kernel restarted"/);
  });

  it.each([
    [['diagnose', '--snapshot', 'examples/account.json'], /name at least one file holding the error/],
    [['diagnose', 'x.txt'], /name the account/],
    [['diagnose', '--example', '--snapshot', 'examples/account.json'], /not both/],
    [['diagnose', '--example', 'no-such-file.txt'], /no-such-file.txt: no such file or directory/],
    [['diagnose', '--snapshot', 'README.md', '-'], /README.md is not a valid snapshot/],
  ])('usage errors exit 2: %j', (args, message) => {
    const r = runCli(args, { input: PUT_RULE });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/internal error/);
  });
});

describe('diagnose: a policy of the snapshot with errors is bad input, as in check', () => {
  it('an SCP Deny with a Null value "tru" decides the matched step: undecided, named, exit 2', () => {
    const snapshot = JSON.parse(readFileSync(path.join(ROOT, 'examples', 'account.json'), 'utf8')) as {
      organization: { path: { scps: { name: string; document: unknown }[] }[] };
    };
    const level = snapshot.organization.path[1]!;
    level.scps.push({
      name: 'DenyUntaggedTraining',
      document: {
        Version: '2012-10-17',
        Statement: [{ Sid: 'DenyTraining', Effect: 'Deny', Action: 'sagemaker:CreateTrainingJob', Resource: '*', Condition: { Null: { 'aws:RequestTag/cost-center': 'tru' } } }],
      },
    });
    const file = path.join(tmp, 'invalid-scp.json');
    writeFileSync(file, JSON.stringify(snapshot, null, 2));
    const error = path.join(tmp, 'training-denied.txt');
    writeFileSync(
      error,
      'An error occurred (AccessDeniedException) when calling the CreateTrainingJob operation: User: arn:aws:sts::111122223333:assumed-role/NotebookJobRole/SageMaker is not authorized to perform: sagemaker:CreateTrainingJob on resource: arn:aws:sagemaker:us-east-1:111122223333:training-job/nightly-report-1 with an explicit deny in a service control policy',
    );
    const r = runCli(['diagnose', '--snapshot', file, error]);
    expect(r.stdout).toContain('DenyUntaggedTraining');
    expect(r.status).toBe(2);
    // Named where it is in the snapshot file (line, column and JSON path), as check names it,
    // not by a line of the policy printed on its own.
    const flat = r.stdout.replace(/\s+/g, ' ');
    expect(flat).toMatch(/invalid-scp\.json:\d+:\d+ at \$\.organization\.path\[1\]\.scps\[\d+\]\.document\.Statement\[0\]\.Condition\.Null\["aws:RequestTag\/cost-center"\]/);
    expect(flat).not.toContain('of the policy printed as JSON');
    const lines = readFileSync(file, 'utf8').split('\n');
    const line = lines.findIndex((l) => l.includes('"aws:RequestTag/cost-center": "tru"')) + 1;
    expect(line).toBeGreaterThan(0);
    expect(flat).toContain(`invalid-scp.json:${line}:`);
  });
});
