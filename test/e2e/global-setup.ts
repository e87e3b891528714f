/** Says once, up front, whether the e2e suites will run and against what. */
export default function setup(): void {
  const host = process.env.SWITCHYARD_E2E_HOST;
  if (host === undefined || host === '') {
    console.log(
      '[switchyard e2e] SKIPPED: SWITCHYARD_E2E_HOST is not set. Start FreeSWITCH with docker/compose.yml and run ' +
        'SWITCHYARD_E2E_HOST=127.0.0.1 npm run test:e2e (see docker/README.md).',
    );
    return;
  }
  const port = process.env.SWITCHYARD_E2E_PORT ?? '8021';
  console.log(`[switchyard e2e] against FreeSWITCH at ${host}:${port}`);
}
