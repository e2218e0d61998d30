/** `nbjob-iam validate`, run as a child process the way a user runs it. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FormatsPlugin } from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUILD_TIMEOUT_MS, ensureBuilt, ROOT, runCli } from './helpers.js';

const FIX = 'test/cli/fixtures/policies';

// Building dist/ can take a while when src/ changed since the last build.
beforeAll(() => {
  ensureBuilt();
}, BUILD_TIMEOUT_MS);

function noStackTrace(text: string): void {
  expect(text).not.toMatch(/\n\s+at .+:\d+:\d+\)?/);
  expect(text).not.toMatch(/internal error/);
}

describe('validate: exit status', () => {
  it('is 0 when no finding is an error (suggestions and warnings do not fail)', () => {
    const r = runCli(['validate', `${FIX}/studio-identity.json`, `${FIX}/job-role.json`]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('is 1 when any file has an error-level finding', () => {
    const r = runCli(['validate', `${FIX}/studio-identity.json`, `${FIX}/bad-effect.json`]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(`${FIX}/bad-effect.json:6:17 error invalid-effect`);
  });

  it('is 2, with a message naming the file and no stack trace, for a file that does not exist', () => {
    const r = runCli(['validate', `${FIX}/studio-identity.json`, 'no/such/policy.json']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('nbjob-iam: no/such/policy.json: no such file or directory\n');
  });

  it('is 2 for a usage error, with the message and the command usage, never a stack trace', () => {
    const r = runCli(['validate', '--format', 'yaml', `${FIX}/studio-identity.json`]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^nbjob-iam: option '--format <format>' argument 'yaml' is invalid/);
    expect(r.stderr).toContain('Usage: nbjob-iam validate');
    noStackTrace(r.stderr);
  });

  it('is 2 for an unknown command', () => {
    const r = runCli(['lint', 'x.json']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("unknown command 'lint'");
    noStackTrace(r.stderr);
  });
});

describe('validate: output', () => {
  it('--format json prints an array of {file, severity, code, message, path, line, column}', () => {
    const r = runCli(['validate', '--format', 'json', `${FIX}/bad-effect.json`, `${FIX}/studio-identity.json`]);
    expect(r.status).toBe(1);
    const findings = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    const effect = findings.find((f) => f['code'] === 'invalid-effect');
    expect(effect).toEqual({
      file: `${FIX}/bad-effect.json`,
      severity: 'error',
      code: 'invalid-effect',
      message: 'Effect is case-sensitive: write "Allow", not "allow"',
      path: '$.Statement[0].Effect',
      line: 6,
      column: 17,
    });
    for (const f of findings) expect(Object.keys(f).sort()).toEqual(['code', 'column', 'file', 'line', 'message', 'path', 'severity']);
  });

  it('reports bad JSON with its line and column', () => {
    const r = runCli(['validate', '--format', 'json', `${FIX}/not-json.json`]);
    expect(r.status).toBe(1);
    const [first] = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    expect(first).toMatchObject({ code: 'invalid-json', severity: 'error', line: 4, column: 25 });
    const text = runCli(['validate', `${FIX}/not-json.json`]);
    expect(text.stdout).toContain(`${FIX}/not-json.json:4:25 error invalid-json`);
    expect(text.stdout).toMatch(/ 4 \| {5}\{ "Effect": "Allow" "Action"/);
  });

  it('reads standard input for -', () => {
    const input = readFileSync(path.join(ROOT, FIX, 'bad-effect.json'), 'utf8');
    const r = runCli(['validate', '--format', 'json', '-'], { input });
    expect(r.status).toBe(1);
    const findings = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    expect(findings.find((f) => f['code'] === 'invalid-effect')).toMatchObject({ file: '<stdin>', line: 6, column: 17 });
  });

  it('says which kind it used and why', () => {
    const r = runCli(['validate', `${FIX}/job-role.json`, `${FIX}/queue.json`, `${FIX}/studio-identity.json`]);
    expect(r.stdout).toContain('trust policy (kind from content: a Principal with sts:AssumeRole*)');
    expect(r.stdout).toContain('resource policy (kind from content: a Principal without');
    expect(r.stdout).toContain('identity policy (kind from content: no Principal)');
    const forced = runCli(['validate', '--kind', 'scp', `${FIX}/studio-identity.json`]);
    expect(forced.stdout).toContain('scp policy (kind from --kind)');
  });

  it('validates every *.json below a directory', () => {
    const r = runCli(['validate', '--format', 'json', FIX]);
    const files = new Set((JSON.parse(r.stdout) as Array<{ file: string }>).map((f) => f.file));
    expect(files).toContain(`${FIX}/bad-effect.json`);
    expect(files).toContain(`${FIX}/not-json.json`);
    expect(r.status).toBe(1);
  });

  it('--format sarif prints a SARIF 2.1.0 log with relative artifact URIs', () => {
    const r = runCli(['validate', '--format', 'sarif', `${FIX}/bad-effect.json`]);
    expect(r.status).toBe(1);
    const log = JSON.parse(r.stdout) as { version: string; runs: Array<{ tool: { driver: { name: string; version: string } }; results: Array<{ locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }> }> }> };
    expect(log.version).toBe('2.1.0');
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(log.runs[0]?.tool.driver).toMatchObject({ name: 'nbjob-iam', version: pkg.version });
    expect(log.runs[0]?.results[0]?.locations[0]?.physicalLocation.artifactLocation.uri).toBe(`${FIX}/bad-effect.json`);
  });

  it('--format sarif output of a whole directory validates against the official SARIF 2.1.0 schema', () => {
    const r = runCli(['validate', '--format', 'sarif', FIX, 'reference/policies']);
    const schema = JSON.parse(readFileSync(path.join(ROOT, 'test/report/fixtures/sarif-schema-2.1.0.json'), 'utf8')) as object;
    const addFormats: FormatsPlugin =
      (addFormatsModule as unknown as { default?: FormatsPlugin }).default ?? (addFormatsModule as unknown as FormatsPlugin);
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    const validate = ajv.compile(schema);
    const log = JSON.parse(r.stdout) as { runs: Array<{ results: unknown[]; tool: { driver: { rules: Array<{ shortDescription: { text: string } }> } } }> };
    expect(validate(log), JSON.stringify(validate.errors)).toBe(true);
    expect(log.runs[0]?.results.length).toBeGreaterThan(0);
    // Descriptions come from the rule modules' tables, not from the code names.
    expect(log.runs[0]?.tool.driver.rules.find((x) => x.shortDescription.text.startsWith('Effect is not exactly'))).toBeDefined();
  });

  it('never colours output that is not a terminal, and text fits 80 columns', () => {
    const r = runCli(['validate', FIX]);
    expect(r.stdout).not.toContain('\u001b[');
    for (const line of r.stdout.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
    const noColor = runCli(['validate', FIX], { env: { NO_COLOR: '1' } });
    expect(noColor.stdout).not.toContain('\u001b[');
  });
});

describe('validate --reference', () => {
  it('validates the bundled reference policies with their kinds and finds no error', () => {
    const r = runCli(['validate', '--reference']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('reference/policies/job-execution-role-trust-policy.json\n  trust policy');
    expect(r.stdout).toContain('reference/policies/notebook-job-permissions-policy.json\n  identity policy');
    expect(r.stdout).toContain('reference/policies/s3-vpc-endpoint-policy.json\n  vpc-endpoint policy');
    expect(r.stdout).toContain('reference/policies/custom-kms-key-permissions-policy.json\n  identity policy');
    expect(r.stdout).toMatch(/4 files: 0 errors/);
  });

  it('works from any working directory', () => {
    const r = runCli(['validate', '--reference', '--format', 'json'], { cwd: path.join(ROOT, 'test') });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(expect.any(Array));
  });
});
