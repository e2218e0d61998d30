import { defineConfig } from 'vitest/config';

/**
 * The tests Stryker runs against each mutant of src/engine/ and src/policy/ (`npm run mutate`,
 * stryker.config.mjs): only the suites that exercise those folders. The differential property
 * test (fast engine vs the reference model) runs with fewer cases and a fixed seed, so a mutant
 * is judged the same way on every run; the metamorphic relations are left to `npm test`.
 */
export default defineConfig({
  test: {
    include: [
      'test/engine/**/*.test.ts',
      'test/validate/**/*.test.ts',
      'test/conformance/**/*.test.ts',
      'test/properties/differential.test.ts',
    ],
    testTimeout: 60_000,
    pool: 'threads',
    env: { FUZZ_RUNS: '100', FUZZ_SEED: '20261128' },
  },
});
