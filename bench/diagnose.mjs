/**
 * diagnose on a CloudTrail file of many runs, as a ratio to one `check` of the same
 * account measured in the same run (the baseline: diagnose reuses check's code and runs it
 * once per setup and variant). Every run has its own training job name, as a real trail does.
 *
 *   npm run build && node bench/diagnose.mjs [--denials N] [--rounds N]
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const imp = (p) => import(pathToFileURL(join(root, p)).href);
const argv = process.argv.slice(2);
const opt = (n, d) => {
  const i = argv.indexOf(n);
  return i >= 0 && argv[i + 1] !== undefined ? Number(argv[i + 1]) : d;
};
const N = opt('--denials', 1000);
const ROUNDS = opt('--rounds', 5);

const [{ check }, { engineEvaluator }, { parseInput }, { diagnose }] = await Promise.all([
  imp('dist/notebook-jobs/check.js'),
  imp('dist/notebook-jobs/evaluate.js'),
  imp('dist/diagnose/parse.js'),
  imp('dist/diagnose/match.js'),
]);
const snapshot = JSON.parse(readFileSync(join(root, 'examples', 'account.json'), 'utf8'));
const { selection } = JSON.parse(readFileSync(join(root, 'examples', 'example.json'), 'utf8'));
const JOB = 'arn:aws:sts::111122223333:assumed-role/NotebookJobRole/SageMaker';
const KEY = 'arn:aws:kms:us-east-1:111122223333:key/5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const records = Array.from({ length: N }, (_, i) => {
  const job = `arn:aws:sagemaker:us-east-1:111122223333:training-job/nightly-report-notebook-run-${i}`;
  const kinds = [
    [`sagemaker:CreateTrainingJob`, job, 'with an explicit deny in a service control policy'],
    ['kms:GenerateDataKey', KEY, 'because no resource-based policy allows the kms:GenerateDataKey action'],
    ['kms:CreateGrant', KEY, 'because no resource-based policy allows the kms:CreateGrant action'],
  ];
  const [action, resource, why] = kinds[i % kinds.length];
  return { eventSource: `${action.split(':')[0]}.amazonaws.com`, eventName: action.split(':')[1], userIdentity: { type: 'AssumedRole', arn: JOB }, errorCode: 'AccessDenied', errorMessage: `User: ${JOB} is not authorized to perform: ${action} on resource: ${resource} ${why}` };
});
const text = JSON.stringify({ Records: records });

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
function time(fn) {
  const out = [];
  fn();
  for (let r = 0; r < ROUNDS; r++) {
    const t = performance.now();
    fn();
    out.push(performance.now() - t);
  }
  return median(out);
}

const checkMs = time(() => {
  const r = check(snapshot, selection, { variant: 'schedule', evaluate: engineEvaluator() });
  if (!r.ok) throw new Error(r.message);
});
let matched = 0;
const diagnoseMs = time(() => {
  const parsed = parseInput('trail.json', text);
  const d = diagnose(snapshot, parsed.denials, parsed.unreadable, parsed.skipped, { selection, explicit: new Set(), variant: 'schedule', evaluate: engineEvaluator(), snapshotName: 'examples/account.json' });
  matched = d.matches.length;
});
console.log(`diagnose of ${N} CloudTrail denials (${matched} matches, one job name per run), median of ${ROUNDS} rounds:`);
console.log(`  ${(diagnoseMs / checkMs).toFixed(1)}x the time of one check of the same account (baseline, same run)`);
console.log(`  per denial: ${(diagnoseMs / N / checkMs).toFixed(3)}x one check`);
