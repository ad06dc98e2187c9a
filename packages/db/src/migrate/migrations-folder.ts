import { fileURLToPath } from 'node:url';

/** Where drizzle-kit writes this package's migrations (`pnpm --filter @scheduler/db db:generate`). */
export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../drizzle', import.meta.url));
