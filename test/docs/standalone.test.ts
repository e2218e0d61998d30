/**
 * The project's docs stand alone: nothing in the repository cites the design folder the
 * project was started from (specifications live in docs/). A citation of a file outside
 * the repository is a dead link for every reader.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SKIP = new Set(['node_modules', 'dist', '.git', 'coverage', 'reports', '.stryker-tmp']);
const OUTSIDE = /(?:\.\.\/|\/work\/|\b)shared\/(?:spec|design|reference|hooks)\b/;

function* files(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    // Stryker's sandboxes (.stryker-tmp-<group>) are copies of the repository.
    if (SKIP.has(name) || name.startsWith('.stryker-tmp')) continue;
    const path = join(dir, name);
    const st = statSync(path);
    if (st.isDirectory()) yield* files(path);
    else if (/\.(ts|mts|mjs|js|json|md|yml|yaml|html|sh)$/.test(name) || name === 'run') yield path;
  }
}

describe('documentation stands alone', () => {
  it('no file cites a specification outside the repository', () => {
    const offenders: string[] = [];
    let read = 0;
    for (const path of files(ROOT)) {
      if (path === fileURLToPath(import.meta.url)) continue;
      read += 1;
      const text = readFileSync(path, 'utf8');
      const m = OUTSIDE.exec(text);
      if (m) offenders.push(`${relative(ROOT, path)}: ${m[0]}`);
    }
    expect(read).toBeGreaterThan(1000);
    expect(offenders).toEqual([]);
  });

  it('the specifications the code cites are in docs/', () => {
    for (const name of ['iam-evaluation.md', 'notebook-job-flow.md', 'scenario-format.md', 'architecture.md']) {
      expect(readFileSync(join(ROOT, 'docs', name), 'utf8').length).toBeGreaterThan(2000);
    }
  });
});
