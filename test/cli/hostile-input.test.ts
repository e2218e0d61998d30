/**
 * Hostile input through the built CLI, as a user or an attacker would give it. Every
 * command that reads files, every class of bad file: exit 1 or 2 with a clear message,
 * never 3, never a hang (each run has a timeout), never a raw control character in any
 * output. Values are random per run: the classes are tested, not the instances.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILD_TIMEOUT_MS, ensureBuilt, MAIN, ROOT } from './helpers.js';

// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const TIMEOUT_MS = 60_000;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}
function run(args: readonly string[], cwd: string, input = ''): Run {
  const r = spawnSync(process.execPath, [MAIN, ...args], { cwd, input, encoding: 'utf8', timeout: TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' } });
  // status null: killed by the timeout (a hang) or a signal.
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Both streams on one line: text output wraps long messages. */
const flat = (r: Run): string => (r.stderr + r.stdout).replace(/\s+/g, ' ');
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)]!;
/** A random string of dangerous characters: C0, DEL, C1, bidi overrides and isolates. */
function hostileChars(): string {
  const pool = [0x1b, 0x07, 0x08, 0x0d, 0x00, 0x7f, 0x9b, 0x85, 0x90, 0x202e, 0x2066, 0x200f, 0x0c];
  const n = 2 + Math.floor(Math.random() * 5);
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(pick(pool)) + pick(['[2J', ']0;t', '', 'x', '[31m']);
  return s;
}

let dir: string;
const policy = (extra: Record<string, unknown> = {}) => ({ Version: '2012-10-17', Statement: [{ Sid: 'S1', Effect: 'Allow', Action: 's3:GetObject', Resource: '*', ...extra }] });
const scenarioText = readFileSync(path.join(ROOT, 'reference', 'scenarios', 'studio-passes-job-role-to-sagemaker.json'), 'utf8');
const accountText = readFileSync(path.join(ROOT, 'examples', 'account.json'), 'utf8');

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(path.join(tmpdir(), 'nbjob-hostile-'));
}, BUILD_TIMEOUT_MS);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The commands that read one file, with how each names it. */
const READERS: ReadonlyArray<{ name: string; args: (file: string) => string[]; kind: 'policy' | 'scenario' | 'snapshot' }> = [
  { name: 'validate', args: (f) => ['validate', f], kind: 'policy' },
  { name: 'simulate', args: (f) => ['simulate', f], kind: 'scenario' },
  { name: 'explain (scenario)', args: (f) => ['explain', f], kind: 'scenario' },
  { name: 'explain (policy)', args: (f) => ['explain', '--principal', 'arn:aws:sts::111122223333:assumed-role/R/s', '--action', 's3:GetObject', '--resource', 'arn:aws:s3:::b/k', '--identity', f], kind: 'policy' },
  { name: 'check', args: (f) => ['check', '--snapshot', f], kind: 'snapshot' },
];

function validText(kind: 'policy' | 'scenario' | 'snapshot'): string {
  return kind === 'policy' ? JSON.stringify(policy(), null, 2) : kind === 'scenario' ? scenarioText : accountText;
}

describe('files that are not regular files', () => {
  for (const r of READERS) {
    it(`${r.name}: a FIFO, a device, a symlink loop: exit 2 naming the file, no hang`, () => {
      const fifo = path.join(dir, `fifo-${Math.random().toString(36).slice(2)}.json`);
      execFileSync('mkfifo', [fifo]);
      const loop = path.join(dir, `loop-${Math.random().toString(36).slice(2)}.json`);
      symlinkSync(loop, loop);
      for (const [file, message] of [
        [fifo, /named pipe \(FIFO\), expected a regular file/],
        [pick(['/dev/zero', '/dev/null', '/dev/urandom']), /a device, expected a regular file/],
        [loop, /symlink loop/],
      ] as const) {
        const out = run(r.args(file), dir);
        expect(out.status, `${r.name} ${file}: ${out.stderr}${out.stdout}`).toBe(2);
        expect(flat(out)).toMatch(message);
        expect(out.stderr + out.stdout).toContain(path.basename(file));
      }
    });
  }
  it('check --snapshot DIR and explain --identity DIR: a directory is named as such', () => {
    const sub = path.join(dir, 'a-folder.json');
    mkdirSync(sub, { recursive: true });
    for (const args of [READERS[4]!.args(sub), READERS[3]!.args(sub)]) {
      const out = run(args, dir);
      expect(out.status).toBe(2);
      expect(flat(out)).toMatch(/a directory, expected a regular file/);
    }
  });
});

describe('the size cap, before reading', () => {
  for (const r of READERS) {
    it(`${r.name}: a file over the cap is refused at once; --max-input-size raises it`, () => {
      const file = path.join(dir, `big-${r.kind}-${Math.random().toString(36).slice(2)}.json`);
      const cap = 1000 + Math.floor(Math.random() * 5000);
      writeFileSync(file, validText(r.kind).replace(/^\{/, `{${' '.repeat(cap)}`));
      const refused = run([...r.args(file), '--max-input-size', String(cap)], dir);
      expect(refused.status).toBe(2);
      expect(flat(refused)).toMatch(/more than the limit of .*--max-input-size/);
      const raised = run([...r.args(file), '--max-input-size', `${cap * 20}`], dir);
      expect(raised.status, raised.stderr + raised.stdout).not.toBe(2);
      expect([0, 1]).toContain(raised.status);
    });
  }
  it('diagnose: the snapshot and each error file are capped before reading; --max-input-size raises both', () => {
    const errorText = readFileSync(path.join(ROOT, 'examples', 'errors', 'studio-schedule.txt'), 'utf8');
    const snap = writeVariant('diag-snapshot', Buffer.from(accountText));
    const snapBytes = Buffer.byteLength(accountText);
    // The error file is larger than the snapshot by a random margin; the cap falls in between.
    const margin = 1000 + Math.floor(Math.random() * 5000);
    const err = writeVariant('diag-error', Buffer.from(`${' '.repeat(snapBytes + margin)}\n${errorText}`));
    // The error file over the cap (the snapshot under it): refused, naming it and the flag.
    const capped = run(['diagnose', '--snapshot', snap, err, '--max-input-size', String(snapBytes + Math.floor(margin / 2))], dir);
    expect(capped.status, capped.stderr).toBe(2);
    expect(flat(capped)).toContain(path.basename(err));
    expect(flat(capped)).toMatch(/more than the limit of .*--max-input-size/);
    // The snapshot over the cap: refused before it is read.
    const small = run(['diagnose', '--snapshot', snap, err, '--max-input-size', String(snapBytes - 1)], dir);
    expect(small.status).toBe(2);
    expect(flat(small)).toContain(path.basename(snap));
    expect(flat(small)).toMatch(/more than the limit of .*--max-input-size/);
    // Raised: read and diagnosed (the example error is a denial: exit 1).
    const raised = run(['diagnose', '--snapshot', snap, err, '--max-input-size', '80MiB'], dir);
    expect(raised.status, raised.stderr).toBe(1);
    const bad = run(['diagnose', '--example', '--max-input-size', 'huge'], dir);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--max-input-size: "huge" is not a size/);
  });
  it('refuses a size that is not one', () => {
    const out = run(['validate', '--max-input-size', pick(['lots', '-5', '0', '3 parsecs']), 'x.json'], dir);
    expect(out.status).toBe(2);
    expect(out.stderr).toMatch(/--max-input-size/);
  });
});

describe('encodings: one decoding for every command', () => {
  for (const r of READERS) {
    it(`${r.name}: a UTF-8 BOM and UTF-16 (PowerShell) read like UTF-8; invalid UTF-8 gives exit 2 with byte offset, line and column`, () => {
      const text = validText(r.kind);
      const utf8 = run(r.args(writeVariant(`plain-${r.kind}`, Buffer.from(text))), dir);
      expect([0, 1]).toContain(utf8.status);
      for (const [label, bytes] of [
        ['bom', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)])],
        ['utf16le', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])],
        ['utf16be', Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()])],
      ] as const) {
        const out = run(r.args(writeVariant(`${label}-${r.kind}`, bytes)), dir);
        expect(out.status, `${label}: ${out.stderr}`).toBe(utf8.status);
      }
      // An invalid byte inside a string on a random line.
      const lines = text.split('\n');
      const at = Math.floor(Math.random() * (lines.length - 1));
      const bad = pick([[0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0x80]]);
      const prefix = Buffer.from(lines.slice(0, at).join('\n') + (at > 0 ? '\n' : ''));
      const bytes = Buffer.concat([prefix, Buffer.from(bad), Buffer.from(lines.slice(at).join('\n'))]);
      const out = run(r.args(writeVariant(`bad-${r.kind}`, bytes)), dir);
      expect(out.status).toBe(2);
      expect(flat(out)).toMatch(new RegExp(`:${at + 1}:1: invalid UTF-8: byte 0x[0-9A-F]{2} at byte offset ${prefix.length}`));
    });
  }
  it('validate -: standard input is decoded the same way', () => {
    const text = JSON.stringify(policy());
    const out = spawnSync(process.execPath, [MAIN, 'validate', '-'], { input: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]), timeout: TIMEOUT_MS, encoding: 'utf8' });
    expect(out.status, out.stderr).toBe(0);
  });
});

function writeVariant(name: string, bytes: Buffer): string {
  const file = path.join(dir, `${name}-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, bytes);
  return file;
}

describe('no raw control character reaches any output', () => {
  it('validate (text, json, sarif), simulate and explain (text, json) on a policy and scenario full of them', () => {
    const h = hostileChars;
    const pol = policy({ Sid: `S${h()}`, Action: [`s3:Get${h()}Object`, 's3:GetObject'], Resource: [`arn:aws:s3:::b${h()}/*`, '*'] });
    const polFile = writeVariant('ctrl-policy', Buffer.from(JSON.stringify(pol)));
    const scenario = JSON.parse(scenarioText) as { name: string; policies: { identity: Array<{ Statement: Array<Record<string, unknown>> }> } };
    scenario.name = `n${h()}`;
    scenario.policies.identity[0]!.Statement[0]!['Sid'] = `A${h()}`;
    const scnFile = writeVariant('ctrl-scenario', Buffer.from(JSON.stringify(scenario)));
    const runs: Array<[string[], number[]]> = [
      [['validate', polFile], [1]],
      [['validate', '--format', 'json', polFile], [1]],
      [['validate', '--format', 'sarif', polFile], [1]],
      // The scenario's Sid holds control characters, an error of validate (sid-invalid-characters):
      // simulate and explain refuse to decide it (exit 2) and name it, escaped.
      [['simulate', scnFile], [2]],
      [['simulate', '--format', 'json', scnFile], [2]],
      [['explain', scnFile], [2]],
      [['explain', '--format', 'json', scnFile], [2]],
    ];
    for (const [args, statuses] of runs) {
      const out = run(args, dir);
      expect(statuses, `${args.join(' ')}: ${out.stderr}`).toContain(out.status);
      expect(RAW_CONTROL.test(out.stdout), `${args.join(' ')} stdout`).toBe(false);
      expect(RAW_CONTROL.test(out.stderr), `${args.join(' ')} stderr`).toBe(false);
      if (args.includes('json') || args.includes('sarif')) expect(() => JSON.parse(out.stdout)).not.toThrow();
    }
  });
  it('check in every format, on a snapshot whose names and statements hold them', () => {
    const h = hostileChars;
    const account = JSON.parse(accountText) as { roles: Array<{ name: string; inlinePolicies: Array<{ name: string; document: unknown }> }> };
    for (const role of account.roles) role.inlinePolicies.push({ name: `p${h()}`, document: policy({ Sid: `Z${h()}`, Effect: 'Deny', Action: 'sagemaker:CreateTrainingJob' }) });
    const file = writeVariant('ctrl-account', Buffer.from(JSON.stringify(account)));
    for (const format of ['text', 'json', 'markdown', 'sarif', 'html']) {
      const out = run(['check', '--snapshot', file, '--format', format], dir);
      // A Sid holding control characters is an error for validate, so the policy is invalid
      // and check exits 2 (bad input); never 3, and never a raw control byte in the output.
      expect([0, 1, 2], `${format}: ${out.stderr}`).toContain(out.status);
      expect(RAW_CONTROL.test(out.stdout), `check ${format}`).toBe(false);
      expect(RAW_CONTROL.test(out.stderr), `check ${format} stderr`).toBe(false);
    }
  });
});

describe('huge values: bounded output, no stack overflow', () => {
  it('a policy with a multi-megabyte string: validate, explain and simulate answer (never exit 3) with short output', () => {
    const size = (3 + Math.floor(Math.random() * 5)) * 1024 * 1024;
    const where = pick(['Action', 'Resource', 'Sid']);
    const big = policy({ [where]: where === 'Action' ? `s3:${'a'.repeat(size)}` : where === 'Sid' ? 'x'.repeat(size) : `arn:aws:s3:::${'b'.repeat(size)}` });
    const file = writeVariant('huge', Buffer.from(JSON.stringify(big)));
    const out = run(['validate', '--max-input-size', '64MiB', file], dir);
    expect(out.status, out.stderr.slice(0, 500)).toBe(1);
    expect(out.stdout.length).toBeLessThan(20_000);
    const scenario = JSON.parse(scenarioText) as { policies: { identity: unknown[] } };
    scenario.policies.identity.push(big);
    const scn = writeVariant('huge-scenario', Buffer.from(JSON.stringify(scenario)));
    for (const args of [['simulate', scn], ['explain', scn], ['simulate', '--format', 'json', scn]]) {
      const r = run([...args, '--max-input-size', '64MiB'], dir);
      expect([0, 1, 2], `${args.join(' ')}: ${r.stderr.slice(0, 500)}`).toContain(r.status);
      expect(r.stderr).not.toMatch(/internal error/);
      // Text is for people: values cut. JSON is data: a Sid stays whole, but only once or twice.
      expect(r.stdout.length + r.stderr.length).toBeLessThan(args.includes('json') ? 3 * size : 20_000);
    }
  });
});

describe('exit codes for bad input', () => {
  it('explain and simulate with a malformed scenario exit 2, not the "denied"/"failed" 1', () => {
    const s = JSON.parse(scenarioText) as { request: Record<string, unknown> };
    delete s.request[pick(['action', 'resource', 'principal'])];
    const file = writeVariant('malformed', Buffer.from(JSON.stringify(s, null, 2)));
    for (const args of [['explain', file], ['simulate', file], ['explain', '--format', 'json', file]]) {
      const out = run(args, dir);
      expect(out.status, args.join(' ')).toBe(2);
    }
  });
});
