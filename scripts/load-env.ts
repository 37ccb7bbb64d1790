import { existsSync } from 'node:fs';
import path from 'node:path';

// Imported first by scripts that run outside Next.js: the local stack's settings, when present.
// Variables already in the environment win (process.loadEnvFile does not overwrite them).
const envFile = path.join(process.cwd(), '.env.local');
if (existsSync(envFile)) process.loadEnvFile(envFile);
