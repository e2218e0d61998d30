/**
 * `generate` output: the renderers, and `runGenerate`, the one call the CLI needs
 * (options in; policies, their proof and the rendered text out).
 */
import { generatePolicies, proveGenerated } from '../../notebook-jobs/generate.js';
import type { GeneratedPolicy, GenerateFormat, GenerateOptions, GenerateResult, Proof } from '../../notebook-jobs/generate.js';
import type { Evaluate } from '../../notebook-jobs/check.js';
import { renderGenerateCli } from './cli.js';
import { renderGenerateCloudFormation } from './cloudformation.js';
import { renderGenerateJson } from './json.js';
import { renderGenerateTerraform } from './terraform.js';

export { renderGenerateCli, shellQuote, MERGE_FILTER } from './cli.js';
export { renderGenerateCloudFormation } from './cloudformation.js';
export { renderGenerateJson } from './json.js';
export { renderGenerateTerraform, hclValue } from './terraform.js';

export function renderGenerated(result: GenerateResult, format: GenerateFormat): string {
  switch (format) {
    case 'json':
      return renderGenerateJson(result);
    case 'cloudformation':
      return renderGenerateCloudFormation(result);
    case 'terraform':
      return renderGenerateTerraform(result);
    case 'cli':
      return renderGenerateCli(result);
  }
}

export interface RunGenerateOptions extends GenerateOptions {
  /** Default: json. */
  readonly format?: GenerateFormat;
  /** The engine used for the proof (tests swap it); default: our engine. */
  readonly evaluate?: Evaluate;
}

export interface RunGenerateResult {
  readonly policies: readonly GeneratedPolicy[];
  readonly rendered: string;
  /** For standard error: notes on applying the policies. */
  readonly notes: readonly string[];
  /** The engine's proof that the policies are enough; `ok: false` is a bug in nbjob-iam. */
  readonly proof: Proof;
  readonly result: GenerateResult;
}

/**
 * Generates, proves and renders. Throws `GenerateOptionsError` (with `problems`, one line
 * each) for unusable options: a usage error for the CLI.
 */
export function runGenerate(options: RunGenerateOptions): RunGenerateResult {
  const result = generatePolicies(options);
  const proof = proveGenerated(options, result.policies, options.evaluate);
  return { policies: result.policies, rendered: renderGenerated(result, options.format ?? 'json'), notes: result.notes, proof, result };
}
