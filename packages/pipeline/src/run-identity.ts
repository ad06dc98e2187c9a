import { createHash } from 'node:crypto';
import { dayInZone, formatIsoDate, type Config } from '@scheduler/core';

/** Keys sorted at every level, so that equal configurations hash equally. */
const canonicalJson = (value: unknown): string => {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
};

const configHash = (config: Config): string =>
  createHash('sha256').update(canonicalJson(config)).digest('hex').slice(0, 12);

/**
 * A run's stable id: organization, as-of day and configuration. Enqueueing the
 * same run twice finds the same id and runs once. BullMQ ids may not contain
 * ':' nor be all digits, and these never do.
 */
export const fullRunId = (organization: string, asOf: string, config: Config): string =>
  `run-${organization}-${asOf}-${configHash(config)}`;

/** A rerun's id: the run's stable id and when it was asked for (each rerun runs, and its id still starts with the run's). */
export const rerunId = (stableId: string, askedAt: number): string => `${stableId}-rerun-${askedAt.toString(36)}`;

/**
 * A targeted reschedule's run id: its request job's id and creation time. Job numbers start again in a new
 * Redis or under another prefix: the time keeps the id (the UNIQUE key of its checkpoint) from meeting an
 * earlier run's, and stays the same across retries.
 */
export const rescheduleRunId = (organization: string, jobId: string, createdAt: number): string =>
  `reschedule-${organization}-${jobId}-${createdAt.toString(36)}`;

/** The as-of day a full run's id names (its stable part: a `-gN`, `-rerun-…` or `-retryN` may follow); null when none. */
export const asOfInRunId = (runId: string): string | null =>
  [...runId.matchAll(/-(\d{4}-\d{2}-\d{2})-[0-9a-f]{12}(?=-|$)/g)].at(-1)?.[1] ?? null;

/** RULES.md §1: a run's today, the date in the configured time zone when it starts (`YYYY-MM-DD`). */
export const todayIn = (config: Config, at: Date = new Date()): string => formatIsoDate(dayInZone(at, config.timezone));
