/**
 * Text from a policy, a scenario or an account is untrusted when it is shown: a Sid, an
 * Action or a role name can hold ESC, BEL, CSI or a bidirectional override, which a
 * terminal would obey (retitle it, clear it, reorder what the reader sees) and which a
 * Markdown or HTML viewer may render misleadingly. Every renderer passes such text
 * through here; `escapeOutputControls` is the last line of defence over a whole output.
 *
 * Dangerous characters are shown as `\uXXXX` (the JSON spelling, so a value can be found
 * again in its file); long values are cut for display with the count of what was left out.
 */

/**
 * C0 controls except TAB and LF, DEL, C1 controls (0x9B is a one-byte CSI), the
 * bidirectional embeddings, overrides and isolates (Trojan Source, CVE-2021-42574), the
 * Arabic letter mark and LRM/RLM, and the Unicode line and paragraph separators.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
// eslint-disable-next-line no-control-regex
const UNSAFE_OR_BREAK = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
// eslint-disable-next-line no-control-regex
const ANY_UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

function escapeChar(c: string): string {
  if (c === '\n') return '\\n';
  if (c === '\t') return '\\t';
  if (c === '\r') return '\\r';
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** Tab, line feed and printable ASCII only: the common case, tested first (twice as fast as ANY_UNSAFE). */
const PLAIN_ASCII = /^[\t\n\x20-\x7e]*$/;

/** True when the text holds a character that `escapeControlChars` would escape. */
export function hasControlChars(text: string): boolean {
  return !PLAIN_ASCII.test(text) && ANY_UNSAFE.test(text);
}

/**
 * Shows control and bidi characters as `\uXXXX`. Line feeds and tabs are kept unless
 * `singleLine` (then they are `\n` and `\t` too, so a value cannot start a new line).
 */
export function escapeControlChars(text: string, options: { readonly singleLine?: boolean } = {}): string {
  return text.replace(options.singleLine ? UNSAFE_OR_BREAK : UNSAFE, escapeChar);
}

/** The default longest value shown in full, in characters. */
export const DISPLAY_MAX = 200;

/**
 * Cuts a value for display: `max` characters (the last one `…`), then ` (N more characters)`. Cut
 * before anything else, so a 10 MB string costs no more than a short one downstream.
 * A surrogate pair is never split.
 */
export function cutForDisplay(text: string, max = DISPLAY_MAX): string {
  if (text.length <= max) return text;
  // The kept part and the `…` together are `max` long, so cutting again changes nothing.
  let end = Math.max(0, max - 1);
  const c = text.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--;
  return `${text.slice(0, end)}… (${text.length - end} more characters)`;
}

/** The longest run of non-space characters a message keeps (an ARN is far shorter). */
export const WORD_MAX = 300;

/**
 * Cuts every run of more than `max` non-space characters (a quoted 10 MB Action) in a
 * message, keeping the words around it, so a message stays readable and bounded.
 */
export function cutLongWords(text: string, max = WORD_MAX): string {
  if (text.length <= max) return text;
  // A loop, not a regex: a quantifier over 10 MB of one word exhausts the regex stack.
  let out = '';
  let last = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    while (i < n && isSpace(text.charCodeAt(i))) i++;
    const start = i;
    while (i < n && !isSpace(text.charCodeAt(i))) i++;
    if (i - start > max) {
      out += text.slice(last, start) + cutForDisplay(text.slice(start, i), max);
      last = i;
    }
  }
  return last === 0 ? text : out + text.slice(last);
}

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0x2028 || c === 0x2029 || c === 0xfeff || (c >= 0x2000 && c <= 0x200a) || c === 0x1680 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0x85;
}

/** A value from the input, made safe to show on one line: cut, then escaped. */
export function displayValue(text: string, max = DISPLAY_MAX): string {
  return escapeControlChars(cutForDisplay(text, max), { singleLine: true });
}

/** The exact SGR sequences the CLI painter writes (src/report/text-util.ts). */
// eslint-disable-next-line no-control-regex
const PAINTER_SGR = /\u001b\[(?:0|1|2|31|32|33|36)m/y;

/**
 * The last line of defence over a whole output (stdout or stderr of a command): every
 * control character except LF and TAB becomes `\uXXXX`. With `keepColor`, the painter's
 * own colour codes are kept and every other ESC is escaped. JSON, SARIF, HTML and
 * Markdown stay valid: these characters can only be inside their string values or text,
 * where `\uXXXX` is text.
 */
export function escapeOutputControls(output: string, options: { readonly keepColor?: boolean } = {}): string {
  if (!hasControlChars(output)) return output;
  if (!options.keepColor) return escapeControlChars(output);
  let out = '';
  let last = 0;
  UNSAFE.lastIndex = 0;
  for (let m = UNSAFE.exec(output); m !== null; m = UNSAFE.exec(output)) {
    const i = m.index;
    if (m[0] === '\u001b') {
      PAINTER_SGR.lastIndex = i;
      const sgr = PAINTER_SGR.exec(output);
      if (sgr) {
        UNSAFE.lastIndex = i + sgr[0].length;
        continue;
      }
    }
    out += output.slice(last, i) + escapeChar(m[0]);
    last = i + 1;
  }
  UNSAFE.lastIndex = 0;
  return out + output.slice(last);
}

/** Appends every item without spreading (a spread of a large array overflows the stack). */
export function pushAll<T>(target: T[], items: Iterable<T>): T[] {
  for (const item of items) target.push(item);
  return target;
}

/** The largest of the numbers, or `empty` for none, without spreading them into Math.max. */
export function maxOf(values: Iterable<number>, empty = 0): number {
  let max: number | undefined;
  for (const v of values) if (max === undefined || v > max) max = v;
  return max ?? empty;
}

/**
 * A value from the command line or a file, quoted for an error message: on one line
 * (a newline or escape in it shown as `\n`, `\u001b`), cut to DISPLAY_MAX characters.
 */
export function quoteValue(value: string): string {
  return `"${escapeControlChars(cutForDisplay(value), { singleLine: true })}"`;
}
