import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { packageAlias } from '../support/package-alias.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The end-to-end tier: switchyard against a live FreeSWITCH configured by
 * docker/ (or the simulator). Run with `SWITCHYARD_E2E_HOST=127.0.0.1 npm run
 * test:e2e`; without that variable every suite is skipped and says so.
 */
export default defineConfig({
  root,
  resolve: {
    // The suite uses the public surface by the package name, like a user would.
    alias: packageAlias,
  },
  test: {
    include: ['test/e2e/**/*.test.ts'],
    globalSetup: ['test/e2e/global-setup.ts'],
    // One FreeSWITCH is shared: hupall and `reload mod_event_socket` in one
    // file would break calls and connections of another running beside it.
    fileParallelism: false,
    sequence: { concurrent: false },
    // Real calls: setup takes seconds, the load test runs 30 s plus drain.
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
