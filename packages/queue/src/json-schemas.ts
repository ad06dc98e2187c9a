import { ConfigSchema } from '@scheduler/core';
import { z } from 'zod';
import { PUBLISHED_JOB_SCHEMAS, RunConfigObjectSchema } from './job-schemas';

/**
 * The configuration a job may carry, as its author writes it (every key optional). Its calendar-day, time-zone,
 * state-code and window-span checks are code, not patterns: the worker alone refuses those, naming the key.
 */
const configJsonSchema = (): Record<string, unknown> => {
  const { $schema: _dialect, ...schema } = z.toJSONSchema(ConfigSchema, { io: 'input' });
  return schema;
};

/** `[file name, JSON text]` of each published job schema. */
export const jsonSchemaFiles = (): [string, string][] => {
  const config = configJsonSchema();
  return Object.entries(PUBLISHED_JOB_SCHEMAS).map(([jobName, schema]) => {
    const jsonSchema = z.toJSONSchema(schema, {
      override: ({ zodSchema, jsonSchema }) => {
        if (zodSchema !== RunConfigObjectSchema) return;
        for (const key of Object.keys(jsonSchema)) delete jsonSchema[key];
        Object.assign(jsonSchema, config);
      },
    });
    return [`${jobName}.schema.json`, `${JSON.stringify({ title: `${jobName} job payload`, ...jsonSchema }, null, 2)}\n`];
  });
};
