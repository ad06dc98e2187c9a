import { z } from 'zod';
import { PUBLISHED_JOB_SCHEMAS } from './job-schemas';

/** `[file name, JSON text]` of each published job schema. */
export const jsonSchemaFiles = (): [string, string][] =>
  Object.entries(PUBLISHED_JOB_SCHEMAS).map(([jobName, schema]) => [
    `${jobName}.schema.json`,
    `${JSON.stringify({ title: `${jobName} job payload`, ...z.toJSONSchema(schema) }, null, 2)}\n`,
  ]);
