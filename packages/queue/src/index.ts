export * from './queue-names';
export * from './job-schemas';
export { AS_OF_OUT_OF_RANGE, EARLIEST_AS_OF, LATEST_AS_OF } from './as-of';
export { MalformedJobError, parseJobData } from './parse-job-data';
export { jsonSchemaFiles } from './json-schemas';
export { createRedisConnection, checkRedisReachable, DEFAULT_REDIS_URL, redactedRedisUrl, redisDatabaseOf } from './redis-connection';
