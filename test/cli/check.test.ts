/** `nbjob-iam check`, `snapshot --from-cli` and `generate`, run as a user would. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { overlong } from '../report/width.js';
import { BUILD_TIMEOUT_MS, ensureBuilt, runCli } from './helpers.js';

beforeAll(() => {
  ensureBuilt();
}, BUILD_TIMEOUT_MS);

const tmp = mkdtempSync(path.join(tmpdir(), 'nbjob-cli-check-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface JsonStep {
  id: string;
  status: string;
  phase: string;
  decision: string;
  fix: unknown;
}

describe('check --example (what npm start runs)', () => {
  it('prints the report, names the five mistakes, exits 1', () => {
    const r = runCli(['check', '--example']);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/Notebook jobs will not work/);
    expect(r.stdout).toMatch(/Fails later, at every run/);
    for (const text of ['events.amazonaws.com', 'iam:PassedToService', 'sagemakerheadlessexecution-*', 'key policy', 'cost-center']) {
      expect(r.stdout).toContain(text);
    }
    expect(overlong(r.stdout, 80)).toEqual([]);
    expect(r.stdout.includes('\u001b[')).toBe(false);
  });

  it('--format json lists the whole flow, every failure with a fix', () => {
    const r = runCli(['check', '--example', '--format', 'json']);
    expect(r.status).toBe(1);
    const body = JSON.parse(r.stdout) as { steps: JsonStep[]; summary: { fail: number } };
    expect(body.steps.length).toBe(83);
    const failing = body.steps.filter((s) => s.status === 'fail');
    expect(failing.length).toBe(body.summary.fail);
    for (const s of failing) expect(s.fix, s.id).not.toBeNull();
    expect(new Set(body.steps.map((s) => s.phase))).toEqual(new Set(['form', 'submit', 'schedule', 'run', 'manage']));
  });

  it('--variant run-now has no schedule steps', () => {
    const r = runCli(['check', '--example', '--variant', 'run-now', '--format', 'json']);
    const body = JSON.parse(r.stdout) as { steps: JsonStep[] };
    expect(body.steps.some((s) => s.phase === 'schedule')).toBe(false);
    expect(body.steps.some((s) => s.id === 'run-now.create-training-job')).toBe(true);
  });
});

describe('snapshot --from-cli then check --snapshot', () => {
  it('builds the example account from its saved AWS CLI output and checks it the same way', () => {
    const out = path.join(tmp, 'acct.json');
    const s = runCli(['snapshot', '--from-cli', 'examples/aws-cli', '--out', out]);
    expect(s.status).toBe(0);
    expect(s.stderr).toMatch(/wrote .*acct\.json: account 111122223333/);
    const args = ['--job-role', 'arn:aws:iam::111122223333:role/NotebookJobRole', '--format', 'json'];
    const fromCli = JSON.parse(runCli(['check', '--snapshot', out, ...args]).stdout) as { steps: JsonStep[] };
    const fromExample = JSON.parse(runCli(['check', '--snapshot', 'examples/account.json', ...args]).stdout) as { steps: JsonStep[] };
    expect(fromCli.steps.map((x) => [x.id, x.decision])).toEqual(fromExample.steps.map((x) => [x.id, x.decision]));
  });

  it('--all-profiles prints the summary table', () => {
    const r = runCli(['check', '--snapshot', 'examples/account.json', '--all-profiles']);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/What fails, for how many/);
    expect(r.stdout).toMatch(/user profile alice/);
  });

  it('a snapshot that is not valid names the file, line and column, exit 2', () => {
    const bad = path.join(tmp, 'bad.json');
    writeFileSync(bad, readFileSync('examples/account.json', 'utf8').replace('"appNetworkAccessType": "VpcOnly"', '"appNetworkAccessType": "Private"'));
    const r = runCli(['check', '--snapshot', bad]);
    expect(r.status).toBe(2);
    expect(r.stderr.replace(/\n\s+/g, ' ')).toMatch(/bad\.json:\d+:\d+: expected one of \["VpcOnly","PublicInternetOnly"\]/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('a missing snapshot is a clean usage error', () => {
    const r = runCli(['check', '--snapshot', 'nope.json']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/nope\.json: no such file or directory/);
  });

  it('an unknown user profile says which exist', () => {
    const r = runCli(['check', '--example', '--user-profile', 'bob']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/user profile bob is not in domain d-exampledomain1/);
  });
});

describe('generate', () => {
  it('prints {policies:[{name,kind,attachTo,document}]} and exits 0', () => {
    const r = runCli(['generate', '--account', '111122223333', '--region', 'us-east-1', '--studio-role', 'arn:aws:iam::111122223333:role/S', '--job-role', 'arn:aws:iam::111122223333:role/J']);
    expect(r.status).toBe(0);
    const body = JSON.parse(r.stdout) as { policies: { name: string; kind: string; attachTo: string; document: unknown }[] };
    expect(body.policies.map((p) => p.kind)).toContain('inline-policy');
    for (const p of body.policies) expect(Object.keys(p).sort()).toEqual(['attachTo', 'document', 'kind', 'name']);
  });

  it('bad options are a usage error naming every problem', () => {
    const r = runCli(['generate', '--account', 'abc', '--region', 'us-east-1', '--studio-role', 'x', '--job-role', 'y']);
    expect(r.status).toBe(2);
    expect(r.stderr.split('\n').length).toBeGreaterThan(2);
  });
});
