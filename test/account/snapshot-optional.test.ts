/**
 * Regression (found by test/fuzz): a snapshot may leave out every property the schema marks
 * optional (schemas/snapshot.schema.json); `check` must then decide from what is there, never
 * stop with an internal error. The fuzzer found `check` crashing on a role without
 * `attachedPolicies` (exit 3, "role.attachedPolicies is not iterable").
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readSnapshotText } from '../../src/account/read-snapshot.js';
import { runCli } from '../../src/cli/run.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const example = JSON.parse(readFileSync(path.join(ROOT, 'examples/account.json'), 'utf8')) as Record<string, unknown>;
const dir = mkdtempSync(path.join(tmpdir(), 'nbjob-optional-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every path in the example to an object property the tool may not assume present. */
function optionalPaths(): string[][] {
  const schema = JSON.parse(readFileSync(path.join(ROOT, 'schemas/snapshot.schema.json'), 'utf8')) as Record<string, unknown>;
  const out: string[][] = [];
  const resolve = (s: Record<string, unknown>): Record<string, unknown> => {
    const ref = s.$ref as string | undefined;
    return ref ? resolve((schema.definitions as Record<string, Record<string, unknown>>)[ref.split('/').pop() as string] as Record<string, unknown>) : s;
  };
  const walk = (value: unknown, s: Record<string, unknown>, at: string[]): void => {
    const sch = resolve(s);
    if (Array.isArray(value) && sch.items) value.forEach((v, i) => walk(v, sch.items as Record<string, unknown>, [...at, String(i)]));
    else if (value && typeof value === 'object' && sch.properties) {
      const required = new Set((sch.required as string[] | undefined) ?? []);
      for (const [k, v] of Object.entries(value)) {
        const ps = (sch.properties as Record<string, Record<string, unknown>>)[k];
        if (!ps) continue;
        if (!required.has(k) && k !== '$schema') out.push([...at, k]);
        walk(v, ps, [...at, k]);
      }
    }
  };
  walk(example, schema, []);
  // One path per shape: roles/0/tags stands for every role's tags.
  const seen = new Set<string>();
  return out.filter((p) => {
    const shape = p.map((s) => (/^\d+$/.test(s) ? '#' : s)).join('/');
    if (seen.has(shape)) return false;
    seen.add(shape);
    return true;
  });
}

function without(p: string[]): unknown {
  const copy = JSON.parse(JSON.stringify(example)) as Record<string, unknown>;
  let o = copy as Record<string, unknown>;
  for (const s of p.slice(0, -1)) o = o[s] as Record<string, unknown>;
  delete o[p[p.length - 1] as string];
  return copy;
}

const paths = optionalPaths();

describe('a snapshot without an optional property (schemas/snapshot.schema.json)', () => {
  it('finds the optional properties of the example snapshot', () => {
    expect(paths.length).toBe(35);
  });

  it.each(paths.map((p) => [p.join('.'), p] as const))('check decides without %s (exit 0 or 1, never 3)', async (_name, p) => {
    const file = path.join(dir, `${p.join('_')}.json`);
    writeFileSync(file, JSON.stringify(without(p)));
    const out = await runCli(['check', '--snapshot', file, '--all-profiles', '--format', 'json'], {
      version: '0.0.0-test',
      context: () => ({ cwd: dir, readStdin: () => Promise.resolve(''), color: false, packageRoot: ROOT, version: '0.0.0-test' }),
    });
    expect(out.stderr ?? '').not.toMatch(/internal error/);
    expect([0, 1]).toContain(out.exitCode);
  });
});

describe('users and groups without their optional lists', () => {
  it('are read with empty policy lists, no groups, no tags and the root path', () => {
    const s = {
      ...example,
      users: [{ arn: 'arn:aws:iam::111122223333:user/u', name: 'u' }],
      groups: [{ arn: 'arn:aws:iam::111122223333:group/g', name: 'g' }],
      roles: [{ arn: 'arn:aws:iam::111122223333:role/r', name: 'r', trustPolicy: { Version: '2012-10-17', Statement: [] } }],
    };
    const r = readSnapshotText(JSON.stringify(s), 's.json');
    expect(r.errors).toEqual([]);
    expect(r.snapshot?.users?.[0]).toEqual({ arn: 'arn:aws:iam::111122223333:user/u', name: 'u', path: '/', inlinePolicies: [], attachedPolicies: [], tags: {}, groups: [] });
    expect(r.snapshot?.groups?.[0]).toEqual({ arn: 'arn:aws:iam::111122223333:group/g', name: 'g', inlinePolicies: [], attachedPolicies: [] });
    expect(r.snapshot?.roles[0]).toMatchObject({ path: '/', inlinePolicies: [], attachedPolicies: [], serviceLinked: false });
  });

  it("leave a role's tags absent: not read is not \"no tags\" (aws:PrincipalTag/* stays unknown)", () => {
    const s = { ...example, roles: [{ arn: 'arn:aws:iam::111122223333:role/r', name: 'r', trustPolicy: { Version: '2012-10-17', Statement: [] } }] };
    const r = readSnapshotText(JSON.stringify(s), 's.json');
    expect(r.errors).toEqual([]);
    expect(r.snapshot?.roles[0] && 'tags' in r.snapshot.roles[0]).toBe(false);
  });
});
