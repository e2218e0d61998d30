/**
 * `nbjob-iam check`: will notebook jobs work in this account? Reads a snapshot (or the
 * bundled example), runs the notebook-job flow through the engine for one profile or space
 * (or all of them) and renders the result.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { readSnapshotText, formatFileError } from '../../account/read-snapshot.js';
import type { AccountSnapshot } from '../../account/snapshot.js';
import { check } from '../../notebook-jobs/check.js';
import type { CheckResult } from '../../notebook-jobs/check.js';
import { CheckEngineError, engineEvaluator } from '../../notebook-jobs/evaluate.js';
import type { Variant } from '../../notebook-jobs/flow.js';
import type { Selection } from '../../notebook-jobs/setup.js';
import { SnapshotLocator } from '../../notebook-jobs/locate-invalid.js';
import { renderCheck } from '../../report/check/index.js';
import type { CheckRenderOptions } from '../../report/check/index.js';
import { domainChunks, renderDomain } from '../../report/check/profiles.js';
import { applyGate, baselineKeys, readSuppressions } from '../../report/check/gate.js';
import type { GateOptions, Suppression } from '../../report/check/gate.js';
import type { ProfileCheck } from '../../report/check/profiles.js';
import type { CommandOutput, RunContext } from '../context.js';
import { givenSelection } from '../selection.js';
import { maxBytesFor, readTextFile } from '../../input/index.js';
import { parseJson } from '../../policy/json.js';
import { CliError, EXIT } from '../errors.js';
import { cliErrorFromInput } from '../files.js';
import type { CheckOptions } from '../options.js';

interface ExampleManifest {
  readonly snapshot: string;
  readonly selection: Selection;
  readonly variant: Variant;
}

async function loadSnapshot(file: string, display: string, maxInputBytes?: number): Promise<{ snapshot: AccountSnapshot; text: string }> {
  let text: string;
  try {
    ({ text } = await readTextFile(file, { maxBytes: maxBytesFor('snapshot', maxInputBytes), displayName: display }));
  } catch (e) {
    throw cliErrorFromInput(e);
  }
  const { snapshot, errors } = readSnapshotText(text, display);
  if (!snapshot) {
    const shown = errors.slice(0, 20).map(formatFileError).join('\n');
    const more = errors.length > 20 ? `\n... and ${errors.length - 20} more` : '';
    throw new CliError(`${display} is not a valid snapshot (schemas/snapshot.schema.json):\n${shown}${more}`, EXIT.usage);
  }
  return { snapshot, text };
}

export interface CheckRun {
  readonly results: readonly ProfileCheck[];
  readonly single: boolean;
}

interface Prepared {
  readonly snapshot: AccountSnapshot;
  readonly selection: Selection;
  readonly one: (sel: Selection, label: string) => ProfileCheck;
}

async function prepare(options: CheckOptions, ctx: RunContext): Promise<Prepared> {
  let snapshot: AccountSnapshot;
  let locator: SnapshotLocator;
  let base: Selection = {};
  let variant: Variant = options.variant ?? 'schedule';
  if (options.source.kind === 'example') {
    const dir = path.join(ctx.packageRoot, 'examples');
    const manifest = JSON.parse(await readFile(path.join(dir, 'example.json'), 'utf8')) as ExampleManifest;
    const shown = `examples/${manifest.snapshot}`;
    const loaded = await loadSnapshot(path.join(dir, manifest.snapshot), shown);
    snapshot = loaded.snapshot;
    locator = new SnapshotLocator(snapshot, loaded.text, shown);
    base = manifest.selection;
    variant = options.variant ?? manifest.variant;
  } else {
    const file = path.resolve(ctx.cwd, options.source.file);
    const loaded = await loadSnapshot(file, options.source.file, options.maxInputBytes);
    snapshot = loaded.snapshot;
    locator = new SnapshotLocator(snapshot, loaded.text, options.source.file);
  }
  const given = givenSelection(options);
  const selection: Selection = { ...base, ...given };
  // One evaluator for the whole run: each distinct policy document is compiled once.
  const evaluate = engineEvaluator();
  const flowOptions = options.createTimeResourceTags ? { createTimeResourceTags: options.createTimeResourceTags } : undefined;
  const one = (sel: Selection, label: string): ProfileCheck => {
    try {
      const out = check(snapshot, sel, { variant, evaluate, flowOptions });
      if (!out.ok) throw new CliError(out.message, EXIT.usage);
      // An invalid policy is named where it is in the snapshot file (positions computed only then).
      if (!out.result.steps.some((s) => s.invalidPolicy)) return { label, result: out.result };
      return { label, result: { ...out.result, steps: out.result.steps.map((s) => locator.step(s)) } };
    } catch (e) {
      if (e instanceof CheckEngineError) throw new CliError(`a policy in the snapshot cannot be evaluated: ${e.message}`, EXIT.usage);
      throw e;
    }
  };
  return { snapshot, selection, one };
}

/** Every user profile and space of the selected domains, in order, as (selection, label). */
function* everyProfile(snapshot: AccountSnapshot, selection: Selection): Generator<[Selection, string]> {
  const domains = snapshot.sagemaker.domains.filter((d) => !selection.domainId || d.id === selection.domainId);
  for (const d of domains) {
    const common = { ...selection, domainId: d.id, userProfileName: undefined, spaceName: undefined };
    for (const p of snapshot.sagemaker.userProfiles) if (p.domainId === d.id) yield [{ ...common, userProfileName: p.name }, `${d.id} user profile ${p.name}`];
    for (const s of snapshot.sagemaker.spaces) if (s.domainId === d.id) yield [{ ...common, spaceName: s.name }, `${d.id} space ${s.name}`];
  }
}

export async function run(options: CheckOptions, ctx: RunContext): Promise<CheckRun> {
  const { snapshot, selection, one } = await prepare(options, ctx);
  if (!options.allProfiles) {
    const label = selection.spaceName ? `space ${selection.spaceName}` : `user profile ${selection.userProfileName ?? '(first)'}`;
    return { results: [one(selection, label)], single: true };
  }
  const results: ProfileCheck[] = [];
  for (const [sel, label] of everyProfile(snapshot, selection)) results.push(one(sel, label));
  if (!results.length) throw new CliError('the snapshot has no user profile or space to check', EXIT.usage);
  return { results, single: false };
}

/**
 * `--all-profiles`: each profile is checked, rendered (report/check/domain-render.ts) and
 * written out before the next one is checked; the renderer keeps only counters, and the
 * summary comes last. With ctx.writeStdout the report goes to standard output as it is
 * produced; without it (tests) it is returned. Memory does not grow with the domain.
 */
async function streamAll(options: CheckOptions, ctx: RunContext, gate: GateOptions | undefined): Promise<CommandOutput> {
  const { snapshot, selection, one } = await prepare(options, ctx);
  const parts: string[] = [];
  let last = '';
  let profiles = 0;
  let failing = 0;
  let invalid = 0;
  const write = ctx.writeStdout;
  const emit = async (chunk: string): Promise<void> => {
    if (!chunk) return;
    last = chunk[chunk.length - 1] as string;
    if (write) await write(chunk);
    else parts.push(chunk);
  };
  function* checked(): Generator<ProfileCheck> {
    for (const [sel, label] of everyProfile(snapshot, selection)) {
      const checkedProfile = one(sel, label);
      const p = gate ? { ...checkedProfile, result: applyGate(checkedProfile.result, gate) } : checkedProfile;
      profiles++;
      if (!p.result.summary.ok) failing++;
      if (hasInvalidPolicy(p.result)) invalid++;
      yield p;
    }
  }
  const chunks = domainChunks(checked(), options.format, renderOptions(options, ctx));
  // The first chunk (the report's beginning) is held until a profile exists, so an empty
  // domain is a usage error with nothing written.
  const begin = chunks.next();
  const rest: string[] = [];
  let next = chunks.next();
  if (!profiles) throw new CliError('the snapshot has no user profile or space to check', EXIT.usage);
  if (!begin.done) rest.push(begin.value);
  for (; !next.done; next = chunks.next()) {
    rest.push(next.value);
    await emit(rest.join(''));
    rest.length = 0;
  }
  await emit(rest.join(''));
  if (last !== '\n') await emit('\n');
  return { stdout: parts.join(''), exitCode: invalid > 0 ? EXIT.usage : failing === 0 ? EXIT.ok : EXIT.failed };
}

/** A step undecided because a policy of the snapshot is invalid: the input is bad (2), not the account's steps (1). */
function hasInvalidPolicy(result: CheckResult): boolean {
  return result.steps.some((s) => s.invalidPolicy !== undefined);
}

export function exitCodeOf(r: CheckRun): number {
  if (r.results.some((x) => hasInvalidPolicy(x.result))) return EXIT.usage;
  return r.results.every((x) => x.result.summary.ok) ? EXIT.ok : EXIT.failed;
}

/** Options of every renderer: the snapshot file is the SARIF artifact, relative to where it was read from. */
function renderOptions(options: CheckOptions, ctx: RunContext): CheckRenderOptions {
  const example = options.source.kind !== 'snapshot';
  const artifact = options.source.kind === 'snapshot' ? options.source.file : 'examples/account.json';
  const base = pathToFileURL(example ? ctx.packageRoot : ctx.cwd).href;
  return {
    color: ctx.color,
    verbose: options.verbose,
    tool: { name: 'nbjob-iam', version: ctx.version, informationUri: 'https://www.npmjs.com/package/nbjob-iam' },
    artifactUri: artifact,
    artifactBase: base.endsWith('/') ? base : `${base}/`,
  };
}

export function present(r: CheckRun, options: CheckOptions, ctx: RunContext): CommandOutput {
  const exitCode = exitCodeOf(r);
  const opts = renderOptions(options, ctx);
  if (r.single) return { stdout: ensureNewline(renderCheck(r.results[0]!.result, options.format, opts)), exitCode };
  return { stdout: ensureNewline(renderDomain(r.results, options.format, opts)), exitCode };
}

function ensureNewline(s: string): string {
  return s.endsWith('\n') ? s : `${s}\n`;
}

/**
 * A --baseline or --suppressions file, read like every input (src/input): a regular file
 * only (a FIFO or a folder is named, never waited on), under the size cap, BOM and UTF-16
 * handled, invalid UTF-8 located.
 */
async function readGateFile(file: string, what: string, options: CheckOptions, ctx: RunContext): Promise<string> {
  let text: string;
  try {
    ({ text } = await readTextFile(path.resolve(ctx.cwd, file), { maxBytes: maxBytesFor('report', options.maxInputBytes), displayName: file }));
  } catch (e) {
    throw cliErrorFromInput(e);
  }
  try {
    JSON.parse(text);
  } catch {
    // JSON.parse says only an offset: the positioned reader (slow on a whole domain's report,
    // so only on this path) names the line and column.
    const parsed = parseJson(text);
    if (!parsed.ok) throw new CliError(`${file}:${parsed.error.line}:${parsed.error.column}: ${parsed.error.message.replace(/\.$/, '')}; expected ${what}`, EXIT.usage);
  }
  return text;
}

/** The gate's options from --baseline and --suppressions, or undefined when neither is given. */
export async function gateOptions(options: CheckOptions, ctx: RunContext, today = new Date().toISOString().slice(0, 10)): Promise<GateOptions | undefined> {
  if (options.baseline === undefined && options.suppressions === undefined) return undefined;
  let baseline: Set<string> | undefined;
  if (options.baseline !== undefined) {
    const read = baselineKeys(await readGateFile(options.baseline, 'a report of check --format json', options, ctx), options.baseline);
    if ('error' in read) throw new CliError(`${read.error.file}: ${read.error.path}: ${read.error.message}`, EXIT.usage);
    baseline = read.keys;
  }
  let suppressions: Suppression[] | undefined;
  if (options.suppressions !== undefined) {
    const read = readSuppressions(await readGateFile(options.suppressions, 'a suppressions file ({"version": 1, "suppressions": [...]})', options, ctx), options.suppressions);
    if (read.errors.length) throw new CliError(read.errors.map((e) => `${e.file}: ${e.path}: ${e.message}`).join('\n'), EXIT.usage);
    suppressions = read.suppressions;
  }
  return { baseline, baselineFile: options.baseline, suppressions, suppressionsFile: options.suppressions, today };
}

export async function execute(options: CheckOptions, ctx: RunContext): Promise<CommandOutput> {
  const gate = await gateOptions(options, ctx);
  if (options.allProfiles) return streamAll(options, ctx, gate);
  const r = await run(options, ctx);
  const gated = gate ? { ...r, results: r.results.map((p) => ({ ...p, result: applyGate(p.result, gate) })) } : r;
  return present(gated, options, ctx);
}
