/**
 * Throughput benchmark: our engine (policies compiled once; traces off and on) against
 * @cloud-copilot/iam-simulate's runSimulation and runUnsafeSimulation, on the same fixed
 * request mix in the same run, plus the pathological wildcard case.
 *
 *   npm run bench                      (builds, then runs this file)
 *   node bench/run.mjs [--quick] [--rounds N] [--round-ms MS] [--wildcard-cap-ms MS] [--json FILE]
 *
 * From text, three ways: traces off, on, and validated (each policy also through validate's
 * rules, as simulate, explain and check read them), beside JSON.parse of the same text alone,
 * the ceiling of any from-text path.
 *
 * iam-simulate is AGPL-3.0: it is never a dependency of the product. It lives in
 * tools/node_modules (tools/package.json); if it is missing, this script installs it with
 * `npm --prefix tools ci`, and if that fails it says clearly that the comparison was skipped.
 *
 * Method: per (item, engine), a warm-up, then several rounds each lasting about --round-ms;
 * the reported rate is the median of the per-round rates. Overall = evaluations of the whole
 * mix per second (each item once), i.e. the harmonic combination of the item rates.
 * No timing assertions anywhere in the test suite: this script only reports.
 */
import { execSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join, dirname } from 'node:path';
import { Worker } from 'node:worker_threads';
import { setTimeout, clearTimeout } from 'node:timers';
import { MIX, pathologicalWildcard } from './scenarios.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const toolsDir = join(root, 'tools');

const argv = process.argv.slice(2);
const flag = (n) => argv.includes(n);
const opt = (n, d) => {
  const i = argv.indexOf(n);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : d;
};
const QUICK = flag('--quick');
const ROUNDS = Number(opt('--rounds', QUICK ? '3' : '7'));
const ROUND_MS = Number(opt('--round-ms', QUICK ? '100' : '300'));
const WARM_MS = Number(opt('--warm-ms', QUICK ? '100' : '400'));
const WILDCARD_CAP_MS = Number(opt('--wildcard-cap-ms', '10000'));
const JSON_OUT = opt('--json', undefined);

// ---------------------------------------------------------------- our engine

/**
 * Builds an evaluator for one scenario with its policies compiled once, using the
 * engine's compiled API from dist/. Returns () => decision.
 */
async function loadOurEngine() {
  const need = ['dist/policy/read.js', 'dist/engine/compile.js', 'dist/engine/authorize.js', 'dist/engine/simulate.js'];
  for (const p of need) {
    if (!existsSync(join(root, p))) throw new Error(`${p} missing: run \`npm run build\` first (npm run bench does)`);
  }
  const imp = (p) => import(pathToFileURL(join(root, p)).href);
  const [read, compile, authorize, simulate] = await Promise.all(need.map(imp));
  return { read, compile, authorize, simulate };
}

/** The policy kind of a scenario's resource policy (it decides grammar and principal rules). */
function resourceKind(scenario) {
  const a = scenario.request.action.toLowerCase();
  if (a.startsWith('sts:assumerole')) return 'trust';
  if (a.startsWith('s3:')) return 'bucket';
  if (a.startsWith('kms:')) return 'key';
  return 'resource';
}

/**
 * Builds an evaluator for one scenario: every policy read and compiled ONCE
 * (src/engine/compile.ts), then each call authorizes a fresh request (src/engine/authorize.ts)
 * with traces on or off. Returns () => decision.
 */
function makeOurEvaluator(engine, scenario, trace) {
  const { read, compile, authorize } = engine;
  const c = (doc, kind, name) => {
    const r = read.readPolicyValue(doc, { kind, name });
    if (!r.policy) throw new Error(`${scenario.name}: ${name} could not be read: ${r.findings.map((f) => f.message).join('; ')}`);
    return compile.compilePolicy(r.policy);
  };
  const p = scenario.policies;
  const policies = {
    ...(p.identity ? { identity: p.identity.map((d, i) => c(d, 'identity', `identity-${i}`)) } : {}),
    ...(p.permissionsBoundary ? { permissionsBoundary: c(p.permissionsBoundary, 'permissions-boundary', 'boundary') } : {}),
    ...(p.session ? { session: p.session.map((d, i) => c(d, 'session', `session-${i}`)) } : {}),
    ...(p.resource ? { resource: c(p.resource, resourceKind(scenario), 'resource') } : {}),
    ...(p.scp ? { scp: p.scp.map((lvl, i) => lvl.map((d, j) => c(d, 'scp', `scp-${i}-${j}`))) } : {}),
    ...(p.rcp ? { rcp: p.rcp.map((lvl, i) => lvl.map((d, j) => c(d, 'rcp', `rcp-${i}-${j}`))) } : {}),
    ...(p.vpcEndpoint ? { vpcEndpoint: c(p.vpcEndpoint, 'vpc-endpoint', 'vpce') } : {}),
  };
  const req = scenario.request;
  const options = { ...(scenario.options ?? {}), trace };
  // A fresh request object per call: the request is new work for every evaluation, as in iam-simulate.
  return () =>
    authorize.authorize(
      {
        principal: req.principal,
        principalRoleArn: req.principalRoleArn,
        action: req.action,
        resource: req.resource,
        resourceAccount: req.resourceAccount,
        context: req.context,
      },
      policies,
      options,
    ).decision;
}

/**
 * From text, per call: the scenario's JSON text is parsed, read, its policies compiled and the
 * request decided, every call (what `nbjob-iam simulate` does for each file). Nothing is
 * reused between calls: the engine has no hidden cache. Returns () => decision.
 */
function makeTextEvaluator(engine, scenario, trace, validate = false) {
  const text = JSON.stringify(scenario, null, 2);
  return () => engine.simulate.simulateScenarioText(text, 'bench.json', { trace, validate }).decision;
}

/**
 * The ceiling of every from-text path: `JSON.parse` of the scenario text and nothing else.
 * No reader that starts from text can be faster, so `parse / runSim` bounds what any
 * from-text ratio against iam-simulate (which is handed parsed objects) can reach.
 */
function makeParseOnly(scenario) {
  const text = JSON.stringify(scenario, null, 2);
  return () => (JSON.parse(text) === null ? 'null' : 'parsed');
}

// ---------------------------------------------------------------- iam-simulate

async function loadTheirs() {
  const simPkg = join(toolsDir, 'node_modules/@cloud-copilot/iam-simulate/package.json');
  if (!existsSync(simPkg)) {
    console.log('tools/ dependencies are missing: running `npm --prefix tools ci` ...');
    try {
      execSync('npm --prefix tools ci --no-audit --no-fund', { cwd: root, stdio: 'inherit' });
    } catch {
      return { skipped: 'could not install tools/ dependencies (npm --prefix tools ci failed)' };
    }
  }
  if (!existsSync(simPkg)) return { skipped: 'tools/node_modules/@cloud-copilot/iam-simulate is missing' };
  const version = JSON.parse(readFileSync(simPkg, 'utf8')).version;
  const simulatePath = join(toolsDir, 'node_modules/@cloud-copilot/iam-simulate/dist/esm/index.js');
  const sim = await import(pathToFileURL(simulatePath).href);
  // The scenario → iam-simulate adapter is TypeScript; load it through tsx's API.
  const tsxApi = join(toolsDir, 'node_modules/tsx/dist/esm/api/index.mjs');
  const { tsImport } = await import(pathToFileURL(tsxApi).href);
  const adapter = await tsImport(pathToFileURL(join(toolsDir, 'adapter.ts')).href, import.meta.url);
  return { sim, adapter, version, simulatePath };
}

// ---------------------------------------------------------------- timing

/** Sets `<prefix>VsRun` and `<prefix>VsUnsafe`: the rate `r[rateKey]` against iam-simulate's two paths. */
function withRatios(r, rateKey, prefix) {
  r[`${prefix}VsRun`] = r.run ? r[rateKey] / r.run : undefined;
  r[`${prefix}VsUnsafe`] = r.unsafe ? r[rateKey] / r.unsafe : undefined;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

let sink = 0;

function measureSync(fn) {
  let n = 0;
  const tw = performance.now();
  while (performance.now() - tw < WARM_MS) {
    sink += fn().length;
    n++;
  }
  const perCall = (performance.now() - tw) / n;
  const batch = Math.max(1, Math.ceil(ROUND_MS / perCall));
  const rates = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    for (let i = 0; i < batch; i++) sink += fn().length;
    rates.push((batch / (performance.now() - t0)) * 1000);
  }
  return median(rates);
}

async function measureAsync(fn) {
  let n = 0;
  const tw = performance.now();
  while (performance.now() - tw < WARM_MS) {
    sink += (await fn()).length;
    n++;
  }
  const perCall = (performance.now() - tw) / n;
  const batch = Math.max(1, Math.ceil(ROUND_MS / perCall));
  const rates = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    for (let i = 0; i < batch; i++) sink += (await fn()).length;
    rates.push((batch / (performance.now() - t0)) * 1000);
  }
  return median(rates);
}

const fmtRate = (r) => (r === undefined ? '-' : r >= 1e6 ? `${(r / 1e6).toFixed(2)}M/s` : r >= 1e3 ? `${(r / 1e3).toFixed(1)}k/s` : `${r.toFixed(0)}/s`);
const fmtX = (x) => (x === undefined || !Number.isFinite(x) ? '-' : `${x >= 100 ? x.toFixed(0) : x.toFixed(1)}×`);
const pad = (s, n) => String(s).padEnd(n);
const lpad = (s, n) => String(s).padStart(n);

function runCapped(simulatePath, simulation, which, capMs) {
  return new Promise((resolve) => {
    const w = new Worker(join(here, 'wildcard-worker.mjs'), { workerData: { simulatePath, simulation, which } });
    const timer = setTimeout(() => {
      w.terminate();
      resolve({ timedOut: true, ms: capMs });
    }, capMs);
    w.once('message', (m) => {
      clearTimeout(timer);
      w.terminate();
      resolve(m);
    });
    w.once('error', (e) => {
      clearTimeout(timer);
      resolve({ error: String(e) });
    });
  });
}

// ---------------------------------------------------------------- main

async function main() {
  const machine = {
    date: new Date().toISOString(),
    nproc: os.availableParallelism ? os.availableParallelism() : os.cpus().length,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    rounds: ROUNDS,
    roundMs: ROUND_MS,
    warmMs: WARM_MS,
  };
  const ours = await loadOurEngine();
  const theirs = await loadTheirs();
  machine.iamSimulate = theirs.version ?? `skipped (${theirs.skipped})`;
  console.log(`machine: nproc=${machine.nproc} cpu="${machine.cpu}" node=${machine.node} ${machine.platform}`);
  console.log(`method: warm-up ${WARM_MS} ms, ${ROUNDS} rounds of ~${ROUND_MS} ms, median; iam-simulate ${machine.iamSimulate}`);
  if (theirs.skipped) console.log(`\n*** iam-simulate comparison SKIPPED: ${theirs.skipped} ***\n`);

  const rows = [];
  for (const scenario of MIX) {
    const row = { name: scenario.name };
    const off = makeOurEvaluator(ours, scenario, false);
    const on = makeOurEvaluator(ours, scenario, true);
    row.oursDecision = off();
    if (row.oursDecision !== scenario.expect) console.log(`warning: our engine says ${row.oursDecision} for "${scenario.name}" (expected ${scenario.expect})`);
    row.oursOff = measureSync(off);
    row.oursOn = measureSync(on);
    const textOff = makeTextEvaluator(ours, scenario, false);
    const textOn = makeTextEvaluator(ours, scenario, true);
    if (textOff() !== row.oursDecision || textOn() !== row.oursDecision) console.log(`warning: the text path disagrees for "${scenario.name}"`);
    row.textOff = measureSync(textOff);
    row.textOn = measureSync(textOn);
    // What simulate, explain and check do: every policy also checked by validate's rules.
    const textVal = makeTextEvaluator(ours, scenario, false, true);
    if (textVal() !== row.oursDecision) console.log(`warning: the validated text path disagrees for "${scenario.name}"`);
    row.textVal = measureSync(textVal);
    row.parse = measureSync(makeParseOnly(scenario));
    if (!theirs.skipped) {
      const { simulation } = theirs.adapter.toSimulation(scenario);
      const probe = await theirs.sim.runSimulation(simulation, {});
      row.theirsDecision = probe.resultType === 'error' ? `error: ${probe.errors.message}` : probe.overallResult;
      row.run = await measureAsync(async () => {
        const r = await theirs.sim.runSimulation(simulation, {});
        return r.resultType === 'error' ? 'error' : r.overallResult;
      });
      // runUnsafeSimulation needs RCPFullAWSAccess listed and a named resource policy (see tools/adapter.ts).
      const unsafeSim = theirs.adapter.toSimulation(scenario, { forUnsafe: true }).simulation;
      row.theirsUnsafeDecision = theirs.sim.runUnsafeSimulation(unsafeSim, {});
      row.unsafe = measureSync(() => theirs.sim.runUnsafeSimulation(unsafeSim, {}));
    }
    rows.push(row);
  }

  // overall: whole-mix evaluations per second (each item once per mix)
  const mixRate = (key) => (rows.every((r) => r[key]) ? 1 / rows.reduce((a, r) => a + 1 / r[key], 0) : undefined);
  const overall = { name: 'OVERALL (whole mix)', oursOff: mixRate('oursOff'), oursOn: mixRate('oursOn'), textOff: mixRate('textOff'), textOn: mixRate('textOn'), textVal: mixRate('textVal'), parse: mixRate('parse'), run: mixRate('run'), unsafe: mixRate('unsafe') };

  console.log('');
  console.log(
    pad('mix item (reused: compiled once)', 46) + lpad('ours off', 11) + lpad('ours on', 11) + lpad('runSim', 11) + lpad('unsafe', 11) +
      lpad('off/runSim', 12) + lpad('off/unsafe', 12) + lpad('on/runSim', 11) + lpad('on/unsafe', 11),
  );
  for (const r of [...rows, overall]) {
    withRatios(r, 'oursOff', 'off');
    withRatios(r, 'oursOn', 'on');
    console.log(
      pad(r.name, 46) + lpad(fmtRate(r.oursOff), 11) + lpad(fmtRate(r.oursOn), 11) + lpad(fmtRate(r.run), 11) + lpad(fmtRate(r.unsafe), 11) +
        lpad(fmtX(r.offVsRun), 12) + lpad(fmtX(r.offVsUnsafe), 12) + lpad(fmtX(r.onVsRun), 11) + lpad(fmtX(r.onVsUnsafe), 11),
    );
  }
  console.log('\nfrom text, per call (parse + read + compile + decide every call; no cache anywhere):');
  console.log(pad('mix item', 46) + lpad('text off', 11) + lpad('text on', 11) + lpad('off/runSim', 12) + lpad('off/unsafe', 12) + lpad('on/runSim', 11) + lpad('on/unsafe', 11));
  for (const r of [...rows, overall]) {
    withRatios(r, 'textOff', 'textOff');
    withRatios(r, 'textOn', 'textOn');
    console.log(
      pad(r.name, 46) + lpad(fmtRate(r.textOff), 11) + lpad(fmtRate(r.textOn), 11) + lpad(fmtX(r.textOffVsRun), 12) + lpad(fmtX(r.textOffVsUnsafe), 12) + lpad(fmtX(r.textOnVsRun), 11) + lpad(fmtX(r.textOnVsUnsafe), 11),
    );
  }
  console.log('\nfrom text, validated (what simulate, explain and check do), and the ceiling of any from-text path (JSON.parse alone):');
  console.log(pad('mix item', 46) + lpad('validated', 11) + lpad('val/runSim', 12) + lpad('val/unsafe', 12) + lpad('JSON.parse', 12) + lpad('parse/runSim', 14) + lpad('parse/unsafe', 14));
  for (const r of [...rows, overall]) {
    withRatios(r, 'textVal', 'textVal');
    withRatios(r, 'parse', 'parse');
    console.log(
      pad(r.name, 46) + lpad(fmtRate(r.textVal), 11) + lpad(fmtX(r.textValVsRun), 12) + lpad(fmtX(r.textValVsUnsafe), 12) + lpad(fmtRate(r.parse), 12) + lpad(fmtX(r.parseVsRun), 14) + lpad(fmtX(r.parseVsUnsafe), 14),
    );
  }
  const decisions = rows.map((r) => `${r.name}: ours=${r.oursDecision} runSimulation=${r.theirsDecision ?? '-'} runUnsafeSimulation=${r.theirsUnsafeDecision ?? '-'}`);
  console.log('\ndecisions:\n  ' + decisions.join('\n  '));

  // pathological wildcard
  const wild = {};
  const wc = await import(pathToFileURL(join(root, 'dist/engine/wildcard.js')).href).catch(() => undefined);
  for (const variant of ['all-a', 'c-then-b']) {
    const pw = pathologicalWildcard(50, 64 * 1024, variant);
    const w = { stars: 50, resourceBytes: pw.resource.length };
    wild[variant] = w;
    console.log(`\npathological wildcard [${variant}]: \`*a*a…*b\` (50 stars) against a ${pw.resource.length}-byte resource (no match)`);
    if (wc?.compileWildcard) {
      const m = wc.compileWildcard(pw.pattern);
      const key = pw.resource.slice('arn:aws:s3:::amzn-s3-demo-bucket/'.length);
      const reps = 200;
      let hits = 0;
      const t0 = performance.now();
      for (let i = 0; i < reps; i++) if (m.test(key)) hits++;
      w.oursMatcherMsPerMatch = (performance.now() - t0) / reps;
      console.log(`  ours, compiled matcher alone:     ${w.oursMatcherMsPerMatch.toFixed(4)} ms per match (matched=${hits > 0})`);
    }
    const ev = makeOurEvaluator(ours, pw.scenario, false);
    const reps = 50;
    let d;
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) d = ev();
    w.oursEvalMs = (performance.now() - t0) / reps;
    w.oursDecision = d;
    console.log(`  ours, full evaluation (compiled): ${w.oursEvalMs.toFixed(4)} ms per evaluation (decision=${d})`);
    if (!theirs.skipped) {
      for (const which of ['runUnsafeSimulation', 'runSimulation']) {
        const { simulation } = theirs.adapter.toSimulation(pw.scenario, { forUnsafe: which === 'runUnsafeSimulation' });
        const r = await runCapped(theirs.simulatePath, simulation, which, WILDCARD_CAP_MS);
        w[which] = r;
        const txt = r.timedOut ? `> ${WILDCARD_CAP_MS} ms (stopped at the cap)` : r.error ? `error ${r.error}` : `${r.ms.toFixed(1)} ms (result=${r.result})`;
        console.log(`  iam-simulate ${pad(which + ':', 21)} ${txt}`);
      }
    }
  }

  // goals
  const goals = [
    ['reused: ≥100× runSimulation, traces off', overall.offVsRun, 100, 'offVsRun'],
    ['reused: ≥5× runUnsafeSimulation, traces off', overall.offVsUnsafe, 5, 'offVsUnsafe'],
    ['reused: ≥10× runSimulation, traces on', overall.onVsRun, 10, 'onVsRun'],
    ['text: ≥100× runSimulation, traces off', overall.textOffVsRun, 100, 'textOffVsRun'],
    ['text: ≥5× runUnsafeSimulation, traces off', overall.textOffVsUnsafe, 5, 'textOffVsUnsafe'],
    ['text: ≥100× runSimulation, traces on', overall.textOnVsRun, 100, 'textOnVsRun'],
    ['text: ≥5× runUnsafeSimulation, traces on', overall.textOnVsUnsafe, 5, 'textOnVsUnsafe'],
    ['text, validated: ≥100× runSimulation', overall.textValVsRun, 100, 'textValVsRun'],
  ];
  console.log('\ngoals (overall mix):');
  for (const [label, x, min, key] of goals) {
    const verdict = x === undefined ? 'SKIPPED' : x >= min ? 'met' : 'NOT MET';
    console.log(`  ${pad(label, 46)} ${lpad(fmtX(x), 8)}  ${verdict}`);
    const perItemMisses = rows.filter((r) => r[key] !== undefined && r[key] < min);
    if (perItemMisses.length) console.log(`    items below the goal: ${perItemMisses.map((r) => r.name).join(', ')}`);
  }
  if (overall.parseVsRun !== undefined) {
    console.log(
      `  ceiling from text: JSON.parse alone is ${fmtX(overall.parseVsRun)} runSimulation and ${fmtX(overall.parseVsUnsafe)} runUnsafeSimulation` +
        (overall.parseVsRun < 100 ? ' (a from-text goal of 100× runSimulation cannot be met by any reader that parses the text)' : ''),
    );
  }
  if (JSON_OUT) writeFileSync(JSON_OUT, JSON.stringify({ machine, rows, overall, wildcard: wild }, null, 2));
  if (sink === -1) console.log(sink);
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
