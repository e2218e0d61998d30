// Mutation testing of the engine and the policy reader/validator: `npm run mutate`.
// docs/mutation.md gives the score, how long it takes and every surviving mutant.
// STRYKER_GROUP=name STRYKER_MUTATE='src/engine/wildcard.ts,...' runs one group of files with
// its own report and incremental file (reports/mutation/<name>.json), so long runs can be split.
const group = process.env.STRYKER_GROUP ?? 'all';
const only = process.env.STRYKER_MUTATE?.split(',').filter(Boolean);

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts' },
  mutate: only ?? [
    'src/engine/**/*.ts',
    // The reference model is the tests' oracle (used only by test/properties and the
    // conformance suite), not shipped behaviour: mutating it tests the tests twice.
    '!src/engine/reference.ts',
    'src/policy/**/*.ts',
  ],
  ignorePatterns: ['dist', 'tools', 'bench', 'reports', 'coverage', 'docs', 'examples'],
  coverageAnalysis: 'perTest',
  // 2 cores shared by many: one or two test processes.
  concurrency: Number(process.env.STRYKER_CONCURRENCY ?? 2),
  incremental: true,
  incrementalFile: `reports/mutation/${group}.incremental.json`,
  timeoutMS: 5_000,
  timeoutFactor: 1.5,
  // A static mutant (module-level constant) needs every test rerun; they are few and listed as ignored.
  ignoreStatic: true,
  // event-recorder writes each mutant's result as it is known (a long run can be read before it ends).
  reporters: ['clear-text', 'progress-append-only', 'json', 'html', 'event-recorder'],
  eventReporter: { baseDir: `reports/mutation/${group}-events` },
  jsonReporter: { fileName: `reports/mutation/${group}.json` },
  htmlReporter: { fileName: `reports/mutation/${group}.html` },
  thresholds: { high: 90, low: 80, break: null },
  tempDirName: `.stryker-tmp-${group}`,
  cleanTempDir: true,
};
