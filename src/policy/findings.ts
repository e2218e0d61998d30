/**
 * Findings are values: a stable code, a severity, what was expected, and where.
 * The CLI prints them; nothing here prints.
 */
import { cutLongWords } from '../text/sanitize.js';
import type { SourcePosition } from './json.js';

export type Severity = 'error' | 'warning' | 'suggestion';

export interface Finding {
  readonly severity: Severity;
  /** Stable identifier, e.g. `IAM001`. Documented in docs/checks.md. */
  readonly code: string;
  readonly message: string;
  /** JSON path of the element, e.g. `$.Statement[0].Action[1]`. */
  readonly path: string;
  readonly line: number;
  readonly column: number;
}

export function finding(
  severity: Severity,
  code: string,
  message: string,
  where: { path: string; loc: SourcePosition } | { path: string; line: number; column: number },
): Finding {
  const line = 'loc' in where ? where.loc.line : where.line;
  const column = 'loc' in where ? where.loc.column : where.column;
  // A message quotes values from the policy; a 10 MB value is cut, the words around it kept.
  return { severity, code, message: cutLongWords(message), path: where.path, line, column };
}

/** Stable ordering for output: by line, column, then code. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort((a, b) => a.line - b.line || a.column - b.column || a.code.localeCompare(b.code));
}
