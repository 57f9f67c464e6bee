/**
 * `npm run bench [-- NAME...]`: runs every registered benchmark (or those whose
 * name contains one of the arguments), one after another, in tmpfs.
 */
import { BENCHMARKS } from './registry.js';

const filters = process.argv.slice(2);
const selected = BENCHMARKS.filter((b) => filters.length === 0 || filters.some((f) => b.name.includes(f)));
if (selected.length === 0) {
  console.error(`no benchmark matches ${filters.join(', ')}; known: ${BENCHMARKS.map((b) => b.name).join(', ')}`);
  process.exit(2);
}
for (const bench of selected) {
  console.log(`\n# ${bench.name}: ${bench.description}`);
  await bench.run();
}
