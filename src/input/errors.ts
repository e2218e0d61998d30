/**
 * What goes wrong when reading a file the tool was given, as a value the caller can show:
 * the file, what happened, and (for an encoding error) where. The CLI turns an
 * `InputError` into exit status 2 (bad input); library callers can catch it by class.
 */
import { escapeControlChars } from '../text/sanitize.js';

/** A place in a file: 1-based line and column (in characters), 0-based byte offset. */
export interface InputPosition {
  readonly line: number;
  readonly column: number;
  /** Byte offset in the file as stored (before decoding). */
  readonly offset: number;
}

export type InputErrorCode =
  /** No such file, or a part of the path is missing. */
  | 'not-found'
  | 'permission-denied'
  /** A directory, FIFO, socket or device: only regular files are read. */
  | 'not-a-file'
  /** A chain of symbolic links that never ends. */
  | 'symlink-loop'
  /** Larger than the size cap (`--max-input-size`). */
  | 'too-large'
  /** Not UTF-8 (or UTF-16 with a byte-order mark), or an encoding we do not read. */
  | 'encoding'
  /** Any other error of the operating system. */
  | 'unreadable';

export class InputError extends Error {
  override readonly name = 'InputError';
  constructor(
    readonly code: InputErrorCode,
    /** The file as the user named it (or `<stdin>`). */
    readonly file: string,
    /** What happened, without the file name. */
    readonly detail: string,
    readonly position?: InputPosition,
  ) {
    // A file name with a newline or an escape in it is shown on one line, escaped.
    const shown = escapeControlChars(file, { singleLine: true });
    super(position ? `${shown}:${position.line}:${position.column}: ${detail}` : `${shown}: ${detail}`);
  }
}
