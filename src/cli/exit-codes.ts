/**
 * The exit statuses, one table for every command. Each command's `--help` and the README's
 * "Exit codes" section are generated from here (test/cli/exit-codes.test.ts keeps the
 * README in step), so the three can never disagree.
 *
 * The rule: 0 ok; 1 the input was read and judged and something fails (a finding, a step,
 * an expectation, a denial); 2 the input could not be judged (a usage error, a file that
 * cannot be read or is malformed, a policy IAM would reject where a decision was asked
 * for); 3 only for a bug in nbjob-iam. An answer that is unknown because the input is bad
 * is never 1: 1 means "decided, and it fails".
 */
import { wrap } from '../report/text-util.js';
import type { CommandName } from './options.js';

export const EXIT_CODE_MEANINGS: ReadonlyArray<readonly [number, string]> = [
  [0, 'ok'],
  [1, 'findings or failing steps: the input was read and judged, and something fails'],
  [2, 'bad input or usage: the input could not be judged (a usage error, a file that cannot be read or is malformed)'],
  [3, 'a bug in nbjob-iam (the message asks you to report it)'],
];

export interface CommandExits {
  readonly 0: string;
  readonly 1: string;
  readonly 2: string;
}

export const COMMAND_EXITS: Readonly<Record<CommandName, CommandExits>> = {
  check: {
    0: 'every required step passes',
    1: 'a required step fails',
    2: 'a usage error, or a snapshot that cannot be read, is not valid, or holds a policy that cannot be evaluated',
  },
  generate: {
    0: 'the policies were printed',
    1: '(not used)',
    2: 'a usage error (a missing or malformed option)',
  },
  setup: {
    0: 'nothing is left for the account to change',
    1: 'changes remain, or a change failed',
    2: 'a usage error (a region, ARN or profile that cannot be right), or no credentials',
  },
  snapshot: {
    0: 'the snapshot was written (what could not be read is listed as gaps)',
    1: 'the live account could not be read',
    2: 'a usage error, or with --from-cli: a required file missing, or a file that cannot be read or is not the output of its command',
  },
  validate: {
    0: 'no error-level finding',
    1: 'an error-level finding (invalid JSON included)',
    2: 'a usage error, a named file that cannot be read (not a regular file, too large, not UTF-8/UTF-16), or an entry of a folder that was skipped (named on stderr)',
  },
  simulate: {
    0: 'every expectation met',
    1: 'an expectation not met',
    2: 'a usage error, a scenario that cannot be read or is malformed (its entry says why; the others are still decided), or an entry of a folder that was skipped (named on stderr)',
  },
  diagnose: {
    0: 'no access error in the input',
    1: 'access errors were read (each is diagnosed)',
    2: 'a usage error, a snapshot that cannot be read or holds a policy with errors that decides a matched step, or no input readable',
  },
  explain: {
    0: 'the request is allowed',
    1: 'the request is denied',
    2: 'a usage error, a malformed scenario, or a policy with errors IAM would reject (no decision)',
  },
};

/** The "Exit status" block of a command's --help. */
export function exitCodesHelp(command: CommandName): string {
  const c = COMMAND_EXITS[command];
  const rows: Array<[number, string]> = [[0, c[0]], [1, c[1]], [2, c[2]], [3, 'a bug in nbjob-iam (the message asks you to report it)']];
  return ['', 'Exit status:', ...rows.flatMap(([n, text]) => wrap(text, 80, '     ', `  ${n}  `))].join('\n');
}

/** The README's table: one row per command. */
export function exitCodesMarkdown(order: readonly CommandName[]): string {
  const rows = order.map((name) => {
    const c = COMMAND_EXITS[name];
    return `| \`${name}\` | ${c[0]} | ${c[1]} | ${c[2]} |`;
  });
  return [
    '| command | 0 ok | 1 findings or failing steps | 2 bad input or usage |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
    'Every command exits 3 only for a bug in nbjob-iam; the message says so and asks you to report it.',
  ].join('\n');
}
