/**
 * Merging an organization read separately into a member account's snapshot
 * (`nbjob-iam snapshot --merge-org FILE|DIR`). A member account cannot list the SCPs and
 * RCPs that govern it ("Viewing information about a policy" in AWS Organizations needs the
 * management account or a delegated administrator), so its own snapshot leaves them unread
 * and `check` calls the steps they could deny undecided. The organization, read by whoever
 * may read it, is merged here: either a snapshot file (any source) whose organization path
 * ends at this account, or a folder of Organizations CLI outputs (docs/snapshot-from-cli.md).
 */
import { existsSync, statSync } from 'node:fs';
import { InputError, maxBytesFor, readTextFileSync } from '../input/index.js';
import type { FileError } from './read-snapshot.js';
import { readSnapshotText } from './read-snapshot.js';
import { organizationFromCliDir } from './from-cli.js';
import type { AccountSnapshot, Organization, SnapshotGap } from './snapshot.js';

/** Gaps about the organization that a merged organization answers. */
const ORG_GAPS = /^(organization|organization path|the parent of .* in the organization|organization root|organization scps|organization rcps|scps attached to .*|rcps attached to .*|the content of policy p-.*)$/i;

export type MergeOrgResult =
  | { readonly ok: true; readonly snapshot: AccountSnapshot; readonly gaps: readonly SnapshotGap[] }
  | { readonly ok: false; readonly errors: readonly FileError[] };

function fail(file: string, message: string, path = '$'): MergeOrgResult {
  return { ok: false, errors: [{ file, line: 0, column: 0, path, message }] };
}

/** Replaces the snapshot's organization with the one read from `source`; never guesses the account. */
export function mergeOrganization(snapshot: AccountSnapshot, organization: Organization, source: string, extraGaps: readonly SnapshotGap[] = []): MergeOrgResult {
  const last = organization.path[organization.path.length - 1];
  if (!last || last.type !== 'ACCOUNT') return fail(source, 'the organization path does not reach an account (expected root, OUs, then the account)', '$.organization.path');
  if (last.id !== snapshot.accountId) {
    return fail(source, `the organization path is for account ${last.id}, not for ${snapshot.accountId} (the account of the snapshot)`, '$.organization.path');
  }
  if (snapshot.organization?.id && organization.id && snapshot.organization.id !== organization.id) {
    return fail(source, `the organization is ${organization.id}, but account ${snapshot.accountId} belongs to ${snapshot.organization.id}`, '$.organization.id');
  }
  const kept = (snapshot.gaps ?? []).filter((g) => !ORG_GAPS.test(g.what));
  const gaps = [...kept, ...extraGaps];
  const merged: AccountSnapshot = { ...snapshot, organization, gaps };
  if (!gaps.length) delete (merged as { gaps?: unknown }).gaps;
  return { ok: true, snapshot: merged, gaps };
}

/**
 * Reads `source` (a snapshot file or a folder of Organizations CLI outputs) and merges its
 * organization. The file is read like every input (src/input): a regular file only (a FIFO
 * is named, never waited on), under the snapshot cap or `maxInputBytes`.
 */
export function mergeOrganizationFrom(snapshot: AccountSnapshot, source: string, label = source, options: { readonly maxInputBytes?: number } = {}): MergeOrgResult {
  if (!existsSync(source)) return fail(label, 'no such file or folder');
  if (statSync(source).isDirectory()) {
    const read = organizationFromCliDir(source, snapshot.accountId, options.maxInputBytes);
    if (read.errors.length) return { ok: false, errors: read.errors.map((e) => ({ ...e, file: `${label}/${e.file}` })) };
    if (!read.organization) return fail(label, 'no organization in this folder: save aws organizations describe-organization and the files docs/snapshot-from-cli.md lists');
    return mergeOrganization(snapshot, read.organization, label, read.gaps);
  }
  let text: string;
  try {
    ({ text } = readTextFileSync(source, { maxBytes: maxBytesFor('snapshot', options.maxInputBytes), displayName: label }));
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    return { ok: false, errors: [{ file: label, line: e.position?.line ?? 0, column: e.position?.column ?? 0, path: '$', message: e.detail }] };
  }
  const read = readSnapshotText(text, label);
  if (!read.snapshot) return { ok: false, errors: read.errors };
  if (!read.snapshot.organization) return fail(label, 'this snapshot has no organization to merge', '$.organization');
  return mergeOrganization(snapshot, read.snapshot.organization, label);
}
