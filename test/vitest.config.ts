import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { packageAlias } from './support/package-alias.js';

const root = fileURLToPath(new URL('..', import.meta.url));

export default defineConfig({
  root,
  resolve: {
    // apps/ import the public surface by the package name, like a user would.
    alias: packageAlias,
  },
  test: {
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts', 'test/types/**/*.test.ts', 'test/docker/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 30_000,
    typecheck: { enabled: true, include: ['test/types/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
  },
});
