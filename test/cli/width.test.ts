/**
 * Help and error messages fit 80 columns: every command's --help, the top-level help,
 * usage errors, and the errors commands raise (run in process, with the real table).
 */
import { describe, expect, it } from 'vitest';
import type { RunContext } from '../../src/cli/context.js';
import { CliError, EXIT } from '../../src/cli/errors.js';
import { fitLines, runCli } from '../../src/cli/run.js';
import { COMMANDS } from '../../src/cli/table.js';

const ctx: RunContext = { cwd: process.cwd(), readStdin: () => Promise.resolve(''), color: false, packageRoot: process.cwd(), version: '9.9.9' };
const real = { version: '9.9.9', runtime: 'node test', context: () => ctx };

function long(text: string): string[] {
  return text.split('\n').filter((l) => [...l].length > 80);
}

describe('help and errors fit 80 columns', () => {
  it('every --help', async () => {
    for (const argv of [['--help'], ...COMMANDS.map((c) => [c.name, '--help'])]) {
      const out = await runCli(argv, real);
      expect(out.exitCode, argv.join(' ')).toBe(EXIT.ok);
      expect(out.stdout.length).toBeGreaterThan(200);
      expect(long(out.stdout), argv.join(' ')).toEqual([]);
    }
  });

  it('usage errors: no command, an unknown one, a bad flag, a bad choice, a missing file', async () => {
    const cases = [[], ['frobnicate'], ['check', '--bogus'], ['check', '--example', '--format', 'xml'], ['check'], ['generate'], ['snapshot'], ['check', '--snapshot', 'no/such/file.json'], ['snapshot', '--cli-script', '--out', 'x.json']];
    for (const argv of cases) {
      const out = await runCli(argv, real);
      expect(out.exitCode, argv.join(' ')).not.toBe(EXIT.ok);
      expect(out.stderr ?? '', argv.join(' ')).toMatch(/^nbjob-iam: /);
      expect(long(out.stderr ?? ''), argv.join(' ')).toEqual([]);
    }
  });

  it('an error a command raises is wrapped, words whole', async () => {
    const message = `the policy ${'x'.repeat(30)} in file ${'y/'.repeat(20)}z.json cannot be read because of a reason that takes more than a line to say`;
    const out = await runCli(['validate', 'x.json'], { ...real, findCommand: () => ({ load: () => Promise.resolve({ execute: () => Promise.reject(new CliError(message, EXIT.failed)) }) }) });
    expect(long(out.stderr ?? '')).toEqual([]);
    expect((out.stderr ?? '').replace(/\s+/g, ' ')).toContain(message);
    expect(fitLines(`nbjob-iam: ${'a'.repeat(100)} b`)).toBe(`nbjob-iam:\n  ${'a'.repeat(100)}\n  b`);
  });
});
