/** How runCli turns outcomes into output and exit status: usage errors, expected failures, bugs. */
import { describe, expect, it } from 'vitest';
import type { RunContext } from '../../src/cli/context.js';
import { CliError, EXIT } from '../../src/cli/errors.js';
import { runCli } from '../../src/cli/run.js';
import type { RunDeps } from '../../src/cli/run.js';

const ctx: RunContext = {
  cwd: process.cwd(),
  readStdin: () => Promise.resolve(''),
  color: false,
  packageRoot: process.cwd(),
  version: '9.9.9',
};

function deps(execute: () => Promise<never>): RunDeps {
  return { version: '9.9.9', runtime: 'node test', context: () => ctx, findCommand: () => ({ load: () => Promise.resolve({ execute }) }) };
}

describe('runCli', () => {
  it('turns a bug into exit 3 and a message that says it is a bug and asks for a report, with the trace', async () => {
    const out = await runCli(['validate', 'x.json'], deps(() => Promise.reject(new TypeError('cannot read properties of undefined'))));
    expect(out.exitCode).toBe(EXIT.internal);
    expect(out.stdout).toBe('');
    expect(out.stderr).toMatch(/^nbjob-iam: internal error: cannot read properties of undefined\n/);
    expect(out.stderr).toContain('This is a bug in nbjob-iam 9.9.9, not in your input. Please report it');
    expect(out.stderr).toContain('  nbjob-iam validate x.json\n  node test\n');
    expect(out.stderr).toMatch(/TypeError: cannot read properties of undefined\n\s+at /);
  });

  it('prints an expected failure as one clean line with its exit status', async () => {
    const out = await runCli(['validate', 'x.json'], deps(() => Promise.reject(new CliError('x.json: no such file or directory', EXIT.usage))));
    expect(out).toEqual({ stdout: '', stderr: 'nbjob-iam: x.json: no such file or directory\n', exitCode: 2 });
  });

  it('adds the command usage to a usage error raised by a command', async () => {
    const out = await runCli(['simulate', 'x.json'], deps(() => Promise.reject(new CliError('bad combination', EXIT.usage, 'simulate'))));
    expect(out.exitCode).toBe(2);
    expect(out.stderr).toMatch(/^nbjob-iam: bad combination\n\nUsage: nbjob-iam simulate /);
  });

  it('prints a usage error from parsing without running anything', async () => {
    let ran = false;
    const out = await runCli(['validate'], {
      version: '9.9.9',
      context: () => ctx,
      findCommand: () => {
        ran = true;
        return undefined;
      },
    });
    expect(ran).toBe(false);
    expect(out.exitCode).toBe(2);
    expect(out.stderr).toContain('Usage: nbjob-iam validate');
    expect(out.stderr).not.toMatch(/\n\s+at /);
  });

  it('prints help on stdout with exit 0', async () => {
    const out = await runCli(['--help'], deps(() => Promise.reject(new Error('not run'))));
    expect(out.exitCode).toBe(0);
    expect(out.stdout).toContain('Usage: nbjob-iam');
  });
});
