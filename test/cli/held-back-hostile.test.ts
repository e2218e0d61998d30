/**
 * Held-back hostile inputs (docs/fuzzing.md, "Held-back hostile inputs"): each failed before
 * its fix (a timeout, an exit 3, a raw newline or escape in a message, minutes of CPU). Run
 * through the built CLI with a timeout, as a user or an attacker would; every run ends with
 * exit 1 or 2 and a message naming the file and line/column or JSON path, and no raw control
 * character in any output. No time or memory is asserted (benchmarks measure speed): the
 * timeout only turns a hang into a failure.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseContextPairs } from '../../src/cli/table.js';
import { caretSnippet, LineIndex } from '../../src/report/text.js';
import { BUILD_TIMEOUT_MS, ensureBuilt, MAIN, ROOT } from './helpers.js';

// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}
function run(args: readonly string[], cwd: string): Run {
  const r = spawnSync(process.execPath, [MAIN, ...args], { cwd, encoding: 'utf8', timeout: 120_000, maxBuffer: 256 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
function clean(r: Run, what: string): void {
  expect(RAW_CONTROL.test(r.stdout), `${what}: stdout`).toBe(false);
  expect(RAW_CONTROL.test(r.stderr), `${what}: stderr`).toBe(false);
  expect(r.stderr + r.stdout, what).not.toMatch(/internal error|bug in nbjob-iam/);
}

let dir: string;
beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(path.join(tmpdir(), 'nbjob-held-back-'));
}, BUILD_TIMEOUT_MS);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ALLOW = { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' };

describe('a policy whose findings are many, on one long line', () => {
  it('LineIndex and caretSnippet: a caret at column 3,000,000 shows the window around it', () => {
    const line = `${'x'.repeat(3_000_000)}"here"${'y'.repeat(100)}`;
    const [src, caret] = caretSnippet(new LineIndex(`{\r\n${line}\n}`), 2, 3_000_001, 80);
    expect(src).toContain('"here"');
    expect(src!.length).toBeLessThanOrEqual(80);
    expect(caret!.indexOf('^')).toBe(src!.indexOf('"here"'));
    const index = new LineIndex('a\r\nb\rc\nd');
    expect([1, 2, 3, 4, 5].map((n) => index.line(n))).toEqual(['a', 'b', 'c', 'd', undefined]);
  });

  it('validate --max-input-size 64MiB on 20,000 statements in one line: every finding is printed (it took minutes)', () => {
    const n = 20_000;
    const file = path.join(dir, 'many.json');
    writeFileSync(file, JSON.stringify({ Version: '2012-10-17', Statement: Array.from({ length: n }, (_, i) => ({ Sid: `S${i}`, ...ALLOW })) }));
    const r = run(['validate', '--max-input-size', '64MiB', file], dir);
    expect(r.status).toBe(1);
    clean(r, 'validate');
    // One finding per statement (Resource "*" for s3:GetObject) and the size error, each with its caret.
    expect(r.stdout).toMatch(new RegExp(`^1 file: 1 error, ${n.toLocaleString('en-US').replace(',', ',?')} warnings`, 'm'));
    expect(r.stdout.split('\n').filter((l) => /^\s+\|\s+\^$/.test(l)).length).toBeGreaterThanOrEqual(n);
  });
});

describe('a snapshot that did not come from AWS', () => {
  it('100,000 tags on a role: exit 2 naming the file, line, column and JSON path (each step copied them: minutes)', () => {
    const account = JSON.parse(readFileSync(path.join(ROOT, 'examples', 'account.json'), 'utf8')) as { roles: Array<{ tags?: Record<string, string> }> };
    const tags: Record<string, string> = {};
    for (let i = 0; i < 100_000; i++) tags[`t${i}`] = `v${i}`;
    account.roles[1]!.tags = tags;
    const text = JSON.stringify(account, null, 2);
    const file = path.join(dir, 'tags.json');
    writeFileSync(file, text);
    const line = text.slice(0, text.indexOf('"t0"')).split('\n').length - 1;
    for (const args of [['check', '--snapshot', file], ['diagnose', '--snapshot', file, path.join(ROOT, 'examples', 'errors', 'studio-schedule.txt')]]) {
      const r = run(args, dir);
      expect(r.status, args[0]).toBe(2);
      clean(r, args[0]!);
      const flat = r.stderr.replace(/\s+/g, ' ');
      expect(flat).toMatch(new RegExp(`tags\\.json:${line}:\\d+: 100,000 tags; AWS allows at most 50 on a role, user or resource`));
      expect(flat).toContain('(at $.roles[1].tags)');
    }
  });

  it('50 tags is what AWS allows, and is read', () => {
    const account = JSON.parse(readFileSync(path.join(ROOT, 'examples', 'account.json'), 'utf8')) as { roles: Array<{ tags?: Record<string, string> }> };
    account.roles[1]!.tags = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`t${i}`, 'v']));
    const file = path.join(dir, 'tags50.json');
    writeFileSync(file, JSON.stringify(account));
    expect([0, 1]).toContain(run(['check', '--snapshot', file], dir).status);
  });
});

describe('names and values with newlines and escapes, and odd targets', () => {
  it('a missing file whose name holds a newline and ESC is named on one line, escaped (validate, check, snapshot --from-cli)', () => {
    const name = 'no\nsuch\u001b[2J.json';
    for (const args of [['validate', name], ['check', '--snapshot', name], ['snapshot', '--from-cli', name, '--out', 'x.json']]) {
      const r = run(args, dir);
      expect(r.status, args[0]).toBe(2);
      clean(r, args[0]!);
      expect(r.stderr.split('\n')[0]).toContain('no\\nsuch\\u001b[2J');
    }
  });

  it('generate and setup quote a bad flag value on one line, cut when long', () => {
    const role = 'arn:aws:iam::111122223333:role/R';
    const gen = run(['generate', '--account', '111122223333', '--region', `us-east-1\n\u001b]0;x\u0007${'u'.repeat(5000)}`, '--studio-role', role, '--job-role', role], dir);
    expect(gen.status).toBe(2);
    clean(gen, 'generate');
    expect(gen.stderr.replace(/\s+/g, ' ')).toMatch(/--region must be a region name such as us-east-1, got "us-east-1\\n\\u001b\]0;x\\u0007u+… \(\d+ more characters\)"/);
    const setup = run(['setup', '--plan', '--region', 'us-east-1', '--job-role', `${role}\nx`], dir);
    expect(setup.status).toBe(2);
    clean(setup, 'setup');
    expect(setup.stderr.replace(/\s+/g, ' ')).toContain(`got "${role}\\nx"`);
  });

  it('snapshot --out naming a directory exits 2 before reading anything (it was an internal error, exit 3)', () => {
    const out = path.join(dir, 'out.json');
    mkdirSync(out);
    const r = run(['snapshot', '--from-cli', path.join(ROOT, 'examples', 'aws-cli'), '--out', out], dir);
    expect(r.status).toBe(2);
    clean(r, 'snapshot');
    expect(r.stderr.replace(/\s+/g, ' ')).toContain(`--out ${out}: is a directory`);
  });
});

describe('check --baseline and --suppressions read like every other input (docs/input.md)', () => {
  it('a named pipe is refused at once (it hung, waiting for a writer), a folder is named as a folder, text that is not JSON gets line and column', () => {
    const fifo = path.join(dir, 'baseline.fifo');
    if (process.platform !== 'win32') {
      spawnSync('mkfifo', [fifo]);
      const r = run(['check', '--example', '--baseline', fifo], dir);
      expect(r.status).toBe(2);
      clean(r, 'fifo');
      expect(r.stderr.replace(/\s+/g, ' ')).toContain(`${fifo}: is a named pipe (FIFO), expected a regular file`);
    }
    const folder = path.join(dir, 'suppressions.d');
    mkdirSync(folder);
    const f = run(['check', '--example', '--suppressions', folder], dir);
    expect(f.status).toBe(2);
    clean(f, 'folder');
    expect(f.stderr.replace(/\s+/g, ' ')).toContain(`${folder}: is a directory, expected a regular file`);
    const bad = path.join(dir, 'baseline.json');
    writeFileSync(bad, '{"kind": "domain",\n  "profiles": [}\n');
    const b = run(['check', '--example', '--baseline', bad], dir);
    expect(b.status).toBe(2);
    clean(b, 'not JSON');
    expect(b.stderr.replace(/\s+/g, ' ')).toMatch(new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2:16: .*; expected a report of check --format json`));
  });
});

describe('snapshot --merge-org reads its file like every other input', () => {
  it('a named pipe is refused at once (it hung), and a UTF-16 file is named as such', () => {
    const cliDir = path.join(ROOT, 'examples', 'aws-cli');
    if (process.platform !== 'win32') {
      const fifo = path.join(dir, 'org.fifo');
      spawnSync('mkfifo', [fifo]);
      const r = run(['snapshot', '--from-cli', cliDir, '--merge-org', fifo, '--out', path.join(dir, 'merged.json')], dir);
      expect(r.status).toBe(2);
      clean(r, 'merge-org fifo');
      expect(r.stderr.replace(/\s+/g, ' ')).toContain(`--merge-org: ${fifo}: is a named pipe (FIFO), expected a regular file`);
    }
    const utf16 = path.join(dir, 'org-utf16.json');
    writeFileSync(utf16, Buffer.from('\ufeff{"snapshotVersion": 1}', 'utf16le'));
    const u = run(['snapshot', '--from-cli', cliDir, '--merge-org', utf16, '--out', path.join(dir, 'merged.json')], dir);
    expect(u.status).toBe(2);
    clean(u, 'merge-org utf-16');
    // Decoded (UTF-16 with a byte-order mark is read), then refused for what it holds: no organization.
    expect(u.stderr.replace(/\s+/g, ' ')).toMatch(/--merge-org: .*org-utf16\.json/);
    expect(u.stderr).not.toMatch(/Unexpected character|internal error/);
  });
});

describe('many --context pairs', () => {
  it('5,000 keys and a key given 20,000 times are parsed by key, case-insensitively, in one pass', () => {
    const pairs = Array.from({ length: 5000 }, (_, i) => `aws:PrincipalTag/k${i}=v${i}`);
    for (let i = 0; i < 20_000; i++) pairs.push(`${i % 2 ? 'AWS:SourceVpc' : 'aws:sourcevpc'}=vpc-${i}`);
    const ctx = parseContextPairs(pairs);
    expect(Object.keys(ctx)).toHaveLength(5001);
    expect(ctx['aws:PrincipalTag/k4999']).toBe('v4999');
    expect(ctx['aws:sourcevpc']).toHaveLength(20_000);
  });
});
