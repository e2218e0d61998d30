/**
 * `nbjob-iam diagnose`: the errors a user has, matched to the notebook-job steps that make
 * those requests, decided again on a snapshot with check's own code, each with its deciding
 * statement and proven fix, and every disagreement with AWS said plainly.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { formatFileError, readSnapshotText } from '../../account/read-snapshot.js';
import type { AccountSnapshot } from '../../account/snapshot.js';
import { diagnose } from '../../diagnose/match.js';
import type { Diagnosis } from '../../diagnose/match.js';
import { parseInput } from '../../diagnose/parse.js';
import type { Denial, Unreadable } from '../../diagnose/parse.js';
import { renderDiagnoseJson, renderDiagnoseMarkdown, renderDiagnoseText } from '../../diagnose/render.js';
import { CheckEngineError, engineEvaluator } from '../../notebook-jobs/evaluate.js';
import type { Variant } from '../../notebook-jobs/flow.js';
import type { Selection } from '../../notebook-jobs/setup.js';
import { nodeAtPointer, parseJson } from '../../policy/json.js';
import type { CommandOutput, RunContext } from '../context.js';
import { givenSelection } from '../selection.js';
import { CliError, EXIT } from '../errors.js';
import { SnapshotLocator } from '../../notebook-jobs/locate-invalid.js';
import { readInput } from '../files.js';
import type { InputFile } from '../files.js';
import type { DiagnoseCommandOptions } from '../options.js';

interface ExampleManifest {
  readonly snapshot: string;
  readonly selection: Selection;
  readonly variant: Variant;
}

/** The bundled errors of the example account. */
export const EXAMPLE_ERRORS_DIR = path.join('examples', 'errors');

export interface DiagnoseRun {
  readonly diagnosis: Diagnosis;
  readonly snapshotName: string;
  readonly accountId: string;
}

async function loadSnapshot(file: string, ctx: RunContext, maxInputBytes?: number): Promise<{ snapshot: AccountSnapshot; text: string; name: string }> {
  const input = await readInput(file, ctx, { kind: 'snapshot', maxInputBytes });
  const { snapshot, errors } = readSnapshotText(input.text, input.name);
  if (!snapshot) {
    const shown = errors.slice(0, 20).map(formatFileError).join('\n');
    const more = errors.length > 20 ? `\n... and ${errors.length - 20} more` : '';
    throw new CliError(`${input.name} is not a valid snapshot (schemas/snapshot.schema.json):\n${shown}${more}`, EXIT.usage);
  }
  return { snapshot, text: input.text, name: input.name };
}

async function exampleInputs(ctx: RunContext): Promise<InputFile[]> {
  const dir = path.join(ctx.packageRoot, EXAMPLE_ERRORS_DIR);
  const names = (await readdir(dir)).filter((n) => !n.startsWith('.') && n !== 'README.md').sort();
  return Promise.all(names.map(async (n) => ({ name: `${EXAMPLE_ERRORS_DIR.split(path.sep).join('/')}/${n}`, absolutePath: path.join(dir, n), text: await readFile(path.join(dir, n), 'utf8') })));
}

export async function run(options: DiagnoseCommandOptions, ctx: RunContext): Promise<DiagnoseRun> {
  let base: Selection = {};
  let variant: Variant = options.variant ?? 'schedule';
  let loaded: { snapshot: AccountSnapshot; text: string; name: string };
  if (options.source.kind === 'example') {
    const dir = path.join(ctx.packageRoot, 'examples');
    const manifest = JSON.parse(await readFile(path.join(dir, 'example.json'), 'utf8')) as ExampleManifest;
    const file = path.join(dir, manifest.snapshot);
    const text = await readFile(file, 'utf8');
    const { snapshot, errors } = readSnapshotText(text, `examples/${manifest.snapshot}`);
    if (!snapshot) throw new CliError(`the bundled example is broken: ${errors.map(formatFileError).join('; ')}`, EXIT.internal);
    loaded = { snapshot, text, name: `examples/${manifest.snapshot}` };
    base = manifest.selection;
    variant = options.variant ?? manifest.variant;
  } else {
    loaded = await loadSnapshot(options.source.file, ctx, options.maxInputBytes);
  }
  const given = givenSelection(options);
  // A profile given on the command line replaces the example's space, and the other way round.
  const selection: Selection = { ...base, ...(given.userProfileName ? { spaceName: undefined } : {}), ...(given.spaceName ? { userProfileName: undefined } : {}), ...given };

  const inputs: InputFile[] = options.inputs.length ? [] : await exampleInputs(ctx);
  for (const arg of options.inputs) inputs.push(await readInput(arg, ctx, { kind: 'aws-cli', maxInputBytes: options.maxInputBytes }));
  const denials: Denial[] = [];
  const unreadable: Unreadable[] = [];
  let skipped = 0;
  for (const input of inputs) {
    const parsed = parseInput(input.name, input.text);
    denials.push(...parsed.denials);
    unreadable.push(...parsed.unreadable);
    skipped += parsed.skipped;
  }

  const locator = new SnapshotLocator(loaded.snapshot, loaded.text, loaded.name);
  const parsedSnapshot = parseJson(loaded.text);
  const lineOf = (pointer: string): number | undefined => {
    if (!parsedSnapshot.ok) return undefined;
    const node = nodeAtPointer(parsedSnapshot.root, pointer);
    return node.loc.line > 0 ? node.loc.line : undefined;
  };
  try {
    const diagnosis = diagnose(loaded.snapshot, denials, unreadable, skipped, {
      selection,
      explicit: new Set(Object.keys(given) as (keyof Selection)[]),
      variant,
      flowOptions: options.createTimeResourceTags ? { createTimeResourceTags: options.createTimeResourceTags } : undefined,
      evaluate: engineEvaluator(),
      lineOf,
      snapshotName: loaded.name,
      // An invalid policy is named by its line and column in the snapshot file, as check names it.
      locate: (outcome) => locator.step(outcome),
    });
    return { diagnosis, snapshotName: loaded.name, accountId: loaded.snapshot.accountId };
  } catch (e) {
    // A policy of the snapshot the engine cannot read is bad input (2), as in check.
    if (e instanceof CheckEngineError) throw new CliError(`a policy in the snapshot cannot be evaluated: ${e.message}`, EXIT.usage);
    throw e;
  }
}

/**
 * 0: the inputs were read and hold no access error; 1: access errors were read (matched or
 * not); 2: nothing in the inputs could be read as an access error or not, or a matched step
 * is undecided because a policy of the snapshot is invalid (bad input, as `check` says).
 */
export function exitCodeOf(r: DiagnoseRun): number {
  const d = r.diagnosis;
  if (d.matches.some((m) => m.outcome.invalidPolicy !== undefined)) return EXIT.usage;
  if (d.denials > 0) return EXIT.failed;
  if (d.unmatched.length > 0) return EXIT.usage;
  return EXIT.ok;
}

export function present(r: DiagnoseRun, options: DiagnoseCommandOptions, ctx: RunContext): CommandOutput {
  const exitCode = exitCodeOf(r);
  const meta = { snapshot: r.snapshotName, accountId: r.accountId };
  if (options.format === 'json') return { stdout: renderDiagnoseJson(r.diagnosis, meta), exitCode };
  if (options.format === 'markdown') return { stdout: renderDiagnoseMarkdown(r.diagnosis, meta), exitCode };
  return { stdout: renderDiagnoseText(r.diagnosis, { ...meta, color: ctx.color }), exitCode };
}

export async function execute(options: DiagnoseCommandOptions, ctx: RunContext): Promise<CommandOutput> {
  return present(await run(options, ctx), options, ctx);
}
