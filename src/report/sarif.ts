/**
 * Findings as SARIF 2.1.0 (OASIS Static Analysis Results Interchange Format), the format
 * code-scanning services read. One run; one rule per finding code; one result per
 * finding, located by artifact URI (relative to the working directory) and region.
 * test/report/sarif.test.ts validates the output against the official schema.
 */
import type { Severity } from '../policy/findings.js';
import { ACCESS_ANALYZER_CODES } from '../policy/access-analyzer.js';
import { describeCode } from './rules.js';
import type { CodeInfo, FileReport, ToolInfo } from './types.js';

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';

/** SARIF has `error`, `warning`, `note` (and `none`); a suggestion is a note. */
export const SARIF_LEVEL: Readonly<Record<Severity, 'error' | 'warning' | 'note'>> = {
  error: 'error',
  warning: 'warning',
  suggestion: 'note',
};

/** The SARIF types we emit, a small subset of the schema. */
export interface SarifLog {
  $schema: string;
  version: '2.1.0';
  runs: SarifRun[];
}
export interface SarifRun {
  tool: {
    driver: {
      name: string;
      version: string;
      semanticVersion: string;
      informationUri: string;
      rules: SarifRule[];
    };
  };
  artifacts: Array<{ location: { uri: string } }>;
  results: SarifResult[];
  columnKind: 'utf16CodeUnits';
}
export interface SarifRule {
  id: string;
  shortDescription: { text: string };
  fullDescription?: { text: string };
  defaultConfiguration?: { level: 'error' | 'warning' | 'note' };
  /** `accessAnalyzer`: the nearest IAM Access Analyzer issue codes (docs/access-analyzer.md). */
  properties?: { accessAnalyzer: string[] };
}
export interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: 'error' | 'warning' | 'note';
  message: { text: string };
  locations: Array<{
    physicalLocation: {
      artifactLocation: { uri: string; index: number };
      region?: { startLine: number; startColumn: number };
    };
    logicalLocations?: Array<{ fullyQualifiedName: string }>;
  }>;
}

/**
 * A file name as a relative URI reference: forward slashes, each segment
 * percent-encoded (so `<stdin>` or a space cannot make the URI invalid).
 */
export function fileToUri(file: string): string {
  if (/^[A-Za-z]:[\\/]/.test(file)) file = '/' + file.replace(/\\/g, '/');
  return file
    .replace(/\\/g, '/')
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/');
}

/**
 * The SARIF log for the findings of `files`. `codes` describes the finding codes (from
 * the rule modules' tables); without it, descriptions are made from the codes.
 */
export function findingsToSarif(files: readonly FileReport[], tool: ToolInfo, codes?: ReadonlyMap<string, CodeInfo>): SarifLog {
  const rules: SarifRule[] = [];
  const ruleIndex = new Map<string, number>();
  const artifacts: Array<{ location: { uri: string } }> = [];
  const artifactIndex = new Map<string, number>();
  const results: SarifResult[] = [];
  for (const report of files) {
    const uri = fileToUri(report.file);
    let aIndex = artifactIndex.get(uri);
    if (aIndex === undefined) {
      aIndex = artifacts.length;
      artifactIndex.set(uri, aIndex);
      artifacts.push({ location: { uri } });
    }
    for (const f of report.findings) {
      let rIndex = ruleIndex.get(f.code);
      if (rIndex === undefined) {
        rIndex = rules.length;
        ruleIndex.set(f.code, rIndex);
        const info = codes?.get(f.code);
        rules.push({
          id: f.code,
          shortDescription: { text: describeCode(f.code, codes) },
          ...(info?.source ? { fullDescription: { text: `${describeCode(f.code, codes)} Source: ${info.source}.` } } : {}),
          ...(info?.severity ? { defaultConfiguration: { level: SARIF_LEVEL[info.severity] } } : {}),
          ...((ACCESS_ANALYZER_CODES[f.code] ?? []).length ? { properties: { accessAnalyzer: [...ACCESS_ANALYZER_CODES[f.code]!] } } : {}),
        });
      }
      const region = f.line >= 1 ? { startLine: f.line, startColumn: Math.max(1, f.column) } : undefined;
      results.push({
        ruleId: f.code,
        ruleIndex: rIndex,
        level: SARIF_LEVEL[f.severity],
        message: { text: f.message },
        locations: [
          {
            physicalLocation: { artifactLocation: { uri, index: aIndex }, ...(region ? { region } : {}) },
            ...(f.path ? { logicalLocations: [{ fullyQualifiedName: f.path }] } : {}),
          },
        ],
      });
    }
  }
  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: tool.name,
            version: tool.version,
            semanticVersion: tool.version,
            informationUri: tool.informationUri,
            rules,
          },
        },
        artifacts,
        results,
        columnKind: 'utf16CodeUnits',
      },
    ],
  };
}

export function renderFindingsSarif(files: readonly FileReport[], tool: ToolInfo, codes?: ReadonlyMap<string, CodeInfo>): string {
  return JSON.stringify(findingsToSarif(files, tool, codes), null, 2) + '\n';
}
