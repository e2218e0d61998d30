/**
 * Findings for people: `file:line:column severity code message`, the source line with a
 * caret under the column, and a summary. Fits the given width (80 by default).
 */
import type { Finding, Severity } from '../policy/findings.js';
import type { FileReport, TextOptions } from './types.js';
import { cutLongWords, escapeControlChars, pushAll } from '../text/sanitize.js';
import { clip, painter, plural, wrap } from './text-util.js';

const SEVERITY_STYLE: Record<Severity, 'red' | 'yellow' | 'cyan'> = {
  error: 'red',
  warning: 'yellow',
  suggestion: 'cyan',
};

/** Counts per severity over all files. */
export function countFindings(files: readonly FileReport[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { error: 0, warning: 0, suggestion: 0 };
  for (const f of files) for (const x of f.findings) counts[x.severity]++;
  return counts;
}

/** Line `line` (1-based) of `source`, without splitting the whole text. */
function lineAt(source: string, line: number): string | undefined {
  let start = 0;
  for (let n = 1; n < line; n++) {
    const next = source.slice(start).search(/\r\n|\r|\n/);
    if (next < 0) return undefined;
    start += next + (source.startsWith('\r\n', start + next) ? 2 : 1);
  }
  const end = source.slice(start).search(/\r\n|\r|\n/);
  return end < 0 ? source.slice(start) : source.slice(start, start + end);
}

/** The source line and a caret under `column`, cut to `width` around the column. */
export function caretSnippet(source: string, line: number, column: number, width = 80): string[] {
  if (line < 1) return [];
  const text = lineAt(source, line);
  if (text === undefined) return [];
  // Only what can be shown is kept: a 10 MB line costs no more than a short one.
  const shown = (column > width * 4 ? text.slice(0, column + width) : text.slice(0, width * 4 + column)).replace(/\t/g, ' ');
  const gutter = `${String(line).padStart(5)} | `;
  const blank = `${' '.repeat(5)} | `;
  const room = width - gutter.length;
  let col = Math.max(1, column) - 1;
  let body = shown;
  if (col >= room - 1) {
    // Scroll right so the caret stays visible, marking the cut-off start.
    const start = col - Math.floor(room / 2);
    body = '…' + shown.slice(start + 1);
    col = col - start;
  }
  return [clip(gutter + body, width).trimEnd(), blank + ' '.repeat(col) + '^'];
}

function findingLines(file: string, f: Finding, source: string | undefined, width: number, paint: ReturnType<typeof painter>): string[] {
  const where = f.line > 0 ? `${file}:${f.line}:${f.column}` : file;
  const head = `${where} ${f.severity} ${f.code} ${escapeControlChars(cutLongWords(f.message), { singleLine: true })}`;
  const lines = wrap(head, width, '    ');
  // Colour after wrapping so escape codes never count towards the width.
  const first = lines[0] ?? '';
  const sevAt = where.length + 1;
  lines[0] =
    first.length >= sevAt + f.severity.length && first.slice(sevAt, sevAt + f.severity.length) === f.severity
      ? first.slice(0, sevAt) + paint(SEVERITY_STYLE[f.severity], f.severity) + first.slice(sevAt + f.severity.length)
      : first;
  if (source !== undefined) for (const l of caretSnippet(source, f.line, f.column, width)) lines.push(paint('dim', escapeControlChars(l)));
  return lines;
}

/** The summary line: `2 files: 1 error, 0 warnings, 3 suggestions`. */
export function summaryLine(files: readonly FileReport[]): string {
  const c = countFindings(files);
  return `${plural(files.length, 'file')}: ${plural(c.error, 'error')}, ${plural(c.warning, 'warning')}, ${plural(c.suggestion, 'suggestion')}`;
}

export function renderFindingsText(files: readonly FileReport[], options: TextOptions = {}): string {
  const width = options.width ?? 80;
  const paint = painter(options.color ?? false);
  const out: string[] = [];
  for (const report of files) {
    out.push(paint('bold', report.file));
    const kind = report.kind ? `${report.kind} policy` : '';
    const why = report.kindReason ? ` (kind from ${report.kindReason})` : '';
    const ok = report.findings.length === 0 ? ': no findings' : '';
    const header = `${kind}${why}${ok}`;
    if (header !== '') {
      const lines = wrap(header.replace(/^: /, ''), width, '    ', '  ');
      const last = lines.length - 1;
      if (ok !== '' && lines[last]?.endsWith('no findings')) lines[last] = lines[last].slice(0, -'no findings'.length) + paint('green', 'no findings');
      pushAll(out, lines);
    }
    for (const f of report.findings) pushAll(out, findingLines(report.file, f, report.source, width, paint));
    out.push('');
  }
  out.push(summaryLine(files));
  return out.join('\n') + '\n';
}
