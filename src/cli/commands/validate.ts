/** `nbjob-iam validate`: findings for policy files, as text, JSON or SARIF. */
import path from 'node:path';
import type { PolicyKind } from '../../policy/model.js';
import { validatePolicyText } from '../../policy/validate.js';
import { renderFindingsJson, renderFindingsSarif, renderFindingsText } from '../../report/index.js';
import type { FileReport } from '../../report/index.js';
import type { CommandOutput, RunContext } from '../context.js';
import { findingCodes } from '../codes.js';
import { EXIT } from '../errors.js';
import { displayPath, expandInputs, readInput, skippedText } from '../files.js';
import type { SkippedInput } from '../files.js';
import { inferKind } from '../kind.js';
import type { ValidateOptions } from '../options.js';
import { loadReferenceManifest } from '../reference.js';

export const INFORMATION_URI = 'https://www.npmjs.com/package/nbjob-iam';

export interface ValidateResult {
  readonly files: readonly FileReport[];
  /** Entries of a named folder that were not read, with why (exit status 2). */
  readonly skipped?: readonly SkippedInput[];
}

function validateOne(name: string, text: string, kind: PolicyKind, kindReason: string): FileReport {
  const { findings } = validatePolicyText(text, { kind, name });
  return { file: name, kind, kindReason, source: text, findings };
}

export async function run(options: ValidateOptions, ctx: RunContext): Promise<ValidateResult> {
  const files: FileReport[] = [];
  if (options.reference) {
    const { dir, policies } = await loadReferenceManifest(ctx.packageRoot);
    for (const p of policies) {
      const input = await readInput(path.join(dir, p.file), ctx, { kind: 'policy' });
      files.push(validateOne(displayPath(ctx.cwd, path.join(dir, p.file)), input.text, p.kind, 'the reference manifest'));
    }
  }
  // Every name is checked before any file is judged, so a typo fails fast.
  const { files: inputs, skipped } = await expandInputs(options.files, ctx);
  for (const arg of inputs) {
    const input = await readInput(arg, ctx, { kind: 'policy', maxInputBytes: options.maxInputBytes });
    if (options.kind === 'auto') {
      const inferred = inferKind(input.name, input.text);
      files.push(validateOne(input.name, input.text, inferred.kind, inferred.reason));
    } else {
      files.push(validateOne(input.name, input.text, options.kind, '--kind'));
    }
  }
  return { files, skipped };
}

/** 2 when an entry of a folder was not read (the answer is about incomplete input), else 1 for an error finding. */
export function exitCodeOf(result: ValidateResult): number {
  if (result.skipped?.length) return EXIT.usage;
  return result.files.some((f) => f.findings.some((x) => x.severity === 'error')) ? EXIT.failed : EXIT.ok;
}

export function present(result: ValidateResult, options: ValidateOptions, ctx: RunContext): CommandOutput {
  const exitCode = exitCodeOf(result);
  const stderr = skippedText(result.skipped ?? []);
  return { ...render(result, options, ctx, exitCode), ...(stderr ? { stderr } : {}) };
}

function render(result: ValidateResult, options: ValidateOptions, ctx: RunContext, exitCode: number): CommandOutput {
  switch (options.format) {
    case 'json':
      return { stdout: renderFindingsJson(result.files), exitCode };
    case 'sarif':
      return {
        stdout: renderFindingsSarif(result.files, { name: 'nbjob-iam', version: ctx.version, informationUri: INFORMATION_URI }, findingCodes()),
        exitCode,
      };
    case 'text':
      return { stdout: renderFindingsText(result.files, { color: ctx.color }), exitCode };
  }
}

export async function execute(options: ValidateOptions, ctx: RunContext): Promise<CommandOutput> {
  return present(await run(options, ctx), options, ctx);
}
