/** `nbjob-iam simulate` per docs/scenario-format.md, run as a child process. */
import { beforeAll, describe, expect, it } from 'vitest';
import { BUILD_TIMEOUT_MS, ensureBuilt, runCli } from './helpers.js';

const SCEN = 'test/cli/fixtures/scenarios';
const BAD = 'test/cli/fixtures/scenarios-bad';

// Building dist/ can take a while when src/ changed since the last build.
beforeAll(() => {
  ensureBuilt();
}, BUILD_TIMEOUT_MS);

type Entry = Record<string, unknown>;

describe('simulate --format json', () => {
  it('prints one object for one scenario file, with name, decision, expected, pass and explanation', () => {
    const r = runCli(['simulate', '--format', 'json', `${SCEN}/allow.json`]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const entry = JSON.parse(r.stdout) as Entry;
    expect(Array.isArray(entry)).toBe(false);
    expect(entry).toMatchObject({ name: 'alice reads job output', decision: 'Allow', expected: 'Allow', pass: true });
    expect(typeof entry['explanation']).toBe('string');
    expect(entry['file']).toBe(`${SCEN}/allow.json`);
  });

  it('prints an array for a directory: every *.json below it; exit 1 when an expectation is not met', () => {
    const r = runCli(['simulate', '--format', 'json', SCEN]);
    expect(r.status).toBe(1);
    const entries = JSON.parse(r.stdout) as Entry[];
    expect(entries.map((e) => e['file'])).toEqual([
      `${SCEN}/allow.json`,
      `${SCEN}/explicit-deny.json`,
      `${SCEN}/no-expect.json`,
      `${SCEN}/wrong-expectation.json`,
    ]);
    const byName = new Map(entries.map((e) => [e['file'], e]));
    expect(byName.get(`${SCEN}/explicit-deny.json`)).toMatchObject({ decision: 'ExplicitDeny', expected: 'ExplicitDeny', pass: true });
    expect(byName.get(`${SCEN}/no-expect.json`)).toMatchObject({ decision: 'Allow', expected: null, pass: true });
    expect(byName.get(`${SCEN}/wrong-expectation.json`)).toMatchObject({ decision: 'ExplicitDeny', expected: 'Allow', pass: false });
  });

  it('exits 0 when every scenario that has an expectation got it', () => {
    const r = runCli(['simulate', '--format', 'json', `${SCEN}/allow.json`, `${SCEN}/explicit-deny.json`, `${SCEN}/no-expect.json`]);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toHaveLength(3);
  });

  it('gives a file that is not JSON, or not a scenario, an entry with an error naming file, line and column, and goes on (exit 2: bad input)', () => {
    const r = runCli(['simulate', '--format', 'json', BAD]);
    expect(r.status).toBe(2);
    const entries = JSON.parse(r.stdout) as Entry[];
    expect(entries).toHaveLength(3);
    const notJson = entries.find((e) => e['file'] === `${BAD}/not-json.json`);
    expect(notJson?.['error']).toEqual(expect.stringContaining(`${BAD}/not-json.json`));
    expect(String(notJson?.['error'])).toMatch(/6:5|line 6, column 5/);
    expect(notJson).not.toHaveProperty('decision');
    const noRequest = entries.find((e) => e['file'] === `${BAD}/no-request.json`);
    expect(String(noRequest?.['error'])).toMatch(/request/);
    expect(noRequest).not.toHaveProperty('decision');
    expect(entries.find((e) => e['file'] === `${BAD}/ok.json`)).toMatchObject({ decision: 'Allow', pass: true });
  });
});

describe('simulate --format text', () => {
  it('prints each scenario with its status and explanation, and a summary, within 80 columns', () => {
    const r = runCli(['simulate', SCEN, BAD]);
    expect(r.status).toBe(2);
    expect(r.stdout).toMatch(/^PASS test\/cli\/fixtures\/scenarios\/allow\.json: alice reads job output$/m);
    expect(r.stdout).toMatch(/^FAIL test\/cli\/fixtures\/scenarios\/wrong-expectation\.json/m);
    expect(r.stdout).toMatch(/FAIL test\/cli\/fixtures\/scenarios\/wrong-expectation\.json[^\n]*\n[^\n]*\n {2}ExplicitDeny \(expected Allow\)/);
    expect(r.stdout).toMatch(/^ERROR test\/cli\/fixtures\/scenarios-bad\/not-json\.json/m);
    expect(r.stdout.trimEnd().split('\n').pop()).toBe('7 scenarios: 3 passed, 1 failed, 2 errors, 1 without expectation');
    for (const line of r.stdout.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
    expect(r.stdout).not.toContain('\u001b[');
  });
});

describe('simulate: usage', () => {
  it('exits 2 with a clean message for a path that does not exist', () => {
    const r = runCli(['simulate', `${SCEN}/allow.json`, 'no/such/dir']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('nbjob-iam: no/such/dir: no such file or directory\n');
  });
  it('exits 2 with the usage for a bad flag', () => {
    const r = runCli(['simulate', '--format', 'sarif', SCEN]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('Usage: nbjob-iam simulate');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
