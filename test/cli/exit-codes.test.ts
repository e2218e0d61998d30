/** One exit-code table: every command's --help prints its row, and the README holds the table. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMAND_EXITS, exitCodesMarkdown } from '../../src/cli/exit-codes.js';
import { parseArgv } from '../../src/cli/parse.js';
import { COMMANDS } from '../../src/cli/table.js';
import { ROOT } from './helpers.js';

describe('exit codes', () => {
  it('every command has a row, and its --help prints 0, 1, 2 and 3 with that row', () => {
    expect(Object.keys(COMMAND_EXITS).sort()).toEqual(COMMANDS.map((c) => c.name).sort());
    for (const c of COMMANDS) {
      const help = parseArgv([c.name, '--help']);
      expect(help.kind).toBe('print');
      const text = help.kind === 'print' ? help.text.replace(/\s+/g, ' ') : '';
      expect(text, c.name).toContain('Exit status:');
      for (const n of [0, 1, 2] as const) expect(text, `${c.name} ${n}`).toContain(`${n} ${COMMAND_EXITS[c.name][n]}`);
      expect(text).toContain('3 a bug in nbjob-iam');
      const block = (help.kind === 'print' ? help.text : '').split('Exit status:')[1] ?? '';
      for (const line of block.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
    }
  });
  it('the README holds the same table', () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const m = /<!-- exit-codes:start -->\n([\s\S]*?)\n<!-- exit-codes:end -->/.exec(readme);
    expect(m?.[1]).toBe(exitCodesMarkdown(COMMANDS.map((c) => c.name)));
  });
});
