/** Findings as JSON: one flat array, one object per finding, in file order. */
import type { Severity } from '../policy/findings.js';
import type { FileReport } from './types.js';

export interface JsonFinding {
  readonly file: string;
  readonly severity: Severity;
  readonly code: string;
  readonly message: string;
  readonly path: string;
  readonly line: number;
  readonly column: number;
}

export function findingsToJson(files: readonly FileReport[]): JsonFinding[] {
  return files.flatMap((r) =>
    r.findings.map((f) => ({
      file: r.file,
      severity: f.severity,
      code: f.code,
      message: f.message,
      path: f.path,
      line: f.line,
      column: f.column,
    })),
  );
}

export function renderFindingsJson(files: readonly FileReport[]): string {
  return JSON.stringify(findingsToJson(files), null, 2) + '\n';
}
