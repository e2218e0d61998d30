/** `nbjob-iam generate`: least-privilege policies for both roles, proven by the engine. */
import { GenerateOptionsError } from '../../notebook-jobs/generate.js';
import { runGenerate } from '../../report/generate/index.js';
import type { CommandOutput, RunContext } from '../context.js';
import { CliError, EXIT, UsageError } from '../errors.js';
import type { GenerateCommandOptions } from '../options.js';

export async function execute(options: GenerateCommandOptions, _ctx: RunContext): Promise<CommandOutput> {
  let result;
  try {
    result = runGenerate({ ...options.generate, format: options.format });
  } catch (e) {
    if (e instanceof GenerateOptionsError) throw new UsageError(e.problems.join('\n'), 'generate');
    throw e;
  }
  if (!result.proof.ok) {
    // The generated set must pass our own check; if it does not, that is our bug.
    throw new CliError(`internal error: the generated policies do not pass check: ${JSON.stringify(result.proof).slice(0, 2000)}; please report it`, EXIT.internal);
  }
  const stdout = result.rendered.endsWith('\n') ? result.rendered : `${result.rendered}\n`;
  return { stdout, stderr: result.notes.length ? `${result.notes.join('\n')}\n` : undefined, exitCode: EXIT.ok };
}
