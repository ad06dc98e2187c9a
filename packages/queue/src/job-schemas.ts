import { z } from 'zod';
import { AS_OF_OUT_OF_RANGE, AS_OF_YEAR_PATTERN } from './as-of';

// zod's ISO date is a calendar check written as a pattern: it reaches the published JSON Schema (a refine would not),
// so a service validating with the file refuses the same days the worker does.
const isoDate = z.iso.date({ message: 'must be a calendar date YYYY-MM-DD' });

const asOfDay = isoDate.regex(AS_OF_YEAR_PATTERN, { message: AS_OF_OUT_OF_RANGE });

/**
 * An organization id names a database file inside the configured directory;
 * the pattern leaves no way to name anything outside it.
 */
export const OrganizationIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/, {
    message: 'must be 1–100 letters, digits, "_" or "-", starting with a letter or digit',
  });

// Any integer SQLite holds within JavaScript's safe range: a full run schedules contact 0 and negative ids too.
const rowId = z.number().int().min(Number.MIN_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER);

/**
 * Checked against the configuration schema by the worker, which names a bad key when it fails the job. The
 * published JSON Schema files carry that schema in its place (json-schemas.ts).
 */
export const RunConfigObjectSchema = z.record(z.string(), z.unknown());

const runConfig = RunConfigObjectSchema.optional().describe(
  "a configuration (CONTRACT.md's keys) for this run instead of the workers' own. Beyond this schema, the worker " +
    'refuses a day its month lacks, an unknown time zone or state code, and a state window spanning over 364 days.',
);

/**
 * Set by `scheduler run` and `scheduler reschedule`, which name a database file: a worker that serves the organization
 * from another file fails the job rather than commit it to its own. Other services leave it out.
 */
const databaseFile = z
  .string()
  .min(1)
  .max(4096)
  .optional()
  .describe("the real path of the database file the request is for (the CLI's; other services leave it out)");

/** Reschedule these contacts (another service changed them). */
export const RescheduleContactsJobSchema = z.strictObject({
  organization: OrganizationIdSchema,
  contactIds: z.array(rowId).min(1).max(100_000),
  asOf: asOfDay.optional().describe('the day to schedule as of; default: today in the configured time zone'),
  requestedBy: z.string().max(200).optional(),
  config: runConfig,
  databaseFile,
});

/** Reschedule every target of a campaign instance (its dates or targets changed). */
export const RescheduleCampaignJobSchema = z.strictObject({
  organization: OrganizationIdSchema,
  campaignInstanceId: rowId,
  asOf: asOfDay.optional(),
  requestedBy: z.string().max(200).optional(),
  config: runConfig,
});

/** A full run of one organization. */
export const FullRunJobSchema = z.strictObject({
  organization: OrganizationIdSchema,
  asOf: asOfDay.optional(),
  rerun: z.boolean().optional().describe('run again even when a run with the same id already completed'),
  requestedBy: z.string().max(200).optional(),
  config: runConfig,
  databaseFile,
});

/** The nightly job scheduler's template: one full run per organization found. */
export const NightlyJobSchema = z.strictObject({});

/**
 * The change-log poller's template: a reschedule per campaign instance with pending changes. Without an
 * organization it polls every organization of the fleets on the Redis; a fleet hands each organization another
 * fleet lists to that fleet as a poll of its own.
 */
export const PollChangesJobSchema = z.strictObject({ organization: OrganizationIdSchema.optional() });

/** One node of a run's flow: a contact id range to compute. */
export const ChunkJobSchema = z.strictObject({
  runId: z.string().min(1),
  organization: OrganizationIdSchema,
  chunkIndex: z.number().int().min(0),
  fromId: z.number().int(),
  toId: z.number().int(),
});

/** A run's backup, a job beside its flow (not a child of it): the finalizer's commit waits for it to be verified. */
export const BackupJobSchema = z.strictObject({
  runId: z.string().min(1),
  organization: OrganizationIdSchema,
});

/** The parent of a run's flow: balance, cap and commit once every chunk is in. */
export const FinalizeJobSchema = z.strictObject({
  runId: z.string().min(1),
  organization: OrganizationIdSchema,
  chunkCount: z.number().int().min(0),
});

export type RescheduleContactsJob = z.infer<typeof RescheduleContactsJobSchema>;
export type RescheduleCampaignJob = z.infer<typeof RescheduleCampaignJobSchema>;
export type FullRunJob = z.infer<typeof FullRunJobSchema>;
export type ChunkJob = z.infer<typeof ChunkJobSchema>;
export type FinalizeJob = z.infer<typeof FinalizeJobSchema>;
export type BackupJob = z.infer<typeof BackupJobSchema>;

/** The payloads other services may enqueue, by job name, as published JSON Schema. */
export const PUBLISHED_JOB_SCHEMAS = {
  'reschedule-contacts': RescheduleContactsJobSchema,
  'reschedule-campaign': RescheduleCampaignJobSchema,
  'full-run': FullRunJobSchema,
} as const;
