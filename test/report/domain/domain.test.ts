/**
 * The report of a whole domain in every format, for two profiles whose failures differ
 * (bob carries the cost-center tag the SCP requires, alice does not): both profiles'
 * failures in every format, JSON valid against its schema, SARIF valid against 2.1.0,
 * one HTML page with unique ids, and the pieces a streaming caller writes add up to the
 * same document.
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { FormatsPlugin } from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { DomainTally, profileKey, tallyOf, whatFails } from '../../../src/report/check/domain.js';
import { domainChunks, renderDomain } from '../../../src/report/check/domain-render.js';
import type { CheckSarifLog } from '../../../src/report/check/sarif.js';
import { overlong } from '../width.js';
import { checkDomain, domainSnapshot, EVIL_NAME } from './fixture.js';

const addFormats: FormatsPlugin = (addFormatsModule as unknown as { default?: FormatsPlugin }).default ?? (addFormatsModule as unknown as FormatsPlugin);
const checkSchema = JSON.parse(readFileSync(new URL('../../../schemas/check-result.schema.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const validateJson = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true }).compile(checkSchema);
const sarifAjv = new Ajv({ allErrors: true, strict: false });
addFormats(sarifAjv);
const validateSarif = sarifAjv.compile(JSON.parse(readFileSync(new URL('../fixtures/sarif-schema-2.1.0.json', import.meta.url), 'utf8')) as Record<string, unknown>);

const domain = checkDomain();
const [alice, bob] = domain as [(typeof domain)[0], (typeof domain)[0]];
const failIds = (p: (typeof domain)[0]): string[] => p.result.steps.filter((o) => o.status === 'fail').map((o) => o.step.id);

describe('domain report model', () => {
  it('the fixture has two profiles whose failures differ', () => {
    expect(failIds(alice)).toContain('run.create-training-job');
    expect(failIds(bob)).not.toContain('run.create-training-job');
    expect(failIds(bob).length).toBe(failIds(alice).length - 1);
  });

  it('counts what fails, for how many, most failing first', () => {
    const s = tallyOf(domain);
    expect(s).toMatchObject({ profiles: 2, ok: 0, failing: 2, undecided: 0, variants: ['schedule'], accountIds: ['111122223333'] });
    const wf = whatFails(s);
    const training = wf.find((w) => w.step.id === 'run.create-training-job')!;
    expect(training.step.counts).toMatchObject({ fail: 1, pass: 1 });
    const putRule = wf.find((w) => w.step.id === 'schedule.put-rule')!;
    expect(putRule.step.counts.fail).toBe(2);
    expect(wf.indexOf(putRule)).toBeLessThan(wf.indexOf(training));
    expect(s.rows.map((r) => r.codes.length)).toEqual([s.steps.length, s.steps.length]);
    expect(s.rows[1]!.codes[training.index]).toBe('p');
    expect(s.rows[0]!.codes[training.index]).toBe('f');
  });

  it('keeps no result: a row is its label, counters and one letter per step', () => {
    const t = new DomainTally();
    expect(t.add(alice)).toBe(1);
    expect(t.add(bob)).toBe(2);
    const row = t.summary().rows[0]!;
    expect(Object.keys(row).sort()).toEqual(['codes', 'fail', 'failuresAtRunTime', 'label', 'ok', 'ref', 'undecided']);
    expect(row.codes).toMatch(/^[pfwcu-]+$/);
  });

  it('streams: the chunks, one per profile, make the same document as renderDomain', () => {
    for (const format of ['text', 'markdown', 'json', 'sarif', 'html'] as const) {
      const chunks = [...domainChunks(domain, format)];
      expect(chunks).toHaveLength(domain.length + 2);
      expect(chunks.join('')).toBe(renderDomain(domain, format));
      // A profile's chunk is about that profile only.
      if (format !== 'sarif') expect(chunks[2]).not.toContain('user profile alice');
    }
  });

  it('names a profile by domain, kind and name in keys', () => {
    expect(profileKey(alice.result.setup)).toBe('d-exampledomain1/user-profile/alice');
  });
});

describe('domain report: JSON', () => {
  const json = JSON.parse(renderDomain(domain, 'json')) as {
    kind: string;
    ok: boolean;
    profiles: { label: string; name: string; kind: string; ok: boolean; result: { steps: { id: string; status: string }[] } }[];
    summary: { profiles: number; failing: number; whatFails: { id: string; counts: { fail: number }; profiles: { fail: string[] } }[] };
  };

  it('validates against the schema, and the schema rejects what it should', () => {
    const ok = validateJson(json);
    expect(validateJson.errors ?? [], JSON.stringify(validateJson.errors, null, 2)).toEqual([]);
    expect(ok).toBe(true);
    expect(validateJson({ ...json, kind: 'profiles' })).toBe(false);
    expect(validateJson({ ...json, summary: { ...json.summary, whatFails: [{ id: 'x' }] } })).toBe(false);
    expect(validateJson({ ...json, profiles: [{ ...json.profiles[0], kind: 'team' }] })).toBe(false);
  });

  it("holds both profiles' failures and the summary names who fails", () => {
    expect(json.kind).toBe('domain');
    expect(json.ok).toBe(false);
    expect(json.profiles.map((p) => [p.name, p.kind])).toEqual([['alice', 'user-profile'], ['bob', 'user-profile']]);
    const failsOf = (i: number): string[] => json.profiles[i]!.result.steps.filter((s) => s.status === 'fail').map((s) => s.id);
    expect(failsOf(0)).toEqual(failIds(alice));
    expect(failsOf(1)).toEqual(failIds(bob));
    const training = json.summary.whatFails.find((w) => w.id === 'run.create-training-job')!;
    expect(training.counts.fail).toBe(1);
    expect(training.profiles.fail).toEqual(['d-exampledomain1 user profile alice']);
    expect(json.summary).toMatchObject({ profiles: 2, failing: 2 });
  });

  it('an empty domain is still valid JSON', () => {
    expect(validateJson(JSON.parse(renderDomain([], 'json')))).toBe(true);
  });
});

describe('domain report: SARIF', () => {
  const opts = { artifactUri: 'snapshots/account.json', artifactBase: 'file:///work/repo/' };
  const log = JSON.parse(renderDomain(domain, 'sarif', opts)) as CheckSarifLog;
  const run = log.runs[0]!;

  it('is one run, valid SARIF 2.1.0', () => {
    const ok = validateSarif(log);
    expect(validateSarif.errors ?? [], JSON.stringify(validateSarif.errors, null, 2)).toEqual([]);
    expect(ok).toBe(true);
    expect(log.runs).toHaveLength(1);
    expect(validateSarif(JSON.parse(renderDomain(domain, 'sarif')))).toBe(true);
    expect(validateSarif(JSON.parse(renderDomain([], 'sarif')))).toBe(true);
  });

  it("holds both profiles' results, the profile in the fingerprint and the logical location", () => {
    const errorsOf = (name: string): string[] =>
      run.results.filter((r) => r.level === 'error' && r.locations[0]!.logicalLocations.some((l) => l.kind === 'namespace' && l.name === name)).map((r) => r.ruleId);
    expect(errorsOf('alice')).toEqual(failIds(alice));
    expect(errorsOf('bob')).toEqual(failIds(bob));
    const prints = run.results.map((r) => r.partialFingerprints['nbjobIamStep/v2']);
    expect(new Set(prints).size).toBe(prints.length);
    expect(prints).toContain('111122223333/d-exampledomain1/user-profile/bob/schedule/schedule.put-rule');
    for (const r of run.results) expect(run.tool.driver.rules[r.ruleIndex]!.id).toBe(r.ruleId);
    expect(new Set(run.tool.driver.rules.map((r) => r.id)).size).toBe(run.tool.driver.rules.length);
  });

  it('artifact URIs are relative to a base the log defines', () => {
    expect(run.originalUriBaseIds).toEqual({ '%SRCROOT%': { uri: 'file:///work/repo/' } });
    expect(run.artifacts).toEqual([{ location: { uri: 'snapshots/account.json', uriBaseId: '%SRCROOT%' } }]);
    for (const r of run.results) expect(r.locations[0]!.physicalLocation!.artifactLocation).toEqual({ uri: 'snapshots/account.json', uriBaseId: '%SRCROOT%', index: 0 });
    const abs = JSON.parse(renderDomain(domain, 'sarif', { artifactUri: '/tmp/my account.json' })) as CheckSarifLog;
    expect(abs.runs[0]!.artifacts).toEqual([{ location: { uri: 'file:///tmp/my%20account.json' } }]);
  });
});

describe('domain report: HTML', () => {
  const html = renderDomain(domain, 'html');
  const ids = [...html.matchAll(/\sid="([^"]*)"/g)].map((m) => m[1]!);

  it('is one page with unique element ids, every link resolving', () => {
    expect(html.match(/<!doctype html>/g)).toHaveLength(1);
    expect(html.match(/<script>/g)).toHaveLength(1);
    expect(new Set(ids).size).toBe(ids.length);
    const links = [...html.matchAll(/href="#([^"]*)"/g)].map((m) => m[1]!);
    expect(links.length).toBe(137);
    for (const l of links) expect(ids, l).toContain(l);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
  });

  it('has a summary matrix of steps × profiles linking to each profile step', () => {
    const matrix = html.slice(html.indexOf('id="what-fails"'));
    expect(matrix).toContain('<a href="#p1-step-run.create-training-job">');
    expect(matrix).not.toContain('<a href="#p2-step-run.create-training-job">');
    expect(matrix).toContain('<a href="#p2-step-schedule.put-rule">');
    expect(html).toContain('<section class="profile" id="p2">');
    expect(html).toContain('id="p2-filters" class="filters hidden"');
  });

  it('escapes profile names', () => {
    const evil = renderDomain(checkDomain('schedule', domainSnapshot(true)), 'html');
    expect(evil).not.toContain(EVIL_NAME);
    expect(evil).not.toContain('<img');
    expect(evil.match(/<script>/g)).toHaveLength(1);
  });
});

describe('domain report: Markdown and text', () => {
  it('Markdown: both profiles, what fails for how many, the matrix', () => {
    const md = renderDomain(domain, 'markdown');
    expect(md).toContain('<summary>d-exampledomain1 user profile alice: ❌ 14 failures</summary>');
    expect(md).toContain('<summary>d-exampledomain1 user profile bob: ❌ 13 failures</summary>');
    expect(md).toContain('### What fails, for how many');
    expect(md).toMatch(/\| `run.create-training-job` \| ✗ \| ✓ \|/);
    const evil = renderDomain(checkDomain('schedule', domainSnapshot(true)), 'markdown');
    expect(evil).not.toContain('<img');
    expect(evil).not.toContain('<script>');
  });

  it('text: each profile in full, then the summary within 80 columns', () => {
    const text = renderDomain(domain, 'text');
    expect(text.indexOf('==== d-exampledomain1 user profile alice')).toBeLessThan(text.indexOf('==== d-exampledomain1 user profile bob'));
    const summary = text.slice(text.lastIndexOf('Notebook jobs: every profile and space'));
    expect(summary).toContain('What fails, for how many:');
    expect(summary).toMatch(/1\/2 +#\d+\S* run\.create-training-job/);
    expect(summary).toMatch(/2\/2 +#\d+\S* schedule\.put-rule/);
    expect(overlong(text, 80)).toEqual([]);
  });

});
