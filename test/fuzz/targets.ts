/**
 * What the fuzzer feeds: every reader of the tool, called in-process through the library
 * entry points the CLI uses, and the CLI itself (in-process through `runCli`, and as a real
 * process). Each target returns what a case did, or throws when the tool failed in a way
 * that is a bug (an exception that is not a typed input error, an internal-error finding,
 * an exit status outside {0, 1, 2}).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readSnapshotText } from '../../src/account/read-snapshot.js';
import { CLI_FILES, snapshotFromCliDir } from '../../src/account/from-cli.js';
import { runCli } from '../../src/cli/run.js';
import { isDeepStrictEqual } from 'node:util';
import { ScenarioPolicyCache } from '../../src/engine/scenario.js';
import { simulateScenarioText } from '../../src/engine/simulate.js';
import type { PolicyKind } from '../../src/policy/model.js';
import { POLICY_KINDS } from '../../src/policy/model.js';
import { validatePolicyText } from '../../src/policy/validate.js';
import { decodeText, DEFAULT_MAX_INPUT_BYTES, type InputKind } from '../../src/input/index.js';
import { checkNoForeignPrototype, FuzzBug } from './guard.js';

export { FuzzBug };

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));


/**
 * How the tool turns a file's bytes into text (src/input): the size cap of the kind first,
 * then decodeText (BOM, UTF-16, invalid UTF-8 named). Undefined: refused with a message.
 */
export function decode(bytes: Buffer, kind: InputKind): string | undefined {
  if (bytes.length > DEFAULT_MAX_INPUT_BYTES[kind]) return undefined;
  const d = decodeText(bytes);
  if (!d.ok && !d.message) throw new FuzzBug('decodeText refused a file without saying why');
  return d.ok ? d.text : undefined;
}

function filesUnder(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) filesUnder(full, out);
    else if (e.name.endsWith('.json')) out.push(full);
  }
  return out;
}

const read = (f: string): Buffer => readFileSync(f);

/** Valid files of each kind, the seeds every case mutates. */
export function seeds(): { policies: Buffer[]; scenarios: Buffer[]; snapshots: Buffer[]; cliFiles: { name: string; bytes: Buffer }[] } {
  const policies = [
    ...filesUnder(path.join(ROOT, 'reference/policies')),
    ...filesUnder(path.join(ROOT, 'test/cli/fixtures/policies')).filter((f) => !f.endsWith('not-json.json')),
  ].map(read);
  const scenarios = filesUnder(path.join(ROOT, 'test/conformance/scenarios')).map(read);
  // Policies inside the scenarios are policies too (every layer, every kind of element).
  for (const s of scenarios.slice(0, 400)) {
    const doc = JSON.parse(s.toString('utf8')) as { policies?: Record<string, unknown> };
    for (const layer of Object.values(doc.policies ?? {})) {
      const list = Array.isArray(layer) ? layer.flat() : [layer];
      for (const p of list) if (p && typeof p === 'object') policies.push(Buffer.from(JSON.stringify(p, null, 2)));
    }
  }
  const snapshots = [read(path.join(ROOT, 'examples/account.json'))];
  const cliDir = path.join(ROOT, 'examples/aws-cli');
  const cliFiles = readdirSync(cliDir)
    .sort()
    .map((name) => ({ name, bytes: read(path.join(cliDir, name)) }));
  return { policies, scenarios, snapshots, cliFiles };
}

/** Fails when the text holds an internal-error marker (a caught exception reported as text). */
function noInternalError(where: string, text: string | undefined): void {
  if (text !== undefined && /internal error|bug in nbjob-iam/i.test(text)) throw new FuzzBug(`${where}: ${text.slice(0, 2000)}`);
}

export type Outcome = 'accepted' | 'refused';

/** validate: the policy reader and every rule (src/policy/validate.ts, as `nbjob-iam validate`). */
export function policyTarget(bytes: Buffer, kind: PolicyKind): Outcome {
  const text = decode(bytes, 'policy');
  if (text === undefined) return 'refused';
  const { policy, findings } = validatePolicyText(text, { kind });
  for (const f of findings) {
    if (f.code === 'internal-error') throw new FuzzBug(`validate --kind ${kind}: ${f.message}`);
    if (!Number.isInteger(f.line) || !Number.isInteger(f.column) || f.line < 0 || f.column < 0) {
      throw new FuzzBug(`validate --kind ${kind}: finding ${f.code} without a line and column`);
    }
  }
  checkNoForeignPrototype(policy);
  return policy && !findings.some((f) => f.severity === 'error') ? 'accepted' : 'refused';
}

export const KINDS: readonly PolicyKind[] = POLICY_KINDS;

/**
 * One policy cache for the whole fuzz run, as `simulate` holds one for all the files of a run:
 * mutated scenarios share many policies with the seeds and with each other.
 */
const sharedPolicies = new ScenarioPolicyCache();

/**
 * simulate: the scenario reader and the engine (src/engine/simulate.ts), as the engine's tests
 * read a scenario and as `nbjob-iam simulate` does (validated, through the run's policy
 * cache); the cached reading must give exactly what a fresh one gives.
 */
export function scenarioTarget(bytes: Buffer): Outcome {
  const text = decode(bytes, 'scenario');
  if (text === undefined) return 'refused';
  const r = simulateScenarioText(text, 'fuzz.json');
  noInternalError('simulate', r.error);
  if (r.decision === undefined && !(typeof r.error === 'string' && r.error.startsWith('fuzz.json'))) {
    throw new FuzzBug(`simulate: neither a decision nor an error naming the file: ${JSON.stringify(r).slice(0, 500)}`);
  }
  checkNoForeignPrototype(r);
  const cached = simulateScenarioText(text, 'fuzz.json', { validate: true, policies: sharedPolicies });
  const fresh = simulateScenarioText(text, 'fuzz.json', { validate: true });
  noInternalError('simulate (validated)', fresh.error);
  if (!isDeepStrictEqual(cached, fresh)) {
    throw new FuzzBug(`simulate: the run's policy cache changed the result: ${JSON.stringify(cached).slice(0, 300)} vs ${JSON.stringify(fresh).slice(0, 300)}`);
  }
  return r.decision !== undefined ? 'accepted' : 'refused';
}

/** check --snapshot: the snapshot reader (src/account/read-snapshot.ts). */
export function snapshotTarget(bytes: Buffer): Outcome {
  const text = decode(bytes, 'snapshot');
  if (text === undefined) return 'refused';
  const r = readSnapshotText(text, 'fuzz.json');
  for (const e of r.errors) {
    noInternalError('snapshot', e.message);
    if (e.file !== 'fuzz.json' || !Number.isInteger(e.line) || !Number.isInteger(e.column)) throw new FuzzBug(`snapshot: error without a position: ${JSON.stringify(e)}`);
  }
  if (!r.snapshot && r.errors.length === 0) throw new FuzzBug('snapshot: no snapshot and no error');
  checkNoForeignPrototype(r.snapshot);
  return r.snapshot ? 'accepted' : 'refused';
}

/** A scratch folder holding the example's AWS CLI files, one of them replaced per case. */
export class CliScratch {
  readonly dir: string;
  constructor(private readonly files: readonly { name: string; bytes: Buffer }[]) {
    this.dir = mkdtempSync(path.join(tmpdir(), 'nbjob-fuzz-cli-'));
    for (const f of files) writeFileSync(path.join(this.dir, f.name), f.bytes);
  }

  /** Runs `fn` with file `index` holding `bytes`, then puts the original back. */
  with<T>(index: number, bytes: Buffer, fn: (dir: string) => T): T {
    const f = this.files[index % this.files.length] as { name: string; bytes: Buffer };
    const file = path.join(this.dir, f.name);
    writeFileSync(file, bytes);
    try {
      return fn(this.dir);
    } finally {
      writeFileSync(file, f.bytes);
    }
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** snapshot --from-cli: every AWS CLI file shape (src/account/from-cli.ts). */
export function cliFileTarget(scratch: CliScratch, index: number, bytes: Buffer): Outcome {
  return scratch.with(index, bytes, (dir) => {
    const r = snapshotFromCliDir(dir);
    for (const e of r.errors) noInternalError('snapshot --from-cli', e.message);
    checkNoForeignPrototype(r.snapshot);
    return r.errors.length ? 'refused' : 'accepted';
  });
}

/** The names `snapshot --from-cli` reads (for the coverage check of the seeds). */
export const CLI_FILE_PATTERNS = CLI_FILES.map((f) => f.file);

// ---------------------------------------------------------------------------------------
// The CLI: in-process (runCli, fast) and as a real process (slow, a small sample)
// ---------------------------------------------------------------------------------------

export type Command = 'validate' | 'validate-json' | 'validate-sarif' | 'simulate' | 'explain' | 'check' | 'check-md' | 'check-html' | 'from-cli';
export const COMMANDS: readonly Command[] = ['validate', 'validate-json', 'validate-sarif', 'simulate', 'explain', 'check', 'check-md', 'check-html', 'from-cli'];

/** The seed kind a command reads. */
export function seedKindOf(c: Command): 'policy' | 'scenario' | 'snapshot' | 'cli' {
  if (c.startsWith('validate')) return 'policy';
  if (c === 'simulate' || c === 'explain') return 'scenario';
  if (c === 'from-cli') return 'cli';
  return 'snapshot';
}

function argvFor(c: Command, file: string, dir: string): string[] {
  switch (c) {
    case 'validate':
      return ['validate', file];
    case 'validate-json':
      return ['validate', '--format', 'json', file];
    case 'validate-sarif':
      return ['validate', '--format', 'sarif', file];
    case 'simulate':
      return ['simulate', file];
    case 'explain':
      return ['explain', file];
    case 'check':
      return ['check', '--snapshot', file, '--all-profiles'];
    case 'check-md':
      return ['check', '--snapshot', file, '--format', 'markdown'];
    case 'check-html':
      return ['check', '--snapshot', file, '--format', 'html'];
    case 'from-cli':
      return ['snapshot', '--from-cli', dir, '--out', path.join(path.dirname(dir), 'out-snapshot.json')];
  }
}

/** A scratch folder for the CLI targets: the case's file, and a copy of the CLI files. */
export class CommandScratch {
  readonly root: string;
  readonly cli: CliScratch;
  constructor(cliFiles: readonly { name: string; bytes: Buffer }[]) {
    this.root = mkdtempSync(path.join(tmpdir(), 'nbjob-fuzz-cmd-'));
    this.cli = new CliScratch(cliFiles);
    mkdirSync(path.join(this.root, 'work'), { recursive: true });
  }

  remove(): void {
    this.cli.remove();
    rmSync(this.root, { recursive: true, force: true });
  }
}

export interface CommandResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

function checkExit(c: Command, r: CommandResult): void {
  if (r.exitCode !== 0 && r.exitCode !== 1 && r.exitCode !== 2) {
    throw new FuzzBug(`${c}: exit ${r.exitCode}\n${r.stderr.slice(0, 3000)}`);
  }
  noInternalError(c, r.stderr);
  noInternalError(c, r.stdout.slice(0, 200_000));
}

/** One case through `runCli`, in-process. */
export async function commandInProcess(scratch: CommandScratch, c: Command, cliIndex: number, bytes: Buffer): Promise<CommandResult> {
  const file = path.join(scratch.root, 'work', 'case.json');
  const go = async (dir: string): Promise<CommandResult> => {
    if (c !== 'from-cli') writeFileSync(file, bytes);
    const out = await runCli(argvFor(c, file, dir), {
      version: '0.0.0-fuzz',
      context: () => ({ cwd: scratch.root, readStdin: () => Promise.resolve(''), color: false, packageRoot: ROOT, version: '0.0.0-fuzz' }),
    });
    const r = { exitCode: out.exitCode, stdout: out.stdout, stderr: out.stderr ?? '' };
    checkExit(c, r);
    return r;
  };
  if (c === 'from-cli') return scratch.cli.with(cliIndex, bytes, (dir) => go(dir));
  return go(scratch.cli.dir);
}

/** One case through the real CLI (dist/cli/main.js), with a time limit: a hang is a bug too. */
export function commandProcess(scratch: CommandScratch, c: Command, cliIndex: number, bytes: Buffer, timeoutMs: number): CommandResult {
  const file = path.join(scratch.root, 'work', 'case.json');
  const run = (dir: string): CommandResult => {
    if (c !== 'from-cli') writeFileSync(file, bytes);
    const p = spawnSync(process.execPath, ['--max-old-space-size=1024', path.join(ROOT, 'dist/cli/main.js'), ...argvFor(c, file, dir)], {
      cwd: scratch.root,
      encoding: 'utf8',
      timeout: timeoutMs,
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, NO_COLOR: '1', AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: '1' },
    });
    if (p.error || p.signal) throw new FuzzBug(`${c}: ${p.error ? String(p.error) : `killed by ${p.signal}`} (limit ${timeoutMs} ms)`);
    const r = { exitCode: p.status ?? -1, stdout: p.stdout, stderr: p.stderr };
    checkExit(c, r);
    return r;
  };
  if (c === 'from-cli') return scratch.cli.with(cliIndex, bytes, run);
  return run(scratch.cli.dir);
}

/** Copies a folder (for tests that need their own AWS CLI folder). */
export function copyDir(from: string, to: string): void {
  cpSync(from, to, { recursive: true });
}
