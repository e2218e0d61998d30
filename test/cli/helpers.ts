/**
 * Running the built CLI as a user would: `node dist/cli/main.js ...` in a child process.
 * The build happens once (when dist is older than src or missing), guarded by a lock
 * directory so that two test files never compile into dist at the same time.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const MAIN = path.join(ROOT, 'dist', 'cli', 'main.js');

/** For the beforeAll that builds: a cold `tsc` of the whole project, or waiting for another file's build. */
export const BUILD_TIMEOUT_MS = 240_000;

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Builds dist/ with tsconfig.build.json unless it is already newer than src/. */
export function ensureBuilt(): void {
  const fresh = () => existsSync(MAIN) && statSync(MAIN).mtimeMs >= newestMtime(path.join(ROOT, 'src'));
  if (fresh()) return;
  const lock = path.join(ROOT, 'node_modules', '.nbjob-iam-test-build.lock');
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`build lock ${lock} held for 3 minutes; remove it if no build is running`);
      sleep(200);
    }
  }
  try {
    if (fresh()) return;
    // tsc emits even when files owned by others fail to typecheck mid-edit; what matters
    // here is that the CLI was emitted. `npm test` typechecks separately.
    const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: ROOT, encoding: 'utf8' });
    if (!existsSync(MAIN)) throw new Error(`build did not produce ${MAIN}:\n${r.stdout}\n${r.stderr}`);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export interface CliRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI with `args`, optional standard input, in `cwd` (the repo root by default). */
export function runCli(args: readonly string[], options: { input?: string; cwd?: string; env?: Record<string, string> } = {}): CliRun {
  const env: Record<string, string | undefined> = { ...process.env, ...options.env };
  if (!options.env || !('NO_COLOR' in options.env)) delete env['NO_COLOR'];
  delete env['FORCE_COLOR'];
  const r = spawnSync(process.execPath, [MAIN, ...args], {
    cwd: options.cwd ?? ROOT,
    input: options.input ?? '',
    encoding: 'utf8',
    env,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
