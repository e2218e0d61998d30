/**
 * Renderers of `check` results: pure functions from a CheckResult to a string.
 *
 *   renderCheck(result, 'text', { color: isTTY && !NO_COLOR, verbose })
 *   renderCheck(result, 'markdown')            // pull-request comment
 *   renderCheck(result, 'json')                // schemas/check-result.schema.json
 *   renderCheck(result, 'sarif', { tool, artifactUri })
 *   renderCheck(result, 'html')                // one self-contained file
 */
import type { CheckResult } from '../../notebook-jobs/check.js';
import { renderCheckHtml } from './html.js';
import type { CheckHtmlOptions } from './html.js';
import { renderCheckJson } from './json.js';
import { renderCheckMarkdown } from './markdown.js';
import type { CheckMarkdownOptions } from './markdown.js';
import { renderCheckSarif } from './sarif.js';
import type { CheckSarifOptions } from './sarif.js';
import { renderCheckText } from './text.js';
import type { CheckTextOptions } from './text.js';

export const CHECK_FORMATS = ['text', 'markdown', 'json', 'sarif', 'html'] as const;
export type CheckFormat = (typeof CHECK_FORMATS)[number];

/** Options of every format; each renderer reads the ones it knows. */
export type CheckRenderOptions = CheckTextOptions & CheckMarkdownOptions & CheckSarifOptions & CheckHtmlOptions;

export function renderCheck(result: CheckResult, format: CheckFormat, options: CheckRenderOptions = {}): string {
  switch (format) {
    case 'text':
      return renderCheckText(result, options);
    case 'markdown':
      return renderCheckMarkdown(result, options);
    case 'json':
      return renderCheckJson(result);
    case 'sarif':
      return renderCheckSarif(result, options);
    case 'html':
      return renderCheckHtml(result, options);
  }
}

export { renderCheckText, renderCheckMarkdown, renderCheckJson, renderCheckSarif, renderCheckHtml };
export type { CheckTextOptions, CheckMarkdownOptions, CheckSarifOptions, CheckHtmlOptions };
export { checkResultToJson, CHECK_JSON_VERSION } from './json.js';
export type { CheckJson, CheckJsonStep, CheckJsonFix } from './json.js';
export { checkResultToSarif } from './sarif.js';
export type { CheckSarifLog, CheckSarifResult } from './sarif.js';
export { escapeHtml } from './html.js';
export { mdCode, mdFence, mdText } from './markdown.js';
