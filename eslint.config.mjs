import { defineConfig, globalIgnores } from 'eslint/config';
import nextVitals from 'eslint-config-next/core-web-vitals';
import nextTs from 'eslint-config-next/typescript';

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  globalIgnores(['.next/**', '.fleetline/**', 'node_modules/**', 'playwright-report/**', 'test-results/**', 'next-env.d.ts', 'src/types/database.types.ts']),
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Layers import one way: app → features → lib and worker → features → lib (style.md §13).
      'import/no-restricted-paths': [
        'error',
        {
          zones: [
            { target: './src/lib', from: ['./src/features', './src/app', './src/worker'], message: 'lib is the bottom layer: it imports neither features, app nor worker.' },
            { target: './src/features', from: ['./src/app', './src/worker'], message: 'Features are shared by the app and the worker: they import neither (the job catalogue is in lib/jobs).' },
            { target: './src/worker', from: './src/app', message: 'The worker never imports the Next app.' },
          ],
        },
      ],
    },
  },
]);
