/**
 * `simulate` on many files decides and writes entry by entry (nothing held), and shares the
 * policies files have in common (ScenarioPolicyCache). Neither may change a byte of the output:
 * the streamed output is compared with the whole-list rendering, and the shared reading with
 * a reading of every file afresh, over every conformance scenario.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunContext } from '../../src/cli/context.js';
import { execute, present, run } from '../../src/cli/commands/simulate.js';
import type { SimulateOptions } from '../../src/cli/options.js';
import { displayPath, displayPaths } from '../../src/cli/files.js';
import { runCli } from '../../src/cli/run.js';
import { ScenarioPolicyCache } from '../../src/engine/scenario.js';
import { simulateScenarioText } from '../../src/engine/simulate.js';

const CONFORMANCE = path.resolve('test/conformance/scenarios');

function jsonFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...jsonFiles(p));
    else if (e.name.endsWith('.json')) out.push(p);
  }
  return out.sort();
}

let tmp: string;
let folder: string;

function context(writes?: string[]): RunContext {
  return {
    cwd: tmp,
    readStdin: () => Promise.resolve(''),
    color: false,
    packageRoot: process.cwd(),
    version: '0.0.0',
    ...(writes ? { writeStdout: (t: string) => Promise.resolve(void writes.push(t)) } : {}),
  };
}

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'nbjob-simstream-'));
  folder = path.join(tmp, 'scenarios');
  // Every conformance scenario twice (so policies repeat at the same place), the CLI fixtures
  // (good, bad, invalid policies: errors mid-stream), and a copy of each invalid one again.
  const files = jsonFiles(CONFORMANCE);
  files.forEach((f, i) => {
    const sub = path.join(folder, `c${Math.floor(i / 200)}`);
    mkdirSync(sub, { recursive: true });
    cpSync(f, path.join(sub, `${String(i).padStart(4, '0')}a.json`));
    cpSync(f, path.join(sub, `${String(i).padStart(4, '0')}b.json`));
  });
  for (const d of ['scenarios', 'scenarios-bad', 'scenarios-invalid']) {
    cpSync(path.resolve('test/cli/fixtures', d), path.join(folder, `z-${d}`), { recursive: true });
    cpSync(path.resolve('test/cli/fixtures', d), path.join(folder, `z-${d}-again`), { recursive: true });
  }
});

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('simulate on a folder streams its output', () => {
  for (const format of ['json', 'text'] as const) {
    it(`${format}: the written chunks are the whole-list report, byte for byte, with the same exit status`, async () => {
      const options: SimulateOptions = { paths: ['scenarios'], format };
      const whole = present(await run(options, context()), options, context());
      const writes: string[] = [];
      const streamed = await execute(options, context(writes));
      expect(streamed.stdout).toBe('');
      // More than one write: the output is not held to the end.
      expect(writes.length).toBeGreaterThan(1);
      expect(writes.join('')).toBe(whole.stdout);
      expect(streamed.exitCode).toBe(whole.exitCode);
      // The folder holds invalid scenarios: exit 2, as for the whole list.
      expect(streamed.exitCode).toBe(2);
      // Without writeStdout (a library caller), the same text comes back in stdout.
      const returned = await execute(options, context());
      expect(returned.stdout).toBe(whole.stdout);
      if (format === 'json') expect((JSON.parse(returned.stdout) as unknown[]).length).toBe(jsonFiles(folder).length);
    });
  }

  it('one file named on its own is still one JSON object', async () => {
    const file = path.join('scenarios', 'z-scenarios', 'allow.json');
    const out = await execute({ paths: [file], format: 'json' }, context([]));
    const parsed = JSON.parse(out.stdout) as Record<string, unknown>;
    expect(Array.isArray(parsed)).toBe(false);
    expect(parsed['file']).toBe(file);
  });

  it('what a command writes as it goes passes the same control-character backstop as what it returns', async () => {
    const received: string[] = [];
    const ctx = context(received);
    const out = await runCli(['validate', 'x.json'], {
      version: '0.0.0',
      context: () => ctx,
      findCommand: () => ({
        load: () =>
          Promise.resolve({
            execute: async (_o: never, c: RunContext) => {
              await c.writeStdout?.('title \u001b]0;pwned\u0007 bidi \u202e end\n');
              return { stdout: '', exitCode: 0 };
            },
          }),
      }),
    });
    expect(out.exitCode).toBe(0);
    expect(received.join('')).toBe('title \\u001b]0;pwned\\u0007 bidi \\u202e end\n');
  });
});

describe('ScenarioPolicyCache: policies shared between files are read once and decide the same', () => {
  it('every conformance scenario decides the same with the cache as without it, and the copies hit', () => {
    const files = jsonFiles(CONFORMANCE);
    const policies = new ScenarioPolicyCache();
    const texts = files.map((f) => readFileSync(f, 'utf8'));
    for (const round of [1, 2]) {
      for (let i = 0; i < files.length; i++) {
        const name = `copy${round}/${path.basename(files[i]!)}`;
        const fresh = simulateScenarioText(texts[i]!, name, { validate: true });
        const shared = simulateScenarioText(texts[i]!, name, { validate: true, policies });
        expect(shared).toEqual(fresh);
      }
    }
    // The second round finds every policy of the first (refused ones too).
    expect(policies.hits).toBeGreaterThanOrEqual(policies.misses);
    expect(policies.misses).toBeGreaterThan(0);
  });

  it('the same policy text at another line is read afresh: the trace cites where it is in this file', () => {
    const policy = '{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}';
    const scenario = (pad: string): string =>
      `{"name":"s",${pad}"request":{"principal":"arn:aws:sts::111122223333:assumed-role/r/s","principalRoleArn":"arn:aws:iam::111122223333:role/r","action":"s3:GetObject","resource":"arn:aws:s3:::b/k"},\n"policies":{"identity":[${policy}]}}`;
    const policies = new ScenarioPolicyCache();
    const a = simulateScenarioText(scenario(''), 'a.json', { validate: true, policies });
    const b = simulateScenarioText(scenario('\n\n\n'), 'b.json', { validate: true, policies });
    expect(policies.hits).toBe(0);
    expect(a.allowedBy?.[0]?.line).toBe(2);
    expect(b.allowedBy?.[0]?.line).toBe(5);
    expect(b).toEqual(simulateScenarioText(scenario('\n\n\n'), 'b.json', { validate: true }));
    // The same text at the same place in a third file is found again.
    const c = simulateScenarioText(scenario('\n\n\n'), 'c.json', { validate: true, policies });
    expect(policies.hits).toBe(1);
    expect(c.allowedBy).toEqual(b.allowedBy);
  });

  it('a refused policy found again is refused with a message naming the file it is in', () => {
    const bad = '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:GetObject","Resource":"*","Condition":{"Null":{"aws:SourceIp":"tru"}}}]}';
    const text = `{"name":"s","request":{"principal":"arn:aws:sts::111122223333:assumed-role/r/s","principalRoleArn":"arn:aws:iam::111122223333:role/r","action":"s3:GetObject","resource":"arn:aws:s3:::b/k"},"policies":{"identity":[${bad}]}}`;
    const policies = new ScenarioPolicyCache();
    const one = simulateScenarioText(text, 'one.json', { validate: true, policies });
    const two = simulateScenarioText(text, 'two.json', { validate: true, policies });
    expect(policies.hits).toBe(1);
    expect(one.error).toMatch(/^one\.json:1:\d+: policies\.identity\[0\]: /);
    expect(two.error).toBe(one.error?.replace('one.json', 'two.json'));
    expect(two.invalidPolicy).toEqual(one.invalidPolicy);
    expect(two).toEqual(simulateScenarioText(text, 'two.json', { validate: true }));
  });

  it('is bounded: a cache smaller than the policies keeps at most two generations', () => {
    const policies = new ScenarioPolicyCache({ maxChars: 2_000 });
    for (const f of jsonFiles(CONFORMANCE).slice(0, 200)) simulateScenarioText(readFileSync(f, 'utf8'), f, { validate: true, policies });
    const large = new ScenarioPolicyCache();
    for (const f of jsonFiles(CONFORMANCE).slice(0, 200)) simulateScenarioText(readFileSync(f, 'utf8'), f, { validate: true, policies: large });
    expect(policies.size).toBeLessThan(large.size);
    expect(policies.size).toBeGreaterThan(0);
  });
});

describe('displayPaths', () => {
  it('gives what displayPath gives, for files inside, beside and above the working folder', () => {
    const cwd = path.join(os.tmpdir(), 'work', 'here');
    const shown = displayPaths(cwd);
    const paths = [
      path.join(cwd, 'a.json'),
      path.join(cwd, 'sub', 'b.json'),
      path.join(cwd, 'sub', 'c.json'),
      path.join(os.tmpdir(), 'work', 'there', 'd.json'),
      path.join(os.tmpdir(), 'e.json'),
      path.parse(cwd).root + 'f.json',
      cwd,
    ];
    for (const p of paths) expect(shown(p)).toBe(displayPath(cwd, p));
  });
});
