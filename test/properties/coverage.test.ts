/**
 * The generator must reach the hard cases: every coverage class (stats.ts) must decide at
 * least its minimum share of a fixed sample, classified by the reference model. With
 * WRITE_STATS=1 the measured shares are written to docs/property-stats.md.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { COVERAGE_CLASSES, measureCoverage, measureShapes, renderStats, sampleScenarios, SHAPE_CLASSES, SHAPE_MINIMUMS } from './stats.js';

const SAMPLE = 20_000;
const SEED = 20261128;

describe('generator coverage (classified by referenceExplain)', () => {
  const sample = sampleScenarios(SAMPLE, SEED);
  const shapes = measureShapes(sample);
  const result = { ...measureCoverage(SAMPLE, SEED, sample), shapes };

  it.each(COVERAGE_CLASSES.map((c) => [c.name, c.min] as const))('reaches "%s" in at least %s of cases', (name, min) => {
    const share = (result.counts.get(name) ?? 0) / result.total;
    expect(share, `${name}: ${(share * 100).toFixed(2)}%`).toBeGreaterThanOrEqual(min);
  });

  it('every shape class has its minimum count, and only those', () => {
    expect(Object.keys(SHAPE_MINIMUMS).sort()).toEqual(SHAPE_CLASSES.map((c) => c.name).sort());
  });

  it.each(SHAPE_CLASSES.map((c) => [c.name, SHAPE_MINIMUMS[c.name] ?? Infinity] as const))('makes "%s" at least %s times (the real count)', (name, min) => {
    expect(shapes.get(name) ?? 0, name).toBeGreaterThanOrEqual(min);
  });

  it('writes docs/property-stats.md only when WRITE_STATS=1', () => {
    const text = renderStats(result, SEED);
    expect(text).toContain('| class | share | minimum |');
    if (process.env.WRITE_STATS === '1') {
      const file = fileURLToPath(new URL('../../docs/property-stats.md', import.meta.url));
      writeFileSync(file, text);
    }
  });
});
