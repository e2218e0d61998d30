/**
 * argv → which command with which typed options, or help, or a usage error. Does no work
 * and touches nothing outside: commander's output and exits are captured, so this is a
 * pure function that test/cli/argv.test.ts can drive with a table.
 */
import { Command, CommanderError, Option } from 'commander';
import { UsageError } from './errors.js';
import { exitCodesHelp } from './exit-codes.js';
import { wrap } from '../report/text-util.js';
import type { ParsedCommand } from './options.js';
import { COMMANDS, findCommand } from './table.js';
import type { CommandSpec } from './table.js';

export type ParseOutcome =
  | { readonly kind: 'run'; readonly parsed: ParsedCommand }
  /** Help or version text, printed to stdout with exit status 0. */
  | { readonly kind: 'print'; readonly text: string }
  /** A usage error: the message, then the command's usage; exit status 2. */
  | { readonly kind: 'usage-error'; readonly message: string; readonly usage: string };

export const PROGRAM = 'nbjob-iam';
const HELP_WIDTH = 80;

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** The usage block printed after a usage error. */
export function usageText(command?: string): string {
  const spec = command ? findCommand(command) : undefined;
  if (!spec) {
    return [
      `Usage: ${PROGRAM} <command> [options]`,
      '',
      'Commands:',
      ...COMMANDS.flatMap((c) => wrap(c.summary, HELP_WIDTH, ' '.repeat(12), `  ${c.name.padEnd(10)}`)),
      '',
      `Run '${PROGRAM} <command> --help' for a command's flags and examples.`,
    ].join('\n');
  }
  return `Usage: ${PROGRAM} ${spec.name} ${spec.usage}\nRun '${PROGRAM} ${spec.name} --help' for every flag and examples.`;
}

/** A command line cut into shell continuation lines (` \\`) that fit `width`. */
export function shellLines(command: string, width: number): string[] {
  const lines: string[] = [];
  let line = '  $';
  for (const word of command.split(' ')) {
    if (line.length + 1 + word.length + 2 > width && line.trim() !== '$') {
      lines.push(`${line} \\`);
      line = '      ';
      line += word;
    } else {
      line += (line.endsWith(' ') ? '' : ' ') + word;
    }
  }
  lines.push(line);
  return lines;
}

function examplesText(spec: CommandSpec): string {
  const lines = ['', 'Examples:'];
  for (const e of spec.examples) {
    lines.push(`  # ${e.what}`);
    lines.push(...shellLines(e.command, HELP_WIDTH));
  }
  return lines.join('\n');
}

function buildProgram(version: string, capture: { out: string; err: string }, onRun: (p: ParsedCommand) => void): Command {
  const program = new Command(PROGRAM)
    .description('Get the AWS IAM permissions behind SageMaker Studio notebook jobs right.')
    .version(version, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'print help')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => {
        capture.out += s;
      },
      writeErr: (s) => {
        capture.err += s;
      },
      getOutHelpWidth: () => HELP_WIDTH,
      getErrHelpWidth: () => HELP_WIDTH,
    });
  program.addHelpCommand(false);
  program.addHelpText('after', `\nRun '${PROGRAM} <command> --help' for a command's flags and examples.`);
  for (const spec of COMMANDS) {
    const cmd = program
      .command(spec.name)
      .summary(spec.summary)
      .description(`${spec.summary.charAt(0).toUpperCase()}${spec.summary.slice(1)}.\n\n${spec.description}`)
      .usage(spec.usage)
      .helpOption('-h, --help', 'print help')
      .allowExcessArguments(false)
      .exitOverride()
      .configureOutput(program.configureOutput())
      .addHelpText('after', `${examplesText(spec)}\n${exitCodesHelp(spec.name)}`);
    if (spec.argument) cmd.argument(spec.argument, spec.argumentHelp);
    for (const flag of spec.flags) {
      const option = new Option(flag.flags, flag.help);
      if (flag.choices) option.choices([...flag.choices]);
      if (flag.defaultValue !== undefined) option.default(flag.defaultValue);
      if (flag.repeatable) option.argParser(collect);
      cmd.addOption(option);
    }
    cmd.action((...received: unknown[]) => {
      // commander passes the positional arguments, then the options, then the command.
      const positional = received.slice(0, -2);
      const args = positional.flatMap((a) => (Array.isArray(a) ? (a as string[]) : a === undefined ? [] : [String(a)]));
      const flags = cmd.opts();
      onRun({ command: spec.name, options: spec.toOptions({ args, flags }) } as ParsedCommand);
    });
  }
  return program;
}

function commandIn(argv: readonly string[]): string | undefined {
  return argv.find((a) => !a.startsWith('-') && findCommand(a) !== undefined);
}

/** Strips commander's `error: ` prefix; our output names the program instead. */
function cleanMessage(message: string): string {
  return message.replace(/^error:\s*/i, '').trim();
}

/** Parses the user's arguments (without `node` and the script path). */
export function parseArgv(argv: readonly string[], version = '0.0.0'): ParseOutcome {
  const capture = { out: '', err: '' };
  let parsed: ParsedCommand | undefined;
  const program = buildProgram(version, capture, (p) => {
    parsed = p;
  });
  const command = commandIn(argv);
  if (argv.length === 0) return { kind: 'usage-error', message: 'name a command', usage: usageText() };
  try {
    program.parse([...argv], { from: 'user' });
  } catch (e) {
    if (e instanceof UsageError) return { kind: 'usage-error', message: e.message, usage: usageText(e.command ?? command) };
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') {
        return { kind: 'print', text: capture.out };
      }
      return { kind: 'usage-error', message: cleanMessage(e.message), usage: usageText(command) };
    }
    throw e;
  }
  if (!parsed) {
    // No command matched and commander did not complain: an unknown command.
    return { kind: 'usage-error', message: `unknown command '${argv[0] ?? ''}'`, usage: usageText() };
  }
  return { kind: 'run', parsed };
}
