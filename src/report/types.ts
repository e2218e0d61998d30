/** What the renderers of findings take: plain results, nothing that knows about files or terminals. */
import type { Finding, Severity } from '../policy/findings.js';

/** The findings of one validated policy file. */
export interface FileReport {
  /** As shown to people and used for SARIF artifact URIs: relative to the working directory. */
  readonly file: string;
  /** The policy kind it was validated as, e.g. `trust`. */
  readonly kind?: string;
  /** Why that kind: `--kind`, `file name`, `content: ...`. */
  readonly kindReason?: string;
  /** The source text, for the caret snippet. */
  readonly source?: string;
  readonly findings: readonly Finding[];
}

/** Who made the report (SARIF `tool.driver`). */
export interface ToolInfo {
  readonly name: string;
  readonly version: string;
  readonly informationUri: string;
}

export interface TextOptions {
  /** ANSI colour; the caller decides (terminal, NO_COLOR). */
  readonly color?: boolean;
  /** Line width to wrap at; 80 by default. */
  readonly width?: number;
}

/** What is known about a finding code: its description, usual severity and the AWS page it rests on. */
export interface CodeInfo {
  readonly description: string;
  readonly severity?: Severity;
  readonly source?: string;
}
