/**
 * `nbjob-iam simulate`: decide scenario files (docs/scenario-format.md) and check
 * their expectations. A file that cannot be read as a scenario becomes an entry with
 * `error` and never stops the others.
 */
import { simulateScenarioText } from '../../engine/simulate.js';
import type { SimulationResult } from '../../engine/simulate.js';
import { painter, plural, wrap } from '../../report/text-util.js';
import { cutLongWords, escapeControlChars, pushAll } from '../../text/sanitize.js';
import type { CommandOutput, RunContext } from '../context.js';
import { InputError, maxBytesFor, readTextFileSync } from '../../input/index.js';
import { EXIT } from '../errors.js';
import { displayPath, expandInputs, skippedText } from '../files.js';
import type { SkippedInput } from '../files.js';
import type { SimulateOptions } from '../options.js';

/** One entry of the output: the engine's result, or an error naming the file. */
export type SimulateEntry = SimulationResult & { readonly file: string };

export interface SimulateResult {
  readonly entries: readonly SimulateEntry[];
  /** One scenario file named on its own: JSON output is an object, not an array. */
  readonly single: boolean;
  /** Entries of a named folder that were not read, with why (exit status 2). */
  readonly skipped?: readonly SkippedInput[];
}

/** An entry for a file the engine never saw, or on which it failed. */
function errorEntry(file: string, error: string): SimulateEntry {
  return { name: file, file, pass: false, explanation: `error: ${error}`, error };
}

export async function run(options: SimulateOptions, ctx: RunContext): Promise<SimulateResult> {
  const { files, skipped, hadDirectory } = await expandInputs(options.paths, ctx);
  const entries: SimulateEntry[] = [];
  for (const absolutePath of files) {
    const file = displayPath(ctx.cwd, absolutePath);
    let text: string;
    try {
      // Synchronous: files are decided one after another, and four thread-pool round trips
      // per file (open, stat, read, close) were most of the time on a folder of small files.
      ({ text } = readTextFileSync(absolutePath, { maxBytes: maxBytesFor('scenario', options.maxInputBytes), displayName: file }));
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      entries.push(errorEntry(file, e.message));
      continue;
    }
    try {
      // validate: a policy that `validate` calls an error is refused with its position, never decided.
      entries.push({ ...simulateScenarioText(text, file, { validate: true }), file });
    } catch (e) {
      // The engine reports bad scenarios as values; a throw is a bug, kept to this file.
      const message = e instanceof Error ? e.message : String(e);
      entries.push(errorEntry(file, `${file}: internal error in nbjob-iam while deciding this scenario: ${message}; please report it`));
    }
  }
  // "simulate SCENARIO.json" is one scenario (an object); a directory or several names are many (an array).
  const single = options.paths.length === 1 && !hadDirectory;
  return { entries, single, skipped };
}

function hasError(e: SimulateEntry): boolean {
  return typeof e.error === 'string' && e.error !== '';
}

/** A scenario fails when it has an error, or an expectation that was not met. */
export function entryFailed(e: SimulateEntry): boolean {
  if (hasError(e)) return true;
  return e.expected !== undefined && e.expected !== null && e.decision !== e.expected;
}

/**
 * 2 when a scenario could not be read or decided (bad input: its answer is unknown, not
 * "failed"), else 1 when an expectation was not met, else 0 (docs/exit-codes.md).
 */
export function exitCodeOf(result: SimulateResult): number {
  if (result.entries.some(hasError) || result.skipped?.length) return EXIT.usage;
  return result.entries.some(entryFailed) ? EXIT.failed : EXIT.ok;
}

/** The JSON form of an entry: the engine's fields, `expected` always present, no decision for an error. */
export function entryToJson(e: SimulateEntry): Record<string, unknown> {
  if (hasError(e)) return { name: e.name ?? e.file, file: e.file, error: e.error, ...(e.invalidPolicy ? { invalidPolicy: e.invalidPolicy } : {}), pass: false };
  const { file, ...rest } = e;
  return { ...rest, file, expected: e.expected ?? null, pass: !entryFailed(e) };
}

function status(e: SimulateEntry): 'PASS' | 'FAIL' | 'ERROR' | 'DONE' {
  if (hasError(e)) return 'ERROR';
  if (e.expected === undefined || e.expected === null) return 'DONE';
  return entryFailed(e) ? 'FAIL' : 'PASS';
}

/**
 * Re-wraps text to `width`, keeping each line's indentation. Values from the input are cut
 * (a 10 MB Action is shown as its first characters and a count) and control characters
 * escaped, so the output stays bounded and cannot drive the terminal.
 */
export function fitLines(text: string, width: number): string[] {
  const out: string[] = [];
  for (const raw of text.trimEnd().split('\n')) {
    const line = escapeControlChars(cutLongWords(raw));
    if (line.length <= width) {
      out.push(line);
      continue;
    }
    const indent = /^\s*/.exec(line)?.[0] ?? '';
    pushAll(out, wrap(line.slice(indent.length), width, `${indent}  `, indent));
  }
  return out;
}

export function renderText(result: SimulateResult, ctx: Pick<RunContext, 'color'>, width = 80): string {
  const paint = painter(ctx.color);
  const out: string[] = [];
  for (const e of result.entries) {
    const s = status(e);
    const styled = s === 'PASS' ? paint('green', s) : s === 'DONE' ? s : paint('red', s);
    const head = escapeControlChars(cutLongWords(`${s} ${e.file}${e.name && e.name !== e.file ? `: ${e.name}` : ''}`), { singleLine: true });
    const headLines = wrap(head, width, '    ');
    headLines[0] = styled + (headLines[0] ?? '').slice(s.length);
    pushAll(out, headLines);
    if (hasError(e)) {
      for (const l of fitLines(String(e.error), width - 2)) out.push(`  ${l}`);
    } else {
      for (const l of fitLines(e.explanation, width - 2)) out.push(l === '' ? '' : `  ${l}`);
    }
    out.push('');
  }
  const failed = result.entries.filter((e) => status(e) === 'FAIL').length;
  const errors = result.entries.filter(hasError).length;
  const passed = result.entries.filter((e) => status(e) === 'PASS').length;
  const unchecked = result.entries.length - failed - errors - passed;
  const parts = [`${passed} passed`, `${failed} failed`, plural(errors, 'error')];
  if (unchecked > 0) parts.push(`${unchecked} without expectation`);
  out.push(`${plural(result.entries.length, 'scenario')}: ${parts.join(', ')}`);
  return out.join('\n') + '\n';
}

export function present(result: SimulateResult, options: SimulateOptions, ctx: RunContext): CommandOutput {
  const exitCode = exitCodeOf(result);
  const stderr = skippedText(result.skipped ?? []);
  const extra = stderr ? { stderr } : {};
  if (options.format === 'json') {
    const json = result.single && result.entries[0] ? entryToJson(result.entries[0]) : result.entries.map(entryToJson);
    return { stdout: JSON.stringify(json, null, 2) + '\n', exitCode, ...extra };
  }
  return { stdout: renderText(result, ctx), exitCode, ...extra };
}

export async function execute(options: SimulateOptions, ctx: RunContext): Promise<CommandOutput> {
  return present(await run(options, ctx), options, ctx);
}
