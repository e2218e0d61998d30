import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CLI_FILES } from '../../src/account/from-cli.js';

describe('docs/snapshot-from-cli.md lists every file the importer reads', () => {
  const doc = readFileSync(new URL('../../docs/snapshot-from-cli.md', import.meta.url), 'utf8');
  for (const f of CLI_FILES) {
    it(f.file, () => {
      expect(doc).toContain(`| \`${f.file}\` | \`${f.command}\` |`);
    });
  }
});
