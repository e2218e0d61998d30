/** Runs conformance scenarios through iam-simulate only and compares with `expect` (useful before our engine exists). */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runTheirs, type ScenarioLike } from './adapter.ts';
const walk = (d: string): string[] => readdirSync(d).flatMap((e) => { const p = join(d, e); return statSync(p).isDirectory() ? walk(p) : e.endsWith('.json') ? [p] : []; });
const root = new URL('../test/conformance/scenarios', import.meta.url).pathname;
let agree = 0, n = 0;
for (const f of walk(root).sort()) {
  let s: ScenarioLike; try { s = JSON.parse(readFileSync(f, 'utf8')); } catch { continue; }
  if (!s?.request || !s.expect) continue;
  n++;
  const t = await runTheirs(s);
  if (t.decision === s.expect) { agree++; continue; }
  console.log(`${f.slice(root.length + 1)}: expect=${s.expect} theirs=${t.decision ?? 'none'}${t.error ? ' err=' + t.error : ''}${t.notes.length ? ' notes=' + t.notes.join('|') : ''}${t.ignoredContextKeys.length ? ' ignored=' + t.ignoredContextKeys.join(',') : ''}`);
}
console.log(`${agree}/${n} agree with expect`);
