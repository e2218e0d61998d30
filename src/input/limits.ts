/**
 * How large a file the tool reads before refusing it. The cap is checked against the
 * file's size before a byte is read, so a 50 MB "policy" costs a `stat`, not a parse.
 * Every default is far above what AWS itself accepts (docs/input.md has the numbers);
 * `--max-input-size` raises (or lowers) the cap for every file a command reads.
 */
import { quoteValue } from '../text/sanitize.js';

/** What a file is, for its default cap. */
/** `report`: an earlier report of `check --format json` (--baseline) or a suppressions file. */
export type InputKind = 'policy' | 'scenario' | 'snapshot' | 'aws-cli' | 'report';

const MiB = 1024 * 1024;

/**
 * The default caps. The largest policy AWS accepts is a 20 KB bucket policy or a 32 KB key
 * policy (whitespace aside); a scenario holds a handful of policies; a snapshot or a saved
 * `aws iam get-account-authorization-details` grows with the account's roles.
 */
export const DEFAULT_MAX_INPUT_BYTES: Readonly<Record<InputKind, number>> = Object.freeze({
  policy: 1 * MiB,
  scenario: 8 * MiB,
  snapshot: 64 * MiB,
  'aws-cli': 64 * MiB,
  // A JSON report of a whole domain grows with its profiles (about 20 KB each).
  report: 256 * MiB,
});

/** The largest cap the flag accepts: a JavaScript string cannot hold much more. */
export const MAX_INPUT_BYTES_CEILING = 512 * MiB;

/** The cap for a kind: the caller's (from `--max-input-size`) when given, else the default. */
export function maxBytesFor(kind: InputKind, override?: number): number {
  return override ?? DEFAULT_MAX_INPUT_BYTES[kind];
}

const UNITS: Readonly<Record<string, number>> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1000,
  kib: 1024,
  m: MiB,
  mb: 1000 * 1000,
  mib: MiB,
  g: 1024 * MiB,
  gb: 1000 * 1000 * 1000,
  gib: 1024 * MiB,
};

/**
 * Reads a size as people write it: `1048576`, `512k`, `10MB`, `64MiB`, `1g`. Returns an
 * error message for anything else (or a size that is not positive or over the ceiling).
 */
export function parseByteSize(text: string): { ok: true; bytes: number } | { ok: false; message: string } {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  const unit = m ? UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined) {
    return { ok: false, message: `"${text}" is not a size; write bytes or a number with a unit, e.g. 10MB, 64MiB, 512k` };
  }
  const bytes = Math.floor(Number(m[1]) * unit);
  if (!(bytes > 0)) return { ok: false, message: `the size must be more than 0 bytes, got ${quoteValue(text)}` };
  if (bytes > MAX_INPUT_BYTES_CEILING) {
    return { ok: false, message: `"${text}" is more than the largest size nbjob-iam can read (${formatBytes(MAX_INPUT_BYTES_CEILING)})` };
  }
  return { ok: true, bytes };
}

/** `1048576` → `1 MiB`, `1536` → `1.5 KiB`, `700` → `700 bytes`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  const [value, unit] = bytes < MiB ? [bytes / 1024, 'KiB'] : bytes < 1024 * MiB ? [bytes / MiB, 'MiB'] : [bytes / (1024 * MiB), 'GiB'];
  return `${Number(value.toFixed(1))} ${unit}`;
}
