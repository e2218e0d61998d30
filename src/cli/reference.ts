/**
 * The bundled reference policies (reference/index.json): the policies of the AWS page
 * "Set up policies and permissions for Studio" (scheduled notebook jobs), each with the
 * kind it is attached as.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { POLICY_KINDS } from '../policy/model.js';
import type { PolicyKind } from '../policy/model.js';
import { CliError, EXIT } from './errors.js';

export interface ReferencePolicy {
  /** Path relative to reference/. */
  readonly file: string;
  readonly kind: PolicyKind;
  readonly title: string;
}

function isKind(v: unknown): v is PolicyKind {
  return typeof v === 'string' && (POLICY_KINDS as readonly string[]).includes(v);
}

/** Reads reference/index.json. A broken manifest is a packaging bug, reported cleanly. */
export async function loadReferenceManifest(packageRoot: string): Promise<{ dir: string; policies: ReferencePolicy[] }> {
  const dir = path.join(packageRoot, 'reference');
  const manifestPath = path.join(dir, 'index.json');
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(manifestPath, 'utf8'));
  } catch (e) {
    throw new CliError(`cannot read the reference policies' manifest ${manifestPath}: ${(e as Error).message}`, EXIT.internal);
  }
  const list = (raw as { policies?: unknown }).policies;
  if (!Array.isArray(list)) throw new CliError(`${manifestPath}: "policies" must be a list`, EXIT.internal);
  const policies: ReferencePolicy[] = [];
  for (const item of list) {
    const { file, kind, title } = item as Record<string, unknown>;
    if (typeof file !== 'string' || !isKind(kind)) {
      throw new CliError(`${manifestPath}: each policy needs "file" and a valid "kind"`, EXIT.internal);
    }
    policies.push({ file, kind, title: typeof title === 'string' ? title : file });
  }
  return { dir, policies };
}
