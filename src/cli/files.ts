/**
 * Reading the files named on the command line. A name that cannot be read is an
 * expected failure (a `CliError` naming the file), never a stack trace.
 */
import { lstat, readdir, readlink, stat } from 'node:fs/promises';
import path from 'node:path';
import { InputError, inputErrorFromFs, maxBytesFor, readTextFile } from '../input/index.js';
import type { InputKind } from '../input/index.js';
import { wrap } from '../report/text-util.js';
import { escapeControlChars, pushAll } from '../text/sanitize.js';
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

/**
 * `displayPath` for many files of few folders (a folder of 10,000 scenarios): the folder's
 * relative path is worked out once (path.relative was a thirtieth of `simulate` on such a
 * folder). Same result as displayPath for every path.
 */
export function displayPaths(cwd: string): (absolutePath: string) => string {
  const folders = new Map<string, string>();
  return (absolutePath) => {
    const dir = path.dirname(absolutePath);
    const base = absolutePath.slice(dir.length + (dir.endsWith(path.sep) ? 0 : 1));
    // The working folder itself or one above it: path.relative climbs (`..`), not the folder.
    if (base === '' || dir === absolutePath || cwd === absolutePath || cwd.startsWith(absolutePath + path.sep)) return displayPath(cwd, absolutePath);
    let shown = folders.get(dir);
    if (shown === undefined) {
      shown = displayPath(cwd, dir);
      folders.set(dir, shown);
    }
    if (shown === '.') return base;
    return shown.endsWith('/') ? shown + base : `${shown}/${base}`;
  };
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

/**
 * An entry of a folder that could hold input but is not read, with why. Commands print
 * each on stderr and exit 2: the input they judged is incomplete (docs/input.md).
 */
export interface SkippedInput {
  /** As shown to people: relative to the working directory. */
  readonly name: string;
  readonly reason: string;
}

/** What `expandInputs` found: the files to read, and what it could not read and why. */
export interface ExpandedInputs {
  /** Absolute paths, or `-` for standard input. */
  readonly files: string[];
  readonly skipped: SkippedInput[];
  /** True when some name on the command line was a directory (output is then a list). */
  readonly hadDirectory: boolean;
}

const isJsonName = (name: string): boolean => name.toLowerCase().endsWith('.json');

/** What a non-regular, non-directory entry is, for the skipped message. */
function specialKind(info: { isFIFO(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean }): string {
  if (info.isFIFO()) return 'a named pipe (FIFO)';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

/**
 * Where a symbolic link found in a folder leads: a regular file is read (wherever it is);
 * anything else is skipped with the reason. A link to a directory is not followed (that
 * is how loops and double counting are avoided); naming it on the command line walks it.
 */
async function resolveLink(full: string, shown: string, jsonName: boolean): Promise<{ file: string } | { skip: string } | undefined> {
  let info;
  try {
    info = await stat(full);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ELOOP') return { skip: 'a symbolic link loop (the link never reaches a file)' };
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      let target = '';
      try {
        target = ` (it points to ${await readlink(full)})`;
      } catch {
        // The target stays unnamed.
      }
      return { skip: `a dangling symbolic link: its target does not exist${target}` };
    }
    return { skip: `a symbolic link that cannot be followed: ${inputErrorFromFs(e, shown).detail}` };
  }
  if (info.isDirectory()) {
    return { skip: `a symbolic link to a directory, which is not followed inside a folder; name it on the command line to read the *.json below it` };
  }
  // A link named like any other file is ignored as that file would be.
  if (!jsonName) return undefined;
  if (info.isFile()) return { file: full };
  return { skip: `a symbolic link to ${specialKind(info)}, not a regular file` };
}

/**
 * Every `*.json` below `dir`, sorted. Hidden folders and node_modules are not walked.
 * Nothing that could hold input is dropped silently: a `*.json` that is a FIFO, socket or
 * device, a symbolic link that is dangling, loops, or leads to a directory or to anything
 * but a regular file, and a subfolder that cannot be listed are recorded in `skipped`.
 */
async function walkJson(dir: string, ctx: RunContext, out: string[], skipped: SkippedInput[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    // Only named when something is skipped: most entries are plain files.
    const shown = (): string => displayPath(ctx.cwd, full);
    const jsonName = isJsonName(entry.name);
    if (entry.isDirectory()) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      try {
        await walkJson(full, ctx, out, skipped);
      } catch (e) {
        skipped.push({ name: shown(), reason: `a folder that cannot be listed: ${inputErrorFromFs(e, shown()).detail}` });
      }
    } else if (entry.isSymbolicLink()) {
      const link = await resolveLink(full, shown(), jsonName);
      if (link && 'file' in link) out.push(link.file);
      else if (link) skipped.push({ name: shown(), reason: link.skip });
    } else if (!jsonName) {
      continue;
    } else if (entry.isFile()) {
      out.push(full);
    } else {
      // readdir's type comes from lstat: a FIFO, socket or device.
      let kind = 'not a regular file';
      try {
        kind = specialKind(await lstat(full));
      } catch {
        // Gone since the listing: named as not a regular file.
      }
      skipped.push({ name: shown(), reason: `${kind}, not a regular file` });
    }
  }
}

/** A file name on one line: a newline or control character in it is shown escaped. */
function shownName(name: string): string {
  return escapeControlChars(name, { singleLine: true });
}

/** The skipped entries as stderr lines, one per entry, and the closing line. */
export function skippedText(skipped: readonly SkippedInput[]): string {
  if (skipped.length === 0) return '';
  const lines = skipped.map((s) => `nbjob-iam: skipped ${shownName(s.name)}: ${s.reason}`);
  lines.push(`nbjob-iam: ${skipped.length === 1 ? '1 entry was' : `${skipped.length} entries were`} not read: the input is incomplete (exit status 2)`);
  // Within 80 columns, continuation lines indented; a name is never cut.
  return lines.flatMap((l) => (l.length <= 80 ? [l] : wrap(l, 80, '    '))).join('\n') + '\n';
}

/**
 * Expands the command line's names: a directory stands for every `*.json` below it
 * (sorted, hidden folders and node_modules skipped; what cannot be read is in `skipped`);
 * a file stands for itself; `-` for standard input. Every name is checked before any work
 * is done, so a typo fails fast.
 */
export async function expandInputs(args: readonly string[], ctx: RunContext): Promise<ExpandedInputs> {
  const out: string[] = [];
  const skipped: SkippedInput[] = [];
  let hadDirectory = false;
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
      hadDirectory = true;
      const found: string[] = [];
      const before = skipped.length;
      try {
        await walkJson(absolutePath, ctx, found, skipped);
      } catch (e) {
        throw new CliError(describeFsError(e, arg), EXIT.usage);
      }
      if (found.length === 0 && skipped.length === before) throw new CliError(`${arg}: directory holds no *.json file`, EXIT.usage);
      pushAll(out, found);
    } else {
      out.push(absolutePath);
    }
  }
  if (out.filter((a) => a === '-').length > 1) throw new CliError('standard input (-) can be named only once', EXIT.usage);
  if (out.length === 0 && skipped.length > 0) {
    throw new CliError(`no *.json file could be read:\n${skipped.map((s) => `  ${shownName(s.name)}: ${s.reason}`).join('\n')}`, EXIT.usage);
  }
  return { files: out, skipped, hadDirectory };
}
