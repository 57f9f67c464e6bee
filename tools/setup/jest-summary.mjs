// Sums jest's JSON results (`--json --outputFile`) into one "N passed, N failed" line.
//   node jest-summary.mjs --label node-22.23.5 --save OUT.json RESULTS.json...   one matrix line
//   node jest-summary.mjs --total OUT.json...                                    the overall line
// A suite that failed to run counts as a failure; no results at all is a failure too.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const args = process.argv.slice(2);
const take = (flag) => {
  const i = args.indexOf(flag);
  if (i < 0) return undefined;
  const [value] = args.splice(i, 2).slice(1);
  return value;
};
const total = args.includes('--total') && args.splice(args.indexOf('--total'), 1);
const label = take('--label');
const save = take('--save');
const files = args.filter((f) => existsSync(f));
// A workspace whose jest wrote no results crashed before it could report.
const missing = args.filter((f) => !existsSync(f));
for (const f of missing) console.error(`no test results in ${f}: its test run did not finish`);

let passed = 0;
let failed = missing.length;
for (const f of files) {
  const r = JSON.parse(readFileSync(f, 'utf8'));
  if (total) {
    passed += r.passed;
    failed += r.failed;
  } else {
    passed += r.numPassedTests;
    failed += r.numFailedTests + (r.numRuntimeErrorTestSuites ?? 0);
  }
}
if (save) writeFileSync(save, JSON.stringify({ label, passed, failed }));
console.log(`${label ? `${label}: ` : ''}${passed} passed, ${failed} failed`);
if (files.length === 0 || failed > 0) process.exitCode = 1;
