/** `--format json`: `{ "policies": [ { "name", "kind", "attachTo", "document" } ] }`. */
import type { GenerateResult } from '../../notebook-jobs/generate.js';

export function renderGenerateJson(result: GenerateResult): string {
  const policies = result.policies.map((p) => ({ name: p.name, kind: p.kind, attachTo: p.attachTo, document: p.document }));
  return `${JSON.stringify({ policies }, null, 2)}\n`;
}
