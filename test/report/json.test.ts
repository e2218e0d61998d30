import { describe, expect, it } from 'vitest';
import { validatePolicyText } from '../../src/policy/validate.js';
import { findingsToJson, renderFindingsJson } from '../../src/report/index.js';

describe('json renderer', () => {
  it('is one flat array of {file, severity, code, message, path, line, column}, in file order', () => {
    const bad = '{"Version":"2012-10-17","Statement":{"Effect":"allow","Action":"s3:GetObject","Resource":"*"}}';
    const findings = validatePolicyText(bad, { kind: 'identity' }).findings.filter((f) => f.code === 'invalid-effect');
    const text = renderFindingsJson([
      { file: 'a.json', findings },
      { file: 'ok.json', findings: [] },
      { file: 'b.json', findings },
    ]);
    const parsed = JSON.parse(text) as Array<Record<string, unknown>>;
    expect(Array.isArray(parsed)).toBe(true);
    expect(parsed.map((f) => f['file'])).toEqual(['a.json', 'b.json']);
    for (const f of parsed) {
      expect(Object.keys(f).sort()).toEqual(['code', 'column', 'file', 'line', 'message', 'path', 'severity']);
    }
    expect(parsed[0]).toMatchObject({ severity: 'error', code: 'invalid-effect', line: 1, path: '$.Statement.Effect' });
  });
  it('is an empty array when there is nothing to report', () => {
    expect(findingsToJson([{ file: 'a.json', findings: [] }])).toEqual([]);
    expect(renderFindingsJson([])).toBe('[]\n');
  });
});
