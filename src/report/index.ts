/** Renderers: pure functions from results to strings. */
export * from './types.js';
export { renderFindingsText, summaryLine, caretSnippet, countFindings } from './text.js';
export { renderFindingsJson, findingsToJson } from './json.js';
export type { JsonFinding } from './json.js';
export { renderFindingsSarif, findingsToSarif, fileToUri, SARIF_LEVEL, SARIF_SCHEMA_URI } from './sarif.js';
export type { SarifLog } from './sarif.js';
export { describeCode } from './rules.js';
export { wrap } from './text-util.js';
