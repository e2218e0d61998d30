/**
 * action.yml, the composite GitHub Action: every input it uses is declared, the script
 * gets inputs only through the environment (no `${{ }}` pasted into a shell), the script
 * is valid bash, and every flag it passes is one the command has.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/table.js';

const ACTION = readFileSync(new URL('../../action.yml', import.meta.url), 'utf8');

/** The block scalars under `run: |`, with their indentation removed. */
function runBlocks(yaml: string): string[] {
  const lines = yaml.split('\n');
  const blocks: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^(\s*)run: \|\s*$/.exec(lines[i]!);
    if (!m) continue;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && (lines[j]!.trim() === '' || lines[j]!.startsWith(`${m[1]}  `)); j++) body.push(lines[j]!.slice(m[1]!.length + 2));
    blocks.push(body.join('\n'));
    i = j - 1;
  }
  return blocks;
}

describe('action.yml', () => {
  it('declares every input it uses', () => {
    const declared = new Set([...ACTION.slice(ACTION.indexOf('inputs:'), ACTION.indexOf('outputs:')).matchAll(/^ {2}([a-z-]+):$/gm)].map((m) => m[1]));
    const used = new Set([...ACTION.matchAll(/inputs\.([a-z-]+)/g)].map((m) => m[1]));
    expect([...used].filter((u) => !declared.has(u))).toEqual([]);
    expect(declared.has('command') && declared.has('snapshot') && declared.has('baseline')).toBe(true);
  });

  it('its scripts are bash that takes inputs from the environment only', () => {
    const blocks = runBlocks(ACTION);
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    const main = blocks.find((b) => b.includes('--format sarif'))!;
    expect(main).not.toContain('${{');
    for (const b of blocks) {
      const r = spawnSync('bash', ['-n'], { input: b, encoding: 'utf8' });
      expect(r.stderr, b).toBe('');
      expect(r.status).toBe(0);
    }
  });

  it('passes only flags the commands have', () => {
    const main = runBlocks(ACTION).find((b) => b.includes('--format sarif'))!;
    const flagsOf = (name: string): string[] => COMMANDS.find((c) => c.name === name)!.flags.map((f) => f.flags.split(/[ ,]/)[0]!);
    for (const f of ['--snapshot', '--all-profiles', '--baseline', '--suppressions', '--format']) {
      expect(main).toContain(f);
      expect(flagsOf('check')).toContain(f);
    }
    expect(flagsOf('validate')).toContain('--format');
    expect(ACTION).toContain('github/codeql-action/upload-sarif@v3');
  });
});
