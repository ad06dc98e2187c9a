import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { DEFAULT_REDIS_URL } from '@scheduler/queue';

/** The one place the CLI reads the environment; a bad value stops start-up with the variable named. */
const EnvSchema = z.object({
  REDIS_URL: z.string().url().default(DEFAULT_REDIS_URL),
  SCHEDULER_ORGS_DIR: z.string().min(1).default('./organizations'),
  SCHEDULER_CONFIG: z.string().min(1).optional(),
  SCHEDULER_THREADS: z.coerce.number().int().min(1).max(256).default(availableParallelism()),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type CliEnv = z.infer<typeof EnvSchema>;

export const readEnv = (): CliEnv => {
  const result = EnvSchema.safeParse(process.env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  throw new Error(`bad environment: ${problems.join('; ')}`);
};
