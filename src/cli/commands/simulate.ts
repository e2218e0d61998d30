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
import { displayPaths, expandInputs, skippedText } from '../files.js';
import type { SkippedInput } from '../files.js';
import type { SimulateOptions } from '../options.js';
import { ScenarioPolicyCache } from '../../engine/scenario.js';

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

/** Reads and decides one file; never throws for bad input (the entry then has `error`). */
function decideFile(absolutePath: string, file: string, options: SimulateOptions, policies: ScenarioPolicyCache): SimulateEntry {
  let text: string;
  try {
    // Synchronous: files are decided one after another, and four thread-pool round trips
    // per file (open, stat, read, close) were most of the time on a folder of small files.
    ({ text } = readTextFileSync(absolutePath, { maxBytes: maxBytesFor('scenario', options.maxInputBytes), displayName: file }));
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    return errorEntry(file, e.message);
  }
  try {
    // validate: a policy that `validate` calls an error is refused with its position, never decided.
    const r = simulateScenarioText(text, file, { validate: true, policies });
    return r.file === file ? (r as SimulateEntry) : { ...r, file };
  } catch (e) {
    // The engine reports bad scenarios as values; a throw is a bug, kept to this file.
    const message = e instanceof Error ? e.message : String(e);
    return errorEntry(file, `${file}: internal error in nbjob-iam while deciding this scenario: ${message}; please report it`);
  }
}

/** The files named (folders expanded), what could not be read, and whether the output is one object. */
async function inputsOf(options: SimulateOptions, ctx: RunContext): Promise<{ files: readonly string[]; skipped: readonly SkippedInput[]; single: boolean }> {
  const { files, skipped, hadDirectory } = await expandInputs(options.paths, ctx);
  // "simulate SCENARIO.json" is one scenario (an object); a directory or several names are many (an array).
  return { files, skipped, single: options.paths.length === 1 && !hadDirectory };
}

/**
 * Decides the files one after another, yielding each entry as soon as it is decided (nothing
 * is held: a folder of 100,000 files costs what one file costs). Policies that several files
 * share (the same text at the same place) are read, validated and compiled once per run: the
 * cache is created here and dropped with the run.
 */
function* decideAll(files: readonly string[], options: SimulateOptions, ctx: RunContext): Generator<SimulateEntry> {
  const policies = new ScenarioPolicyCache();
  const shown = displayPaths(ctx.cwd);
  for (const absolutePath of files) yield decideFile(absolutePath, shown(absolutePath), options, policies);
}

/** Every entry, held (for library callers and tests; the command itself streams: `execute`). */
export async function run(options: SimulateOptions, ctx: RunContext): Promise<SimulateResult> {
  const { files, skipped, single } = await inputsOf(options, ctx);
  return { entries: [...decideAll(files, options, ctx)], single, skipped };
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
  const tally = new Tally();
  for (const e of result.entries) tally.add(e);
  return tally.exitCode(result.skipped?.length ?? 0);
}

/** The JSON form of an entry: the engine's fields, `expected` always present, no decision for an error. */
export function entryToJson(e: SimulateEntry): Record<string, unknown> {
  if (hasError(e)) return { name: e.name ?? e.file, file: e.file, error: e.error, ...(e.invalidPolicy ? { invalidPolicy: e.invalidPolicy } : {}), pass: false };
  // The engine's fields in their order, then `file`; `expected` and `pass` keep their place
  // when present. Copied key by key: a rest pattern and a spread cost 15 times as much, for
  // every entry of a run.
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(e)) if (k !== 'file') out[k] = e[k as keyof SimulateEntry];
  out['file'] = e.file;
  out['expected'] = e.expected ?? null;
  out['pass'] = !entryFailed(e);
  return out;
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

/** One entry as text: its status line, then its explanation or error, then a blank line. */
function renderEntryText(e: SimulateEntry, paint: ReturnType<typeof painter>, width: number): string[] {
  const out: string[] = [];
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
  return out;
}

/** What the summary line and the exit status need, counted as entries go by. */
class Tally {
  count = 0;
  passed = 0;
  failed = 0;
  errors = 0;

  add(e: SimulateEntry): void {
    this.count++;
    const s = status(e);
    if (s === 'PASS') this.passed++;
    else if (s === 'FAIL') this.failed++;
    else if (s === 'ERROR') this.errors++;
  }

  summary(): string {
    const unchecked = this.count - this.failed - this.errors - this.passed;
    const parts = [`${this.passed} passed`, `${this.failed} failed`, plural(this.errors, 'error')];
    if (unchecked > 0) parts.push(`${unchecked} without expectation`);
    return `${plural(this.count, 'scenario')}: ${parts.join(', ')}`;
  }

  /** 2 when a scenario could not be read or decided, else 1 when an expectation was not met, else 0 (docs/exit-codes.md). */
  exitCode(skipped: number): number {
    if (this.errors > 0 || skipped > 0) return EXIT.usage;
    return this.failed > 0 ? EXIT.failed : EXIT.ok;
  }
}

export function renderText(result: SimulateResult, ctx: Pick<RunContext, 'color'>, width = 80): string {
  const paint = painter(ctx.color);
  const out: string[] = [];
  const tally = new Tally();
  for (const e of result.entries) {
    tally.add(e);
    pushAll(out, renderEntryText(e, paint, width));
  }
  out.push(tally.summary());
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

/**
 * Decides and prints entry by entry: each entry is rendered and written (ctx.writeStdout)
 * as soon as it is decided, and only counters are kept, so memory does not grow with the
 * number of files. The output is the text `present` gives for all entries at once (JSON:
 * what `JSON.stringify(entries, null, 2)` writes). Without ctx.writeStdout (tests) the
 * chunks are returned in `stdout`.
 */
export async function execute(options: SimulateOptions, ctx: RunContext): Promise<CommandOutput> {
  const { files, skipped, single } = await inputsOf(options, ctx);
  if (single) return present({ entries: [...decideAll(files, options, ctx)], single, skipped }, options, ctx);
  // Written in pieces of about 64 KB: one write per entry was a tenth of the run.
  const parts: string[] = [];
  let pending: string[] = [];
  let pendingChars = 0;
  const emit = async (chunk: string, last = false): Promise<void> => {
    pending.push(chunk);
    pendingChars += chunk.length;
    if (!last && pendingChars < 65_536) return;
    const text = pending.join('');
    pending = [];
    pendingChars = 0;
    if (ctx.writeStdout) await ctx.writeStdout(text);
    else parts.push(text);
  };
  const tally = new Tally();
  const paint = painter(ctx.color);
  const json = options.format === 'json';
  for (const e of decideAll(files, options, ctx)) {
    tally.add(e);
    if (json) {
      // An element of a pretty-printed array, indented as JSON.stringify indents it there.
      await emit(`${tally.count === 1 ? '[' : ','}\n${JSON.stringify([entryToJson(e)], null, 2).slice(2, -2)}`);
    } else {
      await emit(renderEntryText(e, paint, 80).join('\n') + '\n');
    }
  }
  if (json) await emit(tally.count === 0 ? '[]\n' : '\n]\n', true);
  else await emit(tally.summary() + '\n', true);
  const stderr = skippedText(skipped);
  return { stdout: parts.join(''), exitCode: tally.exitCode(skipped.length), ...(stderr ? { stderr } : {}) };
}
