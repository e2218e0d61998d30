/**
 * The one way nbjob-iam reads a file it was given (policy, scenario, snapshot, saved AWS
 * CLI output, standard input): regular files only, a size cap before reading, one
 * decoding (docs/input.md). Parsers take the text this hands them.
 */
export { InputError } from './errors.js';
export type { InputErrorCode, InputPosition } from './errors.js';
export { decodeText, firstInvalidUtf8, stripBom } from './decode.js';
export type { DecodeResult, TextEncodingName } from './decode.js';
export { DEFAULT_MAX_INPUT_BYTES, MAX_INPUT_BYTES_CEILING, formatBytes, maxBytesFor, parseByteSize } from './limits.js';
export type { InputKind } from './limits.js';
export { inputErrorFromFs, readTextFile, readTextFileSync, readTextStream } from './read.js';
export type { ReadOptions, TextInput } from './read.js';
