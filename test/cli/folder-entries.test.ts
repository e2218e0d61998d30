/**
 * `validate DIR` and `simulate DIR`: nothing below a folder is dropped silently
 * (docs/input.md "Folders"). A symbolic link to a regular file is read; a FIFO, a socket
 * or device, a symlink loop, a dangling symlink and a symlink to a directory are each
 * named on stderr with why, the files that could be read are still judged, and the exit
 * status is 2 (the input was incomplete). Run through the built CLI, as a user runs it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILD_TIMEOUT_MS, ensureBuilt, MAIN, ROOT } from './helpers.js';

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}
function run(args: readonly string[], cwd: string): Run {
  const r = spawnSync(process.execPath, [MAIN, ...args], { cwd, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const GOOD_POLICY = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }] });
const SCENARIO = readFileSync(path.join(ROOT, 'reference', 'scenarios', 'studio-passes-job-role-to-sagemaker.json'), 'utf8');

let dir: string;
beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(path.join(tmpdir(), 'nbjob-folder-'));
}, BUILD_TIMEOUT_MS);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A folder with one good file, a symlink to a good file outside it, and `bad` entries. */
function folder(name: string, content: string, bad: (root: string) => void): string {
  const root = path.join(dir, name);
  mkdirSync(root);
  writeFileSync(path.join(root, 'a-good.json'), content);
  const outside = path.join(dir, `${name}-outside.json`);
  writeFileSync(outside, content);
  symlinkSync(outside, path.join(root, 'b-link-to-file.json'));
  bad(root);
  return root;
}

const KINDS: ReadonlyArray<{ what: string; make: (root: string) => void; shown: string; reason: RegExp }> = [
  { what: 'a FIFO', make: (r) => execFileSync('mkfifo', [path.join(r, 'c-pipe.json')]), shown: 'c-pipe.json', reason: /a named pipe \(FIFO\), not a regular file/ },
  { what: 'a symlink loop', make: (r) => symlinkSync(path.join(r, 'c-loop.json'), path.join(r, 'c-loop.json')), shown: 'c-loop.json', reason: /symbolic link loop/ },
  {
    what: 'a dangling symlink',
    make: (r) => symlinkSync(path.join(r, 'gone.json'), path.join(r, 'c-dangling.json')),
    shown: 'c-dangling.json',
    reason: /dangling symbolic link: its target does not exist \(it points to .*gone\.json\)/,
  },
  {
    what: 'a symlink to a directory (whatever its name)',
    make: (r) => {
      mkdirSync(path.join(r, '..', `${path.basename(r)}-elsewhere`));
      symlinkSync(path.join(r, '..', `${path.basename(r)}-elsewhere`), path.join(r, 'c-more'));
    },
    shown: 'c-more',
    reason: /symbolic link to a directory, which is not followed inside a folder; name it on the command line/,
  },
  { what: 'a *.json symlink to a device', make: (r) => symlinkSync('/dev/null', path.join(r, 'c-null.json')), shown: 'c-null.json', reason: /symbolic link to a device, not a regular file/ },
];

describe('validate DIR and simulate DIR: every entry is read or named', () => {
  it('a folder of regular files and a symlink to a regular file (outside the folder): all read, exit 0, nothing on stderr', () => {
    const root = folder('clean', GOOD_POLICY, () => undefined);
    const out = run(['validate', '--format', 'json', root], dir);
    expect(out.stderr).toBe('');
    expect(out.status).toBe(0);
    const v = run(['validate', root], dir);
    expect(v.stdout).toContain('clean/a-good.json');
    expect(v.stdout).toContain('clean/b-link-to-file.json');
    expect(v.stdout).toMatch(/^2 files:/m);
  });

  for (const [i, k] of KINDS.entries()) {
    it(`validate: ${k.what} is named on stderr with why, the other files are still judged, exit 2`, () => {
      const root = folder(`v${i}`, GOOD_POLICY, k.make);
      const out = run(['validate', root], dir);
      expect(out.status, out.stderr).toBe(2);
      expect(out.stderr.replace(/\s+/g, ' ')).toContain(`nbjob-iam: skipped v${i}/${k.shown}: `);
      expect(out.stderr.replace(/\s+/g, ' ')).toMatch(k.reason);
      expect(out.stderr).toMatch(/1 entry was not read: the input is incomplete \(exit status 2\)/);
      // The readable files were judged all the same: the plain one and the link to a file.
      expect(out.stdout).toMatch(/^2 files:/m);
      expect(out.stdout).toContain(`v${i}/b-link-to-file.json`);
    });

    it(`simulate: ${k.what} is named on stderr, the scenarios are still decided, exit 2 (JSON stays an array)`, () => {
      const root = folder(`s${i}`, SCENARIO, k.make);
      const out = run(['simulate', '--format', 'json', root], dir);
      expect(out.status, out.stderr).toBe(2);
      expect(out.stderr.replace(/\s+/g, ' ')).toContain(`nbjob-iam: skipped s${i}/${k.shown}: `);
      expect(out.stderr.replace(/\s+/g, ' ')).toMatch(k.reason);
      const entries = JSON.parse(out.stdout) as Array<{ file: string; pass: boolean }>;
      expect(entries.map((e) => path.basename(e.file))).toEqual(['a-good.json', 'b-link-to-file.json']);
      expect(entries.every((e) => e.pass)).toBe(true);
    });
  }

  it('several skipped entries are each named; a folder where nothing can be read is a usage error that lists them', () => {
    const root = path.join(dir, 'nothing');
    mkdirSync(root);
    for (const k of KINDS) k.make(root);
    for (const cmd of ['validate', 'simulate']) {
      const out = run([cmd, root], dir);
      expect(out.status).toBe(2);
      expect(out.stdout).toBe('');
      const flat = out.stderr.replace(/\s+/g, ' ');
      expect(flat).toContain('no *.json file could be read');
      for (const k of KINDS) {
        expect(flat).toContain(`nothing/${k.shown}:`);
        expect(flat).toMatch(k.reason);
      }
    }
  });

  it('a file name with a newline or an escape is named on one line, escaped', () => {
    const root = folder('names', GOOD_POLICY, (r) => execFileSync('mkfifo', [path.join(r, 'x\n\u001b[2Jy.json')]));
    const out = run(['validate', root], dir);
    expect(out.status).toBe(2);
    expect(out.stderr.replace(/\s+/g, ' ')).toContain('nbjob-iam: skipped names/x\\n\\u001b[2Jy.json: a named pipe (FIFO), not a regular file');
  });

  it('naming a symlink to a directory on the command line walks it', () => {
    const target = path.join(dir, 'named-target');
    mkdirSync(target);
    writeFileSync(path.join(target, 'p.json'), GOOD_POLICY);
    symlinkSync(target, path.join(dir, 'named-link'));
    const out = run(['validate', 'named-link'], dir);
    expect(out.stderr).toBe('');
    expect(out.status).toBe(0);
    expect(out.stdout).toContain('named-link/p.json');
  });
});
