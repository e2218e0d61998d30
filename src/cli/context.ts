/**
 * What a command may know about the world it runs in. `main` builds it from the process;
 * tests build it by hand. Commands read files themselves (that is their edge), but
 * everything that belongs to the process comes in here.
 */
export interface RunContext {
  /** Directory that relative paths (in arguments and in output) are relative to. */
  readonly cwd: string;
  /**
   * Reads all of standard input (for the file name `-`) as text, decoded as files are
   * (src/input); refuses more than `maxBytes` with an InputError.
   */
  readonly readStdin: (maxBytes: number) => Promise<string>;
  /** Colour in text output: only on a terminal and never when NO_COLOR is set. */
  readonly color: boolean;
  /** The package's root folder (holds reference/ and package.json). */
  readonly packageRoot: string;
  /** The package version, for SARIF and `--version`. */
  readonly version: string;
  /**
   * Writes to standard output now, for output too large to hold (check --all-profiles on a
   * whole domain). Absent (tests): commands return all their output in `stdout`.
   */
  readonly writeStdout?: (text: string) => Promise<void>;
}

/** What a command gives back to `main`: text for stdout and stderr, and an exit status. */
export interface CommandOutput {
  readonly stdout: string;
  readonly stderr?: string;
  readonly exitCode: number;
}
