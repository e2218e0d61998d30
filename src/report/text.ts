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

/**
 * Where each line of a source starts (LF, CR LF or a lone CR ends a line), built once per
 * file: looking a line up is then an array read, so 100,000 findings on a 7 MB
 * one-line policy cost one scan of it, not one per finding (that took minutes).
 */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(readonly source: string) {
    for (let i = 0; i < source.length; i++) {
      const c = source.charCodeAt(i);
      if (c === 10) this.starts.push(i + 1);
      else if (c === 13) {
        if (source.charCodeAt(i + 1) === 10) i++;
        this.starts.push(i + 1);
      }
    }
  }

  /** Line `line` (1-based) without its line break, or undefined past the end. */
  line(line: number): string | undefined {
    const start = this.starts[line - 1];
    if (start === undefined) return undefined;
    const next = this.starts[line];
    let end = next === undefined ? this.source.length : next - 1;
    if (next !== undefined && end > start && this.source.charCodeAt(end) === 10 && this.source.charCodeAt(end - 1) === 13) end--;
    return this.source.slice(start, end);
  }
}

/** The source line and a caret under `column`, cut to `width` around the column. */
export function caretSnippet(source: string | LineIndex, line: number, column: number, width = 80): string[] {
  if (line < 1) return [];
  const text = (typeof source === 'string' ? new LineIndex(source) : source).line(line);
  if (text === undefined) return [];
  const gutter = `${String(line).padStart(5)} | `;
  const blank = `${' '.repeat(5)} | `;
  const room = width - gutter.length;
  let col = Math.max(1, column) - 1;
  // Scroll right so the caret stays visible, marking the cut-off start. Only the window that
  // can be shown is copied: a finding at column 3,000,000 of a one-line policy costs what one
  // at column 3 does (100,000 findings on a 7 MB line took minutes).
  const start = col >= room - 1 ? col - Math.floor(room / 2) : 0;
  const shown = text.slice(start, start + width * 2).replace(/\t/g, ' ');
  const body = start > 0 ? '…' + shown.slice(1) : shown;
  col -= start;
  return [clip(gutter + body, width).trimEnd(), blank + ' '.repeat(col) + '^'];
}

function findingLines(file: string, f: Finding, source: LineIndex | undefined, width: number, paint: ReturnType<typeof painter>): string[] {
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
    const lines = report.source !== undefined && report.findings.length > 0 ? new LineIndex(report.source) : undefined;
    for (const f of report.findings) pushAll(out, findingLines(report.file, f, lines, width, paint));
    out.push('');
  }
  out.push(summaryLine(files));
  return out.join('\n') + '\n';
}
