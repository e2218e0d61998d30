/**
 * Bytes → text, the same way for every file the tool reads.
 *
 * - UTF-8 is the format of every AWS document and of JSON (RFC 8259 §8.1). A UTF-8
 *   byte-order mark (Notepad, some editors) is dropped, so positions count from after it.
 * - UTF-16 with a byte-order mark (what Windows PowerShell 5's `>` and `Out-File` write),
 *   or without one when the first characters are plainly ASCII with a zero byte beside
 *   them, is decoded; JSON text is the same after decoding.
 * - UTF-32 is named and refused (nothing writes it by accident, and AWS never does).
 * - Invalid UTF-8 is refused with the byte offset, line and column of the first bad byte,
 *   never turned into U+FFFD: a policy that says something else than its file would be a
 *   confident wrong answer.
 */
import type { InputPosition } from './errors.js';

export type TextEncodingName = 'utf-8' | 'utf-8 with BOM' | 'utf-16le' | 'utf-16be';

export type DecodeResult =
  | { readonly ok: true; readonly text: string; readonly encoding: TextEncodingName }
  | { readonly ok: false; readonly message: string; readonly position?: InputPosition };

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf16le = new TextDecoder('utf-16le', { fatal: true, ignoreBOM: true });
const lenientUtf8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/** The offset of the first byte that does not start or continue a valid UTF-8 sequence. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    let max = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      // No overlong forms (E0 80..9F) and no surrogates (ED A0..BF).
      min = b === 0xe0 ? 0xa0 : 0x80;
      max = b === 0xed ? 0x9f : 0xbf;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = b === 0xf0 ? 0x90 : 0x80;
      max = b === 0xf4 ? 0x8f : 0xbf;
    } else {
      return i;
    }
    if (i + need >= n) return i; // the file ends inside the character
    const second = bytes[i + 1];
    if (second === undefined || second < min || second > max) return i;
    for (let k = 2; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || c < 0x80 || c > 0xbf) return i;
    }
    i += need + 1;
  }
  return -1;
}

/** Line (1-based) and column (1-based, in characters) of a byte offset in UTF-8 bytes. */
export function positionOfUtf8Offset(bytes: Uint8Array, offset: number, start = 0): InputPosition {
  let line = 1;
  let lineStart = start;
  for (let i = start; i < offset; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  const before = lenientUtf8.decode(bytes.subarray(lineStart, offset));
  return { line, column: before.length + 1, offset };
}

/** True when the bytes from `at` are the start of a multi-byte character cut by the end of the file. */
function cutAtEnd(bytes: Uint8Array, at: number): boolean {
  const b = bytes[at]!;
  const need = b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : 0;
  if (need === 0 || at + need < bytes.length) return false;
  for (let k = at + 1; k < bytes.length; k++) if (bytes[k]! < 0x80 || bytes[k]! > 0xbf) return false;
  return true;
}

function describeByte(b: number): string {
  return `0x${b.toString(16).toUpperCase().padStart(2, '0')}`;
}

/** Swaps each pair of bytes (UTF-16BE → UTF-16LE); an odd last byte is dropped by the caller. */
function swapPairs(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i + 1 < bytes.length; i += 2) {
    out[i] = bytes[i + 1]!;
    out[i + 1] = bytes[i]!;
  }
  return out;
}

function decodeUtf16(bytes: Uint8Array, bigEndian: boolean, bomLength: number): DecodeResult {
  const body = bytes.subarray(bomLength);
  const name: TextEncodingName = bigEndian ? 'utf-16be' : 'utf-16le';
  const label = bigEndian ? 'UTF-16BE' : 'UTF-16LE';
  if (body.length % 2 !== 0) {
    return { ok: false, message: `the file looks like ${label} (as Windows PowerShell writes) but has an odd number of bytes; save it as UTF-8` };
  }
  try {
    return { ok: true, text: utf16le.decode(bigEndian ? swapPairs(body) : body), encoding: name };
  } catch {
    return { ok: false, message: `the file looks like ${label} (as Windows PowerShell writes) but is not valid ${label}; save it as UTF-8` };
  }
}

/** Decodes a file's bytes (see the module comment for what is accepted). Never throws. */
export function decodeText(bytes: Uint8Array): DecodeResult {
  const [b0, b1, b2, b3] = [bytes[0], bytes[1], bytes[2], bytes[3]];
  if ((b0 === 0xff && b1 === 0xfe && b2 === 0 && b3 === 0) || (b0 === 0 && b1 === 0 && b2 === 0xfe && b3 === 0xff)) {
    return { ok: false, message: 'the file is UTF-32, which nbjob-iam does not read; save it as UTF-8' };
  }
  if (b0 === 0xff && b1 === 0xfe) return decodeUtf16(bytes, false, 2);
  if (b0 === 0xfe && b1 === 0xff) return decodeUtf16(bytes, true, 2);
  // No byte-order mark, but "{\0"\0" or "\0{\0"": UTF-16 text (JSON starts with ASCII).
  if (bytes.length >= 4 && b0 !== 0 && b1 === 0 && b2 !== 0 && b3 === 0) return decodeUtf16(bytes, false, 0);
  if (bytes.length >= 4 && b0 === 0 && b1 !== 0 && b2 === 0 && b3 !== 0) return decodeUtf16(bytes, true, 0);
  const bom = b0 === 0xef && b1 === 0xbb && b2 === 0xbf ? 3 : 0;
  const body = bytes.subarray(bom);
  try {
    return { ok: true, text: utf8.decode(body), encoding: bom ? 'utf-8 with BOM' : 'utf-8' };
  } catch {
    const at = firstInvalidUtf8(body);
    const offset = at < 0 ? body.length : at;
    const position = positionOfUtf8Offset(bytes, offset + bom, bom);
    const bad = bytes[offset + bom];
    const what = bad === undefined || cutAtEnd(body, offset) ? ' (the file ends inside a character)' : `: byte ${describeByte(bad)} at byte offset ${offset + bom}`;
    return {
      ok: false,
      message: `invalid UTF-8${what}; save the file as UTF-8`,
      position,
    };
  }
}

/** Drops a leading U+FEFF from text that is already decoded (a string handed over by a caller). */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
