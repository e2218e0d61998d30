/**
 * From argv to text and an exit status, with everything the process provides passed in.
 * `main` is the only caller in the program; tests call it with their own context and,
 * to exercise the failure paths, their own command lookup.
 */
import type { CommandOutput, RunContext } from './context.js';
import { escapeOutputControls } from '../text/sanitize.js';
import { CliError, EXIT } from './errors.js';
import { parseArgv, PROGRAM, usageText } from './parse.js';
import { wrap } from '../report/text-util.js';
import { findCommand as findInTable } from './table.js';
import type { CommandSpec } from './table.js';

export interface RunDeps {
  /** Builds the context once a command is known (reading stdin, colour, ...). */
  readonly context: () => RunContext;
  readonly version: string;
  /** Where commands are looked up; the command table unless a test says otherwise. */
  readonly findCommand?: (name: string) => Pick<CommandSpec, 'load'> | undefined;
  /** For the bug report: `node vX on platform`. */
  readonly runtime?: string;
}

/**
 * No output carries a raw control character from the input (an ESC in a Sid would drive the
 * terminal): renderers escape what they show, and this is the backstop over everything.
 * Only the painter's own colour codes survive, and only when colour is on.
 */
function safeOutput(o: CommandOutput, color: boolean): CommandOutput {
  return {
    ...o,
    stdout: escapeOutputControls(o.stdout, { keepColor: color }),
    ...(o.stderr !== undefined ? { stderr: escapeOutputControls(o.stderr) } : {}),
  };
}

/** The same backstop over what a command writes as it goes (check --all-profiles, simulate on many files). */
function safeContext(ctx: RunContext): RunContext {
  const write = ctx.writeStdout;
  if (!write) return ctx;
  return { ...ctx, writeStdout: (text) => write(escapeOutputControls(text, { keepColor: ctx.color })) };
}

export async function runCli(argv: readonly string[], deps: RunDeps): Promise<CommandOutput> {
  const { color, ...output } = await runUnsafe(argv, deps);
  return safeOutput(output, color === true);
}

async function runUnsafe(argv: readonly string[], deps: RunDeps): Promise<CommandOutput & { color?: boolean }> {
  const outcome = parseArgv(argv, deps.version);
  if (outcome.kind === 'print') return { stdout: outcome.text, exitCode: EXIT.ok };
  if (outcome.kind === 'usage-error') {
    return { stdout: '', stderr: `${fitLines(`${PROGRAM}: ${outcome.message}`)}\n\n${outcome.usage}\n`, exitCode: EXIT.usage };
  }
  const { command, options } = outcome.parsed;
  try {
    const spec = (deps.findCommand ?? findInTable)(command);
    if (!spec) throw new Error(`command ${command} is in the parser but not in the table`);
    const module = await spec.load();
    const ctx = safeContext(deps.context());
    return { ...(await module.execute(options as never, ctx)), color: ctx.color };
  } catch (e) {
    if (e instanceof CliError) {
      const usage = e.exitCode === EXIT.usage && e.command ? `\n\n${usageText(e.command)}` : '';
      return { stdout: '', stderr: `${fitLines(`${PROGRAM}: ${e.message}`)}${usage}\n`, exitCode: e.exitCode };
    }
    return { stdout: '', stderr: internalErrorText(e, deps.version, argv, deps.runtime), exitCode: EXIT.internal };
  }
}

/**
 * Error text within 80 columns: each longer line wrapped under its own indentation (two
 * more for the first line's continuation). Words are never cut, so a path or ARN in the
 * message stays whole.
 */
export function fitLines(text: string, width = 80): string {
  return text
    .split('\n')
    .flatMap((line) => {
      if (line.length <= width) return [line];
      const indent = /^\s*/.exec(line)![0];
      return wrap(line.trimStart(), width, `${indent}  `, indent);
    })
    .join('\n');
}

/** What a bug looks like to the user: what happened, that it is ours, and what to send. */
export function internalErrorText(e: unknown, version: string, argv: readonly string[], runtime = ''): string {
  const detail = e instanceof Error ? (e.stack ?? `${e.name}: ${e.message}`) : String(e);
  return [
    `${PROGRAM}: internal error: ${e instanceof Error ? e.message : String(e)}`,
    '',
    `This is a bug in ${PROGRAM} ${version}, not in your input. Please report it with`,
    'the command you ran, the files it read if you can share them, and this trace:',
    '',
    `  ${PROGRAM} ${argv.join(' ')}`,
    ...(runtime ? [`  ${runtime}`] : []),
    '',
    detail,
    '',
  ].join('\n');
}
