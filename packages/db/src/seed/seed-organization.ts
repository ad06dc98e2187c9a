import { dayInZone, formatIsoDate, parseIsoDate } from '@scheduler/core';
import { DatabaseError, withDatabaseErrors } from '../connection/database-errors';
import { openOrganizationDb } from '../connection/open-organization-db';
import { migrateOpenOrganizationDb } from '../migrate/migrate-organization-db';
import { BatchInserter } from '../bulk/batch-inserter';
import { suspendIndexes } from '../bulk/suspend-indexes';
import { suspendScheduleTriggers } from '../write/schedule-triggers';
import { suspendInputTriggers } from '../runs/input-generation';
import { CAMPAIGN_TYPES, campaignChanges, campaignInstances, targetsOf } from './synthetic-campaigns';
import { SyntheticContacts } from './synthetic-contact';
import { SyntheticHistory } from './synthetic-history';
import { SeededRandom } from './seeded-random';

export interface SeedOptions {
  readonly contacts: number;
  readonly seed?: number;
  /** The day the history is dated around (YYYY-MM-DD); default today in Chicago. Same seed and day, same file. */
  readonly asOf?: string;
  /** Called every few thousand contacts. */
  readonly onProgress?: (contactsDone: number, contactsTotal: number) => void;
}

export interface SeedSummary {
  readonly contacts: number;
  readonly emailSchedules: number;
  readonly trackingClicks: number;
  readonly contactEvents: number;
  readonly contactCampaigns: number;
  readonly durationMs: number;
}

export class SeedError extends DatabaseError {
  override readonly name = 'SeedError';
}

const BULK_TABLES = ['contacts', 'email_schedules', 'tracking_clicks', 'contact_events', 'contact_campaigns'];
/**
 * Rows go in by contact id, so indexes that start with contact_id (or hold
 * one value, like the run id of history rows) grow at their end as cheaply as
 * the tables; only these, keyed otherwise, are built after the fill.
 */
const INDEXES_BUILT_AFTER = [
  'idx_contacts_birth_date',
  'idx_contacts_effective_date',
  'idx_email_schedules_status_date',
  'idx_contact_campaigns_instance',
];
const PROGRESS_EVERY = 10_000;
// With the sorter of an index build taking as much again, 256 MB keeps a seed under 1 GB of memory.
const SEED_CACHE_MB = 256;

/**
 * Creates (or fills an empty) organization file with a realistic synthetic
 * book of business, deterministic for a seed and day: contacts, campaigns,
 * targets, send history, clicks, answers and pending campaign changes.
 * Built for speed: one transaction, one prepared statement per table, rows
 * in key order, no WAL while filling (pages written once), indexes not in
 * contact order built once at the end.
 */
export const seedOrganization = (path: string, options: SeedOptions): SeedSummary => {
  const started = Date.now();
  if (!Number.isSafeInteger(options.contacts) || options.contacts < 0) {
    throw new SeedError(`the number of contacts must be a whole number ≥ 0, got ${options.contacts}`);
  }
  const asOfDay = options.asOf === undefined ? dayInZone(new Date(), 'America/Chicago') : parseIsoDate(options.asOf);
  if (asOfDay === null) throw new SeedError(`--as-of must be a date YYYY-MM-DD, got ${options.asOf}`);
  const db = openOrganizationDb(path);
  try {
    migrateOpenOrganizationDb(db);
    const { sqlite } = db;
    // Campaign types too: a file seeded with no contacts holds them, and a second seed would break their unique names.
    const existing = sqlite
      .prepare('SELECT EXISTS (SELECT 1 FROM contacts) OR EXISTS (SELECT 1 FROM email_schedules) OR EXISTS (SELECT 1 FROM campaign_types)')
      .pluck()
      .get() as number;
    if (existing !== 0) throw new SeedError(`${path} already holds contacts, schedules or campaign types; seed only a new file`);

    const random = new SeededRandom(options.seed ?? 1);
    const people = new SyntheticContacts(random, asOfDay);
    const history = new SyntheticHistory(random, asOfDay);
    const counts = { emailSchedules: 0, trackingClicks: 0, contactEvents: 0, contactCampaigns: 0 };

    // Out of WAL while filling: a rollback journal records only pages that existed
    // before the transaction, which for a new file is almost none, so every page
    // is written once (better-sqlite3's defensive mode refuses journal_mode OFF).
    sqlite.pragma('journal_mode = DELETE');
    sqlite.pragma('synchronous = OFF');
    sqlite.pragma(`cache_size = ${-1024 * SEED_CACHE_MB}`);
    withDatabaseErrors(`seeding ${path}`, () =>
      sqlite.transaction(() => {
        const now = `${formatIsoDate(asOfDay)} 06:00:00`;
        const insertType = sqlite.prepare(
          `INSERT INTO campaign_types (name, respect_exclusion_windows, enable_followups, days_before_event, target_all_contacts, priority, active, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        );
        for (const type of CAMPAIGN_TYPES) {
          insertType.run(type.name, type.respectExclusionWindows, type.enableFollowups, type.daysBeforeEvent, type.targetAllContacts, type.priority, type.active, now, now);
        }
        const insertInstance = sqlite.prepare(
          `INSERT INTO campaign_instances (id, campaign_type, instance_name, email_template, sms_template, active_start_date, active_end_date, metadata, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        );
        for (const i of campaignInstances(asOfDay)) {
          insertInstance.run(i.id, i.campaignType, i.instanceName, i.emailTemplate, i.smsTemplate, i.activeStartDate, i.activeEndDate, i.metadata, now, now);
        }
        const insertChange = sqlite.prepare(
          `INSERT INTO campaign_change_log (campaign_instance_id, field_changed, old_value, new_value, changed_at, changed_by, requires_rescheduling, processed_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        );
        for (const c of campaignChanges(asOfDay)) {
          insertChange.run(c.campaignInstanceId, c.fieldChanged, c.oldValue, c.newValue, c.changedAt, c.changedBy, c.requiresRescheduling, c.processedAt);
        }

        const indexes = suspendIndexes(sqlite, BULK_TABLES, { only: INDEXES_BUILT_AFTER });
        // A new file: no row pays for our triggers while filling (measured: a fifth of the seed), the day counts
        // are counted once at the end. Touched contacts need no record: no full run has committed digests yet.
        const triggers = suspendScheduleTriggers(sqlite);
        const inputTriggers = suspendInputTriggers(sqlite);
        const contacts = new BatchInserter(sqlite, 'contacts', ['id', 'email', 'zip_code', 'state', 'birth_date', 'effective_date', 'phone_number']);
        const schedules = new BatchInserter(sqlite, 'email_schedules', [
          'id', 'contact_id', 'email_type', 'event_year', 'event_month', 'event_day', 'scheduled_send_date',
          'status', 'priority', 'campaign_instance_id', 'email_template', 'metadata', 'created_at', 'actual_send_datetime',
        ]);
        const clicks = new BatchInserter(sqlite, 'tracking_clicks', ['contact_id', 'email_schedule_id', 'clicked_at']);
        const events = new BatchInserter(sqlite, 'contact_events', ['contact_id', 'event_type', 'created_at', 'metadata']);
        const targets = new BatchInserter(sqlite, 'contact_campaigns', ['contact_id', 'campaign_instance_id', 'trigger_date', 'status', 'created_at', 'updated_at']);
        for (let id = 1; id <= options.contacts; id++) {
          const { row, usable } = people.contact(id);
          contacts.add(row);
          for (const target of targetsOf(random, id, asOfDay)) targets.add([target[0], target[1], target[2], target[3], now, now]);
          if (usable) {
            const past = history.historyOf(id);
            for (const schedule of past.schedules) schedules.add(schedule);
            for (const click of past.clicks) clicks.add(click);
            for (const event of past.events) events.add(event);
          }
          if (id % PROGRESS_EVERY === 0) options.onProgress?.(id, options.contacts);
        }
        for (const inserter of [contacts, schedules, clicks, events, targets]) inserter.flush();
        counts.emailSchedules = schedules.count;
        counts.trackingClicks = clicks.count;
        counts.contactEvents = events.count;
        counts.contactCampaigns = targets.count;
        indexes.restore();
        triggers.restore();
        inputTriggers.restore();
      })(),
    );
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('journal_mode = WAL');
    options.onProgress?.(options.contacts, options.contacts);
    return { contacts: options.contacts, ...counts, durationMs: Date.now() - started };
  } finally {
    db.close();
  }
};
