import { describe, expect, it } from 'vitest';
import { validatePolicyText } from '../../src/policy/validate.js';
import { caretSnippet, renderFindingsText, summaryLine, wrap } from '../../src/report/index.js';
import type { FileReport } from '../../src/report/index.js';

const BAD = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "allow",
      "Action": "s3:GetObject",
      "Resource": "*"
    }
  ]
}
`;

function report(file: string, text: string, kind: 'identity' | 'trust' = 'identity'): FileReport {
  return { file, kind, kindReason: '--kind', source: text, findings: validatePolicyText(text, { kind, name: file }).findings };
}

describe('text renderer', () => {
  it('prints file:line:column severity code message, then the source line with a caret under the column', () => {
    const out = renderFindingsText([report('policies/bad.json', BAD)]);
    const lines = out.split('\n');
    const head = lines.findIndex((l) => l.startsWith('policies/bad.json:5:'));
    expect(head).toBeGreaterThan(0);
    expect(lines[head]).toMatch(/^policies\/bad\.json:5:17 error invalid-effect Effect is case-sensitive/);
    const snippetAt = lines.findIndex((l) => l.includes('"Effect": "allow"'));
    expect(snippetAt).toBeGreaterThan(head);
    const source = lines[snippetAt] ?? '';
    const caret = lines[snippetAt + 1] ?? '';
    expect(source).toMatch(/^\s+5 \| /);
    // The caret sits under the opening quote of "allow" (column 17).
    const bodyStart = source.indexOf('| ') + 2;
    expect(caret.indexOf('^') - bodyStart).toBe(16);
    expect(source.charAt(caret.indexOf('^'))).toBe('"');
  });

  it('names the kind and why it was chosen, and says when a file has no findings', () => {
    const out = renderFindingsText([{ file: 'ok.json', kind: 'identity', kindReason: 'content: no Principal', source: '{}', findings: [] }]);
    expect(out).toContain('ok.json\n  identity policy (kind from content: no Principal): no findings\n');
  });

  it('ends with a summary that counts files and findings per severity', () => {
    const f = (severity: 'error' | 'warning' | 'suggestion') => ({ severity, code: 'c', message: 'm', path: '$', line: 1, column: 1 });
    const out = renderFindingsText([
      { file: 'a.json', findings: [f('error'), f('warning'), f('suggestion'), f('suggestion')] },
      { file: 'b.json', findings: [f('error')] },
    ]);
    expect(out.trimEnd().split('\n').pop()).toBe('2 files: 2 errors, 1 warning, 2 suggestions');
    expect(summaryLine([])).toBe('0 files: 0 errors, 0 warnings, 0 suggestions');
  });

  it('fits 80 columns, even with long messages and long source lines', () => {
    const long = `{"Version":"2012-10-17","Statement":[{"Sid":"${'x'.repeat(120)}","Effect":"Deny","Action":"s3:*","Resource":"*","Principal":"*"}]}`;
    const out = renderFindingsText([report('a-rather-long-directory-name/and-a-long-file-name.json', long)]);
    expect(out).toContain('principal-not-allowed');
    for (const line of out.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
  });

  it('keeps the caret visible when the column lies beyond the width', () => {
    const line = `${' '.repeat(150)}"Effect": "allow"`;
    const [src, caret] = caretSnippet(line, 1, 151, 80);
    expect(src?.length).toBeLessThanOrEqual(80);
    expect(caret?.length).toBeLessThanOrEqual(80);
    expect(src?.charAt(caret?.indexOf('^') ?? -1)).toBe('"');
  });

  it('colours only when asked', () => {
    const plain = renderFindingsText([report('a.json', BAD)], { color: false });
    const coloured = renderFindingsText([report('a.json', BAD)], { color: true });
    expect(plain).not.toContain('\u001b[');
    expect(coloured).toContain('\u001b[31merror\u001b[0m');
  });

  it('prints no snippet for a finding without a position', () => {
    const out = renderFindingsText([
      { file: 'x.json', source: '{}', findings: [{ severity: 'warning', code: 'c', message: 'm', path: '$', line: 0, column: 0 }] },
    ]);
    expect(out).toContain('x.json warning c m\n');
    expect(out).not.toContain(' | ');
  });
});

describe('wrap', () => {
  it('never cuts a word: one longer than the width (an ARN) is alone on its line', () => {
    const arn = `arn:aws:s3:::${'a'.repeat(60)}/key`;
    const lines = wrap(`short ${arn} words after`, 40, '    ');
    expect(lines).toEqual(['short', `    ${arn}`, '    words after']);
    for (const l of lines) if (l.length > 40) expect(l.trim()).toBe(arn);
  });
  it('indents continuation lines', () => {
    expect(wrap('one two three four', 9, '  ')).toEqual(['one two', '  three', '  four']);
  });
});
