/**
 * Reading a file the user named, the same way for every kind of input (policy, scenario,
 * snapshot, saved AWS CLI output, standard input):
 *
 * 1. opened with O_NONBLOCK, so a FIFO without a writer cannot hang the open;
 * 2. `fstat` on the open descriptor (no race with a rename): only a regular file is read;
 *    a directory, FIFO, socket or device is refused by name;
 * 3. its size checked against the cap before a byte is read (and the read stops at the cap
 *    if the file grows meanwhile);
 * 4. decoded by `decodeText` (UTF-8, BOM dropped; UTF-16 decoded; anything else named).
 *
 * Errors are `InputError`s naming the file; nothing here prints or exits.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { open } from 'node:fs/promises';
import { decodeText } from './decode.js';
import type { TextEncodingName } from './decode.js';
import { InputError } from './errors.js';
import { formatBytes } from './limits.js';

export interface ReadOptions {
  /** The cap in bytes; larger files are refused before they are read. */
  readonly maxBytes: number;
  /** The file as shown to people (default: the path). */
  readonly displayName?: string;
  /** What raises the cap, for the too-large message (default: the CLI flag). */
  readonly raiseHint?: string;
}

export interface TextInput {
  /** As shown to people. */
  readonly name: string;
  readonly text: string;
  readonly encoding: TextEncodingName;
  /** The size in bytes as stored. */
  readonly bytes: number;
}

const DEFAULT_RAISE_HINT = '--max-input-size';
// Not defined on Windows, where a FIFO cannot be opened by path anyway.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

function kindOf(info: Stats): string | undefined {
  if (info.isFile()) return undefined;
  if (info.isDirectory()) return 'a directory';
  if (info.isFIFO()) return 'a named pipe (FIFO)';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

/** Turns an operating-system error into an InputError naming the file. */
export function inputErrorFromFs(e: unknown, name: string): InputError {
  const code = (e as { code?: string }).code;
  switch (code) {
    case 'ENOENT':
      return new InputError('not-found', name, 'no such file or directory');
    case 'ENOTDIR':
      return new InputError('not-found', name, 'a part of the path is not a directory');
    case 'EACCES':
    case 'EPERM':
      return new InputError('permission-denied', name, 'permission denied');
    case 'ELOOP':
      return new InputError('symlink-loop', name, 'too many levels of symbolic links (a symlink loop)');
    case 'EISDIR':
      return new InputError('not-a-file', name, 'is a directory, expected a file');
    case 'ENXIO':
    case 'ENODEV':
      return new InputError('not-a-file', name, 'is a socket or device, expected a regular file');
    case 'ENAMETOOLONG':
      return new InputError('not-found', name, 'the file name is too long');
    default:
      return new InputError('unreadable', name, `cannot be read (${code ?? String(e)})`);
  }
}

function tooLarge(name: string, size: number | undefined, maxBytes: number, hint: string): InputError {
  const what = size === undefined ? 'more than' : `${formatBytes(size)}, more than`;
  return new InputError('too-large', name, `is ${what} the limit of ${formatBytes(maxBytes)} for this kind of file; if the file is right, raise the limit with ${hint}`);
}

function checkStat(info: Stats, name: string, o: ReadOptions): void {
  const kind = kindOf(info);
  if (kind) throw new InputError('not-a-file', name, `is ${kind}, expected a regular file`);
  if (info.size > o.maxBytes) throw tooLarge(name, info.size, o.maxBytes, o.raiseHint ?? DEFAULT_RAISE_HINT);
}

function finish(name: string, bytes: Uint8Array): TextInput {
  const decoded = decodeText(bytes);
  if (!decoded.ok) throw new InputError('encoding', name, decoded.message, decoded.position);
  return { name, text: decoded.text, encoding: decoded.encoding, bytes: bytes.length };
}

/** Reads a regular file as text (synchronously). Throws InputError. */
export function readTextFileSync(path: string, o: ReadOptions): TextInput {
  const name = o.displayName ?? path;
  let fd: number;
  try {
    fd = openSync(path, OPEN_FLAGS);
  } catch (e) {
    throw inputErrorFromFs(e, name);
  }
  try {
    let info: Stats;
    try {
      info = fstatSync(fd);
    } catch (e) {
      throw inputErrorFromFs(e, name);
    }
    checkStat(info, name, o);
    // One byte more than the cap tells a file that grew after the stat.
    const buffer = Buffer.allocUnsafe(Math.min(o.maxBytes + 1, Math.max(info.size + 1, 1)));
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        if (length > o.maxBytes) throw tooLarge(name, undefined, o.maxBytes, o.raiseHint ?? DEFAULT_RAISE_HINT);
        break;
      }
      let n: number;
      try {
        n = readSync(fd, buffer, length, buffer.length - length, null);
      } catch (e) {
        throw inputErrorFromFs(e, name);
      }
      if (n === 0) break;
      length += n;
    }
    if (length > o.maxBytes) throw tooLarge(name, undefined, o.maxBytes, o.raiseHint ?? DEFAULT_RAISE_HINT);
    return finish(name, buffer.subarray(0, length));
  } finally {
    closeSync(fd);
  }
}

/** Reads a regular file as text. Throws (rejects with) InputError. */
export async function readTextFile(path: string, o: ReadOptions): Promise<TextInput> {
  const name = o.displayName ?? path;
  let handle;
  try {
    handle = await open(path, OPEN_FLAGS);
  } catch (e) {
    throw inputErrorFromFs(e, name);
  }
  try {
    let info: Stats;
    try {
      info = await handle.stat();
    } catch (e) {
      throw inputErrorFromFs(e, name);
    }
    checkStat(info, name, o);
    const buffer = Buffer.allocUnsafe(Math.min(o.maxBytes + 1, Math.max(info.size + 1, 1)));
    let length = 0;
    while (length < buffer.length) {
      let n: number;
      try {
        ({ bytesRead: n } = await handle.read(buffer, length, buffer.length - length, null));
      } catch (e) {
        throw inputErrorFromFs(e, name);
      }
      if (n === 0) break;
      length += n;
    }
    if (length > o.maxBytes) throw tooLarge(name, undefined, o.maxBytes, o.raiseHint ?? DEFAULT_RAISE_HINT);
    return finish(name, buffer.subarray(0, length));
  } finally {
    await handle.close();
  }
}

/**
 * Reads a stream (standard input) as text, refusing it as soon as it passes the cap, so
 * `yes | nbjob-iam validate -` ends instead of filling memory.
 */
export async function readTextStream(stream: AsyncIterable<unknown>, o: ReadOptions): Promise<TextInput> {
  const name = o.displayName ?? '<stdin>';
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of stream) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk as Uint8Array);
    length += b.length;
    if (length > o.maxBytes) throw tooLarge(name, undefined, o.maxBytes, o.raiseHint ?? DEFAULT_RAISE_HINT);
    chunks.push(b);
  }
  return finish(name, Buffer.concat(chunks, length));
}
