/**
 * `npm run bench [-- NAME...]`: runs each benchmark in its own Node process (a
 * fresh heap and JIT, so one cannot skew the next) and streams its table.
 * Figures are printed with ratios against modesl and esl measured in the same
 * run; nothing here is a pass/fail test.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BENCHES = {
  codec: 'EslParser + EslEvent vs modesl and esl parsers on the captures',
  tcp: 'events over TCP: Connection vs modesl vs esl (replay server, simulator firehose)',
  listener: 'EventListener: sessions tracked per second, heap per session',
  originator: 'Originator: achieved rate and pacing error against the simulator',
} as const;
type BenchName = keyof typeof BENCHES;

const asked = process.argv.slice(2);
const unknown = asked.filter((n) => !(n in BENCHES));
if (unknown.length > 0) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; known: ${Object.keys(BENCHES).join(', ')}`);
  process.exit(2);
}
const names = (asked.length > 0 ? asked : Object.keys(BENCHES)) as BenchName[];

let failed = 0;
for (const name of names) {
  console.log(`\n=== ${name}: ${BENCHES[name]}`);
  const file = fileURLToPath(new URL(`./${name}.ts`, import.meta.url));
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', file], { stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    console.error(`benchmark ${name} exited with ${r.status ?? r.signal}`);
  }
}
process.exit(failed === 0 ? 0 : 1);
