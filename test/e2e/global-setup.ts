/**
 * Says once, up front, whether the e2e suites will run and against what.
 * `SWITCHYARD_E2E_HOST=sim` runs them against an embedded simulator started
 * here (how `npm test` runs them), so the suite is checked on every run and a
 * real FreeSWITCH run differs only by the address.
 */
import { startSimulator } from '../../src/sim/index.js';

export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  const host = process.env.SWITCHYARD_E2E_HOST;
  if (host === undefined || host === '') {
    console.log(
      '[switchyard e2e] SKIPPED: SWITCHYARD_E2E_HOST is not set. Start FreeSWITCH with docker/compose.yml and run ' +
        'SWITCHYARD_E2E_HOST=127.0.0.1 npm run test:e2e (see docker/README.md), or SWITCHYARD_E2E_HOST=sim for the simulator.',
    );
    return undefined;
  }
  if (host === 'sim') {
    const sim = await startSimulator({ port: 0, password: process.env.SWITCHYARD_E2E_PASSWORD ?? 'ClueCon' });
    // Read by support.ts in the test workers, which start after this.
    process.env.SWITCHYARD_E2E_HOST = sim.host;
    process.env.SWITCHYARD_E2E_PORT = String(sim.port);
    console.log(`[switchyard e2e] against the embedded simulator at ${sim.host}:${sim.port}`);
    return () => sim.close();
  }
  const port = process.env.SWITCHYARD_E2E_PORT ?? '8021';
  console.log(`[switchyard e2e] against FreeSWITCH at ${host}:${port}`);
  return undefined;
}
