/** nbjob-iam: the library entry point. */
export * from './policy/json.js';
export * from './policy/model.js';
export * from './policy/findings.js';
export * from './policy/read.js';
export * from './engine/index.js';
export * from './policy/validate.js';
export { renderFindingsText, renderFindingsJson, renderFindingsSarif } from './report/index.js';
export type { FileReport, ToolInfo, CodeInfo } from './report/index.js';
