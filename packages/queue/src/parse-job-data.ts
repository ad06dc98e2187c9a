import { UnrecoverableError } from 'bullmq';
import type { z } from 'zod';

/** A payload that can never succeed: BullMQ fails it at once, without retries. */
export class MalformedJobError extends UnrecoverableError {
  override readonly name = 'MalformedJobError';
}

/** Validates a job's data; a bad payload fails once, with each bad field named. */
export const parseJobData = <Schema extends z.ZodType>(schema: Schema, data: unknown, jobName: string): z.infer<Schema> => {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') return `unknown field ${issue.keys.join(', ')}`;
    const field = issue.path.length === 0 ? '(payload)' : issue.path.join('.');
    return `${field}: ${issue.message}`;
  });
  throw new MalformedJobError(`malformed ${jobName} job: ${problems.join('; ')}`);
};
