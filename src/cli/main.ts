#!/usr/bin/env node
/**
 * The only module that touches the process: argv, standard streams, environment and exit
 * status. Everything else takes a RunContext and returns text and an exit status.
 * Expected failures print a clean message (and the command's usage for usage errors);
 * anything unexpected is a bug in nbjob-iam and says so.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CommandOutput } from './context.js';
import { readTextStream } from '../input/read.js';
import { CliError, EXIT } from './errors.js';
import { internalErrorText, runCli } from './run.js';

const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function readVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

async function readStdin(maxBytes: number): Promise<string> {
  if (process.stdin.isTTY) {
    throw new CliError('- means standard input, but standard input is a terminal; pipe a file in', EXIT.usage);
  }
  return (await readTextStream(process.stdin, { maxBytes, displayName: '<stdin>' })).text;
}

/** Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org). */
function wantColor(): boolean {
  return process.stdout.isTTY === true && process.env['NO_COLOR'] === undefined && process.env['TERM'] !== 'dumb';
}

function write(stream: NodeJS.WriteStream, text: string): Promise<void> {
  if (text === '') return Promise.resolve();
  return new Promise((resolve) => {
    stream.write(text, () => resolve());
  });
}

async function main(): Promise<void> {
  // The AWS SDK prints an 8-line notice about future Node versions on every live run; it is
  // not about this run and not actionable here (package.json "engines" is the contract).
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  // A reader that stops early (`| head`) is not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  });
  const version = readVersion();
  const argv = process.argv.slice(2);
  const runtime = `node ${process.version} on ${process.platform}`;
  let output: CommandOutput;
  try {
    output = await runCli(argv, {
      version,
      runtime,
      context: () => ({ cwd: process.cwd(), readStdin, color: wantColor(), packageRoot, version, writeStdout: (text) => write(process.stdout, text) }),
    });
  } catch (e) {
    output = { stdout: '', stderr: internalErrorText(e, version, argv, runtime), exitCode: EXIT.internal };
  }
  await write(process.stdout, output.stdout);
  await write(process.stderr, output.stderr ?? '');
  process.exitCode = output.exitCode;
}

await main();
