/**
 * Writes the published job payloads as JSON Schema files, so that a service in
 * any BullMQ language can validate what it enqueues. `pnpm --filter
 * @scheduler/queue schemas`; a test fails when the files are stale.
 */
import { writeFileSync } from 'node:fs';
import { jsonSchemaFiles } from './json-schemas';

for (const [file, text] of jsonSchemaFiles()) writeFileSync(new URL(`../schemas/${file}`, import.meta.url), text);
