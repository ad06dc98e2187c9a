import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { z } from 'zod';
import { DEFAULT_REDIS_URL, redisDatabaseOf } from '@scheduler/queue';

const flag = z
  .enum(['true', 'false', '1', '0'], { error: 'must be true, false, 1 or 0' })
  .transform((value) => value === 'true' || value === '1')
  .optional();
/** Decimal digits only, as the command-line options take them: `Number()` would read '1e1' as 10 and '0x2' as 2. */
const decimal = (pattern: RegExp, words: string) => z.string().regex(pattern, `must be ${words} in decimal digits`).transform(Number);
const wholeNumber = (min: number, max: number) => {
  const words = `a whole number from ${min} to ${max}`;
  return decimal(/^\d+$/, words).pipe(z.number().int().min(min, `must be ${words}`).max(max, `must be ${words}`));
};
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const REDIS_URL_FORM = 'must be redis://[user:password@]host[:port][/database number] (or rediss://)';

/** The one place the CLI reads the environment; a bad value stops start-up with the variable named. */
const EnvSchema = z.object({
  REDIS_URL: z
    .string()
    .url(REDIS_URL_FORM)
    .refine((url) => {
      try {
        return redisDatabaseOf(url) >= 0;
      } catch {
        return false;
      }
    }, REDIS_URL_FORM)
    .default(DEFAULT_REDIS_URL),
  SCHEDULER_ORGS_DIR: z.string().min(1).default('./organizations'),
  SCHEDULER_CONFIG: z.string().min(1).optional(),
  SCHEDULER_THREADS: wholeNumber(1, 256).default(availableParallelism()),
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  /** BullMQ key prefix: fleets with different prefixes share one Redis without meeting. */
  SCHEDULER_QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9_-]+$/, 'must be letters, digits, _ and - only').default('bull'),
  // `scheduler dashboard`: loopback unless told otherwise; anything else needs the credentials.
  DASHBOARD_HOST: z.string().min(1).default('127.0.0.1'),
  DASHBOARD_PORT: wholeNumber(0, 65_535).default(8080),
  DASHBOARD_USER: z.string().max(100, 'must be at most 100 characters').optional(),
  DASHBOARD_PASSWORD: z.string().min(12, 'must be at least 12 characters').max(1024, 'must be at most 1024 characters').optional(),
  DASHBOARD_READ_ONLY: flag,
  DASHBOARD_SECURE_COOKIES: flag,
  /** /healthz fails when an organization's last completed run is older; 0 turns the check off. */
  DASHBOARD_MAX_RUN_AGE_HOURS: decimal(/^\d+(\.\d+)?$/, 'a number of hours').default(36),
}).refine((env) => (env.DASHBOARD_USER === undefined) === (env.DASHBOARD_PASSWORD === undefined), {
  message: 'set both DASHBOARD_USER and DASHBOARD_PASSWORD, or neither',
  path: ['DASHBOARD_PASSWORD'],
});

export type CliEnv = z.infer<typeof EnvSchema>;

export const readEnv = (): CliEnv => {
  // An unset variable and an empty one (`VAR=` in a compose or .env file) mean the same.
  const set = Object.fromEntries(Object.entries(process.env).filter(([, value]) => value !== ''));
  const result = EnvSchema.safeParse(set);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  throw new Error(`bad environment: ${problems.join('; ')}`);
};

/**
 * SCHEDULER_ORGS_DIR, for a worker: it must exist, or the worker would serve
 * no organization and every job for one would fail with "no database".
 */
export const organizationsDirectory = (env: Pick<CliEnv, 'SCHEDULER_ORGS_DIR'>): string => {
  const directory = resolve(env.SCHEDULER_ORGS_DIR);
  if (!statSync(directory, { throwIfNoEntry: false })?.isDirectory()) {
    throw new Error(`bad environment: SCHEDULER_ORGS_DIR: ${directory} is not a directory (the organization databases <id>.sqlite are read there)`);
  }
  return directory;
};
