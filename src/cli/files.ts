/**
 * Reading the files named on the command line. A name that cannot be read is an
 * expected failure (a `CliError` naming the file), never a stack trace.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { InputError, inputErrorFromFs, maxBytesFor, readTextFile } from '../input/index.js';
import type { InputKind } from '../input/index.js';
import { CliError, EXIT } from './errors.js';
import type { RunContext } from './context.js';

/** The name used for standard input in output. */
export const STDIN_NAME = '<stdin>';

export interface InputFile {
  /** As shown to people: relative to the working directory, or `<stdin>`. */
  readonly name: string;
  /** Absolute path; absent for standard input. */
  readonly absolutePath?: string;
  readonly text: string;
}

/** Shows a path relative to `cwd`, with forward slashes. */
export function displayPath(cwd: string, absolutePath: string): string {
  const rel = path.relative(cwd, absolutePath);
  // Outside cwd stays relative (`../x.json`), so SARIF URIs are relative too; only another drive is absolute.
  const shown = rel === '' ? '.' : path.isAbsolute(rel) ? absolutePath : rel;
  return shown.split(path.sep).join('/');
}

function describeFsError(e: unknown, name: string): string {
  return inputErrorFromFs(e, name).message;
}

/** An input that cannot be read is bad input: exit status 2, the message naming the file. */
export function cliErrorFromInput(e: unknown): CliError {
  if (e instanceof InputError) return new CliError(e.message, EXIT.usage);
  throw e;
}

/** What a command passes to `readInput`: the kind of file (for its size cap) and --max-input-size. */
export interface ReadInputOptions {
  readonly kind: InputKind;
  readonly maxInputBytes?: number;
}

/**
 * Reads one named file, `-` meaning standard input, through the input module (regular
 * files only, size cap before reading, one decoding). A failure is a CliError (exit 2).
 */
export async function readInput(arg: string, ctx: RunContext, o: ReadInputOptions = { kind: 'policy' }): Promise<InputFile> {
  const maxBytes = maxBytesFor(o.kind, o.maxInputBytes);
  try {
    if (arg === '-') return { name: STDIN_NAME, text: await ctx.readStdin(maxBytes) };
    const absolutePath = path.resolve(ctx.cwd, arg);
    const input = await readTextFile(absolutePath, { maxBytes, displayName: arg });
    return { name: displayPath(ctx.cwd, absolutePath), absolutePath, text: input.text };
  } catch (e) {
    throw cliErrorFromInput(e);
  }
}

async function walkJson(dir: string, out: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      await walkJson(full, out);
    } else if (entry.isFile() && entry.name.toLowerCase().endsWith('.json')) {
      out.push(full);
    }
  }
}

/**
 * Expands the command line's names: a directory stands for every `*.json` below it
 * (sorted, hidden folders and node_modules skipped); a file stands for itself; `-` for
 * standard input. Every name is checked before any work is done, so a typo fails fast.
 */
export async function expandInputs(args: readonly string[], ctx: RunContext): Promise<string[]> {
  const out: string[] = [];
  for (const arg of args) {
    if (arg === '-') {
      out.push('-');
      continue;
    }
    const absolutePath = path.resolve(ctx.cwd, arg);
    let info;
    try {
      info = await stat(absolutePath);
    } catch (e) {
      throw new CliError(describeFsError(e, arg), EXIT.usage);
    }
    if (info.isDirectory()) {
      const found: string[] = [];
      try {
        await walkJson(absolutePath, found);
      } catch (e) {
        throw new CliError(describeFsError(e, arg), EXIT.usage);
      }
      if (found.length === 0) throw new CliError(`${arg}: directory holds no *.json file`, EXIT.usage);
      out.push(...found);
    } else {
      out.push(absolutePath);
    }
  }
  if (out.filter((a) => a === '-').length > 1) throw new CliError('standard input (-) can be named only once', EXIT.usage);
  return out;
}
