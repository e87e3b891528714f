import { fileURLToPath } from 'node:url';

/**
 * Tests, apps and e2e suites import the public surface by the package name, like
 * a user would; these aliases point the names at the sources so no build is needed.
 */
export const packageAlias = [
  { find: /^switchyard$/, replacement: fileURLToPath(new URL('../../src/index.ts', import.meta.url)) },
  { find: /^switchyard\/apps$/, replacement: fileURLToPath(new URL('../../apps/index.ts', import.meta.url)) },
];
