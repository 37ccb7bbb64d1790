import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const alias = { '@': fileURLToPath(new URL('./src', import.meta.url)) };

// `unit` needs nothing running; `int` gets a fresh local stack (Postgres +
// bootstrap + migrations) from the global setup; `sim` runs the AWS simulator's contract tests.
export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'scripts/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', 'node_modules/**'],
          environment: 'node',
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'int',
          include: ['src/**/*.int.test.ts', 'scripts/**/*.int.test.ts'],
          exclude: ['scripts/sim/**', 'node_modules/**'],
          environment: 'node',
          globalSetup: ['scripts/test/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        // The AWS simulator's contract tests start their own simulator; no database needed.
        resolve: { alias },
        test: {
          name: 'sim',
          include: ['scripts/sim/**/*.int.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
