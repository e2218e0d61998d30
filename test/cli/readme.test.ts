/**
 * The README's examples are run, so they cannot rot. A fenced `sh` block preceded by
 * `<!-- tested -->` (or `<!-- tested: exit=N -->`) runs command by command from the
 * repository root, with `nbjob-iam` on the PATH, and each command must exit with N (0 by
 * default). A fenced block preceded by `<!-- output -->` right after a one-command tested
 * block must equal that command's output.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILD_TIMEOUT_MS, ensureBuilt, MAIN, ROOT } from './helpers.js';

export interface TestedBlock {
  readonly line: number;
  readonly exit: number;
  readonly commands: readonly string[];
  readonly output?: string;
}

/** Finds the tested blocks of a Markdown text. */
export function testedBlocks(markdown: string): TestedBlock[] {
  const lines = markdown.split('\n');
  const blocks: TestedBlock[] = [];
  const fenceAfter = (i: number): { body: string[]; end: number; lang: string } | undefined => {
    let j = i + 1;
    while (j < lines.length && (lines[j] ?? '').trim() === '') j++;
    const open = /^```(\w*)\s*$/.exec(lines[j] ?? '');
    if (!open) return undefined;
    const body: string[] = [];
    let k = j + 1;
    while (k < lines.length && !/^```\s*$/.test(lines[k] ?? '')) body.push(lines[k++] ?? '');
    return { body, end: k, lang: open[1] ?? '' };
  };
  for (let i = 0; i < lines.length; i++) {
    const tag = /^<!--\s*tested(?::\s*exit=(\d+))?\s*-->\s*$/.exec(lines[i] ?? '');
    if (!tag) continue;
    const fence = fenceAfter(i);
    if (!fence || fence.lang !== 'sh') throw new Error(`README line ${i + 1}: <!-- tested --> must precede a \`\`\`sh block`);
    const commands: string[] = [];
    let pending = '';
    for (const raw of fence.body) {
      if (raw.trim() === '' || raw.trim().startsWith('#')) continue;
      if (raw.endsWith('\\')) {
        pending += raw.slice(0, -1) + ' ';
        continue;
      }
      commands.push((pending + raw).trim());
      pending = '';
    }
    let output: string | undefined;
    let j = fence.end + 1;
    while (j < lines.length && (lines[j] ?? '').trim() === '') j++;
    if (/^<!--\s*output\s*-->\s*$/.test(lines[j] ?? '')) {
      const out = fenceAfter(j);
      if (!out) throw new Error(`README line ${j + 1}: <!-- output --> must precede a fenced block`);
      if (commands.length !== 1) throw new Error(`README line ${j + 1}: <!-- output --> follows a block of ${commands.length} commands`);
      output = out.body.join('\n');
    }
    blocks.push({ line: i + 1, exit: Number(tag[1] ?? 0), commands, output });
  }
  return blocks;
}

let bin: string;

beforeAll(() => {
  ensureBuilt();
  bin = mkdtempSync(path.join(tmpdir(), 'nbjob-iam-readme-'));
  const shim = path.join(bin, 'nbjob-iam');
  writeFileSync(shim, `#!/bin/sh\nexec "${process.execPath}" "${MAIN}" "$@"\n`);
  chmodSync(shim, 0o755);
}, BUILD_TIMEOUT_MS);

afterAll(() => {
  if (bin) rmSync(bin, { recursive: true, force: true });
});

const README = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const BLOCKS = testedBlocks(README);

describe('README', () => {
  it('has tested examples for every command', () => {
    const all = BLOCKS.flatMap((b) => b.commands).join('\n');
    for (const command of ['validate', 'simulate', 'explain']) expect(all).toContain(`nbjob-iam ${command}`);
  });

  it('quick start is exactly the two commands npm ci && npm start, npm ci && npm test', () => {
    const quick = README.slice(README.indexOf('## Quick start'), README.indexOf('\n## ', README.indexOf('## Quick start') + 1));
    const commands = [...quick.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => (m[1] ?? '').trim());
    expect(commands).toEqual(['npm ci && npm start', 'npm ci && npm test']);
  });

  it('documents the package scripts it names', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string>; bin: Record<string, string> };
    expect(pkg.scripts['start']).toMatch(/build.*check --example/);
    expect(pkg.scripts['test']).toMatch(/typecheck.*lint.*build.*vitest run/);
    expect(pkg.bin['nbjob-iam']).toBe('dist/cli/main.js');
  });

  describe.each(BLOCKS.map((b) => [`block at line ${b.line}`, b] as const))('%s', (_name, block) => {
    it.each(block.commands.map((c) => [c]))('%s', (command) => {
      const r = spawnSync('bash', ['-c', `set -o pipefail; ${command}`], {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env['PATH'] ?? ''}`, NO_COLOR: '1' },
      });
      expect(r.stderr).not.toMatch(/internal error|please report/);
      expect(r.status, `${command}\n${r.stdout}\n${r.stderr}`).toBe(block.exit);
      if (block.output !== undefined) expect(r.stdout.trimEnd()).toBe(block.output.trimEnd());
    });
  });
});
