/**
 * The two kinds of failure the CLI knows. An expected failure (a usage mistake, a file
 * that cannot be read) is a `CliError`: `main` prints its message and exits with its code,
 * never a stack trace. Anything else that escapes a command is a bug in nbjob-iam, and
 * `main` says so and asks for a report.
 */

/** Exit statuses, the same for every command (README "Exit codes"). */
export const EXIT = {
  /** Every check passed. */
  ok: 0,
  /** The input was read and judged: an error-level finding, a failed expectation, a bad scenario. */
  failed: 1,
  /** The command line was wrong or a named file could not be read. */
  usage: 2,
  /** A bug in nbjob-iam. */
  internal: 3,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: ExitCode = EXIT.usage,
    /** The command whose usage line should follow the message, if any. */
    readonly command?: string,
  ) {
    super(message);
  }
}

/** A mistake on the command line: printed with the command's usage, exit status 2. */
export class UsageError extends CliError {
  constructor(message: string, command?: string) {
    super(message, EXIT.usage, command);
  }
}
