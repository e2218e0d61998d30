/** Small text helpers shared by the text renderers: wrapping to a width, and colour. */

/**
 * Wraps `text` to `width` columns. Continuation lines get `indent`. A word longer than
 * the width (an ARN, a path) is never cut: it goes on a line of its own, longer than the
 * width, so what is copied from the terminal is still the ARN.
 */
export function wrap(text: string, width: number, indent = '', firstIndent = ''): string[] {
  const lines: string[] = [];
  let line = firstIndent;
  let lineHasWord = false;
  const words = text.split(/\s+/).filter((w) => w !== '');
  for (const word of words) {
    if (lineHasWord && line.length + 1 + word.length > width) {
      lines.push(line);
      line = indent;
      lineHasWord = false;
    }
    line += (lineHasWord ? ' ' : '') + word;
    lineHasWord = true;
  }
  if (lineHasWord || lines.length === 0) lines.push(line);
  return lines;
}

/** Cuts a line to `width` columns, marking the cut with `…`. */
export function clip(line: string, width: number): string {
  return line.length <= width ? line : line.slice(0, Math.max(0, width - 1)) + '…';
}

const CODES = { red: 31, yellow: 33, cyan: 36, green: 32, dim: 2, bold: 1 } as const;
export type Style = keyof typeof CODES;

/** Returns a painter that colours when `enabled`, and is the identity otherwise. */
export function painter(enabled: boolean): (style: Style, text: string) => string {
  return enabled ? (style, text) => `\u001b[${CODES[style]}m${text}\u001b[0m` : (_style, text) => text;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
