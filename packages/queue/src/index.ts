export * from './queue-names';
export * from './job-schemas';
export { MalformedJobError, parseJobData } from './parse-job-data';
export { jsonSchemaFiles } from './json-schemas';
export { createRedisConnection, checkRedisReachable, DEFAULT_REDIS_URL, redactedRedisUrl, redisDatabaseOf } from './redis-connection';
