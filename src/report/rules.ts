/**
 * Descriptions of finding codes for reports. The rule modules own the real table (the
 * CLI passes it in as a map); a code missing from it gets a description made from the
 * code itself, so a new code never breaks a report.
 */
import type { CodeInfo } from './types.js';

/** A short description for a finding code. */
export function describeCode(code: string, codes?: ReadonlyMap<string, CodeInfo>): string {
  const known = codes?.get(code)?.description;
  if (known !== undefined && known !== '') return known;
  const words = code.replace(/[-_]+/g, ' ').trim();
  return words === '' ? 'Finding.' : `${words.charAt(0).toUpperCase()}${words.slice(1)}.`;
}
