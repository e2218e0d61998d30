/**
 * `nbjob-iam setup`: reads the live account, plans the smallest changes that make notebook
 * jobs work, and (only with --apply) makes them: merging, never replacing, never touching
 * policies that belong to others.
 */
import type { CommandOutput, RunContext } from '../context.js';
import { CliError, EXIT } from '../errors.js';
import { localProfileProblem } from '../live-flags.js';
import type { SetupCommandOptions } from '../options.js';

export async function execute(options: SetupCommandOptions, _ctx: RunContext): Promise<CommandOutput> {
  const { runSetup, SetupError } = await import('../../account/setup-plan.js');
  const { LiveReadError } = await import('../../account/live.js');
  const { CredentialsError } = await import('../../account/aws-call.js');
  const profile = localProfileProblem(options.setup.profile);
  if (profile) throw new CliError(profile, EXIT.usage);
  try {
    const result = await runSetup(options.setup);
    return { stdout: result.text.endsWith('\n') ? result.text : `${result.text}\n`, exitCode: result.done ? EXIT.ok : EXIT.failed };
  } catch (e) {
    // No credentials is the user's setup to fix, like a usage error; the rest is the account.
    // Credentials that stop working while reading: no change was made yet (those during --apply are in the result).
    if (e instanceof CredentialsError) throw new CliError(`${e.message}; nothing was changed`, EXIT.usage);
    if (e instanceof SetupError || e instanceof LiveReadError) throw new CliError(e.message, EXIT.failed);
    throw e;
  }
}
