/**
 * `nbjob-iam snapshot`: the account snapshot that `check` reads, from saved AWS CLI output
 * (`--from-cli DIR`) or from the live account (AWS SDK v3, read-only).
 */
import { mkdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { cliScript } from '../../account/cli-script.js';
import { snapshotFromCliDir } from '../../account/from-cli.js';
import { mergeOrganizationFrom } from '../../account/merge-org.js';
import { formatFileError } from '../../account/read-snapshot.js';
import type { AccountSnapshot, SnapshotGap } from '../../account/snapshot.js';
import type { CommandOutput, RunContext } from '../context.js';
import { CliError, EXIT } from '../errors.js';
import { localProfileProblem } from '../live-flags.js';
import type { SnapshotCommandOptions } from '../options.js';
import { escapeControlChars } from '../../text/sanitize.js';

function progressBar(write: (s: string) => void): (done: number, total: number, label: string) => void {
  return (done, total, label) => {
    const width = 24;
    const filled = total > 0 ? Math.min(width, Math.round((done / total) * width)) : 0;
    write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${label.slice(0, 40).padEnd(40)}`);
  };
}

/** Merges the organization named by --merge-org; the snapshot's organization gaps go with it. */
function withMergedOrg<G extends SnapshotGap>(snapshot: AccountSnapshot, gaps: readonly G[], options: SnapshotCommandOptions, ctx: RunContext): { snapshot: AccountSnapshot; gaps: readonly SnapshotGap[] } {
  if (!options.mergeOrg) return { snapshot, gaps };
  const merged = mergeOrganizationFrom(snapshot, path.resolve(ctx.cwd, options.mergeOrg), options.mergeOrg, { maxInputBytes: options.maxInputBytes });
  if (!merged.ok) throw new CliError(`--merge-org: ${merged.errors.map(formatFileError).join('; ')}`, EXIT.usage);
  return { snapshot: merged.snapshot, gaps: merged.gaps };
}

/** --out must name a file: a directory there is a usage error (exit 2), named (`/dev/stdout` or a pipe is the user's choice). */
async function checkWritable(out: string, shown: string): Promise<void> {
  let info;
  try {
    info = await stat(out);
  } catch {
    return; // absent: written (its folder is created)
  }
  if (info.isDirectory()) throw new CliError(`--out ${shown}: is a directory; name the snapshot file to write, e.g. ${path.join(shown, 'account.json')}`, EXIT.usage);
}

/** Writes the snapshot; a file system error is named with the file (exit 2), never a stack trace. */
async function writeSnapshot(out: string, shown: string, snapshot: unknown): Promise<void> {
  try {
    await mkdir(path.dirname(out), { recursive: true });
    await writeFile(out, `${JSON.stringify(snapshot, null, 2)}\n`);
  } catch (e) {
    const code = (e as { code?: string }).code;
    const why = code === 'EISDIR' ? 'is a directory' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'ENOTDIR' ? 'a part of the path is not a directory' : `cannot be written (${code ?? String(e)})`;
    throw new CliError(`--out ${shown}: ${why}`, EXIT.usage);
  }
}

export async function execute(options: SnapshotCommandOptions, ctx: RunContext): Promise<CommandOutput> {
  if (options.cliScript || options.out === undefined) {
    return { stdout: cliScript({ region: options.region, domains: options.domains, kmsKeys: options.kmsKeys, buckets: options.buckets }), exitCode: EXIT.ok };
  }
  const out = path.resolve(ctx.cwd, options.out);
  // Checked before anything is read (a live run would read the whole account first).
  await checkWritable(out, options.out);
  if (options.fromCli) {
    const dir = path.resolve(ctx.cwd, options.fromCli);
    const read = snapshotFromCliDir(dir, { region: options.region, maxInputBytes: options.maxInputBytes });
    const { errors, missingRequired, unused } = read;
    if (errors.some((e) => e.message === 'folder not found')) throw new CliError(`${escapeControlChars(options.fromCli, { singleLine: true })}: no such folder`, EXIT.usage);
    const shownErrors = errors.map((e) => `error: ${formatFileError({ ...e, file: path.join(options.fromCli ?? '', e.file) })}`);
    if (missingRequired.length > 0) {
      // Without these the account or region would have to be invented: nothing is written.
      const lines = [
        `${options.out} not written: ${missingRequired.length === 1 ? 'a required output is' : 'required outputs are'} missing from ${options.fromCli}`,
        ...missingRequired.map((m) => `missing: ${path.join(options.fromCli ?? '', m.file)} ${m.reason}; save it with: ${m.command} > ${m.file}`),
        ...shownErrors,
      ];
      return { stdout: '', stderr: `${lines.join('\n')}\n`, exitCode: EXIT.usage };
    }
    const { snapshot, gaps } = withMergedOrg(read.snapshot, read.gaps, options, ctx);
    await writeSnapshot(out, options.out, snapshot);
    const lines = [
      `wrote ${options.out}: account ${snapshot.accountId}, ${snapshot.region}, ${snapshot.roles.length} roles, ${snapshot.sagemaker.domains.length} domains`,
      ...shownErrors,
      ...gaps.map((g) => `not read: ${g.what}: ${g.message}`),
      ...unused.map((f) => `ignored: ${f}: not a file name --from-cli reads (docs/snapshot-from-cli.md)`),
    ];
    // A file that is not the output of its command is bad input (2); gaps are listed, and check marks what they leave undecided.
    return { stdout: '', stderr: `${lines.join('\n')}\n`, exitCode: errors.length ? EXIT.usage : EXIT.ok };
  }
  const profile = localProfileProblem(options.profile);
  if (profile) throw new CliError(profile, EXIT.usage);
  // Live: imported only here, so the other commands never load the AWS SDK.
  const live = await import('../../account/live.js');
  const { CredentialsError } = await import('../../account/aws-call.js');
  const stderr: string[] = [];
  const draw = progressBar((s) => process.stderr.isTTY && process.stderr.write(s));
  try {
    const result = await live.runSnapshot({
      profile: options.profile,
      orgProfile: options.orgProfile,
      region: options.region,
      // Written below, after the organization is merged.
      out: options.mergeOrg ? undefined : out,
      domainIds: options.domains,
      kmsKeys: options.kmsKeys,
      buckets: options.buckets,
      onProgress: draw,
    });
    if (process.stderr.isTTY) process.stderr.write('\n');
    let gaps: readonly { what: string; message: string; permission?: string }[] = result.gaps;
    if (options.mergeOrg) {
      const merged = withMergedOrg(result.snapshot, result.gaps, options, ctx);
      gaps = merged.gaps;
      await writeSnapshot(out, options.out, merged.snapshot);
    }
    stderr.push(`wrote ${options.out}: ${result.calls} read-only calls`);
    for (const g of gaps) stderr.push(`not read: ${g.what}${g.permission ? ` (needs ${g.permission})` : ''}: ${g.message}`);
    stderr.push(...result.notes);
    return { stdout: '', stderr: `${stderr.join('\n')}\n`, exitCode: EXIT.ok };
  } catch (e) {
    if (e instanceof CredentialsError) throw new CliError(e.message, EXIT.usage);
    if (e instanceof live.LiveReadError) throw new CliError(e.message, EXIT.failed);
    throw e;
  }
}
