/** `nbjob-iam explain`, from a scenario file and from flags, run as a child process. */
import { beforeAll, describe, expect, it } from 'vitest';
import { BUILD_TIMEOUT_MS, ensureBuilt, runCli } from './helpers.js';

const POL = 'test/cli/fixtures/policies';
const SCEN = 'test/cli/fixtures/scenarios';
const REQUEST = [
  '--principal', 'arn:aws:sts::111122223333:assumed-role/StudioExecutionRole/SageMaker',
  '--action', 'sagemaker:DescribeDomain',
  '--resource', 'arn:aws:sagemaker:us-east-1:111122223333:domain/d-abc123',
];

// Building dist/ can take a while when src/ changed since the last build.
beforeAll(() => {
  ensureBuilt();
}, BUILD_TIMEOUT_MS);

describe('explain from a scenario file', () => {
  it('prints the decision and the explanation; exit 0 when allowed', () => {
    const r = runCli(['explain', `${SCEN}/allow.json`]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Decision: Allow$/m);
    expect(r.stdout).toContain('ReadJobs');
    for (const line of r.stdout.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
  });
  it('exits 1 when denied and names the denying layer', () => {
    const r = runCli(['explain', `${SCEN}/explicit-deny.json`]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^Decision: ExplicitDeny$/m);
    expect(r.stdout.toLowerCase()).toContain('scp');
    expect(r.stdout).toContain('NoDeletes');
  });
  it('--format json prints the result object', () => {
    const r = runCli(['explain', '--format', 'json', `${SCEN}/allow.json`]);
    expect(JSON.parse(r.stdout)).toMatchObject({ name: 'alice reads job output', decision: 'Allow', expected: 'Allow', pass: true });
  });
  it('exits 2 with a clean message for a missing scenario file', () => {
    const r = runCli(['explain', 'nope.json']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('nbjob-iam: nope.json: no such file or directory\n');
  });
});

describe('explain from flags', () => {
  it('decides the request and shows the deciding statement with its file and Sid', () => {
    const r = runCli(['explain', ...REQUEST, '--identity', `${POL}/studio-identity.json`]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Decision: Allow$/m);
    expect(r.stdout).toContain('DescribeDomain');
    expect(r.stdout).toContain(`${POL}/studio-identity.json`);
    for (const line of r.stdout.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
  });

  it('points at the deciding statement by the line in its own file, not in the built scenario', () => {
    const r = runCli(['explain', ...REQUEST, '--identity', `${POL}/studio-identity.json`, '--format', 'json']);
    const result = JSON.parse(r.stdout) as { allowedBy: Array<{ policy: string; sid: string; line: number; column: number }> };
    expect(result.allowedBy).toEqual([expect.objectContaining({ policy: `${POL}/studio-identity.json`, sid: 'DescribeDomain', line: 4, column: 5 })]);
    const text = runCli(['explain', ...REQUEST, '--identity', `${POL}/studio-identity.json`]);
    expect(text.stdout).toMatch(/Sid\s+"DescribeDomain", line 4/);
  });

  it('evaluates a trust policy given as --resource-policy', () => {
    const r = runCli([
      'explain',
      '--principal', 'sagemaker.amazonaws.com',
      '--action', 'sts:AssumeRole',
      '--resource', 'arn:aws:iam::111122223333:role/NotebookJobExecutionRole',
      '--resource-policy', 'reference/policies/job-execution-role-trust-policy.json',
      '--format', 'json',
    ]);
    expect(r.status).toBe(0);
    const result = JSON.parse(r.stdout) as { decision: string; decidedBy: { layer: string; policy: string; line: number }; policies: Array<{ kind: string }> };
    expect(result.decision).toBe('Allow');
    expect(result.decidedBy).toMatchObject({ layer: 'resource', policy: 'reference/policies/job-execution-role-trust-policy.json', line: 4 });
    expect(result.policies).toEqual([expect.objectContaining({ slot: 'resource', kind: 'trust' })]);
  });

  it('leaves a condition on an --unknown key as a residual', () => {
    const r = runCli([
      'explain',
      '--principal', 'arn:aws:sts::111122223333:assumed-role/StudioExecutionRole/SageMaker',
      '--action', 'iam:PassRole',
      '--resource', 'arn:aws:iam::111122223333:role/NotebookJobExecutionRole',
      '--identity', 'reference/policies/notebook-job-permissions-policy.json',
      '--unknown', 'iam:PassedToService',
      '--format', 'json',
    ]);
    const result = JSON.parse(r.stdout) as { residual?: { text: string } };
    expect(result.residual?.text).toContain('iam:PassedToService');
  });

  it('applies SCP levels in order, one --scp per level', () => {
    const allowed = runCli(['explain', ...REQUEST, '--identity', `${POL}/studio-identity.json`, '--scp', `${POL}/allow-all-scp.json`]);
    expect(allowed.status).toBe(0);
    const denied = runCli([
      'explain', ...REQUEST,
      '--identity', `${POL}/studio-identity.json`,
      '--scp', `${POL}/allow-all-scp.json`,
      '--scp', `${POL}/allow-all-scp.json,${POL}/deny-sagemaker-scp.json`,
      '--format', 'json',
    ]);
    expect(denied.status).toBe(1);
    const result = JSON.parse(denied.stdout) as { decision: string; policies: Array<{ slot: string; file: string }> };
    expect(result.decision).toBe('ExplicitDeny');
    expect(result.policies.map((p) => p.slot)).toEqual(['identity[0]', 'scp[0][0]', 'scp[1][0]', 'scp[1][1]']);
    const empty = runCli(['explain', ...REQUEST, '--identity', `${POL}/studio-identity.json`, '--scp', '']);
    expect(empty.status).toBe(1);
    expect(empty.stdout).toMatch(/^Decision: ImplicitDeny$/m);
  });

  it('refuses to evaluate a policy with errors, and shows its findings (exit 2: no decision, bad input)', () => {
    const r = runCli(['explain', ...REQUEST, '--identity', `${POL}/bad-effect.json`]);
    expect(r.status).toBe(2);
    expect(r.stdout).toContain(`${POL}/bad-effect.json:6:17 error invalid-effect`);
    expect(r.stdout).toContain('fix them, then explain again');
  });

  it('exits 2 naming a policy file that does not exist', () => {
    const r = runCli(['explain', ...REQUEST, '--identity', 'missing.json']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('nbjob-iam: missing.json: no such file or directory\n');
  });
});
